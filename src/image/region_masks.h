// Spatial control's regions (Gatys et al. 2017, Sec. 4): each distinct colour of a mask image is
// one region, given as a plane of 1s where the mask has that colour.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "image/image.h"

namespace stylesweep {

constexpr std::size_t kMaxRegions = 8;
using RegionColor = std::array<std::uint8_t, 3>;

// "#rrggbb", as messages name a region.
std::string color_text(const RegionColor& color);
// The mask's distinct colours, sorted. Throws Error "<mask_path>: ..." when there are more than
// kMaxRegions (a JPEG's compression noise makes many: masks belong in PNG files).
std::vector<RegionColor> mask_colors(const Image& mask, const std::string& mask_path);
// For each colour, a plane of the mask's width x height (row-major): 1 where the pixel has that
// colour, else 0. A colour the mask lacks gives a plane of 0s.
std::vector<std::vector<float>> region_planes(const Image& mask, const std::vector<RegionColor>& colors);

}  // namespace stylesweep
