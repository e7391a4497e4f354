// How a job's style terms are computed at each layer: its style-loss row over the whole image
// (here), or spatial control's regions around the row (engine/spatial_control.h). combine_losses
// asks it once per layer and evaluation for what every style's term shares, then for each style's
// term; it never asks which loss or which control a job has.
#pragma once

#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/style_loss_kinds.h"
#include "job/job_params.h"

namespace stylesweep {

// The result's side of one layer in one evaluation: the features each term sees (the layer's, or
// one region's guided features) and what the row shares over them, one of each per part.
struct LayerShare {
  std::vector<torch::Tensor> features, shared;
};

class StyleLayerLoss {
 public:
  virtual ~StyleLayerLoss() = default;
  // What every style's term at place.layer shares; features: [1, N, H, W].
  virtual LayerShare share(const torch::Tensor& features, const LayerPlace& place) const = 0;
  // E_l of one style's target at place.layer.
  virtual torch::Tensor loss(const LayerShare& share, const LayerPlace& place, const LayerTarget& target) const = 0;
};

// The job's style-loss row over the whole image.
std::shared_ptr<const StyleLayerLoss> whole_image_style_loss(const StyleJob& job);

// A style image's parts for every layer of `activations`, as the target cache keeps them:
// "<layer>/<part>".
TensorMap whole_image_style_parts(const StyleLossKind& row, const TensorMap& activations, const StyleJob& job);
// The parts under "<prefix>/", named without it.
TensorMap parts_under(const TensorMap& parts, const std::string& prefix);

}  // namespace stylesweep
