// The worker's side of a sweep job on the engine: local copies of shipped images, the run, and
// every failure turned into a failed outcome with its message (the rank never goes down).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runner/worker.h"

namespace stylesweep {

class StyleEngine;

class EngineJobRunner {
 public:
  // The SHA-256s of the coordinator's files: the sweep's default weights and the metrics'
  // weights (each job carries its own file's); a worker whose file differs fails the jobs.
  EngineJobRunner(StyleEngine& engine, std::string expected_weights_sha256, std::string expected_yardstick_sha256,
                  std::string host, std::string scratch_directory);
  JobOutcome operator()(const WorkItem& item, const std::function<bool()>& interrupted);
  // Jobs that can share a batch, as one (StyleEngine::run_batch); one outcome per item.
  std::vector<JobOutcome> run_batch(const std::vector<WorkItem>& items);

 private:
  // Throws Error when this worker's weights files for `job` are not the coordinator's.
  void require_coordinators_weights(const StyleJob& job) const;
  // Completes an outcome: messages name the user's files, the history its layers.
  void finish(JobOutcome& outcome, const WorkItem& item) const;

  StyleEngine& engine_;
  std::string expected_weights_sha256_;
  std::string expected_yardstick_sha256_;
  std::string host_;
  ShippedFiles files_;
  std::string scratch_directory_;
};

}  // namespace stylesweep
