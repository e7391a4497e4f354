// What one optimization at job.size needs, prepared from the job: the content and style images
// at their sizes (colour control applied to the style, luminance images for luminance-only
// transfer), spatial control's guides, the network, and the loss targets (content features and
// each style's per-layer targets, of its style-loss row's type), taken from the target cache when
// this worker computed them before.
#pragma once

#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

#include "engine/losses.h"
#include "engine/vgg19.h"
#include "image/image.h"
#include "job/job_params.h"

namespace stylesweep {

class NetworkCache;
class ResizedImages;
class TargetCache;

struct PreparedJob {
  Image content_image;                // at job.size, in colour
  torch::Tensor content;              // what the optimization compares with (luminance or colour)
  std::vector<torch::Tensor> styles;  // colour-controlled, at the style's size
  std::vector<std::string> layers;    // content layers, then style layers
  Vgg19* vgg = nullptr;
  LossTargets targets;
  std::optional<Image> start;         // a frame job's start from its links (engine/temporal.h)
};

// The caches a worker keeps between jobs.
struct EngineCaches {
  NetworkCache& networks;
  TargetCache& targets;
  ResizedImages& images;
};

// Throws Error when a job with these prepared inputs would not fit in memory.
using MemoryCheck =
    std::function<void(const StyleJob& job, const Image& content_image, const std::vector<torch::Tensor>& styles)>;

// Throws Error for images that cannot be read or are too small for the layers, and whatever
// `check_memory` throws.
PreparedJob prepare_job(const StyleJob& job, const EngineCaches& caches, const MemoryCheck& check_memory);

}  // namespace stylesweep
