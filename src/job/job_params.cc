#include "job/job_params.h"

#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "common/error.h"
#include "vgg/vgg_layers.h"

namespace stylesweep {
namespace {

void require(bool condition, const std::string& message) {
  if (!condition) throw Error(message);
}

// For formatted messages: built only when the check fails, since validation runs for every job
// of a sweep (a million times when planning large ones).
template <typename Format>
auto require(bool condition, const Format& message) -> decltype(void(message())) {
  if (!condition) throw Error(message());
}

void validate_layers(const std::string& parameter, const std::vector<std::string>& layers) {
  require(!layers.empty(), parameter + ": at least one layer is needed");
  for (const auto& layer : layers) {
    try {
      const LayerSpec& spec = vgg19_layer(layer);
      require(spec.kind != LayerKind::kPool, [&] {
        return fmt::format("{}: '{}' is a pooling layer; use a conv* or relu* layer", parameter,
                           layer);
      });
    } catch (const Error& error) {
      throw Error(parameter + ": " + error.what());
    }
  }
}

void validate_weights(const std::string& parameter, const std::vector<double>& weights) {
  for (double weight : weights) {
    require(std::isfinite(weight) && weight >= 0, [&] {
      return fmt::format("{}: weights must be finite and non-negative, got {}", parameter, weight);
    });
  }
  require(weights.empty() || std::accumulate(weights.begin(), weights.end(), 0.0) > 0,
          parameter + ": weights must not all be zero");
}

}  // namespace

std::vector<double> StyleJob::resolved_style_layer_weights() const {
  if (!style_layer_weights.empty()) return style_layer_weights;
  return std::vector<double>(style_layers.size(), 1.0 / double(style_layers.size()));
}

std::vector<double> StyleJob::normalized_blend() const {
  std::vector<double> blend = style_blend.empty() ? std::vector<double>(styles.size(), 1.0)
                                                  : style_blend;
  const double sum = std::accumulate(blend.begin(), blend.end(), 0.0);
  for (double& weight : blend) weight /= sum;
  return blend;
}

namespace {
void validate_schedule_parameter(const StyleJob& job, const std::string& key);
}  // namespace

void StyleJob::validate_parameter(const std::string& key) const {
  if (key == "content") require(!content.empty(), "content: an image path is required");
  if (key == "style") require(!styles.empty(), "style: at least one style image is required");
  if (key == "blend") validate_weights("blend", style_blend);
  if (key == "content_layers") validate_layers("content_layers", content_layers);
  if (key == "style_layers") validate_layers("style_layers", style_layers);
  if (key == "style_layer_weights") validate_weights("style_layer_weights", style_layer_weights);
  if (key == "ratio" && ratio) {
    require(std::isfinite(*ratio) && *ratio > 0,
            [&] { return fmt::format("ratio: must be a finite number > 0, got {}", *ratio); });
  }
  if (key == "alpha") {
    require(std::isfinite(alpha) && alpha >= 0,
            [&] { return fmt::format("alpha: must be finite and >= 0, got {}", alpha); });
  }
  if (key == "beta") {
    require(std::isfinite(beta) && beta >= 0,
            [&] { return fmt::format("beta: must be finite and >= 0, got {}", beta); });
  }
  if (key == "optimizer") {
    require(optimizer == "lbfgs" || optimizer == "adam",
            "optimizer: must be 'lbfgs' or 'adam', got '" + optimizer + "'");
  }
  // libtorch keeps the rate as a float: larger values fail inside it, without a name.
  if (key == "lr")
    require(std::isfinite(lr) && lr > 0 && lr <= 1e30,
            [&] { return fmt::format("lr: must be > 0 and at most 1e30, got {}", lr); });
  if (key == "iterations") {
    require(iterations >= 1,
            [&] { return fmt::format("iterations: must be >= 1, got {}", iterations); });
  }
  if (key == "size") {
    require(size >= 8 && size <= 8192,
            [&] { return fmt::format("size: must be 8 to 8192 pixels, got {}", size); });
  }
  if (key == "pooling") {
    require(pooling == "avg" || pooling == "max",
            "pooling: must be 'avg' or 'max', got '" + pooling + "'");
  }
  if (key == "tv_weight") {
    require(std::isfinite(tv_weight) && tv_weight >= 0,
            [&] { return fmt::format("tv_weight: must be finite and >= 0, got {}", tv_weight); });
  }
  if (key == "style_scale") {
    require(std::isfinite(style_scale) && style_scale > 0 && style_scale <= 8,
            [&] { return fmt::format("style_scale: must be in (0, 8], got {}", style_scale); });
  }
  validate_schedule_parameter(*this, key);
}

namespace {

// The coarse-to-fine schedule, the initial image and checkpoints.
void validate_schedule_parameter(const StyleJob& job, const std::string& key) {
  const auto& scales = job.scales;
  if (key == "scales") {
    for (std::size_t i = 0; i < scales.size(); ++i) {
      require(scales[i] >= 8, [&] { return fmt::format("scales: each must be at least 8, got {}", scales[i]); });
      require(i == 0 || scales[i] > scales[i - 1],
              [&] { return fmt::format("scales: must be ascending, got {} after {}", scales[i], scales[i - 1]); });
    }
  }
  if (key == "scale_iterations") {
    require(job.scale_iterations >= 1, [&] {
      return fmt::format("scale_iterations: must be >= 1, got {}", job.scale_iterations);
    });
  }
  if (key == "init") require(!job.init.empty(), "init: must be noise, content, style or an image path");
  if (key == "checkpoint_every") {
    require(job.checkpoint_every >= 0, [&] {
      return fmt::format("checkpoint_every: must be >= 0, got {}", job.checkpoint_every);
    });
  }
}

}  // namespace

void StyleJob::validate() const {
  for (const char* key : {"content", "style", "blend", "content_layers", "style_layers",
                          "style_layer_weights", "ratio", "alpha", "beta", "optimizer", "lr",
                          "iterations", "size", "pooling", "tv_weight", "style_scale", "scales",
                          "scale_iterations", "init", "checkpoint_every"}) {
    if (ratio && (std::string(key) == "alpha" || std::string(key) == "beta")) continue;
    validate_parameter(key);
  }
  validate_combination();
}

void StyleJob::validate_combination() const {
  require(!content.empty(), "content: an image path is required");
  require(!styles.empty(), "style: at least one style image is required");
  require(style_blend.empty() || style_blend.size() == styles.size(), [&] {
    return fmt::format("blend: {} weights given for {} styles", style_blend.size(), styles.size());
  });
  require(scales.empty() || scales.back() < size, [&] {
    return fmt::format("scales: each must be below size ({}), got {}", size, scales.back());
  });
  require(style_layer_weights.empty() || style_layer_weights.size() == style_layers.size(), [&] {
    return fmt::format("style_layer_weights: {} weights given for {} style layers",
                       style_layer_weights.size(), style_layers.size());
  });
}

}  // namespace stylesweep

#include "common/sha256.h"
#include "common/text.h"
#include "job/losses_name.h"

namespace stylesweep {
namespace {

// Shortest text that reads back as the same double: ids must not depend on printing precision.
std::string exact(double value) { return fmt::format("{}", value); }

std::string exact_list(const std::vector<double>& values) {
  std::vector<std::string> parts;
  for (double value : values) parts.push_back(exact(value));
  return join(parts, ",");
}

std::string init_identity(const std::string& init, const FileHasher& hash_file) {
  if (is_init_keyword(init)) return init;
  return "image:" + hash_file(init);
}

}  // namespace

bool can_share_batch(const StyleJob& a, const StyleJob& b) {
  return a.optimizer == "adam" && b.optimizer == "adam" && a.scales.empty() && b.scales.empty() &&
         a.content == b.content && a.styles == b.styles && a.normalized_blend() == b.normalized_blend() &&
         a.size == b.size && a.style_scale == b.style_scale && a.content_layers == b.content_layers &&
         a.style_layers == b.style_layers && a.pooling == b.pooling && a.iterations == b.iterations;
}

std::string canonical_job_text(const StyleJob& job, const std::string& weights_sha256,
                               const FileHasher& hasher) {
  const FileHasher hash_file = hasher ? hasher : FileHasher(sha256_file);
  std::vector<std::string> style_hashes;
  for (const auto& style : job.styles) style_hashes.push_back(hash_file(style));
  std::string text;
  text.reserve(512);
  auto line = [&text](const char* key, const std::string& value) {
    text.append(key).append(1, '=').append(value).append(1, '\n');
  };
  line("alpha", exact(job.effective_alpha()));
  line("beta", exact(job.effective_beta()));
  line("blend", exact_list(job.normalized_blend()));
  line("content", hash_file(job.content));
  line("content_layers", join(job.content_layers, ","));
  line("init", init_identity(job.init, hash_file));
  line("iterations", std::to_string(job.iterations));
  line("lr", job.optimizer == "adam" ? exact(job.lr) : "-");
  line("normalization", kNormalizationName);
  line("optimizer", job.optimizer);
  line("pooling", job.pooling);
  line("preserve_colors", job.preserve_colors ? "true" : "false");
  if (!job.scales.empty()) {  // absent for single-scale jobs, whose ids predate the option
    std::vector<std::string> scales;
    for (int scale : job.scales) scales.push_back(std::to_string(scale));
    line("scale_iterations", std::to_string(job.scale_iterations));
    line("scales", join(scales, ","));
  }
  line("seed", std::to_string(job.seed));
  line("size", std::to_string(job.size));
  line("style", join(style_hashes, ","));
  line("style_layer_weights", exact_list(job.resolved_style_layer_weights()));
  line("style_layers", join(job.style_layers, ","));
  line("style_scale", exact(job.style_scale));
  line("tv_weight", exact(job.tv_weight));
  line("weights", weights_sha256);
  return text;
}

std::string job_id(const StyleJob& job, const std::string& weights_sha256,
                   const FileHasher& hash_file) {
  return sha256_hex(canonical_job_text(job, weights_sha256, hash_file)).substr(0, 16);
}

}  // namespace stylesweep
