#include <gtest/gtest.h>
#include <torch/torch.h>

#include "common/error.h"
#include "test_support.h"
#include "vgg/random_weights.h"
#include "engine/vgg19.h"
#include "vgg/vgg_layers.h"

namespace stylesweep {
namespace {

const VggWeights& shared_weights() {
  static const VggWeights weights = random_weights(0);
  return weights;
}

TEST(Vgg19Test, ActivationShapesForEveryLayerAt64x48) {
  Vgg19 vgg(shared_weights(), Pooling::kAvg, "pool5");
  torch::NoGradGuard no_grad;
  const torch::Tensor image = torch::rand({1, 3, 48, 64}) * 255;
  const auto names = vgg19_layer_names();
  const auto activations = vgg->forward(image, names);
  for (const LayerSpec& layer : vgg19_layers()) {
    const torch::Tensor& activation = activations.at(layer.name);
    EXPECT_EQ(activation.sizes().vec(),
              (std::vector<std::int64_t>{1, layer.out_channels, 48 / layer.downsampling,
                                         64 / layer.downsampling}))
        << layer.name;
  }
  for (const auto& parameter : vgg->parameters()) EXPECT_FALSE(parameter.requires_grad());
}

TEST(Vgg19Test, ForwardStopsAtTheDeepestRequestedLayer) {
  Vgg19 vgg(shared_weights(), Pooling::kMax, "relu5_4");
  torch::NoGradGuard no_grad;
  const torch::Tensor image = torch::rand({1, 3, 32, 32}) * 255;
  auto activations = vgg->forward(image, {"relu1_1", "relu2_1"});
  EXPECT_EQ(activations.size(), 2u);
  EXPECT_EQ(vgg->convs_in_last_forward(), 3);  // conv1_1, conv1_2, conv2_1: no conv3 layer
  vgg->forward(image, {"conv4_2"});
  EXPECT_EQ(vgg->convs_in_last_forward(), 10);
}

TEST(Vgg19Test, PrefixWeightsServeShallowLayersAndNameTheMissingOne) {
  VggWeights weights = shared_weights();
  for (const char* deep : {"conv3_1", "conv3_2", "conv3_3", "conv3_4", "conv4_1", "conv4_2",
                           "conv4_3", "conv4_4", "conv5_1", "conv5_2", "conv5_3", "conv5_4"}) {
    weights.convs.erase(deep);
  }
  Vgg19 shallow(weights, Pooling::kAvg, "relu2_2", "prefix.h5");
  torch::NoGradGuard no_grad;
  EXPECT_EQ(shallow->forward(torch::zeros({1, 3, 16, 16}), {"relu2_1"}).at("relu2_1").size(1), 128);
  try {
    Vgg19 deep(weights, Pooling::kAvg, "relu4_2", "prefix.h5");
    FAIL();
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "prefix.h5: /conv3_1: missing layer (the file holds 4 of 16 conv layers)");
  }
}

TEST(Vgg19Test, ConvOutputStaysPreActivationWhenRequested) {
  Vgg19 vgg(shared_weights(), Pooling::kAvg, "relu1_1");
  torch::NoGradGuard no_grad;
  auto activations = vgg->forward(torch::rand({1, 3, 8, 8}) * 255, {"conv1_1", "relu1_1"});
  EXPECT_LT(activations.at("conv1_1").min().item<float>(), 0.f);
  EXPECT_TRUE(torch::equal(activations.at("relu1_1"), torch::relu(activations.at("conv1_1"))));
}

TEST(Vgg19Test, BgrWeightsSeeChannelsFlipped) {
  VggWeights rgb = shared_weights();
  VggWeights bgr = rgb;
  bgr.channel_order = "BGR";
  // Same filters with their input channels reversed must give the same activations.
  ConvWeights& first = bgr.convs.at("conv1_1");
  for (int out = 0; out < 64; ++out) {
    for (int k = 0; k < 9; ++k) {
      std::swap(first.weight[std::size_t((out * 3 + 0) * 9 + k)],
                first.weight[std::size_t((out * 3 + 2) * 9 + k)]);
    }
  }
  std::reverse(bgr.mean.begin(), bgr.mean.end());
  std::reverse(bgr.std.begin(), bgr.std.end());
  Vgg19 a(rgb, Pooling::kAvg, "relu1_1"), b(bgr, Pooling::kAvg, "relu1_1");
  torch::NoGradGuard no_grad;
  const torch::Tensor image = torch::rand({1, 3, 8, 8}) * 255;
  EXPECT_TRUE(torch::allclose(a->forward(image, {"relu1_1"}).at("relu1_1"),
                              b->forward(image, {"relu1_1"}).at("relu1_1"), 1e-4, 1e-4));
}

}  // namespace
}  // namespace stylesweep
