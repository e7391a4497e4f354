#include "store/analysis_views.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/text.h"
#include "h5/netcdf_group.h"
#include "h5/pandas_table.h"
#include "vgg/vgg_layers.h"

namespace stylesweep {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

std::vector<std::string> parameter_texts(const std::map<std::string, IndexRow>& rows, const std::string& key) {
  std::vector<std::string> texts;
  for (const auto& [id, row] : rows) texts.push_back(parameter_text(row, key));
  return texts;
}

// /summary's fixed columns (index columns, job/index_row.h): these, the varying parameters, then
// the results.
const std::vector<std::string> kSummaryLeading = {"id", "label", "status"};
const std::vector<std::string> kSummaryResults = {"loss_total",     "loss_content", "loss_style",
                                                   "loss_tv",        "metric_content", "metric_style",
                                                   "metric_ssim",    "metric_color", "evaluation_within_1pct",
                                                   "evaluations",    "termination",  "wall_seconds"};

h5::FrameColumn frame_column(const std::map<std::string, IndexRow>& rows, const std::string& name) {
  const IndexColumn& column = index_column(name);
  h5::FrameColumn frame{name, false, {}, {}};
  for (const auto& [id, row] : rows) {
    const auto value = column_value(row, column);
    frame.is_text = std::holds_alternative<std::string>(value);
    if (frame.is_text) frame.texts.push_back(std::get<std::string>(value));
    else frame.numbers.push_back(std::get<double>(value));
  }
  return frame;
}

// Every style layer any job used, in the network's order.
std::vector<std::string> style_layers_of(const std::map<std::string, IndexRow>& rows) {
  std::vector<std::string> layers;
  for (const auto& [id, row] : rows) {
    if (!row.history) continue;
    for (const auto& layer : row.history->style_layer_names) {
      if (std::find(layers.begin(), layers.end(), layer) == layers.end()) layers.push_back(layer);
    }
  }
  std::sort(layers.begin(), layers.end(), [](const std::string& a, const std::string& b) {
    return vgg19_layer_index(a) < vgg19_layer_index(b);
  });
  return layers;
}

// A (job, evaluation) variable: each job's values, NaN after its last evaluation.
std::vector<double> per_evaluation(const std::map<std::string, IndexRow>& rows, std::size_t evaluations,
                                   std::vector<double> HistoryColumns::*member) {
  std::vector<double> values(rows.size() * evaluations, kMissing);
  std::size_t job = 0;
  for (const auto& [id, row] : rows) {
    if (row.history) {
      const std::vector<double>& losses = (*row.history).*member;
      std::copy(losses.begin(), losses.end(), values.begin() + long(job * evaluations));
    }
    ++job;
  }
  return values;
}

std::vector<double> per_style_layer(const std::map<std::string, IndexRow>& rows, std::size_t evaluations,
                                    const std::vector<std::string>& layers) {
  std::vector<double> values(rows.size() * evaluations * layers.size(), kMissing);
  std::size_t job = 0;
  for (const auto& [id, row] : rows) {
    if (row.history) {
      const HistoryColumns& history = *row.history;
      const std::size_t own = history.style_layer_names.size();
      for (std::size_t l = 0; l < own; ++l) {
        const std::size_t at = std::size_t(
            std::find(layers.begin(), layers.end(), history.style_layer_names[l]) - layers.begin());
        for (std::size_t e = 0; e < history.size() && e * own + l < history.style_layers.size(); ++e) {
          values[(job * evaluations + e) * layers.size() + at] = history.style_layers[e * own + l];
        }
      }
    }
    ++job;
  }
  return values;
}

}  // namespace

void write_history_group(h5::File& file, const std::map<std::string, IndexRow>& rows,
                         const std::vector<std::string>& varying_keys) {
  std::size_t evaluations = 1;  // one NaN column while no job has a history
  std::vector<std::string> ids, labels, statuses;
  for (const auto& [id, row] : rows) {
    ids.push_back(id);
    labels.push_back(row.label);
    statuses.push_back(choice_name(row.status));
    if (row.history) evaluations = std::max(evaluations, row.history->size());
  }
  const std::vector<std::string> layers = style_layers_of(rows);

  h5::NetcdfGroup group(file, "/history");
  group.coordinate("job", ids);
  group.dimension("evaluation", evaluations);
  group.coordinate("style_layer", layers);
  std::vector<std::string> coordinates = {"label", "status"};
  group.variable("label", "job", labels);
  group.variable("status", "job", statuses);
  for (const auto& key : varying_keys) {
    if (std::find(coordinates.begin(), coordinates.end(), key) != coordinates.end()) continue;
    const std::vector<std::string> texts = parameter_texts(rows, key);
    if (const auto numbers = all_numbers(texts)) group.variable(key, {"job"}, *numbers);
    else group.variable(key, "job", texts);
    coordinates.push_back(key);
  }
  const std::pair<const char*, std::vector<double> HistoryColumns::*> losses[] = {
      {"loss_total", &HistoryColumns::total},
      {"loss_content", &HistoryColumns::content},
      {"loss_style", &HistoryColumns::style},
      {"loss_tv", &HistoryColumns::tv}};
  const std::string coordinate_names = join(coordinates, " ");
  for (const auto& [name, member] : losses) {
    group.variable(name, {"job", "evaluation"}, per_evaluation(rows, evaluations, member));
    file.set_attribute(group.path(name), "coordinates", coordinate_names);
  }
  group.variable("loss_style_layer", {"job", "evaluation", "style_layer"}, per_style_layer(rows, evaluations, layers));
  file.set_attribute(group.path("loss_style_layer"), "coordinates", coordinate_names);
  file.set_attribute("/history", "description",
                     std::string("Loss histories of every job: entry 0 is the initial image's loss; content and "
                                 "style are weighted (alpha L_c, beta L_s), loss_style_layer the unweighted E_l. "
                                 "NaN after a job's last evaluation and for layers it does not use."));
}

void write_summary_table(h5::File& file, const std::map<std::string, IndexRow>& rows,
                         const std::vector<std::string>& varying_keys) {
  std::vector<h5::FrameColumn> columns;
  for (const auto& name : kSummaryLeading) columns.push_back(frame_column(rows, name));
  for (const auto& key : varying_keys) {
    const bool fixed = std::count(kSummaryLeading.begin(), kSummaryLeading.end(), key) ||
                       std::count(kSummaryResults.begin(), kSummaryResults.end(), key);
    if (fixed) continue;
    const std::vector<std::string> texts = parameter_texts(rows, key);
    if (auto numbers = all_numbers(texts)) columns.push_back({key, false, std::move(*numbers), {}});
    else columns.push_back({key, true, {}, texts});
  }
  for (const auto& name : kSummaryResults) columns.push_back(frame_column(rows, name));
  h5::write_pandas_table(file, "/summary", columns);
}

}  // namespace stylesweep
