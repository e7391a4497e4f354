// One job's line of results.h5's /index, and the table of its columns: the store writes the
// index from it, reads rows back from journal groups with it and sends rows between processes
// with it; reports read the index with it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/choice.h"
#include "job/job_result.h"

namespace stylesweep {

namespace h5 { class File; }

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
  std::string precision;    // the job's arithmetic (fp32, tf32, bf16)
  double deterministic = 0; // 1: deterministic algorithms
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
struct IndexColumn {
  const char* name;
  std::variant<std::string IndexRow::*, JobStatus IndexRow::*, double IndexRow::*> member;
  std::vector<double> LossHistory::*loss = nullptr;
};
// In their order in /index; the varying parameters follow them.
const std::vector<IndexColumn>& index_columns();
// The fixed column of that name; throws Error (an internal one) for a name that is none.
const IndexColumn& index_column(const std::string& name);
// A row's value in a fixed column: text for text and status columns, else the number.
std::variant<std::string, double> column_value(const IndexRow& row, const IndexColumn& column);
// A row's text of a varying parameter ("" when it has none).
std::string parameter_text(const IndexRow& row, const std::string& key);

// Sets the loss columns to the history's values at `result_evaluation` (the returned image's;
// NaN where there is none).
void set_losses(IndexRow& row, const LossHistory& history, std::int64_t result_evaluation);

// A job group's attribute as text: strings as they are, lists joined by '+', numbers by
// value_text; "" when absent. The index's text of a parameter the group does not carry.
std::string attribute_text(const h5::File& file, const std::string& group, const std::string& name);

// The row of the job group /jobs/<id> of a journal segment or results.h5.
IndexRow read_index_row(const h5::File& file, const std::string& id, const std::vector<std::string>& varying_keys);

// Writes /index: the fixed columns, then one per varying key (numbers when every row's text is
// a number, so pandas can sort and plot them), and the `columns` and `varying` attributes.
void write_index(h5::File& file, const std::map<std::string, IndexRow>& rows,
                 const std::vector<std::string>& varying_keys);
// The rows of a written /index, in its order; throws Error naming the file and column when a
// column is missing or of another length.
std::vector<IndexRow> read_index(const h5::File& file, const std::string& path);

}  // namespace stylesweep
