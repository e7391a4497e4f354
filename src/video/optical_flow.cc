#include "video/optical_flow.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include <algorithm>

#include "common/error.h"

namespace stylesweep {
namespace {

// Ruder et al.'s constants (eq. 5 and 6).
constexpr float kConsistencyFraction = 0.01f;
constexpr float kConsistencySlack = 0.5f;
constexpr float kBoundaryFraction = 0.01f;
constexpr float kBoundarySlack = 0.002f;

cv::Mat luma8(const Image& image) {
  cv::Mat gray(image.height, image.width, CV_8UC1);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const float value = 0.299f * image.at(y, x, 0) + 0.587f * image.at(y, x, 1) + 0.114f * image.at(y, x, 2);
      gray.at<std::uint8_t>(y, x) = cv::saturate_cast<std::uint8_t>(value);
    }
  }
  return gray;
}

// Bilinear sampling of `channels` interleaved values per pixel at (x, y), clamped to the
// border, in float64 (OpenCV's remap quantizes positions to 1/32 px).
void sample(const float* values, int width, int height, int channels, double x, double y, float* out) {
  x = std::clamp(x, 0.0, double(width - 1));
  y = std::clamp(y, 0.0, double(height - 1));
  const int x0 = std::min(int(x), std::max(0, width - 2)), y0 = std::min(int(y), std::max(0, height - 2));
  const int x1 = std::min(x0 + 1, width - 1), y1 = std::min(y0 + 1, height - 1);
  const double fx = x - x0, fy = y - y0;
  for (int c = 0; c < channels; ++c) {
    auto at = [&](int yy, int xx) { return double(values[(std::size_t(yy) * width + xx) * channels + c]); };
    out[c] = float((1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) + fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1)));
  }
}

cv::Mat channel(const Flow& flow, const std::vector<float>& values) {
  return cv::Mat(flow.height, flow.width, CV_32FC1, const_cast<float*>(values.data()));
}

}  // namespace

Flow optical_flow(const Image& from, const Image& to) {
  require(from.width == to.width && from.height == to.height, "optical flow: frames of different sizes");
  cv::Ptr<cv::DISOpticalFlow> dis = cv::DISOpticalFlow::create(cv::DISOpticalFlow::PRESET_MEDIUM);
  cv::Mat field;
  dis->calc(luma8(from), luma8(to), field);
  Flow flow{from.width, from.height, {}, {}};
  flow.dx.resize(std::size_t(from.width) * from.height);
  flow.dy.resize(flow.dx.size());
  for (int y = 0; y < from.height; ++y) {
    for (int x = 0; x < from.width; ++x) {
      const cv::Vec2f d = field.at<cv::Vec2f>(y, x);
      flow.dx[std::size_t(y) * from.width + x] = d[0];
      flow.dy[std::size_t(y) * from.width + x] = d[1];
    }
  }
  return flow;
}

Image warp(const Image& image, const Flow& flow) {
  require(image.width == flow.width && image.height == flow.height, "warp: image and flow differ in size");
  Image warped{image.width, image.height, std::vector<float>(image.pixels.size())};
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const std::size_t p = std::size_t(y) * image.width + x;
      sample(image.pixels.data(), image.width, image.height, 3, x + double(flow.dx[p]), y + double(flow.dy[p]),
             &warped.pixels[3 * p]);
    }
  }
  return warped;
}

std::vector<float> reliability(const Flow& flow, const Flow& back) {
  require(flow.width == back.width && flow.height == back.height, "reliability: flows differ in size");
  const int width = flow.width, height = flow.height;
  // The backward flow, interleaved, to sample w̃ at the positions the forward flow reaches.
  std::vector<float> back_xy(2 * back.dx.size());
  for (std::size_t p = 0; p < back.dx.size(); ++p) {
    back_xy[2 * p] = back.dx[p];
    back_xy[2 * p + 1] = back.dy[p];
  }
  // ∇ŵ by central differences (one-sided at the borders).
  cv::Mat gradients[4];
  const cv::Mat components[2] = {channel(flow, flow.dx), channel(flow, flow.dy)};
  for (int c = 0; c < 2; ++c) {
    cv::Sobel(components[c], gradients[2 * c], CV_32F, 1, 0, 1, 0.5, 0, cv::BORDER_REPLICATE);
    cv::Sobel(components[c], gradients[2 * c + 1], CV_32F, 0, 1, 1, 0.5, 0, cv::BORDER_REPLICATE);
  }
  std::vector<float> mask(std::size_t(width) * height, 1.0f);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const std::size_t p = std::size_t(y) * width + x;
      const float u = flow.dx[p], v = flow.dy[p];
      float tilde[2];
      sample(back_xy.data(), width, height, 2, x + double(u), y + double(v), tilde);
      const float tu = tilde[0], tv = tilde[1];
      const float sum_u = u + tu, sum_v = v + tv;
      const float flow_norm = u * u + v * v;
      const bool disoccluded =
          sum_u * sum_u + sum_v * sum_v > kConsistencyFraction * (tu * tu + tv * tv + flow_norm) + kConsistencySlack;
      float gradient = 0;
      for (const cv::Mat& g : gradients) gradient += g.at<float>(y, x) * g.at<float>(y, x);
      const bool boundary = gradient > kBoundaryFraction * flow_norm + kBoundarySlack;
      const float tx = float(x) + u, ty = float(y) + v;
      const bool outside = tx < 0 || ty < 0 || tx > float(width - 1) || ty > float(height - 1);
      if (disoccluded || boundary || outside) mask[p] = 0.0f;
    }
  }
  return mask;
}

FrameAlignment align_frames(const Image& frame, const Image& other) {
  Flow flow = optical_flow(frame, other);
  const Flow back = optical_flow(other, frame);
  std::vector<float> mask = reliability(flow, back);
  return {std::move(flow), std::move(mask)};
}

double warping_error(const Image& a, const Image& b, const std::vector<float>& mask) {
  require(a.width == b.width && a.height == b.height && mask.size() == std::size_t(a.width) * a.height,
          "warping error: images and mask differ in size");
  double weighted = 0, weight = 0;
  for (std::size_t p = 0; p < mask.size(); ++p) {
    if (mask[p] == 0) continue;
    double squared = 0;
    for (int c = 0; c < 3; ++c) {
      const double difference = double(a.pixels[3 * p + c]) - double(b.pixels[3 * p + c]);
      squared += difference * difference;
    }
    weighted += mask[p] * squared;
    weight += mask[p];
  }
  return weight > 0 ? weighted / weight : 0.0;
}

}  // namespace stylesweep
