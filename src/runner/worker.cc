#include "runner/worker.h"

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/sha256.h"

namespace stylesweep {

ShippedFiles::ShippedFiles(std::string directory) : directory_(std::move(directory)) {}

ShippedFiles::~ShippedFiles() {
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

void ShippedFiles::localize(WorkItem& item) {
  for (const ShippedFile& file : item.files) {
    std::filesystem::create_directories(directory_);
    // Named by content, keeping the extension the image reader does not need but people do.
    const std::string local = directory_ + "/" + sha256_hex(file.bytes).substr(0, 16) +
                              std::filesystem::path(file.path).extension().string();
    std::ofstream out(local, std::ios::binary);
    out.write(file.bytes.data(), std::streamsize(file.bytes.size()));
    if (!out) throw io_error(local, "cannot store a shipped input file (disk full?)");
    local_paths_[file.path] = local;
  }
  item.files.clear();
  auto local = [this](std::string& path) {
    auto found = local_paths_.find(path);
    if (found != local_paths_.end()) path = found->second;
  };
  local(item.job.content);
  for (auto& style : item.job.styles) local(style);
  local(item.job.init.image);
  for (FrameLink& link : item.job.frame_links) {
    local(link.frame);
    local(link.result);
  }
}

std::string ShippedFiles::with_original_paths(std::string text) const {
  for (const auto& [original, local] : local_paths_) {
    for (std::size_t at = text.find(local); at != std::string::npos; at = text.find(local, at)) {
      text.replace(at, local.size(), original);
      at += original.size();
    }
  }
  return text;
}

std::vector<JobOutcome> run_batch_message(const std::string& payload, const WorkerInfo& info, const JobRunner& run_job,
                                          const BatchRunner& run_batch) {
  const std::vector<WorkItem> items = decode_work_items(payload);
  std::vector<JobOutcome> outcomes;
  if (run_batch) {
    outcomes = run_batch(items);
  } else {
    for (const WorkItem& item : items) outcomes.push_back(run_job(item, [] { return false; }));
  }
  for (std::size_t i = 0; i < items.size() && i < outcomes.size(); ++i) {
    outcomes[i].id = items[i].id;
    outcomes[i].attempt = items[i].attempt;
    outcomes[i].worker = info;
  }
  return outcomes;
}

void run_worker(WorkerLink& link, const WorkerInfo& info, const JobRunner& run_job, const BatchRunner& run_batch) {
  link.send(MessageKind::kHello, encode(info));
  while (true) {
    Envelope message = link.receive();
    if (message.kind == MessageKind::kBatch) {
      for (const JobOutcome& outcome : run_batch_message(message.payload, info, run_job, run_batch)) {
        link.send(MessageKind::kResult, encode(outcome));
      }
      continue;
    }
    if (message.kind != MessageKind::kJob) return;
    const WorkItem item = decode_work_item(message.payload);
    JobOutcome outcome = run_job(item, [&link] { return link.interrupt_requested(); });
    outcome.id = item.id;
    outcome.attempt = item.attempt;
    outcome.worker = info;
    link.send(MessageKind::kResult, encode(outcome));
  }
}

}  // namespace stylesweep
