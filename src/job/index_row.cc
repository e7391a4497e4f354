#include "job/index_row.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "common/error.h"
#include "common/text.h"
#include "h5/h5_file.h"
#include "job/history_file.h"

namespace stylesweep {
namespace {

// The entry of the returned image (see JobResult::result_evaluation), NaN when there is none.
double value_at(const std::vector<double>& values, std::int64_t index) {
  if (index < 0 || index >= std::int64_t(values.size())) return std::numeric_limits<double>::quiet_NaN();
  return values[std::size_t(index)];
}

}  // namespace

std::shared_ptr<const HistoryColumns> HistoryColumns::of(const LossHistory& history) {
  auto columns = std::make_shared<HistoryColumns>();
  columns->total = history.total;
  columns->content = history.content;
  columns->style = history.style;
  columns->tv = history.tv;
  columns->style_layer_names = history.style_layer_names;
  columns->style_layers.reserve(history.size() * history.style_layer_names.size());
  for (const auto& row : history.style_layers) {
    columns->style_layers.insert(columns->style_layers.end(), row.begin(), row.end());
  }
  return columns;
}

std::optional<std::vector<double>> all_numbers(const std::vector<std::string>& texts) {
  std::vector<double> numbers;
  for (const auto& text : texts) {
    const std::optional<double> number = parse_number(text);
    if (!number) return std::nullopt;
    numbers.push_back(*number);
  }
  if (numbers.empty()) return std::nullopt;
  return numbers;
}

void set_losses(IndexRow& row, const LossHistory& history, std::int64_t result_evaluation) {
  for (const IndexColumn& column : index_columns()) {
    if (column.loss) row.*std::get<double IndexRow::*>(column.member) = value_at(history.*column.loss, result_evaluation);
  }
}

std::string attribute_text(const h5::File& file, const std::string& group, const std::string& name) {
  if (!file.has_attribute(group, name)) return "";
  if (file.attribute_is_text(group, name)) return join(file.attribute_strings(group, name), "+");
  std::vector<std::string> parts;
  for (double value : file.attribute_doubles(group, name)) parts.push_back(value_text(value));
  return join(parts, "+");
}

namespace {

double attribute_number(const h5::File& file, const std::string& group, const std::string& name) {
  return file.has_attribute(group, name) ? file.attribute_double(group, name) : std::nan("");
}

JobStatus parsed_status(const std::string& text, const std::string& where) {
  const std::optional<JobStatus> status = parse_choice<JobStatus>(text);
  if (!status) throw Error(where + ": status '" + text + "' is not " + choice_alternatives<JobStatus>(), ErrorKind::kBadInput);
  return *status;
}

}  // namespace

const std::vector<IndexColumn>& index_columns() {
  static const std::vector<IndexColumn> columns = {
      {"id", &IndexRow::id},
      {"label", &IndexRow::label},
      {"status", &IndexRow::status},
      {"error", &IndexRow::error},
      {"host", &IndexRow::host},
      {"loss_total", &IndexRow::loss_total, &LossHistory::total},
      {"loss_content", &IndexRow::loss_content, &LossHistory::content},
      {"loss_style", &IndexRow::loss_style, &LossHistory::style},
      {"loss_tv", &IndexRow::loss_tv, &LossHistory::tv},
      {"evaluations", &IndexRow::evaluations},
      {"wall_seconds", &IndexRow::wall_seconds},
      {"attempts", &IndexRow::attempts},
      {"rank", &IndexRow::rank},
      {"precision", &IndexRow::precision},
      {"deterministic", &IndexRow::deterministic},
      {"termination", &IndexRow::termination},
      {"evaluation_within_1pct", &IndexRow::evaluation_within_1pct},
      {"metric_content", &IndexRow::metric_content},
      {"metric_style", &IndexRow::metric_style},
      {"metric_ssim", &IndexRow::metric_ssim},
      {"metric_color", &IndexRow::metric_color},
  };
  return columns;
}

const IndexColumn& index_column(const std::string& name) {
  for (const IndexColumn& column : index_columns()) {
    if (name == column.name) return column;
  }
  throw Error("no index column '" + name + "'", ErrorKind::kInternal);
}

std::variant<std::string, double> column_value(const IndexRow& row, const IndexColumn& column) {
  return std::visit(
      [&row](auto member) -> std::variant<std::string, double> {
        const auto& value = row.*member;
        using Value = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<Value, JobStatus>) return std::string(choice_name(value));
        else return value;
      },
      column.member);
}

std::string parameter_text(const IndexRow& row, const std::string& key) {
  const auto found = row.parameters.find(key);
  return found == row.parameters.end() ? std::string() : found->second;
}

IndexRow read_index_row(const h5::File& file, const std::string& id, const std::vector<std::string>& varying_keys) {
  const std::string group = "/jobs/" + id;
  const LossHistory history = read_job_history(file, group);
  const std::int64_t result = file.has_attribute(group, "result_evaluation")
                                  ? file.attribute_int(group, "result_evaluation")
                                  : std::int64_t(history.size()) - 1;
  IndexRow row;
  for (const IndexColumn& column : index_columns()) {
    std::visit(
        [&](auto member) {
          auto& value = row.*member;
          using Value = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<Value, std::string>) {
            if (member != &IndexRow::id) value = attribute_text(file, group, column.name);
          } else if constexpr (std::is_same_v<Value, JobStatus>) {
            value = parsed_status(attribute_text(file, group, column.name), file.path() + ": " + group);
          } else if (!column.loss) {
            value = attribute_number(file, group, column.name);
          }
        },
        column.member);
  }
  row.id = id;
  set_losses(row, history, result);
  row.history = HistoryColumns::of(history);
  // The plan's texts where the group carries them (store/journal_record.h), else the attributes.
  std::map<std::string, std::string> carried;
  if (file.has_attribute(group, "varying") && file.has_attribute(group, "varying_values")) {
    const auto keys = file.attribute_strings(group, "varying");
    const auto values = file.attribute_strings(group, "varying_values");
    for (std::size_t i = 0; i < keys.size() && i < values.size(); ++i) carried[keys[i]] = values[i];
  }
  for (const auto& key : varying_keys) {
    const auto found = carried.find(key);
    row.parameters[key] = found != carried.end() ? found->second : attribute_text(file, group, key);
  }
  return row;
}

void write_index(h5::File& file, const std::map<std::string, IndexRow>& rows,
                 const std::vector<std::string>& varying_keys) {
  file.create_group("/index");
  const hsize_t count = rows.size();
  std::vector<std::string> columns;
  auto write_texts = [&](const std::string& name, auto text_of) {
    std::vector<std::string> values;
    for (const auto& [id, row] : rows) values.push_back(text_of(row));
    file.write_strings("/index/" + name, values);
    columns.push_back(name);
  };
  auto write_numbers = [&](const std::string& name, const std::vector<double>& values) {
    file.write_float64("/index/" + name, {count}, values.data());
    columns.push_back(name);
  };
  for (const IndexColumn& column : index_columns()) {
    std::visit(
        [&](auto member) {
          using Value = std::decay_t<decltype(IndexRow{}.*member)>;
          if constexpr (std::is_same_v<Value, std::string>) {
            write_texts(column.name, [member](const IndexRow& row) { return row.*member; });
          } else if constexpr (std::is_same_v<Value, JobStatus>) {
            write_texts(column.name, [member](const IndexRow& row) { return std::string(choice_name(row.*member)); });
          } else {
            std::vector<double> values;
            for (const auto& [id, row] : rows) values.push_back(row.*member);
            write_numbers(column.name, values);
          }
        },
        column.member);
  }
  for (const auto& key : varying_keys) {
    if (std::find(columns.begin(), columns.end(), key) != columns.end()) continue;
    auto text_of = [&key](const IndexRow& row) { return parameter_text(row, key); };
    std::vector<std::string> texts;
    for (const auto& [id, row] : rows) texts.push_back(text_of(row));
    if (const auto numbers = all_numbers(texts)) write_numbers(key, *numbers);
    else write_texts(key, text_of);
  }
  file.set_attribute("/index", "columns", columns);
  file.set_attribute("/index", "varying", varying_keys);
}

std::vector<IndexRow> read_index(const h5::File& file, const std::string& path) {
  if (!file.exists("/index")) throw file_error(path, "/index: missing (no job finished yet?)", ErrorKind::kBadInput);
  const std::vector<std::string> ids = file.read_strings("/index/id");
  std::vector<IndexRow> rows(ids.size());
  auto check_length = [&](const std::string& dataset, std::size_t length) {
    require(length == rows.size(), [&] {
      return fmt::format("{}: {}: {} rows, expected {} as in /index/id", path, dataset, length, rows.size());
    });
  };
  // Columns other than id and status are optional: an index of an earlier version may lack one.
  auto texts_of = [&](const std::string& dataset, bool required) {
    std::vector<std::string> texts;
    if (!file.exists(dataset)) {
      if (required) throw file_error(path, dataset + ": missing", ErrorKind::kBadInput);
      return std::vector<std::string>(rows.size());
    }
    if (file.dataset_info(dataset).type == h5::ElementType::kString) {
      texts = file.read_strings(dataset);
    } else {
      for (double value : file.read_float64(dataset)) texts.push_back(value_text(value));
    }
    check_length(dataset, texts.size());
    return texts;
  };
  for (const IndexColumn& column : index_columns()) {
    const std::string dataset = std::string("/index/") + column.name;
    std::visit(
        [&](auto member) {
          using Value = std::decay_t<decltype(IndexRow{}.*member)>;
          if constexpr (std::is_same_v<Value, double>) {
            const std::vector<double> values =
                file.exists(dataset) ? file.read_float64(dataset) : std::vector<double>(rows.size(), std::nan(""));
            check_length(dataset, values.size());
            for (std::size_t i = 0; i < rows.size(); ++i) rows[i].*member = values[i];
          } else {
            constexpr bool required = std::is_same_v<Value, JobStatus>;
            const std::vector<std::string> texts = texts_of(dataset, required);
            for (std::size_t i = 0; i < rows.size(); ++i) {
              if constexpr (std::is_same_v<Value, JobStatus>) rows[i].*member = parsed_status(texts[i], path + ": " + dataset);
              else rows[i].*member = texts[i];
            }
          }
        },
        column.member);
  }
  for (const auto& key : file.attribute_strings("/index", "varying")) {
    // One text per value (value_text reads back exactly), so report cells group by value.
    const std::vector<std::string> texts = texts_of("/index/" + key, true);
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i].parameters[key] = texts[i];
  }
  return rows;
}

}  // namespace stylesweep
