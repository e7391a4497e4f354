// The project's error type for expected failures: bad input files, configs, weights, arguments.
// Its message names the file, the place inside it and the reason, so main() can print it as is.
#pragma once

#include <stdexcept>
#include <string>

namespace stylesweep {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// "<path>: <reason>", the shape of every file-related message.
Error file_error(const std::string& path, const std::string& reason);

// The size in bytes of the file at `path`; throws "<path>: no such file" or "<path>: is a
// directory, expected <expected>" (e.g. "an image file") otherwise.
long long existing_file_size(const std::string& path, const std::string& expected);

// Exit codes decided by main(); documented in the README.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,     // runtime failure (a job failed, an I/O error)
  kExitUsage = 2,       // bad arguments, config or input files
  kExitJobsFailed = 3,  // a sweep ended with some jobs failed (the others are stored)
  kExitDrained = 75,    // stopped early on a signal or deadline, progress saved: run again
                        // (EX_TEMPFAIL; slurm/sweep.sbatch requeues on it)
};

// Thrown by a subcommand to make main() exit with `code` after a message was already printed.
struct ExitWith {
  int code;
};

}  // namespace stylesweep
