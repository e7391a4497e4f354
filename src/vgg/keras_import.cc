#include "vgg/keras_import.h"

#include <regex>

#include <fmt/format.h>

#include "common/error.h"
#include "common/sha256.h"
#include "h5/h5_file.h"
#include "vgg/vgg_layers.h"

namespace stylesweep {
namespace {

std::string shape_text(const std::vector<hsize_t>& shape) {
  std::string text;
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return "[" + text + "]";
}

// HWIO (3, 3, in, out) -> OIHW (out, in, 3, 3).
std::vector<float> hwio_to_oihw(const std::vector<float>& hwio, int in, int out) {
  std::vector<float> oihw(hwio.size());
  for (int h = 0; h < 3; ++h) {
    for (int w = 0; w < 3; ++w) {
      for (int i = 0; i < in; ++i) {
        for (int o = 0; o < out; ++o) {
          oihw[((std::size_t(o) * in + i) * 3 + h) * 3 + w] = hwio[((std::size_t(h) * 3 + w) * in + i) * out + o];
        }
      }
    }
  }
  return oihw;
}

ConvWeights read_layer(const h5::File& file, const std::string& keras_name, const LayerSpec& layer) {
  const std::string group = "/" + keras_name;
  if (!file.exists(group)) throw file_error(file.path(), group + ": missing layer (needed for " + layer.name + ")", ErrorKind::kBadInput);
  const std::vector<std::string> weight_names = file.attribute_strings(group, "weight_names");
  std::string kernel_path, bias_path;
  for (const auto& name : weight_names) {
    const std::string path = group + "/" + name;
    const auto rank = file.dataset_info(path).shape.size();
    (rank == 4 ? kernel_path : bias_path) = path;
  }
  if (kernel_path.empty() || bias_path.empty()) {
    throw file_error(file.path(), group + ": weight_names does not name a 4-D kernel and a bias", ErrorKind::kBadInput);
  }
  const hsize_t in = hsize_t(layer.in_channels), out = hsize_t(layer.out_channels);
  const std::vector<std::pair<std::string, std::vector<hsize_t>>> expected = {
      {kernel_path, {3, 3, in, out}}, {bias_path, {out}}};
  for (const auto& [path, shape] : expected) {
    const h5::DatasetInfo info = file.dataset_info(path);
    if (info.shape != shape) {
      throw file_error(file.path(), fmt::format("{}: expected shape {}, found {}", path,
                                                shape_text(shape), shape_text(info.shape)), ErrorKind::kBadInput);
    }
    if (info.type != h5::ElementType::kFloat32) throw file_error(file.path(), path + ": expected float32 elements", ErrorKind::kBadInput);
  }
  ConvWeights conv;
  conv.in_channels = layer.in_channels;
  conv.out_channels = layer.out_channels;
  conv.weight = hwio_to_oihw(file.read_float32(kernel_path), layer.in_channels, layer.out_channels);
  conv.bias = file.read_float32(bias_path);
  return conv;
}

}  // namespace

VggWeights import_keras_weights(const std::string& path) {
  const h5::File file = h5::File::open_read_only(path);
  if (!file.has_attribute("/", "layer_names")) {
    throw file_error(path, "unknown layout: no root attribute 'layer_names' (not a Keras weights file)", ErrorKind::kBadInput);
  }
  const std::vector<std::string> layer_names = file.attribute_strings("/", "layer_names");
  VggWeights weights;
  weights.channel_order = "BGR";
  weights.mean = {103.939, 116.779, 123.68};
  weights.std = {1, 1, 1};
  weights.source = "keras: " + path + " (sha256 " + sha256_file(path) + ")";
  const std::regex keras_conv("block([1-5])_conv([1-4])");
  for (const auto& conv_name : vgg19_conv_names()) {
    const std::string keras_name = "block" + conv_name.substr(4, 1) + "_conv" + conv_name.substr(6, 1);
    if (std::find(layer_names.begin(), layer_names.end(), keras_name) == layer_names.end()) {
      throw file_error(path, "/" + keras_name + ": missing layer (layer_names does not list it)", ErrorKind::kBadInput);
    }
    weights.convs[conv_name] = read_layer(file, keras_name, vgg19_layer(conv_name));
  }
  return weights;
}

}  // namespace stylesweep
