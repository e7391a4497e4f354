#include "store/results_file.h"

#include <algorithm>
#include <filesystem>

#include "common/durable_file.h"
#include "common/version.h"
#include "job/losses_name.h"

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

void write_index(h5::File& file, const std::map<std::string, IndexRow>& rows,
                 const std::vector<std::string>& varying_keys) {
  file.create_group("/index");
  const hsize_t count = rows.size();
  std::vector<std::string> columns;
  auto text_column = [&](const std::string& name, auto field) {
    std::vector<std::string> values;
    for (const auto& [id, row] : rows) values.push_back(field(row));
    file.write_strings("/index/" + name, values);
    columns.push_back(name);
  };
  auto number_column = [&](const std::string& name, auto field) {
    std::vector<double> values;
    for (const auto& [id, row] : rows) values.push_back(field(row));
    file.write_float64("/index/" + name, {count}, values.data());
    columns.push_back(name);
  };
  for (const IndexColumn& column : index_columns()) {
    if (column.text) {
      text_column(column.name, [&column](const IndexRow& r) { return r.*column.text; });
    } else {
      number_column(column.name, [&column](const IndexRow& r) { return r.*column.number; });
    }
  }
  for (const auto& key : varying_keys) {
    if (std::find(columns.begin(), columns.end(), key) != columns.end()) continue;
    // Numeric parameters stay numbers, so pandas can sort and plot them.
    std::vector<double> numbers;
    bool numeric = count > 0;
    for (const auto& [id, row] : rows) {
      const auto found = row.parameters.find(key);
      const std::string text = found == row.parameters.end() ? "" : found->second;
      try {
        std::size_t used = 0;
        numbers.push_back(std::stod(text, &used));
        numeric = numeric && used == text.size();
      } catch (const std::exception&) {
        numeric = false;
      }
    }
    if (numeric) {
      file.write_float64("/index/" + key, {count}, numbers.data());
      columns.push_back(key);
    } else {
      text_column(key, [&key](const IndexRow& r) {
        const auto found = r.parameters.find(key);
        return found == r.parameters.end() ? std::string() : found->second;
      });
    }
  }
  file.set_attribute("/index", "columns", columns);
  file.set_attribute("/index", "varying", varying_keys);
}

void write_root_attributes(h5::File& file, const ResultsHeader& header) {
  file.set_attribute("/", "format", std::string("stylesweep-results"));
  file.set_attribute("/", "format_version", std::int64_t{1});
  file.set_attribute("/", "config", header.config_text);
  file.set_attribute("/", "config_path", header.config_path);
  file.set_attribute("/", "tool_version", std::string(version()));
  file.set_attribute("/", "created_utc", header.created_utc);
  file.set_attribute("/", "weights_sha256", header.weights_sha256);
  file.set_attribute("/", "weights_source", header.weights_source);
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
  writer.commit();
}

}  // namespace stylesweep
