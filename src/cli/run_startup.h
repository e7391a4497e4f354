// How the processes of `stylesweep run` start: rank 0 plans the sweep and opens its store, every
// rank learns the weights and their SHA-256 from it (a failure on rank 0 ends every rank with its
// kind), and each worker gets an engine on the device its place on the node gives it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/run_options.h"
#include "runner/messages.h"
#include "runner/session.h"
#include "store/result_store.h"
#include "sweep/config.h"
#include "sweep/expand.h"

namespace stylesweep {

class StyleEngine;

// Everything rank 0 prepares before the workers start, so a bad config or an output directory
// that cannot be written ends every rank with a usage error instead of an abort.
struct SweepSetup {
  SweepConfig config;
  SweepPlan plan;
  std::unique_ptr<ResultStore> store;
  std::vector<std::string> recovery_notes;
};

// What every rank needs to start: where the sweep's default weights and the metrics' weights
// are, and what they must hash to (each job carries its own file's hash).
struct StartMessage {
  std::string weights_file, weights_sha256;
  std::string yardstick_file, yardstick_sha256;
};

// Rank 0 (the coordinator or a lone process) fills `setup` and tells the others; when it fails,
// the other ranks receive the error's kind and end with it, silently (ReportedError).
StartMessage start_ranks(const Session& session, ProcessRole role, const RunArguments& arguments,
                         std::optional<SweepSetup>& setup);

// A worker's place on its node: which of the node's workers it is, and how many there are.
struct Placement {
  int local_index = 0, workers_on_node = 1;
};

// A worker's engine on the device chosen for its place on the node; fills `info` for the
// coordinator's worker line.
std::unique_ptr<StyleEngine> make_engine(const Session& session, const RunArguments& arguments,
                                         const StartMessage& start, Placement placement, WorkerInfo& info);

}  // namespace stylesweep
