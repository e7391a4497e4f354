// The job parameter table: one entry per parameter, grouped by what it controls.
#include "job/job_fields.h"

#include <cmath>
#include <numeric>
#include <type_traits>

#include <fmt/format.h>

#include "common/error.h"
#include "common/text.h"
#include "vgg/vgg_layers.h"

namespace stylesweep {
namespace {

void check_layers(const std::string& parameter, const std::vector<std::string>& layers) {
  require(!layers.empty(), parameter + ": at least one layer is needed");
  for (const auto& layer : layers) {
    try {
      const LayerSpec& spec = vgg19_layer(layer);
      require(spec.kind != LayerKind::kPool, [&] {
        return fmt::format("{}: '{}' is a pooling layer; use a conv* or relu* layer", parameter, layer);
      });
    } catch (const Error& error) {
      throw Error(parameter + ": " + error.what(), error.kind());
    }
  }
}

void check_weights(const std::string& parameter, const std::vector<double>& weights) {
  for (double weight : weights) {
    require(std::isfinite(weight) && weight >= 0, [&] {
      return fmt::format("{}: weights must be finite and non-negative, got {}", parameter, weight);
    });
  }
  require(weights.empty() || std::accumulate(weights.begin(), weights.end(), 0.0) > 0,
          parameter + ": weights must not all be zero");
}

void check_non_negative(const char* name, double value) {
  require(std::isfinite(value) && value >= 0,
          [&] { return fmt::format("{}: must be finite and >= 0, got {}", name, value); });
}

void check_at_least_one(const char* name, int value) {
  require(value >= 1, [&] { return fmt::format("{}: must be >= 1, got {}", name, value); });
}

// The images and how several styles are blended.
void add_image_fields(std::vector<JobField>& fields) {
  auto add = [&fields](JobField field) { fields.push_back(std::move(field)); };
  JobField content{"content", &StyleJob::content, "image name", "the only content image", "content image"};
  content.check = [](const StyleJob& job) {
    require(!job.content.empty() || !job.video.empty(), "content: an image path is required");
  };
  content.id_value = [](const StyleJob& job, const FileHasher& hash) -> std::optional<std::string> {
    return hash(job.content);
  };
  content.record = [](const StyleJob& job) -> std::vector<RecordEntry> {
    return {{"content", job.content_name.empty() ? job.content : job.content_name}, {"content_path", job.content}};
  };
  content.shapes_cost = content.shapes_batch = true;
  add(content);

  JobField style{"style", &StyleJob::styles, "name or list of names", "the only style image",
                 "style image(s); several are blended"};
  style.check = [](const StyleJob& job) { require(!job.styles.empty(), "style: at least one style image is required"); };
  style.id_value = [](const StyleJob& job, const FileHasher& hash) -> std::optional<std::string> {
    std::vector<std::string> hashes;
    for (const auto& path : job.styles) hashes.push_back(hash(path));
    return join(hashes, ",");
  };
  style.record = [](const StyleJob& job) -> std::vector<RecordEntry> {
    return {{"style", job.style_name.empty() ? join(job.styles, "+") : job.style_name}, {"style_paths", job.styles}};
  };
  style.shapes_cost = style.shapes_batch = true;
  add(style);

  JobField blend{"blend", &StyleJob::style_blend, "list of numbers ≥ 0", "equal",
                 "blend weight per style, normalized to sum 1", LabelStyle::kPrefixed, "blend"};
  blend.check = [](const StyleJob& job) { check_weights("blend", job.style_blend); };
  blend.id_value = [](const StyleJob& job, const FileHasher&) -> std::optional<std::string> {
    return exact_list(job.normalized_blend());
  };
  blend.record = [](const StyleJob& job) -> std::vector<RecordEntry> {
    return {{"style_blend", job.normalized_blend()}};
  };
  blend.shapes_batch = true;
  add(blend);
}

// The loss weights: alpha, beta and their ratio.
void add_weight_fields(std::vector<JobField>& fields) {
  auto add = [&fields](JobField field) { fields.push_back(std::move(field)); };
  JobField alpha{"alpha", &StyleJob::alpha, "number ≥ 0", "1e-3", "content weight α", LabelStyle::kScientific, "a"};
  alpha.check = [](const StyleJob& job) { check_non_negative("alpha", job.alpha); };
  alpha.id_value = [](const StyleJob& job, const FileHasher&) -> std::optional<std::string> {
    return exact(job.effective_alpha());
  };
  alpha.record = [](const StyleJob& job) -> std::vector<RecordEntry> {
    return {{"alpha", job.effective_alpha()}};
  };
  add(alpha);

  JobField beta{"beta", &StyleJob::beta, "number ≥ 0", "1", "style weight β", LabelStyle::kScientific, "b"};
  beta.check = [](const StyleJob& job) { check_non_negative("beta", job.beta); };
  beta.id_value = [](const StyleJob& job, const FileHasher&) -> std::optional<std::string> {
    return exact(job.effective_beta());
  };
  beta.record = [](const StyleJob& job) -> std::vector<RecordEntry> {
    return {{"beta", job.effective_beta()}};
  };
  add(beta);

  JobField ratio{"ratio", &StyleJob::ratio, "number > 0", "1e-3",
                 "α/β with β = 1; when set it wins over `alpha`/`beta`", LabelStyle::kScientific, "r"};
  ratio.check = [](const StyleJob& job) {
    if (!job.ratio) return;
    require(std::isfinite(*job.ratio) && *job.ratio > 0,
            [&] { return fmt::format("ratio: must be a finite number > 0, got {}", *job.ratio); });
  };
  ratio.in_id = false;  // it sets alpha and beta, whose lines hold it
  ratio.record = [](const StyleJob& job) -> std::vector<RecordEntry> {
    return {{"ratio", job.effective_alpha() / job.effective_beta()}};
  };
  add(ratio);
}

// The layers and their weights.
void add_layer_fields(std::vector<JobField>& fields) {
  auto add = [&fields](JobField field) { fields.push_back(std::move(field)); };
  JobField content_layers{"content_layers", &StyleJob::content_layers, "list of layer names", "`[relu4_2]`",
                          "content layers (`conv*` or `relu*`)"};
  content_layers.check = [](const StyleJob& job) { check_layers("content_layers", job.content_layers); };
  content_layers.shapes_content_targets = content_layers.shapes_cost = content_layers.shapes_batch = true;
  add(content_layers);

  JobField style_layers{"style_layers", &StyleJob::style_layers, "list of layer names",
                        "`[relu1_1, relu2_1, relu3_1, relu4_1, relu5_1]`", "style layers"};
  style_layers.check = [](const StyleJob& job) { check_layers("style_layers", job.style_layers); };
  style_layers.shapes_style_targets = style_layers.shapes_cost = style_layers.shapes_batch = true;
  add(style_layers);

  JobField layer_weights{"style_layer_weights", &StyleJob::style_layer_weights, "list of numbers ≥ 0",
                         "1/|style layers| each", "w_l, one per style layer", LabelStyle::kPrefixed, "w"};
  layer_weights.check = [](const StyleJob& job) { check_weights("style_layer_weights", job.style_layer_weights); };
  layer_weights.id_value = [](const StyleJob& job, const FileHasher&) -> std::optional<std::string> {
    return exact_list(job.resolved_style_layer_weights());
  };
  layer_weights.record = [](const StyleJob& job) -> std::vector<RecordEntry> {
    return {{"style_layer_weights", job.resolved_style_layer_weights()}};
  };
  add(layer_weights);
}

// The optimizer, its steps and the image's size, seed and start.
void add_optimizer_fields(std::vector<JobField>& fields) {
  auto add = [&fields](JobField field) { fields.push_back(std::move(field)); };
  JobField optimizer{"optimizer", &StyleJob::optimizer, "`lbfgs` or `adam`", "`lbfgs`",
                     "the paper's L-BFGS, or Adam", LabelStyle::kValue, "", "--optimizer", "lbfgs (the paper's) or adam"};
  optimizer.shapes_cost = true;
  add(optimizer);

  JobField lr{"lr", &StyleJob::lr, "number > 0", "10", "Adam's step size in pixel units", LabelStyle::kScientific,
              "lr", "--lr", "Adam step size in pixel units"};
  // libtorch keeps the rate as a float: larger values fail inside it, without a name.
  lr.check = [](const StyleJob& job) {
    require(std::isfinite(job.lr) && job.lr > 0 && job.lr <= 1e30,
            [&] { return fmt::format("lr: must be > 0 and at most 1e30, got {}", job.lr); });
  };
  lr.id_value = [](const StyleJob& job, const FileHasher&) -> std::optional<std::string> {
    return job.optimizer == Optimizer::kAdam ? exact(job.lr) : "-";
  };
  add(lr);

  JobField iterations{"iterations", &StyleJob::iterations, "integer ≥ 1", "500",
                      "loss evaluations (L-BFGS) or steps (Adam)", LabelStyle::kPrefixed, "it", "--iterations",
                      "Loss evaluations (lbfgs) or steps (adam)"};
  iterations.check = [](const StyleJob& job) { check_at_least_one("iterations", job.iterations); };
  iterations.shapes_cost = iterations.shapes_batch = true;  // a batch takes its steps together
  add(iterations);

  JobField size{"size", &StyleJob::size, "integer 8 … 8192", "512", "long side of the result in pixels",
                LabelStyle::kPrefixed, "s", "--size", "Long side of the result in pixels"};
  size.check = [](const StyleJob& job) {
    require(job.size >= 8 && job.size <= 8192,
            [&] { return fmt::format("size: must be 8 to 8192 pixels, got {}", job.size); });
  };
  size.shapes_content_targets = size.shapes_style_targets = size.shapes_cost = size.shapes_batch = true;
  add(size);

  add({"seed", &StyleJob::seed, "integer ≥ 0", "0", "seed of the noise initialization", LabelStyle::kPrefixed,
       "seed", "--seed", "Seed of the noise initialization"});

  JobField init{"init", &StyleJob::init, "`noise`, `content`, `style` or an image path", "`noise`",
                "the starting image", LabelStyle::kInitImage, "", "--init", "noise, content, style or an image path"};
  init.id_value = [](const StyleJob& job, const FileHasher& hash) -> std::optional<std::string> {
    return job.init.kind == InitKind::kImage ? "image:" + hash(job.init.image) : init_text(job.init);
  };
  add(init);
}

// The network's pooling, total variation and the style's scale.
void add_network_fields(std::vector<JobField>& fields) {
  auto add = [&fields](JobField field) { fields.push_back(std::move(field)); };
  JobField pooling{"pooling", &StyleJob::pooling, "`avg` or `max`", "`avg`", "pooling in VGG-19", LabelStyle::kValue,
                   "", "--pooling", "avg (the paper's) or max"};
  pooling.shapes_content_targets = pooling.shapes_style_targets = pooling.shapes_batch = true;
  add(pooling);

  // The file's SHA-256 is the id's `weights` line (job_id's argument), whatever names the file.
  JobField weights{"weights", &StyleJob::weights,
                   "`vgg19`, `random`, a name under the top-level `weights` map, or a file",
                   "the top-level `weights` (`vgg19`)",
                   "the VGG-19 weights file (docs/weights.md); an axis compares weights files, each job's id holds "
                   "its file's SHA-256"};
  weights.in_id = false;
  weights.record = [](const StyleJob& job) -> std::vector<RecordEntry> {
    if (job.weights.empty()) return {};
    return {{"weights", job.weights}};
  };
  weights.shapes_content_targets = weights.shapes_style_targets = weights.shapes_batch = true;
  add(weights);

  JobField tv{"tv_weight", &StyleJob::tv_weight, "number ≥ 0", "0", "total-variation weight γ",
              LabelStyle::kScientific, "tv", "--tv", "Total variation weight"};
  tv.check = [](const StyleJob& job) { check_non_negative("tv_weight", job.tv_weight); };
  add(tv);

  JobField style_scale{"style_scale", &StyleJob::style_scale, "number in (0, 8]", "1",
                       "style long side = scale × `size` (Grams are compared per position, so any style size is "
                       "a fair target)",
                       LabelStyle::kPrefixed, "ss", "--style-scale", "Style long side = scale x content long side"};
  style_scale.check = [](const StyleJob& job) {
    require(std::isfinite(job.style_scale) && job.style_scale > 0 && job.style_scale <= 8,
            [&] { return fmt::format("style_scale: must be in (0, 8], got {}", job.style_scale); });
  };
  style_scale.shapes_style_targets = style_scale.shapes_cost = style_scale.shapes_batch = true;
  add(style_scale);
}

// Coarse-to-fine stages and colour preservation.
void add_schedule_fields(std::vector<JobField>& fields) {
  auto add = [&fields](JobField field) { fields.push_back(std::move(field)); };
  JobField scales{"scales", &StyleJob::scales, "list of integers, ascending, each ≥ 8 and < `size`", "`[]`",
                  "coarse-to-fine: optimize first at these long sides, each stage starting from the previous "
                  "result upsampled; `[]` is a single scale, as in the paper",
                  LabelStyle::kScales};
  scales.check = [](const StyleJob& job) {
    const auto& sizes = job.scales;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      require(sizes[i] >= 8, [&] { return fmt::format("scales: each must be at least 8, got {}", sizes[i]); });
      require(i == 0 || sizes[i] > sizes[i - 1],
              [&] { return fmt::format("scales: must be ascending, got {} after {}", sizes[i], sizes[i - 1]); });
    }
  };
  // Absent for single-scale jobs, whose ids predate the option.
  scales.id_value = [](const StyleJob& job, const FileHasher&) -> std::optional<std::string> {
    if (job.scales.empty()) return std::nullopt;
    return int_list(job.scales, ",");
  };
  scales.shapes_cost = true;
  add(scales);

  JobField scale_iterations{"scale_iterations", &StyleJob::scale_iterations, "integer ≥ 1", "100",
                            "evaluations (or Adam steps) at each of `scales`", LabelStyle::kPrefixed, "scit",
                            "--scale-iterations", "Evaluations (or Adam steps) at each of --scales"};
  scale_iterations.check = [](const StyleJob& job) { check_at_least_one("scale_iterations", job.scale_iterations); };
  scale_iterations.id_value = [](const StyleJob& job, const FileHasher&) -> std::optional<std::string> {
    if (job.scales.empty()) return std::nullopt;
    return std::to_string(job.scale_iterations);
  };
  scale_iterations.shapes_cost = true;
  add(scale_iterations);

  add({"preserve_colors", &StyleJob::preserve_colors, "boolean", "false", "keep the content's colours: a post-hoc swap of the result's luminance into the content's chroma (YCbCr) after the optimization",
       LabelStyle::kSwitch, "colors", "--preserve-colors", "Keep the content's colours (luminance transfer in YCbCr)"});
}

// The patches of `style_loss: mrf`; in the id of mrf jobs only.
// A choice's name in the id, absent at its default: ids from before the choice stay as they were.
template <auto Member, auto Default>
std::optional<std::string> choice_unless_default(const StyleJob& job, const FileHasher&) {
  if (job.*Member == Default) return std::nullopt;
  return std::string(choice_name(job.*Member));
}

// A parameter of mrf's, in the id of mrf jobs only.
template <int StyleJob::*Member>
std::optional<std::string> mrf_only(const StyleJob& job, const FileHasher&) {
  if (job.style_loss != StyleLoss::kMrf) return std::nullopt;
  return std::to_string(job.*Member);
}

void add_mrf_fields(std::vector<JobField>& fields) {
  JobField patch_size{"mrf_patch_size", &StyleJob::style_patch_size, "odd integer 1 … 7", "3",
                      "`mrf`: side of the feature patches", LabelStyle::kPrefixed, "mrfk", "--mrf-patch-size",
                      "mrf: side of the feature patches (odd)"};
  patch_size.check = [](const StyleJob& job) {
    const int size = job.style_patch_size;
    require(size >= 1 && size <= 7 && size % 2 == 1,
            [&] { return fmt::format("mrf_patch_size: must be an odd integer from 1 to 7, got {}", size); });
  };
  patch_size.id_value = mrf_only<&StyleJob::style_patch_size>;
  patch_size.shapes_style_targets = patch_size.shapes_batch = true;
  fields.push_back(patch_size);

  JobField stride{"mrf_stride", &StyleJob::style_patch_stride, "integer 1 … 7", "2",
                  "`mrf`: stride of the style's patches (the result's are taken at every position)",
                  LabelStyle::kPrefixed, "mrfs", "--mrf-stride", "mrf: stride of the style's patches"};
  stride.check = [](const StyleJob& job) {
    const int value = job.style_patch_stride;
    require(value >= 1 && value <= 7,
            [&] { return fmt::format("mrf_stride: must be an integer from 1 to 7, got {}", value); });
  };
  stride.id_value = mrf_only<&StyleJob::style_patch_stride>;
  stride.shapes_style_targets = stride.shapes_batch = true;
  fields.push_back(stride);
}

// Colour control and the style loss (Gatys et al. 2017 and later losses on the same features).
// Absent from the id at their defaults, so ids from before them stay.
void add_control_fields(std::vector<JobField>& fields) {
  auto add = [&fields](JobField field) { fields.push_back(std::move(field)); };
  JobField color_control{"color_control", &StyleJob::color_control,
                         "`none`, `luminance`, `histogram_chol`, `histogram_pca` or `histogram_sym`", "`none`",
                         "colour control before the optimization (Gatys et al. 2017, Sec. 5): luminance-only "
                         "transfer in YIQ, or the style's colour histogram matched to the content's",
                         LabelStyle::kValue, "", "--color-control",
                         "none, luminance, histogram_chol, histogram_pca or histogram_sym"};
  color_control.id_value = choice_unless_default<&StyleJob::color_control, ColorControl::kNone>;
  // It changes the images the targets come from (luminance: the content's too).
  color_control.shapes_content_targets = color_control.shapes_style_targets = color_control.shapes_batch = true;
  add(color_control);

  JobField style_loss{"style_loss", &StyleJob::style_loss,
                      "`gram`, `gram_mse`, `gaussian_w2`, `sliced_wasserstein` or `mrf`", "`gram`",
                      "per-layer style loss: the paper's Gram loss, the Gram loss as jcjohnson/neural-style "
                      "normalizes it, the 2-Wasserstein distance of fitted Gaussians, the sliced Wasserstein "
                      "loss, or the patch loss of Li and Wand (CNNMRF)",
                      LabelStyle::kValue, "", "--style-loss",
                      "gram (the paper's), gram_mse, gaussian_w2, sliced_wasserstein or mrf"};
  style_loss.id_value = choice_unless_default<&StyleJob::style_loss, StyleLoss::kGram>;
  style_loss.shapes_style_targets = style_loss.shapes_cost = style_loss.shapes_batch = true;
  add(style_loss);
  add_mrf_fields(fields);

  JobField content_mask{"content_mask", &StyleJob::content_mask, "mask name (under `images.masks`)", "none",
                        "spatial control (Gatys et al. 2017, Sec. 4): each distinct colour of the mask, at most 8, "
                        "is a region with Gram matrices of its own",
                        LabelStyle::kValue, "", "--content-mask",
                        "Spatial control: a mask image of the content's size whose colours (at most 8) are regions"};
  content_mask.id_value = [](const StyleJob& job, const FileHasher& hash) -> std::optional<std::string> {
    if (job.content_mask.empty()) return std::nullopt;
    return hash(job.content_mask);
  };
  content_mask.shapes_style_targets = content_mask.shapes_cost = content_mask.shapes_batch = true;
  add(content_mask);

  JobField style_masks{"style_masks", &StyleJob::style_masks, "list of mask names or `all`, one per style",
                       "`all` for each", "the pixels of each style that feed each region of `content_mask`"};
  style_masks.id_value = [](const StyleJob& job, const FileHasher& hash) -> std::optional<std::string> {
    if (job.content_mask.empty()) return std::nullopt;
    std::vector<std::string> parts;
    for (std::size_t s = 0; s < job.styles.size(); ++s) {
      const bool whole = job.style_masks.empty() || job.style_masks[s] == kWholeImageMask;
      parts.push_back(whole ? std::string(kWholeImageMask) : hash(job.style_masks[s]));
    }
    return join(parts, ",");
  };
  style_masks.shapes_style_targets = style_masks.shapes_cost = style_masks.shapes_batch = true;
  add(style_masks);
}

// Early stopping on convergence. Absent from the id while off, so ids from before them stay.
void add_stopping_fields(std::vector<JobField>& fields) {
  auto add = [&fields](JobField field) { fields.push_back(std::move(field)); };
  JobField tolerance{"stop_rel_tol", &StyleJob::stop_rel_tol, "number in [0, 1)", "0 (off)",
                     "stop as `converged` once the best total loss improved by less than this fraction over "
                     "the last `stop_window` evaluations; 0 runs every evaluation, as the paper does",
                     LabelStyle::kScientific, "tol", "--stop-rel-tol", "Stop once the best loss improves by "
                     "less than this fraction over --stop-window evaluations (0: off)"};
  tolerance.check = [](const StyleJob& job) {
    require(std::isfinite(job.stop_rel_tol) && job.stop_rel_tol >= 0 && job.stop_rel_tol < 1,
            [&] { return fmt::format("stop_rel_tol: must be in [0, 1), got {}", job.stop_rel_tol); });
  };
  tolerance.id_value = [](const StyleJob& job, const FileHasher&) -> std::optional<std::string> {
    if (job.stop_rel_tol == 0) return std::nullopt;
    return exact(job.stop_rel_tol);
  };
  add(tolerance);

  JobField window{"stop_window", &StyleJob::stop_window, "integer ≥ 1", "10",
                  "evaluations over which `stop_rel_tol` is judged", LabelStyle::kPrefixed, "win", "--stop-window",
                  "Evaluations over which --stop-rel-tol is judged"};
  window.check = [](const StyleJob& job) { check_at_least_one("stop_window", job.stop_window); };
  window.id_value = [](const StyleJob& job, const FileHasher&) -> std::optional<std::string> {
    if (job.stop_rel_tol == 0) return std::nullopt;
    return std::to_string(job.stop_window);
  };
  add(window);

  // Snapshots only record the way to the result: never in the id.
  JobField snapshots{"snapshot_every", &StyleJob::snapshot_every, "integer ≥ 0", "0 (off)",
                     "store the image every N evaluations and at the last, as `/jobs/<id>/snapshots` "
                     "(not part of the id); the final stage only, before `preserve_colors`",
                     LabelStyle::kPrefixed, "snap"};
  snapshots.check = [](const StyleJob& job) {
    require(job.snapshot_every >= 0 && job.snapshot_every <= 1000000,
            [&] { return fmt::format("snapshot_every: must be an integer from 0 to 1000000, got {}", job.snapshot_every); });
  };
  snapshots.in_id = false;
  add(snapshots);
}

// The device's arithmetic. Absent from the id at their defaults, so ids from before them stay.
void add_numerics_fields(std::vector<JobField>& fields) {
  auto add = [&fields](JobField field) { fields.push_back(std::move(field)); };
  JobField precision{"precision", &StyleJob::precision, "`fp32`, `tf32` or `bf16`", "`fp32`",
                     "arithmetic of convolutions and matrix products: float32 with TF32 off (the paper's "
                     "math), TF32 tensor cores (GPUs only; the CPU computes float32), or a bfloat16 network "
                     "with Grams and losses in float32",
                     LabelStyle::kValue, "", "--precision", "fp32 (default), tf32 or bf16"};
  precision.id_value = choice_unless_default<&StyleJob::precision, Precision::kFp32>;
  // A bf16 job runs its own copy of the network, whose features differ from float32's.
  precision.shapes_content_targets = precision.shapes_style_targets = precision.shapes_batch = true;
  precision.index_column = true;
  add(precision);

  JobField deterministic{"deterministic", &StyleJob::deterministic, "boolean", "false",
                         "deterministic algorithms only (the same bits on every run on one device); "
                         "otherwise cuDNN picks its fastest algorithms once per shape",
                         LabelStyle::kSwitch, "det", "--deterministic", "Deterministic algorithms only"};
  deterministic.id_value = [](const StyleJob& job, const FileHasher&) -> std::optional<std::string> {
    if (!job.deterministic) return std::nullopt;
    return std::string("true");
  };
  deterministic.shapes_batch = true;  // a batch runs under one setting
  deterministic.index_column = true;
  add(deterministic);
}

}  // namespace

// Built on first use, so other units' static initializers may use it too.
const std::vector<JobField>& job_fields() {
  static const std::vector<JobField> fields = [] {
    std::vector<JobField> all;
    add_image_fields(all);
    add_weight_fields(all);
    add_layer_fields(all);
    add_optimizer_fields(all);
    add_network_fields(all);
    add_schedule_fields(all);
    add_control_fields(all);
    add_stopping_fields(all);
    add_numerics_fields(all);
    add_video_fields(all);
    return all;
  }();
  return fields;
}

}  // namespace stylesweep
