#include "engine/style_losses.h"

#include <torch/torch.h>

#include <vector>

#include "common/random.h"

namespace stylesweep {
namespace {

// [N, M] and its mean over the positions, [N].
std::pair<torch::Tensor, torch::Tensor> flat_and_mean(const torch::Tensor& features) {
  torch::Tensor flat = features.reshape({features.size(1), -1});
  return {flat, flat.mean(1)};
}

torch::Tensor covariance_of(const torch::Tensor& flat, const torch::Tensor& mean) {
  const torch::Tensor centered = flat - mean.unsqueeze(1);
  return torch::mm(centered, centered.t()) / double(flat.size(1));
}

}  // namespace

FeatureGaussian fit_feature_gaussian(const torch::Tensor& features) {
  const auto [flat, mean] = flat_and_mean(features.to(torch::kDouble));
  const torch::Tensor covariance = covariance_of(flat, mean);
  const auto eigen = torch::linalg_eigh(covariance, "L");
  const torch::Tensor& values = std::get<0>(eigen);
  const torch::Tensor& vectors = std::get<1>(eigen);
  const torch::Tensor root = torch::mm(vectors * values.clamp_min(0).sqrt().unsqueeze(0), vectors.t());
  const auto type = features.scalar_type();
  return {mean.to(type), root.to(type), covariance.trace().to(type)};
}

torch::Tensor trace_sqrt(const torch::Tensor& symmetric) {
  const torch::Tensor eigenvalues = torch::linalg_eigvalsh(0.5 * (symmetric + symmetric.t()), "L");
  const torch::Tensor fixed = eigenvalues.detach();
  const torch::Tensor value = fixed.clamp_min(0).sqrt().sum();
  const torch::Tensor floor = (fixed.max() * 1e-8).clamp_min(1e-30);
  const torch::Tensor slope = (0.5 / fixed.clamp_min(floor).sqrt()) * (fixed > 0).to(fixed.scalar_type());
  // The value of the clamped square root, the gradient of the bounded slope.
  return value + (slope * (eigenvalues - fixed)).sum();
}

torch::Tensor gaussian_w2_layer_loss(const torch::Tensor& features, const FeatureGaussian& style) {
  const auto [flat, mean] = flat_and_mean(features);
  const torch::Tensor covariance = covariance_of(flat, mean);
  const torch::Tensor cross = torch::mm(torch::mm(style.covariance_sqrt, covariance), style.covariance_sqrt);
  const torch::Tensor squared = (mean - style.mean).pow(2).sum() + covariance.trace() + style.covariance_trace -
                                2 * trace_sqrt(cross);
  return squared / double(features.size(1));
}

torch::Tensor slice_directions(std::int64_t channels, std::uint64_t seed, std::int64_t evaluation,
                               std::size_t layer, const torch::TensorOptions& options) {
  // One stream per (seed, evaluation, layer); SplitMix64 scrambles neighbouring seeds apart.
  const std::uint64_t stream = (std::uint64_t(evaluation) << 8) + std::uint64_t(layer) + 1;
  SplitMix64 generator(seed ^ (0x9E3779B97F4A7C15ULL * stream));
  std::vector<double> values(std::size_t(channels * channels));
  for (double& value : values) value = generator.normal();
  torch::Tensor directions = torch::from_blob(values.data(), {channels, channels}, torch::kDouble).clone();
  directions = directions / directions.norm(2, {0}, true);
  return directions.to(options);
}

torch::Tensor sliced_wasserstein_layer_loss(const torch::Tensor& features, const torch::Tensor& style_features,
                                            const torch::Tensor& directions) {
  const torch::Tensor flat = features.reshape({features.size(1), -1});
  const torch::Tensor projected = std::get<0>(torch::mm(directions.t(), flat).sort(1));
  torch::Tensor style = std::get<0>(torch::mm(directions.t(), style_features).sort(1));
  const std::int64_t positions = flat.size(1), style_positions = style.size(1);
  if (style_positions != positions) {
    // Sample i of M sits at i (Ms - 1) / (M - 1) among the style's sorted values.
    const double step = positions > 1 ? double(style_positions - 1) / double(positions - 1) : 0.0;
    const auto index_options = torch::TensorOptions().dtype(torch::kLong).device(style.device());
    const torch::Tensor at = torch::arange(positions, torch::TensorOptions().dtype(torch::kDouble)) * step;
    const torch::Tensor below = at.floor().clamp_max(double(style_positions - 1));
    const torch::Tensor weight = (at - below).to(style.options());
    const torch::Tensor low = below.to(index_options);
    const torch::Tensor high = (low + 1).clamp_max(style_positions - 1);
    style = style.index_select(1, low) * (1 - weight) + style.index_select(1, high) * weight;
  }
  return (projected - style).pow(2).mean();
}

}  // namespace stylesweep
