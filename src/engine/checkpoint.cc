#include "engine/checkpoint.h"

#include <torch/torch.h>

#include <filesystem>

#include <fmt/format.h>

#include "common/error.h"
#include "job/losses_name.h"

namespace stylesweep {
namespace {

torch::Tensor to_tensor(const std::vector<double>& values) {
  return torch::tensor(values, torch::kDouble);
}

// True when `stored` is the key of this very job under the normalization of earlier versions:
// its history and image belong to another loss, so it is refused rather than continued.
bool is_earlier_normalization_of(const std::string& stored, const std::string& key) {
  const std::string current = std::string("\nnormalization=") + kNormalizationName + "\n";
  const std::string earlier = std::string("\nnormalization=") + kEarlierNormalizationName + "\n";
  const auto at = key.find(current);
  if (at == std::string::npos) return false;
  return stored == key.substr(0, at) + earlier + key.substr(at + current.size());
}

std::vector<double> to_vector(const torch::Tensor& tensor) {
  torch::Tensor flat = tensor.contiguous().to(torch::kDouble);
  return {flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel()};
}

}  // namespace

void save_checkpoint(const StyleJob& job, const std::string& key, const CheckpointState& state) {
  if (job.checkpoint_path.empty()) return;
  torch::serialize::OutputArchive archive;
  archive.write("key", c10::IValue(key));
  archive.write("image", state.image.detach().cpu());
  const LossHistory& history = state.history;
  archive.write("total", to_tensor(history.total));
  archive.write("content", to_tensor(history.content));
  archive.write("style", to_tensor(history.style));
  archive.write("tv", to_tensor(history.tv));
  if (!history.temporal.empty()) archive.write("temporal", to_tensor(history.temporal));
  std::vector<double> flat;
  for (const auto& row : history.style_layers) flat.insert(flat.end(), row.begin(), row.end());
  archive.write("style_layers", to_tensor(flat));
  archive.write("stage_starts", torch::tensor(std::vector<std::int64_t>(history.stage_starts.begin(),
                                                                        history.stage_starts.end()),
                                              torch::kLong));
  const LossHistory::Snapshots& snapshots = history.snapshots;
  if (!snapshots.evaluations.empty()) {  // so a resumed job keeps the snapshots it took
    archive.write("snapshot_evaluations",
                  torch::tensor(std::vector<std::int64_t>(snapshots.evaluations.begin(), snapshots.evaluations.end()),
                                torch::kLong));
    archive.write("snapshots", torch::from_blob(const_cast<std::uint8_t*>(snapshots.rgb.data()),
                                                {std::int64_t(snapshots.evaluations.size()), snapshots.height,
                                                 snapshots.width, 3},
                                                torch::kUInt8).clone());
  }
  if (state.optimizer) {
    torch::serialize::OutputArchive optimizer_archive;
    state.optimizer->save(optimizer_archive);
    archive.write("optimizer", optimizer_archive);
  }
  const std::string temporary = job.checkpoint_path + ".tmp";
  try {
    archive.save_to(temporary);
  } catch (const c10::Error& error) {
    throw io_error(temporary, std::string("cannot write checkpoint: ") + error.what_without_backtrace());
  }
  std::filesystem::rename(temporary, job.checkpoint_path);
}

bool load_checkpoint(const StyleJob& job, const std::string& key, CheckpointState& state) {
  if (job.checkpoint_path.empty() || !std::filesystem::exists(job.checkpoint_path)) return false;
  auto archive = std::make_shared<torch::serialize::InputArchive>();
  try {
    // Onto the CPU whatever device wrote it: a job drained on a GPU resumes on a CPU-only worker
    // (and back); the engine moves the image, restore_optimizer the optimizer's state.
    archive->load_from(job.checkpoint_path, torch::Device(torch::kCPU));
    c10::IValue stored_key;
    archive->read("key", stored_key);
    if (stored_key.toStringRef() != key) {
      if (is_earlier_normalization_of(stored_key.toStringRef(), key)) {
        throw file_error(job.checkpoint_path,
                         fmt::format("checkpoint of this job under the '{}' style normalization of "
                                     "earlier versions; this version computes '{}' (Grams per "
                                     "position), so its history cannot be continued: delete it "
                                     "to start the job over",
                                     kEarlierNormalizationName, kNormalizationName), ErrorKind::kBadInput);
      }
      return false;
    }
    torch::Tensor total, content, style, tv, style_layers;
    archive->read("image", state.image);
    archive->read("total", total);
    archive->read("content", content);
    archive->read("style", style);
    archive->read("tv", tv);
    archive->read("style_layers", style_layers);
    state.history.total = to_vector(total);
    state.history.content = to_vector(content);
    state.history.style = to_vector(style);
    state.history.tv = to_vector(tv);
    state.history.style_layer_names = job.style_layers;
    torch::Tensor temporal;
    if (archive->try_read("temporal", temporal)) state.history.temporal = to_vector(temporal);
    torch::Tensor stage_starts;
    if (archive->try_read("stage_starts", stage_starts)) {
      for (double start : to_vector(stage_starts)) state.history.stage_starts.push_back(int(start));
    }
    torch::Tensor snapshot_evaluations, snapshots;
    if (archive->try_read("snapshot_evaluations", snapshot_evaluations) && archive->try_read("snapshots", snapshots) &&
        snapshots.dim() == 4 && snapshots.size(0) == snapshot_evaluations.numel()) {
      for (double evaluation : to_vector(snapshot_evaluations)) state.history.snapshots.evaluations.push_back(int(evaluation));
      state.history.snapshots.height = int(snapshots.size(1));
      state.history.snapshots.width = int(snapshots.size(2));
      const torch::Tensor bytes = snapshots.to(torch::kUInt8).contiguous();
      state.history.snapshots.rgb.assign(bytes.data_ptr<std::uint8_t>(), bytes.data_ptr<std::uint8_t>() + bytes.numel());
    }
    const std::vector<double> flat = to_vector(style_layers);
    const std::size_t layers = job.style_layers.size();
    for (std::size_t row = 0; row * layers < flat.size(); ++row) {
      state.history.style_layers.emplace_back(flat.begin() + long(row * layers),
                                              flat.begin() + long((row + 1) * layers));
    }
  } catch (const c10::Error& error) {
    // A damaged checkpoint costs only the progress it held: start the job over.
    return false;
  }
  state.archive = archive;
  return true;
}

void restore_optimizer(const CheckpointState& state, torch::optim::Optimizer& optimizer) {
  if (!state.archive) return;
  torch::serialize::InputArchive optimizer_archive;
  if (!state.archive->try_read("optimizer", optimizer_archive)) return;
  optimizer.load(optimizer_archive);
  // The moments follow the parameters to their device.
  const torch::Device device = optimizer.param_groups().front().params().front().device();
  for (auto& entry : optimizer.state()) {
    if (auto* adam = dynamic_cast<torch::optim::AdamParamState*>(entry.second.get())) {
      adam->exp_avg(adam->exp_avg().to(device));
      adam->exp_avg_sq(adam->exp_avg_sq().to(device));
      if (adam->max_exp_avg_sq().defined()) adam->max_exp_avg_sq(adam->max_exp_avg_sq().to(device));
    }
  }
}

void remove_checkpoint(const StyleJob& job) {
  if (job.checkpoint_path.empty()) return;
  std::error_code ignored;
  std::filesystem::remove(job.checkpoint_path, ignored);
}

}  // namespace stylesweep
