// The transport for a single process (no launcher, or mpirun -np 1): one worker, id 1, that runs
// the job the coordinator sent when the coordinator next waits for a message, so the results
// before it are published first (a kill loses only the running job). Same coordinator, same
// results.
#pragma once

#include <deque>

#include "runner/transport.h"
#include "runner/worker.h"

namespace stylesweep {

class InProcessLink : public CoordinatorLink {
 public:
  InProcessLink(WorkerInfo info, JobRunner run_job, BatchRunner run_batch = {});
  int worker_count() const override { return 1; }
  Envelope receive() override;
  void send(int worker, MessageKind kind, const std::string& payload) override;
  bool has_pending() override { return !inbox_.empty(); }

 private:
  void run_sent_work();

  WorkerInfo info_;
  JobRunner run_job_;
  BatchRunner run_batch_;
  std::deque<Envelope> inbox_;
  MessageKind sent_kind_ = MessageKind::kNone;  // kJob or kBatch sent and not yet run
  std::string sent_payload_;
};

}  // namespace stylesweep
