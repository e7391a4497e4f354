#include "image/color.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "image/rgb_gaussian.h"

namespace stylesweep {
namespace {

// FCC NTSC RGB -> YIQ; the way back is its exact inverse, so a round trip returns the pixels.
constexpr Matrix3 kRgbToYiq = {{{0.299, 0.587, 0.114},
                                {0.595716, -0.274453, -0.321263},
                                {0.211456, -0.522591, 0.311135}}};

double luma(const float* rgb) {
  return kRgbToYiq[0][0] * rgb[0] + kRgbToYiq[0][1] * rgb[1] + kRgbToYiq[0][2] * rgb[2];
}

Image gray_image(const Image& shape, const std::vector<double>& luminance) {
  Image gray = shape;
  for (std::size_t i = 0; i < luminance.size(); ++i) {
    for (std::size_t c = 0; c < 3; ++c) gray.pixels[3 * i + c] = float(luminance[i]);
  }
  return gray;
}

std::vector<double> luminance_of(const Image& image) {
  std::vector<double> luminance(image.pixels.size() / 3);
  for (std::size_t i = 0; i < luminance.size(); ++i) luminance[i] = luma(&image.pixels[3 * i]);
  return luminance;
}

void mean_and_deviation(const std::vector<double>& values, double& mean, double& deviation) {
  mean = 0;
  for (double value : values) mean += value;
  mean /= double(values.size());
  double variance = 0;
  for (double value : values) variance += (value - mean) * (value - mean);
  deviation = std::sqrt(variance / double(values.size()));
}

void require_same_size(const Image& a, const Image& b, const char* what) {
  if (a.width != b.width || a.height != b.height) {
    throw Error(std::string(what) + ": images differ in size", ErrorKind::kInternal);
  }
}

// The 0-1 covariance of an image's pixels with 1e-5 I added, as the method needs it positive
// definite (a flat-coloured image has none of its own).
RgbGaussian regularized_fit(const Image& image) {
  RgbGaussian fit = fit_rgb(image, 1.0 / 255.0);
  for (std::size_t c = 0; c < 3; ++c) fit.covariance[c][c] += 1e-5;
  return fit;
}

}  // namespace

Image transfer_luminance(const Image& luminance_source, const Image& chroma_source) {
  require_same_size(luminance_source, chroma_source, "transfer_luminance");
  Image result = luminance_source;
  for (std::size_t i = 0; i < result.pixels.size(); i += 3) {
    const float* styled = &luminance_source.pixels[i];
    const float* content = &chroma_source.pixels[i];
    const float y = 0.299f * std::clamp(styled[0], 0.f, 255.f) +
                    0.587f * std::clamp(styled[1], 0.f, 255.f) +
                    0.114f * std::clamp(styled[2], 0.f, 255.f);
    const float cb = -0.168736f * content[0] - 0.331264f * content[1] + 0.5f * content[2];
    const float cr = 0.5f * content[0] - 0.418688f * content[1] - 0.081312f * content[2];
    result.pixels[i] = y + 1.402f * cr;
    result.pixels[i + 1] = y - 0.344136f * cb - 0.714136f * cr;
    result.pixels[i + 2] = y + 1.772f * cb;
  }
  return result;
}

Image luminance_image(const Image& image) { return gray_image(image, luminance_of(image)); }

Image matched_luminance_image(const Image& style, const Image& content) {
  std::vector<double> style_luminance = luminance_of(style);
  double style_mean, style_deviation, content_mean, content_deviation;
  mean_and_deviation(style_luminance, style_mean, style_deviation);
  mean_and_deviation(luminance_of(content), content_mean, content_deviation);
  // A flat style has no spread to scale: it takes the content's mean.
  const double gain = style_deviation > 0 ? content_deviation / style_deviation : 0.0;
  for (double& value : style_luminance) value = gain * (value - style_mean) + content_mean;
  return gray_image(style, style_luminance);
}

Image join_yiq(const Image& luminance_source, const Image& chroma_source) {
  require_same_size(luminance_source, chroma_source, "join_yiq");
  static const Matrix3 yiq_to_rgb = inverse(kRgbToYiq);
  Image result = luminance_source;
  for (std::size_t i = 0; i < result.pixels.size(); i += 3) {
    float clamped[3];
    for (std::size_t c = 0; c < 3; ++c) clamped[c] = std::clamp(luminance_source.pixels[i + c], 0.f, 255.f);
    Vector3 yiq = multiply(kRgbToYiq, Vector3{chroma_source.pixels[i], chroma_source.pixels[i + 1],
                                               chroma_source.pixels[i + 2]});
    yiq[0] = luma(clamped);
    const Vector3 rgb = multiply(yiq_to_rgb, yiq);
    for (std::size_t c = 0; c < 3; ++c) result.pixels[i + c] = float(rgb[c]);
  }
  return result;
}

Image matched_histogram(const Image& style, const Image& content, HistogramMatch method) {
  const RgbGaussian source = regularized_fit(style), target = regularized_fit(content);
  Matrix3 map{};
  if (method == HistogramMatch::kCholesky) {
    map = multiply(cholesky_lower(target.covariance), inverse(cholesky_lower(source.covariance)));
  } else {
    const Matrix3 source_root = symmetric_sqrt(source.covariance);
    const Matrix3 source_root_inverse = inverse(source_root);
    if (method == HistogramMatch::kPca) {
      map = multiply(symmetric_sqrt(target.covariance), source_root_inverse);
    } else {
      const Matrix3 middle = symmetric_sqrt(multiply(multiply(source_root, target.covariance), source_root));
      map = multiply(multiply(source_root_inverse, middle), source_root_inverse);
    }
  }
  Image result = style;
  for (std::size_t i = 0; i < result.pixels.size(); i += 3) {
    Vector3 centered;
    for (std::size_t c = 0; c < 3; ++c) centered[c] = style.pixels[i + c] / 255.0 - source.mean[c];
    const Vector3 mapped = multiply(map, centered);
    for (std::size_t c = 0; c < 3; ++c) {
      result.pixels[i + c] = float(255.0 * std::clamp(mapped[c] + target.mean[c], 0.0, 1.0));
    }
  }
  return result;
}

}  // namespace stylesweep
