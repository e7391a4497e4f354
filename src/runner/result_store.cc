#include "runner/result_store.h"

#include <cmath>
#include <filesystem>
#include <limits>

#include <fmt/format.h>

#include "common/error.h"
#include "common/text.h"
#include "job/history_file.h"
#include "job/losses_name.h"

namespace stylesweep {
namespace {

h5::File open_or_create(const StoreSettings& settings) {
  std::error_code error;
  std::filesystem::create_directories(settings.output_directory + "/images", error);
  if (error) {
    throw file_error(settings.output_directory, "cannot create output directory: " + error.message());
  }
  const std::string path = settings.output_directory + "/results.h5";
  const bool existed = std::filesystem::exists(path);
  h5::File file = existed ? h5::File::open_read_write(path) : h5::File::create(path);
  if (!existed) {
    file.set_attribute("/", "format", std::string("stylesweep-results"));
    file.set_attribute("/", "format_version", std::int64_t{1});
    file.set_attribute("/", "created_utc", utc_now_iso());
  } else if (!file.has_attribute("/", "format") ||
             file.attribute_string("/", "format") != "stylesweep-results") {
    throw file_error(path, "exists but is not a stylesweep results file");
  }
  file.set_attribute("/", "config", settings.config_text);
  file.set_attribute("/", "config_path", settings.config_path);
  file.set_attribute("/", "tool_version", std::string(STYLESWEEP_VERSION));
  file.set_attribute("/", "weights_sha256", settings.weights_sha256);
  file.set_attribute("/", "normalization", std::string(kNormalizationName));
  file.create_group("/jobs");
  file.flush();
  return file;
}

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

}  // namespace

ResultStore::ResultStore(StoreSettings settings)
    : settings_(std::move(settings)), file_(open_or_create(settings_)) {}

void ResultStore::store(const WorkItem& item, const JobOutcome& outcome) {
  const std::string group = "/jobs/" + item.id;
  file_.remove(group);
  write_job_group(file_, group, item.job, settings_.weights_sha256, outcome.result);
  file_.set_attribute(group, "label", item.label);
  file_.set_attribute(group, "status", std::string(outcome.done ? "done" : "failed"));
  file_.set_attribute(group, "error", outcome.error);
  file_.set_attribute(group, "rank", std::int64_t(outcome.worker.rank));
  file_.set_attribute(group, "host", outcome.worker.host);
  file_.set_attribute(group, "device", outcome.worker.device);
  file_.set_attribute(group, "attempts", std::int64_t(outcome.attempt));
  file_.set_attribute(group, "finished_utc", utc_now_iso());
  file_.flush();
  if (outcome.done) {
    write_png(settings_.output_directory + "/images/" + item.label + ".png", outcome.result.image);
  }
}

std::set<std::string> ResultStore::done_ids() const {
  std::set<std::string> ids;
  for (const auto& id : file_.list_group("/jobs")) {
    if (file_.has_attribute("/jobs/" + id, "status") &&
        file_.attribute_string("/jobs/" + id, "status") == "done") {
      ids.insert(id);
    }
  }
  return ids;
}

void ResultStore::write_index() {
  const std::vector<std::string> ids = file_.list_group("/jobs");
  std::vector<std::string> text_columns = {"id", "label", "status", "error", "host"};
  std::vector<std::string> number_columns = {"loss_total", "loss_content", "loss_style", "loss_tv",
                                             "evaluations", "wall_seconds", "attempts", "rank"};
  std::map<std::string, std::vector<std::string>> texts;
  std::map<std::string, std::vector<double>> numbers;
  std::map<std::string, std::vector<std::string>> varying;
  for (const auto& id : ids) {
    const std::string group = "/jobs/" + id;
    const LossHistory history = read_job_history(file_, group);
    const std::int64_t result = file_.has_attribute(group, "result_evaluation")
                                    ? file_.attribute_int(group, "result_evaluation")
                                    : std::int64_t(history.size()) - 1;
    texts["id"].push_back(id);
    for (const char* name : {"label", "status", "error", "host"}) {
      texts[name].push_back(attribute_text(file_, group, name));
    }
    numbers["loss_total"].push_back(value_at(history.total, result));
    numbers["loss_content"].push_back(value_at(history.content, result));
    numbers["loss_style"].push_back(value_at(history.style, result));
    numbers["loss_tv"].push_back(value_at(history.tv, result));
    for (const char* name : {"evaluations", "wall_seconds", "attempts", "rank"}) {
      numbers[name].push_back(file_.has_attribute(group, name) ? file_.attribute_double(group, name)
                                                               : std::nan(""));
    }
    for (const auto& key : settings_.varying_keys) varying[key].push_back(attribute_text(file_, group, key));
  }
  file_.remove("/index");
  file_.create_group("/index");
  std::vector<std::string> columns;
  for (const auto& name : text_columns) {
    file_.write_strings("/index/" + name, texts[name]);
    columns.push_back(name);
  }
  for (const auto& name : number_columns) {
    file_.write_float64("/index/" + name, {hsize_t(ids.size())}, numbers[name].data());
    columns.push_back(name);
  }
  for (const auto& key : settings_.varying_keys) {
    if (std::find(columns.begin(), columns.end(), key) != columns.end()) continue;
    // Numeric parameters stay numbers, so pandas can sort and plot them.
    std::vector<double> values;
    bool numeric = true;
    for (const auto& text : varying[key]) {
      try {
        std::size_t used = 0;
        values.push_back(std::stod(text, &used));
        numeric = numeric && used == text.size();
      } catch (const std::exception&) {
        numeric = false;
      }
    }
    if (numeric && !ids.empty()) {
      file_.write_float64("/index/" + key, {hsize_t(ids.size())}, values.data());
    } else {
      file_.write_strings("/index/" + key, varying[key]);
    }
    columns.push_back(key);
  }
  file_.set_attribute("/index", "columns", columns);
  file_.flush();
}

}  // namespace stylesweep
