// The sweep's results, written by rank 0 alone, designed to survive a kill -9 at any moment.
//
// The journal (store/journal.h) is the record: <output>/jobs/segment-<n>.h5 files, each holding
// the final outcomes of a batch of jobs as /jobs/<id> groups. store() queues an outcome for the
// store's writer thread, which hands it to a SegmentWriter (store/segment_writers.h): the thread
// itself, with PNGs on a thread of their own, or journal-writer processes. commit() waits for
// them, makes the batch durable with one filesystem sync and renames its segments into place. A
// segment that exists is complete. One sync per batch instead of four fsyncs per job, written
// beside the message loop instead of in it, lets one coordinator store about two thousand small
// jobs a second (more with writer processes).
// results.h5 (store/results_file.h) is a view of the journal, replaced whole: external links
// during a run, real copies when it ends. At start the store reads the journal, copies into it
// any job that only results.h5 holds, moves an unreadable results.h5 aside (never deleting it),
// and refuses a journal or results.h5 of another loss normalization, leaving it as it is.
// Several runs may write one output directory at once (store/run_registry.h): each claims a job
// before it starts, segments are named per run, results.h5 is rebuilt under a lock from every
// run's segments, and a run's start leaves the temporaries of live runs alone.
// Each finished image is also <output>/images/<label>.png. Checkpoints of interrupted jobs wait
// in <output>/checkpoints (store/checkpoint_files.h); <output>/attempts.log counts starts across
// runs (store/attempts_log.h).
//
// A full disk: while a run is open the store holds <output>/.space-reserve-<run id> (kReserveBytes,
// allocated). When a write fails, commit() frees it, writes the staged batch again into the
// room it made and rethrows, so no finished job is lost and the final results.h5 (links to
// every segment written) still fits. Batches are cut at kSegmentBytes so that they fit too.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runner/coordinator.h"
#include "store/attempts_log.h"
#include "store/checkpoint_files.h"
#include "store/journal.h"
#include "store/journal_record.h"
#include "store/run_registry.h"
#include "store/segment_writers.h"

namespace stylesweep {

class PngWriterThread;  // store/png_writer_thread.h

struct StoreSettings {
  std::string output_directory;
  std::string config_text;
  std::string config_path;
  std::string weights_sha256;
  std::vector<std::string> varying_keys;
  std::string weights_source;  // the weights file's `source` attribute
  // Journal-writer processes (store/journal_writers.h) running `journal_writer_program`;
  // 0: the store's writer thread writes the segments itself.
  int journal_writers = 0;
  std::string journal_writer_program;
  // Seconds without a heartbeat after which another run's claim is taken over.
  double claim_timeout = RunRegistry::kDefaultTimeoutSeconds;
  // The network every job's metrics use (recorded as root attributes).
  std::string yardstick_weights, yardstick_weights_sha256;
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
  // Claims the job for this run; a job that another run stored since this run started is
  // finished elsewhere.
  JobClaim claim(const WorkItem& item) override;
  const RunOwner& run() const { return registry_->self(); }
  void interrupted(const WorkItem& item, const JobOutcome& outcome) override;
  std::optional<std::string> checkpoint(const std::string& id) const override;
  // From the journal segment that holds the job, read again when another run stored it since.
  std::optional<std::string> result_png(const std::string& id) override;
  void publish() override { publish(false); }
  // Runs `work` while no other run publishes: for writers of results.h5 beside the store.
  void with_publication_lock(const std::function<void()>& work);
  // Commits, then rebuilds results.h5 from the journal; `standalone` copies the jobs instead of
  // linking them.
  void publish(bool standalone);

  std::set<std::string> done_ids() const;
  std::set<std::string> failed_ids() const;
  std::string results_path() const { return settings_.output_directory + "/results.h5"; }

  // Starts per job across runs that did not end in an interruption (attempts.log).
  int attempts(const std::string& id) const { return attempts_.attempts(id); }
  void record_attempt(const std::string& id) { attempts_.started(id); }

 private:
  struct Staged {
    WorkItem item;
    JobOutcome outcome;
    std::size_t bytes = 0;  // roughly what it adds to a segment (images, histories, overhead)
  };
  std::string image_file(const WorkItem& item) const;
  SegmentWriterSettings segment_writer_settings() const;
  std::string reserve_file() const { return settings_.output_directory + "/.space-reserve-" + run().run_id; }
  void remove_reserves_of_gone_runs() const;
  // Reads the segments other runs have sealed since the last look.
  void refresh_journal(std::vector<std::string>* notes = nullptr);
  void hold_reserve() const;
  void release_reserve() const;
  // The writer thread's side: everything below it touches only the open batch's state.
  void writer_loop();
  void append_to_segment(Staged staged);
  void write_to_segment(const Staged& staged);  // its PNG and its group, unsynced
  void finish_segment();                        // seals it; recovers from a failure
  void seal_segment();                          // sync, rename, hand the rows over; throws
  void recover_segment_after(const std::exception& error);
  void discard_segment();

  StoreSettings settings_;
  Journal journal_;  // rows and files on rank 0's thread; new segment names on the writer's
  std::set<std::string, std::less<>> files_at_start_;  // the journal's files when this run started
  std::unique_ptr<RunRegistry> registry_;
  std::string created_utc_;
  std::unique_ptr<CheckpointFiles> checkpoints_;
  AttemptsLog attempts_;

  // Shared by rank 0's thread and the writer, under mutex_.
  mutable std::mutex mutex_;
  std::condition_variable writer_wake_, writer_idle_;
  std::deque<Staged> queue_;
  std::size_t queued_bytes_ = 0;
  bool commit_requested_ = false, stopping_ = false, writing_ = false;
  std::string writer_error_;  // the first write that failed; rethrown by commit()
  // Sealed segments and their rows, for commit() to merge into the journal on rank 0's thread.
  std::vector<SealedSegment> committed_;
  double writer_cpu_seconds_ = 0;
  double journal_writer_cpu_seconds_ = 0;
  std::thread writer_;

  // The writer thread's own (and the constructor's, before it starts).
  std::unique_ptr<PngWriterThread> png_writer_;  // encodes and writes PNGs beside the writer
  // The writer processes, or this thread (none asked for, or they failed: the rest of the run
  // writes here).
  std::unique_ptr<SegmentWriter> segment_writer_;
  std::vector<Staged> segment_items_;  // in the open batch: kept to write it again
  std::size_t segment_bytes_ = 0;
};

}  // namespace stylesweep
