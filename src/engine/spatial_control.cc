#include "engine/spatial_control.h"

#include <torch/torch.h>

#include <fmt/format.h>

#include "common/error.h"
#include "engine/losses.h"
#include "vgg/vgg_layers.h"

namespace stylesweep {
namespace {

// Mask planes as a [1, R, h, w] tensor.
torch::Tensor planes_tensor(const MaskPlanes& masks) {
  std::vector<float> values;
  for (const auto& plane : masks.planes) values.insert(values.end(), plane.begin(), plane.end());
  return torch::from_blob(values.data(), {1, std::int64_t(masks.planes.size()), masks.height, masks.width},
                          torch::kFloat)
      .clone();
}

// Area averaging (PyTorch's "area" interpolation): a region's share of each output pixel.
torch::Tensor area_resized(const torch::Tensor& guides, std::int64_t height, std::int64_t width) {
  return torch::adaptive_avg_pool2d(guides, {height, width});
}

// The guides [R, M] at a layer whose features are `height` x `width`.
torch::Tensor layer_guides(const torch::Tensor& guides, std::int64_t height, std::int64_t width) {
  return area_resized(guides, height, width).reshape({guides.size(1), -1});
}

// Features [1, N, H, W] weighted by one region's guide [M], as [1, N, M, 1].
torch::Tensor guided_features(const torch::Tensor& flat, const torch::Tensor& guide) {
  return (flat * guide).reshape({1, flat.size(0), flat.size(1), 1});
}

std::string region_prefix(const std::string& layer, std::size_t region) { return fmt::format("{}/r{}", layer, region); }

class GuidedStyleLoss : public StyleLayerLoss {
 public:
  GuidedStyleLoss(const StyleJob& job, RegionGuides guides, double region_weight)
      : row_(style_loss_kind(job.style_loss)), job_(job), guides_(std::move(guides)), region_weight_(region_weight) {}

  // Each region's guided features and the row's shared tensor over them (the guided Gram G_r),
  // computed once per layer for every style's term.
  LayerShare share(const torch::Tensor& features, const LayerPlace& place) const override {
    const torch::Tensor flat = features.reshape({features.size(1), -1});
    const torch::Tensor& guides = guides_.guides.at(place.layer);
    LayerShare share;
    for (std::int64_t r = 0; r < guides.size(0); ++r) {
      share.features.push_back(guided_features(flat, guides[r]));
      share.shared.push_back(row_.shared ? row_.shared(share.features.back(), place, job_) : torch::Tensor());
    }
    return share;
  }

  torch::Tensor loss(const LayerShare& share, const LayerPlace& place, const LayerTarget& target) const override {
    const auto& regions = static_cast<const RegionTargets&>(target).regions;
    const std::vector<double>& masses = guides_.masses.at(place.layer);
    torch::Tensor loss = torch::zeros({}, share.features.front().options());
    for (std::size_t r = 0; r < regions.size(); ++r) {
      if (!regions[r]) continue;  // the style has no pixels of this region
      const LayerInput input{share.features[r], masses[r], share.shared[r]};
      loss = loss + region_weight_ * row_.layer_loss(input, *regions[r], job_);
    }
    return loss;
  }

 private:
  const StyleLossKind& row_;
  StyleJob job_;
  RegionGuides guides_;
  double region_weight_;
};

}  // namespace

torch::Tensor mask_guides(const MaskPlanes& masks, std::int64_t height, std::int64_t width) {
  return area_resized(planes_tensor(masks), height, width);
}

RegionGuides result_region_guides(const std::vector<std::string>& style_layers, const torch::Tensor& content_guides) {
  RegionGuides regions;
  const int width = int(content_guides.size(3)), height = int(content_guides.size(2));
  for (const auto& layer : style_layers) {
    const int downsampling = vgg19_layer(layer).downsampling;
    const torch::Tensor guides = layer_guides(content_guides, height / downsampling, width / downsampling);
    const torch::Tensor masses = guides.sum(1).to(torch::kCPU, torch::kDouble);
    regions.guides[layer] = guides;
    regions.masses[layer].assign(masses.data_ptr<double>(), masses.data_ptr<double>() + masses.numel());
  }
  return regions;
}

TensorMap region_style_parts(const StyleLossKind& row, const TensorMap& activations, const torch::Tensor& style_guides,
                             std::int64_t regions, const StyleJob& job) {
  TensorMap parts;
  for (const auto& [layer, features] : activations) {
    const torch::Tensor flat = features.reshape({features.size(1), -1});
    const torch::Tensor guides = style_guides.defined() ? layer_guides(style_guides, features.size(2), features.size(3))
                                                        : torch::ones({regions, flat.size(1)}, flat.options());
    for (std::int64_t r = 0; r < regions; ++r) {
      const torch::Tensor mass = guides[r].sum();
      if (!(mass.item<double>() > 0)) continue;
      const std::string prefix = region_prefix(layer, std::size_t(r));
      for (auto& [name, tensor] : row.style_parts(guided_features(flat, guides[r]), layer, job)) {
        parts[prefix + "/" + name] = std::move(tensor);
      }
      parts[prefix + "/mass"] = mass;
    }
  }
  return parts;
}

std::shared_ptr<const RegionTargets> region_targets(const StyleLossKind& row, const TensorMap& parts,
                                                    const std::string& layer, const std::vector<double>& result_masses) {
  auto targets = std::make_shared<RegionTargets>();
  targets->regions.resize(result_masses.size());
  for (std::size_t r = 0; r < result_masses.size(); ++r) {
    TensorMap region = parts_under(parts, region_prefix(layer, r));
    const auto mass = region.find("mass");
    if (mass == region.end()) continue;
    const double style_mass = mass->second.item<double>();
    region.erase(mass);
    targets->regions[r] = row.target(region, style_mass, result_masses[r]);
  }
  return targets;
}

// Presence is read at the first style layer: area averaging keeps every region's mass positive
// at every layer, so any layer would do.
double region_weight(const std::vector<StyleTarget>& styles, const RegionGuides& guides, const StyleJob& job) {
  const std::string& layer = job.style_layers.front();
  std::size_t used = 0;
  for (std::size_t r = 0; r < guides.masses.at(layer).size(); ++r) {
    bool in_some_style = false;
    for (const StyleTarget& style : styles) {
      in_some_style = in_some_style || static_cast<const RegionTargets&>(*style.layers.at(layer)).regions[r];
    }
    if (in_some_style) ++used;
  }
  if (used == 0) {
    throw Error(fmt::format("content_mask: {}: no style mask has pixels of any of its colours", job.content_mask),
                ErrorKind::kBadInput);
  }
  return 1.0 / double(used);
}

std::shared_ptr<const StyleLayerLoss> guided_style_loss(const StyleJob& job, RegionGuides guides, double region_weight) {
  if (!style_loss_kind(job.style_loss).supports_guides) {
    throw Error(fmt::format("style_loss: {} does not support spatial control", choice_name(job.style_loss)),
                ErrorKind::kInternal);
  }
  return std::make_shared<GuidedStyleLoss>(job, std::move(guides), region_weight);
}

}  // namespace stylesweep
