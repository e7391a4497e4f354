#include "runner/coordinator.h"

#include <fstream>
#include <iterator>

#include "common/error.h"

namespace stylesweep {

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw file_error(path, "cannot open for reading");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Coordinator::Coordinator(CoordinatorLink& link, Scheduler& scheduler, ResultSink& sink,
                         CoordinatorEvents events, FileReader read_file)
    : link_(link), scheduler_(scheduler), sink_(sink), events_(std::move(events)),
      read_file_(std::move(read_file)) {}

void Coordinator::attach_files(WorkItem& item, int worker) {
  std::vector<std::string> paths = {item.job.content};
  paths.insert(paths.end(), item.job.styles.begin(), item.job.styles.end());
  if (item.job.init != "noise" && item.job.init != "content" && item.job.init != "style") {
    paths.push_back(item.job.init);
  }
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
}

void Coordinator::dispatch(int worker) {
  if (scheduler_.finished()) {
    link_.send(worker, MessageKind::kStop, "");
    stopped_.insert(worker);
    waiting_.erase(worker);
    return;
  }
  std::optional<WorkItem> item = scheduler_.next_for(worker);
  if (!item) {
    waiting_.insert(worker);
    return;
  }
  waiting_.erase(worker);
  in_flight_[item->id] = *item;
  attach_files(*item, worker);
  link_.send(worker, MessageKind::kJob, encode(*item));
}

RunCounts Coordinator::run(std::size_t total_jobs) {
  counts_.total = total_jobs;
  const int workers = link_.worker_count();
  while (int(stopped_.size()) < workers) {
    Envelope message = link_.receive();
    if (message.kind == MessageKind::kHello) {
      if (events_.worker_started) events_.worker_started(decode_worker_info(message.payload));
    } else if (message.kind == MessageKind::kResult) {
      JobOutcome outcome = decode_job_outcome(message.payload);
      const WorkItem item = in_flight_[outcome.id];
      if (scheduler_.record(outcome, message.worker)) {
        sink_.store(item, outcome);
        ++(outcome.done ? counts_.done : counts_.failed);
        in_flight_.erase(outcome.id);
      }
      counts_.running = scheduler_.running();
      counts_.queued = scheduler_.queued();
      if (events_.job_finished) events_.job_finished(item, outcome, counts_);
    } else {
      continue;  // not a worker's message
    }
    dispatch(message.worker);
    // A retry or the end of the run may have something for workers that were waiting.
    for (int waiting : std::set<int>(waiting_)) dispatch(waiting);
  }
  counts_.running = 0;
  counts_.queued = 0;
  return counts_;
}

}  // namespace stylesweep
