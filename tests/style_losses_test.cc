// The style losses other than the paper's (gram_mse, gaussian_w2, sliced_wasserstein, mrf) against
// plain reference code in float64, their gradients against finite differences, and their place
// in combine_losses.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <tuple>
#include <vector>

#include "common/error.h"
#include "engine/losses.h"
#include "engine/spatial_control.h"
#include "engine/style_layer_loss.h"
#include "engine/style_losses.h"
#include "engine/vgg19.h"
#include "vgg/random_weights.h"
#include "reference_linalg.h"

namespace stylesweep {
namespace {

using testing::DenseMatrix;

// [1, N, H, W] float64 features with a per-channel offset, so means and covariances differ.
torch::Tensor random_features(std::int64_t channels, std::int64_t height, std::int64_t width, int seed) {
  torch::manual_seed(seed);
  return (torch::rand({1, channels, height, width}, torch::kDouble) * 3 +
          torch::arange(channels, torch::kDouble).view({1, channels, 1, 1}) * 0.1)
      .relu();
}

// Rows: channels, columns: positions.
std::vector<std::vector<double>> rows_of(const torch::Tensor& features) {
  const torch::Tensor flat = features.reshape({features.size(1), -1}).contiguous();
  std::vector<std::vector<double>> rows(std::size_t(flat.size(0)));
  auto a = flat.accessor<double, 2>();
  for (std::int64_t i = 0; i < flat.size(0); ++i) {
    for (std::int64_t p = 0; p < flat.size(1); ++p) rows[std::size_t(i)].push_back(a[i][p]);
  }
  return rows;
}

double relative_error(double value, double reference) {
  return std::abs(value - reference) / std::max(std::abs(reference), 1e-300);
}

DenseMatrix plain_gram(const std::vector<std::vector<double>>& f) {
  DenseMatrix g(f.size(), std::vector<double>(f.size(), 0.0));
  for (std::size_t i = 0; i < f.size(); ++i) {
    for (std::size_t j = 0; j < f.size(); ++j) {
      for (std::size_t p = 0; p < f[i].size(); ++p) g[i][j] += f[i][p] * f[j][p];
    }
  }
  return g;
}

void plain_gaussian(const std::vector<std::vector<double>>& f, std::vector<double>& mean, DenseMatrix& covariance) {
  const std::size_t n = f.size(), m = f[0].size();
  mean.assign(n, 0.0);
  covariance.assign(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i) {
    for (double v : f[i]) mean[i] += v / double(m);
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t p = 0; p < m; ++p) covariance[i][j] += (f[i][p] - mean[i]) * (f[j][p] - mean[j]) / double(m);
    }
  }
}

TEST(StyleLossesTest, GramMseMatchesThePlainFormula) {
  const torch::Tensor result = random_features(5, 4, 6, 1), style = random_features(5, 7, 3, 2);
  const std::int64_t m = 24, ms = 21;
  const double loss =
      gram_mse_layer_loss(gram_matrix(result), m, StyleGram{gram_matrix(style), ms}).item<double>();
  const DenseMatrix g = plain_gram(rows_of(result)), a = plain_gram(rows_of(style));
  const double n = 5;
  double reference = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    for (std::size_t j = 0; j < 5; ++j) {
      const double d = g[i][j] / (n * double(m)) - a[i][j] / (n * double(ms));
      reference += d * d / (n * n);  // the mean over the N² entries
    }
  }
  EXPECT_LT(relative_error(loss, reference), 1e-6) << loss << " vs " << reference;
}

TEST(StyleLossesTest, GaussianW2MatchesThePlainFormula) {
  // Full-rank covariances (M > N), where the Denman-Beavers reference converges.
  const torch::Tensor result = random_features(4, 5, 6, 3), style = random_features(4, 8, 4, 4);
  const double loss = gaussian_w2_layer_loss(result, fit_feature_gaussian(style)).item<double>();
  std::vector<double> mu, mus;
  DenseMatrix sigma, sigmas;
  plain_gaussian(rows_of(result), mu, sigma);
  plain_gaussian(rows_of(style), mus, sigmas);
  const DenseMatrix root = testing::denman_beavers_sqrt(sigmas);
  const DenseMatrix cross = testing::denman_beavers_sqrt(testing::matmul(testing::matmul(root, sigma), root));
  double reference = 0;
  for (std::size_t i = 0; i < 4; ++i) reference += (mu[i] - mus[i]) * (mu[i] - mus[i]);
  reference += testing::matrix_trace(sigma) + testing::matrix_trace(sigmas) - 2 * testing::matrix_trace(cross);
  reference /= 4;
  EXPECT_LT(relative_error(loss, reference), 1e-6) << loss << " vs " << reference;
  // Zero against its own Gaussian, up to the square roots' rounding.
  EXPECT_NEAR(gaussian_w2_layer_loss(style, fit_feature_gaussian(style)).item<double>(), 0.0, 1e-9);
}

TEST(StyleLossesTest, GaussianW2StaysFiniteOnRankDeficientLayers) {
  // 16 channels at 3 positions: the deep layers of small images.
  torch::Tensor result = random_features(16, 1, 3, 5).requires_grad_(true);
  const torch::Tensor style = random_features(16, 2, 2, 6);
  const torch::Tensor loss = gaussian_w2_layer_loss(result, fit_feature_gaussian(style));
  loss.backward();
  EXPECT_TRUE(std::isfinite(loss.item<double>()));
  EXPECT_TRUE(torch::isfinite(result.grad()).all().item<bool>());
}

// Finite differences of the loss along random directions against the autograd gradient.
double worst_gradient_error(torch::Tensor point, const std::function<torch::Tensor(const torch::Tensor&)>& loss) {
  point = point.clone().requires_grad_(true);
  loss(point).backward();
  const torch::Tensor gradient = point.grad().clone();
  torch::NoGradGuard no_grad;
  double worst = 0;
  for (int trial = 0; trial < 3; ++trial) {
    const torch::Tensor direction = torch::randn_like(point);
    const double step = 1e-6;
    const double numeric =
        (loss(point + step * direction).item<double>() - loss(point - step * direction).item<double>()) / (2 * step);
    const double analytic = (gradient * direction).sum().item<double>();
    worst = std::max(worst, relative_error(analytic, numeric));
  }
  return worst;
}

TEST(StyleLossesTest, GaussianW2GradientMatchesFiniteDifferences) {
  const FeatureGaussian style = fit_feature_gaussian(random_features(4, 8, 4, 8));
  EXPECT_LT(worst_gradient_error(random_features(4, 5, 6, 7),
                                 [&](const torch::Tensor& f) { return gaussian_w2_layer_loss(f, style); }),
            1e-5);
}

TEST(StyleLossesTest, SliceDirectionsAreUnitColumnsDrawnPerEvaluationAndLayer) {
  const auto options = torch::TensorOptions().dtype(torch::kDouble);
  const torch::Tensor d = slice_directions(6, 42, 3, 1, options);
  ASSERT_EQ(d.sizes(), (std::vector<std::int64_t>{6, 6}));
  EXPECT_TRUE(torch::allclose(d.norm(2, {0}), torch::ones({6}, options), 1e-12, 1e-12));
  EXPECT_TRUE(torch::equal(d, slice_directions(6, 42, 3, 1, options)));  // reproducible
  EXPECT_FALSE(torch::equal(d, slice_directions(6, 42, 4, 1, options)));  // anew every evaluation
  EXPECT_FALSE(torch::equal(d, slice_directions(6, 42, 3, 2, options)));  // per layer
  EXPECT_FALSE(torch::equal(d, slice_directions(6, 43, 3, 1, options)));  // per seed
}

TEST(StyleLossesTest, SlicedWassersteinIsZeroForTheStyleItself) {
  const torch::Tensor style = random_features(6, 5, 7, 9);
  const torch::Tensor directions = slice_directions(6, 1, 0, 0, style.options());
  EXPECT_EQ(sliced_wasserstein_layer_loss(style, style.reshape({6, -1}), directions).item<double>(), 0.0);
}

TEST(StyleLossesTest, SlicedWassersteinMatchesAReferenceWithTheSameDirections) {
  const std::int64_t n = 5;
  const torch::Tensor result = random_features(n, 4, 5, 10), style = random_features(n, 6, 6, 11);
  const torch::Tensor directions = slice_directions(n, 7, 2, 0, result.options());
  const double loss = sliced_wasserstein_layer_loss(result, style.reshape({n, -1}), directions).item<double>();
  const auto f = rows_of(result), s = rows_of(style);
  const std::size_t m = f[0].size(), ms = s[0].size();
  auto dir = directions.accessor<double, 2>();
  double reference = 0;
  for (std::int64_t k = 0; k < n; ++k) {  // direction k: column k
    std::vector<double> projected(m, 0.0), style_projected(ms, 0.0);
    for (std::size_t p = 0; p < m; ++p) {
      for (std::int64_t c = 0; c < n; ++c) projected[p] += dir[c][k] * f[std::size_t(c)][p];
    }
    for (std::size_t p = 0; p < ms; ++p) {
      for (std::int64_t c = 0; c < n; ++c) style_projected[p] += dir[c][k] * s[std::size_t(c)][p];
    }
    std::sort(projected.begin(), projected.end());
    std::sort(style_projected.begin(), style_projected.end());
    for (std::size_t i = 0; i < m; ++i) {
      const double at = double(i) * double(ms - 1) / double(m - 1);
      const std::size_t low = std::size_t(std::floor(at));
      const std::size_t high = std::min(low + 1, ms - 1);
      const double resampled = style_projected[low] * (1 - (at - double(low))) + style_projected[high] * (at - double(low));
      reference += (projected[i] - resampled) * (projected[i] - resampled);
    }
  }
  reference /= double(n) * double(m);
  EXPECT_LT(relative_error(loss, reference), 1e-6) << loss << " vs " << reference;
}

TEST(StyleLossesTest, SlicedWassersteinGradientMatchesFiniteDifferences) {
  const torch::Tensor style = random_features(4, 6, 5, 13).reshape({4, -1});
  const torch::Tensor directions = slice_directions(4, 3, 0, 0, style.options());
  EXPECT_LT(worst_gradient_error(random_features(4, 5, 4, 12),
                                 [&](const torch::Tensor& f) {
                                   return sliced_wasserstein_layer_loss(f, style, directions);
                                 }),
            1e-5);
}

// The job's layer weights and beta apply to every style loss, as to the paper's, and blended
// styles weigh their terms by their blend.
TEST(StyleLossesTest, CombineLossesWeighsEveryStyleLossByLayerWeightAndBeta) {
  const torch::Tensor image = torch::rand({1, 3, 6, 6}, torch::kDouble) * 255;
  std::map<std::string, torch::Tensor> activations{{"relu1_1", random_features(4, 6, 6, 20)},
                                                   {"relu2_1", random_features(6, 3, 3, 21)}};
  const torch::Tensor s1a = random_features(4, 5, 5, 22), s1b = random_features(6, 2, 3, 23);
  const torch::Tensor s2a = random_features(4, 6, 4, 24), s2b = random_features(6, 3, 2, 25);
  const std::vector<std::tuple<double, torch::Tensor, torch::Tensor>> styles = {{0.25, s1a, s1b}, {0.75, s2a, s2b}};
  for (StyleLoss loss : {StyleLoss::kGramMse, StyleLoss::kGaussianW2, StyleLoss::kSlicedWasserstein}) {
    StyleJob job;
    job.style_loss = loss;
    job.seed = 5;
    const StyleLossKind& row = style_loss_kind(loss);
    LossTargets targets;
    targets.content["relu2_1"] = random_features(6, 3, 3, 26);
    for (const auto& [blend, a, b] : styles) {
      StyleTarget target;
      target.blend = blend;
      target.layers["relu1_1"] = row.target(row.style_parts(a, "relu1_1", job), double(a.size(2) * a.size(3)), 36);
      target.layers["relu2_1"] = row.target(row.style_parts(b, "relu2_1", job), double(b.size(2) * b.size(3)), 9);
      targets.styles.push_back(target);
    }
    targets.style_loss = whole_image_style_loss(job);
    LossWeights weights{1.0, 3.0, 0.0, {"relu2_1"}, {}, {"relu1_1", "relu2_1"}, {0.2, 0.8}};
    const LossTerms terms = combine_losses(activations, image, targets, weights, 7);
    double expected = 0;
    for (std::size_t i = 0; i < 2; ++i) {
      const std::string layer = weights.style_layers[i];
      const torch::Tensor& f = activations.at(layer);
      double blended = 0;
      for (const auto& [blend, a, b] : styles) {
        const torch::Tensor& s = i == 0 ? a : b;
        double e = 0;
        if (loss == StyleLoss::kGramMse) {
          e = gram_mse_layer_loss(gram_matrix(f), f.size(2) * f.size(3), {gram_matrix(s), s.size(2) * s.size(3)})
                  .item<double>();
        } else if (loss == StyleLoss::kGaussianW2) {
          e = gaussian_w2_layer_loss(f, fit_feature_gaussian(s)).item<double>();
        } else {
          e = sliced_wasserstein_layer_loss(f, s.reshape({s.size(1), -1}),
                                            slice_directions(f.size(1), 5, 7, i, f.options()))
                  .item<double>();
        }
        blended += blend * e;
      }
      EXPECT_NEAR(terms.style_layers[i], blended, 1e-9 * std::abs(blended)) << choice_name(loss) << " " << layer;
      expected += weights.style_layer_weights[i] * blended;
    }
    EXPECT_NEAR(terms.style, 3.0 * expected, 1e-9 * std::abs(expected)) << choice_name(loss);
  }
}

}  // namespace
}  // namespace stylesweep

namespace stylesweep {
namespace {

// Spatial control's loss of one style at one layer, through the guided wrapper of the gram row.
double guided_loss(const torch::Tensor& result, const RegionGuides& guides, const RegionTargets& targets,
                   double region_weight) {
  StyleJob job;
  job.style_layers = {"relu1_1"};
  const auto loss = guided_style_loss(job, guides, region_weight);
  const LayerPlace place{"relu1_1", 0, 0};
  return loss->loss(loss->share(result, place), place, targets).item<double>();
}

// Spatial control's per-style E_l against plain loops: sum over regions of
// (1/R) sum (G_r/m_r - A_r/m_rs)² / (4 N²). The style's targets come from its features and
// guides as the engine makes them (region_style_parts, region_targets).
TEST(StyleLossesTest, GuidedGramLossMatchesThePlainFormula) {
  const std::int64_t n = 4, regions = 2;
  const torch::Tensor result = random_features(n, 3, 5, 30), style = random_features(n, 4, 4, 31);
  torch::manual_seed(32);
  const torch::Tensor guides = torch::rand({regions, 15}, torch::kDouble);
  const torch::Tensor style_guides = torch::rand({regions, 16}, torch::kDouble);
  const auto f = rows_of(result), s = rows_of(style);
  RegionGuides result_guides;
  result_guides.guides["relu1_1"] = guides;
  std::vector<double>& masses = result_guides.masses["relu1_1"];
  std::vector<DenseMatrix> style_grams;
  std::vector<double> style_masses;
  for (std::int64_t r = 0; r < regions; ++r) {
    masses.push_back(guides[r].sum().item<double>());
    style_masses.push_back(style_guides[r].sum().item<double>());
    std::vector<std::vector<double>> weighted = s;
    for (auto& row : weighted) {
      for (std::size_t p = 0; p < row.size(); ++p) row[p] *= style_guides[r][std::int64_t(p)].item<double>();
    }
    style_grams.push_back(plain_gram(weighted));
  }
  const StyleLossKind& gram = style_loss_kind(StyleLoss::kGram);
  // Guides at the features' own size: area averaging leaves them as they are.
  const TensorMap parts = region_style_parts(gram, {{"relu1_1", style}}, style_guides.reshape({1, regions, 4, 4}),
                                             regions, StyleJob{});
  const auto targets = region_targets(gram, parts, "relu1_1", masses);
  const double loss = guided_loss(result, result_guides, *targets, 0.5);
  double reference = 0;
  for (std::int64_t r = 0; r < regions; ++r) {
    std::vector<std::vector<double>> weighted = f;
    for (auto& row : weighted) {
      for (std::size_t p = 0; p < row.size(); ++p) row[p] *= guides[r][std::int64_t(p)].item<double>();
    }
    const DenseMatrix g = plain_gram(weighted);
    for (std::size_t i = 0; i < std::size_t(n); ++i) {
      for (std::size_t j = 0; j < std::size_t(n); ++j) {
        const double d = g[i][j] / masses[std::size_t(r)] - style_grams[std::size_t(r)][i][j] / style_masses[std::size_t(r)];
        reference += 0.5 * d * d / (4.0 * double(n * n));
      }
    }
  }
  EXPECT_LT(relative_error(loss, reference), 1e-6) << loss << " vs " << reference;
  // A region the style lacks adds nothing.
  RegionTargets first_only = *targets;
  first_only.regions[1] = nullptr;
  EXPECT_LT(guided_loss(result, result_guides, first_only, 0.5), loss);
}

// One region with guides of 1 everywhere is the paper's loss, bit for bit.
TEST(StyleLossesTest, OneFullRegionIsThePlainGramLossExactly) {
  const torch::Tensor result = random_features(6, 4, 5, 33), style = random_features(6, 3, 7, 34);
  const StyleGram plain = matched_to({gram_matrix(style), 21}, 20);
  const double expected = style_layer_loss(gram_matrix(result), 20, plain).item<double>();
  RegionGuides guides;
  guides.guides["relu1_1"] = torch::ones({1, 20}, torch::kDouble);
  guides.masses["relu1_1"] = {20.0};
  const StyleLossKind& gram = style_loss_kind(StyleLoss::kGram);
  RegionTargets targets;
  targets.regions.push_back(gram.target({{"gram", gram_matrix(style)}}, 21, 20));
  EXPECT_EQ(guided_loss(result, guides, targets, 1.0), expected);
}

}  // namespace
}  // namespace stylesweep

namespace stylesweep {
namespace {

// style_loss: mrf through its row of the table, against plain float64 loops: patches, their
// cosines, the nearest style patch of each result patch, and Σ ‖Ψ_i − Φ_NN(i)‖² / (m k² N).
class MrfLossTest : public ::testing::Test {
 protected:
  MrfLossTest() : row_(style_loss_kind(StyleLoss::kMrf)) { job_.style_loss = StyleLoss::kMrf; }

  // The row's E_l of `result` against `style`, features [1, N, H, W].
  torch::Tensor row_loss(const torch::Tensor& result, const torch::Tensor& style) const {
    const auto target = row_.target(row_.style_parts(style, "relu2_1", job_), 0, 0);
    const LayerPlace place{"relu2_1", 0, 0};
    const torch::Tensor shared = row_.shared(result, place, job_);
    return row_.layer_loss({result, double(result.size(2) * result.size(3)), shared}, *target, job_);
  }

  // Patches at `stride` as flat vectors (channel, row, column within the patch).
  std::vector<std::vector<double>> patches(const torch::Tensor& features, int stride) const {
    const int k = job_.style_patch_size;
    const torch::Tensor values = features.contiguous();
    const auto f = values.accessor<double, 4>();
    std::vector<std::vector<double>> all;
    for (std::int64_t y = 0; y + k <= features.size(2); y += stride) {
      for (std::int64_t x = 0; x + k <= features.size(3); x += stride) {
        std::vector<double> patch;
        for (std::int64_t c = 0; c < features.size(1); ++c) {
          for (int dy = 0; dy < k; ++dy) {
            for (int dx = 0; dx < k; ++dx) patch.push_back(f[0][c][y + dy][x + dx]);
          }
        }
        all.push_back(std::move(patch));
      }
    }
    return all;
  }

  static double dot(const std::vector<double>& a, const std::vector<double>& b) {
    double sum = 0;
    for (std::size_t i = 0; i < a.size(); ++i) sum += a[i] * b[i];
    return sum;
  }

  // NN(i) by the highest cosine.
  std::vector<std::size_t> nearest(const std::vector<std::vector<double>>& result,
                                   const std::vector<std::vector<double>>& style) const {
    std::vector<std::size_t> chosen;
    for (const auto& psi : result) {
      double best = -2;
      std::size_t best_j = 0;
      for (std::size_t j = 0; j < style.size(); ++j) {
        const double cosine = dot(psi, style[j]) / std::sqrt(dot(psi, psi) * dot(style[j], style[j]));
        if (cosine > best) best = cosine, best_j = j;
      }
      chosen.push_back(best_j);
    }
    return chosen;
  }

  // The reference E_l with the assignment `chosen`.
  double reference_loss(const torch::Tensor& result, const torch::Tensor& style,
                        const std::vector<std::size_t>& chosen) const {
    const auto psi = patches(result, 1), phi = patches(style, job_.style_patch_stride);
    double sum = 0;
    for (std::size_t i = 0; i < psi.size(); ++i) {
      for (std::size_t d = 0; d < psi[i].size(); ++d) sum += std::pow(psi[i][d] - phi[chosen[i]][d], 2);
    }
    const double k = job_.style_patch_size;
    return sum / (double(psi.size()) * k * k * double(result.size(1)));
  }

  const StyleLossKind& row_;
  StyleJob job_;
};

// A random VGG-19's relu2_1 features of a 32 px content and a 40 px style image, in float64.
TEST_F(MrfLossTest, MatchesPlainFloat64Loops) {
  torch::manual_seed(40);
  Vgg19 vgg(random_weights(12), Pooling::kAvg, "relu2_1");
  vgg->to(torch::kDouble);
  torch::NoGradGuard no_grad;
  const torch::Tensor result = vgg->forward(torch::rand({1, 3, 32, 24}, torch::kDouble) * 255, {"relu2_1"}).at("relu2_1");
  const torch::Tensor style = vgg->forward(torch::rand({1, 3, 40, 36}, torch::kDouble) * 255, {"relu2_1"}).at("relu2_1");
  for (auto [size, stride] : {std::pair{3, 2}, std::pair{1, 1}, std::pair{5, 3}}) {
    job_.style_patch_size = size;
    job_.style_patch_stride = stride;
    const auto chosen = nearest(patches(result, 1), patches(style, stride));
    const double reference = reference_loss(result, style, chosen);
    const double loss = row_loss(result, style).item<double>();
    EXPECT_LT(relative_error(loss, reference), 1e-6) << size << " " << stride << ": " << loss << " vs " << reference;
  }
}

// Every patch of the style itself, at stride 1, is its own nearest patch.
TEST_F(MrfLossTest, IsZeroAtTheStyleWithStrideOne) {
  job_.style_patch_stride = 1;
  const torch::Tensor style = random_features(16, 9, 11, 41).to(torch::kFloat);
  EXPECT_EQ(row_loss(style, style).item<double>(), 0.0);
  job_.style_patch_stride = 2;  // fewer style patches: most result patches have no copy
  EXPECT_GT(row_loss(style, style).item<double>(), 0.0);
}

// The gradient, with the assignment held fixed, against central finite differences of the
// reference with that assignment.
TEST_F(MrfLossTest, GradientMatchesFiniteDifferencesWithTheAssignmentFixed) {
  const torch::Tensor style = random_features(6, 8, 9, 42);
  torch::Tensor result = random_features(6, 6, 7, 43).requires_grad_(true);
  row_loss(result, style).backward();
  const torch::Tensor gradient = result.grad().clone();
  torch::NoGradGuard no_grad;
  const auto chosen = nearest(patches(result, 1), patches(style, job_.style_patch_stride));
  for (int trial = 0; trial < 3; ++trial) {
    torch::manual_seed(50 + trial);
    const torch::Tensor direction = torch::randn_like(result);
    const double step = 1e-5;
    const double numeric = (reference_loss(result + step * direction, style, chosen) -
                            reference_loss(result - step * direction, style, chosen)) / (2 * step);
    const double analytic = (gradient * direction).sum().item<double>();
    EXPECT_LT(relative_error(analytic, numeric), 1e-6) << analytic << " vs " << numeric;
  }
}

// Feature maps smaller than a patch are refused with the sizes, as bad input.
TEST_F(MrfLossTest, RefusesFeatureMapsSmallerThanAPatch) {
  job_.style_patch_size = 5;
  try {
    row_.style_parts(random_features(4, 3, 8, 44), "relu3_1", job_);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kBadInput);
    EXPECT_NE(std::string(error.what()).find("the style image's features at relu3_1 are 8x3, smaller than mrf_patch_size 5"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace stylesweep
