// One row per style loss (the `style_loss` parameter), owning all of its behaviour: what it keeps
// of a style image at a layer (the parts the target cache holds), the per-layer target it makes
// of them for a result of another size, what the terms of every style at one layer share in an
// evaluation, and the per-layer loss E_l. combine_losses walks the row through a StyleLayerLoss
// (engine/style_layer_loss.h), which spatial control wraps for the rows that support guides.
// A new loss is a new row here and its computation.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "job/job_choices.h"

namespace stylesweep {

struct StyleJob;

// Named tensors: what a row keeps of one style image at one layer, by part name.
using TensorMap = std::map<std::string, torch::Tensor>;

// A style's target at one layer; each row defines the type of its own.
struct LayerTarget {
  virtual ~LayerTarget() = default;
};

// Where a term is evaluated: what per-evaluation draws (slice directions) depend on.
struct LayerPlace {
  std::string layer;
  std::size_t layer_index = 0;  // the style layer's place in the job's list
  std::int64_t evaluation = 0;  // the entry's index in the job's whole history
};

// The result's side of one layer's term: its features [1, N, H, W], the number of positions
// they stand for (M = H W, or a region's mass under spatial control) and what the styles share.
struct LayerInput {
  const torch::Tensor& features;
  double positions;
  const torch::Tensor& shared;
};

struct StyleLossKind {
  StyleLoss loss;
  // What is kept of a style image's features [1, N, Hs, Ws] at `layer`.
  TensorMap (*style_parts)(const torch::Tensor& features, const std::string& layer, const StyleJob& job);
  // The target for a result of `positions` from parts kept of a style of `style_positions`.
  std::shared_ptr<const LayerTarget> (*target)(const TensorMap& parts, double style_positions, double positions);
  // What every style's term at one layer shares in one evaluation; null: nothing.
  torch::Tensor (*shared)(const torch::Tensor& features, const LayerPlace& place, const StyleJob& job);
  // E_l of one style's target.
  torch::Tensor (*layer_loss)(const LayerInput& input, const LayerTarget& target, const StyleJob& job);
  // Whether spatial control may guide it: its terms over each region's guided features, with the
  // region's mass as the positions, are that region's terms.
  bool supports_guides;
};

// The row of `loss`.
const StyleLossKind& style_loss_kind(StyleLoss loss);

}  // namespace stylesweep
