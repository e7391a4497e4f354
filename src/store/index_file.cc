#include "store/index_file.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "common/error.h"
#include "common/text.h"
#include "store/job_group.h"

namespace stylesweep {
namespace {

double attribute_number(const h5::File& file, const std::string& group, const std::string& name) {
  return file.has_attribute(group, name) ? file.attribute_double(group, name) : std::nan("");
}

// The plan's texts where the group carries them (store/journal_record.h), else the attributes.
std::map<std::string, std::string> varying_parameters(const h5::File& file, const std::string& group,
                                                      const std::vector<std::string>& varying_keys) {
  std::map<std::string, std::string> carried, parameters;
  if (file.has_attribute(group, "varying") && file.has_attribute(group, "varying_values")) {
    const auto keys = file.attribute_strings(group, "varying");
    const auto values = file.attribute_strings(group, "varying_values");
    for (std::size_t i = 0; i < keys.size() && i < values.size(); ++i) carried[keys[i]] = values[i];
  }
  for (const auto& key : varying_keys) {
    const auto found = carried.find(key);
    parameters[key] = found != carried.end() ? found->second : attribute_text(file, group, key);
  }
  return parameters;
}

}  // namespace

std::string attribute_text(const h5::File& file, const std::string& group, const std::string& name) {
  if (!file.has_attribute(group, name)) return "";
  if (file.attribute_is_text(group, name)) return join(file.attribute_strings(group, name), "+");
  std::vector<std::string> parts;
  for (double value : file.attribute_doubles(group, name)) parts.push_back(value_text(value));
  return join(parts, "+");
}

IndexRow read_index_row(const h5::File& file, const std::string& id, const std::vector<std::string>& varying_keys) {
  const std::string group = "/jobs/" + id;
  const LossHistory history = read_job_history(file, group);
  const std::int64_t result = file.has_attribute(group, "result_evaluation")
                                  ? file.attribute_int(group, "result_evaluation")
                                  : std::int64_t(history.size()) - 1;
  IndexRow row;
  row.id = id;
  for (const IndexColumn& column : index_columns()) {
    if (column.loss || std::string(column.name) == "id") continue;
    std::variant<std::string, double> value;
    if (column.text) value = attribute_text(file, group, column.name);
    else value = attribute_number(file, group, column.name);
    set_column_value(row, column, std::move(value), file.path() + ": " + group, ErrorKind::kBadInput);
  }
  set_losses(row, history, result);
  row.history = HistoryColumns::of(history);
  row.parameters = varying_parameters(file, group, varying_keys);
  return row;
}

void write_index(h5::File& file, const std::map<std::string, IndexRow>& rows,
                 const std::vector<std::string>& varying_keys) {
  file.create_group("/index");
  const hsize_t count = rows.size();
  std::vector<std::string> columns;
  auto write_texts = [&](const std::string& name, const std::vector<std::string>& values) {
    file.write_strings("/index/" + name, values);
    columns.push_back(name);
  };
  auto write_numbers = [&](const std::string& name, const std::vector<double>& values) {
    file.write_float64("/index/" + name, {count}, values.data());
    columns.push_back(name);
  };
  for (const IndexColumn& column : index_columns()) {
    std::vector<std::string> texts;
    std::vector<double> numbers;
    for (const auto& [id, row] : rows) {
      const auto value = column_value(row, column);
      if (column.text) texts.push_back(std::get<std::string>(value));
      else numbers.push_back(std::get<double>(value));
    }
    if (column.text) write_texts(column.name, texts);
    else write_numbers(column.name, numbers);
  }
  for (const auto& key : varying_keys) {
    if (has_own_column(key)) continue;  // the parameter's own column holds it
    std::vector<std::string> texts;
    for (const auto& [id, row] : rows) texts.push_back(parameter_text(row, key));
    if (const auto numbers = all_numbers(texts)) write_numbers(key, *numbers);
    else write_texts(key, texts);
  }
  file.set_attribute("/index", "columns", columns);
  file.set_attribute("/index", "varying", varying_keys);
}

namespace {

// A column's texts: strings as they are, numbers by value_text. Columns other than id and status
// are optional: an index of an earlier version may lack one.
std::vector<std::string> column_texts(const h5::File& file, const std::string& dataset, std::size_t rows,
                                      bool required, const std::string& path) {
  if (!file.exists(dataset)) {
    if (required) throw file_error(path, dataset + ": missing", ErrorKind::kBadInput);
    return std::vector<std::string>(rows);
  }
  std::vector<std::string> texts;
  if (file.dataset_info(dataset).type == h5::ElementType::kString) {
    texts = file.read_strings(dataset);
  } else {
    for (double value : file.read_float64(dataset)) texts.push_back(value_text(value));
  }
  return texts;
}

}  // namespace

std::vector<IndexRow> read_index(const h5::File& file, const std::string& path) {
  if (!file.exists("/index")) throw file_error(path, "/index: missing (no job finished yet?)", ErrorKind::kBadInput);
  const std::vector<std::string> ids = file.read_strings("/index/id");
  std::vector<IndexRow> rows(ids.size());
  auto check_length = [&](const std::string& dataset, std::size_t length) {
    require(length == rows.size(), [&] {
      return fmt::format("{}: {}: {} rows, expected {} as in /index/id", path, dataset, length, rows.size());
    });
  };
  for (const IndexColumn& column : index_columns()) {
    const std::string dataset = std::string("/index/") + column.name;
    if (!column.text) {
      const std::vector<double> values =
          file.exists(dataset) ? file.read_float64(dataset) : std::vector<double>(rows.size(), std::nan(""));
      check_length(dataset, values.size());
      for (std::size_t i = 0; i < rows.size(); ++i) set_column_value(rows[i], column, values[i], path, ErrorKind::kBadInput);
      continue;
    }
    const bool required = std::holds_alternative<JobStatus IndexRow::*>(column.member);
    const std::vector<std::string> texts = column_texts(file, dataset, rows.size(), required, path);
    check_length(dataset, texts.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      set_column_value(rows[i], column, texts[i], path + ": " + dataset, ErrorKind::kBadInput);
    }
  }
  for (const auto& key : file.attribute_strings("/index", "varying")) {
    // One text per value (value_text reads back exactly), so report cells group by value.
    const std::vector<std::string> texts = column_texts(file, "/index/" + key, rows.size(), true, path);
    check_length("/index/" + key, texts.size());
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i].parameters[key] = texts[i];
  }
  return rows;
}

}  // namespace stylesweep
