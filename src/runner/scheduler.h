// Which job a worker gets next: longest-processing-time first (the planner's cost estimate), but
// among the jobs nearly as costly as the costliest left, one whose targets (content features,
// style Grams) the worker computed recently; failed jobs come back for retries on another worker.
// A job with dependencies is handed out only once they are done; when one fails for good, the
// jobs that need it leave the queue as blocked.
// Pure logic: no MPI, no libtorch, no files.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runner/messages.h"

namespace stylesweep {

struct ScheduledJob {
  WorkItem item;
  double cost = 0;
  std::vector<std::string> target_keys;  // see target_keys_of()
  // Jobs that must be done before this one starts (a frame job's predecessors); those not in
  // the scheduler count as done (an earlier run did them).
  std::vector<std::string> depends_on;
};

// Keys naming the targets a job needs: its content features and each style's Grams.
std::vector<std::string> target_keys_of(const StyleJob& job);

class Scheduler {
 public:
  // retries: how many more times a failed job is tried in this run (on another worker when there
  // is one); max_attempts: no job is started more often than this, counting earlier runs
  // (item.attempt says which start a dispatch is).
  Scheduler(std::vector<ScheduledJob> jobs, int retries, int worker_count, int max_attempts = 1 << 30);

  // The next job for `worker`, or nothing when no job suits it now (it waits for one).
  std::optional<WorkItem> next_for(int worker);
  // Up to `limit` more queued first attempts that can share a batch with `first`
  // (can_share_batch), taken for `worker` as next_for would take them, with their costs.
  std::vector<std::pair<WorkItem, double>> take_batch_mates(int worker, const StyleJob& first, std::size_t limit);
  // Records an outcome; returns true when it is final (done, or failed with no retry left).
  bool record(const JobOutcome& outcome, int worker);
  // Puts an interrupted job back in front of the queue; an interruption is not an attempt.
  void requeue(const std::string& id);
  // The job handed out last is held by another run writing the same output: it waits aside,
  // neither queued nor running, until restore_set_aside().
  void set_aside(const std::string& id);
  // Another run finished the job handed out: it leaves this run.
  void drop(const std::string& id);
  // Puts the jobs set aside back in front of the queue (to claim them again).
  void restore_set_aside();
  std::size_t set_aside_count() const { return set_aside_.size(); }
  // The estimated cost of the job that next_for would hand out next (0 when none is queued).
  double next_cost() const;

  // Queued jobs that can never start because a job they depend on failed for good, taken out of
  // the queue, each with the id of the failed job it waited for.
  std::vector<std::pair<WorkItem, std::string>> take_blocked();
  // Whether jobs depend on this one (the coordinator keeps its result to ship to them).
  bool has_dependents(const std::string& id) const { return dependents_.count(id) > 0; }

  bool finished() const { return queued() == 0 && running_.empty(); }
  // Nothing runs and no queued job can start: what is queued waits for jobs set aside.
  bool stalled() const;
  std::size_t queued() const { return remaining_ + retries_queue_.size(); }
  std::size_t running() const { return running_.size(); }
  // Estimated cost of the jobs not final yet (queued or running), for the time left.
  double unfinished_cost() const { return unfinished_cost_; }

 private:
  bool affine(const ScheduledJob& job, int worker) const;
  bool ready(const ScheduledJob& job) const;
  // Removes a handed-out job from the running ones (nothing when it is not running).
  std::optional<ScheduledJob> take_running(const std::string& id);
  WorkItem take(std::size_t index, int worker);
  void remember_targets(const ScheduledJob& job, int worker);

  std::vector<ScheduledJob> jobs_;  // costliest first
  std::vector<bool> taken_;
  std::size_t head_ = 0;            // first index not taken
  std::size_t remaining_;
  std::deque<ScheduledJob> retries_queue_;
  std::vector<ScheduledJob> set_aside_;
  std::map<std::string, ScheduledJob> running_;        // by job id
  std::map<std::string, std::set<int>> failed_on_;     // workers a job failed on
  std::map<std::string, int> tries_;                   // starts in this run
  std::map<int, std::deque<std::string>> recent_targets_;
  int retries_;
  int worker_count_;
  int max_attempts_;
  double unfinished_cost_ = 0;
  std::set<std::string> not_done_;      // ids of this scheduler's jobs not done yet
  std::set<std::string> failed_for_good_;  // ids of failed jobs that others depend on
  std::map<std::string, int> dependents_;  // id -> how many jobs depend on it
};

}  // namespace stylesweep
