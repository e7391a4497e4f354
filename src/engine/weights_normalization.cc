#include "engine/weights_normalization.h"

#include <torch/torch.h>

#include "common/error.h"
#include "engine/tensor_image.h"
#include "engine/vgg19.h"
#include "vgg/vgg_layers.h"

namespace stylesweep {
namespace {

std::string relu_of(const std::string& conv) { return "relu" + conv.substr(4); }

// Each conv's mean ReLU activation per channel over every image and position, in float64.
std::vector<std::vector<double>> mean_activations(const VggWeights& weights, const std::vector<std::string>& convs,
                                                  const std::vector<Image>& images) {
  torch::NoGradGuard no_grad;
  Vgg19 network(weights, Pooling::kMax, relu_of(convs.back()));
  network->to(torch::kFloat64);  // means to float64 precision: fp32 cancellation is 1e-3 at depth
  std::vector<std::string> relus;
  for (const auto& conv : convs) relus.push_back(relu_of(conv));
  std::vector<torch::Tensor> sums(convs.size());
  std::vector<double> positions(convs.size(), 0);
  for (const Image& image : images) {
    const auto activations = network->forward(image_to_tensor(image, torch::kCPU).to(torch::kFloat64), relus);
    for (std::size_t l = 0; l < convs.size(); ++l) {
      const torch::Tensor& activation = activations.at(relus[l]).to(torch::kFloat64);
      const torch::Tensor channel_sums = activation.sum({0, 2, 3});
      sums[l] = sums[l].defined() ? sums[l] + channel_sums : channel_sums;
      positions[l] += double(activation.size(0) * activation.size(2) * activation.size(3));
    }
  }
  std::vector<std::vector<double>> means(convs.size());
  for (std::size_t l = 0; l < convs.size(); ++l) {
    const torch::Tensor mean = (sums[l] / positions[l]).contiguous();
    means[l].assign(mean.data_ptr<double>(), mean.data_ptr<double>() + mean.numel());
  }
  return means;
}

}  // namespace

VggWeights normalize_weights(const VggWeights& weights, const std::vector<Image>& images, NormalizationReport* report) {
  require(!images.empty(), "weights normalize: no images to measure mean activations on");
  std::vector<std::string> convs;
  for (const auto& name : vgg19_conv_names()) {
    if (weights.convs.count(name)) convs.push_back(name);
  }
  // The compensation leaves every conv's input as it was, so the means of the original network
  // are those each layer sees after the layers before it are rescaled: one pass measures all.
  const std::vector<std::vector<double>> means = mean_activations(weights, convs, images);
  VggWeights normalized = weights;
  normalized.source = weights.source + "; normalized: mean activation 1 per filter on " +
                      std::to_string(images.size()) + " images (max pooling)";
  if (report) *report = {};
  for (std::size_t l = 0; l < convs.size(); ++l) {
    ConvWeights& conv = normalized.convs.at(convs[l]);
    ConvWeights* next = l + 1 < convs.size() ? &normalized.convs.at(convs[l + 1]) : nullptr;
    const std::size_t filter_size = std::size_t(conv.in_channels) * 9;
    double scale_sum = 0;
    int silent = 0;
    for (int k = 0; k < conv.out_channels; ++k) {
      const double mean = means[l][std::size_t(k)];
      const double scale = mean > 0 ? 1.0 / mean : 1.0;  // a filter silent on these images stays
      silent += mean > 0 ? 0 : 1;
      scale_sum += scale;
      for (std::size_t i = 0; i < filter_size; ++i) conv.weight[std::size_t(k) * filter_size + i] *= float(scale);
      conv.bias[std::size_t(k)] *= float(scale);
      if (!next) continue;
      for (int o = 0; o < next->out_channels; ++o) {
        float* taps = &next->weight[(std::size_t(o) * std::size_t(next->in_channels) + std::size_t(k)) * 9];
        for (int t = 0; t < 9; ++t) taps[t] = float(taps[t] / scale);
      }
    }
    if (report) {
      report->convs.push_back(convs[l]);
      report->mean_scale.push_back(scale_sum / conv.out_channels);
      report->silent_filters.push_back(silent);
    }
  }
  return normalized;
}

}  // namespace stylesweep
