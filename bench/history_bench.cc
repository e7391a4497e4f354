// results.h5's analysis views at scale: writes a results file of JOBS jobs with EVALUATIONS
// evaluations each (five style layers, a 4 x 5 x ... grid of ratio, layer set and seed) the way
// every publication does (/index, /history, /summary), and prints the seconds it took and the
// file's size. bench/history_bench.sh then opens it with xarray and pandas.
// Usage: history_bench JOBS EVALUATIONS OUT.h5
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include <fmt/format.h>

#include "bench_directory.h"
#include "store/results_file.h"

using namespace stylesweep;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s JOBS EVALUATIONS OUT.h5\n", argv[0]);
    return 2;
  }
  const int jobs = std::atoi(argv[1]), evaluations = std::atoi(argv[2]);
  const std::string out = argv[3];
  const std::vector<std::string> layers = {"relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"};
  const std::vector<std::string> layer_sets = {"relu1_1", "relu1_1+relu2_1", "relu1_1+relu2_1+relu3_1",
                                               "relu1_1+relu2_1+relu3_1+relu4_1",
                                               "relu1_1+relu2_1+relu3_1+relu4_1+relu5_1"};
  std::map<std::string, IndexRow> rows;
  for (int j = 0; j < jobs; ++j) {
    IndexRow row;
    row.id = fmt::format("{:016x}", 0x9e3779b97f4a7c15ULL * std::uint64_t(j + 1));
    row.label = fmt::format("job{}", j);
    row.status = JobStatus::kDone;
    row.termination = "iterations";
    const std::size_t set = std::size_t(j) % layer_sets.size();
    row.parameters = {{"ratio", fmt::format("{}", std::pow(10.0, -5.0 + double(j / 5 % 4)))},
                      {"style_layers", layer_sets[set]},
                      {"seed", std::to_string(j / 20)}};
    auto history = std::make_shared<HistoryColumns>();
    for (std::size_t l = 0; l <= set; ++l) history->style_layer_names.push_back(layers[l]);
    for (int e = 0; e < evaluations; ++e) {
      const double decay = 1.0 / (1.0 + e + j % 7);
      history->total.push_back(10 * decay);
      history->content.push_back(4 * decay);
      history->style.push_back(6 * decay);
      history->tv.push_back(0);
      for (std::size_t l = 0; l <= set; ++l) history->style_layers.push_back(decay * double(l + 1));
    }
    row.loss_total = history->total.back();
    row.evaluations = evaluations;
    row.history = std::move(history);
    rows[row.id] = std::move(row);
  }
  const double start = wall_seconds();
  write_results_file(out, std::filesystem::path(out).parent_path().string(), {"bench", "", "", "", "random"}, rows, {},
                     {"ratio", "style_layers", "seed"}, false);
  const double seconds = wall_seconds() - start;
  std::printf("history_bench: wrote %d jobs x %d evaluations (5 style layers) in %.2f s: %.1f MiB\n", jobs, evaluations,
              seconds, double(std::filesystem::file_size(out)) / (1 << 20));
  return 0;
}
