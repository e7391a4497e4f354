// The stylization engine: runs one job (targets once under no-grad, then L-BFGS or Adam on the
// image's pixels) on a network that stays loaded between jobs. No libtorch in this header.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "engine/device.h"
#include "job/job_params.h"
#include "job/job_result.h"

namespace stylesweep {

struct Progress {
  int evaluation = 0;        // 1-based count of loss evaluations so far
  int planned_evaluations = 0;
  double total = 0, content = 0, style = 0;
  double elapsed_seconds = 0;
};
using ProgressCallback = std::function<void(const Progress&)>;

// A job that failed during optimization (a NaN or infinite loss); carries the history so far.
class JobFailure : public Error {
 public:
  JobFailure(const std::string& message, LossHistory history)
      : Error(message, ErrorKind::kJobFailed), history_(std::move(history)) {}
  const LossHistory& history() const { return history_; }

 private:
  LossHistory history_;
};

// A job stopped on request (signal, deadline) after saving its checkpoint to job.checkpoint_path.
class JobInterrupted : public Error {
 public:
  explicit JobInterrupted(int evaluations)
      : Error("interrupted after " + std::to_string(evaluations) + " evaluations",
              ErrorKind::kInterrupted),
        evaluations_(evaluations) {}
  int evaluations() const { return evaluations_; }

 private:
  int evaluations_;
};

// Polled after every evaluation; true asks the job to checkpoint and stop.
using StopCheck = std::function<bool()>;

class StyleEngine {
 public:
  // device: "cpu" or "cuda:N" (see engine/device.h). Loads and validates the weights file.
  StyleEngine(const std::string& weights_path, const std::string& device);
  ~StyleEngine();
  StyleEngine(const StyleEngine&) = delete;
  StyleEngine& operator=(const StyleEngine&) = delete;

  const std::string& weights_path() const;
  const std::string& weights_sha256() const;
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
  struct BatchOutcome {
    JobResult result;
    std::string error;  // empty when the job finished
  };
  std::vector<BatchOutcome> run_batch(const std::vector<StyleJob>& jobs);

 private:
  JobResult run_unguarded(const StyleJob& job, const ProgressCallback& progress,
                          const StopCheck& should_stop);
  std::vector<BatchOutcome> run_batch_unguarded(const std::vector<StyleJob>& jobs);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace stylesweep
