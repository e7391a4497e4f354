#include "store/results_file.h"

#include <algorithm>
#include <filesystem>

#include "common/durable_file.h"
#include "common/version.h"
#include "store/index_file.h"
#include "job/losses_name.h"
#include "store/analysis_views.h"

namespace stylesweep {

namespace fs = std::filesystem;

ResultFileWriter::ResultFileWriter(const std::string& path)
    : path_(path), temporary_(temporary_path_for(path)),
      file_(h5::File::create(temporary_, h5::File::SmallDatasets::kCompact)) {}

ResultFileWriter::~ResultFileWriter() {
  if (!committed_) {
    file_.close();
    std::error_code ignored;
    fs::remove(temporary_, ignored);
  }
}

void ResultFileWriter::commit() {
  file_.flush();  // a full disk shows here; close() cannot report it
  file_.close();
  commit_file(temporary_, path_);
  committed_ = true;
}

namespace {

void write_root_attributes(h5::File& file, const ResultsHeader& header) {
  file.set_attribute("/", "format", std::string("stylesweep-results"));
  file.set_attribute("/", "format_version", std::int64_t{1});
  file.set_attribute("/", "config", header.config_text);
  file.set_attribute("/", "config_path", header.config_path);
  file.set_attribute("/", "tool_version", std::string(version()));
  file.set_attribute("/", "created_utc", header.created_utc);
  file.set_attribute("/", "weights_sha256", header.weights_sha256);
  file.set_attribute("/", "weights_source", header.weights_source);
  if (!header.yardstick_weights_sha256.empty()) {
    file.set_attribute("/", "yardstick_weights", header.yardstick_weights);
    file.set_attribute("/", "yardstick_weights_sha256", header.yardstick_weights_sha256);
  }
  file.set_attribute("/", "normalization", std::string(kNormalizationName));
}

}  // namespace

void write_results_file(const std::string& path, const std::string& journal_directory,
                        const ResultsHeader& header, const std::map<std::string, IndexRow>& rows,
                        const std::map<std::string, std::string>& file_of,
                        const std::vector<std::string>& varying_keys, bool standalone) {
  ResultFileWriter writer(path);
  h5::File& file = writer.file();
  write_root_attributes(file, header);
  file.create_group("/jobs");
  if (standalone) {
    std::map<std::string, std::vector<std::string>> ids_by_file;  // each segment opened once
    for (const auto& [id, journal] : file_of) ids_by_file[journal].push_back(id);
    for (const auto& [journal, ids] : ids_by_file) {
      const h5::File source = h5::File::open_read_only(journal_directory + "/" + journal);
      for (const auto& id : ids) file.copy_from(source, "/jobs/" + id, "/jobs/" + id);
    }
  } else {
    for (const auto& [id, journal] : file_of) {
      file.link_external("/jobs/" + id, "jobs/" + journal, "/jobs/" + id);
    }
  }
  write_index(file, rows, varying_keys);
  if (!rows.empty()) {
    write_history_group(file, rows, varying_keys);
    write_summary_table(file, rows, varying_keys);
  }
  writer.commit();
}

}  // namespace stylesweep
