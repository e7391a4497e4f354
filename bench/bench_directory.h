// What the store benchmarks share: a wall clock and a scratch output directory under $TMPDIR
// (default /tmp), so they measure the filesystem the sweeps write to when TMPDIR points there.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace stylesweep {

inline double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// A new directory <TMPDIR>/<name>.XXXXXX; "" after printing why when it cannot be made.
inline std::string make_bench_directory(const std::string& name) {
  const char* temporary = std::getenv("TMPDIR");
  std::string pattern = std::string(temporary && *temporary ? temporary : "/tmp") + "/" + name + ".XXXXXX";
  if (!mkdtemp(pattern.data())) {
    std::perror(pattern.c_str());
    return "";
  }
  return pattern;
}

}  // namespace stylesweep
