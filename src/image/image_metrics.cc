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

struct Gaussian {
  std::array<double, 3> mean{};
  Matrix3 covariance{};
};

Gaussian fit_rgb(const Image& image) {
  Gaussian fit;
  const std::size_t count = std::size_t(image.width) * std::size_t(image.height);
  for (std::size_t i = 0; i < count; ++i) {
    for (int c = 0; c < 3; ++c) fit.mean[std::size_t(c)] += image.pixels[3 * i + std::size_t(c)];
  }
  for (double& mean : fit.mean) mean /= double(count);
  for (std::size_t i = 0; i < count; ++i) {
    double centered[3];
    for (int c = 0; c < 3; ++c) centered[c] = image.pixels[3 * i + std::size_t(c)] - fit.mean[std::size_t(c)];
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) fit.covariance[std::size_t(r)][std::size_t(c)] += centered[r] * centered[c];
    }
  }
  for (auto& row : fit.covariance) {
    for (double& value : row) value /= double(count);
  }
  return fit;
}

Matrix3 multiply(const Matrix3& a, const Matrix3& b) {
  Matrix3 out{};
  for (std::size_t r = 0; r < 3; ++r) {
    for (std::size_t c = 0; c < 3; ++c) {
      for (std::size_t k = 0; k < 3; ++k) out[r][c] += a[r][k] * b[k][c];
    }
  }
  return out;
}

double trace(const Matrix3& matrix) { return matrix[0][0] + matrix[1][1] + matrix[2][2]; }

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

Matrix3 symmetric_sqrt(const Matrix3& matrix) {
  Matrix3 a{}, vectors{};
  for (std::size_t r = 0; r < 3; ++r) {  // products of symmetric matrices are symmetric up to rounding
    for (std::size_t c = 0; c < 3; ++c) a[r][c] = 0.5 * (matrix[r][c] + matrix[c][r]);
  }
  for (std::size_t i = 0; i < 3; ++i) vectors[i][i] = 1;
  // Cyclic Jacobi: each rotation zeroes one off-diagonal pair; a 3x3 converges in a few sweeps.
  for (int sweep = 0; sweep < 64; ++sweep) {
    const double off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
    if (off <= 1e-300 || off <= 1e-30 * (a[0][0] * a[0][0] + a[1][1] * a[1][1] + a[2][2] * a[2][2])) break;
    for (std::size_t p = 0; p < 2; ++p) {
      for (std::size_t q = p + 1; q < 3; ++q) {
        if (a[p][q] == 0) continue;
        const double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (std::size_t k = 0; k < 3; ++k) {  // a = Jᵀ a J
          const double akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (std::size_t k = 0; k < 3; ++k) {
          const double apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (std::size_t k = 0; k < 3; ++k) {
          const double vkp = vectors[k][p], vkq = vectors[k][q];
          vectors[k][p] = c * vkp - s * vkq;
          vectors[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  Matrix3 root{};
  for (std::size_t e = 0; e < 3; ++e) {
    const double value = std::sqrt(std::max(a[e][e], 0.0));
    for (std::size_t r = 0; r < 3; ++r) {
      for (std::size_t c = 0; c < 3; ++c) root[r][c] += value * vectors[r][e] * vectors[c][e];
    }
  }
  return root;
}

double color_w2(const Image& a, const Image& b) {
  if (a.pixels.empty() || b.pixels.empty()) return kMissing;
  const Gaussian first = fit_rgb(a), second = fit_rgb(b);
  double squared = 0;
  for (std::size_t c = 0; c < 3; ++c) squared += (first.mean[c] - second.mean[c]) * (first.mean[c] - second.mean[c]);
  const Matrix3 second_root = symmetric_sqrt(second.covariance);
  const Matrix3 cross = symmetric_sqrt(multiply(multiply(second_root, first.covariance), second_root));
  squared += trace(first.covariance) + trace(second.covariance) - 2 * trace(cross);
  return std::sqrt(std::max(squared, 0.0));
}

}  // namespace stylesweep
