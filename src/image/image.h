// Images as the engine sees them: RGB, float, 0-255 pixel scale, row-major height x width x 3.
// Reading accepts 8-bit PNG and JPEG (gray becomes RGB, alpha is dropped); writing produces PNG.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stylesweep {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<float> pixels;  // height * width * 3, interleaved RGB

  float& at(int y, int x, int channel) { return pixels[(std::size_t(y) * width + x) * 3 + channel]; }
  float at(int y, int x, int channel) const {
    return pixels[(std::size_t(y) * width + x) * 3 + channel];
  }
};

// Larger images are refused from the header, before any pixel is decoded.
constexpr std::int64_t kMaxImagePixels = 50'000'000;

// As viewers show it: a JPEG's EXIF orientation applied, 16-bit PNGs rounded to 8 bits, alpha
// composited on white, grey as RGB. Throws Error naming the path and the reason (missing,
// directory, empty, not an image, truncated, corrupt, too large).
Image read_image(const std::string& path);

// The same from bytes already in memory; `path` only names them in errors. `max_pixels` lowers
// the size limit (the fuzz harness keeps decoding fast with it).
Image decode_image(const std::string& bytes, const std::string& path,
                   std::int64_t max_pixels = kMaxImagePixels);

// Width and height from the file's header (EXIF orientation applied), without decoding pixels;
// same errors as read_image
// for missing, empty, non-image and oversized files.
std::pair<int, int> read_image_size(const std::string& path);

// The images left to right, top-aligned, `gap` white pixels apart, on white.
Image side_by_side(const std::vector<Image>& images, int gap);

// Clips to [0, 255] and rounds to 8 bits.
std::vector<std::uint8_t> to_rgb8(const Image& image);
Image from_rgb8(const std::uint8_t* rgb, int width, int height);

// Writes an 8-bit RGB PNG; throws Error naming the path when it cannot.
void write_png(const std::string& path, const Image& image);
// The same PNG's bytes, in memory.
std::string encode_png(const Image& image);

// Size (width, height) whose long side is `long_side`, keeping the aspect ratio.
std::pair<int, int> size_for_long_side(int width, int height, int long_side);

// Resamples to width x height: area averaging when shrinking an axis, bilinear when enlarging it.
// Returns the image unchanged (no resampling at all) when it already has that size.
Image resize(const Image& image, int width, int height);
Image resize_long_side(const Image& image, int long_side);

}  // namespace stylesweep
