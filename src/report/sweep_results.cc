#include "report/sweep_results.h"

#include <filesystem>

#include <fmt/format.h>

#include <yaml-cpp/yaml.h>

#include "common/error.h"
#include "common/text.h"
#include "h5/h5_file.h"
#include "store/job_group.h"

namespace stylesweep {

namespace {

std::string results_file(const std::string& results_or_output) {
  std::filesystem::path path(results_or_output);
  if (std::filesystem::is_directory(path)) path /= "results.h5";
  return path.string();
}


}  // namespace

SweepResults read_sweep_results(const std::string& results_or_output) {
  SweepResults results;
  results.path = results_file(results_or_output);
  const h5::File file = h5::File::open_read_only(results.path);
  if (!file.exists("/index")) throw file_error(results.path, "/index: missing (no job finished yet?)", ErrorKind::kBadInput);
  results.varying_keys = file.attribute_strings("/index", "varying");
  results.name = std::filesystem::path(results.path).parent_path().filename().string();
  if (file.has_attribute("/", "config")) {
    try {
      const YAML::Node config = YAML::Load(file.attribute_string("/", "config"));
      if (config["name"]) results.name = config["name"].Scalar();
      results.config_values = listed_axis_values(file.attribute_string("/", "config"));
    } catch (const YAML::Exception&) {
    }
  }
  for (IndexRow& row : read_index(file, results.path)) {
    JobRecord job;
    static_cast<IndexRow&>(job) = std::move(row);
    const std::string group = "/jobs/" + job.id;
    if (file.has_attribute(group, "content_path")) job.content_path = file.attribute_string(group, "content_path");
    if (file.has_attribute(group, "style_paths")) job.style_paths = file.attribute_strings(group, "style_paths");
    results.jobs.push_back(std::move(job));
  }
  return results;
}

std::map<std::string, std::vector<std::string>> listed_axis_values(const std::string& config_text) {
  const YAML::Node config = YAML::Load(config_text);
  std::map<std::string, std::vector<std::string>> listed;
  for (const char* section : {"grid", "zip"}) {
    if (!config[section] || !config[section].IsMap()) continue;
    for (const auto& axis : config[section]) {
      if (!axis.second.IsSequence()) continue;  // a generator: its values are numbers
      std::vector<std::string>& values = listed[axis.first.as<std::string>()];
      for (const auto& value : axis.second) {
        if (value.IsScalar()) {
          values.push_back(value.Scalar());
        } else if (value.IsSequence()) {
          std::string joined;
          for (const auto& part : value) joined += (joined.empty() ? "" : "+") + (part.IsScalar() ? part.Scalar() : "");
          values.push_back(joined);
        }
      }
    }
  }
  return listed;
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
