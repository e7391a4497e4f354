// The options of `stylesweep run`, their parsing (CLI11) and the two that need interpreting: the
// deadline (an epoch time, +SECONDS, or the Slurm job's end) and the progress display.
#pragma once

#include <cstdint>
#include <string>

namespace CLI { class App; }

namespace stylesweep {

struct RunArguments {
  std::string config;
  int threads = 0;
  int retries = 1;
  int max_attempts = 3;
  bool rerun_failed = false;
  std::string deadline;         // epoch seconds, or +SECONDS from now
  double deadline_margin = 60;
  std::uint64_t max_jobs = 0;   // set from kDefaultMaxJobs by add_run_options
  std::string max_memory;       // per worker, e.g. "8G"; empty: from the machine
  std::string progress = "auto";  // live | plain | auto
  double progress_interval = 60;  // seconds between plain status lines
  int journal_writers = 0;
  int workers_per_gpu = 1;      // worker ranks sharing one GPU
  int batch = 1;                // jobs a worker runs as one batch, at most
  bool wait = false;            // wait for jobs other runs are running instead of ending
  double claim_timeout = 0;     // set from RunRegistry's default by add_run_options
};

// Adds every option of `run` to `command`, storing into `arguments`.
void add_run_options(CLI::App& command, RunArguments& arguments);

// Whether progress is a live status line: `live`, or `auto` on a terminal that is really the
// user's (not under mpirun, srun or a Slurm batch job).
bool live_progress(const std::string& mode);

// --deadline, else the Slurm job's end time when Slurm provides it, as epoch seconds; 0 for
// none. Throws Error (bad input) for text that is neither.
double resolve_deadline(const std::string& text);

}  // namespace stylesweep
