#include "store/result_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "common/cpu_time.h"
#include "common/durable_file.h"
#include "common/error.h"
#include "common/text.h"
#include "store/job_group.h"
#include "store/png_writer_thread.h"
#include "store/results_file.h"

namespace stylesweep {

namespace fs = std::filesystem;

namespace {

// What a staged outcome adds to a segment, roughly: image, histories and HDF5's own overhead.
std::size_t staged_size(const JobOutcome& outcome) {
  const LossHistory& history = outcome.result.history;
  const std::size_t values = history.size() * (4 + history.style_layer_names.size());
  return std::size_t(outcome.result.image.width) * std::size_t(outcome.result.image.height) * 3 +
         values * sizeof(double) + 8192;
}

}  // namespace

ResultStore::ResultStore(StoreSettings settings, std::vector<std::string>* notes)
    : settings_(std::move(settings)), created_utc_(utc_now_iso()),
      attempts_(settings_.output_directory + "/attempts.log") {
  journal_.directory = settings_.output_directory + "/jobs";
  png_writer_ = std::make_unique<PngWriterThread>();
  // First: a writer that cannot start leaves nothing behind in the output directory.
  if (settings_.journal_writers > 0) {
    segment_writer_ = std::make_unique<ProcessSegmentWriter>(segment_writer_settings(), journal_,
                                                             settings_.journal_writer_program,
                                                             settings_.journal_writers);
  } else {
    segment_writer_ = std::make_unique<ThreadSegmentWriter>(segment_writer_settings(), journal_, *png_writer_);
  }
  for (const char* sub : {"", "/images", "/jobs", "/checkpoints"}) {
    std::error_code error;
    fs::create_directories(settings_.output_directory + sub, error);
    if (error) {
      throw file_error(settings_.output_directory + sub,
                       "cannot create output directory: " + error.message(), ErrorKind::kBadInput);
    }
  }
  registry_ = std::make_unique<RunRegistry>(settings_.output_directory, settings_.claim_timeout);
  journal_.run_id = registry_->self().run_id;
  remove_reserves_of_gone_runs();
  hold_reserve();
  checkpoints_ = std::make_unique<CheckpointFiles>(settings_.output_directory + "/checkpoints");
  try {
    // Under the lock: another run's publication never sees half of this recovery, nor this one
    // half of its.
    RunRegistry::PublicationLock lock(*registry_);
    refresh_journal(notes);
    if (auto created = adopt_results_file(results_path(), journal_, settings_.varying_keys, notes)) {
      created_utc_ = *created;
    }
  } catch (const Error&) {  // results of another normalization: the directory stays as it was
    release_reserve();
    throw;
  }
  files_at_start_ = journal_.loaded;
  writer_ = std::thread([this] { writer_loop(); });
}

ResultStore::~ResultStore() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    queue_.clear();  // never committed: those jobs run again, as after a kill
  }
  writer_wake_.notify_one();
  if (writer_.joinable()) writer_.join();
  segment_writer_.reset();  // a thread writer removes its temporary file; processes end
  png_writer_.reset();
  release_reserve();
  registry_.reset();  // claims of jobs not committed go back to the other runs
}

void ResultStore::refresh_journal(std::vector<std::string>* notes) {
  load_journal(journal_, settings_.varying_keys, notes,
               [this](const std::string& run_id) { return registry_->run_is_live(run_id); });
}

// A run killed with -9 leaves its reserve behind; the next run frees it.
void ResultStore::remove_reserves_of_gone_runs() const {
  const std::string prefix = ".space-reserve";
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(settings_.output_directory, ignored)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string owner = name.size() > prefix.size() + 1 ? name.substr(prefix.size() + 1) : "";
    if (owner.empty() || !registry_->run_is_live(owner)) fs::remove(entry.path(), ignored);
  }
}

JobClaim ResultStore::claim(const WorkItem& item) {
  // A record of an outcome this run started with was selected to run again (--rerun-failed);
  // one whose segment is gone (a deleted journal) runs again too.
  const auto stands = [this](const std::string& segment) {
    return !files_at_start_.count(segment) && ::access(journal_.path(segment).c_str(), F_OK) == 0;
  };
  const ClaimAttempt attempt = registry_->claim(item.id, stands);
  if (!attempt.finished_in.empty()) return {JobClaim::State::kFinishedElsewhere, ""};
  if (!attempt.taken) return {JobClaim::State::kHeldElsewhere, attempt.holder};
  if (attempt.took_over) {
    // Its run may have sealed the job and died before recording so in the claim.
    refresh_journal();
    const auto file = journal_.file_of.find(item.id);
    if (file != journal_.file_of.end() && !files_at_start_.count(file->second)) {
      registry_->finish({item.id}, file->second);
      return {JobClaim::State::kFinishedElsewhere, ""};
    }
  }
  return {};
}

SegmentWriterSettings ResultStore::segment_writer_settings() const {
  return {settings_.output_directory, settings_.weights_sha256, settings_.varying_keys};
}

void ResultStore::hold_reserve() const {
  const std::string path = reserve_file();
  const int descriptor = ::open(path.c_str(), O_WRONLY | O_CREAT, 0644);
  const int result = descriptor < 0 ? errno : ::posix_fallocate(descriptor, 0, kReserveBytes);
  if (descriptor >= 0) ::close(descriptor);
  if (result != 0) {
    ::unlink(path.c_str());
    throw io_error(path, fmt::format("cannot reserve {} MiB for the final results.h5: {}",
                                     kReserveBytes >> 20, std::strerror(result)));
  }
}

void ResultStore::release_reserve() const { ::unlink(reserve_file().c_str()); }

void ResultStore::store(const WorkItem& item, const JobOutcome& outcome) {
  const std::size_t size = staged_size(outcome);
  std::unique_lock<std::mutex> lock(mutex_);
  // Back-pressure: a writer far behind would otherwise hold every image in memory.
  writer_idle_.wait(lock, [&] { return queued_bytes_ + size <= kQueueBytes || queue_.empty(); });
  queue_.push_back({item, outcome, size});
  queued_bytes_ += size;
  writer_wake_.notify_one();
}

void ResultStore::commit() {
  std::unique_lock<std::mutex> lock(mutex_);
  commit_requested_ = true;
  writer_wake_.notify_one();
  writer_idle_.wait(lock, [&] { return queue_.empty() && !writing_ && !commit_requested_; });
  for (auto& [segment, rows] : committed_) journal_.remember(segment, std::move(rows));
  committed_.clear();
  if (!writer_error_.empty()) {
    const std::string error = std::move(writer_error_);
    writer_error_.clear();
    throw Error(error, ErrorKind::kIo);
  }
}

double ResultStore::writer_cpu_seconds() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return writer_cpu_seconds_;
}

double ResultStore::png_cpu_seconds() const { return png_writer_->cpu_seconds(); }

double ResultStore::journal_writer_cpu_seconds() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return journal_writer_cpu_seconds_;
}

void ResultStore::publish(bool standalone) {
  commit();
  try {
    // Serialized and from every run's segments: the last publication holds every job.
    RunRegistry::PublicationLock lock(*registry_);
    refresh_journal();
    write_results_file(results_path(), journal_.directory,
                       {settings_.config_text, settings_.config_path, created_utc_, settings_.weights_sha256,
                        settings_.weights_source, settings_.yardstick_weights, settings_.yardstick_weights_sha256},
                       journal_.rows, journal_.file_of, settings_.varying_keys, standalone);
  } catch (const Error&) {
    release_reserve();
    throw;
  }
}

void ResultStore::with_publication_lock(const std::function<void()>& work) {
  RunRegistry::PublicationLock lock(*registry_);
  work();
}

std::string ResultStore::image_file(const WorkItem& item) const {
  return settings_.output_directory + "/images/" + item.label + ".png";
}

void ResultStore::writer_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    writer_wake_.wait(lock, [&] { return stopping_ || commit_requested_ || !queue_.empty(); });
    if (queue_.empty() && !commit_requested_) return;  // stopping, nothing left to do
    const double cpu = thread_cpu_seconds();
    writing_ = true;
    if (!queue_.empty()) {
      Staged staged = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= staged.bytes;
      lock.unlock();
      append_to_segment(std::move(staged));
    } else {
      lock.unlock();
      finish_segment();
      lock.lock();
      commit_requested_ = false;
      lock.unlock();
    }
    lock.lock();
    writing_ = false;
    writer_cpu_seconds_ += thread_cpu_seconds() - cpu;
    writer_idle_.notify_all();
  }
}

void ResultStore::write_to_segment(const Staged& staged) {
  segment_writer_->write(staged.item, staged.outcome, staged.outcome.done ? image_file(staged.item) : "");
}

void ResultStore::append_to_segment(Staged staged) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!writer_error_.empty()) return;  // the run is stopping; this job runs again next time
  }
  segment_bytes_ += staged.bytes;
  segment_items_.push_back(std::move(staged));
  try {
    write_to_segment(segment_items_.back());
    if (segment_bytes_ >= kSegmentBytes) {
      seal_segment();
    } else {
      // Work waiting in buffers goes out once nothing more is queued.
      std::unique_lock<std::mutex> lock(mutex_);
      const bool more_queued = !queue_.empty();
      lock.unlock();
      if (!more_queued) segment_writer_->idle();
    }
  } catch (const std::exception& error) {  // nothing may escape the writer thread
    recover_segment_after(error);
  }
}

void ResultStore::finish_segment() {
  if (!segment_writer_->has_open_batch()) return;
  try {
    seal_segment();
  } catch (const std::exception& error) {
    recover_segment_after(error);
  }
}

void ResultStore::seal_segment() {
  std::vector<SealedSegment> sealed = segment_writer_->seal();
  // Writer processes send rows without histories; the staged outcomes hold them.
  std::map<std::string, const LossHistory*> history_of;
  for (const Staged& staged : segment_items_) history_of[staged.item.id] = &staged.outcome.result.history;
  for (auto& [name, rows] : sealed) {
    std::vector<std::string> ids;
    for (auto& [id, row] : rows) {
      const auto history = history_of.find(id);
      if (!row.history && history != history_of.end()) row.history = HistoryColumns::of(*history->second);
      checkpoints_->remove(id);  // committed: not dispatched again
      ids.push_back(id);
    }
    registry_->finish(ids, name);  // a run that claims them later learns where they are
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& segment : sealed) committed_.push_back(std::move(segment));
    journal_writer_cpu_seconds_ = std::max(journal_writer_cpu_seconds_, segment_writer_->process_cpu_seconds());
  }
  segment_items_.clear();
  segment_bytes_ = 0;
}

// Most likely a full disk. The reserve makes room to write the open segment again, so no
// finished job is lost; the error still stops the run. If even that fails, the segment's jobs
// run again next time.
void ResultStore::recover_segment_after(const std::exception& error) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (writer_error_.empty()) writer_error_ = error.what();
  }
  std::vector<Staged> items = std::move(segment_items_);
  discard_segment();
  // The rest of the run writes on this thread: a writer process that failed once (or is gone)
  // is not trusted with the batch again.
  segment_writer_ = std::make_unique<ThreadSegmentWriter>(segment_writer_settings(), journal_, *png_writer_);
  release_reserve();
  segment_items_ = std::move(items);
  try {
    for (const Staged& staged : segment_items_) write_to_segment(staged);
    seal_segment();
  } catch (const std::exception&) {
    discard_segment();
  }
}

void ResultStore::discard_segment() {
  segment_writer_->discard();
  for (const Staged& staged : segment_items_) {
    std::error_code ignored;
    fs::remove(temporary_path_for(image_file(staged.item)), ignored);
  }
  segment_items_.clear();
  segment_bytes_ = 0;
}

std::set<std::string> ResultStore::done_ids() const {
  std::set<std::string> ids;
  for (const auto& [id, row] : journal_.rows) {
    if (row.status == JobStatus::kDone) ids.insert(id);
  }
  return ids;
}

std::set<std::string> ResultStore::failed_ids() const {
  std::set<std::string> ids;
  for (const auto& [id, row] : journal_.rows) {
    if (row.status != JobStatus::kDone) ids.insert(id);
  }
  return ids;
}

void ResultStore::interrupted(const WorkItem& item, const JobOutcome& outcome) {
  if (!outcome.checkpoint.empty()) checkpoints_->save(item.id, outcome.checkpoint);
  attempts_.interrupted(item.id);
  registry_->release(item.id);  // another run may resume it from its checkpoint
}

std::optional<std::string> ResultStore::checkpoint(const std::string& id) const { return checkpoints_->load(id); }

std::optional<std::string> ResultStore::result_png(const std::string& id) {
  if (!journal_.file_of.count(id)) refresh_journal();
  const auto file = journal_.file_of.find(id);
  if (file == journal_.file_of.end()) return std::nullopt;
  try {
    const h5::File segment = h5::File::open_read_only(journal_.path(file->second));
    return encode_png(read_job_image(segment, "/jobs/" + id));
  } catch (const Error&) {
    return std::nullopt;  // the frame job fails naming the missing input
  }
}

}  // namespace stylesweep
