#include "image/orientation.h"

#include <algorithm>
#include <cstdint>

namespace stylesweep {
namespace {

constexpr std::uint16_t kOrientationTag = 0x0112;

// Reads an unsigned integer of `width` bytes at `offset`, in the TIFF block's byte order.
bool read_uint(const std::string& bytes, std::size_t offset, int width, bool little_endian,
               std::uint32_t* value) {
  if (offset + std::size_t(width) > bytes.size()) return false;
  *value = 0;
  for (int i = 0; i < width; ++i) {
    const std::uint32_t byte = std::uint8_t(bytes[offset + std::size_t(little_endian ? width - 1 - i : i)]);
    *value = (*value << 8) | byte;
  }
  return true;
}

// The orientation in the TIFF block of an EXIF segment starting at `tiff` (IFD0's tag 0x0112).
int tiff_orientation(const std::string& bytes, std::size_t tiff, std::size_t end) {
  if (tiff + 8 > end) return 1;
  const bool little = bytes.compare(tiff, 2, "II") == 0;
  if (!little && bytes.compare(tiff, 2, "MM") != 0) return 1;
  std::uint32_t magic = 0, ifd = 0, entries = 0;
  if (!read_uint(bytes, tiff + 2, 2, little, &magic) || magic != 42) return 1;
  if (!read_uint(bytes, tiff + 4, 4, little, &ifd)) return 1;
  const std::size_t directory = tiff + ifd;
  if (directory + 2 > end || !read_uint(bytes, directory, 2, little, &entries)) return 1;
  for (std::uint32_t i = 0; i < entries; ++i) {
    const std::size_t entry = directory + 2 + 12 * std::size_t(i);
    std::uint32_t tag = 0, type = 0, value = 0;
    if (entry + 12 > end || !read_uint(bytes, entry, 2, little, &tag)) return 1;
    if (tag != kOrientationTag) continue;
    // A SHORT (type 3) whose value sits in the first two bytes of the value field.
    if (!read_uint(bytes, entry + 2, 2, little, &type) || type != 3) return 1;
    if (!read_uint(bytes, entry + 8, 2, little, &value)) return 1;
    return value >= 1 && value <= 8 ? int(value) : 1;
  }
  return 1;
}

}  // namespace

int jpeg_exif_orientation(const std::string& bytes) {
  // Marker segments from after the start-of-image up to the first scan.
  for (std::size_t at = 2; at + 4 <= bytes.size();) {
    if (std::uint8_t(bytes[at]) != 0xff) return 1;
    const std::uint8_t marker = std::uint8_t(bytes[at + 1]);
    if (marker == 0xda || marker == 0xd9) return 1;  // start of scan, end of image: no EXIF
    std::uint32_t length = 0;
    read_uint(bytes, at + 2, 2, false, &length);
    if (length < 2) return 1;
    const std::size_t end = std::min(bytes.size(), at + 2 + length);
    if (marker == 0xe1 && at + 10 <= end && bytes.compare(at + 4, 6, std::string("Exif\0\0", 6)) == 0) {
      return tiff_orientation(bytes, at + 10, end);
    }
    at += 2 + length;
  }
  return 1;
}

bool orientation_swaps_sides(int orientation) { return orientation >= 5 && orientation <= 8; }

Image apply_orientation(const Image& stored, int orientation) {
  if (orientation <= 1 || orientation > 8) return stored;
  const int w = stored.width, h = stored.height;
  Image upright;
  upright.width = orientation_swaps_sides(orientation) ? h : w;
  upright.height = orientation_swaps_sides(orientation) ? w : h;
  upright.pixels.resize(stored.pixels.size());
  for (int y = 0; y < upright.height; ++y) {
    for (int x = 0; x < upright.width; ++x) {
      int sx = x, sy = y;  // the stored pixel shown at (x, y)
      switch (orientation) {
        case 2: sx = w - 1 - x; break;
        case 3: sx = w - 1 - x; sy = h - 1 - y; break;
        case 4: sy = h - 1 - y; break;
        case 5: sx = y; sy = x; break;
        case 6: sx = y; sy = h - 1 - x; break;
        case 7: sx = w - 1 - y; sy = h - 1 - x; break;
        case 8: sx = w - 1 - y; sy = x; break;
      }
      for (int c = 0; c < 3; ++c) upright.at(y, x, c) = stored.at(sy, sx, c);
    }
  }
  return upright;
}

}  // namespace stylesweep
