// The project's error type for expected failures: bad input files, configs, weights, arguments,
// and output that cannot be written. Its message names the file, the place inside it and the
// reason, so main() can print it as is; its kind says what went wrong, and main() alone turns
// the kind into the exit code (cli/exit_codes.h).
#pragma once

#include <stdexcept>
#include <string>

namespace stylesweep {

// The kinds of failure, in the style of leveldb's Status codes.
enum class ErrorKind {
  kBadInput,     // arguments, configs, images, weights files: fixed by changing the input
  kIo,           // output or resources failed: a full disk, a quota, an I/O error, memory
  kInterrupted,  // stopped on request (a signal, a deadline) before finishing
  kJobFailed,    // a job's optimization failed (its loss became NaN or infinite)
  kInternal,     // a failure inside a library or a helper (libtorch, MPI, a process), or a bug
};

class Error : public std::runtime_error {
 public:
  // Every throw names its kind: what went wrong decides the exit code, and no kind is assumed.
  Error(const std::string& message, ErrorKind kind) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// An error another rank (or an earlier line of output) has already reported: main() exits with
// its kind's code and prints nothing more.
class ReportedError : public Error {
 public:
  explicit ReportedError(ErrorKind kind) : Error("reported already", kind) {}
};

// A check of input: throws Error(message) of kind kBadInput unless `condition`. With a callable,
// the message is built only when the check fails: validation runs for every job of a sweep (a
// million times for large ones).
inline void require(bool condition, const std::string& message) {
  if (!condition) throw Error(message, ErrorKind::kBadInput);
}
template <typename Format>
auto require(bool condition, const Format& message) -> decltype(void(message())) {
  if (!condition) throw Error(message(), ErrorKind::kBadInput);
}

// "<path>: <reason>", the shape of every file-related message.
Error file_error(const std::string& path, const std::string& reason, ErrorKind kind);
// The same for output that could not be written, synced or renamed (kind kIo).
Error io_error(const std::string& path, const std::string& reason);

// The size in bytes of the file at `path`; throws "<path>: no such file" or "<path>: is a
// directory, expected <expected>" (e.g. "an image file") otherwise.
long long existing_file_size(const std::string& path, const std::string& expected);
// The whole file's bytes; the same errors as existing_file_size, and "cannot open for reading".
std::string read_file_bytes(const std::string& path, const std::string& expected);

}  // namespace stylesweep
