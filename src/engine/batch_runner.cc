#include "engine/batch_runner.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>

#include "engine/evaluation.h"
#include "engine/job_images.h"
#include "engine/stage.h"
#include "engine/yardstick.h"

namespace stylesweep {
namespace {

// The jobs of a batch, side by side.
struct Batch {
  std::vector<torch::Tensor> images;
  std::vector<Evaluation> evaluations;
  std::vector<std::unique_ptr<torch::optim::Adam>> optimizers;
  std::vector<bool> live;
};

// One forward and backward pass for the whole batch; each job's loss sees only its own slice of
// the activations, so its gradient is the one it would get alone. A job whose loss diverges
// stops with its error and history; the others go on.
void evaluate_batch(const PreparedJob& prepared, Batch& batch, std::vector<BatchOutcome>& outcomes,
                    bool with_gradient) {
  const auto activations = (*prepared.vgg)->forward(torch::cat(batch.images), prepared.layers);
  torch::Tensor total;
  for (std::size_t b = 0; b < batch.images.size(); ++b) {
    if (!batch.live[b]) continue;
    std::map<std::string, torch::Tensor> own;
    for (const auto& [name, activation] : activations) own[name] = activation.narrow(0, long(b), 1);
    try {
      const LossTerms terms = batch.evaluations[b].score(own, batch.images[b]);
      total = total.defined() ? total + terms.total : terms.total;
    } catch (const JobFailure& failure) {
      batch.live[b] = false;
      outcomes[b].error = failure.what();
      outcomes[b].result.history = failure.history();
    }
  }
  if (with_gradient && total.defined()) total.backward();
}

Batch start_batch(const std::vector<StyleJob>& jobs, const PreparedJob& prepared, const NetworkCache& networks) {
  Batch batch;
  for (const StyleJob& job : jobs) {
    batch.images.push_back(initial_image(job, prepared.content, prepared.styles.front(), nullptr, networks));
    batch.images.back().set_requires_grad(true);
    LossHistory history;
    history.style_layer_names = job.style_layers;
    batch.evaluations.emplace_back(prepared.targets, loss_weights(job), std::move(history));
    batch.optimizers.push_back(make_adam(batch.images.back(), job.lr));
  }
  batch.live.assign(jobs.size(), true);
  return batch;
}

}  // namespace

std::vector<BatchOutcome> run_adam_batch(const std::vector<StyleJob>& jobs, const PreparedJob& prepared,
                                         const NetworkCache& networks, Yardstick& yardstick,
                                         const std::string& device) {
  const auto batch_start = std::chrono::steady_clock::now();
  std::vector<BatchOutcome> outcomes(jobs.size());
  Batch batch = start_batch(jobs, prepared, networks);
  for (int step = 0; step < jobs.front().iterations; ++step) {
    for (auto& optimizer : batch.optimizers) optimizer->zero_grad();
    evaluate_batch(prepared, batch, outcomes, true);
    if (std::none_of(batch.live.begin(), batch.live.end(), [](bool alive) { return alive; })) break;
    for (std::size_t b = 0; b < jobs.size(); ++b) {
      if (batch.live[b]) batch.optimizers[b]->step();
    }
  }
  {
    torch::NoGradGuard no_grad;  // the loss of the returned images, as run() records it
    evaluate_batch(prepared, batch, outcomes, false);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - batch_start).count();
  for (std::size_t b = 0; b < jobs.size(); ++b) {
    if (!batch.live[b]) continue;
    JobResult& result = outcomes[b].result;
    result = finished_result(jobs[b], batch.images[b], prepared.content_image,
                             std::move(batch.evaluations[b].history()), device);
    result.termination = Termination::kIterations;
    result.metrics = yardstick.measure(jobs[b], result.image);
    result.optimize_seconds = result.wall_seconds = seconds;
  }
  return outcomes;
}

}  // namespace stylesweep
