// MPI between ranks: rank 0 is the coordinator, every other rank a worker. Waiting sides poll
// with MPI_Iprobe and short sleeps instead of blocking receives, which in Open MPI spin a core:
// on a CPU node the coordinator's rank shares cores with workers.
#pragma once

#include <mpi.h>

#include <list>
#include <string>

#include "runner/session.h"
#include "runner/transport.h"

namespace stylesweep {

// MPI_Init/MPI_Finalize and a private duplicate of MPI_COMM_WORLD, for the process's lifetime.
class MpiSession : public Session {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession() override;
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  MPI_Comm communicator() const { return communicator_; }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string host() const override;
  // From an MPI_COMM_TYPE_SHARED split of the worker ranks; a single rank is worker 0 of 1.
  void worker_placement(int* local_index, int* workers_on_node) const override;
  std::string broadcast(std::string text) const override;
  [[noreturn]] void abort(int code) const override;
  std::unique_ptr<CoordinatorLink> coordinator_link() const override;
  std::unique_ptr<WorkerLink> worker_link() const override;

 private:
  MPI_Comm communicator_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
};

// Sends without waiting (MPI_Isend): a blocking MPI_Send on an oversubscribed node yields the
// core in a loop until the message is out, which was half of rank 0's time per trivial job.
class MpiCoordinatorLink : public CoordinatorLink {
 public:
  explicit MpiCoordinatorLink(const MpiSession& session) : session_(session) {}
  ~MpiCoordinatorLink() override;  // waits for the sends still in flight
  MpiCoordinatorLink(const MpiCoordinatorLink&) = delete;
  MpiCoordinatorLink& operator=(const MpiCoordinatorLink&) = delete;
  int worker_count() const override { return session_.size() - 1; }
  Envelope receive() override;
  void send(int worker, MessageKind kind, const std::string& payload) override;
  bool has_pending() override;

 private:
  struct Sending {
    MPI_Request request = MPI_REQUEST_NULL;
    std::string payload;  // MPI reads it until the request completes
  };
  void forget_completed_sends();

  const MpiSession& session_;
  std::list<Sending> sending_;  // a list: payloads must not move while MPI reads them
};

class MpiWorkerLink : public WorkerLink {
 public:
  explicit MpiWorkerLink(const MpiSession& session) : session_(session) {}
  Envelope receive() override;
  void send(MessageKind kind, const std::string& payload) override;
  bool interrupt_requested() override;

 private:
  const MpiSession& session_;
  bool interrupted_ = false;
};

}  // namespace stylesweep
