#include "cli/exit_codes.h"

#include <map>
#include <vector>

#include <fmt/format.h>

#include "common/text.h"

namespace stylesweep {
namespace {

struct Entry {
  int code;
  const char* meaning;
};

Entry entry(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk: return {0, "success (a sweep: every job done)"};
    case Outcome::kSomeJobsFailed: return {3, "a sweep ended with some jobs failed (the others are stored)"};
    case Outcome::kDrained:
      return {75, "a sweep drained on a signal or deadline, its progress saved: run the same command again"};
    case Outcome::kWarnings: return {1, "`weights verify` found problems"};
  }
  return {1, ""};
}

Entry entry(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kBadInput: return {2, "bad arguments, config, images or weights files"};
    case ErrorKind::kIo: return {1, "output or resources failed (a full disk, a quota, an I/O error, memory)"};
    case ErrorKind::kInterrupted: return {75, "stopped on request before finishing"};
    case ErrorKind::kJobFailed: return {1, "the job failed (`stylize`: its loss became NaN or infinite)"};
    case ErrorKind::kInternal: return {1, "an internal error (libtorch, MPI, a helper process)"};
  }
  return {1, ""};
}

}  // namespace

int exit_code(Outcome outcome) { return entry(outcome).code; }
int exit_code(ErrorKind kind) { return entry(kind).code; }

std::string exit_code_table() {
  std::map<int, std::vector<std::string>> meanings;
  for (ErrorKind kind : {ErrorKind::kBadInput, ErrorKind::kIo, ErrorKind::kJobFailed,
                         ErrorKind::kInternal, ErrorKind::kInterrupted}) {
    meanings[entry(kind).code].push_back(entry(kind).meaning);
  }
  for (Outcome outcome : {Outcome::kOk, Outcome::kSomeJobsFailed, Outcome::kDrained, Outcome::kWarnings}) {
    meanings[entry(outcome).code].push_back(entry(outcome).meaning);
  }
  std::string table = "| exit code | meaning |\n|---|---|\n";
  for (const auto& [code, texts] : meanings) table += fmt::format("| {} | {} |\n", code, join(texts, "; "));
  return table;
}

}  // namespace stylesweep
