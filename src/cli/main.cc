// stylesweep: neural style transfer (Gatys, Ecker, Bethge, arXiv 1508.06576) as parameter sweeps.
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "cli/commands.h"
#include "common/error.h"
#include "common/interrupt.h"
#include "engine/stylize.h"

#include <c10/util/Exception.h>

int main(int argc, char** argv) {
  using namespace stylesweep;
  // A sweep must not die of a drain request (SIGTERM, SIGUSR1) that arrives while it starts: take
  // them from the first line (the runner installs them again after MPI_Init). Other commands keep
  // the default, so they end on SIGTERM.
  if (argc > 1 && std::string(argv[1]) == "run") install_stop_handlers();
  CLI::App app{"stylesweep: neural style transfer (Gatys et al., arXiv 1508.06576) as parameter "
               "sweeps"};
  app.set_version_flag("--version", std::string("stylesweep ") + STYLESWEEP_VERSION);
  app.require_subcommand(1);
  add_weights_command(app);
  add_stylize_command(app);
  add_plan_command(app);
  add_run_command(app, &argc, &argv);
  add_status_command(app);
  add_submit_command(app);
  add_report_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // Prints help, the version, or the usage error; every usage error exits with 2.
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  } catch (const ExitWith& exit) {
    return exit.code;
  } catch (const JobFailure& failure) {
    std::cerr << "stylesweep: job failed: " << failure.what() << "\n";
    return kExitFailure;
  } catch (const Error& error) {
    std::cerr << "stylesweep: error: " << error.what() << "\n";
    return kExitUsage;
  } catch (const c10::Error& error) {
    std::cerr << "stylesweep: failure in libtorch: " << error.what_without_backtrace() << "\n";
    return kExitFailure;
  } catch (const std::exception& error) {
    std::cerr << "stylesweep: failure: " << error.what() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}
