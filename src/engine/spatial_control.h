// Spatial control (Gatys et al. 2017, Sec. 4) around any style-loss row that supports guides:
// each region r of the content mask has guides T_r (its share of each position, area-averaged to
// every layer), the result's terms compare the guided features F ∘ T_r with each style's own
// guided features, with the region's mass m_r as the number of positions, and a layer's term is
// region_weight = 1/R times their sum over the regions some style has pixels of.
#pragma once

#include <torch/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/style_layer_loss.h"
#include "job/job_params.h"
#include "job/spatial_masks.h"

namespace stylesweep {

struct StyleTarget;

// A mask's region planes as [1, R, height, width] guides, resized by area averaging (PyTorch's
// "area" interpolation): each region's share of each pixel.
torch::Tensor mask_guides(const MaskPlanes& masks, std::int64_t height, std::int64_t width);

// The result's guides T_r [R, M] and masses m_r at each style layer, from the content's guides.
struct RegionGuides {
  std::map<std::string, torch::Tensor> guides;          // by style layer: [R, M]
  std::map<std::string, std::vector<double>> masses;    // by style layer: m_r
};
RegionGuides result_region_guides(const std::vector<std::string>& style_layers, const torch::Tensor& content_guides);

// One style's parts per layer and region, as the target cache keeps them: "<layer>/r<r>/<part>"
// and "<layer>/r<r>/mass", absent for a region the style has no pixels of. `style_guides`
// undefined: the whole image for every region.
TensorMap region_style_parts(const StyleLossKind& row, const TensorMap& activations, const torch::Tensor& style_guides,
                             std::int64_t regions, const StyleJob& job);

// One style's target at a layer: the row's target per region (null where the style lacks it),
// matched to the result's region masses.
struct RegionTargets : LayerTarget {
  std::vector<std::shared_ptr<const LayerTarget>> regions;
};
std::shared_ptr<const RegionTargets> region_targets(const StyleLossKind& row, const TensorMap& parts,
                                                    const std::string& layer, const std::vector<double>& result_masses);

// 1/R over the regions some style has pixels of; throws Error naming the content mask when no
// style has any.
double region_weight(const std::vector<StyleTarget>& styles, const RegionGuides& guides, const StyleJob& job);

// The job's row under the guides; throws Error (internal) for a row that does not support them.
std::shared_ptr<const StyleLayerLoss> guided_style_loss(const StyleJob& job, RegionGuides guides, double region_weight);

}  // namespace stylesweep
