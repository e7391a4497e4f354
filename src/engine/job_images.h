// A job's images at both ends of its optimization: the start (white noise around the weights'
// mean pixel from the project's generator, the content, the style, an image file, or a coarse
// stage's result) and the result it returns (colours joined or preserved as the job asks).
#pragma once

#include <torch/types.h>

#include <string>

#include "image/image.h"
#include "job/job_params.h"
#include "job/job_result.h"

namespace stylesweep {

class NetworkCache;

// `start`, when given, is the previous stage's result of a coarse-to-fine job.
torch::Tensor initial_image(const StyleJob& job, const torch::Tensor& content, const torch::Tensor& style,
                            const Image* start, const NetworkCache& networks);

// The result of an optimized image: its pixels, colours controlled or preserved as asked (only
// at the `final_stage` of a coarse-to-fine job), the history and the device.
JobResult finished_result(const StyleJob& job, const torch::Tensor& image, const Image& content_image,
                          LossHistory history, const std::string& device, bool final_stage = true);

}  // namespace stylesweep
