// Plain dense linear algebra in float64 for reference computations in tests: other algorithms
// than the implementation's (Gauss-Jordan inverse, Denman-Beavers square root).
#pragma once

#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

namespace stylesweep::testing {

using DenseMatrix = std::vector<std::vector<double>>;

inline DenseMatrix identity_matrix(std::size_t n) {
  DenseMatrix out(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i) out[i][i] = 1;
  return out;
}

inline DenseMatrix matmul(const DenseMatrix& a, const DenseMatrix& b) {
  DenseMatrix out(a.size(), std::vector<double>(b[0].size(), 0.0));
  for (std::size_t r = 0; r < a.size(); ++r) {
    for (std::size_t k = 0; k < b.size(); ++k) {
      for (std::size_t c = 0; c < b[0].size(); ++c) out[r][c] += a[r][k] * b[k][c];
    }
  }
  return out;
}

// Gauss-Jordan elimination with partial pivoting.
inline DenseMatrix gauss_jordan_inverse(DenseMatrix a) {
  const std::size_t n = a.size();
  DenseMatrix out = identity_matrix(n);
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < n; ++r) {
      if (std::abs(a[r][col]) > std::abs(a[pivot][col])) pivot = r;
    }
    std::swap(a[col], a[pivot]);
    std::swap(out[col], out[pivot]);
    const double scale = a[col][col];
    for (std::size_t c = 0; c < n; ++c) {
      a[col][c] /= scale;
      out[col][c] /= scale;
    }
    for (std::size_t r = 0; r < n; ++r) {
      if (r == col) continue;
      const double factor = a[r][col];
      for (std::size_t c = 0; c < n; ++c) {
        a[r][c] -= factor * a[col][c];
        out[r][c] -= factor * out[col][c];
      }
    }
  }
  return out;
}

// The principal square root of a symmetric positive definite matrix (Denman-Beavers iteration).
inline DenseMatrix denman_beavers_sqrt(const DenseMatrix& m) {
  const std::size_t n = m.size();
  DenseMatrix y = m, z = identity_matrix(n);
  for (int iteration = 0; iteration < 100; ++iteration) {
    const DenseMatrix y_inverse = gauss_jordan_inverse(y), z_inverse = gauss_jordan_inverse(z);
    for (std::size_t r = 0; r < n; ++r) {
      for (std::size_t c = 0; c < n; ++c) {
        const double next_y = 0.5 * (y[r][c] + z_inverse[r][c]);
        z[r][c] = 0.5 * (z[r][c] + y_inverse[r][c]);
        y[r][c] = next_y;
      }
    }
  }
  return y;
}

// Lower Cholesky factor (Cholesky-Banachiewicz, row by row).
inline DenseMatrix reference_cholesky(const DenseMatrix& m) {
  const std::size_t n = m.size();
  DenseMatrix lower(n, std::vector<double>(n, 0.0));
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t c = 0; c <= r; ++c) {
      double sum = 0;
      for (std::size_t k = 0; k < c; ++k) sum += lower[r][k] * lower[c][k];
      lower[r][c] = r == c ? std::sqrt(m[r][r] - sum) : (m[r][c] - sum) / lower[c][c];
    }
  }
  return lower;
}

inline double matrix_trace(const DenseMatrix& m) {
  double sum = 0;
  for (std::size_t i = 0; i < m.size(); ++i) sum += m[i][i];
  return sum;
}

}  // namespace stylesweep::testing
