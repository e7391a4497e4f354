#include "engine/style_loss_kinds.h"

#include <torch/torch.h>

#include <array>

#include "common/error.h"
#include "engine/losses.h"
#include "engine/style_losses.h"
#include "job/job_params.h"

namespace stylesweep {

// Rows defined beside their computation, in engine/style_loss_<name>.cc.
extern const StyleLossKind kMrfStyleLoss;

namespace {

// gram and gram_mse: the style's Gram A over its own Ms positions, matched to the result's M
// once (A M/Ms) rather than at every evaluation; the result's Gram is shared by the styles.
struct GramTarget : LayerTarget {
  torch::Tensor gram;
};

TensorMap gram_parts(const torch::Tensor& features, const std::string&, const StyleJob&) { return {{"gram", gram_matrix(features)}}; }

std::shared_ptr<const LayerTarget> gram_target(const TensorMap& parts, double style_positions, double positions) {
  auto target = std::make_shared<GramTarget>();
  target->gram = matched_gram(parts.at("gram"), style_positions, positions);
  return target;
}

torch::Tensor result_gram(const torch::Tensor& features, const LayerPlace&, const StyleJob&) {
  return gram_matrix(features);
}

torch::Tensor gram_loss(const LayerInput& input, const LayerTarget& target, const StyleJob&) {
  return matched_gram_layer_loss(input.shared, input.positions, static_cast<const GramTarget&>(target).gram);
}

torch::Tensor gram_mse_loss(const LayerInput& input, const LayerTarget& target, const StyleJob&) {
  return matched_gram_mse_layer_loss(input.shared, input.positions, static_cast<const GramTarget&>(target).gram);
}

// gaussian_w2: the Gaussian fitted to the style's features, whatever their count.
struct GaussianTarget : LayerTarget {
  FeatureGaussian gaussian;
};

TensorMap gaussian_parts(const torch::Tensor& features, const std::string&, const StyleJob&) {
  const FeatureGaussian fit = fit_feature_gaussian(features);
  return {{"mean", fit.mean}, {"covariance_sqrt", fit.covariance_sqrt}, {"covariance_trace", fit.covariance_trace}};
}

std::shared_ptr<const LayerTarget> gaussian_target(const TensorMap& parts, double, double) {
  auto target = std::make_shared<GaussianTarget>();
  target->gaussian = {parts.at("mean"), parts.at("covariance_sqrt"), parts.at("covariance_trace")};
  return target;
}

torch::Tensor gaussian_loss(const LayerInput& input, const LayerTarget& target, const StyleJob&) {
  return gaussian_w2_layer_loss(input.features, static_cast<const GaussianTarget&>(target).gaussian);
}

// sliced_wasserstein: the style's features [N, Ms]; the directions are drawn anew for every
// evaluation and layer and shared by the styles.
struct FeaturesTarget : LayerTarget {
  torch::Tensor features;
};

TensorMap flat_features(const torch::Tensor& features, const std::string&, const StyleJob&) {
  return {{"features", features.reshape({features.size(1), -1})}};
}

std::shared_ptr<const LayerTarget> features_target(const TensorMap& parts, double, double) {
  auto target = std::make_shared<FeaturesTarget>();
  target->features = parts.at("features");
  return target;
}

torch::Tensor directions(const torch::Tensor& features, const LayerPlace& place, const StyleJob& job) {
  return slice_directions(features.size(1), job.seed, place.evaluation, place.layer_index, features.options());
}

torch::Tensor sliced_loss(const LayerInput& input, const LayerTarget& target, const StyleJob&) {
  return sliced_wasserstein_layer_loss(input.features, static_cast<const FeaturesTarget&>(target).features,
                                       input.shared);
}

const StyleLossKind kGramStyleLoss{StyleLoss::kGram, gram_parts, gram_target, result_gram, gram_loss, true};
const StyleLossKind kGramMseStyleLoss{StyleLoss::kGramMse, gram_parts, gram_target, result_gram, gram_mse_loss,
                                      false};
const StyleLossKind kGaussianW2StyleLoss{StyleLoss::kGaussianW2, gaussian_parts, gaussian_target, nullptr,
                                         gaussian_loss, false};
const StyleLossKind kSlicedWassersteinStyleLoss{StyleLoss::kSlicedWasserstein, flat_features, features_target,
                                                directions, sliced_loss, false};

}  // namespace

const StyleLossKind& style_loss_kind(StyleLoss loss) {
  // In the enum's order.
  static const std::array<const StyleLossKind*, ChoiceNames<StyleLoss>::names.size()> rows = {
      &kGramStyleLoss, &kGramMseStyleLoss, &kGaussianW2StyleLoss, &kSlicedWassersteinStyleLoss,
      &kMrfStyleLoss};
  const StyleLossKind& row = *rows.at(std::size_t(loss));
  if (row.loss != loss) throw Error("style loss table out of the enum's order", ErrorKind::kInternal);
  return row;
}

}  // namespace stylesweep
