#include "engine/losses.h"

#include <torch/torch.h>

namespace stylesweep {

torch::Tensor gram_matrix(const torch::Tensor& features) {
  const auto channels = features.size(1);
  torch::Tensor flat = features.reshape({channels, -1});
  return torch::mm(flat, flat.t());
}

torch::Tensor content_layer_loss(const torch::Tensor& features, const torch::Tensor& target) {
  return 0.5 * (features - target).pow(2).sum();
}

StyleGram matched_to(const StyleGram& target, std::int64_t positions) {
  if (positions == target.positions) return target;
  return {target.gram * (double(positions) / double(target.positions)), positions};
}

// Computed as sum (G - A M/Ms)^2 / (4 N^2 M^2), equal to sum (G/M - A/Ms)^2 / (4 N^2): a style
// of the result's size (M = Ms) then takes exactly the paper's operations, and its values stay
// bit-identical to those of the paper's formula. Jobs match their targets once (matched_to), so
// the scaling here is for targets of another size only.
namespace {

// sum (G - matched)^2 / (4 N^2 M^2) for a target already matched to the result's M.
torch::Tensor matched_style_layer_loss(const torch::Tensor& gram, double positions, const torch::Tensor& matched) {
  const double channels = double(gram.size(0));
  const double normalizer = 4.0 * channels * channels * positions * positions;
  return (gram - matched).pow(2).sum() / normalizer;
}

}  // namespace

torch::Tensor style_layer_loss(const torch::Tensor& gram, std::int64_t positions,
                               const StyleGram& target) {
  return matched_style_layer_loss(gram, double(positions), matched_to(target, positions).gram);
}

std::vector<torch::Tensor> guided_grams(const torch::Tensor& features, const torch::Tensor& guides) {
  const torch::Tensor flat = features.reshape({features.size(1), -1});
  std::vector<torch::Tensor> grams;
  for (std::int64_t r = 0; r < guides.size(0); ++r) {
    const torch::Tensor guided = flat * guides[r];
    grams.push_back(torch::mm(guided, guided.t()));
  }
  return grams;
}

torch::Tensor guided_style_layer_loss(const std::vector<torch::Tensor>& grams, const std::vector<double>& masses,
                                      const std::vector<RegionGram>& targets, double region_weight) {
  torch::Tensor loss = torch::zeros({}, grams.front().options());
  for (std::size_t r = 0; r < targets.size(); ++r) {
    if (!targets[r].gram.defined()) continue;  // the style has no pixels of this region
    loss = loss + region_weight * matched_style_layer_loss(grams[r], masses[r], targets[r].gram);
  }
  return loss;
}

torch::Tensor gram_mse_layer_loss(const torch::Tensor& gram, std::int64_t positions, const StyleGram& target) {
  // A/(N Ms) = (A M/Ms)/(N M): the matched target over the same normalizer as G.
  const double normalizer = double(gram.size(0)) * double(positions);
  return ((gram - matched_to(target, positions).gram) / normalizer).pow(2).mean();
}

torch::Tensor total_variation_loss(const torch::Tensor& image) {
  using torch::indexing::Slice;
  torch::Tensor vertical = image.index({Slice(), Slice(), Slice(1), Slice()}) -
                           image.index({Slice(), Slice(), Slice(0, -1), Slice()});
  torch::Tensor horizontal = image.index({Slice(), Slice(), Slice(), Slice(1)}) -
                             image.index({Slice(), Slice(), Slice(), Slice(0, -1)});
  return vertical.pow(2).sum() + horizontal.pow(2).sum();
}

LossTerms combine_losses(const std::map<std::string, torch::Tensor>& activations,
                         const torch::Tensor& image, const LossTargets& targets,
                         const LossWeights& weights, std::int64_t evaluation) {
  LossTerms terms;
  torch::Tensor content = torch::zeros({}, image.options());
  for (std::size_t i = 0; i < weights.content_layers.size(); ++i) {
    const std::string& layer = weights.content_layers[i];
    const double layer_weight =
        weights.content_layer_weights.empty() ? 1.0 : weights.content_layer_weights[i];
    content = content + layer_weight * content_layer_loss(activations.at(layer),
                                                          targets.content.at(layer));
  }

  // The terms for the history stay on the device until one copy to the host at the end: an
  // evaluation on a GPU then waits for the device once, not once per layer and term.
  std::vector<torch::Tensor> scalars;
  torch::Tensor style = torch::zeros({}, image.options());
  for (std::size_t i = 0; i < weights.style_layers.size(); ++i) {
    const std::string& layer = weights.style_layers[i];
    const torch::Tensor& features = activations.at(layer);
    const std::int64_t positions = features.size(2) * features.size(3);
    // What every style's term of this layer shares: the result's Gram, or the slice directions.
    torch::Tensor gram, directions;
    std::vector<torch::Tensor> region_grams;
    const bool guided = !targets.regions.guides.empty();
    if (weights.style_loss == StyleLoss::kGram && guided) {
      region_grams = guided_grams(features, targets.regions.guides.at(layer));
    } else if (weights.style_loss == StyleLoss::kGram || weights.style_loss == StyleLoss::kGramMse) {
      gram = gram_matrix(features);
    } else if (weights.style_loss == StyleLoss::kSlicedWasserstein) {
      directions = slice_directions(features.size(1), weights.seed, evaluation, i, features.options());
    }
    for (const StyleTarget& target : targets.styles) {
      torch::Tensor layer_loss;
      switch (weights.style_loss) {
        case StyleLoss::kGram:
          layer_loss = targets.regions.guides.empty()
                           ? style_layer_loss(gram, positions, target.grams.at(layer))
                           : guided_style_layer_loss(region_grams, targets.regions.masses.at(layer),
                                                     target.region_grams.at(layer), targets.regions.region_weight);
          break;
        case StyleLoss::kGramMse: layer_loss = gram_mse_layer_loss(gram, positions, target.grams.at(layer)); break;
        case StyleLoss::kGaussianW2: layer_loss = gaussian_w2_layer_loss(features, target.gaussians.at(layer)); break;
        case StyleLoss::kSlicedWasserstein:
          layer_loss = sliced_wasserstein_layer_loss(features, target.features.at(layer), directions);
          break;
      }
      scalars.push_back(layer_loss);
      style = style + (target.blend * weights.style_layer_weights[i]) * layer_loss;
    }
  }

  torch::Tensor total = weights.alpha * content + weights.beta * style;
  const std::size_t layer_terms = scalars.size();
  scalars.push_back(content);
  scalars.push_back(style);
  if (weights.tv > 0) {
    torch::Tensor tv = weights.tv * total_variation_loss(image);
    scalars.push_back(tv);
    total = total + tv;
  }
  scalars.push_back(total);
  const torch::Tensor host = torch::stack(scalars).detach().to(torch::kCPU, torch::kFloat64);
  const double* value = host.data_ptr<double>();

  // The same double arithmetic as on the values one by one: histories stay bit-identical.
  terms.style_layers.assign(weights.style_layers.size(), 0.0);
  std::size_t next = 0;
  for (std::size_t i = 0; i < weights.style_layers.size(); ++i) {
    for (const StyleTarget& target : targets.styles) terms.style_layers[i] += target.blend * value[next++];
  }
  terms.content = weights.alpha * value[layer_terms];
  terms.style = weights.beta * value[layer_terms + 1];
  if (weights.tv > 0) terms.tv = value[layer_terms + 2];
  terms.total = total;
  terms.total_value = value[scalars.size() - 1];
  return terms;
}

}  // namespace stylesweep
