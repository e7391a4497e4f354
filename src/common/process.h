// Runs another program without a shell: arguments are passed as they are, so no text from a
// config or the command line is ever parsed by one.
#pragma once

#include <string>
#include <vector>

namespace stylesweep {

struct ProgramResult {
  int exit_code = 0;  // 127 when the program could not be started (not installed)
  std::string output; // its standard output
};

// Writes `input` to the program's standard input, closes it, then collects its standard output.
// (Meant for programs that read all their input before writing much: gnuplot, sbatch.)
// `quiet`: its standard error goes to /dev/null (a probe whose failure is an answer).
ProgramResult run_program(const std::vector<std::string>& arguments, const std::string& input = "",
                          bool quiet = false);

// Replaces this process by itself, same arguments, with glibc's malloc backed by transparent huge
// pages (GLIBC_TUNABLES glibc.malloc.hugetlb=1, which glibc reads only at start). Worth it only
// before building hundreds of MiB of small objects: a million planned jobs spend a third of
// their time in page faults otherwise. Returns without doing anything when the tunable is
// already set (so it happens once), when the kernel has huge pages off, or when exec fails.
void reexecute_with_huge_pages();

// The first `directory/relative` that exists, for `directory` the executable's folder and each
// folder above it, trying `relatives` in order at each level; "" when none does. How the program
// finds what its checkout (build/src/stylesweep) or install prefix (bin/stylesweep) holds,
// without a path baked in at build time.
std::string find_near_executable(const std::vector<std::string>& relatives);

}  // namespace stylesweep
