#include "cli/sbatch_script.h"

#include <algorithm>
#include <cmath>
#include <regex>

#include <fmt/format.h>

#include "common/error.h"

namespace stylesweep {

extern const char* const kSbatchTemplate;  // generated from slurm/sweep.sbatch.in

namespace {

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// Values on #SBATCH lines are read by sbatch, not by a shell: allow only plain characters.
std::string directive_value(const std::string& option, const std::string& value) {
  static const std::regex safe("[A-Za-z0-9_.:+=@/-]+");
  if (!std::regex_match(value, safe)) {
    throw Error(fmt::format("{}: '{}' has characters that cannot go on an #SBATCH line", option, value), ErrorKind::kBadInput);
  }
  return value;
}

// "N" or "N%M" as sbatch's --array=0-(N-1)[%M].
std::string array_directive(const std::string& array) {
  std::smatch match;
  if (!std::regex_match(array, match, std::regex("([1-9][0-9]{0,5})(%([1-9][0-9]{0,5}))?"))) {
    throw Error(fmt::format("--array: expected N or N%M (N allocations, at most M at once), got '{}'", array), ErrorKind::kBadInput);
  }
  const std::string limit = match[3].matched ? "%" + match[3].str() : "";
  return fmt::format("#SBATCH --array=0-{}{}\n", std::stol(match[1].str()) - 1, limit);
}

// The line that starts the ranks, up to the executable.
std::string launch_command(const SbatchSettings& settings) {
  if (settings.launcher == "mpirun") return "mpirun --bind-to none -np \"${SLURM_NTASKS}\"";
  if (settings.launcher != "srun") {
    throw Error(fmt::format("--launcher: expected mpirun or srun, got '{}'", settings.launcher), ErrorKind::kBadInput);
  }
  if (settings.srun_mpi != "pmix" && settings.srun_mpi != "pmi2" && settings.srun_mpi.rfind("pmix_v", 0) != 0) {
    throw Error(fmt::format("--srun-mpi: expected pmix, pmix_vN or pmi2, got '{}'", settings.srun_mpi),
                ErrorKind::kBadInput);
  }
  return "srun --mpi=" + directive_value("--srun-mpi", settings.srun_mpi) + " --cpu-bind=none";
}

}  // namespace

int worker_count(const SbatchSettings& settings) {
  if (settings.workers > 0) return settings.workers;
  return settings.nodes * (settings.gpus_per_node > 0 ? settings.gpus_per_node * settings.workers_per_gpu : 2);
}

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string render_sbatch(const SbatchSettings& settings) {
  std::string script = kSbatchTemplate;
  std::string optional;
  if (settings.gpus_per_node > 0) {
    optional += fmt::format("#SBATCH --gpus-per-node={}\n", settings.gpus_per_node);
  }
  if (!settings.partition.empty()) {
    optional += "#SBATCH --partition=" + directive_value("--partition", settings.partition) + "\n";
  }
  if (!settings.account.empty()) {
    optional += "#SBATCH --account=" + directive_value("--account", settings.account) + "\n";
  }
  if (!settings.array.empty()) optional += array_directive(settings.array);
  // The log path is an #SBATCH value too: a directory with unsafe characters gets the log in the
  // submission directory instead. An array's tasks log one file each.
  const std::string log_name = settings.array.empty() ? "%j" : "%A_%a";
  std::string log = settings.output_directory + "/slurm-" + log_name + ".out";
  if (!std::regex_match(log, std::regex("[A-Za-z0-9_.:+=@/%-]+"))) log = "stylesweep-" + log_name + ".out";
  replace_all(script, "@JOB_NAME@", directive_value("job name", settings.job_name));
  replace_all(script, "@NODES@", std::to_string(settings.nodes));
  replace_all(script, "@NTASKS@", std::to_string(worker_count(settings) + 1));
  replace_all(script, "@CPUS_PER_TASK@", std::to_string(settings.cpus_per_task));
  replace_all(script, "@TIME@", directive_value("--time", settings.time));
  replace_all(script, "@SIGNAL_SECONDS@", std::to_string(settings.signal_seconds));
  replace_all(script, "@LOG@", log);
  replace_all(script, "@OPTIONAL_LINES@\n", optional);
  replace_all(script, "@LAUNCH@", launch_command(settings));
  replace_all(script, "@STYLESWEEP@", shell_quote(settings.executable));
  replace_all(script, "@CONFIG@", shell_quote(settings.config_path));
  std::string run_options;
  if (settings.gpus_per_node > 0 && settings.workers_per_gpu > 1) {
    run_options += fmt::format(" --workers-per-gpu {}", settings.workers_per_gpu);
  }
  if (settings.batch > 1) run_options += fmt::format(" --batch {}", settings.batch);
  // An array's tasks wait for each other's last jobs, so a task that is cancelled or dies
  // leaves its jobs to the tasks still running.
  if (!settings.array.empty()) run_options += " --wait";
  if (settings.claim_timeout > 0) run_options += fmt::format(" --claim-timeout {}", settings.claim_timeout);
  replace_all(script, "@RUN_OPTIONS@", run_options);
  return script;
}

std::string suggest_time_limit(double total_flops, const SbatchSettings& settings,
                               double gflops_per_worker) {
  // Workers that share a GPU share its throughput.
  const double per_worker = gflops_per_worker > 0 ? gflops_per_worker
                            : settings.gpus_per_node > 0 ? 5000.0 / settings.workers_per_gpu
                                                         : 50.0 * settings.cpus_per_task;
  // An array's tasks share the sweep: each needs its share of the time.
  const double tasks = settings.array.empty() ? 1.0 : std::stod(settings.array.substr(0, settings.array.find('%')));
  const double seconds = total_flops / (per_worker * 1e9 * worker_count(settings) * tasks) * 1.5 + 600;
  const long minutes = std::max(15L, long(std::ceil(seconds / 60)));
  return fmt::format("{}-{:02d}:{:02d}:00", minutes / 1440, int(minutes % 1440 / 60), int(minutes % 60));
}

}  // namespace stylesweep
