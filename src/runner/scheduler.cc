#include "runner/scheduler.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/text.h"
#include "job/job_fields.h"

namespace stylesweep {
namespace {

// Jobs within this fraction of the costliest remaining one count as equally urgent, so the
// worker may take the one whose targets it holds without spoiling the LPT order.
constexpr double kAffinityCostFraction = 0.9;
// How far down the queue to look for such a job.
constexpr std::size_t kAffinityWindow = 64;
// How far down the queue to look for jobs that can join a batch.
constexpr std::size_t kBatchWindow = 1024;
// Targets remembered per worker (about what its cache holds).
constexpr std::size_t kRememberedTargets = 16;

}  // namespace

std::vector<std::string> target_keys_of(const StyleJob& job) {
  std::vector<std::string> keys;
  keys.push_back(content_target_key(job));
  for (const auto& style : job.styles) keys.push_back(style_target_key(job, style));
  return keys;
}

Scheduler::Scheduler(std::vector<ScheduledJob> jobs, int retries, int worker_count,
                     int max_attempts)
    : jobs_(std::move(jobs)), taken_(jobs_.size(), false), remaining_(jobs_.size()),
      retries_(retries), worker_count_(worker_count), max_attempts_(max_attempts) {
  // Stable, so equal costs keep the config's order (reproducible dispatch).
  std::stable_sort(jobs_.begin(), jobs_.end(), [](const ScheduledJob& a, const ScheduledJob& b) {
    return a.cost > b.cost;
  });
  for (const ScheduledJob& job : jobs_) {
    unfinished_cost_ += job.cost;
    not_done_.insert(job.item.id);
    for (const std::string& dependency : job.depends_on) ++dependents_[dependency];
  }
}

bool Scheduler::ready(const ScheduledJob& job) const {
  for (const std::string& dependency : job.depends_on) {
    if (not_done_.count(dependency)) return false;
  }
  return true;
}

bool Scheduler::stalled() const {
  if (!running_.empty() || queued() == 0) return false;
  for (const ScheduledJob& job : retries_queue_) {
    if (ready(job)) return false;
  }
  for (std::size_t i = head_; i < jobs_.size(); ++i) {
    if (!taken_[i] && ready(jobs_[i])) return false;
  }
  return true;
}

std::vector<std::pair<WorkItem, std::string>> Scheduler::take_blocked() {
  std::vector<std::pair<WorkItem, std::string>> blocked;
  if (failed_for_good_.empty()) return blocked;
  // A blocked job fails for good too, so the jobs after it in a chain follow in the same sweep.
  for (bool more = true; more;) {
    more = false;
    for (std::size_t i = head_; i < jobs_.size(); ++i) {
      if (taken_[i]) continue;
      for (const std::string& dependency : jobs_[i].depends_on) {
        if (!failed_for_good_.count(dependency)) continue;
        taken_[i] = true;
        --remaining_;
        unfinished_cost_ -= jobs_[i].cost;
        failed_for_good_.insert(jobs_[i].item.id);
        blocked.emplace_back(jobs_[i].item, dependency);
        more = true;
        break;
      }
    }
  }
  return blocked;
}

bool Scheduler::affine(const ScheduledJob& job, int worker) const {
  auto found = recent_targets_.find(worker);
  if (found == recent_targets_.end()) return false;
  for (const auto& key : job.target_keys) {
    if (std::find(found->second.begin(), found->second.end(), key) != found->second.end()) return true;
  }
  return false;
}

void Scheduler::remember_targets(const ScheduledJob& job, int worker) {
  auto& recent = recent_targets_[worker];
  for (const auto& key : job.target_keys) {
    recent.erase(std::remove(recent.begin(), recent.end(), key), recent.end());
    recent.push_back(key);
    if (recent.size() > kRememberedTargets) recent.pop_front();
  }
}

std::optional<WorkItem> Scheduler::next_for(int worker) {
  // Retries first, on a worker they have not failed on (any worker if there is only one).
  for (auto it = retries_queue_.begin(); it != retries_queue_.end(); ++it) {
    if (!ready(*it)) continue;
    const auto& failed = failed_on_[it->item.id];
    if (worker_count_ > 1 && failed.count(worker)) continue;
    ScheduledJob job = std::move(*it);
    retries_queue_.erase(it);
    remember_targets(job, worker);
    ++tries_[job.item.id];
    WorkItem item = job.item;
    running_[item.id] = std::move(job);
    return item;
  }
  while (head_ < jobs_.size() && taken_[head_]) ++head_;
  if (head_ == jobs_.size()) return std::nullopt;

  std::size_t chosen = head_;
  while (chosen < jobs_.size() && (taken_[chosen] || !ready(jobs_[chosen]))) ++chosen;
  if (chosen == jobs_.size()) return std::nullopt;  // the rest wait for their dependencies
  const double threshold = jobs_[chosen].cost * kAffinityCostFraction;
  std::size_t looked = 0;
  for (std::size_t i = chosen; i < jobs_.size() && looked < kAffinityWindow; ++i) {
    if (taken_[i] || !ready(jobs_[i])) continue;
    if (jobs_[i].cost < threshold) break;
    ++looked;
    if (affine(jobs_[i], worker)) {
      chosen = i;
      break;
    }
  }
  return take(chosen, worker);
}

WorkItem Scheduler::take(std::size_t index, int worker) {
  taken_[index] = true;
  --remaining_;
  remember_targets(jobs_[index], worker);
  ++tries_[jobs_[index].item.id];
  WorkItem item = jobs_[index].item;
  running_[item.id] = jobs_[index];
  return item;
}

std::vector<std::pair<WorkItem, double>> Scheduler::take_batch_mates(int worker, const StyleJob& first,
                                                                     std::size_t limit) {
  std::vector<std::pair<WorkItem, double>> mates;
  std::size_t looked = 0;
  for (std::size_t i = head_; i < jobs_.size() && mates.size() < limit && looked < kBatchWindow; ++i) {
    if (taken_[i]) continue;
    ++looked;
    if (!ready(jobs_[i]) || !can_share_batch(first, jobs_[i].item.job)) continue;
    const double cost = jobs_[i].cost;
    mates.emplace_back(take(i, worker), cost);
  }
  return mates;
}

std::optional<ScheduledJob> Scheduler::take_running(const std::string& id) {
  auto found = running_.find(id);
  if (found == running_.end()) return std::nullopt;
  ScheduledJob job = std::move(found->second);
  running_.erase(found);
  return job;
}

bool Scheduler::record(const JobOutcome& outcome, int worker) {
  std::optional<ScheduledJob> job = take_running(outcome.id);
  if (!job) return true;  // unknown or already final: store as is
  const bool retries_spent = tries_[job->item.id] > retries_ || job->item.attempt >= max_attempts_;
  if (outcome.done || retries_spent) {
    unfinished_cost_ -= job->cost;
    if (outcome.done) not_done_.erase(job->item.id);
    else if (dependents_.count(job->item.id)) failed_for_good_.insert(job->item.id);
    return true;
  }
  failed_on_[job->item.id].insert(worker);
  job->item.attempt += 1;
  retries_queue_.push_back(std::move(*job));
  return false;
}

void Scheduler::requeue(const std::string& id) {
  std::optional<ScheduledJob> job = take_running(id);
  if (!job) return;
  --tries_[id];
  retries_queue_.push_front(std::move(*job));
}

void Scheduler::set_aside(const std::string& id) {
  std::optional<ScheduledJob> job = take_running(id);
  if (!job) return;
  --tries_[id];
  unfinished_cost_ -= job->cost;
  set_aside_.push_back(std::move(*job));
}

void Scheduler::drop(const std::string& id) {
  if (std::optional<ScheduledJob> job = take_running(id)) unfinished_cost_ -= job->cost;
  not_done_.erase(id);  // another run finished it
}

void Scheduler::restore_set_aside() {
  for (auto it = set_aside_.rbegin(); it != set_aside_.rend(); ++it) {
    unfinished_cost_ += it->cost;
    retries_queue_.push_front(std::move(*it));
  }
  set_aside_.clear();
}

double Scheduler::next_cost() const {
  for (const ScheduledJob& job : retries_queue_) {
    if (ready(job)) return job.cost;
  }
  for (std::size_t i = head_; i < jobs_.size(); ++i) {
    if (!taken_[i] && ready(jobs_[i])) return jobs_[i].cost;
  }
  return 0;
}

}  // namespace stylesweep
