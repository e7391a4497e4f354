#include "report/html_report.h"

#include <fstream>

#include <fmt/format.h>

#include "common/error.h"
#include "common/text.h"

namespace stylesweep {
namespace {

std::string html_escape(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

std::vector<std::string> columns(const SweepResults& results) {
  std::vector<std::string> names = {"id", "label", "status"};
  names.insert(names.end(), results.varying_keys.begin(), results.varying_keys.end());
  for (const char* name : {"loss_total", "loss_content", "loss_style", "metric_content", "metric_style", "metric_ssim",
                           "metric_color", "evaluations", "evaluation_within_1pct", "termination", "wall_seconds",
                           "error"}) {
    names.push_back(name);
  }
  return names;
}

std::string cell(const JobRecord& job, const std::string& column) {
  if (column == "id") return job.id;
  if (column == "label") return job.label;
  if (column == "status") return choice_name(job.status);
  if (column == "error") return job.error;
  if (column == "loss_total") return fmt::format("{:.6g}", job.loss_total);
  if (column == "loss_content") return fmt::format("{:.6g}", job.loss_content);
  if (column == "loss_style") return fmt::format("{:.6g}", job.loss_style);
  if (column == "metric_content") return fmt::format("{:.6g}", job.metric_content);
  if (column == "metric_style") return fmt::format("{:.6g}", job.metric_style);
  if (column == "metric_ssim") return fmt::format("{:.4f}", job.metric_ssim);
  if (column == "metric_color") return fmt::format("{:.4g}", job.metric_color);
  if (column == "termination") return job.termination;
  if (column == "evaluation_within_1pct") return fmt::format("{:g}", job.evaluation_within_1pct);
  if (column == "evaluations") return fmt::format("{:g}", job.evaluations);
  if (column == "wall_seconds") return fmt::format("{:.2f}", job.wall_seconds);
  return job.parameters.at(column);
}

const char* kSortScript = R"(<script>
// Click a header to sort by it; numbers sort as numbers.
document.querySelectorAll('th').forEach((header, column) => header.addEventListener('click', () => {
  const body = header.closest('table').tBodies[0];
  const ascending = header.dataset.order !== 'ascending';
  header.dataset.order = ascending ? 'ascending' : 'descending';
  const key = row => { const t = row.cells[column].textContent; const n = Number(t); return t !== '' && !isNaN(n) ? n : t; };
  [...body.rows].sort((a, b) => { const x = key(a), y = key(b); return (x > y ? 1 : x < y ? -1 : 0) * (ascending ? 1 : -1); })
    .forEach(row => body.appendChild(row));
}));
// For checks: how many images loaded, how many rows the table has.
window.addEventListener('load', () => {
  const images = [...document.images];
  document.body.dataset.imagesLoaded = images.filter(i => i.complete && i.naturalWidth > 0).length + '/' + images.length;
  document.body.dataset.rows = document.querySelector('#jobs tbody').rows.length;
});
// For checks: each player's duration once known, and how far it has played.
document.querySelectorAll('video').forEach(video => {
  video.addEventListener('loadedmetadata', () => { video.dataset.duration = video.duration.toFixed(3); });
  video.addEventListener('timeupdate', () => {
    video.dataset.played = video.currentTime.toFixed(3);
    document.body.dataset.videosPlaying = [...document.querySelectorAll('video')]
      .filter(v => Number(v.dataset.played) > 0).length + '/' + document.querySelectorAll('video').length;
  });
});
</script>)";

// Each video job: a player (looping, muted so that browsers let it start by itself) and the strip.
void write_videos(std::ostream& out, const std::vector<VideoStrip>& videos) {
  if (videos.empty()) return;
  out << "<h2>Videos</h2>\n<p>Each video job's last pass: the player, then " << "evenly spaced frames.</p>\n";
  for (const VideoStrip& video : videos) {
    out << "<h3>" << html_escape(video.label) << "</h3>\n<p>" << video.frames << " frames, " << video.passes
        << (video.passes == 1 ? " pass" : " passes") << "</p>\n";
    if (!video.video.empty()) {
      out << "<video controls autoplay loop muted playsinline src=\"" << html_escape(video.video)
          << "\" style=\"image-rendering:pixelated;min-width:256px\"></video>\n";
    }
    out << "<img src=\"" << html_escape(video.strip) << "\" alt=\"" << html_escape(video.label) << "\">\n";
  }
}

// Each job that kept snapshots: its strip, labelled with the evaluations shown.
void write_snapshots(std::ostream& out, const std::vector<SnapshotStrip>& snapshots) {
  if (snapshots.empty()) return;
  out << "<h2>Snapshots</h2>\n<p>The image along each job's optimization (<code>snapshot_every</code>), "
         "first to last.</p>\n";
  for (const SnapshotStrip& strip : snapshots) {
    std::string evaluations;
    for (int evaluation : strip.evaluations) evaluations += (evaluations.empty() ? "" : ", ") + std::to_string(evaluation);
    out << "<h3>" << html_escape(strip.label) << "</h3>\n<p>evaluations " << evaluations << "</p>\n<img src=\""
        << html_escape(strip.strip) << "\" alt=\"" << html_escape(strip.label) << " snapshots\">\n";
  }
}

}  // namespace

void write_summary_csv(const SweepResults& results, const std::string& path) {
  std::ofstream out(path);
  const auto names = columns(results);
  out << join(names, ",") << "\n";
  for (const auto& job : results.jobs) {
    std::vector<std::string> cells;
    for (const auto& name : names) cells.push_back(csv_field(cell(job, name)));
    out << join(cells, ",") << "\n";
  }
  if (!out) throw io_error(path, "cannot write (disk full?)");
}

void write_html_report(const SweepResults& results, const ReportFiles& files, const std::string& path) {
  std::ofstream out(path);
  out << "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>stylesweep: "
      << html_escape(results.name) << "</title>\n<style>body{font-family:sans-serif;margin:2em}"
      << "img{max-width:100%;border:1px solid #ccc;margin:0.5em 0}table{border-collapse:collapse}"
      << "th,td{border:1px solid #ccc;padding:2px 6px;font-size:13px}th{cursor:pointer;background:#eee}"
      << "tr.failed{background:#fdd}</style></head>\n<body>\n";
  out << "<h1>" << html_escape(results.name) << "</h1>\n<p>" << results.jobs.size() << " jobs from <code>"
      << html_escape(results.path) << "</code></p>\n<h2>Grids</h2>\n";
  for (const auto& grid : files.grids) out << "<img src=\"" << html_escape(grid) << "\" alt=\"" << html_escape(grid) << "\">\n";
  out << "<h2>Loss curves</h2>\n";
  for (const auto& curve : files.curves) out << "<img src=\"" << html_escape(curve) << "\" alt=\"" << html_escape(curve) << "\">\n";
  if (!files.tradeoffs.empty()) {
    out << "<h2>Content and style trade-off</h2>\n<p>The common yardstick (docs/config.md): lower is better on "
           "both axes; the dashed line is the Pareto front.</p>\n";
  }
  for (const auto& plot : files.tradeoffs) out << "<img src=\"" << html_escape(plot) << "\" alt=\"" << html_escape(plot) << "\">\n";
  write_videos(out, files.videos);
  write_snapshots(out, files.snapshots);
  out << "<h2>Jobs</h2>\n<table id=\"jobs\"><thead><tr>";
  const auto names = columns(results);
  for (const auto& name : names) out << "<th>" << html_escape(name) << "</th>";
  out << "</tr></thead>\n<tbody>\n";
  for (const auto& job : results.jobs) {
    out << "<tr class=\"" << html_escape(choice_name(job.status)) << "\">";
    for (const auto& name : names) out << "<td>" << html_escape(cell(job, name)) << "</td>";
    out << "</tr>\n";
  }
  out << "</tbody></table>\n" << kSortScript << "\n</body></html>\n";
  if (!out) throw io_error(path, "cannot write (disk full?)");
}

}  // namespace stylesweep
