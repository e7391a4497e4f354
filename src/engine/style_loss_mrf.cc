// style_loss: mrf, the patch loss of Li and Wand ("Combining Markov Random Fields and
// Convolutional Neural Networks for Image Synthesis", CVPR 2016), as a row of the style-loss
// table. Per layer: the result's features are cut into every k x k patch Ψ_i (stride 1), the
// style's into k x k patches Φ_j at stride `mrf_stride`; each Ψ_i is matched to the Φ_NN(i) of the
// highest normalized cross-correlation (a convolution with the normalized style patches as
// filters; the assignment is held fixed for the gradient, as in Li and Wand); the loss is
// E_l = Σ_i ‖Ψ_i − Φ_NN(i)‖² / (m k² N), m the number of result patches, so that it compares
// across layers and sizes (Li and Wand's sum, divided by m k² N).
#include <torch/torch.h>

#include <fmt/format.h>

#include "common/error.h"
#include "engine/style_loss_kinds.h"
#include "job/job_params.h"

namespace stylesweep {
namespace {

namespace functional = torch::nn::functional;

// The style's patches [N k², P] and the same patches normalized to unit length, as convolution
// filters [P, N, k, k] (a patch of zeros stays zero).
struct MrfTarget : LayerTarget {
  torch::Tensor patches, filters;
};

void require_patches(const torch::Tensor& features, int patch_size, const char* image, const std::string& layer) {
  if (features.size(2) >= patch_size && features.size(3) >= patch_size) return;
  throw Error(fmt::format("style_loss: mrf: the {} image's features at {} are {}x{}, smaller than "
                          "mrf_patch_size {}; use a larger size or shallower style layers",
                          image, layer, features.size(3), features.size(2), patch_size),
              ErrorKind::kBadInput);
}

// features [1, N, H, W] -> every k x k patch at `stride`, flattened: [N k², patches].
torch::Tensor patches_of(const torch::Tensor& features, int patch_size, int stride) {
  return functional::unfold(features, functional::UnfoldFuncOptions({patch_size, patch_size}).stride(stride))
      .squeeze(0);
}

TensorMap style_patches(const torch::Tensor& features, const std::string& layer, const StyleJob& job) {
  require_patches(features, job.style_patch_size, "style", layer);
  return {{"patches", patches_of(features, job.style_patch_size, job.style_patch_stride)}};
}

std::shared_ptr<const LayerTarget> mrf_target(const TensorMap& parts, double, double) {
  auto target = std::make_shared<MrfTarget>();
  target->patches = parts.at("patches");
  const torch::Tensor norms = target->patches.norm(2, {0}, true).clamp_min(1e-12);
  target->filters = (target->patches / norms).t().contiguous();
  return target;
}

// The result's patches, shared by every style's term at the layer.
torch::Tensor result_patches(const torch::Tensor& features, const LayerPlace& place, const StyleJob& job) {
  require_patches(features, job.style_patch_size, "content", place.layer);
  return patches_of(features, job.style_patch_size, 1);
}

torch::Tensor mrf_loss(const LayerInput& input, const LayerTarget& target, const StyleJob& job) {
  const auto& style = static_cast<const MrfTarget&>(target);
  const std::int64_t channels = input.features.size(1), k = job.style_patch_size;
  torch::Tensor nearest;
  {
    // argmax_j Ψ_i·Φ_j/|Φ_j| is the highest cosine: |Ψ_i| is the same for every j.
    torch::NoGradGuard no_grad;
    const torch::Tensor correlation =
        torch::conv2d(input.features.detach(), style.filters.view({-1, channels, k, k}));
    nearest = correlation.argmax(1).reshape({-1});
  }
  const torch::Tensor matched = style.patches.index_select(1, nearest);
  const double normalizer = double(input.shared.size(1)) * double(k * k) * double(channels);
  return (input.shared - matched).pow(2).sum() / normalizer;
}

}  // namespace

extern const StyleLossKind kMrfStyleLoss{StyleLoss::kMrf, style_patches, mrf_target, result_patches, mrf_loss, false};

}  // namespace stylesweep
