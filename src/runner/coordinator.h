// The coordinator (rank 0): hands jobs to workers as they ask (Scheduler), ships the input images
// a worker has not seen, stores every final outcome (ResultSink) and ends when every job is done
// or failed. Ignorant of MPI and HDF5: tests run it on a fake link and a fake sink.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "runner/scheduler.h"
#include "runner/transport.h"

namespace stylesweep {

class ResultSink {
 public:
  virtual ~ResultSink() = default;
  virtual void store(const WorkItem& item, const JobOutcome& outcome) = 0;
};

struct RunCounts {
  std::size_t total = 0, done = 0, failed = 0, running = 0, queued = 0, skipped = 0;
};

// Called for workers saying hello, for every finished job and on each change of counts.
struct CoordinatorEvents {
  std::function<void(const WorkerInfo&)> worker_started;
  std::function<void(const WorkItem&, const JobOutcome&, const RunCounts&)> job_finished;
};

// Reads a file's bytes for shipping; tests replace it.
using FileReader = std::function<std::string(const std::string& path)>;
std::string read_whole_file(const std::string& path);

class Coordinator {
 public:
  Coordinator(CoordinatorLink& link, Scheduler& scheduler, ResultSink& sink,
              CoordinatorEvents events = {}, FileReader read_file = read_whole_file);
  // Runs until every job is final and every worker has been told to stop.
  RunCounts run(std::size_t total_jobs);

 private:
  void dispatch(int worker);
  void attach_files(WorkItem& item, int worker);

  CoordinatorLink& link_;
  Scheduler& scheduler_;
  ResultSink& sink_;
  CoordinatorEvents events_;
  FileReader read_file_;
  RunCounts counts_;
  std::set<int> waiting_;                       // idle workers with nothing to do yet
  std::set<int> stopped_;
  std::map<int, std::set<std::string>> shipped_;  // paths each worker has received
  std::map<std::string, WorkItem> in_flight_;     // by id, for storing with its item
};

}  // namespace stylesweep
