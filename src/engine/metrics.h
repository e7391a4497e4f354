// The feature-space parts of the common yardstick (docs/metrics.md), from VGG-19 activations of
// an average-pooling float32 network, whatever the job's own layers, pooling and weights:
// - content: the mean over elements of (F - P)^2 at relu4_2;
// - style: per layer the mean over the N x N entries of (G/M - A/Ms)^2 (G = F F^T over the
//   result's M positions, A the style's Gram over its own Ms), averaged over relu1_1..relu5_1.
#pragma once

#include <torch/types.h>

#include <string>
#include <vector>

namespace stylesweep {

inline const std::string kMetricContentLayer = "relu4_2";
inline const std::vector<std::string> kMetricStyleLayers = {"relu1_1", "relu2_1", "relu3_1", "relu4_1",
                                                            "relu5_1"};

// features and target: [1, N, H, W] of the same shape.
double content_metric(const torch::Tensor& features, const torch::Tensor& target);
// One layer's style term: features [1, N, H, W] of the result, style_features [1, N, Hs, Ws].
double style_metric_layer(const torch::Tensor& features, const torch::Tensor& style_features);

}  // namespace stylesweep
