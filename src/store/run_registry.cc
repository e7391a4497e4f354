#include "store/run_registry.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <fmt/format.h>

#include "common/durable_file.h"
#include "common/error.h"

namespace stylesweep {
namespace {

namespace fs = std::filesystem;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown-host";
  return name;
}

// Two containers may share a host name; a pid means the same process only in the same namespace.
std::string pid_namespace() {
  std::error_code ignored;
  return fs::read_symlink("/proc/self/ns/pid", ignored).string();
}

std::string owner_text(const RunOwner& owner, const std::string& finished_in) {
  std::string text = fmt::format("run {}\nhost {}\npid_namespace {}\npid {}\n", owner.run_id, owner.host,
                                 owner.pid_namespace, owner.pid);
  if (!finished_in.empty()) text += "done " + finished_in + "\n";
  return text;
}

bool is_owner_file_name(const std::string& name) {
  return !name.empty() && name[0] != '.' && name.find('.') == std::string::npos;
}

// Why link() to `path` failed, in the words of the store's other write failures ("disk full
// (0 KiB free on ...)") when the filesystem is full.
std::string link_failure(const std::string& path) {
  const int error = errno;
  return error == ENOSPC || error == EDQUOT ? write_failure_reason(path) : std::strerror(error);
}

long inode_of(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? long(info.st_ino) : -1;
}

void sleep_seconds(double seconds) {
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

}  // namespace

RunOwner this_process_owner() {
  RunOwner owner;
  owner.host = host_name();
  owner.pid_namespace = pid_namespace();
  owner.pid = long(::getpid());
  std::random_device random;
  owner.run_id = fmt::format("{}-{}-{:06x}", owner.host, owner.pid, random() & 0xffffffu);
  return owner;
}

bool read_claim_record(const std::string& path, ClaimRecord& record) {
  struct stat info {};
  std::ifstream in(path);
  if (!in || ::stat(path.c_str(), &info) != 0) return false;
  std::string key, value;
  record.owner = {};
  record.finished_in.clear();
  while (in >> key && std::getline(in >> std::ws, value)) {
    if (key == "run") record.owner.run_id = value;
    else if (key == "host") record.owner.host = value;
    else if (key == "pid_namespace") record.owner.pid_namespace = value;
    else if (key == "pid") record.owner.pid = std::atol(value.c_str());
    else if (key == "done") record.finished_in = value;
  }
  record.job_id = fs::path(path).filename().string();
  record.inode = long(info.st_ino);
  record.heartbeat_age_seconds = now_seconds() - (double(info.st_mtim.tv_sec) + 1e-9 * double(info.st_mtim.tv_nsec));
  return !record.owner.run_id.empty();
}

namespace {

// A killed process stays a zombie until its parent reaps it; in containers whose first process
// reaps lazily that takes seconds, and a zombie holds nothing.
bool is_zombie(long pid) {
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string line;
  if (!std::getline(stat, line)) return false;
  const std::size_t name_end = line.rfind(')');  // the command name may hold spaces and ')'
  return name_end != std::string::npos && name_end + 2 < line.size() && line[name_end + 2] == 'Z';
}

}  // namespace

bool owner_is_live(const ClaimRecord& record, const RunOwner& self, double timeout_seconds) {
  if (!record.finished_in.empty()) return false;  // a record of an outcome, not a running job
  if (record.heartbeat_age_seconds > timeout_seconds) return false;
  const RunOwner& owner = record.owner;
  if (owner.host != self.host || owner.pid_namespace != self.pid_namespace) return true;
  if (::kill(pid_t(owner.pid), 0) != 0 && errno != EPERM) return false;
  return !is_zombie(owner.pid);
}

RunRegistry::RunRegistry(std::string output_directory, double timeout_seconds)
    : directory_(std::move(output_directory)), timeout_(timeout_seconds), self_(this_process_owner()) {
  for (const char* sub : {"/runs", "/claims"}) {
    std::error_code error;
    fs::create_directories(directory_ + sub, error);
    if (error) throw file_error(directory_ + sub, "cannot create: " + error.message(), ErrorKind::kBadInput);
  }
  remove_dead_run_files();
  const std::string record = write_private_record(directory_ + "/runs", "run");
  if (std::rename(record.c_str(), run_path().c_str()) != 0) {
    throw io_error(run_path(), std::string("cannot register the run: ") + std::strerror(errno));
  }
  // Every claim of this run is a hard link to its run file: claiming is a single link(), and
  // the run's heartbeat is every claim's.
  run_inode_ = inode_of(run_path());
  heartbeat_ = std::thread([this] { heartbeat_loop(); });
}

RunRegistry::~RunRegistry() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_heartbeat_.notify_all();
  heartbeat_.join();
  std::vector<std::string> held;
  for (const auto& [id, marker] : claims_) held.push_back(id);
  for (const auto& id : held) release(id);
  ::unlink(run_path().c_str());
}

std::string RunRegistry::write_private_record(const std::string& directory, const std::string& tag,
                                              const std::string& finished_in) const {
  const std::string path = fmt::format("{}/.{}.{}.new", directory, tag, self_.run_id);
  std::ofstream out(path, std::ios::trunc);
  out << owner_text(self_, finished_in);
  out.close();
  if (!out) {
    ::unlink(path.c_str());
    throw io_error(path, "cannot write: " + write_failure_reason(path));
  }
  return path;
}

void RunRegistry::remove_dead_run_files() {
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(directory_ + "/runs", ignored)) {
    const std::string name = entry.path().filename().string();
    ClaimRecord record;
    if (!is_owner_file_name(name) || !read_claim_record(entry.path().string(), record)) continue;
    if (!owner_is_live(record, self_, timeout_)) fs::remove(entry.path(), ignored);
  }
}

ClaimAttempt RunRegistry::claim(const std::string& job_id, const FinishedRecordStands& stands) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (claims_.count(job_id)) return {true};
  const std::string path = claim_path(job_id);
  ClaimRecord held;
  for (int attempt = 0; attempt < 8; ++attempt) {
    if (::link(run_path().c_str(), path.c_str()) == 0) {
      claims_[job_id] = "";
      return {true};
    }
    if (errno != EEXIST) throw io_error(path, "cannot claim the job: " + link_failure(path));
    if (!read_claim_record(path, held)) continue;  // released meanwhile: try again
    const bool finished = !held.finished_in.empty();
    if (finished && stands && stands(held.finished_in)) return {false, false, "", held.finished_in};
    if (!finished && owner_is_live(held, self_, timeout_)) break;
    // Stale, or a record of an outcome to run again: exactly one run replaces it.
    std::string marker = try_take_over(path, held);
    if (!marker.empty()) {
      claims_[job_id] = std::move(marker);
      return {true, !finished};
    }
    break;  // another run took it over first
  }
  return {false, false, held.owner.run_id.empty() ? std::string("(unknown)") : held.owner.run_id};
}

std::string RunRegistry::try_take_over(const std::string& path, const ClaimRecord& stale) {
  const std::string marker = fmt::format("{}.takeover-{}-{}", path, stale.owner.run_id, stale.inode);
  if (::link(run_path().c_str(), marker.c_str()) != 0) return "";  // another run is taking over
  if (!link_over(run_path(), path)) {
    ::unlink(marker.c_str());
    return "";
  }
  return marker;
}

bool RunRegistry::link_over(const std::string& source, const std::string& path) const {
  const std::string replacement = path + ".new-" + self_.run_id;
  if (::link(source.c_str(), replacement.c_str()) == 0 && std::rename(replacement.c_str(), path.c_str()) == 0) {
    return true;
  }
  ::unlink(replacement.c_str());
  return false;
}

bool RunRegistry::still_ours(const std::string& job_id) const {
  // A run that was slow to beat may have been taken over: never touch the taker's claim.
  return inode_of(claim_path(job_id)) == run_inode_;
}

void RunRegistry::release(const std::string& job_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = claims_.find(job_id);
  if (found == claims_.end()) return;
  if (still_ours(job_id)) ::unlink(claim_path(job_id).c_str());
  if (!found->second.empty()) ::unlink(found->second.c_str());
  claims_.erase(found);
}

void RunRegistry::finish(const std::vector<std::string>& job_ids, const std::string& finished_in) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string record;  // one record for the segment, linked for each of its jobs
  try {
    record = write_private_record(directory_ + "/claims", "done", finished_in);
  } catch (const Error&) {
    record.clear();  // no records: later claims of these jobs find them in the journal
  }
  for (const std::string& job_id : job_ids) {
    auto found = claims_.find(job_id);
    if (found == claims_.end()) continue;
    if (still_ours(job_id) && (record.empty() || !link_over(record, claim_path(job_id)))) {
      ::unlink(claim_path(job_id).c_str());
    }
    if (!found->second.empty()) ::unlink(found->second.c_str());
    claims_.erase(found);
  }
  if (!record.empty()) ::unlink(record.c_str());
}

bool RunRegistry::holds(const std::string& job_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return claims_.count(job_id) > 0;
}

bool RunRegistry::run_is_live(const std::string& run_id) const {
  if (run_id == self_.run_id) return true;
  ClaimRecord record;
  return read_claim_record(directory_ + "/runs/" + run_id, record) && owner_is_live(record, self_, timeout_);
}

// Like a claim, the lock is a link to the run file: taking it writes no data, so it works on a
// full disk, where the store must still rebuild results.h5 after freeing its reserve.
void RunRegistry::acquire_lock() {
  const std::string path = lock_path();
  double wait = 0.001;
  std::string marker_held;
  while (true) {
    if (::link(run_path().c_str(), path.c_str()) == 0) break;
    if (errno != EEXIST) throw io_error(path, "cannot take the publication lock: " + link_failure(path));
    ClaimRecord held;
    if (read_claim_record(path, held) && !owner_is_live(held, self_, timeout_)) {
      // The marker is kept until release: a later taker of the same stale lock fails.
      marker_held = try_take_over(path, held);
      if (!marker_held.empty()) break;
    }
    sleep_seconds(wait);
    wait = std::min(wait * 2, 0.05);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  lock_marker_ = marker_held;
}

void RunRegistry::release_lock() {
  std::string marker;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    marker = std::move(lock_marker_);
  }
  if (inode_of(lock_path()) == run_inode_) ::unlink(lock_path().c_str());
  if (!marker.empty()) ::unlink(marker.c_str());
}

RunRegistry::PublicationLock::PublicationLock(RunRegistry& registry) : registry_(registry) { registry_.acquire_lock(); }

RunRegistry::PublicationLock::~PublicationLock() { registry_.release_lock(); }

void RunRegistry::heartbeat_loop() {
  const double interval = std::clamp(timeout_ / 4, 0.05, 30.0);
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    stop_heartbeat_.wait_for(lock, std::chrono::duration<double>(interval), [&] { return stopping_; });
    // The run file, and with it every claim and a held lock: links to it.
    if (!stopping_) ::utimensat(AT_FDCWD, run_path().c_str(), nullptr, 0);
  }
}

std::vector<LiveRun> list_live_runs(const std::string& output_directory, double timeout_seconds) {
  const RunOwner self = this_process_owner();
  std::map<std::string, LiveRun> runs;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(output_directory + "/runs", ignored)) {
    ClaimRecord record;
    if (!is_owner_file_name(entry.path().filename().string())) continue;
    if (read_claim_record(entry.path().string(), record) && owner_is_live(record, self, timeout_seconds)) {
      runs[record.owner.run_id].run = record;
    }
  }
  for (const auto& entry : fs::directory_iterator(output_directory + "/claims", ignored)) {
    ClaimRecord record;
    if (!is_owner_file_name(entry.path().filename().string())) continue;
    if (!read_claim_record(entry.path().string(), record) || !owner_is_live(record, self, timeout_seconds)) continue;  // gone, finished or stale
    auto run = runs.find(record.owner.run_id);
    if (run != runs.end()) run->second.job_ids.push_back(record.job_id);
  }
  std::vector<LiveRun> live;
  for (auto& [id, run] : runs) {
    std::sort(run.job_ids.begin(), run.job_ids.end());
    live.push_back(std::move(run));
  }
  return live;
}

}  // namespace stylesweep
