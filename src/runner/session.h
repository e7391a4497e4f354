// The processes of one `stylesweep run`, behind one interface: MPI ranks (runner/mpi_transport.h,
// in a build with STYLESWEEP_MPI) or a single process that coordinates and works (a serial build,
// for machines without MPI). Nothing outside the MPI implementation includes an MPI header.
#pragma once

#include <memory>
#include <string>

#include "runner/transport.h"

namespace stylesweep {

class Session {
 public:
  virtual ~Session() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;  // 1: this process coordinates and works (InProcessLink)
  virtual std::string host() const = 0;
  // This worker's index among the workers on its node, and how many workers the node has.
  virtual void worker_placement(int* local_index, int* workers_on_node) const = 0;
  // Rank 0's `text`, returned on every rank.
  virtual std::string broadcast(std::string text) const = 0;
  // Ends every rank at once (a failure on the coordinator must not leave workers waiting).
  [[noreturn]] virtual void abort(int code) const = 0;
  // The links between ranks, for sessions of more than one rank.
  virtual std::unique_ptr<CoordinatorLink> coordinator_link() const = 0;
  virtual std::unique_ptr<WorkerLink> worker_link() const = 0;
};

// What a process of a run does: rank 0 of several coordinates, the other ranks work, and a lone
// process (a serial build, or one rank) does both through InProcessLink.
enum class ProcessRole { kCoordinator, kWorker, kSerial };
ProcessRole process_role(const Session& session);

// MPI in a build with it (started by mpirun, srun, or alone as one rank); otherwise one process.
std::unique_ptr<Session> start_session(int* argc, char*** argv);
// Whether this build can run more than one rank.
bool sessions_have_mpi();

}  // namespace stylesweep
