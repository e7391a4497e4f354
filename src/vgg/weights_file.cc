#include "vgg/weights_file.h"

#include <cmath>

#include <fmt/format.h>

#include "common/error.h"
#include "h5/h5_file.h"
#include "vgg/vgg_layers.h"

namespace stylesweep {
namespace {

std::string shape_text(const std::vector<hsize_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

void check_float_dataset(const h5::File& file, const std::string& dataset,
                         const std::vector<hsize_t>& expected_shape) {
  h5::DatasetInfo info = file.dataset_info(dataset);
  if (info.type != h5::ElementType::kFloat32) {
    throw file_error(file.path(), dataset + ": expected float32 elements", ErrorKind::kBadInput);
  }
  if (info.shape != expected_shape) {
    throw file_error(file.path(), dataset + ": expected shape " + shape_text(expected_shape) +
                                      ", found " + shape_text(info.shape), ErrorKind::kBadInput);
  }
}

void check_finite(const std::string& path, const std::string& dataset,
                  const std::vector<float>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw file_error(path, fmt::format("{}: non-finite value {} at flat index {}", dataset,
                                         values[i], i), ErrorKind::kBadInput);
    }
  }
}

ConvWeights read_conv(const h5::File& file, const LayerSpec& layer) {
  const hsize_t out = hsize_t(layer.out_channels), in = hsize_t(layer.in_channels);
  const std::string weight_path = "/" + layer.name + "/weight";
  const std::string bias_path = "/" + layer.name + "/bias";
  check_float_dataset(file, weight_path, {out, in, 3, 3});
  check_float_dataset(file, bias_path, {out});
  ConvWeights conv;
  conv.out_channels = layer.out_channels;
  conv.in_channels = layer.in_channels;
  conv.weight = file.read_float32(weight_path);
  conv.bias = file.read_float32(bias_path);
  check_finite(file.path(), weight_path, conv.weight);
  check_finite(file.path(), bias_path, conv.bias);
  return conv;
}

void read_preprocessing(const h5::File& file, VggWeights& weights) {
  weights.channel_order = file.attribute_string("/", "channel_order");
  if (weights.channel_order != "RGB" && weights.channel_order != "BGR") {
    throw file_error(file.path(), "attribute channel_order: expected \"RGB\" or \"BGR\", found \"" +
                                      weights.channel_order + "\"", ErrorKind::kBadInput);
  }
  for (const char* name : {"mean", "std"}) {
    std::vector<double> values = file.attribute_doubles("/", name);
    if (values.size() != 3) {
      throw file_error(file.path(), fmt::format("attribute {}: expected 3 values, found {}", name,
                                                values.size()), ErrorKind::kBadInput);
    }
    for (double value : values) {
      if (!std::isfinite(value) || (std::string(name) == "std" && value <= 0)) {
        throw file_error(file.path(), fmt::format("attribute {}: invalid value {}", name, value), ErrorKind::kBadInput);
      }
    }
    (std::string(name) == "mean" ? weights.mean : weights.std) = values;
  }
}

}  // namespace

void VggWeights::require_convs(const std::vector<std::string>& needed_convs,
                               const std::string& path) const {
  for (const auto& name : needed_convs) {
    if (convs.count(name) == 0) {
      throw file_error(path, "/" + name + ": missing layer (the file holds " +
                                 std::to_string(convs.size()) + " of 16 conv layers)", ErrorKind::kBadInput);
    }
  }
}

VggWeights read_weights(const std::string& path) {
  h5::File file = h5::File::open_read_only(path);
  if (!file.has_attribute("/", "format")) {
    throw file_error(path, "missing root attribute 'format' (not a stylesweep weights file; "
                           "import other layouts with `stylesweep weights import`)", ErrorKind::kBadInput);
  }
  const std::string format = file.attribute_string("/", "format");
  if (format != kWeightsFormat) {
    throw file_error(path, "root attribute format is \"" + format + "\", expected \"" +
                               kWeightsFormat + "\"", ErrorKind::kBadInput);
  }
  const std::int64_t version = file.attribute_int("/", "format_version");
  if (version != kWeightsFormatVersion) {
    throw file_error(path, fmt::format("unsupported format_version {} (this build reads {})",
                                       version, kWeightsFormatVersion), ErrorKind::kBadInput);
  }
  VggWeights weights;
  read_preprocessing(file, weights);
  if (file.has_attribute("/", "source")) weights.source = file.attribute_string("/", "source");

  // Layers must form a prefix: a gap would make every deeper layer unusable anyway.
  std::string first_missing;
  for (const auto& layer : vgg19_layers()) {
    if (layer.kind != LayerKind::kConv) continue;
    if (!file.exists("/" + layer.name)) {
      if (first_missing.empty()) first_missing = layer.name;
      continue;
    }
    if (!first_missing.empty()) {
      throw file_error(path, "/" + first_missing + ": missing layer, but the deeper /" + layer.name +
                                 " is present (a file may stop after a layer, not skip one)", ErrorKind::kBadInput);
    }
    weights.convs[layer.name] = read_conv(file, layer);
  }
  if (weights.convs.empty()) throw file_error(path, "/conv1_1: missing layer (no conv layers)", ErrorKind::kBadInput);
  return weights;
}

std::string read_weights_source(const std::string& path) {
  const h5::File file = h5::File::open_read_only(path);
  return file.has_attribute("/", "source") ? file.attribute_string("/", "source") : "";
}

void write_weights(const std::string& path, const VggWeights& weights) {
  h5::File file = h5::File::create(path);
  file.set_attribute("/", "format", std::string(kWeightsFormat));
  file.set_attribute("/", "format_version", std::int64_t{kWeightsFormatVersion});
  file.set_attribute("/", "channel_order", weights.channel_order);
  file.set_attribute("/", "mean", weights.mean);
  file.set_attribute("/", "std", weights.std);
  file.set_attribute("/", "source", weights.source);
  for (const auto& name : vgg19_conv_names()) {
    auto found = weights.convs.find(name);
    if (found == weights.convs.end()) continue;
    const ConvWeights& conv = found->second;
    const hsize_t out = hsize_t(conv.out_channels), in = hsize_t(conv.in_channels);
    file.write_float32("/" + name + "/weight", {out, in, 3, 3}, conv.weight.data());
    file.write_float32("/" + name + "/bias", {out}, conv.bias.data());
  }
  file.flush();
}

}  // namespace stylesweep
