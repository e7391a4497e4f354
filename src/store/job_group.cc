#include "store/job_group.h"

#include <filesystem>
#include <variant>

#include "common/durable_file.h"
#include "common/error.h"
#include "common/text.h"
#include "job/convergence.h"
#include "job/job_fields.h"
#include "job/losses_name.h"

namespace stylesweep {
namespace {

void write_parameters(h5::File& file, const std::string& group, const StyleJob& job,
                      const std::string& weights_sha256) {
  for (const RecordEntry& entry : job_record(job)) {
    std::visit([&](const auto& value) { file.set_attribute(group, entry.name, value); }, entry.value);
  }
  file.set_attribute(group, "normalization", std::string(kNormalizationName));
  // A job's own weights (an axis) or else the sweep's.
  file.set_attribute(group, "weights_sha256", job.weights_sha256.empty() ? weights_sha256 : job.weights_sha256);
}

void write_history(h5::File& file, const std::string& group, const LossHistory& history) {
  const hsize_t evaluations = history.size();
  file.write_float64(group + "/loss/total", {evaluations}, history.total.data());
  file.write_float64(group + "/loss/content", {evaluations}, history.content.data());
  file.write_float64(group + "/loss/style", {evaluations}, history.style.data());
  file.write_float64(group + "/loss/tv", {evaluations}, history.tv.data());
  if (history.temporal.size() == history.total.size() && !history.temporal.empty()) {
    file.write_float64(group + "/loss/temporal", {evaluations}, history.temporal.data());
  }
  const hsize_t layers = history.style_layer_names.size();
  std::vector<double> flat;
  flat.reserve(evaluations * layers);
  for (const auto& row : history.style_layers) flat.insert(flat.end(), row.begin(), row.end());
  file.write_float64(group + "/loss/style_layers", {evaluations, layers}, flat.data());
  file.set_attribute(group + "/loss/style_layers", "layers", history.style_layer_names);
  file.set_attribute(group + "/loss", "stage_starts",
                     std::vector<std::int64_t>(history.stage_starts.begin(), history.stage_starts.end()));
}

// snapshot_every's images, [snapshot, height, width, 3], with their evaluations as the first
// axis' scale.
void write_snapshots(h5::File& file, const std::string& group, const LossHistory::Snapshots& snapshots) {
  if (snapshots.evaluations.empty()) return;
  const hsize_t count = snapshots.evaluations.size();
  file.write_uint8(group + "/snapshots", {count, hsize_t(snapshots.height), hsize_t(snapshots.width), 3},
                   snapshots.rgb.data(), true);
  const std::vector<double> evaluations(snapshots.evaluations.begin(), snapshots.evaluations.end());
  file.write_float64(group + "/snapshot_evaluation", {count}, evaluations.data());
  file.attach_scale(group + "/snapshots", 0, group + "/snapshot_evaluation", "evaluation");
}

}  // namespace


void write_job_group(h5::File& file, const std::string& group, const StyleJob& job,
                     const std::string& weights_sha256, const JobResult& result) {
  file.create_group(group);
  write_parameters(file, group, job, weights_sha256);
  write_history(file, group, result.history);
  const auto rgb = to_rgb8(result.image);
  file.write_uint8(group + "/image",
                   {hsize_t(result.image.height), hsize_t(result.image.width), 3}, rgb.data(),
                   true);
  write_snapshots(file, group, result.history.snapshots);
  file.set_attribute(group, "evaluations", std::int64_t(result.evaluations));
  file.set_attribute(group, "result_evaluation", std::int64_t(result.result_evaluation));
  file.set_attribute(group, "wall_seconds", result.wall_seconds);
  file.set_attribute(group, "device", result.device);
  file.set_attribute(group, "termination", std::string(choice_name(result.termination)));
  const int within = evaluation_within_1pct(result);
  if (within >= 0) file.set_attribute(group, "evaluation_within_1pct", std::int64_t(within));
  const std::pair<const char*, double> metrics[] = {{"metric_content", result.metrics.content},
                                                    {"metric_style", result.metrics.style},
                                                    {"metric_ssim", result.metrics.ssim},
                                                    {"metric_color", result.metrics.color}};
  for (const auto& [name, value] : metrics) file.set_attribute(group, name, value);
}

void write_history_file(const std::string& path, const std::string& id, const StyleJob& job,
                        const std::string& weights_sha256, const JobResult& result) {
  // Under a temporary name until complete: a full disk leaves no torn file, and an earlier
  // history at `path` stays as it was.
  const std::string temporary = temporary_path_for(path);
  try {
    h5::File file = h5::File::create(temporary);
    file.set_attribute("/", "normalization", std::string(kNormalizationName));
    write_job_group(file, "/jobs/" + id, job, weights_sha256, result);
    file.flush();  // a full disk shows here; close() cannot report it
    file.close();
    commit_file(temporary, path);
  } catch (const Error& error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    std::string message = error.what();  // named as the user named it
    for (auto at = message.find(temporary); at != std::string::npos; at = message.find(temporary, at)) {
      message.replace(at, temporary.size(), path);
    }
    throw Error(message, error.kind());
  }
}

Image read_job_image(const h5::File& file, const std::string& group) {
  const h5::DatasetInfo info = file.dataset_info(group + "/image");
  if (info.shape.size() != 3 || info.shape[2] != 3) {
    throw file_error(file.path(), group + "/image is not an [H, W, 3] image", ErrorKind::kBadInput);
  }
  const std::vector<std::uint8_t> rgb = file.read_uint8(group + "/image");
  return from_rgb8(rgb.data(), int(info.shape[1]), int(info.shape[0]));
}

LossHistory read_job_history(const h5::File& file, const std::string& group) {
  LossHistory history;
  history.total = file.read_float64(group + "/loss/total");
  history.content = file.read_float64(group + "/loss/content");
  history.style = file.read_float64(group + "/loss/style");
  history.tv = file.read_float64(group + "/loss/tv");
  if (file.exists(group + "/loss/temporal")) history.temporal = file.read_float64(group + "/loss/temporal");
  if (file.has_attribute(group + "/loss", "stage_starts")) {
    for (double start : file.attribute_doubles(group + "/loss", "stage_starts")) {
      history.stage_starts.push_back(int(start));
    }
  }
  history.style_layer_names = file.attribute_strings(group + "/loss/style_layers", "layers");
  const std::vector<double> flat = file.read_float64(group + "/loss/style_layers");
  const std::size_t layers = history.style_layer_names.size();
  for (std::size_t row = 0; layers > 0 && row * layers < flat.size(); ++row) {
    history.style_layers.emplace_back(flat.begin() + long(row * layers),
                                      flat.begin() + long((row + 1) * layers));
  }
  return history;
}

}  // namespace stylesweep
