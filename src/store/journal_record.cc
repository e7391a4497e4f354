#include "store/journal_record.h"

#include <cmath>

#include "common/error.h"
#include "common/text.h"
#include "job/convergence.h"
#include "store/index_file.h"
#include "store/job_group.h"
#include "runner/wire.h"

namespace stylesweep {
namespace {

// Whether the item carries the plan's text of each varying parameter.
bool carries_values(const WorkItem& item, const std::vector<std::string>& varying_keys) {
  return item.parameters.size() == varying_keys.size();
}


}  // namespace

IndexRow row_of_written(const h5::File& file, const WorkItem& item, const JobOutcome& outcome,
                        const std::vector<std::string>& varying_keys) {
  const JobResult& result = outcome.result;
  IndexRow row;
  row.id = item.id;
  row.label = item.label;
  row.status = outcome.done ? JobStatus::kDone : JobStatus::kFailed;
  row.error = outcome.error;
  row.host = outcome.worker.host;
  set_losses(row, result.history, result.result_evaluation);
  row.history = HistoryColumns::of(result.history);
  row.evaluations = result.evaluations;
  row.wall_seconds = result.wall_seconds;
  row.attempts = outcome.attempt;
  row.rank = outcome.worker.rank;
  set_job_values(row, item.job);
  row.termination = choice_name(result.termination);
  const int within = evaluation_within_1pct(result);
  row.evaluation_within_1pct = within >= 0 ? double(within) : std::nan("");
  row.metric_content = result.metrics.content;
  row.metric_style = result.metrics.style;
  row.metric_ssim = result.metrics.ssim;
  row.metric_color = result.metrics.color;
  const bool carried = carries_values(item, varying_keys);
  for (std::size_t k = 0; k < varying_keys.size(); ++k) {
    row.parameters[varying_keys[k]] =
        carried ? item.parameters[k] : attribute_text(file, "/jobs/" + item.id, varying_keys[k]);
  }
  return row;
}

void write_outcome(h5::File& file, const WorkItem& item, const JobOutcome& outcome,
                   const std::string& weights_sha256, const std::vector<std::string>& varying_keys) {
  const std::string group = "/jobs/" + item.id;
  write_job_group(file, group, item.job, weights_sha256, outcome.result);
  file.set_attribute(group, "label", item.label);
  file.set_attribute(group, "status", std::string(choice_name(outcome.done ? JobStatus::kDone : JobStatus::kFailed)));
  file.set_attribute(group, "error", outcome.error);
  file.set_attribute(group, "rank", std::int64_t(outcome.worker.rank));
  file.set_attribute(group, "host", outcome.worker.host);
  file.set_attribute(group, "device", outcome.worker.device);
  file.set_attribute(group, "attempts", std::int64_t(outcome.attempt));
  file.set_attribute(group, "finished_utc", utc_now_iso());
  if (!varying_keys.empty() && carries_values(item, varying_keys)) {
    file.set_attribute(group, "varying", varying_keys);
    file.set_attribute(group, "varying_values", item.parameters);
  }
}

// Every fixed column by the table (job/index_row.h), then the varying parameters.
std::string encode(const std::map<std::string, IndexRow>& rows) {
  WireWriter out;
  out.number<std::uint64_t>(rows.size());
  for (const auto& [id, row] : rows) {
    for (const IndexColumn& column : index_columns()) {
      const auto value = column_value(row, column);
      if (column.text) out.text(std::get<std::string>(value));
      else out.number(std::get<double>(value));
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
      std::variant<std::string, double> value;
      if (column.text) value = in.text();
      else value = in.number<double>();
      set_column_value(row, column, std::move(value), "malformed message", ErrorKind::kInternal);
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
