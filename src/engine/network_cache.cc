#include "engine/network_cache.h"

#include <torch/torch.h>

#include <algorithm>

#include "vgg/vgg_layers.h"

namespace stylesweep {

NetworkCache::NetworkCache(VggWeights weights, std::string weights_path, const torch::Device& device)
    : weights_(std::move(weights)), weights_path_(std::move(weights_path)), device_(device) {}

Vgg19& NetworkCache::network(Pooling pooling, Precision precision, const std::vector<std::string>& layers) {
  // Fails early, naming the file, if a requested layer needs a conv the file lacks.
  std::vector<std::string> needed_convs;
  const auto& table = vgg19_layers();
  for (int i = 0; i <= deepest_layer_index(layers); ++i) {
    if (table[std::size_t(i)].kind == LayerKind::kConv) needed_convs.push_back(table[std::size_t(i)].name);
  }
  weights_.require_convs(needed_convs, weights_path_);
  const auto key = std::make_pair(pooling, precision);
  auto found = networks_.find(key);
  if (found == networks_.end()) {
    Vgg19 vgg(weights_, pooling, deepest_available_layer(), weights_path_);
    vgg->to(device_, precision == Precision::kBf16 ? torch::kBFloat16 : torch::kFloat);
    vgg->eval();
    found = networks_.emplace(key, vgg).first;
  }
  return found->second;
}

// The last conv a file holds decides how deep the network can go.
std::string NetworkCache::deepest_available_layer() const {
  std::string deepest;
  for (const auto& conv : vgg19_conv_names()) {
    if (weights_.convs.count(conv)) deepest = "relu" + conv.substr(4);
  }
  return deepest;
}

std::vector<double> NetworkCache::mean_pixel_rgb() const {
  std::vector<double> mean = weights_.mean;
  if (weights_.channel_order == "BGR") std::reverse(mean.begin(), mean.end());
  return mean;
}

}  // namespace stylesweep
