#include "job/index_row.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include "common/text.h"
#include "job/job_fields.h"

namespace stylesweep {
namespace {

// The entry of the returned image (see JobResult::result_evaluation), NaN when there is none.
double value_at(const std::vector<double>& values, std::int64_t index) {
  if (index < 0 || index >= std::int64_t(values.size())) return std::numeric_limits<double>::quiet_NaN();
  return values[std::size_t(index)];
}

// A job parameter's value in its column: the number of a number, an integer or a flag, else its
// exact text.
std::variant<std::string, double> job_column_value(const StyleJob& job, const JobField& field) {
  return std::visit(
      [&](auto member) -> std::variant<std::string, double> {
        const auto& value = job.*member;
        if constexpr (std::is_arithmetic_v<std::decay_t<decltype(value)>>) return double(value);
        else return exact_text(job, field);
      },
      field.member);
}

// Its column is text when its values are.
IndexColumn job_column(const JobField& field) {
  const bool text = std::holds_alternative<std::string>(job_column_value(StyleJob{}, field));
  return {field.name, &IndexRow::job_values, nullptr, text};
}

std::vector<IndexColumn> all_index_columns() {
  std::vector<IndexColumn> columns = {
      {"id", &IndexRow::id, nullptr, true},
      {"label", &IndexRow::label, nullptr, true},
      {"status", &IndexRow::status, nullptr, true},
      {"error", &IndexRow::error, nullptr, true},
      {"host", &IndexRow::host, nullptr, true},
      {"loss_total", &IndexRow::loss_total, &LossHistory::total},
      {"loss_content", &IndexRow::loss_content, &LossHistory::content},
      {"loss_style", &IndexRow::loss_style, &LossHistory::style},
      {"loss_tv", &IndexRow::loss_tv, &LossHistory::tv},
      {"evaluations", &IndexRow::evaluations},
      {"wall_seconds", &IndexRow::wall_seconds},
      {"attempts", &IndexRow::attempts},
      {"rank", &IndexRow::rank},
  };
  for (const JobField& field : job_fields()) {
    if (field.index_column) columns.push_back(job_column(field));
  }
  const std::vector<IndexColumn> results = {
      {"termination", &IndexRow::termination, nullptr, true},
      {"evaluation_within_1pct", &IndexRow::evaluation_within_1pct},
      {"metric_content", &IndexRow::metric_content},
      {"metric_style", &IndexRow::metric_style},
      {"metric_ssim", &IndexRow::metric_ssim},
      {"metric_color", &IndexRow::metric_color},
  };
  columns.insert(columns.end(), results.begin(), results.end());
  return columns;
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

// Built on first use: the job parameters' columns come from the field table.
const std::vector<IndexColumn>& index_columns() {
  static const std::vector<IndexColumn> columns = all_index_columns();
  return columns;
}

const IndexColumn& index_column(const std::string& name) {
  for (const IndexColumn& column : index_columns()) {
    if (name == column.name) return column;
  }
  throw Error("no index column '" + name + "'", ErrorKind::kInternal);
}

bool has_own_column(const std::string& key) {
  const JobField* field = find_job_field(key);
  return field && field->index_column;
}

std::variant<std::string, double> column_value(const IndexRow& row, const IndexColumn& column) {
  return std::visit(
      [&](auto member) -> std::variant<std::string, double> {
        const auto& value = row.*member;
        using Value = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<Value, JobStatus>) {
          return std::string(choice_name(value));
        } else if constexpr (std::is_same_v<Value, std::string> || std::is_same_v<Value, double>) {
          return value;
        } else {
          const auto found = value.find(column.name);
          if (found != value.end()) return found->second;
          return column.text ? std::variant<std::string, double>(std::string()) : std::nan("");
        }
      },
      column.member);
}

void set_column_value(IndexRow& row, const IndexColumn& column, std::variant<std::string, double> value,
                      const std::string& where, ErrorKind kind) {
  std::visit(
      [&](auto member) {
        auto& field = row.*member;
        using Value = std::decay_t<decltype(field)>;
        if constexpr (std::is_same_v<Value, JobStatus>) {
          const std::string& text = std::get<std::string>(value);
          const std::optional<JobStatus> status = parse_choice<JobStatus>(text);
          if (!status) throw Error(where + ": status '" + text + "' is not " + choice_alternatives<JobStatus>(), kind);
          field = *status;
        } else if constexpr (std::is_same_v<Value, std::string>) {
          field = std::get<std::string>(std::move(value));
        } else if constexpr (std::is_same_v<Value, double>) {
          field = std::get<double>(value);
        } else {
          field[column.name] = std::move(value);
        }
      },
      column.member);
}

void set_job_values(IndexRow& row, const StyleJob& job) {
  for (const JobField& field : job_fields()) {
    if (!field.index_column) continue;
    row.job_values[field.name] = job_column_value(job, field);
  }
}

std::string parameter_text(const IndexRow& row, const std::string& key) {
  const auto found = row.parameters.find(key);
  return found == row.parameters.end() ? std::string() : found->second;
}

}  // namespace stylesweep
