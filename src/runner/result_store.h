// The sweep's results, written by rank 0 alone, designed to survive a kill -9 at any moment.
//
// The journal: every final outcome is first written to <output>/jobs/<id>.h5 under a temporary
// name, fsynced and renamed into place. A job file that exists is complete; it is the record.
// results.h5 is a view built from the journal, always replaced whole in the same way (temporary
// file, fsync, rename), so readers and a crash only ever see a complete file:
//   during a run, /jobs/<id> are external links into the job files (cheap to republish);
//   when a run ends, /jobs/<id> are real copies, so results.h5 stands alone.
// At start the store reads the journal, copies into it any job that only results.h5 holds, and
// moves an unreadable results.h5 aside (never deleting it) before rebuilding it.
//
// results.h5 layout:
//   /            format = "stylesweep-results", format_version = 1, config (the YAML text),
//                config_path, tool_version, created_utc, weights_sha256, weights_source,
//                normalization = "paper"
//   /jobs/<id>   the history-file layout (job/history_file.h) plus label, status ("done" |
//                "failed"), error, wall_seconds, evaluations, rank, host, device, attempts,
//                finished_utc
//   /index       parallel 1-D datasets, one row per job: id, label, status, error, host,
//                loss_total, loss_content, loss_style, loss_tv (of the returned image),
//                evaluations, wall_seconds, attempts, rank and every varying parameter;
//                attribute `columns` orders them
// Each finished image is also <output>/images/<label>.png. Checkpoints of interrupted jobs wait
// in <output>/checkpoints/<id>.ckpt; <output>/attempts.log counts starts across runs.
//
// A full disk: while a run is open the store holds <output>/.space-reserve (kReserveBytes,
// allocated). When a write fails, store() and publish() free it before rethrowing, so the final
// results.h5 (links to every job file written) still fits and lists every finished job.
#pragma once

#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runner/coordinator.h"

namespace stylesweep {

struct StoreSettings {
  std::string output_directory;
  std::string config_text;
  std::string config_path;
  std::string weights_sha256;
  std::vector<std::string> varying_keys;
  std::string weights_source;  // the weights file's `source` attribute
};

// One job's line of /index.
struct IndexRow {
  std::string id, label, status, error, host;
  double loss_total = 0, loss_content = 0, loss_style = 0, loss_tv = 0;
  double evaluations = 0, wall_seconds = 0, attempts = 0, rank = 0;
  std::map<std::string, std::string> parameters;  // varying parameter -> value as text
};

class ResultStore : public ResultSink {
 public:
  // Creates the output directories, recovers as described above; `notes` gets one line per
  // recovery action taken.
  ResultStore(StoreSettings settings, std::vector<std::string>* notes = nullptr);
  ~ResultStore() override;
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  static constexpr long kReserveBytes = 8L << 20;

  // Journals the outcome (durable when this returns) and writes the PNG of a finished image.
  void store(const WorkItem& item, const JobOutcome& outcome) override;
  void started(const WorkItem& item) override { record_attempt(item.id); }
  void interrupted(const WorkItem& item, const JobOutcome& outcome) override;
  std::optional<std::string> checkpoint(const std::string& id) const override;
  void publish() override { publish(false); }
  // Rebuilds results.h5 from the journal; `standalone` copies the jobs instead of linking them.
  void publish(bool standalone);

  std::set<std::string> done_ids() const;
  std::set<std::string> failed_ids() const;
  std::string results_path() const { return settings_.output_directory + "/results.h5"; }

  // Starts per job across runs that did not end in an interruption (attempts.log).
  int attempts(const std::string& id) const;
  void record_attempt(const std::string& id);

 private:
  std::string job_file(const std::string& id) const;
  std::string checkpoint_file(const std::string& id) const;
  void load_journal(std::vector<std::string>* notes);
  void adopt_results_file(std::vector<std::string>* notes);
  void write_root_attributes(class ResultFileWriter& writer) const;
  std::string reserve_file() const { return settings_.output_directory + "/.space-reserve"; }
  void hold_reserve() const;
  void release_reserve() const;
  void publish_unguarded(bool standalone);
  void store_unguarded(const WorkItem& item, const JobOutcome& outcome);
  void append_attempt_line(const std::string& line);

  StoreSettings settings_;
  std::map<std::string, IndexRow> rows_;  // by id: every journaled job
  std::map<std::string, int> attempts_;
  std::ofstream attempts_log_;
  std::string created_utc_;
};

}  // namespace stylesweep
