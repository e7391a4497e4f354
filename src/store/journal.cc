#include "store/journal.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "common/error.h"
#include "common/text.h"
#include "h5/h5_file.h"
#include "job/losses_name.h"
#include "store/results_file.h"

namespace stylesweep {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSegmentPrefix = "segment-";

std::string segment_name(long number) { return fmt::format("{}{:08d}.h5", kSegmentPrefix, number); }

// The segment's number; 0 for a one-job file of an earlier version's journal, so those load first.
long segment_number(const std::string& file_name) {
  if (file_name.rfind(kSegmentPrefix, 0) != 0) return 0;
  try {
    return std::stol(file_name.substr(std::strlen(kSegmentPrefix)));
  } catch (const std::exception&) {
    return 0;
  }
}

bool is_temporary(const fs::path& path) {
  return path.filename().string().find(".tmp-") != std::string::npos;
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
                                   jobs, jobs == 1 ? "" : "s", normalization, kNormalizationName))
                  .what()) {}
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
    fs::rename(path, aside);
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
  for (auto& [id, row] : file_rows) {
    rows[id] = std::move(row);
    file_of[id] = file_name;
  }
}

std::string Journal::new_segment_name() { return segment_name(next_segment++); }

void load_journal(Journal& journal, const std::vector<std::string>& varying_keys,
                  std::vector<std::string>* notes) {
  std::vector<std::pair<long, std::string>> files;  // (segment number, name): oldest first
  for (const auto& entry : fs::directory_iterator(journal.directory)) {
    const fs::path path = entry.path();
    if (is_temporary(path)) {
      fs::remove(path);
      continue;
    }
    if (path.extension() != ".h5") continue;
    const std::string name = path.filename().string();
    files.emplace_back(segment_number(name), name);
  }
  std::sort(files.begin(), files.end());
  for (const auto& [number, name] : files) {
    load_journal_file(journal, name, varying_keys, notes);
    journal.next_segment = std::max(journal.next_segment, number + 1);
  }
}

std::optional<std::string> adopt_results_file(const std::string& path, Journal& journal,
                                              const std::vector<std::string>& varying_keys,
                                              std::vector<std::string>* notes) {
  if (!fs::exists(path)) return std::nullopt;
  std::optional<std::string> created_utc;
  try {
    const h5::File file = h5::File::open_read_only(path);
    if (!file.has_attribute("/", "format") || file.attribute_string("/", "format") != "stylesweep-results") {
      throw file_error(path, "not a stylesweep results file");
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
