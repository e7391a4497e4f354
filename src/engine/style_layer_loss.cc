#include "engine/style_layer_loss.h"

#include <torch/torch.h>

namespace stylesweep {
namespace {

class WholeImageStyleLoss : public StyleLayerLoss {
 public:
  explicit WholeImageStyleLoss(const StyleJob& job) : row_(style_loss_kind(job.style_loss)), job_(job) {}

  LayerShare share(const torch::Tensor& features, const LayerPlace& place) const override {
    return {{features}, {row_.shared ? row_.shared(features, place, job_) : torch::Tensor()}};
  }

  torch::Tensor loss(const LayerShare& share, const LayerPlace&, const LayerTarget& target) const override {
    const torch::Tensor& features = share.features.front();
    const double positions = double(features.size(2) * features.size(3));
    return row_.layer_loss({features, positions, share.shared.front()}, target, job_);
  }

 private:
  const StyleLossKind& row_;
  StyleJob job_;
};

}  // namespace

std::shared_ptr<const StyleLayerLoss> whole_image_style_loss(const StyleJob& job) {
  return std::make_shared<WholeImageStyleLoss>(job);
}

TensorMap whole_image_style_parts(const StyleLossKind& row, const TensorMap& activations, const StyleJob& job) {
  TensorMap parts;
  for (const auto& [layer, features] : activations) {
    for (auto& [name, tensor] : row.style_parts(features, layer, job)) parts[layer + "/" + name] = std::move(tensor);
  }
  return parts;
}

TensorMap parts_under(const TensorMap& parts, const std::string& prefix) {
  TensorMap under;
  const std::string start = prefix + "/";
  for (auto it = parts.lower_bound(start); it != parts.end() && it->first.compare(0, start.size(), start) == 0; ++it) {
    under[it->first.substr(start.size())] = it->second;
  }
  return under;
}

}  // namespace stylesweep
