// The content-style trade-off of a sweep: per content x style pair, metric_content against
// metric_style over its done jobs (points labelled by ratio, one series per style layer set),
// with the Pareto front drawn, by gnuplot as the loss curves are.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "report/sweep_results.h"

namespace stylesweep {

// The indices of the points that no other point beats in both coordinates (lower is better in
// each), ordered by the first coordinate. Points with a NaN coordinate are never on it.
std::vector<std::size_t> pareto_front(const std::vector<std::pair<double, double>>& points);

// Writes <directory>/tradeoff-<n>.{png,svg}, one per content x style pair that has a done job
// with both metrics; returns the PNG file names (relative to `directory`).
std::vector<std::string> plot_tradeoffs(const SweepResults& results, const std::string& directory);

}  // namespace stylesweep
