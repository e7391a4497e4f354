#include "report/sweep_results.h"

#include <filesystem>

#include <fmt/format.h>

#include <yaml-cpp/yaml.h>

#include "common/error.h"
#include "common/text.h"
#include "h5/h5_file.h"
#include "job/history_file.h"

namespace stylesweep {

namespace {

std::string results_file(const std::string& results_or_output) {
  std::filesystem::path path(results_or_output);
  if (std::filesystem::is_directory(path)) path /= "results.h5";
  return path.string();
}

std::vector<double> numbers_or_empty(const h5::File& file, const std::string& dataset) {
  return file.exists(dataset) ? file.read_float64(dataset) : std::vector<double>{};
}

}  // namespace

SweepResults read_sweep_results(const std::string& results_or_output) {
  SweepResults results;
  results.path = results_file(results_or_output);
  const h5::File file = h5::File::open_read_only(results.path);
  if (!file.exists("/index")) throw file_error(results.path, "/index: missing (no job finished yet?)");
  results.varying_keys = file.attribute_strings("/index", "varying");
  results.name = std::filesystem::path(results.path).parent_path().filename().string();
  if (file.has_attribute("/", "config")) {
    try {
      const YAML::Node config = YAML::Load(file.attribute_string("/", "config"));
      if (config["name"]) results.name = config["name"].Scalar();
    } catch (const YAML::Exception&) {
    }
  }
  const std::vector<std::string> ids = file.read_strings("/index/id");
  const std::vector<std::string> labels = file.read_strings("/index/label");
  const std::vector<std::string> status = file.read_strings("/index/status");
  const std::vector<std::string> errors = file.read_strings("/index/error");
  const auto total = file.read_float64("/index/loss_total");
  const auto content = file.read_float64("/index/loss_content");
  const auto style = file.read_float64("/index/loss_style");
  const auto wall = file.read_float64("/index/wall_seconds");
  const auto evaluations = file.read_float64("/index/evaluations");
  std::map<std::string, std::vector<std::string>> parameters;
  for (const auto& key : results.varying_keys) {
    const std::string dataset = "/index/" + key;
    if (file.dataset_info(dataset).type == h5::ElementType::kString) {
      parameters[key] = file.read_strings(dataset);
    } else {
      // One text per value (value_text reads back exactly), so cells group by value.
      for (double value : file.read_float64(dataset)) parameters[key].push_back(value_text(value));
    }
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    JobRecord job{ids[i], labels[i], status[i], errors[i], {}, total[i], content[i], style[i], wall[i],
                  evaluations[i], "", {}};
    for (const auto& key : results.varying_keys) job.parameters[key] = parameters[key][i];
    const std::string group = "/jobs/" + ids[i];
    if (file.has_attribute(group, "content_path")) job.content_path = file.attribute_string(group, "content_path");
    if (file.has_attribute(group, "style_paths")) job.style_paths = file.attribute_strings(group, "style_paths");
    results.jobs.push_back(std::move(job));
  }
  return results;
}

Image read_job_image(const SweepResults& results, const std::string& id) {
  const h5::File file = h5::File::open_read_only(results.path);
  const std::string dataset = "/jobs/" + id + "/image";
  const h5::DatasetInfo info = file.dataset_info(dataset);
  const std::vector<std::uint8_t> rgb = file.read_uint8(dataset);
  if (info.shape.size() != 3 || info.shape[0] == 0) return Image{};
  return from_rgb8(rgb.data(), int(info.shape[1]), int(info.shape[0]));
}

LossHistory read_job_losses(const SweepResults& results, const std::string& id) {
  const h5::File file = h5::File::open_read_only(results.path);
  return read_job_history(file, "/jobs/" + id);
}

}  // namespace stylesweep
