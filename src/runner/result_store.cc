#include "runner/result_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include <fmt/format.h>

#include "common/cpu_time.h"
#include "common/durable_file.h"
#include "common/error.h"
#include "common/text.h"
#include "common/version.h"
#include "h5/h5_file.h"
#include "job/history_file.h"
#include "job/losses_name.h"
#include "runner/journal_record.h"
#include "runner/journal_writers.h"
#include "runner/png_writer_thread.h"

namespace stylesweep {

namespace fs = std::filesystem;

// Builds a results file under a temporary name; commit() puts it in place atomically.
class ResultFileWriter {
 public:
  explicit ResultFileWriter(const std::string& path)
      : path_(path), temporary_(temporary_path_for(path)),
        file_(h5::File::create(temporary_, h5::File::SmallDatasets::kCompact)) {}
  ~ResultFileWriter() {
    if (!committed_) {
      file_.close();
      std::error_code ignored;
      fs::remove(temporary_, ignored);
    }
  }
  h5::File& file() { return file_; }
  void commit() {
    file_.flush();  // a full disk shows here; close() cannot report it
    file_.close();
    commit_file(temporary_, path_);
    committed_ = true;
  }

 private:
  std::string path_, temporary_;
  h5::File file_;
  bool committed_ = false;
};

namespace {

void write_index(h5::File& file, const std::map<std::string, IndexRow>& rows,
                 const std::vector<std::string>& varying_keys) {
  file.create_group("/index");
  const hsize_t count = rows.size();
  std::vector<std::string> columns;
  auto text_column = [&](const std::string& name, auto field) {
    std::vector<std::string> values;
    for (const auto& [id, row] : rows) values.push_back(field(row));
    file.write_strings("/index/" + name, values);
    columns.push_back(name);
  };
  auto number_column = [&](const std::string& name, auto field) {
    std::vector<double> values;
    for (const auto& [id, row] : rows) values.push_back(field(row));
    file.write_float64("/index/" + name, {count}, values.data());
    columns.push_back(name);
  };
  text_column("id", [](const IndexRow& r) { return r.id; });
  text_column("label", [](const IndexRow& r) { return r.label; });
  text_column("status", [](const IndexRow& r) { return r.status; });
  text_column("error", [](const IndexRow& r) { return r.error; });
  text_column("host", [](const IndexRow& r) { return r.host; });
  number_column("loss_total", [](const IndexRow& r) { return r.loss_total; });
  number_column("loss_content", [](const IndexRow& r) { return r.loss_content; });
  number_column("loss_style", [](const IndexRow& r) { return r.loss_style; });
  number_column("loss_tv", [](const IndexRow& r) { return r.loss_tv; });
  number_column("evaluations", [](const IndexRow& r) { return r.evaluations; });
  number_column("wall_seconds", [](const IndexRow& r) { return r.wall_seconds; });
  number_column("attempts", [](const IndexRow& r) { return r.attempts; });
  number_column("rank", [](const IndexRow& r) { return r.rank; });
  for (const auto& key : varying_keys) {
    if (std::find(columns.begin(), columns.end(), key) != columns.end()) continue;
    // Numeric parameters stay numbers, so pandas can sort and plot them.
    std::vector<double> numbers;
    bool numeric = count > 0;
    for (const auto& [id, row] : rows) {
      const auto found = row.parameters.find(key);
      const std::string text = found == row.parameters.end() ? "" : found->second;
      try {
        std::size_t used = 0;
        numbers.push_back(std::stod(text, &used));
        numeric = numeric && used == text.size();
      } catch (const std::exception&) {
        numeric = false;
      }
    }
    if (numeric) {
      file.write_float64("/index/" + key, {count}, numbers.data());
      columns.push_back(key);
    } else {
      text_column(key, [&key](const IndexRow& r) {
        const auto found = r.parameters.find(key);
        return found == r.parameters.end() ? std::string() : found->second;
      });
    }
  }
  file.set_attribute("/index", "columns", columns);
  file.set_attribute("/index", "varying", varying_keys);
}

// Results of an earlier version's loss: refused whole, so one results.h5 never mixes two losses.
class OtherNormalization : public Error {
 public:
  OtherNormalization(const std::string& path, const std::string& normalization, std::size_t jobs)
      : Error(file_error(path, fmt::format(
                                   "holds {} job{} computed with the '{}' style normalization of "
                                   "an earlier version; this version computes '{}' (Gram "
                                   "matrices per position) and never mixes the two in one "
                                   "results.h5: use another output directory, or move this "
                                   "one's results away",
                                   jobs, jobs == 1 ? "" : "s", normalization, kNormalizationName))
                  .what()) {}
};

void refuse_other_normalization(const std::string& path, const std::string& normalization,
                                std::size_t jobs) {
  if (normalization != kNormalizationName) throw OtherNormalization(path, normalization, jobs);
}

// A job group's normalization; groups of the earliest versions all used the paper's.
std::string job_normalization(const h5::File& file, const std::string& group) {
  return file.has_attribute(group, "normalization") ? file.attribute_string(group, "normalization")
                                                    : kEarlierNormalizationName;
}

bool is_temporary(const fs::path& path) {
  return path.filename().string().find(".tmp-") != std::string::npos;
}

constexpr const char* kSegmentPrefix = "segment-";

std::string segment_name(long number) { return fmt::format("{}{:08d}.h5", kSegmentPrefix, number); }

// The segment's number; 0 for a one-job file of an earlier version's journal, so those load first.
long segment_number(const std::string& file_name) {
  if (file_name.rfind(kSegmentPrefix, 0) != 0) return 0;
  try {
    return std::stol(file_name.substr(std::strlen(kSegmentPrefix)));
  } catch (const std::exception&) {
    return 0;
  }
}

// What a staged outcome adds to a segment, roughly: image, histories and HDF5's own overhead.
std::size_t staged_size(const JobOutcome& outcome) {
  const LossHistory& history = outcome.result.history;
  const std::size_t values = history.size() * (4 + history.style_layer_names.size());
  return std::size_t(outcome.result.image.width) * std::size_t(outcome.result.image.height) * 3 +
         values * sizeof(double) + 8192;
}

}  // namespace

ResultStore::ResultStore(StoreSettings settings, std::vector<std::string>* notes)
    : settings_(std::move(settings)), created_utc_(utc_now_iso()) {
  // First: a writer that cannot start leaves nothing behind in the output directory.
  if (settings_.journal_writers > 0) {
    journal_writers_ = std::make_unique<JournalWriters>(settings_.journal_writer_program,
                                                        settings_.journal_writers,
                                                        settings_.weights_sha256, settings_.varying_keys);
    writer_segment_.assign(std::size_t(settings_.journal_writers), "");
  }
  for (const char* sub : {"", "/images", "/jobs", "/checkpoints"}) {
    std::error_code error;
    fs::create_directories(settings_.output_directory + sub, error);
    if (error) {
      throw file_error(settings_.output_directory + sub,
                       "cannot create output directory: " + error.message());
    }
  }
  hold_reserve();
  for (const auto& entry : fs::directory_iterator(settings_.output_directory + "/checkpoints")) {
    if (entry.path().extension() == ".ckpt") checkpoint_ids_.insert(entry.path().stem().string());
  }
  try {
    load_journal(notes);
    adopt_results_file(notes);
  } catch (const Error&) {  // results of another normalization: the directory stays as it was
    release_reserve();
    throw;
  }
  // "<id>" per start, "<id> interrupted" per drained start; a torn last line is ignored.
  std::ifstream log(settings_.output_directory + "/attempts.log");
  for (std::string line; std::getline(log, line);) {
    const std::string id = line.substr(0, 16);
    if (id.size() != 16) continue;
    if (line.size() == 16) ++attempts_[id];
    if (line == id + " interrupted") --attempts_[id];
  }
  png_writer_ = std::make_unique<PngWriterThread>();
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
  png_writer_.reset();
  journal_writers_.reset();
  segment_.reset();
  release_reserve();
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

std::string ResultStore::checkpoint_file(const std::string& id) const {
  return settings_.output_directory + "/checkpoints/" + id + ".ckpt";
}

std::string ResultStore::journal_path(const std::string& file_name) const {
  return settings_.output_directory + "/jobs/" + file_name;
}

void ResultStore::load_journal(std::vector<std::string>* notes) {
  std::vector<std::pair<long, std::string>> files;  // (segment number, name): oldest first
  for (const auto& entry : fs::directory_iterator(settings_.output_directory + "/jobs")) {
    const fs::path path = entry.path();
    if (is_temporary(path)) {
      // Left by a writer that was killed before its rename: its jobs were never reported.
      fs::remove(path);
      continue;
    }
    if (path.extension() != ".h5") continue;
    const std::string name = path.filename().string();
    files.emplace_back(segment_number(name), name);
  }
  std::sort(files.begin(), files.end());
  for (const auto& [number, name] : files) {
    load_journal_file(name, notes);
    next_segment_ = std::max(next_segment_, number + 1);
  }
}

void ResultStore::load_journal_file(const std::string& file_name, std::vector<std::string>* notes) {
  const std::string path = journal_path(file_name);
  std::map<std::string, IndexRow> rows;
  std::string normalization = kNormalizationName;
  try {
    const h5::File file = h5::File::open_read_only(path);
    if (file.exists("/jobs")) {
      for (const auto& id : file.list_group("/jobs")) rows[id] = read_row(file, id, settings_.varying_keys);
      // One process of one version wrote the file: its first job speaks for all.
      if (!rows.empty()) normalization = job_normalization(file, "/jobs/" + rows.begin()->first);
    }
  } catch (const Error& error) {
    const std::string aside = path + ".damaged";
    fs::rename(path, aside);
    if (notes) {
      notes->push_back(fmt::format("unreadable journal file moved to {} ({}); its jobs will run again",
                                   aside, error.what()));
    }
    return;
  }
  refuse_other_normalization(path, normalization, rows.size());
  remember_journaled(file_name, std::move(rows));
}

void ResultStore::remember_journaled(const std::string& file_name, std::map<std::string, IndexRow> rows) {
  for (auto& [id, row] : rows) {
    rows_[id] = std::move(row);
    journal_file_[id] = file_name;
  }
}

void ResultStore::adopt_results_file(std::vector<std::string>* notes) {
  const std::string path = results_path();
  if (!fs::exists(path)) return;
  try {
    const h5::File file = h5::File::open_read_only(path);
    if (!file.has_attribute("/", "format") || file.attribute_string("/", "format") != "stylesweep-results") {
      throw file_error(path, "not a stylesweep results file");
    }
    if (file.has_attribute("/", "normalization")) {
      const std::string normalization = file.attribute_string("/", "normalization");
      if (normalization != kNormalizationName) {
        throw OtherNormalization(path, normalization,
                                 file.exists("/jobs") ? file.list_group("/jobs").size() : 0);
      }
    }
    if (file.has_attribute("/", "created_utc")) created_utc_ = file.attribute_string("/", "created_utc");
    if (!file.exists("/jobs")) return;
    std::vector<std::string> missing;  // only results.h5 holds them (journal files deleted)
    for (const auto& id : file.list_group("/jobs")) {
      if (!rows_.count(id)) missing.push_back(id);
    }
    if (missing.empty()) return;
    // Put them back in the journal, as one segment.
    const std::string name = segment_name(next_segment_);
    std::map<std::string, IndexRow> rows;
    {
      ResultFileWriter writer(journal_path(name));
      for (const auto& id : missing) {
        writer.file().copy_from(file, "/jobs/" + id, "/jobs/" + id);
        rows[id] = read_row(writer.file(), id, settings_.varying_keys);
      }
      writer.commit();
    }
    ++next_segment_;
    remember_journaled(name, std::move(rows));
    if (notes) notes->push_back(fmt::format("{} jobs found only in results.h5 were copied back to jobs/", missing.size()));
  } catch (const OtherNormalization&) {
    throw;  // intact results of another loss: never moved aside as damaged
  } catch (const Error& error) {
    const std::string aside = path + ".damaged-" + utc_now_iso();
    fs::rename(path, aside);
    if (notes) {
      notes->push_back(fmt::format("results.h5 was unreadable ({}); moved it to {} and rebuilt it "
                                   "from the {} jobs in the journal (jobs/)",
                                   error.what(), aside, rows_.size()));
    }
  }
}

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
  for (auto& [segment, rows] : committed_) remember_journaled(segment, std::move(rows));
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
    publish_unguarded(standalone);
  } catch (const Error&) {
    release_reserve();
    throw;
  }
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

// A journaled job has its PNG: seal_segment() waits for the PNG thread (or the writer processes,
// which write their jobs' PNGs themselves) and syncs the filesystem before the segment's rename
// makes them durable together.
void ResultStore::write_to_segment(const Staged& staged) {
  const std::string image = staged.outcome.done ? image_file(staged.item) : "";
  if (journal_writers_) {
    const std::size_t writer = next_writer_++ % writer_segment_.size();
    std::string& name = writer_segment_[writer];
    if (name.empty()) name = segment_name(next_segment_++);
    journal_writers_->write(int(writer), temporary_path_for(journal_path(name)), image, staged.item,
                            staged.outcome);
    return;
  }
  if (!image.empty()) png_writer_->write(image, staged.outcome.result.image);
  if (!segment_) {
    segment_name_ = segment_name(next_segment_++);
    segment_ = std::make_unique<ResultFileWriter>(journal_path(segment_name_));
  }
  write_outcome(segment_->file(), staged.item, staged.outcome, settings_.weights_sha256);
  segment_rows_[staged.item.id] =
      row_of_written(segment_->file(), staged.item, staged.outcome, settings_.varying_keys);
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
    } else if (journal_writers_) {
      // Outcomes go to the writers in bursts while more are queued, at once when none is.
      std::unique_lock<std::mutex> lock(mutex_);
      const bool more_queued = !queue_.empty();
      lock.unlock();
      if (!more_queued) journal_writers_->flush();
    }
  } catch (const std::exception& error) {  // nothing may escape the writer thread
    recover_segment_after(error);
  }
}

bool ResultStore::segment_open() const {
  return segment_ || std::any_of(writer_segment_.begin(), writer_segment_.end(),
                                 [](const std::string& name) { return !name.empty(); });
}

void ResultStore::finish_segment() {
  if (!segment_open()) return;
  try {
    seal_segment();
  } catch (const std::exception& error) {
    recover_segment_after(error);
  }
}

void ResultStore::seal_segment() {
  const std::string png_failure = png_writer_->wait();
  if (!png_failure.empty()) throw Error(png_failure, ErrorKind::kIo);
  std::vector<std::pair<std::string, std::map<std::string, IndexRow>>> sealed;
  if (segment_) {
    sync_filesystem(settings_.output_directory + "/images");
    segment_->commit();
    sealed.emplace_back(segment_name_, std::move(segment_rows_));
  } else {
    sealed = seal_writer_segments();
  }
  for (const auto& [name, rows] : sealed) {
    for (const auto& [id, row] : rows) {
      std::error_code ignored;
      fs::remove(checkpoint_file(id), ignored);
    }
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& segment : sealed) committed_.push_back(std::move(segment));
    if (journal_writers_) journal_writer_cpu_seconds_ = journal_writers_->busiest_cpu_seconds();
  }
  segment_.reset();
  segment_items_.clear();
  segment_rows_.clear();
  segment_bytes_ = 0;
}

std::vector<std::pair<std::string, std::map<std::string, IndexRow>>> ResultStore::seal_writer_segments() {
  std::vector<int> writers;
  for (std::size_t writer = 0; writer < writer_segment_.size(); ++writer) {
    if (!writer_segment_[writer].empty()) writers.push_back(int(writer));
  }
  std::vector<std::map<std::string, IndexRow>> rows = journal_writers_->close(writers);
  sync_filesystem(settings_.output_directory);  // the PNGs and every segment file at once
  std::vector<std::pair<std::string, std::map<std::string, IndexRow>>> sealed;
  for (std::size_t i = 0; i < writers.size(); ++i) {
    std::string& name = writer_segment_[std::size_t(writers[i])];
    rename_into_place(temporary_path_for(journal_path(name)), journal_path(name));
    sealed.emplace_back(name, std::move(rows[i]));
    name.clear();
  }
  sync_filesystem(journal_path(""));  // the renames
  return sealed;
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
  // The rest of the run writes on this thread: a writer process that failed once (or is gone)
  // is not trusted with the batch again.
  journal_writers_.reset();
  discard_segment();
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
  png_writer_->wait();  // nothing half written is left behind; the failure is already known
  segment_.reset();     // removes its temporary file
  for (std::string& name : writer_segment_) {
    if (!name.empty()) ::unlink(temporary_path_for(journal_path(name)).c_str());
    name.clear();
  }
  for (const Staged& staged : segment_items_) {
    std::error_code ignored;
    fs::remove(temporary_path_for(image_file(staged.item)), ignored);
  }
  segment_items_.clear();
  segment_rows_.clear();
  segment_bytes_ = 0;
}

void ResultStore::write_root_attributes(ResultFileWriter& writer) const {
  h5::File& file = writer.file();
  file.set_attribute("/", "format", std::string("stylesweep-results"));
  file.set_attribute("/", "format_version", std::int64_t{1});
  file.set_attribute("/", "config", settings_.config_text);
  file.set_attribute("/", "config_path", settings_.config_path);
  file.set_attribute("/", "tool_version", std::string(version()));
  file.set_attribute("/", "created_utc", created_utc_);
  file.set_attribute("/", "weights_sha256", settings_.weights_sha256);
  file.set_attribute("/", "weights_source", settings_.weights_source);
  file.set_attribute("/", "normalization", std::string(kNormalizationName));
}

void ResultStore::publish_unguarded(bool standalone) {
  ResultFileWriter writer(results_path());
  write_root_attributes(writer);
  h5::File& file = writer.file();
  file.create_group("/jobs");
  if (standalone) {
    std::map<std::string, std::vector<std::string>> ids_by_file;  // each segment opened once
    for (const auto& [id, journal] : journal_file_) ids_by_file[journal].push_back(id);
    for (const auto& [journal, ids] : ids_by_file) {
      const h5::File source = h5::File::open_read_only(journal_path(journal));
      for (const auto& id : ids) file.copy_from(source, "/jobs/" + id, "/jobs/" + id);
    }
  } else {
    for (const auto& [id, journal] : journal_file_) {
      file.link_external("/jobs/" + id, "jobs/" + journal, "/jobs/" + id);
    }
  }
  write_index(file, rows_, settings_.varying_keys);
  writer.commit();
}

std::set<std::string> ResultStore::done_ids() const {
  std::set<std::string> ids;
  for (const auto& [id, row] : rows_) {
    if (row.status == "done") ids.insert(id);
  }
  return ids;
}

std::set<std::string> ResultStore::failed_ids() const {
  std::set<std::string> ids;
  for (const auto& [id, row] : rows_) {
    if (row.status != "done") ids.insert(id);
  }
  return ids;
}

int ResultStore::attempts(const std::string& id) const {
  auto found = attempts_.find(id);
  return found == attempts_.end() ? 0 : found->second;
}

void ResultStore::append_attempt_line(const std::string& line) {
  // Kept open: a sweep of small jobs starts many per second.
  if (!attempts_log_.is_open()) {
    attempts_log_.open(settings_.output_directory + "/attempts.log", std::ios::app);
  }
  attempts_log_ << line << '\n';
  attempts_log_.flush();
}

void ResultStore::record_attempt(const std::string& id) {
  ++attempts_[id];
  append_attempt_line(id);
}

void ResultStore::interrupted(const WorkItem& item, const JobOutcome& outcome) {
  if (!outcome.checkpoint.empty()) {
    write_file_durably(checkpoint_file(item.id), outcome.checkpoint);
    checkpoint_ids_.insert(item.id);
  }
  append_attempt_line(item.id + " interrupted");
}

std::optional<std::string> ResultStore::checkpoint(const std::string& id) const {
  if (!checkpoint_ids_.count(id)) return std::nullopt;  // most jobs: no file to try opening
  std::ifstream in(checkpoint_file(id), std::ios::binary);
  if (!in) return std::nullopt;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace stylesweep
