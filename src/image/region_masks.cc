#include "image/region_masks.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "common/error.h"

namespace stylesweep {
namespace {

RegionColor color_at(const Image& mask, std::size_t pixel) {
  RegionColor color;
  for (std::size_t c = 0; c < 3; ++c) {
    color[c] = std::uint8_t(std::clamp(std::lround(mask.pixels[3 * pixel + c]), 0L, 255L));
  }
  return color;
}

}  // namespace

std::string color_text(const RegionColor& color) {
  return fmt::format("#{:02x}{:02x}{:02x}", color[0], color[1], color[2]);
}

std::vector<RegionColor> mask_colors(const Image& mask, const std::string& mask_path) {
  std::set<RegionColor> colors;
  const std::size_t count = mask.pixels.size() / 3;
  for (std::size_t i = 0; i < count; ++i) {
    colors.insert(color_at(mask, i));
    if (colors.size() > kMaxRegions) {
      throw file_error(mask_path, fmt::format("a mask has at most {} regions (distinct colours), this one has more; "
                                              "paint regions in flat colours and save as PNG (JPEG's compression "
                                              "noise adds colours)",
                                              kMaxRegions), ErrorKind::kBadInput);
    }
  }
  return {colors.begin(), colors.end()};
}

std::vector<std::vector<float>> region_planes(const Image& mask, const std::vector<RegionColor>& colors) {
  const std::size_t count = mask.pixels.size() / 3;
  std::vector<std::vector<float>> planes(colors.size(), std::vector<float>(count, 0.0f));
  for (std::size_t i = 0; i < count; ++i) {
    const auto found = std::find(colors.begin(), colors.end(), color_at(mask, i));
    if (found != colors.end()) planes[std::size_t(found - colors.begin())][i] = 1.0f;
  }
  return planes;
}

}  // namespace stylesweep
