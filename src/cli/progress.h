// Progress display for long optimizations: a live line redrawn in place on a terminal, plain
// periodic lines in a log file (Slurm output), so logs stay readable.
#pragma once

#include <cstdio>
#include <string>

#include "engine/stylize.h"

namespace stylesweep {

class ProgressPrinter {
 public:
  // log_every: evaluations between plain lines when not on a terminal.
  ProgressPrinter(std::FILE* stream, int log_every);
  void operator()(const Progress& progress);
  void finish();

 private:
  std::FILE* stream_;
  bool live_;
  int log_every_;
  bool line_open_ = false;
};

std::string format_duration(double seconds);

}  // namespace stylesweep
