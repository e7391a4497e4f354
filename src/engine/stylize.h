// The stylization engine's public face: runs one job (targets once under no-grad, then L-BFGS or
// Adam on the image's pixels, stage by stage for coarse-to-fine jobs, resuming a checkpoint) or a
// batch of Adam jobs, on networks and targets that stay cached between jobs. Its parts: the
// network cache, the prepared inputs and targets (job_targets.h), the stages (stage.h), the batch
// runner and the yardstick. No libtorch in this header.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/device.h"
#include "engine/job_events.h"
#include "job/job_params.h"
#include "job/job_result.h"

namespace stylesweep {

class StyleEngine {
 public:
  // device: "cpu" or "cuda:N" (see engine/device.h). Loads and validates the weights file.
  StyleEngine(const std::string& weights_path, const std::string& device);
  ~StyleEngine();
  StyleEngine(const StyleEngine&) = delete;
  StyleEngine& operator=(const StyleEngine&) = delete;

  // The engine's own weights file (for jobs whose `weights` is empty).
  const std::string& weights_path() const;
  const std::string& weights_sha256() const;

  struct WeightsFile {
    std::string path, sha256;
  };
  // The file a job's `weights` names ("random": vgg/random_weights.h's default), loaded, checked
  // and hashed on first use and kept while the weights cache has room; throws Error naming it.
  WeightsFile weights_for(const StyleJob& job);
  // Every job's metrics come from this file's network (the engine's own weights by default).
  void set_yardstick_weights(const std::string& path);
  WeightsFile yardstick_weights() const;
  // The memory the loaded weights files may take (WeightsLibrary::kDefaultBudgetBytes); the
  // engine's own and the yardstick's stay loaded regardless.
  void set_weights_cache_bytes(std::int64_t bytes);
  // The loaded weights files, most recently used first.
  std::vector<std::string> loaded_weights() const;
  const std::string& device() const;
  // Jobs whose estimated peak (job/memory_estimate.h) exceeds `bytes` fail before they start;
  // 0 (the default) checks nothing.
  void set_memory_budget(std::int64_t bytes);
  // Where jobs learn the device's free memory before they start (device_memory by default,
  // nothing on the CPU); a job whose estimate on the device exceeds it fails at once.
  void set_device_memory_probe(std::function<std::optional<DeviceMemory>()> probe);

  // Throws Error for bad parameters or input images, JobFailure for a diverged optimization,
  // JobInterrupted when should_stop said so (the checkpoint is then saved, if the job has a
  // checkpoint_path); libtorch's own errors arrive as Error of kind kInternal (kIo when out of
  // memory), as from every method here.
  JobResult run(const StyleJob& job, const ProgressCallback& progress = {},
                const StopCheck& should_stop = {});

  // Adam jobs that can share a batch (can_share_batch) run as one: a single forward and
  // backward pass per step for all of them. Each result equals the job run alone (bit-identical
  // on CPU). A batch takes no checkpoints and no stop requests; a job whose loss diverges fails
  // alone (`error` set, `result.history` up to the failure). Throws Error for bad parameters or
  // jobs that cannot share a batch.
  using BatchOutcome = stylesweep::BatchOutcome;
  std::vector<BatchOutcome> run_batch(const std::vector<StyleJob>& jobs);

 private:
  JobResult run_unguarded(const StyleJob& job, const ProgressCallback& progress,
                          const StopCheck& should_stop);
  std::vector<BatchOutcome> run_batch_unguarded(const std::vector<StyleJob>& jobs);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace stylesweep
