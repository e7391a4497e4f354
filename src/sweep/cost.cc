#include "sweep/cost.h"

#include <algorithm>

#include "vgg/vgg_layers.h"

namespace stylesweep {

double forward_flops(int width, int height, const std::vector<std::string>& layers,
                     const std::vector<std::string>& gram_layers) {
  double flops = 0;
  const int deepest = deepest_layer_index(layers);
  const auto& table = vgg19_layers();
  for (int i = 0; i <= deepest; ++i) {
    const LayerSpec& layer = table[std::size_t(i)];
    if (layer.kind != LayerKind::kConv) continue;
    const double positions = double(width / layer.downsampling) * double(height / layer.downsampling);
    flops += 2.0 * 9.0 * layer.in_channels * layer.out_channels * positions;
  }
  for (const auto& name : gram_layers) {
    const LayerSpec& layer = vgg19_layer(name);
    const double positions = double(width / layer.downsampling) * double(height / layer.downsampling);
    flops += 2.0 * double(layer.out_channels) * layer.out_channels * positions;
  }
  return flops;
}

namespace {

// One stage at `fraction` of the job's size (1 for the final stage; images scaled alike).
double stage_flops(const StyleJob& job, std::pair<int, int> content_size,
                   const std::vector<std::pair<int, int>>& style_sizes, double fraction, int iterations) {
  auto scaled = [fraction](int side) { return std::max(1, int(side * fraction + 0.5)); };
  std::vector<std::string> layers = job.content_layers;
  layers.insert(layers.end(), job.style_layers.begin(), job.style_layers.end());
  const int width = scaled(content_size.first), height = scaled(content_size.second);
  double targets = forward_flops(width, height, job.content_layers, {});
  for (const auto& [style_width, style_height] : style_sizes) {
    targets += forward_flops(scaled(style_width), scaled(style_height), job.style_layers, job.style_layers);
  }
  const double evaluation = 2.0 * forward_flops(width, height, layers, job.style_layers);
  return targets + double(iterations) * evaluation;
}

}  // namespace

double job_flops(const StyleJob& job, std::pair<int, int> content_size,
                 const std::vector<std::pair<int, int>>& style_sizes) {
  double flops = stage_flops(job, content_size, style_sizes, 1.0, job.iterations);
  for (int scale : job.scales) {
    flops += stage_flops(job, content_size, style_sizes, double(scale) / job.size, job.scale_iterations);
  }
  return flops;
}

}  // namespace stylesweep
