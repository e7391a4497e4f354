#include "engine/job_targets.h"

#include <torch/torch.h>

#include "engine/image_cache.h"
#include "engine/network_cache.h"
#include "engine/spatial_control.h"
#include "engine/style_layer_loss.h"
#include "engine/target_cache.h"
#include "engine/temporal.h"
#include "engine/tensor_image.h"
#include "image/color.h"
#include "job/job_fields.h"
#include "job/spatial_masks.h"
#include "vgg/vgg_layers.h"

namespace stylesweep {
namespace {

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

// Spatial control's guides at the prepared sizes: the content's [1, R, H, W] and each style's
// [1, R, Hs, Ws] (undefined for a whole style image); all undefined without a content_mask.
struct Guides {
  torch::Tensor content;
  std::vector<torch::Tensor> styles;
};

Guides spatial_guides(const StyleJob& job, const Image& content_image, const std::vector<torch::Tensor>& styles,
                      const torch::Device& device) {
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

std::map<std::string, torch::Tensor> content_targets(const StyleJob& job, Vgg19& vgg, const torch::Tensor& content,
                                                     TargetCache& cache) {
  const std::string key = content_target_key(job);
  if (auto cached = cache.find(key)) return *cached;
  std::map<std::string, torch::Tensor> targets;
  auto features = vgg->forward(content, job.content_layers);
  for (const auto& layer : job.content_layers) targets[layer] = features.at(layer);
  cache.insert(key, targets);
  return targets;
}

// What the job's row keeps of style `s` at every style layer (per region under spatial control).
TensorMap style_parts(const StyleJob& job, std::size_t s, Vgg19& vgg, const torch::Tensor& style,
                      const Guides& guides, TargetCache& cache) {
  const std::string key = style_target_key(job, job.styles[s]);
  if (auto cached = cache.find(key)) return std::move(*cached);
  const StyleLossKind& row = style_loss_kind(job.style_loss);
  const auto activations = vgg->forward(style, job.style_layers);
  TensorMap parts = guides.content.defined()
                        ? region_style_parts(row, activations, guides.styles[s], guides.content.size(1), job)
                        : whole_image_style_parts(row, activations, job);
  cache.insert(key, parts);
  return parts;
}

// One style's target at each style layer. A whole-image target sums over the style's own
// positions Ms, which the cache key's size determines; it is matched to the result's M here,
// once, not at every evaluation.
StyleTarget style_target(const StyleJob& job, const TensorMap& parts, const torch::Tensor& content,
                         const torch::Tensor& style, const RegionGuides* regions) {
  const StyleLossKind& row = style_loss_kind(job.style_loss);
  StyleTarget target;
  for (const auto& layer : job.style_layers) {
    if (regions) {
      target.layers[layer] = region_targets(row, parts, layer, regions->masses.at(layer));
      continue;
    }
    const double style_positions = double(layer_positions(int(style.size(3)), int(style.size(2)), layer));
    const double positions = double(layer_positions(int(content.size(3)), int(content.size(2)), layer));
    target.layers[layer] = row.target(parts_under(parts, layer), style_positions, positions);
  }
  return target;
}

LossTargets compute_targets(const StyleJob& job, Vgg19& vgg, const torch::Tensor& content,
                            const std::vector<torch::Tensor>& styles, const Guides& guides, TargetCache& cache) {
  torch::NoGradGuard no_grad;
  LossTargets targets;
  targets.content = content_targets(job, vgg, content, cache);
  const bool guided = guides.content.defined();
  RegionGuides regions;
  if (guided) regions = result_region_guides(job.style_layers, guides.content);
  const std::vector<double> blend = job.normalized_blend();
  for (std::size_t s = 0; s < styles.size(); ++s) {
    const TensorMap parts = style_parts(job, s, vgg, styles[s], guides, cache);
    targets.styles.push_back(style_target(job, parts, content, styles[s], guided ? &regions : nullptr));
    targets.styles.back().blend = blend[s];
  }
  if (guided) {
    const double weight = region_weight(targets.styles, regions, job);
    targets.style_loss = guided_style_loss(job, std::move(regions), weight);
  } else {
    targets.style_loss = whole_image_style_loss(job);
  }
  return targets;
}

// A frame job's temporal targets and start, luminance images when the job optimizes luminance.
void add_temporal_inputs(const StyleJob& job, const EngineCaches& caches, bool luminance_only, PreparedJob& prepared) {
  TemporalInputs inputs = temporal_inputs(job, prepared.content_image, caches.images);
  const torch::Device& device = caches.networks.device();
  const auto options = torch::TensorOptions().dtype(torch::kFloat32);
  for (WarpedLink& link : inputs.targets) {
    const Image warped = luminance_only ? luminance_image(link.warped) : link.warped;
    torch::Tensor weight = torch::from_blob(link.weight.data(), {1, 1, warped.height, warped.width}, options).clone();
    prepared.targets.temporal.push_back({image_to_tensor(warped, device), weight.to(device)});
  }
  if (inputs.start) prepared.start = luminance_only ? luminance_image(*inputs.start) : *inputs.start;
}

}  // namespace

PreparedJob prepare_job(const StyleJob& job, const EngineCaches& caches, const MemoryCheck& check_memory) {
  const torch::Device& device = caches.networks.device();
  // A copy: loading the styles may evict it from the cache.
  Image content_image = caches.images.get(job.content, job.size);
  std::vector<std::string> layers = job.content_layers;
  layers.insert(layers.end(), job.style_layers.begin(), job.style_layers.end());
  require_large_enough(content_image.width, content_image.height, layers, "content");
  // Luminance-only transfer optimizes on luminance images; the content's colours return at the end.
  const bool luminance_only = job.color_control == ColorControl::kLuminance;
  torch::Tensor content = image_to_tensor(luminance_only ? luminance_image(content_image) : content_image, device);
  std::vector<torch::Tensor> styles;
  const int style_size = job.style_long_side();
  for (const auto& path : job.styles) {
    const Image& style_image = caches.images.get(path, style_size);
    require_large_enough(style_image.width, style_image.height, job.style_layers, "style");
    styles.push_back(image_to_tensor(color_controlled_style(job.color_control, style_image, content_image), device));
  }
  if (check_memory) check_memory(job, content_image, styles);
  Vgg19& vgg = caches.networks.network(job.pooling, job.precision, layers);
  const Guides guides = spatial_guides(job, content_image, styles, device);
  LossTargets targets = compute_targets(job, vgg, content, styles, guides, caches.targets);
  PreparedJob prepared{std::move(content_image), content, std::move(styles), std::move(layers), &vgg,
                       std::move(targets), std::nullopt};
  if (!job.frame_links.empty()) add_temporal_inputs(job, caches, luminance_only, prepared);
  return prepared;
}

}  // namespace stylesweep
