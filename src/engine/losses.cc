#include "engine/losses.h"

#include <torch/torch.h>

#include "engine/style_layer_loss.h"

namespace stylesweep {

torch::Tensor gram_matrix(const torch::Tensor& features) {
  const auto channels = features.size(1);
  torch::Tensor flat = features.reshape({channels, -1});
  return torch::mm(flat, flat.t());
}

torch::Tensor content_layer_loss(const torch::Tensor& features, const torch::Tensor& target) {
  return 0.5 * (features - target).pow(2).sum();
}

torch::Tensor matched_gram(const torch::Tensor& gram, double style_positions, double positions) {
  return positions == style_positions ? gram : gram * (positions / style_positions);
}

StyleGram matched_to(const StyleGram& target, std::int64_t positions) {
  return {matched_gram(target.gram, double(target.positions), double(positions)), positions};
}

// Computed as sum (G - A M/Ms)^2 / (4 N^2 M^2), equal to sum (G/M - A/Ms)^2 / (4 N^2): a style
// of the result's size (M = Ms) then takes exactly the paper's operations, and its values stay
// bit-identical to those of the paper's formula. Jobs match their targets once, so the scaling
// in style_layer_loss is for targets of another size only.
torch::Tensor matched_gram_layer_loss(const torch::Tensor& gram, double positions, const torch::Tensor& matched) {
  const double channels = double(gram.size(0));
  const double normalizer = 4.0 * channels * channels * positions * positions;
  return (gram - matched).pow(2).sum() / normalizer;
}

torch::Tensor style_layer_loss(const torch::Tensor& gram, std::int64_t positions, const StyleGram& target) {
  return matched_gram_layer_loss(gram, double(positions), matched_to(target, positions).gram);
}

torch::Tensor matched_gram_mse_layer_loss(const torch::Tensor& gram, double positions, const torch::Tensor& matched) {
  // A/(N Ms) = (A M/Ms)/(N M): the matched target over the same normalizer as G.
  const double normalizer = double(gram.size(0)) * positions;
  return ((gram - matched) / normalizer).pow(2).mean();
}

torch::Tensor gram_mse_layer_loss(const torch::Tensor& gram, std::int64_t positions, const StyleGram& target) {
  return matched_gram_mse_layer_loss(gram, double(positions), matched_to(target, positions).gram);
}

torch::Tensor total_variation_loss(const torch::Tensor& image) {
  using torch::indexing::Slice;
  torch::Tensor vertical = image.index({Slice(), Slice(), Slice(1), Slice()}) -
                           image.index({Slice(), Slice(), Slice(0, -1), Slice()});
  torch::Tensor horizontal = image.index({Slice(), Slice(), Slice(), Slice(1)}) -
                             image.index({Slice(), Slice(), Slice(), Slice(0, -1)});
  return vertical.pow(2).sum() + horizontal.pow(2).sum();
}

namespace {

torch::Tensor content_loss(const std::map<std::string, torch::Tensor>& activations, const torch::Tensor& image,
                           const LossTargets& targets, const LossWeights& weights) {
  torch::Tensor content = torch::zeros({}, image.options());
  for (std::size_t i = 0; i < weights.content_layers.size(); ++i) {
    const std::string& layer = weights.content_layers[i];
    const double layer_weight = weights.content_layer_weights.empty() ? 1.0 : weights.content_layer_weights[i];
    content = content + layer_weight * content_layer_loss(activations.at(layer), targets.content.at(layer));
  }
  return content;
}

// L_s, appending each style's E_l to `scalars` (layer by layer, styles within a layer).
torch::Tensor style_loss(const std::map<std::string, torch::Tensor>& activations, const torch::Tensor& image,
                         const LossTargets& targets, const LossWeights& weights, std::int64_t evaluation,
                         std::vector<torch::Tensor>& scalars) {
  torch::Tensor style = torch::zeros({}, image.options());
  for (std::size_t i = 0; i < weights.style_layers.size(); ++i) {
    const LayerPlace place{weights.style_layers[i], i, evaluation};
    const LayerShare share = targets.style_loss->share(activations.at(place.layer), place);
    for (const StyleTarget& target : targets.styles) {
      const torch::Tensor layer_loss = targets.style_loss->loss(share, place, *target.layers.at(place.layer));
      scalars.push_back(layer_loss);
      style = style + (target.blend * weights.style_layer_weights[i]) * layer_loss;
    }
  }
  return style;
}

}  // namespace

torch::Tensor temporal_loss(const torch::Tensor& image, const std::vector<TemporalTarget>& targets) {
  torch::Tensor loss = torch::zeros({}, image.options());
  for (const TemporalTarget& target : targets) {
    loss = loss + (target.weight * (image - target.warped).pow(2)).sum();
  }
  return loss / double(image.numel());
}

LossTerms combine_losses(const std::map<std::string, torch::Tensor>& activations,
                         const torch::Tensor& image, const LossTargets& targets,
                         const LossWeights& weights, std::int64_t evaluation) {
  const torch::Tensor content = content_loss(activations, image, targets, weights);
  // The terms for the history stay on the device until one copy to the host at the end: an
  // evaluation on a GPU then waits for the device once, not once per layer and term.
  std::vector<torch::Tensor> scalars;
  const torch::Tensor style = style_loss(activations, image, targets, weights, evaluation, scalars);
  torch::Tensor total = weights.alpha * content + weights.beta * style;
  const std::size_t layer_terms = scalars.size();
  scalars.push_back(content);
  scalars.push_back(style);
  if (weights.tv > 0) {
    torch::Tensor tv = weights.tv * total_variation_loss(image);
    scalars.push_back(tv);
    total = total + tv;
  }
  const bool temporal = weights.temporal > 0 && !targets.temporal.empty();
  if (temporal) {
    torch::Tensor term = weights.temporal * temporal_loss(image, targets.temporal);
    scalars.push_back(term);
    total = total + term;
  }
  scalars.push_back(total);
  const torch::Tensor host = torch::stack(scalars).detach().to(torch::kCPU, torch::kFloat64);
  const double* value = host.data_ptr<double>();

  // The same double arithmetic as on the values one by one: histories stay bit-identical.
  LossTerms terms;
  terms.style_layers.assign(weights.style_layers.size(), 0.0);
  std::size_t next = 0;
  for (std::size_t i = 0; i < weights.style_layers.size(); ++i) {
    for (const StyleTarget& target : targets.styles) terms.style_layers[i] += target.blend * value[next++];
  }
  terms.content = weights.alpha * value[layer_terms];
  terms.style = weights.beta * value[layer_terms + 1];
  if (weights.tv > 0) terms.tv = value[layer_terms + 2];
  if (temporal) terms.temporal = value[scalars.size() - 2];
  terms.total = total;
  terms.total_value = value[scalars.size() - 1];
  return terms;
}

}  // namespace stylesweep
