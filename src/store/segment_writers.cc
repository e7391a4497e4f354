#include "store/segment_writers.h"

#include <unistd.h>

#include "common/durable_file.h"
#include "common/error.h"
#include "store/journal_writers.h"
#include "store/png_writer_thread.h"
#include "store/results_file.h"

namespace stylesweep {

ThreadSegmentWriter::ThreadSegmentWriter(SegmentWriterSettings settings, Journal& journal,
                                         PngWriterThread& png_writer)
    : settings_(std::move(settings)), journal_(journal), png_writer_(png_writer) {}

ThreadSegmentWriter::~ThreadSegmentWriter() = default;

void ThreadSegmentWriter::write(const WorkItem& item, const JobOutcome& outcome, const std::string& image_file) {
  if (!image_file.empty()) png_writer_.write(image_file, outcome.result.image);
  if (!segment_) {
    segment_name_ = journal_.new_segment_name();
    segment_ = std::make_unique<ResultFileWriter>(journal_.path(segment_name_));
  }
  write_outcome(segment_->file(), item, outcome, settings_.weights_sha256, settings_.varying_keys);
  rows_[item.id] = row_of_written(segment_->file(), item, outcome, settings_.varying_keys);
}

// A journaled job has its PNG: the PNG thread is waited for and the images synced before the
// segment's rename makes them durable together.
std::vector<SealedSegment> ThreadSegmentWriter::seal() {
  const std::string png_failure = png_writer_.wait();
  if (!png_failure.empty()) throw Error(png_failure, ErrorKind::kIo);
  std::vector<SealedSegment> sealed;
  if (segment_) {
    sync_filesystem(settings_.output_directory + "/images");
    segment_->commit();
    sealed.emplace_back(segment_name_, std::move(rows_));
  }
  segment_.reset();
  rows_.clear();
  return sealed;
}

void ThreadSegmentWriter::discard() {
  png_writer_.wait();  // nothing half written is left behind; the failure is already known
  segment_.reset();    // removes its temporary file
  rows_.clear();
}

ProcessSegmentWriter::ProcessSegmentWriter(SegmentWriterSettings settings, Journal& journal,
                                           const std::string& program, int count)
    : settings_(std::move(settings)), journal_(journal),
      writers_(std::make_unique<JournalWriters>(program, count, settings_.weights_sha256, settings_.varying_keys)),
      open_segment_(std::size_t(count)) {}

ProcessSegmentWriter::~ProcessSegmentWriter() = default;

std::string ProcessSegmentWriter::temporary_segment(const std::string& name) const {
  return temporary_path_for(journal_.path(name));
}

void ProcessSegmentWriter::write(const WorkItem& item, const JobOutcome& outcome, const std::string& image_file) {
  const std::size_t writer = next_writer_++ % open_segment_.size();
  std::string& name = open_segment_[writer];
  if (name.empty()) name = journal_.new_segment_name();
  writers_->write(int(writer), temporary_segment(name), image_file, item, outcome);
}

void ProcessSegmentWriter::idle() { writers_->flush(); }

bool ProcessSegmentWriter::has_open_batch() const {
  for (const auto& name : open_segment_) {
    if (!name.empty()) return true;
  }
  return false;
}

// The writers close their files at once; one sync covers the PNGs and every segment file.
std::vector<SealedSegment> ProcessSegmentWriter::seal() {
  std::vector<int> open;
  for (std::size_t writer = 0; writer < open_segment_.size(); ++writer) {
    if (!open_segment_[writer].empty()) open.push_back(int(writer));
  }
  std::vector<SealedSegment> sealed;
  if (open.empty()) return sealed;
  std::vector<std::map<std::string, IndexRow>> rows = writers_->close(open);
  sync_filesystem(settings_.output_directory);
  for (std::size_t i = 0; i < open.size(); ++i) {
    std::string& name = open_segment_[std::size_t(open[i])];
    rename_into_place(temporary_segment(name), journal_.path(name));
    sealed.emplace_back(name, std::move(rows[i]));
    name.clear();
  }
  sync_filesystem(journal_.directory);  // the renames
  return sealed;
}

void ProcessSegmentWriter::discard() {
  for (std::string& name : open_segment_) {
    if (!name.empty()) ::unlink(temporary_segment(name).c_str());
    name.clear();
  }
}

double ProcessSegmentWriter::process_cpu_seconds() const { return writers_->busiest_cpu_seconds(); }

}  // namespace stylesweep
