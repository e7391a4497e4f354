#include "cli/progress.h"

#include <unistd.h>

#include <fmt/format.h>

#include "runner/run_status.h"

namespace stylesweep {

std::string format_duration(double seconds) {
  const long total = long(seconds + 0.5);
  if (total >= 3600) return fmt::format("{}h{:02d}m", total / 3600, int(total % 3600 / 60));
  if (total >= 60) return fmt::format("{}m{:02d}s", total / 60, int(total % 60));
  return fmt::format("{}s", total);
}

ProgressPrinter::ProgressPrinter(std::FILE* stream, int log_every)
    : stream_(stream), live_(isatty(fileno(stream)) != 0), log_every_(std::max(1, log_every)) {}

void ProgressPrinter::operator()(const Progress& progress) {
  const bool last = progress.evaluation >= progress.planned_evaluations;
  if (!live_ && progress.evaluation % log_every_ != 0 && progress.evaluation != 1 && !last) return;
  const double rate = progress.elapsed_seconds > 0 ? progress.evaluation / progress.elapsed_seconds : 0;
  const double eta = rate > 0 ? std::max(0, progress.planned_evaluations - progress.evaluation) / rate : 0;
  const std::string line = fmt::format(
      "eval {:>5}/{:<5} total {:.4e}  content {:.4e}  style {:.4e}  {:.2f} it/s  ETA {}",
      progress.evaluation, progress.planned_evaluations, progress.total, progress.content,
      progress.style, rate, format_duration(eta));
  if (live_) {
    fmt::print(stream_, "\r{}\x1b[K", line);
    line_open_ = true;
  } else {
    fmt::print(stream_, "{}\n", line);
  }
  std::fflush(stream_);
}

void ProgressPrinter::finish() {
  if (line_open_) fmt::print(stream_, "\n");
  line_open_ = false;
}

SweepProgress::SweepProgress(std::FILE* stream, std::size_t to_run, bool live, double log_seconds)
    : stream_(stream), live_(live), to_run_(to_run), log_seconds_(log_seconds) {}

std::string SweepProgress::position(const RunCounts& counts) const {
  return fmt::format("[{}/{}]", counts.done + counts.failed, to_run_);
}

std::string SweepProgress::pace(const RunCounts& counts, double elapsed_seconds) const {
  const std::size_t finished = counts.done + counts.failed;
  const double per_hour = elapsed_seconds > 0 ? 3600.0 * double(finished) / elapsed_seconds : 0;
  const bool known = counts.eta_seconds >= 0 || finished > 0;
  return fmt::format("{} running, {} queued, {:.0f} jobs/h, ETA {}", counts.running, counts.queued,
                     per_hour, known ? format_duration(seconds_left(counts, elapsed_seconds)) : "-");
}

void SweepProgress::job_finished(const RunCounts& counts, double elapsed_seconds, const std::string& what,
                                 const std::string& after) {
  job_line(fmt::format("{} {} | {}{}", position(counts), what, pace(counts, elapsed_seconds), after));
}

void SweepProgress::job_line(const std::string& line) {
  fmt::print(stream_, "{}{}\n", line_open_ ? "\r\x1b[K" : "", line);
  line_open_ = false;
  std::fflush(stream_);
}

void SweepProgress::update(const RunCounts& counts, double elapsed_seconds) {
  if (live_) {
    fmt::print(stream_, "\r{} {}\x1b[K", position(counts), pace(counts, elapsed_seconds));
    line_open_ = true;
  } else if (elapsed_seconds - last_logged_ >= log_seconds_) {
    fmt::print(stream_, "progress: {} {}\n", position(counts), pace(counts, elapsed_seconds));
    last_logged_ = elapsed_seconds;
  } else {
    return;
  }
  std::fflush(stream_);
}

void SweepProgress::finish() {
  if (line_open_) fmt::print(stream_, "\r\x1b[K");
  line_open_ = false;
  std::fflush(stream_);
}

}  // namespace stylesweep
