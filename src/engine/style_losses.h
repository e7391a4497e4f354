// Style losses on the distribution of a layer's features rather than their Gram matrix (the
// `style_loss` parameter; docs/config.md gives the formulas):
// - gaussian_w2: the squared 2-Wasserstein distance between Gaussians fitted to the result's and
//   the style's N-dimensional features, divided by N (moment matching as in
//   crowsonkb/style-transfer-pytorch);
// - sliced_wasserstein: the features projected on N random unit directions, sorted, compared
//   after resampling the style's to the result's count (Heitz et al., CVPR 2021).
#pragma once

#include <torch/types.h>

#include <cstdint>

namespace stylesweep {

// The Gaussian fitted to a layer's features [1, N, H, W] over their M = H W positions
// (covariance divided by M), with what the loss needs of it: mean, Σ^½ and tr(Σ).
struct FeatureGaussian {
  torch::Tensor mean;              // [N]
  torch::Tensor covariance_sqrt;   // [N, N], symmetric, eigenvalues clamped at 0
  torch::Tensor covariance_trace;  // scalar
};
// Fitted in float64 and returned in the features' type.
FeatureGaussian fit_feature_gaussian(const torch::Tensor& features);

// (|μ − μs|² + tr(Σ + Σs − 2 (Σs^½ Σ Σs^½)^½)) / N for the result's features [1, N, H, W].
torch::Tensor gaussian_w2_layer_loss(const torch::Tensor& features, const FeatureGaussian& style);

// Σ sqrt(max(λ, 0)) over the eigenvalues λ of a symmetric matrix, i.e. tr(C^½). Its gradient,
// V diag(1 / (2 sqrt λ)) Vᵀ, takes eigenvalues below 1e-8 of the largest at that floor, and
// negative ones as 0: the covariances of deep layers at small sizes are rank-deficient, and the
// square root's slope at their zero eigenvalues is unbounded.
torch::Tensor trace_sqrt(const torch::Tensor& symmetric);

// P = N unit directions, the columns of an [N, N] matrix in `options`' type and device, drawn from
// the project's generator (the same on every device) for the job's seed, the evaluation (counted
// over the job's whole history) and the style layer's place in the job's list.
torch::Tensor slice_directions(std::int64_t channels, std::uint64_t seed, std::int64_t evaluation,
                               std::size_t layer, const torch::TensorOptions& options);

// The mean over P x M of the squared difference between the result's sorted projections
// (directionsᵀ F, [P, M]) and the style's (directionsᵀ S, [P, Ms]) linearly resampled to M.
// features: [1, N, H, W]; style_features: [N, Ms].
torch::Tensor sliced_wasserstein_layer_loss(const torch::Tensor& features, const torch::Tensor& style_features,
                                            const torch::Tensor& directions);

}  // namespace stylesweep
