#include "engine/yardstick.h"

#include <torch/torch.h>

#include <algorithm>

#include <fmt/format.h>

#include "engine/device.h"
#include "engine/image_cache.h"
#include "engine/metrics.h"
#include "engine/network_cache.h"
#include "engine/target_cache.h"
#include "engine/tensor_image.h"
#include "image/image_metrics.h"
#include "vgg/vgg_layers.h"

namespace stylesweep {

std::map<std::string, torch::Tensor> Yardstick::features(const Image& image, const std::string& cache_key) {
  if (!cache_key.empty()) {
    if (auto cached = caches_.targets.find(cache_key)) return std::move(*cached);
  }
  const int deepest = vgg19_layer_index(caches_.networks.deepest_available_layer());
  std::vector<std::string> layers;
  for (const auto& layer : kMetricStyleLayers) layers.push_back(layer);
  layers.push_back(kMetricContentLayer);
  const int width = image.width, height = image.height;
  // Layers the weights or the image's size do not reach stay out (their metric is NaN).
  layers.erase(std::remove_if(layers.begin(), layers.end(),
                              [&](const std::string& layer) {
                                return vgg19_layer_index(layer) > deepest || layer_positions(width, height, layer) == 0;
                              }),
               layers.end());
  std::map<std::string, torch::Tensor> features;
  if (!layers.empty()) {
    // Average pooling, float32: the same network for every job.
    Vgg19& network = caches_.networks.network(Pooling::kAvg, Precision::kFp32, layers);
    features = network->forward(image_to_tensor(image, caches_.networks.device()), layers);
  }
  if (!cache_key.empty()) caches_.targets.insert(cache_key, features);
  return features;
}

JobMetrics Yardstick::measure(const StyleJob& job, const Image& result_image) {
  torch::NoGradGuard no_grad;
  const NumericsGuard numerics(Precision::kFp32, job.deterministic);
  JobMetrics metrics;
  const std::vector<std::uint8_t> rgb = to_rgb8(result_image);
  const Image stored = from_rgb8(rgb.data(), result_image.width, result_image.height);
  const Image content_image = caches_.images.get(job.content, job.size);
  metrics.ssim = luma_ssim(stored, content_image);
  const auto result = features(stored, "");
  const auto content = features(content_image, fmt::format("metric-content|{}|{}|{}", tag_, job.content, job.size));
  if (result.count(kMetricContentLayer) && content.count(kMetricContentLayer)) {
    metrics.content = content_metric(result.at(kMetricContentLayer), content.at(kMetricContentLayer));
  }
  const std::vector<double> blend = job.normalized_blend();
  const int style_size = job.style_long_side();
  metrics.style = metrics.color = 0;
  for (std::size_t s = 0; s < job.styles.size(); ++s) {
    const Image style_image = caches_.images.get(job.styles[s], style_size);
    metrics.color += blend[s] * color_w2(stored, style_image);
    const auto style = features(style_image, fmt::format("metric-style|{}|{}|{}", tag_, job.styles[s], style_size));
    double layers_sum = 0;
    for (const auto& layer : kMetricStyleLayers) {
      layers_sum += result.count(layer) && style.count(layer) ? style_metric_layer(result.at(layer), style.at(layer))
                                                              : JobMetrics::kMissing;
    }
    metrics.style += blend[s] * layers_sum / double(kMetricStyleLayers.size());
  }
  return metrics;
}

}  // namespace stylesweep
