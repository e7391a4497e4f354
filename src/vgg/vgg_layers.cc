#include "vgg/vgg_layers.h"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "common/error.h"
#include "common/text.h"

namespace stylesweep {
namespace {

std::vector<LayerSpec> build_table() {
  // Convolutions per block and their widths; each block ends with a 2x2 pooling.
  const int kConvsPerBlock[5] = {2, 2, 4, 4, 4};
  const int kWidths[5] = {64, 128, 256, 512, 512};
  std::vector<LayerSpec> layers;
  int channels = 3;
  int downsampling = 1;
  for (int block = 0; block < 5; ++block) {
    for (int conv = 0; conv < kConvsPerBlock[block]; ++conv) {
      std::string suffix = std::to_string(block + 1) + "_" + std::to_string(conv + 1);
      layers.push_back({"conv" + suffix, LayerKind::kConv, channels, kWidths[block], downsampling});
      layers.push_back({"relu" + suffix, LayerKind::kRelu, kWidths[block], kWidths[block],
                        downsampling});
      channels = kWidths[block];
    }
    downsampling *= 2;
    layers.push_back({"pool" + std::to_string(block + 1), LayerKind::kPool, channels, channels,
                      downsampling});
  }
  return layers;
}

}  // namespace

const std::vector<LayerSpec>& vgg19_layers() {
  static const std::vector<LayerSpec> table = build_table();
  return table;
}

const std::vector<std::string>& vgg19_conv_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> convs;
    for (const auto& layer : vgg19_layers()) {
      if (layer.kind == LayerKind::kConv) convs.push_back(layer.name);
    }
    return convs;
  }();
  return names;
}

std::vector<std::string> vgg19_layer_names() {
  std::vector<std::string> names;
  for (const auto& layer : vgg19_layers()) names.push_back(layer.name);
  return names;
}

bool is_vgg19_layer(const std::string& name) {
  try {
    vgg19_layer_index(name);
    return true;
  } catch (const Error&) {
    return false;
  }
}

int vgg19_layer_index(const std::string& name) {
  // Planning a large sweep looks layers up millions of times.
  static const std::unordered_map<std::string, int> index = [] {
    std::unordered_map<std::string, int> positions;
    const auto& layers = vgg19_layers();
    for (std::size_t i = 0; i < layers.size(); ++i) positions[layers[i].name] = int(i);
    return positions;
  }();
  if (auto found = index.find(name); found != index.end()) return found->second;
  throw Error("unknown VGG-19 layer '" + name + "'" + did_you_mean(name, vgg19_layer_names()), ErrorKind::kBadInput);
}

const LayerSpec& vgg19_layer(const std::string& name) {
  return vgg19_layers()[std::size_t(vgg19_layer_index(name))];
}

int deepest_layer_index(const std::vector<std::string>& names) {
  int deepest = -1;
  for (const auto& name : names) deepest = std::max(deepest, vgg19_layer_index(name));
  return deepest;
}

std::int64_t layer_positions(int width, int height, const std::string& layer) {
  const int downsampling = vgg19_layer(layer).downsampling;
  return std::int64_t(width / downsampling) * (height / downsampling);
}

void require_large_enough(int width, int height, const std::vector<std::string>& layers,
                          const std::string& role) {
  const LayerSpec& deepest = vgg19_layers()[std::size_t(deepest_layer_index(layers))];
  if (std::min(width, height) < deepest.downsampling) {
    throw Error(fmt::format(
        "size: the {} image at {}x{} px is too small for layer {}, which needs at least {} px "
        "on the short side",
        role, width, height, deepest.name, deepest.downsampling), ErrorKind::kBadInput);
  }
}

}  // namespace stylesweep
