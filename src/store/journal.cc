#include "store/journal.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string_view>

#include <fmt/format.h>

#include "common/error.h"
#include "common/text.h"
#include "h5/h5_file.h"
#include "job/losses_name.h"
#include "store/index_file.h"
#include "store/results_file.h"

namespace stylesweep {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSegmentPrefix = "segment-";

// The segment's number: its time for this version's names, its counter for segment-<n>.h5 of
// earlier versions; 0 for their one-job files, so those load first.
long long segment_number(const std::string& file_name) {
  if (file_name.rfind(kSegmentPrefix, 0) != 0) return 0;
  try {
    return std::stoll(file_name.substr(std::strlen(kSegmentPrefix)));
  } catch (const std::exception&) {
    return 0;
  }
}

// Whether `later` comes after `earlier` in the journal's order.
bool sorts_after(const std::string& later, const std::string& earlier) {
  return std::make_pair(segment_number(later), later) > std::make_pair(segment_number(earlier), earlier);
}

long long microseconds_now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Results of an earlier version's loss: refused whole, so one results.h5 never mixes two losses.
class OtherNormalization : public Error {
 public:
  OtherNormalization(const std::string& path, const std::string& normalization, std::size_t jobs)
      : Error(file_error(path, fmt::format(
                                   "holds {} job{} computed with the '{}' style normalization of "
                                   "an earlier version; this version computes '{}' (Gram "
                                   "matrices per position) and never mixes the two in one "
                                   "results.h5: use another output directory, or move this "
                                   "one's results away",
                                   jobs, jobs == 1 ? "" : "s", normalization, kNormalizationName), ErrorKind::kBadInput)
                  .what(),
              ErrorKind::kBadInput) {}
};

// A job group's normalization; groups of the earliest versions all used the paper's.
std::string job_normalization(const h5::File& file, const std::string& group) {
  return file.has_attribute(group, "normalization") ? file.attribute_string(group, "normalization")
                                                    : kEarlierNormalizationName;
}

void load_journal_file(Journal& journal, const std::string& file_name,
                       const std::vector<std::string>& varying_keys, std::vector<std::string>* notes) {
  const std::string path = journal.path(file_name);
  std::map<std::string, IndexRow> rows;
  std::string normalization = kNormalizationName;
  try {
    const h5::File file = h5::File::open_read_only(path);
    if (file.exists("/jobs")) {
      for (const auto& id : file.list_group("/jobs")) rows[id] = read_index_row(file, id, varying_keys);
      // One process of one version wrote the file: its first job speaks for all.
      if (!rows.empty()) normalization = job_normalization(file, "/jobs/" + rows.begin()->first);
    }
  } catch (const Error& error) {
    const std::string aside = path + ".damaged";
    std::error_code moved;
    fs::rename(path, aside, moved);
    if (moved) return;  // another run moved it aside first
    if (notes) {
      notes->push_back(fmt::format("unreadable journal file moved to {} ({}); its jobs will run again",
                                   aside, error.what()));
    }
    return;
  }
  if (normalization != kNormalizationName) throw OtherNormalization(path, normalization, rows.size());
  journal.remember(file_name, std::move(rows));
}

}  // namespace

void Journal::remember(const std::string& file_name, std::map<std::string, IndexRow> file_rows) {
  loaded.insert(file_name);
  for (auto& [id, row] : file_rows) {
    auto known = file_of.find(id);
    if (known != file_of.end()) {
      const bool done_before = rows[id].status == JobStatus::kDone;
      if (!sorts_after(file_name, known->second) || (done_before && row.status != JobStatus::kDone)) continue;
    }
    rows[id] = std::move(row);
    file_of[id] = file_name;
  }
}

std::string Journal::new_segment_name() {
  return fmt::format("{}{:016d}-{}-{}.h5", kSegmentPrefix, microseconds_now(), run_id, next_segment++);
}

std::string segment_run_id(const std::string& file_name) {
  // segment-<16 digits>-<run id>-<n>.h5[.tmp-<pid>]; run ids hold '-' themselves.
  const std::size_t start = std::strlen(kSegmentPrefix) + 17;
  if (file_name.rfind(kSegmentPrefix, 0) != 0 || file_name.size() <= start || file_name[start - 1] != '-') return "";
  const std::size_t end = file_name.rfind(".h5");
  const std::size_t counter = end == std::string::npos ? end : file_name.rfind('-', end);
  if (counter == std::string::npos || counter <= start) return "";
  return file_name.substr(start, counter - start);
}

std::vector<std::string> load_journal(Journal& journal, const std::vector<std::string>& varying_keys,
                                      std::vector<std::string>* notes, const RunIsLive& run_is_live) {
  std::vector<std::pair<long long, std::string>> files;  // (segment number, name): oldest first
  // readdir, not directory_iterator: every claim re-reads a directory of thousands of segments,
  // and the names already loaded must cost no allocation.
  DIR* listing = ::opendir(journal.directory.c_str());
  if (!listing) throw io_error(journal.directory, std::string("cannot list: ") + std::strerror(errno));
  while (const dirent* entry = ::readdir(listing)) {
    const std::string_view name(entry->d_name);
    if (name.find(".tmp-") != std::string_view::npos) {
      // A live run's segment in the making, or the leftover of one that is gone.
      const std::string owner = segment_run_id(std::string(name));
      if (owner.empty() || !run_is_live(owner)) ::unlink(journal.path(std::string(name)).c_str());
      continue;
    }
    if (name.size() < 4 || name.substr(name.size() - 3) != ".h5" || journal.loaded.count(name)) continue;
    files.emplace_back(segment_number(std::string(name)), std::string(name));
  }
  ::closedir(listing);
  std::sort(files.begin(), files.end());
  std::vector<std::string> names;
  for (const auto& [number, name] : files) {
    load_journal_file(journal, name, varying_keys, notes);
    names.push_back(name);
  }
  return names;
}

std::optional<std::string> adopt_results_file(const std::string& path, Journal& journal,
                                              const std::vector<std::string>& varying_keys,
                                              std::vector<std::string>* notes) {
  if (!fs::exists(path)) return std::nullopt;
  std::optional<std::string> created_utc;
  try {
    const h5::File file = h5::File::open_read_only(path);
    if (!file.has_attribute("/", "format") || file.attribute_string("/", "format") != "stylesweep-results") {
      throw file_error(path, "not a stylesweep results file", ErrorKind::kBadInput);
    }
    if (file.has_attribute("/", "normalization") &&
        file.attribute_string("/", "normalization") != kNormalizationName) {
      throw OtherNormalization(path, file.attribute_string("/", "normalization"),
                               file.exists("/jobs") ? file.list_group("/jobs").size() : 0);
    }
    if (file.has_attribute("/", "created_utc")) created_utc = file.attribute_string("/", "created_utc");
    if (!file.exists("/jobs")) return created_utc;
    std::vector<std::string> missing;  // only results.h5 holds them (journal files deleted)
    for (const auto& id : file.list_group("/jobs")) {
      if (!journal.rows.count(id)) missing.push_back(id);
    }
    if (missing.empty()) return created_utc;
    // Put them back in the journal, as one segment.
    const std::string name = journal.new_segment_name();
    std::map<std::string, IndexRow> rows;
    {
      ResultFileWriter writer(journal.path(name));
      for (const auto& id : missing) {
        writer.file().copy_from(file, "/jobs/" + id, "/jobs/" + id);
        rows[id] = read_index_row(writer.file(), id, varying_keys);
      }
      writer.commit();
    }
    journal.remember(name, std::move(rows));
    if (notes) notes->push_back(fmt::format("{} jobs found only in results.h5 were copied back to jobs/", missing.size()));
  } catch (const OtherNormalization&) {
    throw;  // intact results of another loss: never moved aside as damaged
  } catch (const Error& error) {
    const std::string aside = path + ".damaged-" + utc_now_iso();
    fs::rename(path, aside);
    if (notes) {
      notes->push_back(fmt::format("results.h5 was unreadable ({}); moved it to {} and rebuilt it "
                                   "from the {} jobs in the journal (jobs/)",
                                   error.what(), aside, journal.rows.size()));
    }
  }
  return created_utc;
}

}  // namespace stylesweep
