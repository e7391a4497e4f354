#include "engine/vgg19.h"

#include <torch/torch.h>

#include <set>

#include "common/error.h"
#include "vgg/vgg_layers.h"

namespace stylesweep {

Vgg19Impl::Vgg19Impl(const VggWeights& weights, Pooling pooling, const std::string& deepest_layer,
                     const std::string& weights_path)
    : pooling_(pooling), deepest_layer_(deepest_layer),
      deepest_index_(vgg19_layer_index(deepest_layer)) {
  const auto& layers = vgg19_layers();
  convs_.resize(layers.size(), nullptr);
  for (int i = 0; i <= deepest_index_; ++i) {
    const LayerSpec& layer = layers[std::size_t(i)];
    if (layer.kind != LayerKind::kConv) continue;
    weights.require_convs({layer.name}, weights_path);
    const ConvWeights& source = weights.convs.at(layer.name);
    auto conv = torch::nn::Conv2d(
        torch::nn::Conv2dOptions(layer.in_channels, layer.out_channels, 3).padding(1));
    torch::NoGradGuard no_grad;
    conv->weight.copy_(torch::from_blob(const_cast<float*>(source.weight.data()),
                                        {layer.out_channels, layer.in_channels, 3, 3}));
    conv->bias.copy_(torch::from_blob(const_cast<float*>(source.bias.data()),
                                      {layer.out_channels}));
    conv->weight.set_requires_grad(false);
    conv->bias.set_requires_grad(false);
    convs_[std::size_t(i)] = register_module(layer.name, conv);
  }
  bgr_ = weights.channel_order == "BGR";
  // Stored in the file's channel order; preprocessing flips the image first when BGR.
  mean_ = register_buffer("mean", torch::tensor(weights.mean, torch::kFloat).view({1, 3, 1, 1}));
  std_ = register_buffer("std", torch::tensor(weights.std, torch::kFloat).view({1, 3, 1, 1}));
}

torch::Tensor Vgg19Impl::preprocess(const torch::Tensor& image) const {
  torch::Tensor ordered = bgr_ ? image.flip(1) : image;
  return (ordered - mean_) / std_;
}

namespace {

// libtorch 1.13 on CPU convolves one image of at most this many input values natively (im2col and
// GEMM) and anything larger, or any batch, through oneDNN; the two round differently. A batch of
// jobs must give what each job gives alone, so its small inputs are convolved image by image
// (they are the cheap layers).
constexpr std::int64_t kNativeConvInputLimit = 20480;

torch::Tensor convolve(torch::nn::Conv2d& conv, const torch::Tensor& x) {
  if (x.size(0) == 1 || !x.device().is_cpu() || x[0].numel() > kNativeConvInputLimit) {
    return conv->forward(x);
  }
  std::vector<torch::Tensor> outputs;
  for (std::int64_t b = 0; b < x.size(0); ++b) outputs.push_back(conv->forward(x.narrow(0, b, 1)));
  return torch::cat(outputs);
}

}  // namespace

std::map<std::string, torch::Tensor> Vgg19Impl::forward(const torch::Tensor& image,
                                                       const std::vector<std::string>& layers) {
  const std::set<std::string> wanted(layers.begin(), layers.end());
  const int stop = deepest_layer_index(layers);
  if (stop > deepest_index_) {
    throw Error("layer '" + vgg19_layers()[std::size_t(stop)].name +
                "' is deeper than this network's last layer '" + deepest_layer_ + "'", ErrorKind::kInternal);
  }
  std::map<std::string, torch::Tensor> activations;
  // A network moved to bfloat16 convolves in it; what it returns has the image's type (float32),
  // so Grams and losses accumulate in float32 and gradients reach the image through the casts.
  const torch::ScalarType compute_type = parameters().empty() ? image.scalar_type() : parameters().front().scalar_type();
  torch::Tensor x = preprocess(image).to(compute_type);
  convs_in_last_forward_ = 0;
  const auto& table = vgg19_layers();
  for (int i = 0; i <= stop; ++i) {
    const LayerSpec& layer = table[std::size_t(i)];
    switch (layer.kind) {
      case LayerKind::kConv:
        x = convolve(convs_[std::size_t(i)], x);
        ++convs_in_last_forward_;
        break;
      case LayerKind::kRelu:
        // In place unless the conv output it overwrites was requested.
        x = wanted.count(table[std::size_t(i) - 1].name) ? torch::relu(x) : torch::relu_(x);
        break;
      case LayerKind::kPool:
        x = pooling_ == Pooling::kMax ? torch::max_pool2d(x, 2, 2) : torch::avg_pool2d(x, 2, 2);
        break;
    }
    if (wanted.count(layer.name)) activations[layer.name] = x.to(image.scalar_type());
  }
  return activations;
}

}  // namespace stylesweep
