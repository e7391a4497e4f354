// Progress displays for long optimizations and sweeps: a live line redrawn in place on a
// terminal, plain periodic lines in a log file (Slurm output), so logs stay readable.
#pragma once

#include <cstdio>
#include <string>

#include "engine/stylize.h"
#include "runner/coordinator.h"

namespace stylesweep {

class ProgressPrinter {
 public:
  // log_every: evaluations between plain lines when not on a terminal.
  ProgressPrinter(std::FILE* stream, int log_every);
  void operator()(const Progress& progress);
  void finish();

 private:
  std::FILE* stream_;
  bool live_;
  int log_every_;
  bool line_open_ = false;
};

// A sweep's progress on rank 0: one line per finished job; when `live`, also a status line
// (done, failed, running, queued, jobs per hour, ETA) kept below them and redrawn every second,
// otherwise (log files, Slurm output) that status as a plain line every `log_seconds`.
class SweepProgress {
 public:
  SweepProgress(std::FILE* stream, std::size_t to_run, bool live, double log_seconds = 60);
  void job_line(const std::string& line);
  // "[finished/to_run] <what> | R running, Q queued, N jobs/h, ETA ...<after>", as a job line.
  void job_finished(const RunCounts& counts, double elapsed_seconds, const std::string& what,
                    const std::string& after = "");
  // The status now; on a terminal redrawn, in a log written when log_seconds have passed.
  void update(const RunCounts& counts, double elapsed_seconds);
  void finish();

 private:
  std::string position(const RunCounts& counts) const;                // "[finished/to_run]"
  std::string pace(const RunCounts& counts, double elapsed_seconds) const;  // running ... ETA
  std::FILE* stream_;
  bool live_;
  std::size_t to_run_;
  double log_seconds_;
  double last_logged_ = 0;
  bool line_open_ = false;
};

std::string format_duration(double seconds);

}  // namespace stylesweep
