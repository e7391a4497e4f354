#include "cli/job_runner.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/durable_file.h"
#include "common/interrupt.h"
#include "engine/stylize.h"

namespace stylesweep {

EngineJobRunner::EngineJobRunner(StyleEngine& engine, std::string expected_weights_sha256,
                                 std::string expected_yardstick_sha256, std::string host,
                                 std::string scratch_directory)
    : engine_(engine), expected_weights_sha256_(std::move(expected_weights_sha256)),
      expected_yardstick_sha256_(std::move(expected_yardstick_sha256)), host_(std::move(host)),
      files_(scratch_directory), scratch_directory_(scratch_directory) {
  std::filesystem::create_directories(scratch_directory_);
}

void EngineJobRunner::require_coordinators_weights(const StyleJob& job) const {
  const std::string& expected = job.weights_sha256.empty() ? expected_weights_sha256_ : job.weights_sha256;
  const StyleEngine::WeightsFile& file = engine_.weights_for(job);  // loaded and hashed once
  if (file.sha256 != expected) {
    throw Error(fmt::format("weights file {} on {} has SHA-256 {}, the coordinator's has {}", file.path, host_,
                            file.sha256, expected),
                ErrorKind::kBadInput);
  }
  if (engine_.yardstick_weights().sha256 != expected_yardstick_sha256_) {
    throw Error(fmt::format("yardstick weights file {} on {} has SHA-256 {}, the coordinator's has {}",
                            engine_.yardstick_weights().path, host_, engine_.yardstick_weights().sha256,
                            expected_yardstick_sha256_),
                ErrorKind::kBadInput);
  }
}

void EngineJobRunner::finish(JobOutcome& outcome, const WorkItem& item) const {
  outcome.error = files_.with_original_paths(outcome.error);
  if (outcome.result.history.style_layer_names.empty()) {
    outcome.result.history.style_layer_names = item.job.style_layers;
  }
  outcome.result.device = engine_.device();
}

std::vector<JobOutcome> EngineJobRunner::run_batch(const std::vector<WorkItem>& received) {
  std::vector<JobOutcome> outcomes;
  try {
    for (const WorkItem& item : received) require_coordinators_weights(item.job);
    std::vector<StyleJob> jobs;
    for (WorkItem item : received) {
      files_.localize(item);
      jobs.push_back(item.job);
    }
    for (auto& batched : engine_.run_batch(jobs)) {
      JobOutcome outcome;
      outcome.done = batched.error.empty();
      outcome.error = std::move(batched.error);
      outcome.result = std::move(batched.result);
      if (!outcome.done) outcome.result.termination = Termination::kDiverged;  // its loss diverged
      outcomes.push_back(std::move(outcome));
    }
  } catch (const std::exception&) {
    // What keeps the batch from running (an unreadable image, another weights file) is each
    // job's own failure: they run alone and each reports its own.
    outcomes.clear();
    for (const WorkItem& item : received) outcomes.push_back((*this)(item, [] { return false; }));
    return outcomes;
  }
  for (std::size_t i = 0; i < outcomes.size(); ++i) finish(outcomes[i], received[i]);
  return outcomes;
}

JobOutcome EngineJobRunner::operator()(const WorkItem& received,
                                       const std::function<bool()>& interrupted) {
  JobOutcome outcome;
  // Every sweep job can be checkpointed when asked to stop; the checkpoint travels back to the
  // coordinator, and with the job again when it is resumed.
  const std::string checkpoint = scratch_directory_ + "/" + received.id + ".ckpt";
  try {
    require_coordinators_weights(received.job);
    WorkItem item = received;
    files_.localize(item);
    item.job.checkpoint_path = checkpoint;
    if (!item.checkpoint.empty()) write_file_durably(checkpoint, item.checkpoint);
    const StopCheck should_stop = [&interrupted] { return stop_requested() || interrupted(); };
    outcome.result = engine_.run(item.job, {}, should_stop);
    outcome.done = true;
  } catch (const JobInterrupted& interruption) {
    outcome.interrupted = true;
    outcome.error = interruption.what();
    std::ifstream in(checkpoint, std::ios::binary);
    outcome.checkpoint.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    std::filesystem::remove(checkpoint);
  } catch (const JobFailure& failure) {
    outcome.error = failure.what();
    outcome.result.history = failure.history();
    outcome.result.termination = Termination::kDiverged;
  } catch (const std::exception& error) {
    outcome.error = error.what();
  }
  finish(outcome, received);
  return outcome;
}

}  // namespace stylesweep
