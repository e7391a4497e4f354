#include "runner/result_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include <fmt/format.h>

#include "common/durable_file.h"
#include "common/error.h"
#include "common/text.h"
#include "h5/h5_file.h"
#include "job/history_file.h"
#include "job/losses_name.h"

namespace stylesweep {

namespace fs = std::filesystem;

// Builds a results file under a temporary name; commit() puts it in place atomically.
class ResultFileWriter {
 public:
  explicit ResultFileWriter(const std::string& path)
      : path_(path), temporary_(temporary_path_for(path)), file_(h5::File::create(temporary_)) {}
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

// The entry of the returned image (see JobResult::result_evaluation), NaN when there is none.
double value_at(const std::vector<double>& values, std::int64_t index) {
  if (index < 0 || index >= std::int64_t(values.size())) return std::numeric_limits<double>::quiet_NaN();
  return values[std::size_t(index)];
}

// An attribute as text: strings as they are, lists joined by '+', numbers in shortest form.
std::string attribute_text(const h5::File& file, const std::string& group, const std::string& name) {
  if (!file.has_attribute(group, name)) return "";
  if (file.attribute_is_text(group, name)) return join(file.attribute_strings(group, name), "+");
  std::vector<std::string> parts;
  for (double value : file.attribute_doubles(group, name)) parts.push_back(fmt::format("{}", value));
  return join(parts, "+");
}

double attribute_number(const h5::File& file, const std::string& group, const std::string& name) {
  return file.has_attribute(group, name) ? file.attribute_double(group, name) : std::nan("");
}

IndexRow read_row(const h5::File& file, const std::string& id,
                  const std::vector<std::string>& varying_keys) {
  const std::string group = "/jobs/" + id;
  const LossHistory history = read_job_history(file, group);
  const std::int64_t result = file.has_attribute(group, "result_evaluation")
                                  ? file.attribute_int(group, "result_evaluation")
                                  : std::int64_t(history.size()) - 1;
  IndexRow row;
  row.id = id;
  row.label = attribute_text(file, group, "label");
  row.status = attribute_text(file, group, "status");
  row.error = attribute_text(file, group, "error");
  row.host = attribute_text(file, group, "host");
  row.loss_total = value_at(history.total, result);
  row.loss_content = value_at(history.content, result);
  row.loss_style = value_at(history.style, result);
  row.loss_tv = value_at(history.tv, result);
  row.evaluations = attribute_number(file, group, "evaluations");
  row.wall_seconds = attribute_number(file, group, "wall_seconds");
  row.attempts = attribute_number(file, group, "attempts");
  row.rank = attribute_number(file, group, "rank");
  for (const auto& key : varying_keys) row.parameters[key] = attribute_text(file, group, key);
  return row;
}

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

bool is_temporary(const fs::path& path) {
  return path.filename().string().find(".tmp-") != std::string::npos;
}

}  // namespace

ResultStore::ResultStore(StoreSettings settings, std::vector<std::string>* notes)
    : settings_(std::move(settings)), created_utc_(utc_now_iso()) {
  for (const char* sub : {"", "/images", "/jobs", "/checkpoints"}) {
    std::error_code error;
    fs::create_directories(settings_.output_directory + sub, error);
    if (error) {
      throw file_error(settings_.output_directory + sub,
                       "cannot create output directory: " + error.message());
    }
  }
  hold_reserve();
  load_journal(notes);
  adopt_results_file(notes);
  // "<id>" per start, "<id> interrupted" per drained start; a torn last line is ignored.
  std::ifstream log(settings_.output_directory + "/attempts.log");
  for (std::string line; std::getline(log, line);) {
    const std::string id = line.substr(0, 16);
    if (id.size() != 16) continue;
    if (line.size() == 16) ++attempts_[id];
    if (line == id + " interrupted") --attempts_[id];
  }
}

ResultStore::~ResultStore() { release_reserve(); }

void ResultStore::hold_reserve() const {
  const std::string path = reserve_file();
  const int descriptor = ::open(path.c_str(), O_WRONLY | O_CREAT, 0644);
  const int result = descriptor < 0 ? errno : ::posix_fallocate(descriptor, 0, kReserveBytes);
  if (descriptor >= 0) ::close(descriptor);
  if (result != 0) {
    ::unlink(path.c_str());
    throw file_error(path, fmt::format("cannot reserve {} MiB for the final results.h5: {}",
                                       kReserveBytes >> 20, std::strerror(result)));
  }
}

void ResultStore::release_reserve() const { ::unlink(reserve_file().c_str()); }

std::string ResultStore::job_file(const std::string& id) const {
  return settings_.output_directory + "/jobs/" + id + ".h5";
}

std::string ResultStore::checkpoint_file(const std::string& id) const {
  return settings_.output_directory + "/checkpoints/" + id + ".ckpt";
}

void ResultStore::load_journal(std::vector<std::string>* notes) {
  for (const auto& entry : fs::directory_iterator(settings_.output_directory + "/jobs")) {
    const fs::path path = entry.path();
    if (is_temporary(path)) {
      // Left by a writer that was killed before its rename: the job was never reported.
      fs::remove(path);
      continue;
    }
    if (path.extension() != ".h5") continue;
    const std::string id = path.stem().string();
    try {
      const h5::File file = h5::File::open_read_only(path.string());
      rows_[id] = read_row(file, id, settings_.varying_keys);
    } catch (const Error& error) {
      const std::string aside = path.string() + ".damaged";
      fs::rename(path, aside);
      if (notes) notes->push_back(fmt::format("unreadable job file moved to {} ({}); the job will run again", aside, error.what()));
    }
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
    if (file.has_attribute("/", "created_utc")) created_utc_ = file.attribute_string("/", "created_utc");
    if (!file.exists("/jobs")) return;
    std::size_t adopted = 0;
    for (const auto& id : file.list_group("/jobs")) {
      if (rows_.count(id)) continue;
      // Only results.h5 holds this job (its job file was deleted): put it back in the journal.
      ResultFileWriter writer(job_file(id));
      writer.file().copy_from(file, "/jobs/" + id, "/jobs/" + id);
      writer.commit();
      const h5::File copy = h5::File::open_read_only(job_file(id));
      rows_[id] = read_row(copy, id, settings_.varying_keys);
      ++adopted;
    }
    if (adopted && notes) notes->push_back(fmt::format("{} jobs found only in results.h5 were copied back to jobs/", adopted));
  } catch (const Error& error) {
    const std::string aside = path + ".damaged-" + utc_now_iso();
    fs::rename(path, aside);
    if (notes) {
      notes->push_back(fmt::format("results.h5 was unreadable ({}); moved it to {} and rebuilt it "
                                   "from the {} job files in jobs/",
                                   error.what(), aside, rows_.size()));
    }
  }
}

void ResultStore::store(const WorkItem& item, const JobOutcome& outcome) {
  try {
    store_unguarded(item, outcome);
  } catch (const Error&) {
    release_reserve();
    throw;
  }
}

void ResultStore::publish(bool standalone) {
  try {
    publish_unguarded(standalone);
  } catch (const Error&) {
    release_reserve();
    throw;
  }
}

void ResultStore::store_unguarded(const WorkItem& item, const JobOutcome& outcome) {
  // The image first: a job file that exists means the job is finished, PNG included.
  if (outcome.done) {
    const std::string png = settings_.output_directory + "/images/" + item.label + ".png";
    try {
      write_png(temporary_path_for(png), outcome.result.image);
      commit_file(temporary_path_for(png), png);
    } catch (const Error&) {
      std::error_code ignored;
      fs::remove(temporary_path_for(png), ignored);
      throw;
    }
  }
  {
    ResultFileWriter writer(job_file(item.id));
    h5::File& file = writer.file();
    const std::string group = "/jobs/" + item.id;
    write_job_group(file, group, item.job, settings_.weights_sha256, outcome.result);
    file.set_attribute(group, "label", item.label);
    file.set_attribute(group, "status", std::string(outcome.done ? "done" : "failed"));
    file.set_attribute(group, "error", outcome.error);
    file.set_attribute(group, "rank", std::int64_t(outcome.worker.rank));
    file.set_attribute(group, "host", outcome.worker.host);
    file.set_attribute(group, "device", outcome.worker.device);
    file.set_attribute(group, "attempts", std::int64_t(outcome.attempt));
    file.set_attribute(group, "finished_utc", utc_now_iso());
    writer.commit();
  }
  const h5::File written = h5::File::open_read_only(job_file(item.id));
  rows_[item.id] = read_row(written, item.id, settings_.varying_keys);
  std::error_code ignored;
  fs::remove(checkpoint_file(item.id), ignored);
}

void ResultStore::write_root_attributes(ResultFileWriter& writer) const {
  h5::File& file = writer.file();
  file.set_attribute("/", "format", std::string("stylesweep-results"));
  file.set_attribute("/", "format_version", std::int64_t{1});
  file.set_attribute("/", "config", settings_.config_text);
  file.set_attribute("/", "config_path", settings_.config_path);
  file.set_attribute("/", "tool_version", std::string(STYLESWEEP_VERSION));
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
  for (const auto& [id, row] : rows_) {
    const std::string group = "/jobs/" + id;
    if (standalone) {
      const h5::File source = h5::File::open_read_only(job_file(id));
      file.copy_from(source, group, group);
    } else {
      file.link_external(group, "jobs/" + id + ".h5", group);
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
  if (!outcome.checkpoint.empty()) write_file_durably(checkpoint_file(item.id), outcome.checkpoint);
  append_attempt_line(item.id + " interrupted");
}

std::optional<std::string> ResultStore::checkpoint(const std::string& id) const {
  std::ifstream in(checkpoint_file(id), std::ios::binary);
  if (!in) return std::nullopt;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace stylesweep
