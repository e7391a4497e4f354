// The common yardstick and the convergence rule against plain reference code (float64 loops
// written from docs/config.md's formulas, not the implementation's algorithms), and the engine's
// use of them: a job's metrics are the formulas on its stored 8-bit image, and stop_rel_tol
// ends a job as converged.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <random>

#include "engine/metrics.h"
#include "engine/stylize.h"
#include "engine/vgg19.h"
#include "image/image_metrics.h"
#include "job/convergence.h"
#include "test_support.h"
#include "vgg/weights_file.h"

namespace stylesweep {
namespace {

using testing::TempDir;

Image noise_image(int width, int height, unsigned seed, double mean = 128, double spread = 60) {
  std::mt19937 generator(seed);
  std::normal_distribution<double> normal(0, 1);
  Image image;
  image.width = width;
  image.height = height;
  image.pixels.resize(std::size_t(width) * height * 3);
  for (std::size_t i = 0; i < image.pixels.size(); ++i) {
    image.pixels[i] = float(std::clamp(mean + spread * normal(generator) + 20.0 * double(i % 3), 0.0, 255.0));
  }
  return image;
}

// SSIM straight from its definition: for each window position, the 2-D Gaussian-weighted
// moments over the 11 x 11 window.
double reference_ssim(const Image& a, const Image& b) {
  auto luma = [](const Image& image, int y, int x) {
    return 0.299 * image.at(y, x, 0) + 0.587 * image.at(y, x, 1) + 0.114 * image.at(y, x, 2);
  };
  double weights[11][11], total = 0;
  for (int i = 0; i < 11; ++i) {
    for (int j = 0; j < 11; ++j) {
      weights[i][j] = std::exp(-((i - 5) * (i - 5) + (j - 5) * (j - 5)) / (2 * 1.5 * 1.5));
      total += weights[i][j];
    }
  }
  const double c1 = std::pow(0.01 * 255, 2), c2 = std::pow(0.03 * 255, 2);
  double sum = 0;
  int count = 0;
  for (int y = 0; y + 11 <= a.height; ++y) {
    for (int x = 0; x + 11 <= a.width; ++x) {
      double mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
      for (int i = 0; i < 11; ++i) {
        for (int j = 0; j < 11; ++j) {
          const double w = weights[i][j] / total, p = luma(a, y + i, x + j), q = luma(b, y + i, x + j);
          mx += w * p;
          my += w * q;
          xx += w * p * p;
          yy += w * q * q;
          xy += w * p * q;
        }
      }
      const double vx = xx - mx * mx, vy = yy - my * my, cxy = xy - mx * my;
      sum += (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      ++count;
    }
  }
  return sum / count;
}

using Matrix = Matrix3;
Matrix times(const Matrix& a, const Matrix& b) {
  Matrix out{};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c)
      for (int k = 0; k < 3; ++k) out[r][c] += a[r][k] * b[k][c];
  return out;
}

Matrix inverse(const Matrix& m) {
  const double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                     m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  Matrix out{};
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) {
      const int r1 = (c + 1) % 3, r2 = (c + 2) % 3, c1 = (r + 1) % 3, c2 = (r + 2) % 3;
      out[r][c] = (m[r1][c1] * m[r2][c2] - m[r1][c2] * m[r2][c1]) / det;
    }
  }
  return out;
}

// The principal square root by the Denman-Beavers iteration (another algorithm than the
// implementation's eigendecomposition).
Matrix reference_sqrt(const Matrix& m) {
  Matrix y = m, z{};
  for (int i = 0; i < 3; ++i) z[i][i] = 1;
  for (int iteration = 0; iteration < 100; ++iteration) {
    const Matrix y_inverse = inverse(y), z_inverse = inverse(z);
    Matrix next_y{}, next_z{};
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) {
        next_y[r][c] = 0.5 * (y[r][c] + z_inverse[r][c]);
        next_z[r][c] = 0.5 * (z[r][c] + y_inverse[r][c]);
      }
    }
    y = next_y;
    z = next_z;
  }
  return y;
}

double reference_w2(const Image& a, const Image& b) {
  auto fit = [](const Image& image, double mean[3], Matrix& covariance) {
    const std::size_t n = std::size_t(image.width) * image.height;
    for (int c = 0; c < 3; ++c) {
      mean[c] = 0;
      for (std::size_t i = 0; i < n; ++i) mean[c] += image.pixels[3 * i + c];
      mean[c] /= double(n);
    }
    covariance = Matrix{};
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) {
        for (std::size_t i = 0; i < n; ++i) {
          covariance[r][c] += (image.pixels[3 * i + r] - mean[r]) * (image.pixels[3 * i + c] - mean[c]);
        }
        covariance[r][c] /= double(n);
      }
  };
  double mean_a[3], mean_b[3];
  Matrix cov_a, cov_b;
  fit(a, mean_a, cov_a);
  fit(b, mean_b, cov_b);
  const Matrix root_b = reference_sqrt(cov_b);
  const Matrix cross = reference_sqrt(times(times(root_b, cov_a), root_b));
  double squared = 0;
  for (int c = 0; c < 3; ++c) squared += std::pow(mean_a[c] - mean_b[c], 2) + cov_a[c][c] + cov_b[c][c] - 2 * cross[c][c];
  return std::sqrt(squared);
}

TEST(ImageMetricsTest, SsimMatchesItsDefinition) {
  const Image content = noise_image(40, 29, 1), result = noise_image(40, 29, 2);
  const double ssim = luma_ssim(result, content), reference = reference_ssim(result, content);
  EXPECT_NEAR(ssim, reference, 1e-9 * std::abs(reference));
  EXPECT_NEAR(luma_ssim(content, content), 1.0, 1e-12);
  EXPECT_LT(ssim, 0.5);  // two unrelated noise images
}

TEST(ImageMetricsTest, SsimIsMissingForImagesBelowTheWindow) {
  EXPECT_TRUE(std::isnan(luma_ssim(noise_image(10, 30, 1), noise_image(10, 30, 2))));
  EXPECT_TRUE(std::isnan(luma_ssim(noise_image(20, 20, 1), noise_image(21, 20, 2))));
}

TEST(ImageMetricsTest, ColorDistanceMatchesTheGaussianW2) {
  const Image result = noise_image(30, 20, 3, 100, 40), style = noise_image(25, 33, 4, 150, 70);
  const double w2 = color_w2(result, style), reference = reference_w2(result, style);
  EXPECT_NEAR(w2, reference, 1e-6 * reference);
  EXPECT_NEAR(color_w2(style, style), 0.0, 1e-4);
  // A shift of every channel by d moves the means by sqrt(3) d and nothing else.
  Image shifted = style;
  for (float& value : shifted.pixels) value += 10;
  EXPECT_NEAR(color_w2(shifted, style), 10 * std::sqrt(3.0), 1e-3);
}

TEST(ImageMetricsTest, SymmetricSqrtSquaresBack) {
  const Matrix m = {{{4.0, 1.0, 0.5}, {1.0, 3.0, 0.2}, {0.5, 0.2, 2.0}}};
  const Matrix root = symmetric_sqrt(m), square = times(root, root);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(square[r][c], m[r][c], 1e-12);
  const Matrix singular = {{{1.0, 1.0, 0.0}, {1.0, 1.0, 0.0}, {0.0, 0.0, 0.0}}};
  const Matrix singular_root = symmetric_sqrt(singular), back = times(singular_root, singular_root);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(back[r][c], singular[r][c], 1e-12);
}

TEST(FeatureMetricsTest, ContentAndStyleTermsMatchPlainLoops) {
  torch::manual_seed(7);
  const torch::Tensor features = torch::rand({1, 4, 5, 6}), target = torch::rand({1, 4, 5, 6});
  const torch::Tensor style = torch::rand({1, 4, 7, 3});
  auto at = [](const torch::Tensor& t, int n, int p) { return double(t.reshape({t.size(1), -1})[n][p].item<float>()); };
  double content = 0;
  for (int n = 0; n < 4; ++n)
    for (int p = 0; p < 30; ++p) content += std::pow(at(features, n, p) - at(target, n, p), 2);
  content /= 4 * 30;
  EXPECT_NEAR(content_metric(features, target), content, 1e-12 * content);
  double style_term = 0;
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) {
      double g = 0, a = 0;
      for (int p = 0; p < 30; ++p) g += at(features, i, p) * at(features, j, p);
      for (int p = 0; p < 21; ++p) a += at(style, i, p) * at(style, j, p);
      style_term += std::pow(g / 30 - a / 21, 2);
    }
  }
  style_term /= 16;
  EXPECT_NEAR(style_metric_layer(features, style), style_term, 1e-9 * style_term);
}

TEST(ConvergenceTest, StopsOnceTheBestLossImprovesLessThanTheToleranceOverTheWindow) {
  ConvergenceWatch off(0.0, 2);
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(off.add(1.0));
  ConvergenceWatch watch(0.01, 3);
  // best so far: 100, 50, 40, 39.9, 39.9, 39.8. Three evaluations back from the last, 40 -> 39.8
  // is 0.5 % < 1 %; from the one before, 50 -> 39.9 is 20 %.
  const double losses[] = {100, 50, 40, 39.9, 45, 39.8};
  const bool expected[] = {false, false, false, false, false, true};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(watch.add(losses[i]), expected[i]) << "evaluation " << i;
}

TEST(ConvergenceTest, FirstEvaluationWithinOnePercentOfTheFinalLoss) {
  LossHistory history;
  history.total = {100, 20, 10.2, 10.05, 11, 10};
  EXPECT_EQ(first_evaluation_within(history, 5, 0.01), 3);
  EXPECT_EQ(first_evaluation_within(history, 2, 0.01), 2);  // the returned image's loss is the yardstick
  EXPECT_EQ(first_evaluation_within(history, -1, 0.01), -1);
}

class EngineMetricsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    weights_ = testing::write_random_weights(*dir_);
    engine_ = new StyleEngine(weights_, "cpu");
    content_ = testing::write_pattern_png(*dir_, "content.png", 48, 36, 0);
    style_ = testing::write_pattern_png(*dir_, "style.png", 40, 40, 1);
  }
  static void TearDownTestSuite() {
    delete engine_;
    delete dir_;
  }
  static StyleJob job() {
    StyleJob job;
    job.content = content_;
    job.styles = {style_};
    job.size = 32;
    job.iterations = 30;
    job.ratio = 1e-3;
    job.pooling = Pooling::kMax;  // the yardstick uses average pooling all the same
    job.style_layers = {"relu1_1", "relu2_1"};
    return job;
  }
  static TempDir* dir_;
  static std::string weights_, content_, style_;
  static StyleEngine* engine_;
};
TempDir* EngineMetricsTest::dir_ = nullptr;
std::string EngineMetricsTest::weights_, EngineMetricsTest::content_, EngineMetricsTest::style_;
StyleEngine* EngineMetricsTest::engine_ = nullptr;

TEST_F(EngineMetricsTest, AJobsMetricsAreTheFormulasOnItsStoredImage) {
  const JobResult result = engine_->run(job());
  const std::vector<std::uint8_t> rgb = to_rgb8(result.image);
  const Image stored = from_rgb8(rgb.data(), result.image.width, result.image.height);
  const Image content = resize_long_side(read_image(content_), 32), style = resize_long_side(read_image(style_), 32);
  EXPECT_DOUBLE_EQ(result.metrics.ssim, luma_ssim(stored, content));
  EXPECT_DOUBLE_EQ(result.metrics.color, color_w2(stored, style));

  torch::NoGradGuard no_grad;
  Vgg19 vgg(read_weights(weights_), Pooling::kAvg, "relu5_1");
  auto tensor = [](const Image& image) {
    return torch::from_blob(const_cast<float*>(image.pixels.data()), {image.height, image.width, 3})
        .permute({2, 0, 1}).unsqueeze(0).contiguous();
  };
  std::vector<std::string> layers = kMetricStyleLayers;
  layers.push_back(kMetricContentLayer);
  const auto f = vgg->forward(tensor(stored), layers), p = vgg->forward(tensor(content), layers),
             s = vgg->forward(tensor(style), layers);
  EXPECT_NEAR(result.metrics.content, content_metric(f.at("relu4_2"), p.at("relu4_2")), 1e-9 * result.metrics.content);
  double style_metric = 0;
  for (const auto& layer : kMetricStyleLayers) style_metric += style_metric_layer(f.at(layer), s.at(layer)) / 5;
  EXPECT_NEAR(result.metrics.style, style_metric, 1e-9 * style_metric);
  EXPECT_EQ(result.termination, Termination::kIterations);
}

TEST_F(EngineMetricsTest, StopRelTolEndsAJobAsConvergedWithTheSameHistorySoFar) {
  StyleJob full = job();
  full.optimizer = Optimizer::kAdam;
  full.lr = 5;
  full.iterations = 200;
  StyleJob early = full;
  early.stop_rel_tol = 5e-2;
  early.stop_window = 5;
  const JobResult all = engine_->run(full), stopped = engine_->run(early);
  EXPECT_EQ(stopped.termination, Termination::kConverged);
  ASSERT_LT(stopped.history.size(), all.history.size());
  // The same evaluations up to the stop (the last entry scores the returned image).
  for (std::size_t i = 0; i + 1 < stopped.history.size(); ++i) EXPECT_EQ(stopped.history.total[i], all.history.total[i]);
  // The rule holds at the stop and not before it.
  ConvergenceWatch watch(5e-2, 5);
  std::size_t stop = 0;
  while (!watch.add(all.history.total[stop])) ++stop;
  EXPECT_EQ(stopped.history.size(), stop + 2);
}

}  // namespace
}  // namespace stylesweep
