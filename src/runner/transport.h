// How the coordinator and the workers talk, behind one interface: MPI between ranks
// (runner/mpi_transport.h) or in process for a single rank (runner/inprocess_transport.h).
// The coordinator's logic only sees CoordinatorLink, so tests drive it with a fake.
#pragma once

#include <string>

namespace stylesweep {

enum class MessageKind : int {
  kHello = 1,   // worker -> coordinator: WorkerInfo; the worker is idle
  kResult = 2,  // worker -> coordinator: JobOutcome; the worker is idle again
  kJob = 3,     // coordinator -> worker: WorkItem
  kStop = 4,    // coordinator -> worker: no more work
  kInterrupt = 5,  // coordinator -> busy worker: checkpoint the running job and report it
  kNone = 6,    // no message: receive() returned for a stop request or after a second's wait
  kBatch = 7,   // coordinator -> worker: WorkItems to run as one batch; one kResult comes per item
};

struct Envelope {
  int worker = 0;  // the worker's id (its rank) on the coordinator side
  MessageKind kind = MessageKind::kStop;
  std::string payload;
};

class CoordinatorLink {
 public:
  virtual ~CoordinatorLink() = default;
  virtual int worker_count() const = 0;
  // The next message from any worker; blocks until one arrives, a stop is requested or about a
  // second has passed (then kind is kNone), so the coordinator can refresh its progress.
  virtual Envelope receive() = 0;
  virtual void send(int worker, MessageKind kind, const std::string& payload) = 0;
  // Whether a message is waiting (so publishing results can wait for a quieter moment).
  virtual bool has_pending() = 0;
};

class WorkerLink {
 public:
  virtual ~WorkerLink() = default;
  virtual Envelope receive() = 0;  // from the coordinator
  virtual void send(MessageKind kind, const std::string& payload) = 0;
  // True once the coordinator asked the running job to stop (polled between evaluations).
  virtual bool interrupt_requested() = 0;
};

}  // namespace stylesweep
