#include "runner/inprocess_transport.h"

#include <chrono>
#include <thread>

#include "common/error.h"

namespace stylesweep {

InProcessLink::InProcessLink(WorkerInfo info, JobRunner run_job, BatchRunner run_batch)
    : info_(std::move(info)), run_job_(std::move(run_job)), run_batch_(std::move(run_batch)) {
  inbox_.push_back({1, MessageKind::kHello, encode(info_)});
}

Envelope InProcessLink::receive() {
  if (inbox_.empty()) run_sent_work();
  if (inbox_.empty()) {
    // The worker is waiting (for jobs other runs hold): do not spin.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return Envelope{1, MessageKind::kNone, ""};
  }
  Envelope message = std::move(inbox_.front());
  inbox_.pop_front();
  return message;
}

void InProcessLink::send(int, MessageKind kind, const std::string& payload) {
  if (kind != MessageKind::kJob && kind != MessageKind::kBatch) return;
  sent_kind_ = kind;
  sent_payload_ = payload;
}

void InProcessLink::run_sent_work() {
  const MessageKind kind = sent_kind_;
  sent_kind_ = MessageKind::kNone;
  if (kind == MessageKind::kBatch) {
    for (const JobOutcome& outcome : run_batch_message(sent_payload_, info_, run_job_, run_batch_)) {
      inbox_.push_back({1, MessageKind::kResult, encode(outcome)});
    }
    return;
  }
  if (kind != MessageKind::kJob) return;
  const WorkItem item = decode_work_item(sent_payload_);
  JobOutcome outcome = run_job_(item, [] { return false; });
  outcome.id = item.id;
  outcome.attempt = item.attempt;
  outcome.worker = info_;
  inbox_.push_back({1, MessageKind::kResult, encode(outcome)});
}

}  // namespace stylesweep
