#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/progress.h"
#include "runner/run_status.h"

namespace stylesweep {

void add_status_command(CLI::App& app) {
  auto target = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "status", "Summarize a sweep's progress from its output directory (also while it runs)");
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
  });
}

}  // namespace stylesweep
