// A frame job's temporal inputs (Ruder, Dosovitskiy and Brox 2016, Sec. 3): for each link, the
// linked job's result warped onto this frame along the optical flow between the two input
// frames, weighted by the flow's reliability; and the image the optimization starts from.
//   Long-term links: a pixel counts for its nearest reliable link only (per direction), c_j minus
//   the reliabilities of the nearer links, floored at 0 (their eq. 8).
//   Start: from a frame's own earlier-pass result blended with its nearest neighbours' warped
//   results, (x' + Σ c ω) / (1 + Σ c); in a first pass, as video_init says (the nearest link's
//   warped result, that result unwarped, or the job's own init).
#pragma once

#include <optional>
#include <vector>

#include "image/image.h"
#include "job/job_params.h"

namespace stylesweep {

class ResizedImages;

struct WarpedLink {
  Image warped;               // the linked result sampled along the flow, at the frame's size
  std::vector<float> weight;  // per pixel: the reliability this link counts with (0 or 1)
};

struct TemporalInputs {
  std::vector<WarpedLink> targets;  // links the temporal loss pulls towards
  std::optional<Image> start;       // where the optimization starts, when the links decide it
};

// `frame` is the job's own frame at the job's size; linked frames and results are read through
// `images` at the same size. Throws Error naming a linked file that cannot be read.
TemporalInputs temporal_inputs(const StyleJob& job, const Image& frame, ResizedImages& images);

}  // namespace stylesweep
