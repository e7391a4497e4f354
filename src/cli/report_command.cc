#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "report/grid.h"
#include "report/html_report.h"
#include "report/plots.h"
#include "report/sweep_results.h"
#include "report/tradeoff.h"

namespace stylesweep {
namespace {

struct ReportArguments {
  std::string results, rows, columns, out, font = kDefaultFont;
};

void run_report(const ReportArguments& arguments) {
  const SweepResults results = read_sweep_results(arguments.results);
  const std::string out = arguments.out.empty()
                              ? (std::filesystem::path(results.path).parent_path() / "report").string()
                              : arguments.out;
  std::filesystem::create_directories(out);
  const TextRenderer text(arguments.font);
  const GridSpec spec = choose_grid(results, arguments.rows, arguments.columns);
  ReportFiles files;
  std::string layout = "[";
  for (const GridPage& page : grid_pages(results, spec)) {
    GridGeometry geometry;
    write_png(out + "/" + page.file_name, render_grid(results, spec, page, text, &geometry));
    layout += fmt::format("{}{{\"file\": \"{}\", \"rows\": {}, \"columns\": {}, \"cell_width\": {}, "
                          "\"cell_height\": {}, \"label_width\": {}, \"header_height\": {}, \"gap\": {}, "
                          "\"title_height\": {}}}",
                          files.grids.empty() ? "" : ",\n ", page.file_name, geometry.rows, geometry.columns,
                          geometry.cell_width, geometry.cell_height, geometry.label_width,
                          geometry.header_height, kGridGap, kGridTitleHeight);
    files.grids.push_back(page.file_name);
    const std::string stem = std::filesystem::path(page.file_name).stem().string();
    for (const auto& written : plot_losses(results, page, out + "/" + stem)) {
      if (std::filesystem::path(written).extension() == ".png") {
        files.curves.push_back(std::filesystem::path(written).filename().string());
      }
    }
  }
  std::ofstream(out + "/grids.json") << layout << "]\n";
  files.tradeoffs = plot_tradeoffs(results, out);
  files.videos = write_video_strips(results, out);
  files.snapshots = write_snapshot_strips(results, out);
  write_summary_csv(results, out + "/summary.csv");
  write_html_report(results, files, out + "/report.html");
  std::cout << fmt::format("report: {}/report.html ({} grid{}, rows {}, columns {}; summary.csv, "
                           "loss curves and {} trade-off plot{} as PNG and SVG)\n",
                           out, files.grids.size(), files.grids.size() == 1 ? "" : "s",
                           spec.rows.empty() ? "-" : spec.rows, spec.columns.empty() ? "-" : spec.columns,
                           files.tradeoffs.size(), files.tradeoffs.size() == 1 ? "" : "s");
  if (!files.videos.empty()) {
    std::cout << fmt::format("report: {} video job{} as strips and players\n", files.videos.size(),
                             files.videos.size() == 1 ? "" : "s");
  }
  if (!files.snapshots.empty()) {
    std::cout << fmt::format("report: snapshots of {} job{} as strips\n", files.snapshots.size(),
                             files.snapshots.size() == 1 ? "" : "s");
  }
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto arguments = std::make_shared<ReportArguments>();
  CLI::App* command = app.add_subcommand(
      "report", "Grids of the output images, loss curves, summary.csv and report.html for a sweep "
                "(also while it runs)");
  command->footer("Examples:\n  stylesweep report results/demo\n  stylesweep report results/demo --rows style --cols ratio --out /tmp/report");
  command->add_option("RESULTS_OR_OUTPUT", arguments->results, "results.h5 or the sweep's output directory")
      ->required();
  command->add_option("--rows", arguments->rows, "Varying parameter for the rows (default: the first)");
  command->add_option("--cols", arguments->columns, "Varying parameter for the columns (default: the second)");
  command->add_option("--out", arguments->out, "Report directory (default: <output>/report)");
  command->add_option("--font", arguments->font, "TrueType font for labels")->capture_default_str();
  command->callback([arguments] { run_report(*arguments); });
}

}  // namespace stylesweep
