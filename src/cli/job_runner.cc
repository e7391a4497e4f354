#include "cli/job_runner.h"

#include <c10/util/Exception.h>

#include <fmt/format.h>

#include "engine/stylize.h"

namespace stylesweep {

EngineJobRunner::EngineJobRunner(StyleEngine& engine, std::string expected_weights_sha256,
                                 std::string host, std::string scratch_directory)
    : engine_(engine), expected_weights_sha256_(std::move(expected_weights_sha256)),
      host_(std::move(host)), files_(std::move(scratch_directory)) {}

JobOutcome EngineJobRunner::operator()(const WorkItem& received) {
  JobOutcome outcome;
  try {
    if (engine_.weights_sha256() != expected_weights_sha256_) {
      throw Error(fmt::format("weights file {} on {} has SHA-256 {}, the coordinator's has {}",
                              engine_.weights_path(), host_, engine_.weights_sha256(),
                              expected_weights_sha256_));
    }
    WorkItem item = received;
    files_.localize(item);
    outcome.result = engine_.run(item.job);
    outcome.done = true;
  } catch (const JobFailure& failure) {
    outcome.error = failure.what();
    outcome.result.history = failure.history();
  } catch (const c10::Error& error) {
    outcome.error = std::string("libtorch: ") + error.what_without_backtrace();
  } catch (const std::exception& error) {
    outcome.error = error.what();
  }
  outcome.error = files_.with_original_paths(outcome.error);
  if (outcome.result.history.style_layer_names.empty()) {
    outcome.result.history.style_layer_names = received.job.style_layers;
  }
  outcome.result.device = engine_.device();
  return outcome;
}

}  // namespace stylesweep
