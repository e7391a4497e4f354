// The report's snapshots: for each done job that kept them (snapshot_every), a strip of its
// snapshots as one PNG, so that the way to each result can be judged at a glance.
#pragma once

#include <string>
#include <vector>

#include "report/sweep_results.h"

namespace stylesweep {

struct SnapshotStrip {
  std::string label;             // the job's
  std::string strip;             // PNG file name, relative to the report directory
  std::vector<int> evaluations;  // of the snapshots shown, left to right
};

// At most `max_snapshots` snapshots per strip, evenly spaced, the first and the last included.
std::vector<SnapshotStrip> write_snapshot_strips(const SweepResults& results, const std::string& report_directory,
                                                 int max_snapshots = 8);

}  // namespace stylesweep
