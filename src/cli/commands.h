// The subcommands of the `stylesweep` executable. Each adds itself to the CLI11 app; its callback
// throws an Error of the failure's kind, or sets `outcome` when it ran to an end other than plain
// success, and main() alone turns either into the exit code (cli/exit_codes.h).
#pragma once

namespace CLI { class App; }

namespace stylesweep {

enum class Outcome;

void add_weights_command(CLI::App& app, Outcome& outcome);
void add_stylize_command(CLI::App& app);
void add_plan_command(CLI::App& app);
void add_run_command(CLI::App& app, int* argc, char*** argv, Outcome& outcome);
void add_status_command(CLI::App& app);
void add_submit_command(CLI::App& app);
void add_report_command(CLI::App& app);

}  // namespace stylesweep
