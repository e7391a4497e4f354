#include "store/journal_record.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "common/text.h"
#include "job/history_file.h"
#include "runner/wire.h"

namespace stylesweep {
namespace {

// The entry of the returned image (see JobResult::result_evaluation), NaN when there is none.
double value_at(const std::vector<double>& values, std::int64_t index) {
  if (index < 0 || index >= std::int64_t(values.size())) return std::numeric_limits<double>::quiet_NaN();
  return values[std::size_t(index)];
}

// An attribute as text: strings as they are, lists joined by '+', numbers in shortest form.
std::string attribute_text(const h5::File& file, const std::string& group, const std::string& name) {
  if (!file.has_attribute(group, name)) return "";
  if (file.attribute_is_text(group, name)) return join(file.attribute_strings(group, name), "+");
  std::vector<std::string> parts;
  for (double value : file.attribute_doubles(group, name)) parts.push_back(fmt::format("{}", value));
  return join(parts, "+");
}

double attribute_number(const h5::File& file, const std::string& group, const std::string& name) {
  return file.has_attribute(group, name) ? file.attribute_double(group, name) : std::nan("");
}

}  // namespace

IndexRow read_row(const h5::File& file, const std::string& id,
                  const std::vector<std::string>& varying_keys) {
  const std::string group = "/jobs/" + id;
  const LossHistory history = read_job_history(file, group);
  const std::int64_t result = file.has_attribute(group, "result_evaluation")
                                  ? file.attribute_int(group, "result_evaluation")
                                  : std::int64_t(history.size()) - 1;
  IndexRow row;
  row.id = id;
  row.label = attribute_text(file, group, "label");
  row.status = attribute_text(file, group, "status");
  row.error = attribute_text(file, group, "error");
  row.host = attribute_text(file, group, "host");
  row.loss_total = value_at(history.total, result);
  row.loss_content = value_at(history.content, result);
  row.loss_style = value_at(history.style, result);
  row.loss_tv = value_at(history.tv, result);
  row.evaluations = attribute_number(file, group, "evaluations");
  row.wall_seconds = attribute_number(file, group, "wall_seconds");
  row.attempts = attribute_number(file, group, "attempts");
  row.rank = attribute_number(file, group, "rank");
  for (const auto& key : varying_keys) row.parameters[key] = attribute_text(file, group, key);
  return row;
}

IndexRow row_of_written(const h5::File& file, const WorkItem& item, const JobOutcome& outcome,
                        const std::vector<std::string>& varying_keys) {
  const JobResult& result = outcome.result;
  const LossHistory& history = result.history;
  IndexRow row;
  row.id = item.id;
  row.label = item.label;
  row.status = outcome.done ? "done" : "failed";
  row.error = outcome.error;
  row.host = outcome.worker.host;
  row.loss_total = value_at(history.total, result.result_evaluation);
  row.loss_content = value_at(history.content, result.result_evaluation);
  row.loss_style = value_at(history.style, result.result_evaluation);
  row.loss_tv = value_at(history.tv, result.result_evaluation);
  row.evaluations = result.evaluations;
  row.wall_seconds = result.wall_seconds;
  row.attempts = outcome.attempt;
  row.rank = outcome.worker.rank;
  for (const auto& key : varying_keys) row.parameters[key] = attribute_text(file, "/jobs/" + item.id, key);
  return row;
}

void write_outcome(h5::File& file, const WorkItem& item, const JobOutcome& outcome,
                   const std::string& weights_sha256) {
  const std::string group = "/jobs/" + item.id;
  write_job_group(file, group, item.job, weights_sha256, outcome.result);
  file.set_attribute(group, "label", item.label);
  file.set_attribute(group, "status", std::string(outcome.done ? "done" : "failed"));
  file.set_attribute(group, "error", outcome.error);
  file.set_attribute(group, "rank", std::int64_t(outcome.worker.rank));
  file.set_attribute(group, "host", outcome.worker.host);
  file.set_attribute(group, "device", outcome.worker.device);
  file.set_attribute(group, "attempts", std::int64_t(outcome.attempt));
  file.set_attribute(group, "finished_utc", utc_now_iso());
}

const std::vector<IndexColumn>& index_columns() {
  static const std::vector<IndexColumn> columns = {
      {"id", &IndexRow::id},
      {"label", &IndexRow::label},
      {"status", &IndexRow::status},
      {"error", &IndexRow::error},
      {"host", &IndexRow::host},
      {"loss_total", nullptr, &IndexRow::loss_total},
      {"loss_content", nullptr, &IndexRow::loss_content},
      {"loss_style", nullptr, &IndexRow::loss_style},
      {"loss_tv", nullptr, &IndexRow::loss_tv},
      {"evaluations", nullptr, &IndexRow::evaluations},
      {"wall_seconds", nullptr, &IndexRow::wall_seconds},
      {"attempts", nullptr, &IndexRow::attempts},
      {"rank", nullptr, &IndexRow::rank},
  };
  return columns;
}

std::string encode(const std::map<std::string, IndexRow>& rows) {
  WireWriter out;
  out.number<std::uint64_t>(rows.size());
  for (const auto& [id, row] : rows) {
    for (const IndexColumn& column : index_columns()) {
      if (column.text) {
        out.text(row.*column.text);
      } else {
        out.number(row.*column.number);
      }
    }
    out.number<std::uint64_t>(row.parameters.size());
    for (const auto& [key, value] : row.parameters) {
      out.text(key);
      out.text(value);
    }
  }
  return out.take();
}

std::map<std::string, IndexRow> decode_index_rows(const std::string& bytes) {
  WireReader in(bytes);
  std::map<std::string, IndexRow> rows;
  for (auto count = in.number<std::uint64_t>(); count > 0; --count) {
    IndexRow row;
    for (const IndexColumn& column : index_columns()) {
      if (column.text) {
        row.*column.text = in.text();
      } else {
        row.*column.number = in.number<double>();
      }
    }
    for (auto parameters = in.number<std::uint64_t>(); parameters > 0; --parameters) {
      std::string key = in.text();
      row.parameters[key] = in.text();
    }
    rows[row.id] = std::move(row);
  }
  return rows;
}

}  // namespace stylesweep
