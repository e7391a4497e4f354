#include "engine/style_targets.h"

#include <torch/torch.h>

#include <fmt/format.h>

#include "common/error.h"
#include "vgg/vgg_layers.h"

namespace stylesweep {

std::map<std::string, torch::Tensor> style_target_tensors(StyleLoss loss,
                                                          const std::map<std::string, torch::Tensor>& activations) {
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& [layer, features] : activations) {
    switch (loss) {
      case StyleLoss::kGram:
      case StyleLoss::kGramMse: tensors[layer] = gram_matrix(features); break;
      case StyleLoss::kGaussianW2: {
        const FeatureGaussian fit = fit_feature_gaussian(features);
        tensors[layer + "/mean"] = fit.mean;
        tensors[layer + "/covariance_sqrt"] = fit.covariance_sqrt;
        tensors[layer + "/covariance_trace"] = fit.covariance_trace;
        break;
      }
      case StyleLoss::kSlicedWasserstein: tensors[layer] = features.reshape({features.size(1), -1}); break;
    }
  }
  return tensors;
}

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

std::map<std::string, torch::Tensor> region_target_tensors(const std::map<std::string, torch::Tensor>& activations,
                                                           const torch::Tensor& style_guides, std::int64_t regions) {
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& [layer, features] : activations) {
    const torch::Tensor flat = features.reshape({features.size(1), -1});
    const torch::Tensor guides =
        style_guides.defined() ? layer_guides(style_guides, features.size(2), features.size(3))
                               : torch::ones({regions, flat.size(1)}, flat.options());
    for (std::int64_t r = 0; r < regions; ++r) {
      const torch::Tensor mass = guides[r].sum();
      if (!(mass.item<double>() > 0)) continue;
      const torch::Tensor guided = flat * guides[r];
      tensors[fmt::format("{}/gram{}", layer, r)] = torch::mm(guided, guided.t());
      tensors[fmt::format("{}/mass{}", layer, r)] = mass;
    }
  }
  return tensors;
}

std::vector<RegionGram> matched_region_grams(const std::map<std::string, torch::Tensor>& tensors,
                                             const std::string& layer, const std::vector<double>& result_masses) {
  std::vector<RegionGram> grams(result_masses.size());
  for (std::size_t r = 0; r < grams.size(); ++r) {
    const auto gram = tensors.find(fmt::format("{}/gram{}", layer, r));
    if (gram == tensors.end()) continue;
    const double style_mass = tensors.at(fmt::format("{}/mass{}", layer, r)).item<double>();
    grams[r].gram = result_masses[r] == style_mass ? gram->second : gram->second * (result_masses[r] / style_mass);
  }
  return grams;
}

// Presence is read at the first style layer: area averaging keeps every region's mass positive
// at every layer, so any layer would do.
double region_weight(const LossTargets& targets, const StyleJob& job) {
  const std::string& layer = job.style_layers.front();
  std::size_t used = 0;
  for (std::size_t r = 0; r < targets.regions.masses.at(layer).size(); ++r) {
    bool in_some_style = false;
    for (const StyleTarget& style : targets.styles) in_some_style = in_some_style || style.region_grams.at(layer)[r].gram.defined();
    if (in_some_style) ++used;
  }
  if (used == 0) {
    throw Error(fmt::format("content_mask: {}: no style mask has pixels of any of its colours", job.content_mask), ErrorKind::kBadInput);
  }
  return 1.0 / double(used);
}

}  // namespace stylesweep
