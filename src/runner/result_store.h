// The sweep's results, written by rank 0 alone: <output>/results.h5 and <output>/images/.
//   /            format = "stylesweep-results", format_version = 1, config (the YAML text),
//                config_path, tool_version, created_utc, weights_sha256, normalization = "paper"
//   /jobs/<id>   the history-file layout (job/history_file.h) plus label, status ("done" |
//                "failed"), error, wall_seconds, evaluations, rank, host, device, attempts,
//                finished_utc
//   /index       parallel 1-D datasets, one row per job: id, label, status, error, loss_total,
//                loss_content, loss_style, loss_tv (final values), evaluations, wall_seconds,
//                attempts, rank, host and every varying parameter; attribute `columns` orders them
// Each finished image is also <output>/images/<label>.png.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "h5/h5_file.h"
#include "runner/coordinator.h"

namespace stylesweep {

struct StoreSettings {
  std::string output_directory;
  std::string config_text;
  std::string config_path;
  std::string weights_sha256;
  std::vector<std::string> varying_keys;
};

class ResultStore : public ResultSink {
 public:
  // Creates the output directory and results.h5, or opens the existing file and keeps its jobs.
  explicit ResultStore(StoreSettings settings);
  void store(const WorkItem& item, const JobOutcome& outcome) override;
  // Rewrites /index from every job in the file.
  void write_index();
  // Ids of the jobs stored with status "done".
  std::set<std::string> done_ids() const;
  std::string results_path() const { return settings_.output_directory + "/results.h5"; }

 private:
  StoreSettings settings_;
  h5::File file_;
};

}  // namespace stylesweep
