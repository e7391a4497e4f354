#include <gtest/gtest.h>
#include <torch/torch.h>

#include "common/error.h"
#include "engine/vgg19.h"
#include "engine/tensor_image.h"
#include "engine/weights_normalization.h"
#include "vgg/random_weights.h"
#include "vgg/vgg_layers.h"

namespace stylesweep {
namespace {

Image bundled(const std::string& name) {
  return resize_long_side(read_image(std::string(STYLESWEEP_SOURCE_DIR) + "/configs/images/" + name), 48);
}

std::map<std::string, torch::Tensor> relus(const VggWeights& weights, const Image& image, Pooling pooling) {
  torch::NoGradGuard no_grad;
  Vgg19 network(weights, pooling, "relu5_4");
  network->to(torch::kFloat64);  // the identity checked, not float32's rounding
  std::vector<std::string> names;
  for (const auto& conv : vgg19_conv_names()) names.push_back("relu" + conv.substr(4));
  return network->forward(image_to_tensor(image, torch::kCPU).to(torch::kFloat64), names);
}

class WeightsNormalizationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    original_ = new VggWeights(random_weights(0));
    used_ = new std::vector<Image>{bundled("chelsea.png"), bundled("coffee.png")};
    normalized_ = new VggWeights(normalize_weights(*original_, *used_, &report_));
  }
  static void TearDownTestSuite() {
    delete original_;
    delete used_;
    delete normalized_;
  }
  static VggWeights* original_;
  static VggWeights* normalized_;
  static std::vector<Image>* used_;
  static NormalizationReport report_;
};
VggWeights* WeightsNormalizationTest::original_ = nullptr;
VggWeights* WeightsNormalizationTest::normalized_ = nullptr;
std::vector<Image>* WeightsNormalizationTest::used_ = nullptr;
NormalizationReport WeightsNormalizationTest::report_;

TEST_F(WeightsNormalizationTest, MeanActivationOfEveryFilterIsOneOnTheImagesUsed) {
  ASSERT_EQ(report_.convs.size(), 16u);
  std::vector<torch::Tensor> sums;
  double positions_per_layer[16] = {};
  for (const Image& image : *used_) {
    const auto activations = relus(*normalized_, image, Pooling::kMax);
    int l = 0;
    for (const auto& conv : vgg19_conv_names()) {
      const torch::Tensor activation = activations.at("relu" + conv.substr(4)).to(torch::kFloat64);
      const torch::Tensor channel_sums = activation.sum({0, 2, 3});
      if (sums.size() <= std::size_t(l)) sums.push_back(channel_sums); else sums[l] += channel_sums;
      positions_per_layer[l] += double(activation.size(2) * activation.size(3));
      ++l;
    }
  }
  for (std::size_t l = 0; l < sums.size(); ++l) {
    const torch::Tensor means = sums[l] / positions_per_layer[l];
    const torch::Tensor active = means > 0;
    const int silent = int(means.numel() - active.sum().item<std::int64_t>());
    EXPECT_EQ(silent, report_.silent_filters[l]) << report_.convs[l];
    // Only the float32 rounding of the stored weights remains (measured up to 6e-5, through
    // cancellation in filters with small means); a wrong rescaling is off by O(1).
    EXPECT_LT((means.masked_select(active) - 1).abs().max().item<double>(), 2e-4) << report_.convs[l];
  }
}

// Every layer's output is the original's times a positive factor per channel: the same at every
// position, on an image the means were not measured on, and with either pooling.
TEST_F(WeightsNormalizationTest, EveryLayerChangesOnlyByAPositiveFactorPerChannel) {
  for (Pooling pooling : {Pooling::kMax, Pooling::kAvg}) {
    const Image unused = bundled("tubingen.jpg");
    const auto before = relus(*original_, unused, pooling), after = relus(*normalized_, unused, pooling);
    const auto measured_before = relus(*original_, used_->front(), pooling);
    const auto measured_after = relus(*normalized_, used_->front(), pooling);
    for (const auto& [name, original] : before) {
      const torch::Tensor scaled = after.at(name);
      // The factor per channel, from the largest activation of the image the means came from.
      const torch::Tensor peak_before = measured_before.at(name).amax({0, 2, 3});
      const torch::Tensor factor = measured_after.at(name).amax({0, 2, 3}) / peak_before.clamp_min(1e-30);
      const torch::Tensor live = peak_before > 0;
      EXPECT_TRUE((factor.masked_select(live) > 0).all().item<bool>()) << name;
      const torch::Tensor expected = original * factor.view({1, -1, 1, 1});
      const torch::Tensor mask = live.view({1, -1, 1, 1}).expand_as(original);
      const double scale = expected.masked_select(mask).abs().max().item<double>();
      const double error = (scaled - expected).masked_select(mask).abs().max().item<double>();
      EXPECT_LT(error, 1e-4 * scale) << name << " pooling " << int(pooling);  // float32 weights: 2e-5 measured
    }
  }
}

TEST(WeightsNormalizationErrors, NoImagesIsBadInput) {
  try {
    normalize_weights(random_weights(0), {});
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kBadInput);
    EXPECT_STREQ(error.what(), "weights normalize: no images to measure mean activations on");
  }
}

}  // namespace
}  // namespace stylesweep
