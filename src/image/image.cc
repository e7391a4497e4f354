#include "image/image.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <stb/stb_image_write.h>
#include <stb_image_checked.h>  // compiled in image/stb_image_impl.cc

#include "common/durable_file.h"
#include "common/error.h"
#include "image/orientation.h"

namespace stylesweep {
namespace {

// stb takes the length as an int; real PNG and JPEG files under the pixel limit are far smaller.
constexpr std::int64_t kMaxImageFileBytes = std::int64_t(1) << 30;

std::string read_image_bytes(const std::string& path) {
  if (existing_file_size(path, "an image file") > kMaxImageFileBytes) throw file_error(path, "file too large for an image (over 1 GiB)", ErrorKind::kBadInput);
  std::string bytes = read_file_bytes(path, "an image file");
  if (bytes.empty()) throw file_error(path, "empty file (0 bytes), expected a PNG or JPEG image", ErrorKind::kBadInput);
  return bytes;
}

// stb's reason, when the library was built with its messages: " (reason)", else "".
std::string stb_reason() {
  const char* reason = stbi_failure_reason();
  return reason && *reason ? std::string(" (") + reason + ")" : std::string();
}

bool has_prefix(const std::string& bytes, const std::string& prefix) {
  return bytes.compare(0, prefix.size(), prefix) == 0;
}

// stb decodes a cut-off JPEG without complaint (missing data reads as zeros), so a JPEG must
// carry its end-of-image marker; trailing bytes after it are tolerated, as viewers do.
bool jpeg_has_end_marker(const std::string& bytes) {
  static const std::string kEndOfImage = "\xff\xd9";
  return bytes.find(kEndOfImage, bytes.size() > 4096 ? bytes.size() - 4096 : 2) !=
         std::string::npos;
}

std::uint32_t big_endian(const std::string& bytes, std::size_t offset, int width) {
  std::uint32_t value = 0;
  for (int i = 0; i < width; ++i) value = (value << 8) | std::uint8_t(bytes[offset + std::size_t(i)]);
  return value;
}

// Dimensions from the header alone (PNG IHDR, JPEG start-of-frame), so a huge image is refused
// before anything is allocated; stb's own check reports such files only as "unknown type".
// Returns {0, 0} when the header cannot be parsed (stb then gives the reason).
std::pair<std::int64_t, std::int64_t> header_dimensions(const std::string& bytes, bool is_png) {
  if (is_png) {
    if (bytes.size() < 24 || bytes.compare(12, 4, "IHDR") != 0) return {0, 0};
    return {big_endian(bytes, 16, 4), big_endian(bytes, 20, 4)};
  }
  for (std::size_t at = 2; at + 9 < bytes.size();) {
    if (std::uint8_t(bytes[at]) != 0xff) return {0, 0};
    const std::uint8_t marker = std::uint8_t(bytes[at + 1]);
    const bool start_of_frame = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 &&
                                marker != 0xc8 && marker != 0xcc;
    if (start_of_frame) return {big_endian(bytes, at + 7, 2), big_endian(bytes, at + 5, 2)};
    at += 2 + big_endian(bytes, at + 2, 2);
  }
  return {0, 0};
}

// Refuses an image over max_pixels before anything of that size is allocated.
void check_pixel_count(const std::string& path, std::int64_t width, std::int64_t height,
                       std::int64_t max_pixels) {
  // Each side first: the product of two 32-bit header fields can overflow.
  if (width > max_pixels || height > max_pixels || width * height > max_pixels) {
    throw file_error(path, fmt::format("image too large: {}x{} pixels exceeds the limit of {} "
                                       "megapixels",
                                       width, height, double(max_pixels) / 1e6), ErrorKind::kBadInput);
  }
}

// Checks signature and header size; returns whether the file is a PNG (else a JPEG).
bool check_header(const std::string& path, const std::string& bytes, std::int64_t max_pixels,
                  std::pair<std::int64_t, std::int64_t>* size = nullptr) {
  const bool is_png = has_prefix(bytes, "\x89PNG\r\n\x1a\n");
  const bool is_jpeg = has_prefix(bytes, "\xff\xd8\xff");
  if (!is_png && !is_jpeg) throw file_error(path, "not a PNG or JPEG image (unknown signature)", ErrorKind::kBadInput);
  const auto [header_width, header_height] = header_dimensions(bytes, is_png);
  check_pixel_count(path, header_width, header_height, max_pixels);
  if (size) *size = {header_width, header_height};
  return is_png;
}

// Samples of `channels` (3 or 4, the fourth alpha) at 8 or 16 bits, as 8-bit RGB values.
Image composite_on_white(const void* samples, bool sixteen_bit, int channels, int width, int height) {
  const double full = sixteen_bit ? 65535.0 : 255.0;
  const auto sample = [&](std::size_t i) {
    return sixteen_bit ? double(static_cast<const std::uint16_t*>(samples)[i])
                       : double(static_cast<const std::uint8_t*>(samples)[i]);
  };
  Image image{width, height, std::vector<float>(std::size_t(width) * height * 3)};
  for (std::size_t p = 0; p < std::size_t(width) * height; ++p) {
    const double opacity = channels == 4 ? sample(p * 4 + 3) / full : 1.0;
    for (std::size_t c = 0; c < 3; ++c) {
      const double value = opacity * sample(p * std::size_t(channels) + c) + (1 - opacity) * full;
      image.pixels[p * 3 + c] = float(std::lround(value * 255.0 / full));
    }
  }
  return image;
}

}  // namespace

std::pair<int, int> read_image_size(const std::string& path) {
  const std::string bytes = read_image_bytes(path);
  std::pair<std::int64_t, std::int64_t> size;
  check_header(path, bytes, kMaxImagePixels, &size);
  if (size.first <= 0 || size.second <= 0) {
    throw file_error(path, "corrupt image header (no image size found)", ErrorKind::kBadInput);
  }
  if (!has_prefix(bytes, "\x89PNG") && orientation_swaps_sides(jpeg_exif_orientation(bytes))) {
    return {int(size.second), int(size.first)};  // as viewers show it
  }
  return {int(size.first), int(size.second)};
}

Image read_image(const std::string& path) { return decode_image(read_image_bytes(path), path); }

Image decode_image(const std::string& bytes, const std::string& path, std::int64_t max_pixels) {
  if (bytes.empty()) throw file_error(path, "empty file (0 bytes), expected a PNG or JPEG image", ErrorKind::kBadInput);
  if (std::int64_t(bytes.size()) > kMaxImageFileBytes) throw file_error(path, "file too large for an image (over 1 GiB)", ErrorKind::kBadInput);
  const bool is_jpeg = !check_header(path, bytes, max_pixels);
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int size = int(bytes.size());
  int width = 0, height = 0, channels = 0;
  if (!stbi_info_from_memory(data, size, &width, &height, &channels)) {
    throw file_error(path, "corrupt image header" + stb_reason(), ErrorKind::kBadInput);
  }
  // stb finds a frame header where ours gave up (it skips damaged segments): check its size too.
  check_pixel_count(path, width, height, max_pixels);
  if (is_jpeg && !jpeg_has_end_marker(bytes)) {
    throw file_error(path, "truncated JPEG (no end-of-image marker)", ErrorKind::kBadInput);
  }
  const bool sixteen_bit = stbi_is_16_bit_from_memory(data, size);
  const bool alpha = channels == 2 || channels == 4;
  if (!sixteen_bit && !alpha) {
    stbi_uc* rgb = stbi_load_from_memory(data, size, &width, &height, &channels, 3);
    if (rgb == nullptr) {
      throw file_error(path, "cannot decode image: truncated or corrupt data" + stb_reason(), ErrorKind::kBadInput);
    }
    Image image = from_rgb8(rgb, width, height);
    stbi_image_free(rgb);
    return is_jpeg ? apply_orientation(image, jpeg_exif_orientation(bytes)) : image;
  }
  // 16-bit PNGs and images with alpha (PNG only): composited on white, rounded to 8 bits.
  const int wanted = alpha ? 4 : 3;
  void* decoded = sixteen_bit ? static_cast<void*>(stbi_load_16_from_memory(data, size, &width, &height, &channels, wanted))
                              : static_cast<void*>(stbi_load_from_memory(data, size, &width, &height, &channels, wanted));
  if (decoded == nullptr) {
    throw file_error(path, "cannot decode image: truncated or corrupt data" + stb_reason(), ErrorKind::kBadInput);
  }
  Image image = composite_on_white(decoded, sixteen_bit, wanted, width, height);
  stbi_image_free(decoded);
  return image;
}


Image side_by_side(const std::vector<Image>& images, int gap) {
  int width = 0, height = 0;
  for (const Image& image : images) {
    width += image.width + (width > 0 ? gap : 0);
    height = std::max(height, image.height);
  }
  Image strip{width, height, std::vector<float>(std::size_t(width) * height * 3, 255.0f)};
  int left = 0;
  for (const Image& image : images) {
    for (int y = 0; y < image.height; ++y) {
      for (int x = 0; x < image.width; ++x) {
        for (int c = 0; c < 3; ++c) strip.at(y, left + x, c) = image.at(y, x, c);
      }
    }
    left += image.width + gap;
  }
  return strip;
}

Image from_rgb8(const std::uint8_t* rgb, int width, int height) {
  Image image;
  image.width = width;
  image.height = height;
  image.pixels.assign(rgb, rgb + std::size_t(width) * height * 3);
  return image;
}

std::vector<std::uint8_t> to_rgb8(const Image& image) {
  std::vector<std::uint8_t> rgb(image.pixels.size());
  std::transform(image.pixels.begin(), image.pixels.end(), rgb.begin(), [](float value) {
    return std::uint8_t(std::lround(std::clamp(value, 0.0f, 255.0f)));
  });
  return rgb;
}

void write_png(const std::string& path, const Image& image) {
  auto rgb = to_rgb8(image);
  if (!stbi_write_png(path.c_str(), image.width, image.height, 3, rgb.data(), image.width * 3)) {
    throw file_error(path, "cannot write PNG: " + write_failure_reason(path), write_failure_kind(path));
  }
}

std::string encode_png(const Image& image) {
  auto rgb = to_rgb8(image);
  std::string bytes;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), std::size_t(size));
  };
  if (!stbi_write_png_to_func(append, &bytes, image.width, image.height, 3, rgb.data(), image.width * 3)) {
    throw Error("cannot encode a PNG of " + std::to_string(image.width) + "x" + std::to_string(image.height),
                ErrorKind::kInternal);
  }
  return bytes;
}

}  // namespace stylesweep
