// stylesweep: neural style transfer (Gatys, Ecker, Bethge, arXiv 1508.06576) as parameter sweeps.
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/usage_hint.h"
#include "common/error.h"
#include "common/interrupt.h"
#include "common/version.h"
#include "engine/device.h"
#include "runner/session.h"

int main(int argc, char** argv) {
  using namespace stylesweep;
  // A sweep must not die of a drain request (SIGTERM, SIGUSR1) that arrives while it starts: take
  // them from the first line (the runner installs them again after MPI_Init). Other commands keep
  // the default, so they end on SIGTERM.
  if (argc > 1 && std::string(argv[1]) == "run") install_stop_handlers();
  CLI::App app{"stylesweep: neural style transfer (Gatys et al., arXiv 1508.06576) as parameter "
               "sweeps"};
  app.set_version_flag("--version", std::string("stylesweep ") + version() +
                                        (sessions_have_mpi() ? " (MPI)" : " (serial: no MPI)") + ", " +
                                        libtorch_description());
  app.add_flag_callback("--exit-codes", [] {
    std::cout << exit_code_table();
    throw CLI::Success();
  }, "Print the exit codes and their meanings");
  app.require_subcommand(1);
  Outcome outcome = Outcome::kOk;  // set by a command that ran to its end
  add_weights_command(app, outcome);
  add_stylize_command(app);
  add_plan_command(app);
  add_run_command(app, &argc, &argv, outcome);
  add_status_command(app);
  add_submit_command(app);
  add_report_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // Prints help, the version, or the usage error, after what the user most likely meant.
    if (error.get_exit_code() != 0) {
      const std::string hint = usage_hint(app, std::vector<std::string>(argv + 1, argv + argc));
      if (!hint.empty()) std::cerr << "stylesweep: error: " << hint << "\n";
    }
    const int code = app.exit(error);
    return code == 0 ? exit_code(Outcome::kOk) : exit_code(ErrorKind::kBadInput);
  } catch (const ReportedError& error) {
    return exit_code(error.kind());
  } catch (const Error& error) {
    std::cerr << (error.kind() == ErrorKind::kJobFailed ? "stylesweep: job failed: " : "stylesweep: error: ")
              << error.what() << "\n";
    return exit_code(error.kind());
  } catch (const std::exception& error) {
    std::cerr << "stylesweep: failure: " << error.what() << "\n";
    return exit_code(ErrorKind::kInternal);
  }
  return exit_code(outcome);
}
