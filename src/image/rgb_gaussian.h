// 3x3 matrices in float64 and the Gaussian fitted to an image's RGB pixels: the colour yardstick
// (color_w2) and colour control's histogram matching (image/color.h) share them.
#pragma once

#include <array>

#include "image/image.h"

namespace stylesweep {

using Vector3 = std::array<double, 3>;
using Matrix3 = std::array<Vector3, 3>;

Matrix3 multiply(const Matrix3& a, const Matrix3& b);
Vector3 multiply(const Matrix3& matrix, const Vector3& vector);
double trace(const Matrix3& matrix);
// Throws Error when the matrix is singular.
Matrix3 inverse(const Matrix3& matrix);
// L with L Lᵀ = matrix, for a symmetric positive definite matrix; throws Error otherwise.
Matrix3 cholesky_lower(const Matrix3& matrix);
// The symmetric positive semi-definite square root of a symmetric matrix: eigenvalues (Jacobi
// rotations) clamped at 0, their square roots, the eigenvectors back.
Matrix3 symmetric_sqrt(const Matrix3& matrix);

// Mean and covariance (divided by the pixel count) of the pixels times `scale`.
struct RgbGaussian {
  Vector3 mean{};
  Matrix3 covariance{};
};
RgbGaussian fit_rgb(const Image& image, double scale = 1.0);

}  // namespace stylesweep
