#include "job/spatial_masks.h"

#include <fmt/format.h>

#include "common/error.h"

namespace stylesweep {
namespace {

// The mask decoded, after checking it has the pixel size of the image it belongs to.
Image read_mask_for(const std::string& mask_path, const std::string& image_path) {
  const auto [image_width, image_height] = read_image_size(image_path);
  Image mask = read_image(mask_path);
  if (mask.width != image_width || mask.height != image_height) {
    throw file_error(mask_path, fmt::format("mask is {}x{} px but its image {} is {}x{} px; a mask must have "
                                            "its image's size",
                                            mask.width, mask.height, image_path, image_width, image_height), ErrorKind::kBadInput);
  }
  return mask;
}

}  // namespace

SpatialMasks load_spatial_masks(const StyleJob& job) {
  SpatialMasks masks;
  const Image content = read_mask_for(job.content_mask, job.content);
  masks.regions = mask_colors(content, job.content_mask);
  masks.content = {content.width, content.height, region_planes(content, masks.regions)};
  for (std::size_t s = 0; s < job.styles.size(); ++s) {
    MaskPlanes planes;
    if (job.style_masks.empty() || job.style_masks[s] == kWholeImageMask) {
      std::tie(planes.width, planes.height) = read_image_size(job.styles[s]);
    } else {
      const Image style = read_mask_for(job.style_masks[s], job.styles[s]);
      mask_colors(style, job.style_masks[s]);  // the same limit on regions
      planes = {style.width, style.height, region_planes(style, masks.regions)};
    }
    masks.styles.push_back(std::move(planes));
  }
  return masks;
}

}  // namespace stylesweep
