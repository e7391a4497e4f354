// One job's line of results.h5's /index, and the table of its columns: the store writes the
// index from it (store/index_file.h), reads rows back from journal groups with it and sends rows
// between processes with it; reports read the index with it. The job parameters with a column of
// their own come from the field table (JobField::index_column). No HDF5 here.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/choice.h"
#include "common/error.h"
#include "job/job_params.h"
#include "job/job_result.h"

namespace stylesweep {

enum class JobStatus { kDone, kFailed };
template <>
struct ChoiceNames<JobStatus> {
  static constexpr std::array<const char*, 2> names = {"done", "failed"};
};

// A job's loss histories column by column (LossHistory's per-evaluation rows take twice the
// memory): what results.h5's /history gathers for every job at each publication.
struct HistoryColumns {
  std::vector<double> total, content, style, tv;
  std::vector<std::string> style_layer_names;
  std::vector<double> style_layers;  // [evaluation][layer], row-major
  std::size_t size() const { return total.size(); }
  static std::shared_ptr<const HistoryColumns> of(const LossHistory& history);
};

struct IndexRow {
  std::string id, label;
  JobStatus status = JobStatus::kFailed;
  std::string error, host;
  double loss_total = 0, loss_content = 0, loss_style = 0, loss_tv = 0;
  double evaluations = 0, wall_seconds = 0, attempts = 0, rank = 0;
  // The job's own value of each parameter with a column (JobField::index_column), by name: text,
  // or a number for a numeric parameter.
  std::map<std::string, std::variant<std::string, double>> job_values;
  std::string termination;  // Termination's name ("" for jobs that never optimized)
  double evaluation_within_1pct = 0;  // NaN when there is none
  double metric_content = 0, metric_style = 0, metric_ssim = 0, metric_color = 0;  // JobMetrics
  std::map<std::string, std::string> parameters;  // varying parameter -> its text from the plan
  // Not a column of /index and not sent between processes: the store fills it where it has the
  // history (store/analysis_views.h).
  std::shared_ptr<const HistoryColumns> history;
};

// The numbers of `texts` when every one reads as a number (and there is at least one), so that
// a parameter column stays numeric for pandas and xarray; nullopt otherwise.
std::optional<std::vector<double>> all_numbers(const std::vector<std::string>& texts);

// A fixed column of /index: text, a status (stored as text) or a number. Columns other than
// `id` mirror the job group's attribute of the same name, or, for the losses, its history at
// the returned image's evaluation.
// A job parameter's column keeps its value in IndexRow::job_values.
struct IndexColumn {
  const char* name;
  std::variant<std::string IndexRow::*, JobStatus IndexRow::*, double IndexRow::*,
               std::map<std::string, std::variant<std::string, double>> IndexRow::*>
      member;
  std::vector<double> LossHistory::*loss = nullptr;
  bool text = false;  // whether its values are text (status columns' too)
};
// In their order in /index; the varying parameters follow them.
const std::vector<IndexColumn>& index_columns();
// The fixed column of that name; throws Error (an internal one) for a name that is none.
const IndexColumn& index_column(const std::string& name);
// A row's value in a fixed column: text for text and status columns, else the number.
std::variant<std::string, double> column_value(const IndexRow& row, const IndexColumn& column);
// Sets it from a value of the column's kind; throws Error of `kind`, naming `where`, for a status
// that is none.
void set_column_value(IndexRow& row, const IndexColumn& column, std::variant<std::string, double> value,
                      const std::string& where, ErrorKind kind);
// Whether a varying parameter has a column of its own among the fixed ones (its values are there).
bool has_own_column(const std::string& key);
// Fills the row's columns of job parameters (JobField::index_column) from the job.
void set_job_values(IndexRow& row, const StyleJob& job);
// A row's text of a varying parameter ("" when it has none).
std::string parameter_text(const IndexRow& row, const std::string& key);

// Sets the loss columns to the history's values at `result_evaluation` (the returned image's;
// NaN where there is none).
void set_losses(IndexRow& row, const LossHistory& history, std::int64_t result_evaluation);

}  // namespace stylesweep
