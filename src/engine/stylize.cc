#include "engine/stylize.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/random.h"
#include "common/sha256.h"
#include "engine/checkpoint.h"
#include "engine/device.h"
#include "engine/evaluation.h"
#include "engine/stage.h"
#include "image/color.h"
#include "engine/losses.h"
#include "engine/metrics.h"
#include "image/image_metrics.h"
#include "engine/style_targets.h"
#include "engine/target_cache.h"
#include "job/job_fields.h"
#include "job/memory_estimate.h"
#include "job/spatial_masks.h"
#include "vgg/random_weights.h"
#include "engine/vgg19.h"
#include "vgg/vgg_layers.h"

namespace stylesweep {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

torch::Tensor image_to_tensor(const Image& image, const torch::Device& device) {
  torch::Tensor hwc = torch::from_blob(const_cast<float*>(image.pixels.data()),
                                       {image.height, image.width, 3}, torch::kFloat);
  return hwc.permute({2, 0, 1}).unsqueeze(0).contiguous().to(device);
}

Image tensor_to_image(const torch::Tensor& tensor) {
  torch::Tensor hwc = tensor.detach().squeeze(0).permute({1, 2, 0}).contiguous().to(torch::kCPU,
                                                                                    torch::kFloat);
  Image image;
  image.height = int(hwc.size(0));
  image.width = int(hwc.size(1));
  image.pixels.assign(hwc.data_ptr<float>(), hwc.data_ptr<float>() + hwc.numel());
  return image;
}

// The last conv a file holds decides how deep the network can go.
std::string deepest_available_layer(const VggWeights& weights) {
  std::string deepest;
  for (const auto& conv : vgg19_conv_names()) {
    if (weights.convs.count(conv)) deepest = "relu" + conv.substr(4);
  }
  return deepest;
}

// The style image as colour control prepares it for a job on `content`.
Image color_controlled_style(ColorControl control, const Image& style, const Image& content) {
  switch (control) {
    case ColorControl::kNone: return style;
    case ColorControl::kLuminance: return matched_luminance_image(style, content);
    case ColorControl::kHistogramChol: return matched_histogram(style, content, HistogramMatch::kCholesky);
    case ColorControl::kHistogramPca: return matched_histogram(style, content, HistogramMatch::kPca);
    case ColorControl::kHistogramSym: return matched_histogram(style, content, HistogramMatch::kSymmetric);
  }
  return style;
}

// Room for the targets of a few dozen image/size/layer combinations at 512 px.
constexpr std::size_t kDefaultTargetCacheBytes = std::size_t(512) << 20;

// Standard deviation, in pixel levels, of the white-noise initial image around the mean pixel.
constexpr double kNoiseStddev = 16.0;

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

}  // namespace

struct StyleEngine::Impl {
  std::string weights_path;
  std::string weights_sha256;
  VggWeights weights;
  torch::Device device{torch::kCPU};
  std::string device_name;
  std::int64_t memory_budget = 0;
  std::function<std::optional<DeviceMemory>()> device_memory_probe;
  std::map<std::pair<Pooling, Precision>, Vgg19> networks;

  // The network for the job's pooling and precision (bf16 jobs run a bfloat16 copy).
  Vgg19& network(const StyleJob& job, const std::vector<std::string>& layers);
  std::vector<double> mean_pixel_rgb() const;
  // `start`, when given, is the previous stage's result of a coarse-to-fine job.
  torch::Tensor initial_image(const StyleJob& job, const torch::Tensor& content,
                              const torch::Tensor& style, const Image* start) const;
  // What one optimization at job.size needs: the inputs at that size, the network and targets.
  struct Prepared {
    Image content_image;
    torch::Tensor content;
    std::vector<torch::Tensor> styles;
    std::vector<std::string> layers;  // content layers, then style layers
    Vgg19* vgg = nullptr;
    LossTargets targets;
  };
  // Spatial control's guides at the prepared sizes: the content's [1, R, H, W] and each style's
  // [1, R, Hs, Ws] (undefined for a whole style image); all undefined without a content_mask.
  struct Guides {
    torch::Tensor content;
    std::vector<torch::Tensor> styles;
  };
  Guides spatial_guides(const StyleJob& job, const Image& content_image, const std::vector<torch::Tensor>& styles) const;
  Prepared prepare(const StyleJob& job);
  // Throws Error when the job's estimate exceeds the memory budget or the device's free memory.
  void check_memory(const StyleJob& job, const Image& content_image, const std::vector<torch::Tensor>& styles) const;
  // One optimization at job.size, appending to `history` (earlier stages' evaluations, or a
  // resumed checkpoint's when `resumed` is given).
  JobResult optimize(const StyleJob& job, const Image* start, LossHistory history,
                     const std::string& checkpoint_key, CheckpointState* resumed,
                     const ProgressCallback& progress, const StopCheck& should_stop, bool final_stage = true);
  // The result of an optimized image: pixels, colours controlled or preserved as asked (only
  // at the `final_stage` of a coarse-to-fine job), the history.
  JobResult finish_result(const StyleJob& job, const torch::Tensor& image, const Image& content_image,
                          LossHistory history, bool final_stage = true) const;
  // The jobs of a batch, side by side (StyleEngine::run_batch).
  struct Batch {
    std::vector<torch::Tensor> images;
    std::vector<Evaluation> evaluations;
    std::vector<std::unique_ptr<torch::optim::Adam>> optimizers;
    std::vector<bool> live;
  };
  static void evaluate_batch(const Prepared& prepared, Batch& batch, std::vector<BatchOutcome>& outcomes,
                             bool with_gradient);
  // The common yardstick of a finished job's result (JobMetrics), from its stored 8-bit pixels.
  JobMetrics measure(const StyleJob& job, const Image& result_image);
  // The yardstick's activations of an image at the layers it reaches (engine/metrics.h), under
  // `cache_key` when given.
  std::map<std::string, torch::Tensor> yardstick_features(const Image& image, const std::string& cache_key);
  // Content features and style Grams, from the cache when this worker computed them before.
  LossTargets compute_targets(const StyleJob& job, Vgg19& vgg, const torch::Tensor& content,
                              const std::vector<torch::Tensor>& styles, const Guides& guides);
  TargetCache target_cache{kDefaultTargetCacheBytes};
  // Decoded and resized input images: a sweep reuses a few images across many jobs, and for
  // small jobs decoding them again costs more than the optimization.
  const Image& resized_image(const std::string& path, int long_side);
  std::map<std::string, Image> image_cache;
};

const Image& StyleEngine::Impl::resized_image(const std::string& path, int long_side) {
  // The file's size and modification time are part of the key: a changed file is read again.
  std::error_code error;
  const auto bytes = std::filesystem::file_size(path, error);
  const auto modified = std::filesystem::last_write_time(path, error).time_since_epoch().count();
  const std::string key = fmt::format("{}|{}|{}|{}", path, long_side, bytes, modified);
  auto found = image_cache.find(key);
  if (found != image_cache.end()) return found->second;
  constexpr std::size_t kMaxCachedImages = 32;
  if (image_cache.size() >= kMaxCachedImages) image_cache.clear();
  return image_cache.emplace(key, resize_long_side(read_image(path), long_side)).first->second;
}

Vgg19& StyleEngine::Impl::network(const StyleJob& job, const std::vector<std::string>& layers) {
  // Fails early, naming the file, if a requested layer needs a conv the file lacks.
  std::vector<std::string> needed_convs;
  const auto& table = vgg19_layers();
  for (int i = 0; i <= deepest_layer_index(layers); ++i) {
    if (table[std::size_t(i)].kind == LayerKind::kConv) needed_convs.push_back(table[std::size_t(i)].name);
  }
  weights.require_convs(needed_convs, weights_path);
  const auto key = std::make_pair(job.pooling, job.precision);
  auto found = networks.find(key);
  if (found == networks.end()) {
    Vgg19 vgg(weights, job.pooling, deepest_available_layer(weights), weights_path);
    vgg->to(device, job.precision == Precision::kBf16 ? torch::kBFloat16 : torch::kFloat);
    vgg->eval();
    found = networks.emplace(key, vgg).first;
  }
  return found->second;
}

std::vector<double> StyleEngine::Impl::mean_pixel_rgb() const {
  std::vector<double> mean = weights.mean;
  if (weights.channel_order == "BGR") std::reverse(mean.begin(), mean.end());
  return mean;
}

torch::Tensor StyleEngine::Impl::initial_image(const StyleJob& job, const torch::Tensor& content,
                                               const torch::Tensor& style, const Image* start) const {
  if (start) return image_to_tensor(resize(*start, int(content.size(3)), int(content.size(2))), device);
  if (job.init.kind == InitKind::kContent) return content.clone();
  if (job.init.kind == InitKind::kStyle) {
    return torch::upsample_bilinear2d(style, {content.size(2), content.size(3)}, false);
  }
  if (job.init.kind == InitKind::kImage) {
    Image init = read_image(job.init.image);
    return image_to_tensor(resize(init, int(content.size(3)), int(content.size(2))), device);
  }
  // White noise around the mean pixel from the project's generator: identical on every device.
  SplitMix64 generator(job.seed);
  const std::vector<double> mean = mean_pixel_rgb();
  const std::int64_t height = content.size(2), width = content.size(3);
  std::vector<float> pixels(std::size_t(3 * height * width));
  for (std::size_t i = 0; i < pixels.size(); ++i) {
    const double channel_mean = mean[i / std::size_t(height * width)];
    pixels[i] = float(channel_mean + kNoiseStddev * generator.normal());
  }
  return torch::from_blob(pixels.data(), {1, 3, height, width}).clone().to(device);
}

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

StyleEngine::Impl::Guides StyleEngine::Impl::spatial_guides(const StyleJob& job, const Image& content_image,
                                                            const std::vector<torch::Tensor>& styles) const {
  Guides guides;
  if (job.content_mask.empty()) return guides;
  const SpatialMasks masks = load_spatial_masks(job);
  guides.content = mask_guides(masks.content, content_image.height, content_image.width).to(device);
  for (std::size_t s = 0; s < styles.size(); ++s) {
    const MaskPlanes& planes = masks.styles[s];
    guides.styles.push_back(planes.whole_image() ? torch::Tensor()
                                                 : mask_guides(planes, styles[s].size(2), styles[s].size(3)).to(device));
  }
  return guides;
}

LossTargets StyleEngine::Impl::compute_targets(const StyleJob& job, Vgg19& vgg,
                                               const torch::Tensor& content,
                                               const std::vector<torch::Tensor>& styles, const Guides& guides) {
  torch::NoGradGuard no_grad;
  LossTargets targets;
  const std::string content_key = content_target_key(job);
  if (auto cached = target_cache.find(content_key)) {
    targets.content = *cached;
  } else {
    auto features = vgg->forward(content, job.content_layers);
    for (const auto& layer : job.content_layers) targets.content[layer] = features.at(layer);
    target_cache.insert(content_key, targets.content);
  }
  const bool guided = guides.content.defined();
  if (guided) targets.regions = result_region_guides(job.style_layers, guides.content);
  const std::vector<double> blend = job.normalized_blend();
  for (std::size_t s = 0; s < styles.size(); ++s) {
    StyleTarget target;
    target.blend = blend[s];
    const std::string style_key = style_target_key(job, job.styles[s]);
    std::map<std::string, torch::Tensor> cached_tensors;
    if (auto cached = target_cache.find(style_key)) {
      cached_tensors = std::move(*cached);
    } else {
      const auto activations = vgg->forward(styles[s], job.style_layers);
      cached_tensors = guided ? region_target_tensors(activations, guides.styles[s], guides.content.size(1))
                              : style_target_tensors(job.style_loss, activations);
      target_cache.insert(style_key, cached_tensors);
    }
    for (const auto& layer : job.style_layers) {
      if (guided) {
        target.region_grams[layer] = matched_region_grams(cached_tensors, layer, targets.regions.masses.at(layer));
        continue;
      }
      switch (job.style_loss) {
        case StyleLoss::kGram:
        case StyleLoss::kGramMse: {
          // Each Gram sums over the style's own positions Ms, which the key's size determines. It
          // is matched to the result's M positions once here, A M/Ms, not at every evaluation.
          const StyleGram own{cached_tensors.at(layer),
                              layer_positions(int(styles[s].size(3)), int(styles[s].size(2)), layer)};
          const std::int64_t result_positions = layer_positions(int(content.size(3)), int(content.size(2)), layer);
          target.grams[layer] = matched_to(own, result_positions);
          break;
        }
        case StyleLoss::kGaussianW2:
          target.gaussians[layer] = {cached_tensors.at(layer + "/mean"), cached_tensors.at(layer + "/covariance_sqrt"),
                                     cached_tensors.at(layer + "/covariance_trace")};
          break;
        case StyleLoss::kSlicedWasserstein: target.features[layer] = cached_tensors.at(layer); break;
      }
    }
    targets.styles.push_back(std::move(target));
  }
  if (guided) targets.regions.region_weight = region_weight(targets, job);
  return targets;
}

std::map<std::string, torch::Tensor> StyleEngine::Impl::yardstick_features(const Image& image,
                                                                          const std::string& cache_key) {
  if (!cache_key.empty()) {
    if (auto cached = target_cache.find(cache_key)) return std::move(*cached);
  }
  StyleJob yardstick;  // average pooling, float32: the same network for every job
  const int deepest = vgg19_layer_index(deepest_available_layer(weights));
  std::vector<std::string> layers;
  for (const auto& layer : kMetricStyleLayers) layers.push_back(layer);
  layers.push_back(kMetricContentLayer);
  const int width = image.width, height = image.height;
  // Layers the weights or the image's size do not reach stay out (their metric is NaN).
  layers.erase(std::remove_if(layers.begin(), layers.end(),
                              [&](const std::string& layer) {
                                return vgg19_layer_index(layer) > deepest || layer_positions(width, height, layer) == 0;
                              }),
               layers.end());
  std::map<std::string, torch::Tensor> features;
  if (!layers.empty()) features = network(yardstick, layers)->forward(image_to_tensor(image, device), layers);
  if (!cache_key.empty()) target_cache.insert(cache_key, features);
  return features;
}

JobMetrics StyleEngine::Impl::measure(const StyleJob& job, const Image& result_image) {
  torch::NoGradGuard no_grad;
  apply_numerics(Precision::kFp32, job.deterministic);
  JobMetrics metrics;
  const std::vector<std::uint8_t> rgb = to_rgb8(result_image);
  const Image stored = from_rgb8(rgb.data(), result_image.width, result_image.height);
  const Image content_image = resized_image(job.content, job.size);
  metrics.ssim = luma_ssim(stored, content_image);
  const auto result = yardstick_features(stored, "");
  const auto content = yardstick_features(content_image, fmt::format("metric-content|{}|{}", job.content, job.size));
  if (result.count(kMetricContentLayer) && content.count(kMetricContentLayer)) {
    metrics.content = content_metric(result.at(kMetricContentLayer), content.at(kMetricContentLayer));
  }
  const std::vector<double> blend = job.normalized_blend();
  const int style_size = job.style_long_side();
  metrics.style = metrics.color = 0;
  for (std::size_t s = 0; s < job.styles.size(); ++s) {
    const Image style_image = resized_image(job.styles[s], style_size);
    metrics.color += blend[s] * color_w2(stored, style_image);
    const auto style = yardstick_features(style_image, fmt::format("metric-style|{}|{}", job.styles[s], style_size));
    double layers_sum = 0;
    for (const auto& layer : kMetricStyleLayers) {
      layers_sum += result.count(layer) && style.count(layer) ? style_metric_layer(result.at(layer), style.at(layer))
                                                              : JobMetrics::kMissing;
    }
    metrics.style += blend[s] * layers_sum / double(kMetricStyleLayers.size());
  }
  apply_numerics(job.precision, job.deterministic);  // the job's switches stay as it left them
  return metrics;
}

StyleEngine::StyleEngine(const std::string& weights_path, const std::string& device)
    : impl_(std::make_unique<Impl>()) {
  impl_->weights_path = weights_path;
  impl_->weights = read_weights(weights_path);
  impl_->weights_sha256 = sha256_file(weights_path);
  impl_->device = translating_libtorch_errors([&] { return torch::Device(device); });
  impl_->device_name = device;
  impl_->device_memory_probe = [device] { return device_memory(device); };
  // Results must not depend on how busy the machine is (engines made without apply_device too).
  translating_libtorch_errors([] { pin_intra_op_threads(); });
}

StyleEngine::~StyleEngine() = default;

const std::string& StyleEngine::weights_path() const { return impl_->weights_path; }
const std::string& StyleEngine::weights_sha256() const { return impl_->weights_sha256; }
const std::string& StyleEngine::device() const { return impl_->device_name; }
void StyleEngine::set_memory_budget(std::int64_t bytes) { impl_->memory_budget = bytes; }
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

JobResult StyleEngine::run_unguarded(const StyleJob& job, const ProgressCallback& progress,
                                     const StopCheck& should_stop) {
  const auto job_start = Clock::now();
  job.validate();
  apply_numerics(job.precision, job.deterministic);
  const std::string checkpoint_key =
      job.checkpoint_path.empty() ? "" : canonical_job_text(job, impl_->weights_sha256);
  CheckpointState resumed;
  const bool resuming = load_checkpoint(job, checkpoint_key, resumed);

  // Progress counts evaluations over all stages of a coarse-to-fine job (each stage reports its
  // place in the whole history).
  const int planned = job.planned_evaluations();
  double earlier_seconds = 0;  // optimization time of the stages before this one
  auto overall_progress = [&](Progress stage) {
    stage.planned_evaluations = planned;
    stage.elapsed_seconds += earlier_seconds;
    progress(stage);
  };
  const ProgressCallback stage_progress = progress ? ProgressCallback(overall_progress) : ProgressCallback();

  // Coarse stages are short and not checkpointed: a stop during one restarts the job, and a
  // checkpoint always belongs to the final stage, whose history holds the coarse ones.
  LossHistory history;
  std::optional<Image> start;
  if (!resuming) {
    for (int scale : job.scales) {
      StyleJob stage = job;
      stage.size = scale;
      stage.scales.clear();
      stage.iterations = job.scale_iterations;
      stage.checkpoint_path.clear();
      stage.checkpoint_every = 0;
      stage.preserve_colors = false;
      history.stage_starts.push_back(int(history.size()));
      JobResult coarse = impl_->optimize(stage, start ? &*start : nullptr, std::move(history), "",
                                         nullptr, stage_progress, should_stop, false);
      history = std::move(coarse.history);
      start = std::move(coarse.image);
      earlier_seconds += coarse.optimize_seconds;
    }
    if (!job.scales.empty()) history.stage_starts.push_back(int(history.size()));
  }
  JobResult result = impl_->optimize(job, start ? &*start : nullptr, std::move(history), checkpoint_key,
                                     resuming ? &resumed : nullptr, stage_progress, should_stop);
  result.optimize_seconds += earlier_seconds;
  result.metrics = impl_->measure(job, result.image);
  result.wall_seconds = seconds_since(job_start);
  remove_checkpoint(job);
  return result;
}

StyleEngine::Impl::Prepared StyleEngine::Impl::prepare(const StyleJob& job) {
  // A copy: loading the styles may evict it from the cache.
  Image content_image = resized_image(job.content, job.size);
  std::vector<std::string> layers = job.content_layers;
  layers.insert(layers.end(), job.style_layers.begin(), job.style_layers.end());
  require_large_enough(content_image.width, content_image.height, layers, "content");
  // Luminance-only transfer optimizes on luminance images; the content's colours return at the end.
  const bool luminance_only = job.color_control == ColorControl::kLuminance;
  torch::Tensor content = image_to_tensor(luminance_only ? luminance_image(content_image) : content_image, device);
  std::vector<torch::Tensor> styles;
  const int style_size = job.style_long_side();
  for (const auto& path : job.styles) {
    const Image& style_image = resized_image(path, style_size);
    require_large_enough(style_image.width, style_image.height, job.style_layers, "style");
    styles.push_back(image_to_tensor(color_controlled_style(job.color_control, style_image, content_image), device));
  }
  check_memory(job, content_image, styles);
  Vgg19& vgg = network(job, layers);
  LossTargets targets = compute_targets(job, vgg, content, styles, spatial_guides(job, content_image, styles));
  return {std::move(content_image), content, std::move(styles), std::move(layers), &vgg, std::move(targets)};
}

JobResult StyleEngine::Impl::optimize(const StyleJob& job, const Image* start, LossHistory history,
                                      const std::string& checkpoint_key, CheckpointState* resumed,
                                      const ProgressCallback& progress, const StopCheck& should_stop,
                                      bool final_stage) {
  const Prepared prepared = prepare(job);
  torch::Tensor image = initial_image(job, prepared.content, prepared.styles.front(), start);
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
  const int result_evaluation = stage.result_evaluation();
  JobResult result =
      finish_result(job, stage.image(), prepared.content_image, std::move(stage.history()), final_stage);
  result.optimize_seconds = stage.seconds();
  result.result_evaluation = result_evaluation;
  result.termination = stage.converged() ? Termination::kConverged : Termination::kIterations;
  return result;
}

JobResult StyleEngine::Impl::finish_result(const StyleJob& job, const torch::Tensor& image,
                                           const Image& content_image, LossHistory history,
                                           bool final_stage) const {
  JobResult result;
  result.image = tensor_to_image(image);
  // A coarse stage's luminance image is the next stage's start, not a result.
  if (job.color_control == ColorControl::kLuminance && final_stage) result.image = join_yiq(result.image, content_image);
  if (job.preserve_colors) result.image = transfer_luminance(result.image, content_image);
  result.evaluations = int(history.size());
  result.result_evaluation = result.evaluations - 1;
  result.history = std::move(history);
  result.device = device_name;
  return result;
}

std::vector<StyleEngine::BatchOutcome> StyleEngine::run_batch_unguarded(const std::vector<StyleJob>& jobs) {
  const auto batch_start = Clock::now();
  for (const StyleJob& job : jobs) {
    job.validate();
    if (!can_share_batch(jobs.front(), job)) {
      throw Error("run_batch: every job of a batch must be an Adam job with the same images, size, "
                  "layers, pooling and iterations, and no scales",
                  ErrorKind::kInternal);
    }
  }
  std::vector<BatchOutcome> outcomes(jobs.size());
  if (jobs.empty()) return outcomes;
  apply_numerics(jobs.front().precision, jobs.front().deterministic);
  const Impl::Prepared prepared = impl_->prepare(jobs.front());
  Impl::Batch batch;
  for (const StyleJob& job : jobs) {
    batch.images.push_back(impl_->initial_image(job, prepared.content, prepared.styles.front(), nullptr));
    batch.images.back().set_requires_grad(true);
    LossHistory history;
    history.style_layer_names = job.style_layers;
    batch.evaluations.emplace_back(prepared.targets, loss_weights(job), std::move(history));
    batch.optimizers.push_back(make_adam(batch.images.back(), job.lr));
  }
  batch.live.assign(jobs.size(), true);
  for (int step = 0; step < jobs.front().iterations; ++step) {
    for (auto& optimizer : batch.optimizers) optimizer->zero_grad();
    Impl::evaluate_batch(prepared, batch, outcomes, true);
    if (std::none_of(batch.live.begin(), batch.live.end(), [](bool alive) { return alive; })) break;
    for (std::size_t b = 0; b < jobs.size(); ++b) {
      if (batch.live[b]) batch.optimizers[b]->step();
    }
  }
  {
    torch::NoGradGuard no_grad;  // the loss of the returned images, as run() records it
    Impl::evaluate_batch(prepared, batch, outcomes, false);
  }
  const double seconds = seconds_since(batch_start);
  for (std::size_t b = 0; b < jobs.size(); ++b) {
    if (!batch.live[b]) continue;
    JobResult& result = outcomes[b].result;
    result = impl_->finish_result(jobs[b], batch.images[b], prepared.content_image,
                                  std::move(batch.evaluations[b].history()));
    result.termination = Termination::kIterations;
    result.metrics = impl_->measure(jobs[b], result.image);
    result.optimize_seconds = result.wall_seconds = seconds;
  }
  return outcomes;
}

// One forward and backward pass for the whole batch; each job's loss sees only its own slice of
// the activations, so its gradient is the one it would get alone. A job whose loss diverges
// stops with its error and history; the others go on.
void StyleEngine::Impl::evaluate_batch(const Prepared& prepared, Batch& batch,
                                       std::vector<BatchOutcome>& outcomes, bool with_gradient) {
  const auto activations = (*prepared.vgg)->forward(torch::cat(batch.images), prepared.layers);
  torch::Tensor total;
  for (std::size_t b = 0; b < batch.images.size(); ++b) {
    if (!batch.live[b]) continue;
    std::map<std::string, torch::Tensor> own;
    for (const auto& [name, activation] : activations) own[name] = activation.narrow(0, long(b), 1);
    try {
      const LossTerms terms = batch.evaluations[b].score(own, batch.images[b]);
      total = total.defined() ? total + terms.total : terms.total;
    } catch (const JobFailure& failure) {
      batch.live[b] = false;
      outcomes[b].error = failure.what();
      outcomes[b].result.history = failure.history();
    }
  }
  if (with_gradient && total.defined()) total.backward();
}

}  // namespace stylesweep
