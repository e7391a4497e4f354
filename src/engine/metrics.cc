#include "engine/metrics.h"

#include <torch/torch.h>

namespace stylesweep {
namespace {

// F F^T / M in float64: the yardstick's Grams compare across sizes and precisions.
torch::Tensor gram_per_position(const torch::Tensor& features) {
  const torch::Tensor flat = features.to(torch::kFloat64).reshape({features.size(1), -1});
  return torch::mm(flat, flat.t()) / double(flat.size(1));
}

}  // namespace

double content_metric(const torch::Tensor& features, const torch::Tensor& target) {
  return (features.to(torch::kFloat64) - target.to(torch::kFloat64)).pow(2).mean().item<double>();
}

double style_metric_layer(const torch::Tensor& features, const torch::Tensor& style_features) {
  return (gram_per_position(features) - gram_per_position(style_features)).pow(2).mean().item<double>();
}

}  // namespace stylesweep
