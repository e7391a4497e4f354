// <output>/status.json: the counts of a running or finished sweep, rewritten atomically as jobs
// finish (at most twice a second) and once more at the end, so `stylesweep status` can report
// progress without opening results.h5 while rank 0 writes it.
#pragma once

#include <cstddef>
#include <string>

#include "runner/coordinator.h"

namespace stylesweep {

// Seconds until the run is over: from the measured cost per job (RunCounts::eta_seconds) once a
// job has been measured, else from the finished jobs' pace; 0 before anything finished.
double seconds_left(const RunCounts& counts, double elapsed_seconds);

class RunStatusWriter {
 public:
  RunStatusWriter(std::string output_directory, std::size_t total, std::size_t skipped);
  void update(const RunCounts& counts, double elapsed_seconds);

 private:
  std::string path_;
  std::size_t total_, skipped_;
};

struct RunStatus {
  std::size_t total = 0, done = 0, failed = 0, running = 0, queued = 0, skipped = 0;
  double elapsed_seconds = 0, jobs_per_hour = 0, eta_seconds = 0;
  std::string updated_utc;
  bool finished = false;
};

// Throws Error naming the file when it is missing or malformed.
RunStatus read_run_status(const std::string& output_directory);

}  // namespace stylesweep
