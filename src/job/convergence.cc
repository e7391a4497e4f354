#include "job/convergence.h"

#include <algorithm>
#include <cmath>

namespace stylesweep {

ConvergenceWatch::ConvergenceWatch(double relative_tolerance, int window)
    : tolerance_(relative_tolerance), window_(std::size_t(std::max(window, 1))) {}

bool ConvergenceWatch::add(double total_loss) {
  best_.push_back(best_.empty() ? total_loss : std::min(best_.back(), total_loss));
  if (tolerance_ <= 0 || best_.size() <= window_) return false;
  const double before = best_[best_.size() - 1 - window_];
  return before - best_.back() < tolerance_ * std::abs(before);
}

int first_evaluation_within(const LossHistory& history, int final_evaluation, double fraction) {
  if (final_evaluation < 0 || std::size_t(final_evaluation) >= history.total.size()) return -1;
  const double final_loss = history.total[std::size_t(final_evaluation)];
  for (std::size_t i = 0; i < history.total.size(); ++i) {
    if (std::abs(history.total[i] - final_loss) <= fraction * std::abs(final_loss)) return int(i);
  }
  return -1;
}

int evaluation_within_1pct(const JobResult& result) {
  return first_evaluation_within(result.history, result.result_evaluation, 0.01);
}

}  // namespace stylesweep
