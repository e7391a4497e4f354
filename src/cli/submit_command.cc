#include <CLI/CLI.hpp>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <regex>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/partition_fit.h"
#include "cli/sbatch_script.h"
#include "common/durable_file.h"
#include "common/error.h"
#include "common/process.h"
#include "sweep/config.h"
#include "sweep/expand.h"
#include "vgg/weights_names.h"

namespace stylesweep {
namespace {

struct SubmitArguments {
  std::string config;
  SbatchSettings settings;
  double gflops_per_worker = 0;
  bool dry_run = false;
};

// Runs sbatch without a shell (no config-derived text is ever parsed by one); returns its stdout.
std::string run_sbatch(const std::string& script) {
  const ProgramResult result = run_program({"sbatch", script});
  if (result.exit_code == 127) {
    throw Error("sbatch not found: is this a Slurm login node? (use --dry-run to see the script)", ErrorKind::kBadInput);
  }
  if (result.exit_code != 0) throw Error("sbatch refused the job (exit " + std::to_string(result.exit_code) + ")", ErrorKind::kBadInput);
  return result.output;
}

// Asks sinfo for the partition's nodes; where sinfo is missing or fails (no Slurm here, a
// --dry-run on a laptop) the request goes out as it is.
void fit_to_slurm_partition(SbatchSettings& settings) {
  const ProgramResult sinfo = run_program({"sinfo", "-h", "-o", "%P|%c|%D|%G"}, "", true);
  if (sinfo.exit_code != 0) return;
  const std::optional<std::string> note = fit_to_partition(settings, parse_sinfo(sinfo.output, settings.partition));
  if (note) std::cerr << "stylesweep submit: " << *note << "\n";
}

void run_submit(SubmitArguments arguments) {
  const SweepConfig config = load_sweep_config(arguments.config);
  const SweepPlan plan = expand_sweep(config);
  SbatchSettings& settings = arguments.settings;
  settings.config_path = std::filesystem::absolute(arguments.config).lexically_normal().string();
  settings.output_directory = std::filesystem::absolute(config.output).lexically_normal().string();
  settings.job_name = "stylesweep-" + safe_label(config.name);
  if (settings.executable.empty()) {
    settings.executable = std::filesystem::canonical("/proc/self/exe").string();
  }
  fit_to_slurm_partition(settings);
  if (settings.time.empty()) {
    settings.time = suggest_time_limit(plan.total_flops, settings, arguments.gflops_per_worker);
  }
  const std::string script = render_sbatch(settings);
  if (arguments.dry_run) {
    std::cout << script;
    return;
  }
  std::filesystem::create_directories(settings.output_directory);
  const std::string path = settings.output_directory + "/sweep.sbatch";
  write_file_durably(path, script);
  const std::string output = run_sbatch(path);
  std::smatch match;
  if (!std::regex_search(output, match, std::regex("Submitted batch job ([0-9]+)"))) {
    throw Error("unexpected answer from sbatch: " + output, ErrorKind::kInternal);
  }
  const std::string what = settings.array.empty() ? "job" : "job array";
  const std::string log = settings.array.empty() ? match[1].str() : match[1].str() + "_<task>";
  std::cout << fmt::format(
      "submitted {} {} ({} jobs, time limit {}{}); script {}; log {}/slurm-{}.out\n"
      "watch it with: stylesweep status {}\n",
      what, match[1].str(), plan.jobs.size(), settings.time,
      settings.array.empty() ? "" : " per task, " + settings.array + " tasks", path,
      settings.output_directory, log, settings.output_directory);
}

}  // namespace

void add_submit_command(CLI::App& app) {
  auto arguments = std::make_shared<SubmitArguments>();
  SbatchSettings& settings = arguments->settings;
  CLI::App* command = app.add_subcommand(
      "submit", "Render the Slurm script for a sweep and submit it with sbatch (requeued on "
                "preemption or time limit, resumed where it stopped)");
  command->footer("Examples:\n  stylesweep submit configs/demo.yaml --dry-run                  # print the script\n  stylesweep submit configs/demo.yaml --workers 8 --cpus-per-task 4 --time 02:00:00");
  command->add_option("CONFIG", arguments->config, "Sweep config (YAML)")->required();
  command->add_option("--nodes", settings.nodes, "Nodes")->capture_default_str()->check(CLI::Range(1, 100000));
  command->add_option("--gpus-per-node", settings.gpus_per_node, "GPUs per node (0: CPU workers)")
      ->capture_default_str()->check(CLI::Range(0, 64));
  command->add_option("--workers-per-gpu", settings.workers_per_gpu,
                      "Worker ranks that share each GPU (run --workers-per-gpu)")
      ->capture_default_str()->check(CLI::Range(1, 64));
  command->add_option("--batch", settings.batch, "Jobs a worker runs as one batch, at most (run --batch)")
      ->capture_default_str()->check(CLI::Range(1, 64));
  command->add_option("--workers", settings.workers,
                      "Worker ranks in all (default: nodes x GPUs per node x workers per GPU, or 2 "
                      "per node on CPU; lowered to what the partition's nodes hold, from sinfo)")
      ->check(CLI::Range(1, 1000000));
  command->add_option("--cpus-per-task", settings.cpus_per_task, "CPU threads per rank")
      ->capture_default_str()->check(CLI::Range(1, 1024));
  command->add_option("--array", settings.array,
                      "Submit N allocations as a Slurm job array (N%M: at most M at once), each a "
                      "full run (coordinator and --workers) sharing the sweep's jobs through claims "
                      "in the output directory; small allocations often start sooner than one large");
  command->add_option("--claim-timeout", settings.claim_timeout,
                      "run --claim-timeout for the allocation: seconds without a heartbeat after "
                      "which another run takes over a job's claim (default: run's, 120)")
      ->check(CLI::Range(0.2, 86400.0));
  command->add_option("--launcher", settings.launcher,
                      "How the script starts the ranks: mpirun (default) or srun (Slurm's MPI plugin, "
                      "--srun-mpi)")
      ->capture_default_str();
  command->add_option("--srun-mpi", settings.srun_mpi, "srun's --mpi plugin with --launcher srun: pmix or pmi2")
      ->capture_default_str();
  command->add_option("--time", settings.time,
                      "Time limit (Slurm format; default: from the planner's estimate)");
  command->add_option("--partition", settings.partition, "Slurm partition");
  command->add_option("--account", settings.account, "Slurm account");
  command->add_option("--signal-seconds", settings.signal_seconds,
                      "Seconds before the time limit at which the sweep drains")
      ->capture_default_str()->check(CLI::Range(10, 3600));
  command->add_option("--gflops-per-worker", arguments->gflops_per_worker,
                      "Throughput assumed for the time estimate (default: 50 per CPU thread, "
                      "5000 per GPU)");
  command->add_option("--stylesweep", settings.executable,
                      "The stylesweep executable the job runs (default: this one)");
  command->add_flag("--dry-run", arguments->dry_run, "Print the script instead of submitting it");
  command->callback([arguments] { run_submit(*arguments); });
}

}  // namespace stylesweep
