#include "engine/stage.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "engine/tensor_image.h"

namespace stylesweep {
namespace {

// Thrown from the L-BFGS closure once the job's evaluations are spent.
struct EvaluationBudgetReached {};

}  // namespace

std::unique_ptr<torch::optim::Adam> make_adam(const torch::Tensor& image, double lr) {
  return std::make_unique<torch::optim::Adam>(
      std::vector<torch::Tensor>{image}, torch::optim::AdamOptions(lr).betas({0.9, 0.999}).eps(1e-8));
}

Stage::Stage(const StyleJob& job, Inputs inputs, torch::Tensor image, LossHistory history,
             std::string checkpoint_key, ProgressCallback progress, StopCheck should_stop)
    : job_(job), inputs_(std::move(inputs)), image_(std::move(image)),
      evaluation_(*inputs_.targets, loss_weights(job), std::move(history)),
      convergence_(job.stop_rel_tol, job.stop_window),
      checkpoint_key_(std::move(checkpoint_key)), progress_(std::move(progress)),
      should_stop_(std::move(should_stop)), start_(std::chrono::steady_clock::now()) {
  const LossHistory& so_far = evaluation_.history();
  const int stage_start = so_far.stage_starts.empty() ? 0 : so_far.stage_starts.back();
  evaluations_ = int(so_far.size()) - stage_start;
  image_.set_requires_grad(true);
  best_.image = image_.detach().clone();
  // A resumed stage judges convergence over its evaluations before the stop too.
  for (std::size_t i = std::size_t(stage_start); i < so_far.total.size(); ++i) {
    converged_ = convergence_.add(so_far.total[i]) || converged_;
  }
  if (evaluations_ > 0) {  // resumed: an L-BFGS checkpoint holds its best image
    const auto best = std::min_element(so_far.total.begin() + stage_start, so_far.total.end());
    best_.loss = *best;
    best_.evaluation = int(best - so_far.total.begin());
  }
}

double Stage::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

int Stage::result_evaluation() const {
  return job_.optimizer == Optimizer::kAdam ? int(evaluation_.history().size()) - 1 : best_.evaluation;
}

// The optimizer minimizes objective_scale * L; the history keeps L itself.
torch::Tensor Stage::evaluate(bool with_gradient) {
  const LossTerms terms = evaluation_.score((*inputs_.vgg)->forward(image_, inputs_.layers), image_);
  const LossHistory& history = evaluation_.history();
  ++evaluations_;
  best_.offer(image_, history.total.back(), int(history.size()) - 1);
  if (job_.snapshot_every > 0) snapshot(int(history.size()) - 1);
  // Adam's last, gradient-free pass only scores the returned image.
  if (with_gradient && convergence_.add(history.total.back())) converged_ = true;
  if (with_gradient) (terms.total * objective_scale_).backward();
  if (progress_) {
    progress_({int(history.size()), job_.iterations, history.total.back(), terms.content, terms.style,
               seconds()});
  }
  return terms.total * objective_scale_;
}

namespace {

void append_snapshot(LossHistory::Snapshots& snapshots, int evaluation, const torch::Tensor& image) {
  const Image picture = tensor_to_image(image);
  const std::vector<std::uint8_t> rgb = to_rgb8(picture);
  snapshots.width = picture.width;
  snapshots.height = picture.height;
  snapshots.evaluations.push_back(evaluation);
  snapshots.rgb.insert(snapshots.rgb.end(), rgb.begin(), rgb.end());
}

}  // namespace

void Stage::snapshot(int evaluation) {
  LossHistory::Snapshots& snapshots = evaluation_.history().snapshots;
  if (evaluation % job_.snapshot_every == 0) {
    append_snapshot(snapshots, evaluation, image_);
    pending_evaluation_ = -1;
  } else {
    pending_evaluation_ = evaluation;
    pending_image_ = image_.detach().clone();
  }
}

void Stage::finish_snapshots() {
  LossHistory::Snapshots& snapshots = evaluation_.history().snapshots;
  if (pending_evaluation_ < 0) return;
  if (snapshots.evaluations.empty() || snapshots.evaluations.back() < pending_evaluation_) {
    append_snapshot(snapshots, pending_evaluation_, pending_image_);
  }
  pending_evaluation_ = -1;
}

void Stage::checkpoint_or_stop(const torch::Tensor& image, const torch::optim::Optimizer* optimizer,
                               bool last_too) {
  const bool stopping = should_stop_ && should_stop_() && evaluations_ < job_.iterations;
  const bool due = job_.checkpoint_every > 0 && evaluations_ % job_.checkpoint_every == 0 &&
                   (last_too || evaluations_ < job_.iterations);
  if (stopping || due) save_checkpoint(job_, checkpoint_key_, {image, evaluation_.history(), optimizer, nullptr});
  if (stopping) throw JobInterrupted(int(evaluation_.history().size()));
}

void Stage::run_adam(const CheckpointState* resumed) {
  auto optimizer = make_adam(image_, job_.lr);
  if (resumed) restore_optimizer(*resumed, *optimizer);
  while (evaluations_ < job_.iterations && !converged_) {
    optimizer->zero_grad();
    evaluate(true);
    optimizer->step();
    checkpoint_or_stop(image_, optimizer.get(), false);
  }
  // One forward pass more, so the history ends with the loss of the returned image.
  torch::NoGradGuard no_grad;
  evaluate(false);
}

// L-BFGS is invariant to the loss scale except for its first step and its curvature threshold,
// which assume gradients of order one per pixel. Random or normalized weights give losses many
// orders of magnitude apart, so the objective is scaled once, at the first evaluation, to make
// the largest initial gradient component 1 (one pixel level).
torch::Tensor Stage::choose_objective_scale(torch::Tensor loss) {
  scale_chosen_ = true;
  const double largest = image_.grad().abs().max().item<double>();
  if (largest > 0 && std::isfinite(largest)) {
    objective_scale_ = 1.0 / largest;
    image_.grad().mul_(objective_scale_);
    loss = loss * objective_scale_;
  }
  return loss;
}

void Stage::run_lbfgs() {
  torch::optim::LBFGS optimizer({image_}, torch::optim::LBFGSOptions(1.0)
                                              .max_iter(job_.iterations)
                                              .max_eval(job_.iterations)
                                              .history_size(100)
                                              .tolerance_grad(-1)
                                              .tolerance_change(-1)
                                              .line_search_fn("strong_wolfe"));
  auto closure = [&]() -> torch::Tensor {
    if (evaluations_ >= job_.iterations || converged_) throw EvaluationBudgetReached{};
    optimizer.zero_grad();
    torch::Tensor loss = evaluate(true);
    if (!scale_chosen_) loss = choose_objective_scale(loss);
    checkpoint_or_stop(best_.image, nullptr, true);
    return loss;
  };
  try {
    while (evaluations_ < job_.iterations && !converged_) {
      const int before = evaluations_;
      optimizer.step(closure);
      if (evaluations_ == before) {  // converged: nothing left to improve
        converged_ = true;
        break;
      }
    }
  } catch (const EvaluationBudgetReached&) {
  }
  torch::NoGradGuard no_grad;
  image_.copy_(best_.image);
}

}  // namespace stylesweep
