#include "vgg/random_weights.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "common/random.h"
#include "vgg/vgg_layers.h"

namespace stylesweep {

VggWeights random_weights(std::uint64_t seed) {
  VggWeights weights;
  weights.channel_order = "RGB";
  // Pixels centred and scaled like torchvision's ImageNet models. The scale sets where the
  // content/style balance falls: content losses grow with the square of the activations and
  // style losses with the fourth power, so at this scale the paper's alpha/beta range
  // (1e-5 .. 1e-2) spans style-dominated to content-dominated results, as with pretrained
  // weights. (The engine scales the L-BFGS objective, so small loss magnitudes do no harm.)
  weights.mean = {123.675, 116.28, 103.53};
  weights.std = {58.395, 57.12, 57.375};
  weights.source = "random: seed " + std::to_string(seed) +
                   ", Kaiming fan-in normal weights, zero biases (stylesweep SplitMix64)";
  for (const auto& layer : vgg19_layers()) {
    if (layer.kind != LayerKind::kConv) continue;
    // A separate stream per layer: a layer's values do not depend on the layers before it.
    SplitMix64 generator(seed * 0x100000001b3ULL + std::uint64_t(vgg19_layer_index(layer.name)));
    const int fan_in = layer.in_channels * 9;
    const double scale = std::sqrt(2.0 / fan_in);
    ConvWeights conv;
    conv.out_channels = layer.out_channels;
    conv.in_channels = layer.in_channels;
    conv.weight.resize(std::size_t(layer.out_channels) * fan_in);
    for (float& value : conv.weight) value = float(generator.normal() * scale);
    conv.bias.assign(std::size_t(layer.out_channels), 0.0f);
    weights.convs[layer.name] = std::move(conv);
  }
  return weights;
}

std::string default_weights_path() {
  if (const char* explicit_path = std::getenv("STYLESWEEP_WEIGHTS")) return explicit_path;
  std::string cache_root;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    cache_root = xdg;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    cache_root = std::string(home) + "/.cache";
  } else {
    cache_root = "/tmp";
  }
  return cache_root + "/stylesweep/vgg19-random-seed0.h5";
}

std::string ensure_default_weights(bool* created) {
  const std::string path = default_weights_path();
  if (created) *created = false;
  if (std::filesystem::exists(path)) return path;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  // Write under a temporary name and rename, so concurrent ranks never read a half file.
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  write_weights(temporary, random_weights(0));
  std::filesystem::rename(temporary, path);
  if (created) *created = true;
  return path;
}

}  // namespace stylesweep
