// What a job's style loss compares with, built once per job from the style images' activations
// (the engine's target cache keeps these tensors), and spatial control's guides: the masks as
// area-averaged planes, the result's guides and masses per layer, each style's region Grams.
#pragma once

#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

#include "engine/losses.h"
#include "job/job_params.h"
#include "job/spatial_masks.h"

namespace stylesweep {

// By layer name (Grams, or features [N, Ms]) or "<layer>/<part>" (a fitted Gaussian's parts).
std::map<std::string, torch::Tensor> style_target_tensors(StyleLoss loss,
                                                          const std::map<std::string, torch::Tensor>& activations);

// A mask's region planes as [1, R, height, width] guides, resized by area averaging (PyTorch's
// "area" interpolation): each region's share of each pixel.
torch::Tensor mask_guides(const MaskPlanes& masks, std::int64_t height, std::int64_t width);
// The result's guides T_r [R, M] and masses m_r at each style layer, from the content's guides.
RegionGuides result_region_guides(const std::vector<std::string>& style_layers, const torch::Tensor& content_guides);
// One style's guided Grams (F ∘ T_r)(F ∘ T_r)ᵀ and masses m_{r,s} per layer and region, as the
// target cache keeps them: "<layer>/gram<r>" and "<layer>/mass<r>", absent for a region the
// style has no pixels of. `style_guides` undefined: the whole image for every region.
std::map<std::string, torch::Tensor> region_target_tensors(const std::map<std::string, torch::Tensor>& activations,
                                                           const torch::Tensor& style_guides, std::int64_t regions);
// A_{r,s} m_r / m_{r,s} per region (unchanged when the masses are equal), undefined where the
// style lacks the region.
std::vector<RegionGram> matched_region_grams(const std::map<std::string, torch::Tensor>& tensors,
                                             const std::string& layer, const std::vector<double>& result_masses);
// 1/R over the regions some style has pixels of; throws Error naming the content mask when no
// style has any.
double region_weight(const LossTargets& targets, const StyleJob& job);

}  // namespace stylesweep
