#include "report/tradeoff.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "common/error.h"
#include "common/process.h"
#include "common/text.h"
#include "report/grid.h"

namespace stylesweep {
namespace {

std::string stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }

// A gnuplot string: double quotes and backslashes escaped.
std::string gnuplot_text(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string parameter_or(const JobRecord& job, const std::string& key, const std::string& otherwise) {
  const auto found = job.parameters.find(key);
  return found == job.parameters.end() || found->second.empty() ? otherwise : found->second;
}

}  // namespace

std::vector<std::size_t> pareto_front(const std::vector<std::pair<double, double>>& points) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (std::isfinite(points[i].first) && std::isfinite(points[i].second)) order.push_back(i);
  }
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return points[a] < points[b]; });
  std::vector<std::size_t> front;
  double lowest_second = std::numeric_limits<double>::infinity();
  for (std::size_t i : order) {
    if (points[i].second < lowest_second) {
      front.push_back(i);
      lowest_second = points[i].second;
    }
  }
  return front;
}

namespace {

using PairJobs = std::vector<std::pair<std::string, std::vector<const JobRecord*>>>;

// Content x style pairs in the order their first job appears, with their measured jobs.
PairJobs jobs_by_pair(const SweepResults& results) {
  PairJobs pairs;
  for (const JobRecord& job : results.jobs) {
    if (job.status != JobStatus::kDone || !std::isfinite(job.metric_content) || !std::isfinite(job.metric_style)) continue;
    std::vector<std::string> styles;
    for (const auto& path : job.style_paths) styles.push_back(stem(path));
    const std::string pair = stem(job.content_path) + " × " + join(styles, "+");
    auto found = std::find_if(pairs.begin(), pairs.end(), [&](const auto& entry) { return entry.first == pair; });
    if (found == pairs.end()) found = pairs.insert(pairs.end(), {pair, {}});
    found->second.push_back(&job);
  }
  return pairs;
}

// One series per layer set, shortest set first, as the grids order them.
struct Series {
  std::map<std::string, std::vector<const JobRecord*>> by_layers;
  std::vector<std::string> order;
};

Series layer_series(const SweepResults& results, const std::vector<const JobRecord*>& jobs) {
  Series series;
  for (const JobRecord* job : jobs) series.by_layers[parameter_or(*job, "style_layers", "all jobs")].push_back(job);
  const auto& varying = results.varying_keys;
  if (std::find(varying.begin(), varying.end(), "style_layers") != varying.end()) {
    for (const auto& layers : ordered_values(results, "style_layers")) {
      if (series.by_layers.count(layers)) series.order.push_back(layers);
    }
  }
  for (const auto& [layers, members] : series.by_layers) {
    if (std::find(series.order.begin(), series.order.end(), layers) == series.order.end()) {
      series.order.push_back(layers);
    }
  }
  return series;
}

// The plot's data file: a block per series (points labelled by ratio), then the Pareto front.
void write_plot_data(const std::string& data_path, Series& series, const std::vector<std::pair<double, double>>& points) {
  std::ofstream data(data_path);
  for (const auto& layers : series.order) {
    for (const JobRecord* job : series.by_layers[layers]) {
      data << job->metric_content << ' ' << job->metric_style << ' ' << gnuplot_text(parameter_or(*job, "ratio", job->label))
           << '\n';
    }
    data << "\n\n";
  }
  for (std::size_t i : pareto_front(points)) data << points[i].first << ' ' << points[i].second << " \"\"\n";
  if (!data) throw io_error(data_path, "cannot write plot data (disk full?)");
}

std::string plot_commands(const std::string& base, const std::string& pair, const Series& series, bool positive) {
  const std::string data_path = base + ".dat";
  std::string commands = fmt::format("data = {}\nset grid\nset key below font \",8\"\n"
                                     "set format x \"%g\"\nset format y \"%g\"\n{}"
                                     "set xlabel \"metric_content (mean (F - P)² at relu4_2)\"\n"
                                     "set ylabel \"metric_style (mean over relu1_1 … relu5_1)\"\n"
                                     "set title {}\n",
                                     gnuplot_text(data_path), positive ? "set logscale xy\n" : "",
                                     gnuplot_text("content/style trade-off: " + pair + " (points: ratio)"));
  std::string plot;
  for (std::size_t s = 0; s < series.order.size(); ++s) {
    plot += fmt::format("data index {} using 1:2 with points pt 7 ps 1.2 lc {} title {}, "
                        "data index {} using 1:2:3 with labels offset char 0.8,0.6 font \",7\" notitle, ",
                        s, s + 1, gnuplot_text(series.order[s]), s);
  }
  plot += fmt::format("data index {} using 1:2 with lines dt 2 lw 1.5 lc rgb \"black\" title \"Pareto front\"",
                      series.order.size());
  for (const char* format : {"png", "svg"}) {
    const std::string terminal = std::string(format) == "png" ? "pngcairo noenhanced size 900,600 font \"DejaVu Sans,9\""
                                                              : "svg noenhanced size 900,600 font \"DejaVu Sans,9\"";
    commands += fmt::format("set terminal {}\nset output {}\nplot {}\n", terminal, gnuplot_text(base + "." + format), plot);
  }
  return commands + "unset output\n";
}

}  // namespace

std::vector<std::string> plot_tradeoffs(const SweepResults& results, const std::string& directory) {
  const PairJobs pairs = jobs_by_pair(results);
  std::vector<std::string> written;
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    const auto& [pair, jobs] = pairs[p];
    Series series = layer_series(results, jobs);
    std::vector<std::pair<double, double>> points;
    for (const JobRecord* job : jobs) points.emplace_back(job->metric_content, job->metric_style);
    const std::string base = fmt::format("{}/tradeoff-{}", directory, p + 1);
    write_plot_data(base + ".dat", series, points);
    const bool positive = std::all_of(points.begin(), points.end(), [](const auto& xy) { return xy.first > 0 && xy.second > 0; });
    const ProgramResult result = run_program({"gnuplot"}, plot_commands(base, pair, series, positive));
    if (result.exit_code != 0) throw Error("gnuplot failed to draw " + base + ".png", ErrorKind::kInternal);
    written.push_back(std::filesystem::path(base + ".png").filename().string());
  }
  return written;
}

}  // namespace stylesweep
