#include "runner/run_status.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>

#include <fmt/format.h>

#include "common/error.h"
#include "common/text.h"

namespace stylesweep {

RunStatusWriter::RunStatusWriter(std::string output_directory, std::size_t total,
                                 std::size_t skipped)
    : path_(output_directory + "/status.json"), total_(total), skipped_(skipped) {}

double seconds_left(const RunCounts& counts, double elapsed_seconds) {
  if (counts.eta_seconds >= 0) return counts.eta_seconds;
  const std::size_t finished = counts.done + counts.failed;
  return finished > 0 ? elapsed_seconds / double(finished) * double(counts.running + counts.queued) : 0;
}

void RunStatusWriter::update(const RunCounts& counts, double elapsed_seconds) {
  const std::size_t finished = counts.done + counts.failed;
  const double per_hour = elapsed_seconds > 0 ? 3600.0 * double(finished) / elapsed_seconds : 0;
  const std::size_t left = counts.running + counts.queued;
  const double eta = seconds_left(counts, elapsed_seconds);
  const std::string text = fmt::format(
      "{{\"total\": {}, \"done\": {}, \"failed\": {}, \"running\": {}, \"queued\": {}, "
      "\"skipped\": {}, \"elapsed_seconds\": {:.3f}, \"jobs_per_hour\": {:.3f}, "
      "\"eta_seconds\": {:.1f}, \"coordinator_busy_seconds\": {:.3f}, "
      "\"coordinator_cpu_seconds\": {:.3f}, \"store_cpu_seconds\": {:.3f}, "
      "\"png_cpu_seconds\": {:.3f}, \"journal_writer_cpu_seconds\": {:.3f}, \"finished\": {}, "
      "\"updated_utc\": \"{}\"}}\n",
      total_, counts.done, counts.failed, counts.running, counts.queued, skipped_, elapsed_seconds,
      per_hour, eta, counts.busy_seconds, counts.busy_cpu_seconds, counts.store_cpu_seconds,
      counts.png_cpu_seconds, counts.journal_writer_cpu_seconds, left == 0 ? "true" : "false",
      utc_now_iso());
  const std::string temporary = path_ + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return;  // progress display only: never fails the sweep
  }
  std::rename(temporary.c_str(), path_.c_str());
}

RunStatus read_run_status(const std::string& output_directory) {
  const std::string path = output_directory + "/status.json";
  std::ifstream in(path);
  if (!in) throw file_error(path, "no status file (has this sweep been started?)", ErrorKind::kBadInput);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::map<std::string, std::string> fields;
  const std::regex field("\"([a-z_]+)\": \"?([^,\"}]*)\"?");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), field); it != std::sregex_iterator(); ++it) {
    fields[(*it)[1]] = (*it)[2];
  }
  RunStatus status;
  try {
    status.total = std::stoul(fields.at("total"));
    status.done = std::stoul(fields.at("done"));
    status.failed = std::stoul(fields.at("failed"));
    status.running = std::stoul(fields.at("running"));
    status.queued = std::stoul(fields.at("queued"));
    status.skipped = std::stoul(fields.at("skipped"));
    status.elapsed_seconds = std::stod(fields.at("elapsed_seconds"));
    status.jobs_per_hour = std::stod(fields.at("jobs_per_hour"));
    status.eta_seconds = std::stod(fields.at("eta_seconds"));
    status.finished = fields.at("finished") == "true";
    status.updated_utc = fields.at("updated_utc");
  } catch (const std::exception&) {
    throw file_error(path, "malformed status file", ErrorKind::kBadInput);
  }
  return status;
}

}  // namespace stylesweep
