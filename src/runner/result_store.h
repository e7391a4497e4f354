// The sweep's results, written by rank 0 alone, designed to survive a kill -9 at any moment.
//
// The journal: <output>/jobs/segment-<n>.h5 files, each holding the final outcomes of a batch
// of jobs as /jobs/<id> groups. store() queues an outcome for the store's writer thread, which
// writes its group into the open segment (under a temporary name) and hands its PNG to a PNG
// thread, while rank 0 goes on serving workers. commit() waits for both, makes the segment
// durable with one filesystem sync and renames it into place. A segment that exists is
// complete; it is the record. One sync per batch instead of four fsyncs per job, written beside
// the message loop instead of in it, lets one coordinator store about two thousand small jobs a
// second. With StoreSettings::journal_writers, writer processes (runner/journal_writers.h) write
// the groups and PNGs instead, each job to the next writer in turn and each writer into a
// segment file of its own; a commit then closes all of them, syncs once and renames each into
// place. Journals of earlier versions (jobs/<id>.h5, one job each) are read the same way;
// where two files hold a job, the later segment wins (--rerun-failed).
// results.h5 is a view built from the journal, always replaced whole in the same way (temporary
// file, fsync, rename), so readers and a crash only ever see a complete file:
//   during a run, /jobs/<id> are external links into the segments (cheap to republish);
//   when a run ends, /jobs/<id> are real copies, so results.h5 stands alone.
// At start the store reads the journal, copies into it any job that only results.h5 holds, and
// moves an unreadable results.h5 aside (never deleting it) before rebuilding it. A journal or
// results.h5 of another loss normalization (job/losses_name.h) is refused whole and left as it is.
//
// results.h5 layout:
//   /            format = "stylesweep-results", format_version = 1, config (the YAML text),
//                config_path, tool_version, created_utc, weights_sha256, weights_source,
//                normalization = "paper-per-position"
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
// allocated). When a write fails, commit() frees it, writes the staged batch again into the
// room it made and rethrows, so no finished job is lost and the final results.h5 (links to
// every segment written) still fits. Batches are cut at kSegmentBytes so that they fit too.
#pragma once

#include <condition_variable>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runner/coordinator.h"
#include "runner/journal_record.h"

namespace stylesweep {

class ResultFileWriter;
class PngWriterThread;  // runner/png_writer_thread.h
class JournalWriters;   // runner/journal_writers.h

struct StoreSettings {
  std::string output_directory;
  std::string config_text;
  std::string config_path;
  std::string weights_sha256;
  std::vector<std::string> varying_keys;
  std::string weights_source;  // the weights file's `source` attribute
  // Journal-writer processes (runner/journal_writers.h) running `journal_writer_program`;
  // 0: the store's writer thread writes the segments itself.
  int journal_writers = 0;
  std::string journal_writer_program;
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
  // A staged batch this large (images and histories) is committed at once.
  static constexpr std::size_t kSegmentBytes = 1 << 20;
  // Queued outcomes hold their images as floats: about four times this in memory.
  static constexpr std::size_t kQueueBytes = 64 << 20;

  // Queues the outcome for the writer thread (waiting while kQueueBytes are queued). A segment
  // that reaches kSegmentBytes is committed by the writer on its own.
  void store(const WorkItem& item, const JobOutcome& outcome) override;
  // Makes every stored outcome durable: waits for the writer, then one sync and a rename.
  // Throws the writer's first error (once).
  void commit();
  // CPU seconds the writer thread has spent writing segments, and the PNG thread PNGs.
  double writer_cpu_seconds() const override;
  double png_cpu_seconds() const override;
  double journal_writer_cpu_seconds() const override;
  void started(const WorkItem& item) override { record_attempt(item.id); }
  void interrupted(const WorkItem& item, const JobOutcome& outcome) override;
  std::optional<std::string> checkpoint(const std::string& id) const override;
  void publish() override { publish(false); }
  // Commits, then rebuilds results.h5 from the journal; `standalone` copies the jobs instead of
  // linking them.
  void publish(bool standalone);

  std::set<std::string> done_ids() const;
  std::set<std::string> failed_ids() const;
  std::string results_path() const { return settings_.output_directory + "/results.h5"; }

  // Starts per job across runs that did not end in an interruption (attempts.log).
  int attempts(const std::string& id) const;
  void record_attempt(const std::string& id);

 private:
  struct Staged {
    WorkItem item;
    JobOutcome outcome;
    std::size_t bytes = 0;  // roughly what it adds to a segment (images, histories, overhead)
  };
  std::string journal_path(const std::string& file_name) const;
  std::string image_file(const WorkItem& item) const;
  std::string checkpoint_file(const std::string& id) const;
  void load_journal(std::vector<std::string>* notes);
  // Reads every job of one journal file into rows_; an unreadable file is moved aside.
  void load_journal_file(const std::string& file_name, std::vector<std::string>* notes);
  void adopt_results_file(std::vector<std::string>* notes);
  // Records that `file_name` in jobs/ holds these jobs (a later file replaces an earlier one).
  void remember_journaled(const std::string& file_name, std::map<std::string, IndexRow> rows);
  void write_root_attributes(ResultFileWriter& writer) const;
  std::string reserve_file() const { return settings_.output_directory + "/.space-reserve"; }
  void hold_reserve() const;
  void release_reserve() const;
  void publish_unguarded(bool standalone);
  // The writer thread's side: everything below it touches only the open segment's state.
  void writer_loop();
  void append_to_segment(Staged staged);
  void write_to_segment(const Staged& staged);  // its PNG and its group, unsynced
  bool segment_open() const;
  void finish_segment();                        // seals it; recovers from a failure
  void seal_segment();                          // sync, rename, hand the rows over; throws
  // Has the journal writers close their segment files, syncs and renames them: (name, rows).
  std::vector<std::pair<std::string, std::map<std::string, IndexRow>>> seal_writer_segments();
  void recover_segment_after(const std::exception& error);
  void discard_segment();
  void append_attempt_line(const std::string& line);

  StoreSettings settings_;
  std::map<std::string, IndexRow> rows_;  // by id: every journaled job
  std::map<std::string, std::string> journal_file_;  // by id: the file in jobs/ that holds it
  // Jobs with a file in checkpoints/ (found at start or written since; the writer thread
  // deletes those of committed jobs, which are not dispatched again).
  std::set<std::string> checkpoint_ids_;

  // Shared by rank 0's thread and the writer, under mutex_.
  mutable std::mutex mutex_;
  std::condition_variable writer_wake_, writer_idle_;
  std::deque<Staged> queue_;
  std::size_t queued_bytes_ = 0;
  bool commit_requested_ = false, stopping_ = false, writing_ = false;
  std::string writer_error_;  // the first write that failed; rethrown by commit()
  // Sealed segments and their rows, for commit() to merge into rows_ on rank 0's thread.
  std::vector<std::pair<std::string, std::map<std::string, IndexRow>>> committed_;
  double writer_cpu_seconds_ = 0;
  double journal_writer_cpu_seconds_ = 0;
  std::thread writer_;

  // The writer thread's own (and the constructor's, before it starts).
  std::unique_ptr<PngWriterThread> png_writer_;  // encodes and writes PNGs beside the writer
  // Either the writer processes write the open segment, one file each, or this thread does (no
  // processes asked for, or they failed: the rest of the run writes here).
  std::unique_ptr<JournalWriters> journal_writers_;
  std::vector<std::string> writer_segment_;  // per writer process: its open segment ("": none)
  std::size_t next_writer_ = 0;               // round robin
  std::unique_ptr<ResultFileWriter> segment_;
  std::string segment_name_;
  std::vector<Staged> segment_items_;  // in the open segment: kept to write it again
  std::map<std::string, IndexRow> segment_rows_;
  std::size_t segment_bytes_ = 0;
  long next_segment_ = 1;
  std::map<std::string, int> attempts_;
  std::ofstream attempts_log_;
  std::string created_utc_;
};

}  // namespace stylesweep
