#include "engine/evaluation.h"

#include <torch/torch.h>

#include <cmath>

#include <fmt/format.h>

#include "engine/job_events.h"

namespace stylesweep {

LossWeights loss_weights(const StyleJob& job) {
  LossWeights weights{job.effective_alpha(), job.effective_beta(), job.tv_weight, job.content_layers, {},
                      job.style_layers,      job.resolved_style_layer_weights()};
  if (!job.frame_links.empty()) weights.temporal = job.temporal_weight;
  return weights;
}

Evaluation::Evaluation(const LossTargets& targets, LossWeights weights, LossHistory history)
    : targets_(targets), weights_(std::move(weights)), history_(std::move(history)) {}

LossTerms Evaluation::score(const std::map<std::string, torch::Tensor>& activations,
                            const torch::Tensor& image) {
  const int evaluation = int(history_.size());
  LossTerms terms = combine_losses(activations, image, targets_, weights_, evaluation);
  const double total = terms.total_value;
  const std::pair<const char*, double> checks[] = {
      {"content", terms.content}, {"style", terms.style}, {"tv", terms.tv}, {"temporal", terms.temporal},
      {"total", total}};
  for (const auto& [term, value] : checks) {
    if (!std::isfinite(value)) {
      throw JobFailure(fmt::format("loss became {} at evaluation {} (term: {})", value, evaluation, term),
                       history_);
    }
  }
  history_.total.push_back(total);
  history_.content.push_back(terms.content);
  history_.style.push_back(terms.style);
  history_.tv.push_back(terms.tv);
  if (weights_.temporal > 0 && !targets_.temporal.empty()) history_.temporal.push_back(terms.temporal);
  history_.style_layers.push_back(terms.style_layers);
  return terms;
}

void BestImage::offer(const torch::Tensor& candidate, double candidate_loss, int candidate_evaluation) {
  if (!(candidate_loss < loss)) return;
  loss = candidate_loss;
  evaluation = candidate_evaluation;
  image.copy_(candidate.detach());
}

}  // namespace stylesweep
