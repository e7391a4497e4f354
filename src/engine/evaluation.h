// One job's loss evaluations, as L-BFGS, Adam and the batch path all make them: the loss terms
// of an image from its activations, appended to the job's history, where a term that is not
// finite fails the job.
#pragma once

#include <torch/types.h>

#include <limits>
#include <map>
#include <string>

#include "engine/losses.h"
#include "job/job_params.h"
#include "job/job_result.h"

namespace stylesweep {

// The loss weights a job asks for.
LossWeights loss_weights(const StyleJob& job);

class Evaluation {
 public:
  // `targets` must outlive the evaluation; `history` holds earlier stages' entries, if any.
  Evaluation(const LossTargets& targets, LossWeights weights, LossHistory history);

  // The terms at `image` (total differentiable), recorded as the history's next entry. Throws
  // JobFailure, with the history so far, when a term is NaN or infinite.
  LossTerms score(const std::map<std::string, torch::Tensor>& activations, const torch::Tensor& image);

  const LossHistory& history() const { return history_; }
  LossHistory& history() { return history_; }

 private:
  const LossTargets& targets_;
  LossWeights weights_;
  LossHistory history_;
};

// The evaluated image with the lowest loss: L-BFGS may be stopped inside a line search, at a
// trial point worse than its iterate, so the result is the best image it evaluated.
struct BestImage {
  torch::Tensor image;
  double loss = std::numeric_limits<double>::infinity();
  int evaluation = -1;  // history entry

  void offer(const torch::Tensor& candidate, double candidate_loss, int candidate_evaluation);
};

}  // namespace stylesweep
