#include "cli/run_options.h"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "common/error.h"
#include "store/run_registry.h"
#include "sweep/expand.h"

namespace stylesweep {
namespace {

// How jobs run: threads, retries, attempts, memory, GPUs and batches.
void add_job_options(CLI::App& command, RunArguments& arguments) {
  command.add_option("--threads", arguments.threads,
                     "CPU threads per worker (default: OMP_NUM_THREADS, else SLURM_CPUS_PER_TASK, else "
                     "the usable cores / workers on the node)");
  command.add_option("--retries", arguments.retries, "Retries of a failed job, on another worker")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  command.add_option("--max-attempts", arguments.max_attempts,
                     "Starts of a job, across runs, before it is recorded as failed")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  command.add_flag("--rerun-failed", arguments.rerun_failed, "Run jobs that failed in an earlier run again");
  command.add_option("--max-memory", arguments.max_memory,
                     "Memory one job may use per worker, e.g. 8G; a job estimated to need more "
                     "fails before it starts (default: the node's memory / its workers; on a GPU "
                     "its memory / --workers-per-gpu, and always what the device has free)");
  command.add_option("--workers-per-gpu", arguments.workers_per_gpu,
                     "Worker ranks that share one GPU and its memory: a node's workers 0..K-1 use "
                     "GPU 0, K..2K-1 GPU 1, ... (no effect on CPU workers, which share the node's "
                     "cores)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  command.add_option("--batch", arguments.batch,
                     "Jobs a worker runs as one batch, at most: Adam jobs on the same images, size, "
                     "layers, pooling, precision and steps, without scales (a seed or ratio sweep); "
                     "each gives what it gives alone. Batches take no checkpoints: a drain waits "
                     "for a running batch")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  command.add_option("--max-jobs", arguments.max_jobs, "Refuse sweeps that expand to more jobs than this")
      ->capture_default_str();
}

// How the run ends and shares its output: deadlines, journal writers, other runs.
void add_sharing_options(CLI::App& command, RunArguments& arguments) {
  command.add_option("--deadline", arguments.deadline,
                     "Drain before this time: seconds since the epoch or +SECONDS (default: the "
                     "Slurm job's end, SLURM_JOB_END_TIME, when set)");
  command.add_option("--deadline-margin", arguments.deadline_margin,
                     "Seconds before the deadline at which running jobs checkpoint")
      ->capture_default_str();
  command.add_option("--journal-writers", arguments.journal_writers,
                     "Processes that write rank 0's journal in parallel, for coordinators that "
                     "must store more than about 2,000 small jobs a second (0: rank 0 writes it "
                     "on a thread of its own)")
      ->capture_default_str()
      ->check(CLI::Range(0, 64));
  command.add_flag("--wait", arguments.wait,
                   "When only jobs that other runs of this output are running are left, wait for "
                   "them (and take over those of runs that die) instead of ending with exit 0");
  command.add_option("--claim-timeout", arguments.claim_timeout,
                     "Seconds without a heartbeat after which another run's claim on a job is "
                     "stale and taken over (a run on the same host whose process is gone is "
                     "stale at once); heartbeats come every timeout / 4, at most 30 s")
      ->capture_default_str()
      ->check(CLI::Range(0.2, 86400.0));
}

}  // namespace

void add_run_options(CLI::App& command, RunArguments& arguments) {
  arguments.max_jobs = kDefaultMaxJobs;
  arguments.claim_timeout = RunRegistry::kDefaultTimeoutSeconds;
  command.add_option("CONFIG", arguments.config, "Sweep config (YAML)")->required();
  command.add_option("--progress", arguments.progress,
                     "live: a status line redrawn in place; plain: a status line a minute (logs); "
                     "auto: live on a terminal, plain under mpirun, srun or Slurm")
      ->check(CLI::IsMember({"auto", "live", "plain"}))
      ->capture_default_str();
  command.add_option("--progress-interval", arguments.progress_interval, "Seconds between plain status lines")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  add_job_options(command, arguments);
  add_sharing_options(command, arguments);
}

// A live status line needs a terminal that is really the user's: under mpirun, srun or a Slurm
// batch job rank 0's output goes through the launcher (Open MPI gives ranks a pseudo-terminal
// even when mpirun writes to a file), so `auto` shows plain lines there.
bool live_progress(const std::string& mode) {
  if (mode != "auto") return mode == "live";
  for (const char* launcher : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "SLURM_JOB_ID"}) {
    if (std::getenv(launcher)) return false;
  }
  return isatty(fileno(stdout)) != 0;
}

double resolve_deadline(const std::string& text) {
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::string value = text;
  if (value.empty()) {
    const char* slurm_end = std::getenv("SLURM_JOB_END_TIME");
    if (!slurm_end) return 0;
    value = slurm_end;
  }
  try {
    std::size_t used = 0;
    const bool relative = value[0] == '+';
    const double number = std::stod(relative ? value.substr(1) : value, &used);
    if (used != value.size() - (relative ? 1 : 0) || number <= 0) throw std::invalid_argument(value);
    return relative ? now + number : number;
  } catch (const std::exception&) {
    throw Error("--deadline: expected seconds since the epoch or +SECONDS, got '" + value + "'", ErrorKind::kBadInput);
  }
}

}  // namespace stylesweep
