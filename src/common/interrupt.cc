#include "common/interrupt.h"

#include <csignal>

namespace stylesweep {
namespace {

volatile std::sig_atomic_t g_stop_signal = 0;

void on_stop_signal(int signal) { g_stop_signal = signal; }

}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGUSR1, &action, nullptr);
}

bool stop_requested() { return g_stop_signal != 0; }
void request_stop() { g_stop_signal = -1; }
int stop_signal() { return g_stop_signal; }

}  // namespace stylesweep
