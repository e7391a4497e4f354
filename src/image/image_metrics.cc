#include "image/image_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace stylesweep {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

std::vector<double> luma(const Image& image) {
  std::vector<double> values(std::size_t(image.width) * std::size_t(image.height));
  for (std::size_t i = 0; i < values.size(); ++i) {
    const float* rgb = &image.pixels[3 * i];
    values[i] = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
  }
  return values;
}

std::array<double, kSsimWindow> gaussian_window() {
  std::array<double, kSsimWindow> weights{};
  double sum = 0;
  for (int i = 0; i < kSsimWindow; ++i) {
    const double offset = i - kSsimWindow / 2;
    weights[std::size_t(i)] = std::exp(-offset * offset / (2 * 1.5 * 1.5));
    sum += weights[std::size_t(i)];
  }
  for (double& weight : weights) weight /= sum;
  return weights;
}

// The Gaussian-weighted mean of `values` (width x height) at every valid window position: the
// 2-D window is the outer product of the 1-D one, so rows, then columns.
std::vector<double> windowed_mean(const std::vector<double>& values, int width, int height) {
  const auto weights = gaussian_window();
  const int out_width = width - kSsimWindow + 1, out_height = height - kSsimWindow + 1;
  std::vector<double> rows(std::size_t(out_width) * std::size_t(height));
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < out_width; ++x) {
      double sum = 0;
      for (int k = 0; k < kSsimWindow; ++k) sum += weights[std::size_t(k)] * values[std::size_t(y) * width + x + k];
      rows[std::size_t(y) * out_width + x] = sum;
    }
  }
  std::vector<double> out(std::size_t(out_width) * std::size_t(out_height));
  for (int y = 0; y < out_height; ++y) {
    for (int x = 0; x < out_width; ++x) {
      double sum = 0;
      for (int k = 0; k < kSsimWindow; ++k) sum += weights[std::size_t(k)] * rows[std::size_t(y + k) * out_width + x];
      out[std::size_t(y) * out_width + x] = sum;
    }
  }
  return out;
}

std::vector<double> product(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = a[i] * b[i];
  return out;
}

}  // namespace

double luma_ssim(const Image& a, const Image& b) {
  if (a.width != b.width || a.height != b.height || a.width < kSsimWindow || a.height < kSsimWindow) return kMissing;
  const int width = a.width, height = a.height;
  const std::vector<double> x = luma(a), y = luma(b);
  const std::vector<double> mean_x = windowed_mean(x, width, height), mean_y = windowed_mean(y, width, height);
  const std::vector<double> mean_xx = windowed_mean(product(x, x), width, height);
  const std::vector<double> mean_yy = windowed_mean(product(y, y), width, height);
  const std::vector<double> mean_xy = windowed_mean(product(x, y), width, height);
  const double c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255);
  double sum = 0;
  for (std::size_t i = 0; i < mean_x.size(); ++i) {
    const double mx = mean_x[i], my = mean_y[i];
    const double var_x = mean_xx[i] - mx * mx, var_y = mean_yy[i] - my * my, cov = mean_xy[i] - mx * my;
    sum += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (var_x + var_y + c2));
  }
  return sum / double(mean_x.size());
}

double color_w2(const Image& a, const Image& b) {
  if (a.pixels.empty() || b.pixels.empty()) return kMissing;
  const RgbGaussian first = fit_rgb(a), second = fit_rgb(b);
  double squared = 0;
  for (std::size_t c = 0; c < 3; ++c) squared += (first.mean[c] - second.mean[c]) * (first.mean[c] - second.mean[c]);
  const Matrix3 second_root = symmetric_sqrt(second.covariance);
  const Matrix3 cross = symmetric_sqrt(multiply(multiply(second_root, first.covariance), second_root));
  squared += trace(first.covariance) + trace(second.covariance) - 2 * trace(cross);
  return std::sqrt(std::max(squared, 0.0));
}

}  // namespace stylesweep
