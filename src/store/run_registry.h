// The runs that write one output directory at the same time, and which jobs each is running:
//   <output>/runs/<run id>     one file per live run: its id, host and pid; its mtime is the
//                              run's heartbeat
//   <output>/claims/<job id>   the claim of the run that is running the job: a hard link to the
//                              run's file, so it carries run id, host and pid, and its mtime is
//                              the heartbeat. Once the job's outcome is in
//                              the journal it becomes a record of that ("done <segment>"), so a
//                              run that claims the job later learns at once that it is finished
//   <output>/.publish.lock     held while a run rebuilds results.h5 (or reads the journal at
//                              start), so publications never interleave; a link to the run file
//                              of its holder, as a claim is
// Every change is one of the operations HPC filesystems make atomic, also across nodes on NFS
// and Lustre: a file created under a private name and then link()ed to the shared name (which
// fails if the name exists), and rename() within a directory. flock() is not used: Lustre
// refuses it unless mounted with -o flock, and NFS emulates it with byte-range locks.
// A claim (or lock) is stale when its heartbeat is older than the claim timeout, or when its
// process is gone and it was made on this host (same host name and pid namespace). A stale claim
// is taken over by exactly one run: the taker first links a marker
// <job id>.takeover-<old run>-<old inode>, which only one run can create, then renames its own
// claim over the old one. As a claim is a link to the run file, claiming costs one link() and
// the heartbeat one touch; a claim is still the run's while it is that inode. A thread touches
// the run file and a held lock every timeout / 4 (at most 30 s).
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace stylesweep {

// Who made a claim, a lock or a run file.
struct RunOwner {
  std::string run_id, host, pid_namespace;
  long pid = 0;
};

// This process: host name, pid namespace and pid; run_id "<host>-<pid>-<6 hex digits>".
RunOwner this_process_owner();

// A claim file's heartbeat and owner, as read from the directory.
struct ClaimRecord {
  std::string job_id;
  RunOwner owner;
  std::string finished_in;           // a finished job's record: where its outcome is; "" if running
  long inode = 0;                    // tells one claim of a run from a later one
  double heartbeat_age_seconds = 0;  // now minus the file's mtime
};

// Whether `record` belongs to a live process, seen from `self`.
bool owner_is_live(const ClaimRecord& record, const RunOwner& self, double timeout_seconds);

// The outcome of trying to claim a job.
struct ClaimAttempt {
  bool taken = false;
  bool took_over = false;    // taken from a run that is gone (it may have finished the job)
  std::string holder;        // not taken, running: the run id of the live run that holds it
  std::string finished_in;   // not taken, finished: where the outcome is
};

// Whether a finished job's record still stands (its outcome is where the record says), or is
// one to run again (a failure before this run with --rerun-failed, a deleted journal).
using FinishedRecordStands = std::function<bool(const std::string& finished_in)>;

class RunRegistry {
 public:
  static constexpr double kDefaultTimeoutSeconds = 120;

  // Registers this run in <output>/runs (creating runs/ and claims/), removes the run files of
  // runs that are no longer live and starts the heartbeat. Throws Error naming the directory.
  RunRegistry(std::string output_directory, double timeout_seconds = kDefaultTimeoutSeconds);
  // Releases every claim still held and removes the run file.
  ~RunRegistry();
  RunRegistry(const RunRegistry&) = delete;
  RunRegistry& operator=(const RunRegistry&) = delete;

  const RunOwner& self() const { return self_; }

  // Claims `job_id` for this run: free, already ours, stale (taken over), or finished with a
  // record that does not stand → taken. Thread-safe. Throws Error naming the claim file when
  // the directory cannot be written.
  ClaimAttempt claim(const std::string& job_id, const FinishedRecordStands& stands = {});
  // Gives the claim up (when this run holds it): the job may run again. Thread-safe, never throws.
  void release(const std::string& job_id);
  // Turns this run's claims of `job_ids` into records that their outcomes are in `finished_in`
  // (one record, linked for each). Thread-safe, never throws.
  void finish(const std::vector<std::string>& job_ids, const std::string& finished_in);
  bool holds(const std::string& job_id) const;

  // Whether the run `run_id` (of this output directory) is live: its run file is fresh.
  bool run_is_live(const std::string& run_id) const;

  // Holds <output>/.publish.lock for its lifetime, waiting for a live holder and taking over a
  // stale one.
  class PublicationLock {
   public:
    explicit PublicationLock(RunRegistry& registry);
    ~PublicationLock();
    PublicationLock(const PublicationLock&) = delete;
    PublicationLock& operator=(const PublicationLock&) = delete;

   private:
    RunRegistry& registry_;
  };

 private:
  std::string claim_path(const std::string& job_id) const { return directory_ + "/claims/" + job_id; }
  std::string lock_path() const { return directory_ + "/.publish.lock"; }
  std::string run_path() const { return directory_ + "/runs/" + self_.run_id; }
  // Writes this run's owner record under a private name in `directory` and returns its path.
  std::string write_private_record(const std::string& directory, const std::string& tag,
                                   const std::string& finished_in = "") const;
  // Links a marker for `stale` (fails if another run is taking over the same stale file), then
  // puts a link to this run's file over `path`; returns the marker ("" when it failed).
  std::string try_take_over(const std::string& path, const ClaimRecord& stale);
  // Puts a link to `source` over `path` (through a temporary name); false when it failed.
  bool link_over(const std::string& source, const std::string& path) const;
  bool still_ours(const std::string& job_id) const;
  void acquire_lock();
  void release_lock();
  void heartbeat_loop();
  void remove_dead_run_files();

  std::string directory_;
  double timeout_;
  RunOwner self_;
  long run_inode_ = -1;  // the run file's: claims and a held lock are links to it
  mutable std::mutex mutex_;
  std::condition_variable stop_heartbeat_;
  bool stopping_ = false;
  std::string lock_marker_;  // the takeover marker of a held lock ("" if none)
  std::map<std::string, std::string> claims_;  // held job id -> its takeover marker ("" if none)
  std::thread heartbeat_;
};

// Reads a claim, lock or run file; false when it is gone or unreadable.
bool read_claim_record(const std::string& path, ClaimRecord& record);

// The live runs writing `output_directory` and the jobs each holds, for `stylesweep status`.
struct LiveRun {
  ClaimRecord run;
  std::vector<std::string> job_ids;
};
std::vector<LiveRun> list_live_runs(const std::string& output_directory,
                                    double timeout_seconds = RunRegistry::kDefaultTimeoutSeconds);

}  // namespace stylesweep
