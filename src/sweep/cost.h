// Cost estimates from layer shapes: floating-point operations of a job, so the planner can show
// the work ahead and the runner can hand out the costliest jobs first.
#pragma once

#include <string>
#include <vector>

#include "job/job_params.h"

namespace stylesweep {

// FLOPs of one forward pass through VGG-19 up to the deepest of `layers` on a width x height
// image (convolutions: 2 * 9 * in * out per output position), plus the Gram matrices of
// `gram_layers` (2 * N^2 * M each).
double forward_flops(int width, int height, const std::vector<std::string>& layers,
                     const std::vector<std::string>& gram_layers);

// A whole job: targets once (content and each style forward), then every evaluation's forward
// and backward (the backward of a convolution with fixed weights costs about its forward).
// `content_size` and `style_sizes` are the images' sizes after resizing; the coarse stages of a
// coarse-to-fine job (StyleJob::scales) are added at proportionally smaller sizes.
double job_flops(const StyleJob& job, std::pair<int, int> content_size,
                 const std::vector<std::pair<int, int>>& style_sizes);

}  // namespace stylesweep
