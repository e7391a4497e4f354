// One optimization stage of a job at one size: its image, its evaluations through one
// Evaluation, the best image so far and its checkpoints, driven by L-BFGS (the paper's) or Adam.
// A coarse-to-fine job runs one stage per size; every other job one.
#pragma once

#include <torch/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "engine/checkpoint.h"
#include "engine/evaluation.h"
#include "engine/job_events.h"
#include "engine/vgg19.h"
#include "job/convergence.h"

namespace torch::optim { class Adam; }

namespace stylesweep {

// Adam as the TensorFlow port sets it up: β1 0.9, β2 0.999, ε 1e-8, the step size in pixels.
std::unique_ptr<torch::optim::Adam> make_adam(const torch::Tensor& image, double lr);

class Stage {
 public:
  struct Inputs {
    Vgg19* vgg = nullptr;
    std::vector<std::string> layers;  // content layers, then style layers
    const LossTargets* targets = nullptr;
  };
  // `image` is the stage's start; `history` holds earlier stages' entries, or a resumed
  // checkpoint's (whose image `image` then is).
  Stage(const StyleJob& job, Inputs inputs, torch::Tensor image, LossHistory history,
        std::string checkpoint_key, ProgressCallback progress, StopCheck should_stop);

  // Until the job's evaluations are spent or it converged (stop_rel_tol); the image ends as the
  // one to return. Throw
  // JobInterrupted (after a checkpoint) when asked to stop, JobFailure on a diverged loss.
  void run_adam(const CheckpointState* resumed);
  void run_lbfgs();

  const torch::Tensor& image() const { return image_; }
  // Adds the last evaluation's image to the snapshots (snapshot_every), unless it is there.
  void finish_snapshots();
  LossHistory& history() { return evaluation_.history(); }
  // The history entry of the returned image.
  int result_evaluation() const;
  // Whether it ended before its evaluations were spent: stop_rel_tol's rule, or L-BFGS finding
  // nothing left to improve.
  bool converged() const { return converged_; }
  double seconds() const;

 private:
  torch::Tensor evaluate(bool with_gradient);
  // Checkpoints every `checkpoint_every` evaluations, and when a stop is requested (then
  // throws JobInterrupted). `last_too`: also at the job's final evaluation.
  void checkpoint_or_stop(const torch::Tensor& image, const torch::optim::Optimizer* optimizer,
                          bool last_too);
  // Scales the objective once, at the first evaluation, so that its largest gradient component
  // is 1; returns the scaled loss.
  torch::Tensor choose_objective_scale(torch::Tensor loss);
  // Keeps image_ as history entry `evaluation`'s snapshot when it is due, else as the candidate
  // for the last one.
  void snapshot(int evaluation);

  const StyleJob& job_;
  Inputs inputs_;
  torch::Tensor image_;
  Evaluation evaluation_;
  BestImage best_;
  int evaluations_ = 0;  // of this stage
  double objective_scale_ = 1.0;
  bool scale_chosen_ = false;
  ConvergenceWatch convergence_;
  bool converged_ = false;
  std::string checkpoint_key_;
  ProgressCallback progress_;
  StopCheck should_stop_;
  std::chrono::steady_clock::time_point start_;
  int pending_evaluation_ = -1;  // the last evaluation not yet a snapshot, and its image
  torch::Tensor pending_image_;
};

}  // namespace stylesweep
