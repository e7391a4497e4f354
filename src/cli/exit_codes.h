// The exit codes of `stylesweep`, in one place: main() turns an error's kind, or how a command
// that ran to its end finished, into the process's exit code, and the table of docs/sweeps.md is this
// table (`stylesweep --exit-codes` prints it; cli_test compares).
#pragma once

#include <string>

#include "common/error.h"

namespace stylesweep {

// How a command that ran to its end finished.
enum class Outcome {
  kOk,
  kSomeJobsFailed,  // a sweep ended with failed jobs; the others are stored
  kDrained,         // a sweep stopped early on a signal or deadline, its progress saved
  kWarnings,        // a check (`weights verify`) found problems
};

int exit_code(Outcome outcome);
int exit_code(ErrorKind kind);

// The exit-code table of docs/sweeps.md: a Markdown row per code, each naming every kind and outcome
// that ends with it.
std::string exit_code_table();

}  // namespace stylesweep
