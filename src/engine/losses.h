// The losses of Gatys, Ecker and Bethge (arXiv 1508.06576), with Gram matrices compared per
// position ("paper-per-position"): content L_c = 1/2 sum (F - P)^2; Gram G = F F^T over the
// result's M positions, A = S S^T over the style's own Ms; per-layer style
// E_l = sum (G/M - A/Ms)^2 / (4 N^2), which is the paper's sum (G - A)^2 / (4 N^2 M^2) when
// M = Ms; L_s = sum_l w_l E_l, blended over styles; total variation on the 0-255 image;
// L = alpha L_c + beta L_s + gamma L_tv. Other per-layer style losses (`style_loss`) replace E_l:
// gram_mse here, the distribution losses in engine/style_losses.h.
#pragma once

#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

#include "engine/style_losses.h"
#include "job/job_choices.h"

namespace stylesweep {

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
// E_l for one layer: `gram` from gram_matrix(features) over `positions` (M) of the result.
torch::Tensor style_layer_loss(const torch::Tensor& gram, std::int64_t positions,
                               const StyleGram& target);
// gram_mse, as jcjohnson/neural-style normalizes the Gram loss: the mean over the N² entries of
// (G/(N M) - A/(N Ms))².
torch::Tensor gram_mse_layer_loss(const torch::Tensor& gram, std::int64_t positions, const StyleGram& target);
// Sum of squared differences of vertically and horizontally adjacent pixels, channels summed.
torch::Tensor total_variation_loss(const torch::Tensor& image);

// Spatial control: one region's style Gram A_{r,s} matched to the result's region mass m_r
// (A m_r / m_{r,s}); undefined when the style has no pixels of the region.
struct RegionGram {
  torch::Tensor gram;
};
// The result's guides at each style layer and the regions' masses m_r there.
struct RegionGuides {
  std::map<std::string, torch::Tensor> guides;              // by style layer: [R, M]
  std::map<std::string, std::vector<double>> masses;        // by style layer: m_r
  double region_weight = 1.0;                               // 1/R over the regions in use
};
// The result's guided Grams G_r = (F ∘ T_r)(F ∘ T_r)ᵀ of features [1, N, H, W] and guides [R, M],
// computed once per layer and shared by every style's term.
std::vector<torch::Tensor> guided_grams(const torch::Tensor& features, const torch::Tensor& guides);
// E_l of spatial control for one style: sum over its regions r of region_weight *
// sum (G_r - A_{r,s} m_r/m_{r,s})² / (4 N² m_r²). With one region of guides 1 everywhere it is
// style_layer_loss, bit for bit, and so is its gradient.
torch::Tensor guided_style_layer_loss(const std::vector<torch::Tensor>& grams, const std::vector<double>& masses,
                                      const std::vector<RegionGram>& targets, double region_weight);

// Targets computed once per job, under no-grad; by style layer, what the job's style loss
// compares with: Grams (gram, gram_mse), fitted Gaussians (gaussian_w2) or the features
// themselves, [N, Ms] (sliced_wasserstein).
struct StyleTarget {
  double blend = 1.0;
  std::map<std::string, StyleGram> grams;
  std::map<std::string, FeatureGaussian> gaussians;
  std::map<std::string, torch::Tensor> features;
  std::map<std::string, std::vector<RegionGram>> region_grams;  // spatial control, per region
};
struct LossTargets {
  std::map<std::string, torch::Tensor> content;  // by content layer
  std::vector<StyleTarget> styles;
  RegionGuides regions;  // empty guides: no spatial control
};

struct LossWeights {
  double alpha = 1.0, beta = 1.0, tv = 0.0;
  std::vector<std::string> content_layers;
  std::vector<double> content_layer_weights;  // equal (1 each) unless given
  std::vector<std::string> style_layers;
  std::vector<double> style_layer_weights;
  StyleLoss style_loss = StyleLoss::kGram;
  std::uint64_t seed = 0;  // sliced_wasserstein's directions
};

struct LossTerms {
  torch::Tensor total;                 // scalar, differentiable
  double total_value = 0;              // its value on the host
  double content = 0, style = 0, tv = 0;  // weighted: alpha L_c, beta L_s, gamma L_tv
  std::vector<double> style_layers;    // unweighted E_l (blended over styles), per style layer
};

// activations: the generated image's features for every content and style layer; evaluation:
// the entry's index in the job's history (sliced_wasserstein draws its directions from it).
LossTerms combine_losses(const std::map<std::string, torch::Tensor>& activations,
                         const torch::Tensor& image, const LossTargets& targets,
                         const LossWeights& weights, std::int64_t evaluation = 0);

}  // namespace stylesweep
