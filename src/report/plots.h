// Loss curves drawn by gnuplot (Debian's gnuplot-nox), driven from the program: the data go to
// a file, the plot commands to gnuplot's standard input; no shell is involved.
#pragma once

#include <string>
#include <vector>

#include "report/grid.h"

namespace stylesweep {

// Writes <prefix>-losses.{png,svg} (total, content and style loss per job, log scale) and
// <prefix>-style-layers.{png,svg} (each style layer's E_l per job). Returns the files written.
std::vector<std::string> plot_losses(const SweepResults& results, const GridPage& page,
                                     const std::string& prefix);

}  // namespace stylesweep
