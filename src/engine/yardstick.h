// The common yardstick of a finished job (JobMetrics, docs/metrics.md): from the result's stored
// 8-bit pixels, its content and style metrics on one average-pooling float32 network whatever the
// job's own network, its luma SSIM against the content and its colour distance to the styles.
// The inputs' features are cached with the targets.
#pragma once

#include <map>
#include <string>

#include "engine/job_targets.h"
#include "job/job_result.h"

namespace stylesweep {

class Yardstick {
 public:
  // `caches` hold the yardstick's own network; `tag` (its weights' SHA-256) keeps its cached
  // features apart from another yardstick's.
  Yardstick(const EngineCaches& caches, std::string tag) : caches_(caches), tag_(std::move(tag)) {}

  // Runs under float32 arithmetic and restores the job's settings afterwards.
  JobMetrics measure(const StyleJob& job, const Image& result_image);

 private:
  // The activations of an image at the yardstick's layers it reaches, under `cache_key` when
  // given.
  std::map<std::string, torch::Tensor> features(const Image& image, const std::string& cache_key);

  EngineCaches caches_;
  std::string tag_;
};

}  // namespace stylesweep
