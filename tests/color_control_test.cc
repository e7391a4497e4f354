// Colour control (image/color.h) against plain reference code in float64.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "image/color.h"
#include "reference_linalg.h"
#include "test_support.h"

namespace stylesweep {
namespace {

using testing::DenseMatrix;

const DenseMatrix kYiq = {{0.299, 0.587, 0.114}, {0.595716, -0.274453, -0.321263}, {0.211456, -0.522591, 0.311135}};

double luma_of(const Image& image, std::size_t pixel) {
  double y = 0;
  for (std::size_t c = 0; c < 3; ++c) y += kYiq[0][c] * image.pixels[3 * pixel + c];
  return y;
}

// A smooth image whose colours stay well inside 0-255 after matching (no clipping), varied per
// channel so its covariance is full rank.
Image soft_image(int width, int height, int variant) {
  Image image = testing::pattern_image(width, height, variant);
  for (std::size_t i = 0; i < image.pixels.size(); ++i) {
    image.pixels[i] = 128.0f + 0.25f * (image.pixels[i] - 128.0f) + float(variant) * float((i * 7) % 5);
  }
  return image;
}

struct Moments {
  std::vector<double> mean = std::vector<double>(3, 0.0);
  DenseMatrix covariance = DenseMatrix(3, std::vector<double>(3, 0.0));
};

// 0-1 scale, covariance over the pixel count, plus `ridge` I.
Moments moments_of(const Image& image, double ridge) {
  Moments m;
  const std::size_t n = image.pixels.size() / 3;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t c = 0; c < 3; ++c) m.mean[c] += image.pixels[3 * i + c] / 255.0 / double(n);
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t r = 0; r < 3; ++r) {
      for (std::size_t c = 0; c < 3; ++c) {
        m.covariance[r][c] += (image.pixels[3 * i + r] / 255.0 - m.mean[r]) *
                              (image.pixels[3 * i + c] / 255.0 - m.mean[c]) / double(n);
      }
    }
  }
  for (std::size_t c = 0; c < 3; ++c) m.covariance[c][c] += ridge;
  return m;
}

DenseMatrix reference_map(HistogramMatch method, const DenseMatrix& style, const DenseMatrix& content) {
  using namespace testing;
  if (method == HistogramMatch::kCholesky) {
    return matmul(reference_cholesky(content), gauss_jordan_inverse(reference_cholesky(style)));
  }
  const DenseMatrix style_root = denman_beavers_sqrt(style);
  const DenseMatrix style_root_inverse = gauss_jordan_inverse(style_root);
  if (method == HistogramMatch::kPca) return matmul(denman_beavers_sqrt(content), style_root_inverse);
  return matmul(matmul(style_root_inverse, denman_beavers_sqrt(matmul(matmul(style_root, content), style_root))),
                style_root_inverse);
}

TEST(ColorControlTest, LuminanceImageHoldsYInEveryChannel) {
  const Image image = testing::pattern_image(12, 9, 1);
  const Image gray = luminance_image(image);
  for (std::size_t i = 0; i < image.pixels.size() / 3; ++i) {
    for (std::size_t c = 0; c < 3; ++c) EXPECT_NEAR(gray.pixels[3 * i + c], luma_of(image, i), 1e-3);
  }
}

TEST(ColorControlTest, StyleLuminanceTakesTheContentsMeanAndDeviation) {
  const Image content = testing::pattern_image(16, 12, 0), style = testing::pattern_image(10, 14, 3);
  const Image matched = matched_luminance_image(style, content);
  auto mean_and_sd = [](const std::vector<double>& values) {
    double mean = 0, variance = 0;
    for (double v : values) mean += v / double(values.size());
    for (double v : values) variance += (v - mean) * (v - mean) / double(values.size());
    return std::make_pair(mean, std::sqrt(variance));
  };
  std::vector<double> content_y, style_y, matched_y;
  for (std::size_t i = 0; i < content.pixels.size() / 3; ++i) content_y.push_back(luma_of(content, i));
  for (std::size_t i = 0; i < style.pixels.size() / 3; ++i) style_y.push_back(luma_of(style, i));
  for (std::size_t i = 0; i < matched.pixels.size() / 3; ++i) matched_y.push_back(matched.pixels[3 * i]);
  const auto [mc, sc] = mean_and_sd(content_y);
  const auto [ms, ss] = mean_and_sd(style_y);
  for (std::size_t i = 0; i < style_y.size(); ++i) {
    EXPECT_NEAR(matched_y[i], sc / ss * (style_y[i] - ms) + mc, 1e-3);  // Y' = σc/σs (Ys − μs) + μc
    EXPECT_EQ(matched.pixels[3 * i], matched.pixels[3 * i + 1]);
    EXPECT_EQ(matched.pixels[3 * i], matched.pixels[3 * i + 2]);
  }
}

TEST(ColorControlTest, JoinTakesLuminanceFromTheResultAndIqFromTheContent) {
  const Image content = testing::pattern_image(9, 7, 2), result = testing::pattern_image(9, 7, 5);
  const Image joined = join_yiq(result, content);
  const DenseMatrix back = testing::gauss_jordan_inverse(kYiq);
  for (std::size_t i = 0; i < content.pixels.size() / 3; ++i) {
    std::vector<double> yiq(3, 0.0);
    for (std::size_t r = 0; r < 3; ++r) {
      for (std::size_t c = 0; c < 3; ++c) yiq[r] += kYiq[r][c] * content.pixels[3 * i + c];
    }
    yiq[0] = luma_of(result, i);  // pattern images lie in 0-255: clamping changes nothing
    for (std::size_t r = 0; r < 3; ++r) {
      const double expected = back[r][0] * yiq[0] + back[r][1] * yiq[1] + back[r][2] * yiq[2];
      EXPECT_NEAR(joined.pixels[3 * i + r], expected, 2e-3);
    }
  }
  // Joining an image with itself returns it.
  const Image same = join_yiq(content, content);
  for (std::size_t i = 0; i < content.pixels.size(); ++i) EXPECT_NEAR(same.pixels[i], content.pixels[i], 2e-3);
}

class HistogramMatchTest : public ::testing::TestWithParam<HistogramMatch> {};

TEST_P(HistogramMatchTest, MapsTheStylesPixelsAsTheReferenceMapDoes) {
  const Image content = soft_image(20, 16, 1), style = soft_image(14, 18, 4);
  const Moments c = moments_of(content, 1e-5), s = moments_of(style, 1e-5);
  const DenseMatrix map = reference_map(GetParam(), s.covariance, c.covariance);
  const Image matched = matched_histogram(style, content, GetParam());
  ASSERT_EQ(matched.width, style.width);
  for (std::size_t i = 0; i < style.pixels.size() / 3; ++i) {
    for (std::size_t r = 0; r < 3; ++r) {
      double value = c.mean[r];
      for (std::size_t k = 0; k < 3; ++k) value += map[r][k] * (style.pixels[3 * i + k] / 255.0 - s.mean[k]);
      EXPECT_NEAR(matched.pixels[3 * i + r], 255.0 * std::clamp(value, 0.0, 1.0), 2e-3);
    }
  }
  // Unclipped, the result has the content's mean: A (μs − μs) + μc.
  const Moments out = moments_of(matched, 0.0);
  for (std::size_t r = 0; r < 3; ++r) EXPECT_NEAR(out.mean[r], c.mean[r], 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Methods, HistogramMatchTest,
                         ::testing::Values(HistogramMatch::kCholesky, HistogramMatch::kPca, HistogramMatch::kSymmetric));

TEST(ColorControlTest, MatchedPixelsAreClippedToTheRange) {
  const Image content = testing::pattern_image(16, 16, 0), style = testing::pattern_image(16, 16, 6);
  for (auto method : {HistogramMatch::kCholesky, HistogramMatch::kPca, HistogramMatch::kSymmetric}) {
    const Image matched = matched_histogram(style, content, method);
    for (float value : matched.pixels) {
      EXPECT_GE(value, 0.0f);
      EXPECT_LE(value, 255.0f);
    }
  }
}

TEST(ColorControlTest, FlatStyleImageStillMaps) {
  Image flat = testing::pattern_image(8, 8, 0);
  std::fill(flat.pixels.begin(), flat.pixels.end(), 90.0f);
  const Image content = testing::pattern_image(8, 8, 1);
  const Image matched = matched_histogram(flat, content, HistogramMatch::kSymmetric);
  for (float value : matched.pixels) EXPECT_TRUE(std::isfinite(value));
  const Image gray = matched_luminance_image(flat, content);
  for (float value : gray.pixels) EXPECT_TRUE(std::isfinite(value));
}

}  // namespace
}  // namespace stylesweep
