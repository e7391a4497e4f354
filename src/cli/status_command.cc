#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/progress.h"
#include "common/text.h"
#include "runner/run_status.h"
#include "store/run_registry.h"

namespace stylesweep {

void add_status_command(CLI::App& app) {
  auto target = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "status", "Summarize a sweep's progress from its output directory (also while it runs)");
  command->footer("Example:\n  stylesweep status results/demo");
  command->add_option("OUTPUT_OR_RESULTS", *target, "The sweep's output directory or its results.h5")
      ->required();
  command->callback([target] {
    std::filesystem::path directory(*target);
    if (directory.filename() == "results.h5") directory = directory.parent_path();
    const RunStatus status = read_run_status(directory.string());
    std::cout << fmt::format(
        "{}: {} of {} jobs done, {} failed, {} running, {} queued, {} skipped (done before); "
        "{:.1f} jobs/hour, elapsed {}, {} (updated {})\n",
        directory.string(), status.done + status.skipped, status.total, status.failed,
        status.running, status.queued, status.skipped, status.jobs_per_hour,
        format_duration(status.elapsed_seconds),
        status.finished ? std::string("finished") : "ETA " + format_duration(status.eta_seconds),
        status.updated_utc);
    // Several runs may share the output directory (run --wait, submit --array).
    const std::vector<LiveRun> runs = list_live_runs(directory.string());
    std::cout << fmt::format("live runs: {}\n", runs.size());
    for (const LiveRun& run : runs) {
      // Claimed: running, or done and waiting to be committed.
      std::cout << fmt::format("  {} (host {}, pid {}, heartbeat {:.0f} s ago): {} job{} claimed{}{}\n",
                               run.run.owner.run_id, run.run.owner.host, run.run.owner.pid,
                               run.run.heartbeat_age_seconds, run.job_ids.size(),
                               run.job_ids.size() == 1 ? "" : "s", run.job_ids.empty() ? "" : ": ",
                               join(run.job_ids, " "));
    }
  });
}

}  // namespace stylesweep
