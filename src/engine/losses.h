// The losses of Gatys, Ecker and Bethge (arXiv 1508.06576), with Gram matrices compared per
// position ("paper-per-position"): content L_c = 1/2 sum (F - P)^2; Gram G = F F^T over the
// result's M positions, A = S S^T over the style's own Ms; per-layer style
// E_l = sum (G/M - A/Ms)^2 / (4 N^2), which is the paper's sum (G - A)^2 / (4 N^2 M^2) when
// M = Ms; L_s = sum_l w_l E_l, blended over styles; total variation on the 0-255 image;
// L = alpha L_c + beta L_s + gamma L_tv (+ a frame job's temporal term, engine/temporal.h). Other per-layer style losses (`style_loss`) replace E_l:
// each is a row of engine/style_loss_kinds.h, and combine_losses walks the job's row through its
// StyleLayerLoss without asking which it is.
#pragma once

#include <torch/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace stylesweep {

struct LayerTarget;
class StyleLayerLoss;

// features: [1, N, H, W] -> [N, N] Gram matrix F F^T over the M = H*W positions.
torch::Tensor gram_matrix(const torch::Tensor& features);
torch::Tensor content_layer_loss(const torch::Tensor& features, const torch::Tensor& target);
// A style image's Gram matrix at one layer and the number of positions it stands for: the
// style's own Ms, or the result's M once matched_to() it.
struct StyleGram {
  torch::Tensor gram;
  std::int64_t positions = 0;
};
// The same target for a result of `positions` (M) positions: A M/Ms, which the paper's formula
// then compares with G as sum (G/M - A/Ms)^2 / (4 N^2). Unchanged when M = Ms.
StyleGram matched_to(const StyleGram& target, std::int64_t positions);
// The same matching for positions that need not be whole (a region's mass under spatial control):
// `gram` over `style_positions` matched to `positions`, the tensor itself when they are equal.
torch::Tensor matched_gram(const torch::Tensor& gram, double style_positions, double positions);
// E_l for one layer: `gram` from gram_matrix(features) over `positions` (M) of the result.
torch::Tensor style_layer_loss(const torch::Tensor& gram, std::int64_t positions, const StyleGram& target);
// The same for a target already matched to the result's positions (M, or a region's mass):
// sum (G - matched)^2 / (4 N^2 M^2).
torch::Tensor matched_gram_layer_loss(const torch::Tensor& gram, double positions, const torch::Tensor& matched);
// gram_mse, as jcjohnson/neural-style normalizes the Gram loss: the mean over the N² entries of
// (G/(N M) - A/(N Ms))².
torch::Tensor gram_mse_layer_loss(const torch::Tensor& gram, std::int64_t positions, const StyleGram& target);
// The same for a matched target: the mean of ((G - matched) / (N M))².
torch::Tensor matched_gram_mse_layer_loss(const torch::Tensor& gram, double positions, const torch::Tensor& matched);
// Sum of squared differences of vertically and horizontally adjacent pixels, channels summed.
torch::Tensor total_variation_loss(const torch::Tensor& image);

// Targets computed once per job, under no-grad: the content's features by content layer, and
// per style its blend weight and its target at each style layer, of the type the job's
// style-loss row owns; `style_loss` computes the style terms from them.
struct StyleTarget {
  double blend = 1.0;
  std::map<std::string, std::shared_ptr<const LayerTarget>> layers;
};
// Video frames (engine/temporal.h): a linked frame's result warped onto this frame, [1, 3, H, W],
// and the weight c each pixel counts with, [1, 1, H, W].
struct TemporalTarget {
  torch::Tensor warped;
  torch::Tensor weight;
};
// Ruder et al.'s temporal loss (1/D) Σ_links Σ c ⊙ (x − ω)², D the image's number of values.
torch::Tensor temporal_loss(const torch::Tensor& image, const std::vector<TemporalTarget>& targets);

struct LossTargets {
  std::map<std::string, torch::Tensor> content;  // by content layer
  std::vector<StyleTarget> styles;
  std::shared_ptr<const StyleLayerLoss> style_loss;
  std::vector<TemporalTarget> temporal;          // frame jobs' links; empty otherwise
};

struct LossWeights {
  double alpha = 1.0, beta = 1.0, tv = 0.0;
  std::vector<std::string> content_layers;
  std::vector<double> content_layer_weights;  // equal (1 each) unless given
  std::vector<std::string> style_layers;
  std::vector<double> style_layer_weights;
  double temporal = 0.0;  // frame jobs' temporal_weight
};

struct LossTerms {
  torch::Tensor total;                 // scalar, differentiable
  double total_value = 0;              // its value on the host
  double content = 0, style = 0, tv = 0;  // weighted: alpha L_c, beta L_s, gamma L_tv
  double temporal = 0;                    // weighted: temporal_weight L_t
  std::vector<double> style_layers;    // unweighted E_l (blended over styles), per style layer
};

// activations: the generated image's features for every content and style layer; evaluation:
// the entry's index in the job's history (sliced_wasserstein draws its directions from it).
LossTerms combine_losses(const std::map<std::string, torch::Tensor>& activations,
                         const torch::Tensor& image, const LossTargets& targets,
                         const LossWeights& weights, std::int64_t evaluation = 0);

}  // namespace stylesweep
