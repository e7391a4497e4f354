// The Slurm batch script of a sweep, rendered from slurm/sweep.sbatch.in. Every value that comes
// from a config or the command line is either validated (names, numbers) or single-quoted for
// the shell, so paths with spaces, quotes or '$' can neither break the script nor run anything.
#pragma once

#include <string>

namespace stylesweep {

struct SbatchSettings {
  std::string job_name;
  std::string config_path;       // absolute
  std::string output_directory;  // absolute; the Slurm log goes there
  std::string executable;        // absolute path of stylesweep
  int nodes = 1;
  int gpus_per_node = 0;
  int workers = 0;               // 0: nodes x gpus_per_node x workers_per_gpu, or 2 per node on CPU
  int workers_per_gpu = 1;       // worker ranks sharing one GPU (`run --workers-per-gpu`)
  int batch = 1;                 // jobs a worker runs as one batch (`run --batch`)
  int cpus_per_task = 1;
  int signal_seconds = 120;
  // A Slurm job array, "N" or "N%M" (at most M at once): N allocations, each a full run that
  // shares the sweep's jobs with the others through their claims. Empty: one allocation.
  std::string array;
  double claim_timeout = 0;      // `run --claim-timeout` for the tasks; 0: run's default
  // How the ranks start: "mpirun", or "srun" with Slurm's MPI plugin `srun_mpi` (pmix, pmi2).
  std::string launcher = "mpirun";
  std::string srun_mpi = "pmix";
  std::string time;              // Slurm time format
  std::string partition, account;
};

// Worker ranks the script starts: --workers, or the default for the nodes and GPUs.
int worker_count(const SbatchSettings& settings);
// 'text' for bash, with each ' written as '\''.
std::string shell_quote(const std::string& text);
// Throws Error when a value cannot be put on an #SBATCH line safely.
std::string render_sbatch(const SbatchSettings& settings);
// A time limit for the planned work: total FLOPs over the workers' assumed throughput, with 50 %
// headroom and 10 minutes for start-up, as D-HH:MM:SS.
std::string suggest_time_limit(double total_flops, const SbatchSettings& settings,
                               double gflops_per_worker);

}  // namespace stylesweep
