// What a running job reports and how it ends, shared by the engine's stage driver, its
// evaluations, its batch runner and its callers: progress after each evaluation, a diverged
// optimization (JobFailure), a stop on request (JobInterrupted), the check that asks for one, and
// a batch job's outcome. No libtorch.
#pragma once

#include <functional>
#include <string>

#include "common/error.h"
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

// One job of a batch: its result, or the error it failed with (its history up to the failure).
struct BatchOutcome {
  JobResult result;
  std::string error;  // empty when the job finished
};

}  // namespace stylesweep
