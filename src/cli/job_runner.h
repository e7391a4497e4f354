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
  // expected_weights_sha256: the coordinator's; a worker whose file differs fails its jobs.
  EngineJobRunner(StyleEngine& engine, std::string expected_weights_sha256, std::string host,
                  std::string scratch_directory);
  JobOutcome operator()(const WorkItem& item, const std::function<bool()>& interrupted);
  // Jobs that can share a batch, as one (StyleEngine::run_batch); one outcome per item.
  std::vector<JobOutcome> run_batch(const std::vector<WorkItem>& items);

 private:
  // Throws Error when this worker's weights file is not the coordinator's.
  void require_coordinators_weights() const;
  // Completes an outcome: messages name the user's files, the history its layers.
  void finish(JobOutcome& outcome, const WorkItem& item) const;

  StyleEngine& engine_;
  std::string expected_weights_sha256_;
  std::string host_;
  ShippedFiles files_;
  std::string scratch_directory_;
};

}  // namespace stylesweep
