// The transport for a single process (no launcher, or mpirun -np 1): one worker, id 1, that runs
// each job synchronously when the coordinator sends it. Same coordinator, same results.
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
  WorkerInfo info_;
  JobRunner run_job_;
  BatchRunner run_batch_;
  std::deque<Envelope> inbox_;
};

}  // namespace stylesweep
