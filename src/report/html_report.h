// report.html: the grids, the loss curves and a sortable table of every job, self-contained
// (images sit beside it; a few lines of inline script sort the table) and readable offline.
#pragma once

#include <string>
#include <vector>

#include "report/snapshot_strips.h"
#include "report/sweep_results.h"
#include "report/video_strips.h"

namespace stylesweep {

struct ReportFiles {
  std::vector<std::string> grids;   // file names relative to the report directory
  std::vector<std::string> curves;  // PNG curves, relative
  std::vector<std::string> tradeoffs;  // PNG trade-off plots, relative
  std::vector<VideoStrip> videos;      // video jobs: strips and players
  std::vector<SnapshotStrip> snapshots;  // jobs with snapshot_every: their snapshots
};

void write_summary_csv(const SweepResults& results, const std::string& path);
void write_html_report(const SweepResults& results, const ReportFiles& files, const std::string& path);

}  // namespace stylesweep
