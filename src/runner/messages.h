// What travels between the coordinator and the workers: a job to run (the fully resolved job
// and its identity) and its outcome (status, error, image, histories, timings, where it ran).
// No shared filesystem is assumed: results carry the image itself.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "job/job_params.h"
#include "job/job_result.h"

namespace stylesweep {

struct ShippedFile {
  std::string path;   // as the job names it
  std::string bytes;  // the file's content
};

struct WorkItem {
  StyleJob job;
  std::string id;
  std::string label;
  int attempt = 1;  // 1 for the first try
  // Input images the worker has not received yet: ranks share no filesystem.
  std::vector<ShippedFile> files;
  // The checkpoint of an earlier, interrupted run of this job (empty: start afresh).
  std::string checkpoint;
  // The plan's text of each varying parameter (SweepPlan::varying_keys), for the index.
  std::vector<std::string> parameters;
};

struct WorkerInfo {
  int rank = 0;
  std::string host;
  std::string device;  // "cpu (2 threads)", "cuda:1"
};

struct JobOutcome {
  std::string id;
  bool done = false;       // false: failed, or interrupted
  bool interrupted = false;  // stopped on request; `checkpoint` holds its state
  std::string error;       // why it failed
  JobResult result;        // image (clipped to 0-255) and histories; partial for failures
  WorkerInfo worker;
  int attempt = 1;
  std::string checkpoint;  // bytes of the checkpoint file of an interrupted job
};

std::string encode(const WorkItem& item);
WorkItem decode_work_item(const std::string& bytes);
// A batch: jobs a worker runs as one (StyleEngine::run_batch).
std::string encode(const std::vector<WorkItem>& items);
std::vector<WorkItem> decode_work_items(const std::string& bytes);
std::string encode(const JobOutcome& outcome);
JobOutcome decode_job_outcome(const std::string& bytes);
std::string encode(const WorkerInfo& info);
WorkerInfo decode_worker_info(const std::string& bytes);

}  // namespace stylesweep
