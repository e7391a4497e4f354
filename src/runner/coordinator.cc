#include "runner/coordinator.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "common/cpu_time.h"
#include "common/error.h"
#include "common/interrupt.h"
#include "image/image.h"

namespace stylesweep {

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw file_error(path, "cannot open for reading", ErrorKind::kBadInput);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Coordinator::Coordinator(CoordinatorLink& link, Scheduler& scheduler, ResultSink& sink,
                         CoordinatorEvents events, FileReader read_file, CoordinatorOptions options)
    : link_(link), scheduler_(scheduler), sink_(sink), events_(std::move(events)),
      read_file_(std::move(read_file)), options_(std::move(options)) {
  if (!options_.now) {
    options_.now = [] {
      return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    };
  }
  if (!options_.stop_requested) options_.stop_requested = stop_requested;
}

void Coordinator::attach_inputs(WorkItem& item, int worker, std::optional<std::string> checkpoint) {
  std::vector<std::string> paths = {item.job.content};
  paths.insert(paths.end(), item.job.styles.begin(), item.job.styles.end());
  if (item.job.init.kind == InitKind::kImage) paths.push_back(item.job.init.image);
  for (const FrameLink& link : item.job.frame_links) paths.push_back(link.frame);
  auto& shipped = shipped_[worker];
  for (const auto& path : paths) {
    if (!shipped.insert(path).second) continue;
    try {
      item.files.push_back({path, read_file_(path)});
    } catch (const Error&) {
      // The worker reports the unreadable file as the job's failure, naming it.
      shipped.erase(path);
    }
  }
  // The results a frame job starts from travel with it, from this run's outcomes or the store.
  for (const FrameLink& link : item.job.frame_links) {
    if (!shipped.insert(link.result).second) continue;
    auto kept = dependency_results_.find(link.result_id);
    std::optional<std::string> png =
        kept != dependency_results_.end() ? std::optional<std::string>(kept->second) : sink_.result_png(link.result_id);
    if (png) item.files.push_back({link.result, std::move(*png)});
    else shipped.erase(link.result);
  }
  if (checkpoint) item.checkpoint = std::move(*checkpoint);
}

bool Coordinator::may_start(double cost) const {
  if (options_.deadline <= 0 || seconds_per_cost_ <= 0) return true;
  const double estimate = cost * seconds_per_cost_;
  return options_.now() + estimate < options_.deadline - options_.deadline_margin;
}

void Coordinator::start_drain(const std::string& reason) {
  if (draining_) return;
  draining_ = true;
  if (events_.draining) events_.draining(reason);
  for (const auto& [worker, id] : busy_) link_.send(worker, MessageKind::kInterrupt, "");
  for (int waiting : std::set<int>(waiting_)) dispatch(waiting);
}

void Coordinator::read_store_load(RunCounts& counts) const {
  counts.store_cpu_seconds = sink_.writer_cpu_seconds();
  counts.png_cpu_seconds = sink_.png_cpu_seconds();
  counts.journal_writer_cpu_seconds = sink_.journal_writer_cpu_seconds();
}

RunCounts Coordinator::snapshot() const {
  RunCounts counts = counts_;
  read_store_load(counts);
  counts.running = scheduler_.running();
  counts.queued = scheduler_.queued();
  if (seconds_per_cost_ > 0) {
    counts.eta_seconds = scheduler_.unfinished_cost() * seconds_per_cost_ / std::max(1, link_.worker_count());
  }
  return counts;
}

bool Coordinator::try_storage(const std::function<void()>& write) {
  try {
    write();
    return true;
  } catch (const Error& error) {
    if (counts_.storage_error.empty()) counts_.storage_error = error.what();
    start_drain(std::string("cannot store results: ") + error.what());
    return false;
  }
}

bool Coordinator::claim(const WorkItem& item) {
  JobClaim claim;
  if (!try_storage([&] { claim = sink_.claim(item); })) {
    scheduler_.requeue(item.id);  // draining: it stays for the next run
    return false;
  }
  if (claim.state == JobClaim::State::kTaken) {
    held_by_.erase(item.id);
    return true;
  }
  if (claim.state == JobClaim::State::kHeldElsewhere) {
    scheduler_.set_aside(item.id);
    held_by_[item.id] = claim.holder;
  } else {
    scheduler_.drop(item.id);
    held_by_.erase(item.id);
    ++counts_.finished_elsewhere;
  }
  return false;
}

bool Coordinator::wait_for_held_jobs(int worker) {
  const bool only_held_left = scheduler_.finished() || scheduler_.stalled();
  if (draining_ || !only_held_left || scheduler_.set_aside_count() == 0) return false;
  if (!held_jobs_retried_) {  // a run that is gone may have left them: claim them once more
    held_jobs_retried_ = true;
    scheduler_.restore_set_aside();
    return false;
  }
  if (!options_.wait_for_other_runs) return false;
  waiting_.insert(worker);
  return true;
}

void Coordinator::poll_held_jobs() {
  if (!options_.wait_for_other_runs || draining_ || scheduler_.set_aside_count() == 0) return;
  if (options_.now() - last_claim_poll_ < options_.claim_poll_seconds) return;
  last_claim_poll_ = options_.now();
  scheduler_.restore_set_aside();
  for (int waiting : std::set<int>(waiting_)) dispatch(waiting);
}

void Coordinator::dispatch(int worker) {
  while (true) {
    if (!draining_ && !scheduler_.finished() && !may_start(scheduler_.next_cost())) {
      start_drain("not enough time left before the deadline for the next job");
      if (stopped_.count(worker)) return;
    }
    if (wait_for_held_jobs(worker)) return;
    if (draining_ || scheduler_.finished() || scheduler_.stalled()) {
      link_.send(worker, MessageKind::kStop, "");
      stopped_.insert(worker);
      waiting_.erase(worker);
      return;
    }
    const double cost = scheduler_.next_cost();
    std::optional<WorkItem> item = scheduler_.next_for(worker);
    if (!item) {
      waiting_.insert(worker);
      return;
    }
    if (!claim(*item)) continue;
    waiting_.erase(worker);
    send_work(worker, std::move(*item), cost);
    return;
  }
}

void Coordinator::send_work(int worker, WorkItem first, double cost) {
  std::vector<std::pair<WorkItem, double>> work = {{std::move(first), cost}};
  // A job resumed from a checkpoint runs alone: batches take no checkpoints. The first job's
  // checkpoint is read once, for this choice and to ship it.
  std::optional<std::string> first_checkpoint = sink_.checkpoint(work.front().first.id);
  if (options_.batch > 1 && !first_checkpoint) {
    for (auto& mate : scheduler_.take_batch_mates(worker, work.front().first.job, std::size_t(options_.batch - 1))) {
      if (claim(mate.first)) work.push_back(std::move(mate));
    }
  }
  std::vector<WorkItem> items;
  for (auto& [item, item_cost] : work) {
    busy_[worker].insert(item.id);
    costs_[item.id] = item_cost;
    batch_size_[item.id] = work.size();
    in_flight_[item.id] = item;
    sink_.started(item);
    attach_inputs(item, worker, items.empty() ? std::move(first_checkpoint) : sink_.checkpoint(item.id));
    items.push_back(std::move(item));
  }
  if (items.size() == 1) link_.send(worker, MessageKind::kJob, encode(items.front()));
  else link_.send(worker, MessageKind::kBatch, encode(items));
}

void Coordinator::handle_result(int worker, const std::string& payload) {
  JobOutcome outcome = decode_job_outcome(payload);
  auto busy = busy_.find(worker);
  if (busy != busy_.end()) {
    busy->second.erase(outcome.id);
    if (busy->second.empty()) busy_.erase(busy);
  }
  const WorkItem item = in_flight_[outcome.id];
  if (outcome.interrupted) {
    // A checkpoint that cannot be written only costs the work done so far.
    try_storage([&] { sink_.interrupted(item, outcome); });
    scheduler_.requeue(outcome.id);
    ++counts_.interrupted;
    in_flight_.erase(outcome.id);
    if (events_.job_finished) events_.job_finished(item, outcome, snapshot(), false);
    return;
  }
  if (outcome.done && outcome.result.wall_seconds > 0) {
    // A batch's jobs each report the batch's time: each counts for its share.
    const std::size_t shared = batch_size_.count(outcome.id) ? batch_size_[outcome.id] : 1;
    measured_seconds_ += outcome.result.wall_seconds / double(shared);
    measured_cost_ += costs_.count(outcome.id) ? costs_[outcome.id] : 0;
    if (measured_cost_ > 0) seconds_per_cost_ = measured_seconds_ / measured_cost_;
  }
  const bool final_outcome = scheduler_.record(outcome, worker);
  if (final_outcome) {
    in_flight_.erase(outcome.id);
    if (outcome.done && scheduler_.has_dependents(outcome.id) && outcome.result.image.width > 0) {
      dependency_results_[outcome.id] = encode_png(outcome.result.image);
    }
    if (!try_storage([&] { sink_.store(item, outcome); })) return;  // not stored: not announced
    ++(outcome.done ? counts_.done : counts_.failed);
  }
  unannounced_.push_back({item, std::move(outcome), snapshot(), !final_outcome});
  if (final_outcome) fail_blocked_jobs(worker);
}

void Coordinator::fail_blocked_jobs(int worker) {
  for (auto& [item, failed_id] : scheduler_.take_blocked()) {
    JobOutcome outcome;
    outcome.id = item.id;
    outcome.attempt = item.attempt;
    outcome.worker.rank = worker;
    outcome.error = fmt::format("not run: job {} that it depends on failed", failed_id);
    if (!try_storage([&] { sink_.store(item, outcome); })) return;
    ++counts_.failed;
    unannounced_.push_back({item, std::move(outcome), snapshot(), false});
  }
}

void Coordinator::publish_if_quiet(bool force) {
  if (unannounced_.empty()) return;
  const double now = options_.now();
  // Rebuilding results.h5 grows with the sweep: spacing publishes by ten times their cost keeps
  // them under a tenth of the run, so sweeps of many tiny jobs stay fast.
  const double spacing = 10 * last_publish_cost_;
  const bool quiet = !link_.has_pending() && now - last_publish_ >= spacing;
  const bool due = now - last_publish_ >= std::max(options_.publish_interval, spacing);
  if (!force && !quiet && !due) return;
  const bool published = try_storage([&] { sink_.publish(); });
  last_publish_ = options_.now();
  last_publish_cost_ = last_publish_ - now;
  // Announced only once published: a job reported done is in results.h5. Those lost with a
  // failed write run again next time.
  if (published) {
    for (const Announcement& announcement : unannounced_) {
      if (events_.job_finished) {
        events_.job_finished(announcement.item, announcement.outcome, announcement.counts,
                             announcement.will_retry);
      }
    }
  }
  unannounced_.clear();
}

RunCounts Coordinator::run(std::size_t total_jobs) {
  counts_.total = total_jobs;
  last_publish_ = options_.now();
  // Busy time accumulates from each wake-up to the next wait (real clocks: tests fake now()).
  struct Moment {
    double wall, cpu;
  };
  auto moment = [] {
    return Moment{std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(),
                  thread_cpu_seconds()};
  };
  auto mark_busy = [this, &moment](Moment since) {
    const Moment now = moment();
    counts_.busy_seconds += now.wall - since.wall;
    counts_.busy_cpu_seconds += now.cpu - since.cpu;
  };
  Moment busy_since = moment();
  const int workers = link_.worker_count();
  while (int(stopped_.size()) < workers) {
    if (options_.stop_requested() && !draining_) start_drain("stop requested by a signal");
    if (!draining_ && options_.deadline > 0 &&
        options_.now() > options_.deadline - options_.deadline_margin) {
      start_drain("the deadline is near");
    }
    mark_busy(busy_since);
    Envelope message = link_.receive();
    busy_since = moment();
    if (events_.tick && options_.now() - last_tick_ >= 1.0) {
      last_tick_ = options_.now();
      events_.tick(snapshot());
    }
    if (message.kind == MessageKind::kHello) {
      if (events_.worker_started) events_.worker_started(decode_worker_info(message.payload));
    } else if (message.kind == MessageKind::kResult) {
      handle_result(message.worker, message.payload);
    } else {
      poll_held_jobs();  // kNone: woken for a stop request, or a second passed
      continue;
    }
    // A worker with a batch gets more work once every job of the batch is back.
    if (!busy_.count(message.worker)) dispatch(message.worker);
    // A retry or the end of the run may have something for workers that were waiting.
    for (int waiting : std::set<int>(waiting_)) dispatch(waiting);
    poll_held_jobs();
    publish_if_quiet(false);
  }
  publish_if_quiet(true);
  counts_.held_elsewhere = scheduler_.set_aside_count();
  for (const auto& [id, holder] : held_by_) counts_.holding_runs.insert(holder);
  mark_busy(busy_since);
  read_store_load(counts_);
  counts_.running = 0;
  counts_.queued = scheduler_.queued();
  counts_.drained = counts_.queued > 0;
  return counts_;
}

}  // namespace stylesweep
