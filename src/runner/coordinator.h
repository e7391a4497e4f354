// The coordinator (rank 0): hands jobs to workers as they ask (Scheduler), ships the input images
// and checkpoints a worker needs, stores every final outcome (ResultSink) and announces a job only
// once the sink has published it. On a stop request or near the deadline it drains: no new jobs,
// running ones are asked to checkpoint, and the run ends with their checkpoints stored.
// Ignorant of MPI and HDF5: tests run it on a fake link and a fake sink.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runner/scheduler.h"
#include "runner/transport.h"

namespace stylesweep {

// Whether this run may start a job: other runs writing the same output may be running it, or
// may have finished it since this run started.
struct JobClaim {
  enum class State { kTaken, kHeldElsewhere, kFinishedElsewhere };
  State state = State::kTaken;
  std::string holder;  // kHeldElsewhere: the id of the run that holds it
};

class ResultSink {
 public:
  virtual ~ResultSink() = default;
  // A final outcome (done, or failed for good); durable once publish() returns.
  virtual void store(const WorkItem& item, const JobOutcome& outcome) = 0;
  // Asked before a job is sent; the claim lasts until the job is stored or interrupted.
  virtual JobClaim claim(const WorkItem&) { return {}; }
  // A job is about to start (counts attempts across runs).
  virtual void started(const WorkItem&) {}
  // A job stopped on request; its checkpoint is in outcome.checkpoint.
  virtual void interrupted(const WorkItem&, const JobOutcome&) {}
  // A done job's result image as PNG bytes (nothing when it is not stored): what a frame job that
  // depends on a job of an earlier or concurrent run starts from.
  virtual std::optional<std::string> result_png(const std::string&) { return std::nullopt; }
  // The checkpoint an earlier interruption left for this job.
  virtual std::optional<std::string> checkpoint(const std::string&) const { return std::nullopt; }
  // Makes everything stored so far durable and visible to readers (results.h5).
  virtual void publish() {}
  // CPU seconds spent storing on threads of the sink's own (0: it has none): its journal
  // writer and its PNG writer.
  virtual double writer_cpu_seconds() const { return 0; }
  virtual double png_cpu_seconds() const { return 0; }
  // CPU seconds of the busiest journal-writer process (0: none).
  virtual double journal_writer_cpu_seconds() const { return 0; }
};

struct RunCounts {
  std::size_t total = 0, done = 0, failed = 0, running = 0, queued = 0, skipped = 0;
  std::size_t interrupted = 0;
  // Jobs another run writing the same output finished after this run started, and jobs other
  // runs were still running when this one ended, with those runs' ids.
  std::size_t finished_elsewhere = 0, held_elsewhere = 0;
  std::set<std::string> holding_runs;
  bool drained = false;  // stopped early: jobs remain
  // Seconds until every job is final: the planner's cost of the unfinished jobs at the measured
  // seconds per unit of cost, spread over the workers; negative until a job has been measured.
  double eta_seconds = -1;
  // Seconds the coordinator spent handling messages and storing results, not waiting: its load,
  // and what bounds the jobs per second one coordinator can serve.
  double busy_seconds = 0;
  // The CPU time of those busy stretches: on a machine where workers compete with the
  // coordinator for cores, the busy seconds include waits for a core; this does not.
  double busy_cpu_seconds = 0;
  // CPU seconds of the result store's writer and PNG threads, which work beside the coordinator,
  // and of its busiest journal-writer process, if it has any.
  double store_cpu_seconds = 0, png_cpu_seconds = 0, journal_writer_cpu_seconds = 0;
  // Set when results could not be written (disk full, output gone): the run drained at once, and
  // jobs whose results did not reach the journal run again next time.
  std::string storage_error;
};

struct CoordinatorEvents {
  std::function<void(const WorkerInfo&)> worker_started;
  // After the outcome is published (final ones) or its checkpoint stored (interrupted ones).
  // `counts` are as they were when the outcome arrived; `will_retry`: a failure that is queued
  // again.
  std::function<void(const WorkItem&, const JobOutcome&, const RunCounts& counts, bool will_retry)>
      job_finished;
  std::function<void(const std::string& reason)> draining;
  // About once a second while the run waits for workers (and after each message), with the
  // counts now: progress displays refresh from it.
  std::function<void(const RunCounts& counts)> tick;
};

struct CoordinatorOptions {
  // Seconds since the epoch by which the run must have drained; 0: no deadline.
  double deadline = 0;
  // Drain this many seconds before the deadline (room to checkpoint and store).
  double deadline_margin = 60;
  // Publishing waits while messages are queued, but not longer than this (or ten times what the
  // last publish took, if more).
  double publish_interval = 1.0;
  // Up to this many jobs that can share a batch (can_share_batch) go to a worker as one batch
  // (--batch); 1: one job at a time.
  int batch = 1;
  // Jobs that other runs hold: false, the run ends when only those are left (after claiming
  // them once more); true, it polls their claims every claim_poll_seconds until they are
  // finished or free (--wait).
  bool wait_for_other_runs = false;
  double claim_poll_seconds = 1.0;
  std::function<double()> now;                 // seconds since the epoch; tests fake it
  std::function<bool()> stop_requested;        // signals; tests fake it
};

// Reads a file's bytes for shipping; tests replace it.
using FileReader = std::function<std::string(const std::string& path)>;
std::string read_whole_file(const std::string& path);

class Coordinator {
 public:
  Coordinator(CoordinatorLink& link, Scheduler& scheduler, ResultSink& sink,
              CoordinatorEvents events = {}, FileReader read_file = read_whole_file,
              CoordinatorOptions options = {});
  // Runs until every worker has been told to stop: when every job is final, or after a drain.
  RunCounts run(std::size_t total_jobs);

 private:
  void handle_result(int worker, const std::string& payload);
  void dispatch(int worker);
  // Claims `item` for this run; a job held or finished elsewhere leaves the queue (false).
  bool claim(const WorkItem& item);
  // Whether the jobs other runs hold keep `worker` waiting instead of stopping.
  bool wait_for_held_jobs(int worker);
  void poll_held_jobs();
  // Sends `first` alone, or with the queued jobs that can share its batch.
  void send_work(int worker, WorkItem first, double cost);
  bool may_start(double cost) const;
  void start_drain(const std::string& reason);
  // Runs a write to the sink; on Error records it as the run's storage error and drains.
  bool try_storage(const std::function<void()>& write);
  RunCounts snapshot() const;  // counts_ with the scheduler's running and queued now
  // The CPU seconds of the result sink's own threads and processes, as of now.
  void read_store_load(RunCounts& counts) const;
  // Ships the job's images the worker lacks and its checkpoint (`checkpoint`, already looked up).
  void attach_inputs(WorkItem& item, int worker, std::optional<std::string> checkpoint);
  void publish_if_quiet(bool force);
  // Stores the queued jobs that wait for a job that failed for good as failed themselves.
  void fail_blocked_jobs(int worker);

  CoordinatorLink& link_;
  Scheduler& scheduler_;
  ResultSink& sink_;
  CoordinatorEvents events_;
  FileReader read_file_;
  CoordinatorOptions options_;
  RunCounts counts_;
  bool draining_ = false;
  std::set<int> waiting_;                         // idle workers with nothing to do yet
  std::set<int> stopped_;
  std::map<int, std::set<std::string>> busy_;     // worker -> the ids of its job or batch
  std::map<std::string, std::size_t> batch_size_; // by id: how many jobs ran with it
  std::map<int, std::set<std::string>> shipped_;  // paths each worker has received
  std::map<std::string, WorkItem> in_flight_;     // by id
  std::map<std::string, std::string> dependency_results_;  // by id: PNGs of done jobs others need
  std::map<std::string, double> costs_;           // by id, for the time estimate
  std::map<std::string, std::string> held_by_;    // by id: the run holding a job set aside
  bool held_jobs_retried_ = false;                // claimed again once the queue ran empty
  double last_claim_poll_ = 0;
  struct Announcement {
    WorkItem item;
    JobOutcome outcome;
    RunCounts counts;
    bool will_retry = false;
  };
  std::vector<Announcement> unannounced_;
  double last_publish_ = 0;
  double last_publish_cost_ = 0;  // seconds the last publish took
  double last_tick_ = 0;
  double seconds_per_cost_ = 0;  // measured: wall seconds per unit of estimated cost
  double measured_cost_ = 0, measured_seconds_ = 0;
};

}  // namespace stylesweep
