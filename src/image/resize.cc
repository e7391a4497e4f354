#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "image/image.h"

namespace stylesweep {
namespace {

// The input samples (index, weight) that make one output sample along one axis.
struct Tap {
  int index;
  float weight;
};
using Taps = std::vector<std::vector<Tap>>;

// Shrinking: each output sample averages the input interval it covers, partial pixels weighted by
// their coverage (exact area averaging, no aliasing).
Taps area_taps(int in_size, int out_size) {
  Taps taps(static_cast<std::size_t>(out_size));
  const double scale = double(in_size) / out_size;
  for (int out = 0; out < out_size; ++out) {
    const double begin = out * scale, end = (out + 1) * scale;
    for (int in = int(std::floor(begin)); in < std::min(in_size, int(std::ceil(end))); ++in) {
      double overlap = std::min(end, double(in + 1)) - std::max(begin, double(in));
      if (overlap > 0) taps[std::size_t(out)].push_back({in, float(overlap / scale)});
    }
  }
  return taps;
}

// Enlarging: bilinear between pixel centres, edges clamped.
Taps bilinear_taps(int in_size, int out_size) {
  Taps taps(static_cast<std::size_t>(out_size));
  const double scale = double(in_size) / out_size;
  for (int out = 0; out < out_size; ++out) {
    double position = std::clamp((out + 0.5) * scale - 0.5, 0.0, double(in_size - 1));
    int left = int(std::floor(position));
    int right = std::min(left + 1, in_size - 1);
    float fraction = float(position - left);
    taps[std::size_t(out)].push_back({left, 1.0f - fraction});
    if (right != left) taps[std::size_t(out)].push_back({right, fraction});
  }
  return taps;
}

Taps taps_for(int in_size, int out_size) {
  return out_size < in_size ? area_taps(in_size, out_size) : bilinear_taps(in_size, out_size);
}

}  // namespace

std::pair<int, int> size_for_long_side(int width, int height, int long_side) {
  if (long_side <= 0) throw Error("image size must be positive, got " + std::to_string(long_side), ErrorKind::kInternal);
  const double scale = double(long_side) / std::max(width, height);
  return {std::max(1, int(std::lround(width * scale))),
          std::max(1, int(std::lround(height * scale)))};
}

Image resize(const Image& image, int width, int height) {
  if (width == image.width && height == image.height) return image;
  const Taps horizontal = taps_for(image.width, width);
  const Taps vertical = taps_for(image.height, height);

  // Horizontal pass: image.height x width.
  Image rows{width, image.height, std::vector<float>(std::size_t(width) * image.height * 3)};
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < 3; ++c) {
        float sum = 0;
        for (const Tap& tap : horizontal[std::size_t(x)]) sum += tap.weight * image.at(y, tap.index, c);
        rows.at(y, x, c) = sum;
      }
    }
  }
  // Vertical pass: height x width.
  Image result{width, height, std::vector<float>(std::size_t(width) * height * 3)};
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < 3; ++c) {
        float sum = 0;
        for (const Tap& tap : vertical[std::size_t(y)]) sum += tap.weight * rows.at(tap.index, x, c);
        result.at(y, x, c) = sum;
      }
    }
  }
  return result;
}

Image resize_long_side(const Image& image, int long_side) {
  auto [width, height] = size_for_long_side(image.width, image.height, long_side);
  return resize(image, width, height);
}

}  // namespace stylesweep
