#include "engine/temporal.h"

#include <cstdlib>

#include "engine/image_cache.h"
#include "video/optical_flow.h"

namespace stylesweep {
namespace {

struct AlignedLink {
  const FrameLink* link;
  Image result;          // the linked job's result, at the frame's size
  Image warped;
  std::vector<float> mask;
};

Image at_size(const Image& image, const Image& frame) { return resize(image, frame.width, frame.height); }

// (own + Σ c ω) / (1 + Σ c), per pixel and channel.
Image blended_start(const Image& own, const std::vector<const AlignedLink*>& neighbours) {
  Image start = own;
  for (std::size_t p = 0; p < std::size_t(own.width) * own.height; ++p) {
    float weight = 1.0f;
    float sum[3] = {own.pixels[3 * p], own.pixels[3 * p + 1], own.pixels[3 * p + 2]};
    for (const AlignedLink* neighbour : neighbours) {
      const float c = neighbour->mask[p];
      weight += c;
      for (int k = 0; k < 3; ++k) sum[k] += c * neighbour->warped.pixels[3 * p + k];
    }
    for (int k = 0; k < 3; ++k) start.pixels[3 * p + k] = sum[k] / weight;
  }
  return start;
}

std::optional<Image> start_image(const StyleJob& job, const std::vector<AlignedLink>& links) {
  const AlignedLink* own = nullptr;
  int nearest = 0;
  for (const AlignedLink& aligned : links) {
    const int distance = std::abs(aligned.link->offset);
    if (distance == 0) own = &aligned;
    else if (nearest == 0 || distance < nearest) nearest = distance;
  }
  std::vector<const AlignedLink*> neighbours;
  for (const AlignedLink& aligned : links) {
    if (nearest > 0 && std::abs(aligned.link->offset) == nearest) neighbours.push_back(&aligned);
  }
  if (own) return blended_start(own->result, neighbours);
  if (neighbours.empty() || job.video_init == VideoInit::kInit) return std::nullopt;
  return job.video_init == VideoInit::kPrevWarped ? neighbours.front()->warped : neighbours.front()->result;
}

// Each temporal link's weight: its reliability less that of the nearer links on its side.
std::vector<WarpedLink> temporal_targets(const std::vector<AlignedLink>& links) {
  std::vector<const AlignedLink*> pulling;
  for (const AlignedLink& aligned : links) {
    if (aligned.link->temporal) pulling.push_back(&aligned);
  }
  std::vector<WarpedLink> targets;
  for (const AlignedLink* aligned : pulling) {
    std::vector<float> weight = aligned->mask;
    const int offset = aligned->link->offset;
    for (const AlignedLink* nearer : pulling) {
      const int other = nearer->link->offset;
      const bool same_side = (other > 0) == (offset > 0);
      if (!same_side || std::abs(other) >= std::abs(offset)) continue;
      for (std::size_t p = 0; p < weight.size(); ++p) weight[p] = std::max(0.0f, weight[p] - nearer->mask[p]);
    }
    targets.push_back({aligned->warped, std::move(weight)});
  }
  return targets;
}

}  // namespace

TemporalInputs temporal_inputs(const StyleJob& job, const Image& frame, ResizedImages& images) {
  std::vector<AlignedLink> links;
  for (const FrameLink& link : job.frame_links) {
    AlignedLink aligned{&link, at_size(images.get(link.result, job.size), frame), {}, {}};
    if (link.offset == 0) {  // its own earlier result: already aligned
      aligned.warped = aligned.result;
      aligned.mask.assign(std::size_t(frame.width) * frame.height, 1.0f);
    } else {
      const Image other = at_size(images.get(link.frame, job.size), frame);
      FrameAlignment alignment = align_frames(frame, other);
      aligned.warped = warp(aligned.result, alignment.flow);
      aligned.mask = std::move(alignment.mask);
    }
    links.push_back(std::move(aligned));
  }
  TemporalInputs inputs;
  inputs.start = start_image(job, links);
  if (job.temporal_weight > 0) inputs.targets = temporal_targets(links);
  return inputs;
}

}  // namespace stylesweep
