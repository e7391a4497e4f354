// Who writes the open batch of the journal: the result store's writer thread itself, or
// journal-writer processes (store/journal_writers.h), behind one interface. Either writes each
// job's group into segment files under temporary names, and its PNG, unsynced; seal() makes the
// batch durable (one filesystem sync, then the segments renamed into place) and hands back each
// segment's name and index rows.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store/journal.h"
#include "store/journal_record.h"

namespace stylesweep {

class JournalWriters;
class PngWriterThread;
class ResultFileWriter;

using SealedSegment = std::pair<std::string, std::map<std::string, IndexRow>>;

class SegmentWriter {
 public:
  virtual ~SegmentWriter() = default;
  // Adds a job to the open batch; `image_file` ("" for none) receives its PNG.
  virtual void write(const WorkItem& item, const JobOutcome& outcome, const std::string& image_file) = 0;
  // Nothing more is queued for now: work that waits in buffers goes out.
  virtual void idle() {}
  virtual bool has_open_batch() const = 0;
  // Throws on failure; the batch is then incomplete and must be discard()ed.
  virtual std::vector<SealedSegment> seal() = 0;
  // Removes what the open batch wrote under temporary names (its PNGs are the store's to remove).
  virtual void discard() = 0;
  // CPU seconds of the busiest writer process, as of the last seal (0 for the thread).
  virtual double process_cpu_seconds() const { return 0; }
};

struct SegmentWriterSettings {
  std::string output_directory;  // holds jobs/ and images/
  std::string weights_sha256;
  std::vector<std::string> varying_keys;
};

// The store's thread writes the groups; `png_writer` (the store's) writes the PNGs beside it.
class ThreadSegmentWriter : public SegmentWriter {
 public:
  ThreadSegmentWriter(SegmentWriterSettings settings, Journal& journal, PngWriterThread& png_writer);
  ~ThreadSegmentWriter() override;
  void write(const WorkItem& item, const JobOutcome& outcome, const std::string& image_file) override;
  bool has_open_batch() const override { return segment_ != nullptr; }
  std::vector<SealedSegment> seal() override;
  void discard() override;

 private:
  SegmentWriterSettings settings_;
  Journal& journal_;  // names new segments
  PngWriterThread& png_writer_;
  std::unique_ptr<ResultFileWriter> segment_;
  std::string segment_name_;
  std::map<std::string, IndexRow> rows_;
};

// `count` stylesweep-journal-writer processes, each writing a segment file of its own; jobs go
// to them in turn.
class ProcessSegmentWriter : public SegmentWriter {
 public:
  // Throws Error naming `program` when a writer cannot start.
  ProcessSegmentWriter(SegmentWriterSettings settings, Journal& journal, const std::string& program, int count);
  ~ProcessSegmentWriter() override;
  void write(const WorkItem& item, const JobOutcome& outcome, const std::string& image_file) override;
  void idle() override;
  bool has_open_batch() const override;
  std::vector<SealedSegment> seal() override;
  void discard() override;
  double process_cpu_seconds() const override;

 private:
  std::string temporary_segment(const std::string& name) const;

  SegmentWriterSettings settings_;
  Journal& journal_;
  std::unique_ptr<JournalWriters> writers_;
  std::vector<std::string> open_segment_;  // per writer: its open segment's name ("": none)
  std::size_t next_writer_ = 0;           // round robin
};

}  // namespace stylesweep
