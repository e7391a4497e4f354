// Stop requests from signals: SIGTERM (Slurm preemption, scancel) and SIGUSR1 (Slurm's --signal
// before the time limit) set a flag that the coordinator and the engine poll; they then drain:
// checkpoint what runs, store what finished, exit with the drained code (cli/exit_codes.h).
#pragma once

namespace stylesweep {

void install_stop_handlers();
bool stop_requested();
void request_stop();  // for tests and deadlines
int stop_signal();    // the signal that asked, 0 if none

}  // namespace stylesweep
