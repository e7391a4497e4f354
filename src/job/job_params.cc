#include "job/job_params.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "common/error.h"
#include "job/job_fields.h"

namespace stylesweep {

std::string init_text(const Init& init) {
  switch (init.kind) {
    case InitKind::kNoise: return "noise";
    case InitKind::kContent: return "content";
    case InitKind::kStyle: return "style";
    case InitKind::kImage: break;
  }
  return init.image;
}

std::optional<Init> parse_init(const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (text == "noise") return Init{InitKind::kNoise, ""};
  if (text == "content") return Init{InitKind::kContent, ""};
  if (text == "style") return Init{InitKind::kStyle, ""};
  return Init{InitKind::kImage, text};
}
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

void StyleJob::validate_parameter(const std::string& key) const {
  if (const JobField* field = find_job_field(key); field && field->check) field->check(*this);
  if (key == "checkpoint_every" && checkpoint_every < 0) {
    throw Error(fmt::format("checkpoint_every: must be >= 0, got {}", checkpoint_every), ErrorKind::kBadInput);
  }
}

void StyleJob::validate() const {
  for (const JobField& field : job_fields()) {
    const std::string_view name = field.name;
    const bool weights_set_by_ratio = ratio && (name == "alpha" || name == "beta");
    if (field.check && !weights_set_by_ratio) field.check(*this);
  }
  validate_parameter("checkpoint_every");
  validate_combination();
}

void StyleJob::validate_combination() const {
  require(!content.empty() || !video.empty(), "content: an image path (or a video clip) is required");
  require(content.empty() || video.empty() || is_frame_job(),
          "video: a job sets either content or video, and this one sets both");
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
  require(style_masks.empty() || !content_mask.empty(), "style_masks: spatial control needs a content_mask");
  require(style_masks.empty() || style_masks.size() == styles.size(), [&] {
    return fmt::format("style_masks: {} masks given for {} styles (one per style; `all` for a whole style image)",
                       style_masks.size(), styles.size());
  });
  require(content_mask.empty() || style_loss == StyleLoss::kGram, [&] {
    return fmt::format("content_mask: spatial control guides Gram matrices; it needs style_loss gram, got {}",
                       choice_name(style_loss));
  });
}

}  // namespace stylesweep

#include "common/sha256.h"
#include "common/text.h"
#include "job/losses_name.h"

namespace stylesweep {
namespace {

// One line of the canonical id text: a field's, or the normalization's and the weights' (field
// null). Sorted by key, as ids have always been.
struct IdLine {
  std::string key;
  const JobField* field;
};

const std::vector<IdLine>& id_lines() {
  static const std::vector<IdLine> lines = [] {
    std::vector<IdLine> sorted = {{"normalization", nullptr}, {"weights", nullptr}};
    for (const JobField& field : job_fields()) {
      if (field.in_id) sorted.push_back({field.name, &field});
    }
    std::sort(sorted.begin(), sorted.end(), [](const IdLine& a, const IdLine& b) { return a.key < b.key; });
    return sorted;
  }();
  return lines;
}

}  // namespace

int StyleJob::style_long_side() const { return std::max(8, int(std::lround(size * style_scale))); }

bool can_share_batch(const StyleJob& a, const StyleJob& b) {
  // A batch takes its steps together, so jobs that may stop early run alone.
  // Frame jobs with links each have temporal targets of their own; a batch keeps no snapshots.
  return a.optimizer == Optimizer::kAdam && b.optimizer == Optimizer::kAdam && a.scales.empty() && b.scales.empty() &&
         a.frame_links.empty() && b.frame_links.empty() && a.snapshot_every == 0 && b.snapshot_every == 0 &&
         a.stop_rel_tol == 0 && b.stop_rel_tol == 0 && agree_on(a, b, &JobField::shapes_batch);
}

std::string canonical_job_text(const StyleJob& job, const std::string& weights_sha256,
                               const FileHasher& hasher) {
  const FileHasher hash_file = hasher ? hasher : FileHasher(sha256_file);
  std::string text;
  text.reserve(512);
  for (const IdLine& line : id_lines()) {
    std::optional<std::string> value;
    if (!line.field) value = line.key == "weights" ? weights_sha256 : std::string(kNormalizationName);
    else if (line.field->id_value) value = line.field->id_value(job, hash_file);
    else value = exact_text(job, *line.field);
    if (!value) continue;
    text.append(line.key).append(1, '=').append(*value).append(1, '\n');
  }
  // A frame job depends on the jobs it links to: their ids and the linked frames' pixels.
  for (const FrameLink& link : job.frame_links) {
    text.append(fmt::format("link={},{},{},{}\n", link.offset, link.temporal ? 1 : 0, hash_file(link.frame),
                            link.result_id));
  }
  return text;
}

std::string job_id(const StyleJob& job, const std::string& weights_sha256,
                   const FileHasher& hash_file) {
  return sha256_hex(canonical_job_text(job, weights_sha256, hash_file)).substr(0, 16);
}

}  // namespace stylesweep
