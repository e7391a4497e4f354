#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "engine/losses.h"
#include "engine/style_layer_loss.h"
#include "vgg/random_weights.h"
#include "engine/vgg19.h"

namespace stylesweep {
namespace {

// Plain reference: G[i][j] = sum over positions of F[i, p] * F[j, p], one element at a time.
torch::Tensor gram_reference(const torch::Tensor& features) {
  const auto channels = features.size(1);
  torch::Tensor flat = features.reshape({channels, -1}).to(torch::kDouble);
  torch::Tensor gram = torch::zeros({channels, channels}, torch::kDouble);
  auto f = flat.accessor<double, 2>();
  auto g = gram.accessor<double, 2>();
  for (std::int64_t i = 0; i < channels; ++i) {
    for (std::int64_t j = 0; j < channels; ++j) {
      for (std::int64_t p = 0; p < flat.size(1); ++p) g[i][j] += f[i][p] * f[j][p];
    }
  }
  return gram;
}

TEST(LossesTest, GramAndStyleLayerLossMatchHandComputedValues) {
  // F = [[1, 2], [3, 4]] (N = 2 channels, M = 2 positions).
  const torch::Tensor features = torch::tensor({1.0, 2.0, 3.0, 4.0}).view({1, 2, 1, 2});
  const torch::Tensor gram = gram_matrix(features);
  EXPECT_TRUE(torch::equal(gram, torch::tensor({5.0, 11.0, 11.0, 25.0}).view({2, 2})));
  // E = sum (G - 0)^2 / (4 N^2 M^2) = (25 + 121 + 121 + 625) / 64.
  EXPECT_DOUBLE_EQ(style_layer_loss(gram, 2, {torch::zeros({2, 2}, torch::kDouble), 2}).item<double>(),
                   892.0 / 64.0);
  const torch::Tensor target = torch::tensor({1.0, 0.0, 0.0, 1.0}).view({2, 2});
  EXPECT_DOUBLE_EQ(style_layer_loss(gram, 2, {target, 2}).item<double>(), (16.0 + 121 + 121 + 576) / 64);
}

TEST(LossesTest, StylesOfAnotherSizeAreComparedPerPosition) {
  // The result's G = [[5, 11], [11, 25]] over M = 2 positions; the style's A over Ms = 4:
  // E = sum (G/2 - A/4)^2 / (4 N^2) with N = 2.
  const torch::Tensor gram = torch::tensor({5.0, 11.0, 11.0, 25.0}).view({2, 2});
  const torch::Tensor style = torch::tensor({8.0, 4.0, 4.0, 12.0}).view({2, 2});
  const double expected = ((2.5 - 2) * (2.5 - 2) + 2 * (5.5 - 1) * (5.5 - 1) + (12.5 - 3) * (12.5 - 3)) / 16;
  EXPECT_DOUBLE_EQ(style_layer_loss(gram, 2, {style, 4}).item<double>(), expected);
  // The same Grams compared as the paper's formula would, sum (G - A)^2 / (4 N^2 M^2), differ.
  EXPECT_GT(std::abs(((gram - style).pow(2).sum() / 64).item<double>() - expected), 1.0);
  // A style twice the result's size whose features repeat the result's has its Gram doubled, and
  // matches it exactly.
  EXPECT_EQ(style_layer_loss(gram, 2, {2 * gram, 4}).item<double>(), 0.0);
}

TEST(LossesTest, EqualSizesGiveThePapersFormulaBitForBit) {
  torch::manual_seed(5);
  for (const auto dtype : {torch::kFloat, torch::kDouble}) {
    const torch::Tensor gram = gram_matrix(torch::rand({1, 16, 7, 9}, dtype) * 40);
    const torch::Tensor target = gram_matrix(torch::rand({1, 16, 9, 7}, dtype) * 40);
    const torch::Tensor paper = (gram - target).pow(2).sum() / (4.0 * 16 * 16 * 63.0 * 63.0);
    EXPECT_TRUE(torch::equal(style_layer_loss(gram, 63, {target, 63}), paper));
  }
}

TEST(LossesTest, FastGramAgreesWithReference) {
  torch::manual_seed(1);
  const torch::Tensor features = torch::rand({1, 7, 5, 6}) * 10;
  EXPECT_TRUE(torch::allclose(gram_matrix(features).to(torch::kDouble), gram_reference(features),
                              1e-5, 1e-3));
}

TEST(LossesTest, ContentAndTotalVariationMatchHandComputedValues) {
  const torch::Tensor a = torch::tensor({1.0, 2.0, 3.0}).view({1, 3, 1, 1});
  const torch::Tensor b = torch::tensor({1.0, 0.0, 6.0}).view({1, 3, 1, 1});
  EXPECT_DOUBLE_EQ(content_layer_loss(a, b).item<double>(), 0.5 * (4 + 9));
  // One channel 2x2 [[0, 1], [3, 7]]: vertical (3, 6), horizontal (1, 4).
  const torch::Tensor image = torch::tensor({0.0, 1.0, 3.0, 7.0}).view({1, 1, 2, 2});
  EXPECT_DOUBLE_EQ(total_variation_loss(image).item<double>(), 9 + 36 + 1 + 16);
}

// Ruder et al.'s temporal term, by plain loops: (1/D) Σ_links Σ c (x − ω)², D = 3HW; its gradient
// (2/D) Σ_links c (x − ω) per value.
TEST(LossesTest, TemporalLossAndItsGradientMatchPlainLoops) {
  const int height = 5, width = 4;
  torch::manual_seed(3);
  const torch::Tensor image = (torch::rand({1, 3, height, width}, torch::kDouble) * 255).requires_grad_(true);
  std::vector<TemporalTarget> links;
  for (int link = 0; link < 2; ++link) {
    links.push_back({torch::rand({1, 3, height, width}, torch::kDouble) * 255,
                     (torch::rand({1, 1, height, width}, torch::kDouble) > 0.4).to(torch::kDouble)});
  }
  temporal_loss(image, links).backward();
  const torch::Tensor values_of_x = image.detach();
  const auto x = values_of_x.accessor<double, 4>();
  double expected = 0;
  std::vector<double> gradient(3 * height * width, 0.0);
  const double values = 3.0 * height * width;
  for (const TemporalTarget& link : links) {
    const auto warped = link.warped.accessor<double, 4>();
    const auto weight = link.weight.accessor<double, 4>();
    for (int c = 0; c < 3; ++c) {
      for (int y = 0; y < height; ++y) {
        for (int w = 0; w < width; ++w) {
          const double difference = x[0][c][y][w] - warped[0][c][y][w];
          expected += weight[0][0][y][w] * difference * difference / values;
          gradient[(c * height + y) * width + w] += 2 * weight[0][0][y][w] * difference / values;
        }
      }
    }
  }
  EXPECT_NEAR(temporal_loss(image.detach(), links).item<double>(), expected, 1e-9 * expected);
  const torch::Tensor grad = image.grad();
  const auto autograd = grad.accessor<double, 4>();
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < height; ++y) {
      for (int w = 0; w < width; ++w) {
        EXPECT_NEAR(autograd[0][c][y][w], gradient[(c * height + y) * width + w], 1e-12);
      }
    }
  }
}

// Autograd against central finite differences along random directions, in float64 through a
// random VGG-19 on an 8x8 image.
class GradientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::manual_seed(3);
    vgg_ = Vgg19(random_weights(11), Pooling::kAvg, "relu3_1");
    vgg_->to(torch::kDouble);
    content_ = torch::rand({1, 3, 8, 8}, torch::kDouble) * 255;
    style_ = torch::rand({1, 3, 12, 16}, torch::kDouble) * 255;  // another size: per position
    torch::NoGradGuard no_grad;
    targets_.content["relu2_1"] = vgg_->forward(content_, {"relu2_1"}).at("relu2_1");
    auto features = vgg_->forward(style_, {"relu1_1", "relu3_1"});
    grams_["relu1_1"] = {gram_matrix(features.at("relu1_1")), 12 * 16};
    grams_["relu3_1"] = {gram_matrix(features.at("relu3_1")), 3 * 4};
    // The paper's row builds the targets, matched to the result's 8x8 and 2x2 positions.
    const StyleLossKind& gram = style_loss_kind(StyleLoss::kGram);
    StyleTarget style;
    style.layers["relu1_1"] = gram.target({{"gram", grams_["relu1_1"].gram}}, 12 * 16, 8 * 8);
    style.layers["relu3_1"] = gram.target({{"gram", grams_["relu3_1"].gram}}, 3 * 4, 2 * 2);
    targets_.styles.push_back(style);
    targets_.style_loss = whole_image_style_loss(StyleJob{});
  }

  double loss(const torch::Tensor& image, const LossWeights& weights) {
    auto activations = vgg_->forward(image, {"relu1_1", "relu2_1", "relu3_1"});
    return combine_losses(activations, image, targets_, weights).total.item<double>();
  }

  double worst_relative_error(const LossWeights& weights) {
    torch::Tensor image = (torch::rand({1, 3, 8, 8}, torch::kDouble) * 255).requires_grad_(true);
    auto activations = vgg_->forward(image, {"relu1_1", "relu2_1", "relu3_1"});
    combine_losses(activations, image, targets_, weights).total.backward();
    const torch::Tensor gradient = image.grad().clone();
    torch::NoGradGuard no_grad;
    double worst = 0;
    for (int trial = 0; trial < 3; ++trial) {
      const torch::Tensor direction = torch::randn_like(image);
      const double step = 1e-4;
      const double numeric = (loss(image + step * direction, weights) -
                              loss(image - step * direction, weights)) / (2 * step);
      const double analytic = (gradient * direction).sum().item<double>();
      worst = std::max(worst, std::abs(numeric - analytic) / std::max(std::abs(analytic), 1e-30));
    }
    return worst;
  }

  Vgg19 vgg_{nullptr};
  torch::Tensor content_, style_;
  std::map<std::string, StyleGram> grams_;  // the style's own, unmatched
  LossTargets targets_;
};

// The terms come to the host in one copy per evaluation; their values are exactly those of
// the loss functions read one by one, as before that copy.
TEST_F(GradientTest, TermsReadInOneCopyEqualTheTermsReadOneByOne) {
  const LossWeights weights{2.0, 3.0, 0.5, {"relu2_1"}, {}, {"relu1_1", "relu3_1"}, {0.25, 0.75}};
  torch::NoGradGuard no_grad;
  const torch::Tensor image = torch::rand({1, 3, 8, 8}, torch::kDouble) * 255;
  const auto activations = vgg_->forward(image, {"relu1_1", "relu2_1", "relu3_1"});
  const LossTerms terms = combine_losses(activations, image, targets_, weights);
  const torch::Tensor content = content_layer_loss(activations.at("relu2_1"), targets_.content.at("relu2_1"));
  EXPECT_EQ(terms.content, 2.0 * content.item<double>());
  torch::Tensor style = torch::zeros({}, image.options());
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string& layer = weights.style_layers[i];
    const torch::Tensor& features = activations.at(layer);
    const torch::Tensor layer_loss = style_layer_loss(gram_matrix(features), features.size(2) * features.size(3),
                                                      grams_.at(layer));
    EXPECT_EQ(terms.style_layers[i], 1.0 * layer_loss.item<double>()) << layer;
    style = style + weights.style_layer_weights[i] * layer_loss;
  }
  EXPECT_EQ(terms.style, 3.0 * style.item<double>());
  EXPECT_EQ(terms.tv, (0.5 * total_variation_loss(image)).item<double>());
  EXPECT_EQ(terms.total_value, terms.total.item<double>());
}

TEST_F(GradientTest, ContentTermGradientMatchesFiniteDifferences) {
  EXPECT_LT(worst_relative_error({1.0, 0.0, 0.0, {"relu2_1"}, {}, {"relu1_1"}, {1.0}}), 1e-4);
}

TEST_F(GradientTest, StyleTermGradientMatchesFiniteDifferences) {
  EXPECT_LT(worst_relative_error({0.0, 1.0, 0.0, {"relu2_1"}, {}, {"relu1_1", "relu3_1"}, {0.5, 0.5}}),
            1e-4);
}

TEST_F(GradientTest, TotalVariationGradientMatchesFiniteDifferences) {
  EXPECT_LT(worst_relative_error({0.0, 0.0, 1.0, {"relu2_1"}, {}, {"relu1_1"}, {1.0}}), 1e-4);
}

}  // namespace
}  // namespace stylesweep
