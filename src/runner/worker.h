// The worker loop: say hello, then run each job the coordinator sends and send back its outcome,
// until told to stop. A job's failure (bad image, NaN loss, any exception) becomes a failed
// outcome with its message; it never ends the loop.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "runner/messages.h"
#include "runner/transport.h"

namespace stylesweep {

// Runs one job and returns its outcome (done, failed or interrupted); must not throw. It polls
// `interrupted` between evaluations.
using JobRunner = std::function<JobOutcome(const WorkItem&, const std::function<bool()>& interrupted)>;

// Runs jobs that can share a batch (can_share_batch) as one and returns one outcome per item, in
// their order; must not throw. A batch takes no checkpoints and no stop requests.
using BatchRunner = std::function<std::vector<JobOutcome>(const std::vector<WorkItem>&)>;

// The outcomes of a batch message, each with its id, attempt and worker: through `run_batch`,
// or each job alone when there is none.
std::vector<JobOutcome> run_batch_message(const std::string& payload, const WorkerInfo& info, const JobRunner& run_job,
                                          const BatchRunner& run_batch);

// Stores shipped input files in a node-local directory and points jobs at the local copies.
class ShippedFiles {
 public:
  explicit ShippedFiles(std::string directory);
  ~ShippedFiles();
  // Writes item.files and rewrites the job's image paths to local copies of every file shipped
  // so far; paths of files never shipped are left as they are.
  void localize(WorkItem& item);
  // `text` with every local copy's path replaced by the path the coordinator knows it by, so
  // error messages name the user's file.
  std::string with_original_paths(std::string text) const;

 private:
  std::string directory_;
  std::map<std::string, std::string> local_paths_;  // job path -> local copy
};

void run_worker(WorkerLink& link, const WorkerInfo& info, const JobRunner& run_job,
                const BatchRunner& run_batch = {});

}  // namespace stylesweep
