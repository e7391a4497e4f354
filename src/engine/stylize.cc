#include "engine/stylize.h"

#include <torch/torch.h>

#include <chrono>
#include <optional>

#include "common/sha256.h"
#include "engine/batch_runner.h"
#include "engine/checkpoint.h"
#include "engine/image_cache.h"
#include "engine/job_images.h"
#include "engine/job_targets.h"
#include "engine/network_cache.h"
#include "engine/stage.h"
#include "engine/target_cache.h"
#include "engine/weights_library.h"
#include "engine/yardstick.h"
#include "job/job_fields.h"
#include "job/memory_estimate.h"

namespace stylesweep {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Room for the targets of a few dozen image/size/layer combinations at 512 px.
constexpr std::size_t kDefaultTargetCacheBytes = std::size_t(512) << 20;

// libtorch's errors become the project's at the engine's boundary, so nothing outside src/engine
// sees c10: running out of memory is a resource failure, anything else an internal one.
template <typename Body>
auto translating_libtorch_errors(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const c10::OutOfMemoryError& error) {
    throw Error(std::string("libtorch: ") + error.what_without_backtrace(), ErrorKind::kIo);
  } catch (const c10::Error& error) {
    throw Error(std::string("libtorch: ") + error.what_without_backtrace(), ErrorKind::kInternal);
  }
}

// The stage of a coarse-to-fine job at one of its coarse sizes: short, without checkpoints or
// colour preservation.
StyleJob coarse_stage(const StyleJob& job, int scale) {
  StyleJob stage = job;
  stage.size = scale;
  stage.scales.clear();
  stage.iterations = job.scale_iterations;
  stage.checkpoint_path.clear();
  stage.checkpoint_every = 0;
  stage.snapshot_every = 0;  // snapshots have the final size
  stage.preserve_colors = false;
  return stage;
}

}  // namespace

struct StyleEngine::Impl {
  // The engine's own weights are read (and validated) before the device is parsed, so a bad file
  // is reported as such.
  Impl(const std::string& path, VggWeights weights, const torch::Device& device, const std::string& device_text)
      : device(device), device_name(device_text), library(device), own(&library.add(path, std::move(weights))) {
    library.set_pinned(path, true);
    use_yardstick(*own);
  }

  torch::Device device;
  std::string device_name;
  std::int64_t memory_budget = 0;
  std::function<std::optional<DeviceMemory>()> device_memory_probe;
  WeightsLibrary library;
  LoadedWeights* own;
  LoadedWeights* yardstick_weights = nullptr;
  TargetCache target_cache{kDefaultTargetCacheBytes};
  ResizedImages images;
  std::unique_ptr<Yardstick> yardstick;

  LoadedWeights& weights_for(const StyleJob& job) {
    return job.weights_file.empty() ? *own : library.get(job.weights_file);
  }
  EngineCaches caches_for(LoadedWeights& weights) { return {weights.networks, target_cache, images}; }
  void use_yardstick(LoadedWeights& weights) {
    if (yardstick_weights && yardstick_weights != own) library.set_pinned(yardstick_weights->path, false);
    weights.pinned = true;
    yardstick_weights = &weights;
    yardstick = std::make_unique<Yardstick>(caches_for(weights), weights.sha256);
  }

  PreparedJob prepare(const StyleJob& job) {
    return prepare_job(job, caches_for(weights_for(job)), [this](const StyleJob& checked, const Image& content_image,
                                           const std::vector<torch::Tensor>& styles) {
      check_memory(checked, content_image, styles);
    });
  }
  // Throws Error when the job's estimate exceeds the memory budget or the device's free memory.
  void check_memory(const StyleJob& job, const Image& content_image, const std::vector<torch::Tensor>& styles) const;
  // One optimization at job.size, appending to `history` (earlier stages' evaluations, or a
  // resumed checkpoint's when `resumed` is given).
  JobResult optimize(const StyleJob& job, const Image* start, LossHistory history,
                     const std::string& checkpoint_key, CheckpointState* resumed,
                     const ProgressCallback& progress, const StopCheck& should_stop, bool final_stage = true);
};

void StyleEngine::Impl::check_memory(const StyleJob& job, const Image& content_image,
                                     const std::vector<torch::Tensor>& styles) const {
  const std::optional<DeviceMemory> device_free = device_memory_probe ? device_memory_probe() : std::nullopt;
  if (memory_budget <= 0 && !device_free) return;
  std::vector<std::pair<int, int>> style_sizes;
  for (const auto& style : styles) style_sizes.emplace_back(int(style.size(3)), int(style.size(2)));
  const std::pair<int, int> size{content_image.width, content_image.height};
  const MemoryLimits limits{memory_budget, device_free ? device_free->free : -1, device_free ? device_free->total : 0,
                            device_name};
  require_memory_fits(estimate_job_memory(job, size, style_sizes), size, limits);
}

JobResult StyleEngine::Impl::optimize(const StyleJob& job, const Image* start, LossHistory history,
                                      const std::string& checkpoint_key, CheckpointState* resumed,
                                      const ProgressCallback& progress, const StopCheck& should_stop,
                                      bool final_stage) {
  const PreparedJob prepared = prepare(job);
  // A frame job's first stage starts where its links say (engine/temporal.h).
  if (!start && prepared.start) start = &*prepared.start;
  torch::Tensor image =
      initial_image(job, prepared.content, prepared.styles.front(), start, weights_for(job).networks);
  history.style_layer_names = job.style_layers;
  if (resumed) {
    image = resumed->image.to(device);
    history = resumed->history;
  }
  Stage stage(job, {prepared.vgg, prepared.layers, &prepared.targets}, image, std::move(history),
              checkpoint_key, progress, should_stop);
  if (job.optimizer == Optimizer::kAdam) {
    stage.run_adam(resumed);
  } else {
    stage.run_lbfgs();
  }
  stage.finish_snapshots();
  const int result_evaluation = stage.result_evaluation();
  JobResult result = finished_result(job, stage.image(), prepared.content_image, std::move(stage.history()),
                                     device_name, final_stage);
  result.optimize_seconds = stage.seconds();
  result.result_evaluation = result_evaluation;
  result.termination = stage.converged() ? Termination::kConverged : Termination::kIterations;
  return result;
}

StyleEngine::StyleEngine(const std::string& weights_path, const std::string& device) {
  VggWeights weights = read_weights(weights_path);  // a bad file is reported before a bad device
  const torch::Device parsed = translating_libtorch_errors([&] { return torch::Device(device); });
  impl_ = std::make_unique<Impl>(weights_path, std::move(weights), parsed, device);
  impl_->device_memory_probe = [device] { return device_memory(device); };
  // Results must not depend on how busy the machine is (engines made without apply_device too).
  translating_libtorch_errors([] { pin_intra_op_threads(); });
}

StyleEngine::~StyleEngine() = default;

const std::string& StyleEngine::weights_path() const { return impl_->own->path; }
const std::string& StyleEngine::weights_sha256() const { return impl_->own->sha256; }

StyleEngine::WeightsFile StyleEngine::weights_for(const StyleJob& job) {
  return translating_libtorch_errors([&] {
    const LoadedWeights& weights = impl_->weights_for(job);
    return WeightsFile{weights.path, weights.sha256};
  });
}

void StyleEngine::set_yardstick_weights(const std::string& path) {
  translating_libtorch_errors([&] { impl_->use_yardstick(impl_->library.get(path)); });
}

StyleEngine::WeightsFile StyleEngine::yardstick_weights() const {
  return {impl_->yardstick_weights->path, impl_->yardstick_weights->sha256};
}

void StyleEngine::set_weights_cache_bytes(std::int64_t bytes) { impl_->library.set_budget(bytes); }
std::vector<std::string> StyleEngine::loaded_weights() const { return impl_->library.loaded(); }
const std::string& StyleEngine::device() const { return impl_->device_name; }
void StyleEngine::set_memory_budget(std::int64_t bytes) {
  impl_->memory_budget = bytes;
  // Loaded weights files take at most a quarter of it.
  if (bytes > 0) impl_->library.set_budget(std::min(WeightsLibrary::kDefaultBudgetBytes, bytes / 4));
}
void StyleEngine::set_device_memory_probe(std::function<std::optional<DeviceMemory>()> probe) {
  impl_->device_memory_probe = std::move(probe);
}

JobResult StyleEngine::run(const StyleJob& job, const ProgressCallback& progress,
                           const StopCheck& should_stop) {
  return translating_libtorch_errors([&] { return run_unguarded(job, progress, should_stop); });
}

std::vector<StyleEngine::BatchOutcome> StyleEngine::run_batch(const std::vector<StyleJob>& jobs) {
  return translating_libtorch_errors([&] { return run_batch_unguarded(jobs); });
}

// Coarse stages are short and not checkpointed: a stop during one restarts the job, and a
// checkpoint always belongs to the final stage, whose history holds the coarse ones. Progress
// counts evaluations over all stages (each stage reports its place in the whole history).
JobResult StyleEngine::run_unguarded(const StyleJob& job, const ProgressCallback& progress,
                                     const StopCheck& should_stop) {
  const auto job_start = Clock::now();
  job.validate();
  const NumericsGuard numerics(job.precision, job.deterministic);
  const std::string checkpoint_key =
      job.checkpoint_path.empty() ? "" : canonical_job_text(job, impl_->weights_for(job).sha256);
  CheckpointState resumed;
  const bool resuming = load_checkpoint(job, checkpoint_key, resumed);
  const int planned = job.planned_evaluations();
  double earlier_seconds = 0;  // optimization time of the stages before this one
  auto overall_progress = [&](Progress stage) {
    stage.planned_evaluations = planned;
    stage.elapsed_seconds += earlier_seconds;
    progress(stage);
  };
  const ProgressCallback stage_progress = progress ? ProgressCallback(overall_progress) : ProgressCallback();
  LossHistory history;
  std::optional<Image> start;
  for (int scale : resuming ? std::vector<int>() : job.scales) {
    history.stage_starts.push_back(int(history.size()));
    JobResult coarse = impl_->optimize(coarse_stage(job, scale), start ? &*start : nullptr, std::move(history), "",
                                       nullptr, stage_progress, should_stop, false);
    history = std::move(coarse.history);
    start = std::move(coarse.image);
    earlier_seconds += coarse.optimize_seconds;
  }
  if (!resuming && !job.scales.empty()) history.stage_starts.push_back(int(history.size()));
  JobResult result = impl_->optimize(job, start ? &*start : nullptr, std::move(history), checkpoint_key,
                                     resuming ? &resumed : nullptr, stage_progress, should_stop);
  result.optimize_seconds += earlier_seconds;
  result.metrics = impl_->yardstick->measure(job, result.image);
  result.wall_seconds = seconds_since(job_start);
  remove_checkpoint(job);
  return result;
}

std::vector<StyleEngine::BatchOutcome> StyleEngine::run_batch_unguarded(const std::vector<StyleJob>& jobs) {
  for (const StyleJob& job : jobs) {
    job.validate();
    if (!can_share_batch(jobs.front(), job)) {
      throw Error("run_batch: every job of a batch must be an Adam job with the same images, size, "
                  "layers, pooling and iterations, and no scales",
                  ErrorKind::kInternal);
    }
  }
  if (jobs.empty()) return {};
  const NumericsGuard numerics(jobs.front().precision, jobs.front().deterministic);
  const PreparedJob prepared = impl_->prepare(jobs.front());
  return run_adam_batch(jobs, prepared, impl_->weights_for(jobs.front()).networks, *impl_->yardstick,
                        impl_->device_name);
}

}  // namespace stylesweep
