// The subcommands of the `stylesweep` executable. Each adds itself to the CLI11 app; its callback
// throws on failure and main() alone turns exceptions into exit codes.
#pragma once

namespace CLI { class App; }

namespace stylesweep {

void add_weights_command(CLI::App& app);
void add_stylize_command(CLI::App& app);
void add_plan_command(CLI::App& app);
void add_run_command(CLI::App& app, int* argc, char*** argv);
void add_status_command(CLI::App& app);
void add_submit_command(CLI::App& app);
void add_report_command(CLI::App& app);

}  // namespace stylesweep
