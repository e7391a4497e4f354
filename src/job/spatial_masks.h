// A job's spatial-control masks (content_mask, style_masks), read and checked: each mask has its
// image file's pixel size and at most kMaxRegions colours. The planner checks them for every job
// it plans; the engine turns the planes into guides at each layer's resolution.
#pragma once

#include <string>
#include <vector>

#include "image/region_masks.h"
#include "job/job_params.h"

namespace stylesweep {

struct MaskPlanes {
  int width = 0, height = 0;  // the mask file's (= its image file's) size
  std::vector<std::vector<float>> planes;  // per region, row-major; empty for a whole image
  bool whole_image() const { return planes.empty(); }
};

struct SpatialMasks {
  std::vector<RegionColor> regions;  // the content mask's colours
  MaskPlanes content;
  std::vector<MaskPlanes> styles;    // one per style
};

// Throws Error naming the mask file for a size that differs from its image's or too many colours.
// Only for jobs with a content_mask.
SpatialMasks load_spatial_masks(const StyleJob& job);

}  // namespace stylesweep
