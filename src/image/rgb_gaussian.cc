#include "image/rgb_gaussian.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace stylesweep {

Matrix3 multiply(const Matrix3& a, const Matrix3& b) {
  Matrix3 out{};
  for (std::size_t r = 0; r < 3; ++r) {
    for (std::size_t c = 0; c < 3; ++c) {
      for (std::size_t k = 0; k < 3; ++k) out[r][c] += a[r][k] * b[k][c];
    }
  }
  return out;
}

Vector3 multiply(const Matrix3& matrix, const Vector3& vector) {
  Vector3 out{};
  for (std::size_t r = 0; r < 3; ++r) {
    for (std::size_t k = 0; k < 3; ++k) out[r] += matrix[r][k] * vector[k];
  }
  return out;
}

double trace(const Matrix3& matrix) { return matrix[0][0] + matrix[1][1] + matrix[2][2]; }

Matrix3 inverse(const Matrix3& m) {
  Matrix3 adjugate{};
  for (std::size_t r = 0; r < 3; ++r) {
    for (std::size_t c = 0; c < 3; ++c) {
      // Cofactor of m[c][r]: the transposed cofactor matrix is the adjugate.
      const std::size_t r1 = (c + 1) % 3, r2 = (c + 2) % 3, c1 = (r + 1) % 3, c2 = (r + 2) % 3;
      adjugate[r][c] = m[r1][c1] * m[r2][c2] - m[r1][c2] * m[r2][c1];
    }
  }
  const double determinant = m[0][0] * adjugate[0][0] + m[0][1] * adjugate[1][0] + m[0][2] * adjugate[2][0];
  if (!(std::abs(determinant) > 0) || !std::isfinite(determinant)) {
    throw Error("inverse: singular 3x3 matrix", ErrorKind::kInternal);
  }
  for (auto& row : adjugate) {
    for (double& value : row) value /= determinant;
  }
  return adjugate;
}

Matrix3 cholesky_lower(const Matrix3& m) {
  Matrix3 lower{};
  for (std::size_t r = 0; r < 3; ++r) {
    for (std::size_t c = 0; c <= r; ++c) {
      double sum = m[r][c];
      for (std::size_t k = 0; k < c; ++k) sum -= lower[r][k] * lower[c][k];
      if (r == c) {
        if (!(sum > 0)) throw Error("cholesky_lower: matrix is not positive definite", ErrorKind::kInternal);
        lower[r][r] = std::sqrt(sum);
      } else {
        lower[r][c] = sum / lower[c][c];
      }
    }
  }
  return lower;
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

RgbGaussian fit_rgb(const Image& image, double scale) {
  RgbGaussian fit;
  const std::size_t count = std::size_t(image.width) * std::size_t(image.height);
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t c = 0; c < 3; ++c) fit.mean[c] += scale * image.pixels[3 * i + c];
  }
  for (double& mean : fit.mean) mean /= double(count);
  for (std::size_t i = 0; i < count; ++i) {
    double centered[3];
    for (std::size_t c = 0; c < 3; ++c) centered[c] = scale * image.pixels[3 * i + c] - fit.mean[c];
    for (std::size_t r = 0; r < 3; ++r) {
      for (std::size_t c = 0; c < 3; ++c) fit.covariance[r][c] += centered[r] * centered[c];
    }
  }
  for (auto& row : fit.covariance) {
    for (double& value : row) value /= double(count);
  }
  return fit;
}

}  // namespace stylesweep
