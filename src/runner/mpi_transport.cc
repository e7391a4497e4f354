#include "runner/mpi_transport.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iterator>
#include <thread>

#include "common/error.h"
#include "common/interrupt.h"

namespace stylesweep {
namespace {

void check(int code, const char* what) {
  if (code != MPI_SUCCESS) throw Error(std::string("MPI call failed: ") + what, ErrorKind::kInternal);
}

// Waits for a message from `source` (or any), sleeping between probes: from 20 us up to 2 ms,
// so a busy sweep sees little latency and an idle rank little CPU. The coordinator's wait
// (wake_up) returns kNone when a stop is requested (it then drains) or after about a second (it
// then refreshes its progress display).
Envelope receive_from(MPI_Comm communicator, int source, bool wake_up) {
  auto pause = std::chrono::microseconds(20);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  MPI_Status status;
  while (true) {
    int ready = 0;
    check(MPI_Iprobe(source, MPI_ANY_TAG, communicator, &ready, &status), "MPI_Iprobe");
    if (ready) break;
    if (wake_up && (stop_requested() || std::chrono::steady_clock::now() > give_up)) {
      return Envelope{0, MessageKind::kNone, ""};
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(2000));
  }
  int size = 0;
  check(MPI_Get_count(&status, MPI_CHAR, &size), "MPI_Get_count");
  Envelope message;
  message.worker = status.MPI_SOURCE;
  message.kind = static_cast<MessageKind>(status.MPI_TAG);
  message.payload.resize(std::size_t(size));
  check(MPI_Recv(message.payload.data(), size, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG,
                 communicator, MPI_STATUS_IGNORE),
        "MPI_Recv");
  return message;
}

void send_to(MPI_Comm communicator, int destination, MessageKind kind, const std::string& payload) {
  check(MPI_Send(payload.data(), int(payload.size()), MPI_CHAR, destination, int(kind),
                 communicator),
        "MPI_Send");
}

}  // namespace

MpiSession::MpiSession(int* argc, char*** argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  // Funneled: only this thread calls MPI, but rank 0's result store writes on a thread of its
  // own (and workers run libtorch's), which MPI_THREAD_SINGLE would not allow.
  int provided = MPI_THREAD_SINGLE;
  if (!initialized) check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  check(MPI_Comm_dup(MPI_COMM_WORLD, &communicator_), "MPI_Comm_dup");
  MPI_Comm_rank(communicator_, &rank_);
  MPI_Comm_size(communicator_, &size_);
}

MpiSession::~MpiSession() {
  if (communicator_ != MPI_COMM_NULL) MPI_Comm_free(&communicator_);
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

std::string MpiSession::host() const {
  char name[MPI_MAX_PROCESSOR_NAME];
  int length = 0;
  MPI_Get_processor_name(name, &length);
  return std::string(name, std::size_t(length));
}

void MpiSession::worker_placement(int* local_index, int* workers_on_node) const {
  *local_index = 0;
  *workers_on_node = 1;
  if (size_ == 1) return;
  // Every rank takes part in the splits; the coordinator's color leaves it out.
  MPI_Comm workers = MPI_COMM_NULL;
  check(MPI_Comm_split(communicator_, rank_ == 0 ? MPI_UNDEFINED : 1, rank_, &workers),
        "MPI_Comm_split");
  if (workers == MPI_COMM_NULL) return;
  MPI_Comm node = MPI_COMM_NULL;
  check(MPI_Comm_split_type(workers, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node),
        "MPI_Comm_split_type");
  MPI_Comm_rank(node, local_index);
  MPI_Comm_size(node, workers_on_node);
  MPI_Comm_free(&node);
  MPI_Comm_free(&workers);
}

void MpiSession::abort(int code) const { MPI_Abort(communicator_, code); std::_Exit(code); }

std::string MpiSession::broadcast(std::string text) const {
  std::uint64_t size = text.size();
  check(MPI_Bcast(&size, 1, MPI_UINT64_T, 0, communicator_), "MPI_Bcast");
  text.resize(size);
  check(MPI_Bcast(text.data(), int(size), MPI_CHAR, 0, communicator_), "MPI_Bcast");
  return text;
}

std::unique_ptr<CoordinatorLink> MpiSession::coordinator_link() const {
  return std::make_unique<MpiCoordinatorLink>(*this);
}

std::unique_ptr<WorkerLink> MpiSession::worker_link() const { return std::make_unique<MpiWorkerLink>(*this); }

std::unique_ptr<Session> start_session(int* argc, char*** argv) {
  return std::make_unique<MpiSession>(argc, argv);
}

bool sessions_have_mpi() { return true; }

MpiCoordinatorLink::~MpiCoordinatorLink() {
  for (Sending& sending : sending_) MPI_Wait(&sending.request, MPI_STATUS_IGNORE);
}

void MpiCoordinatorLink::forget_completed_sends() {
  for (auto it = sending_.begin(); it != sending_.end();) {
    int done = 0;
    check(MPI_Test(&it->request, &done, MPI_STATUS_IGNORE), "MPI_Test");
    it = done ? sending_.erase(it) : std::next(it);
  }
}

Envelope MpiCoordinatorLink::receive() {
  forget_completed_sends();
  return receive_from(session_.communicator(), MPI_ANY_SOURCE, true);
}

bool MpiCoordinatorLink::has_pending() {
  int ready = 0;
  MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, session_.communicator(), &ready, MPI_STATUS_IGNORE);
  return ready != 0;
}

void MpiCoordinatorLink::send(int worker, MessageKind kind, const std::string& payload) {
  forget_completed_sends();
  Sending& sending = sending_.emplace_back();
  sending.payload = payload;
  check(MPI_Isend(sending.payload.data(), int(sending.payload.size()), MPI_CHAR, worker, int(kind),
                  session_.communicator(), &sending.request),
        "MPI_Isend");
}

Envelope MpiWorkerLink::receive() {
  // A pending interrupt is for a job that already ended: skip it.
  while (true) {
    Envelope message = receive_from(session_.communicator(), 0, false);
    if (message.kind != MessageKind::kInterrupt) return message;
  }
}

bool MpiWorkerLink::interrupt_requested() {
  if (interrupted_) return true;
  int ready = 0;
  MPI_Status status;
  MPI_Iprobe(0, int(MessageKind::kInterrupt), session_.communicator(), &ready, &status);
  if (ready) {
    char ignored;
    MPI_Recv(&ignored, 0, MPI_CHAR, 0, int(MessageKind::kInterrupt), session_.communicator(),
             MPI_STATUS_IGNORE);
    interrupted_ = true;
  }
  return interrupted_;
}

void MpiWorkerLink::send(MessageKind kind, const std::string& payload) {
  send_to(session_.communicator(), 0, kind, payload);
}

}  // namespace stylesweep
