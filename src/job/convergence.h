// When a job has converged, and how soon it got close to where it ended: the early-stop rule of
// the `stop_rel_tol` and `stop_window` job parameters, and the `evaluation_within_1pct` figure
// stored with every job. Pure arithmetic on loss values, without libtorch.
#pragma once

#include <cstddef>
#include <vector>

#include "job/job_result.h"

namespace stylesweep {

// Watches one optimization's total losses in order. Converged once the best loss improved by
// less than `relative_tolerance` of its value `window` evaluations earlier; never while the
// tolerance is 0 (off) or fewer than window + 1 losses were seen.
class ConvergenceWatch {
 public:
  ConvergenceWatch(double relative_tolerance, int window);
  // Records the next loss; returns whether the optimization has converged with it.
  bool add(double total_loss);

 private:
  double tolerance_;
  std::size_t window_;
  std::vector<double> best_;  // best loss after each evaluation
};

// The index (from 0, as in the history) of the first evaluation whose total loss is within
// `fraction` (relative) of the loss at `final_evaluation`; -1 when there is none.
int first_evaluation_within(const LossHistory& history, int final_evaluation, double fraction);
// A job's `evaluation_within_1pct`: within 1 % of the returned image's loss; -1 when none.
int evaluation_within_1pct(const JobResult& result);

}  // namespace stylesweep
