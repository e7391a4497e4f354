// The journal, <output>/jobs/: segment files, each holding the /jobs/<id> groups of one committed
// batch. Several runs may write one journal at once, so a segment's name is unique to its writer
// and orders segments in time: segment-<microseconds since the epoch, 16 digits>-<run id>-<n>.h5
// (earlier versions wrote segment-<n>.h5 and one-job <id>.h5 files, which sort first). A job in a
// later file replaces the same job in an earlier one (a failed job run again), except that a
// done job is never replaced by a failure (two runs that both ran it after a takeover). Every
// finished job lives here; results.h5 is only a view of it (store/results_file.h).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/journal_record.h"

namespace stylesweep {

struct Journal {
  std::string directory;                        // <output>/jobs
  std::string run_id;                           // names this run's segments
  std::map<std::string, IndexRow> rows;         // by id: every journaled job
  std::map<std::string, std::string> file_of;  // by id: the file in `directory` that holds it
  std::set<std::string, std::less<>> loaded;    // files read or written, by name
  long next_segment = 1;                        // this run's segment counter

  std::string path(const std::string& file_name) const { return directory + "/" + file_name; }
  // Records that `file_name` holds these jobs.
  void remember(const std::string& file_name, std::map<std::string, IndexRow> file_rows);
  // The next segment's file name, reserved (thread-safe against itself only).
  std::string new_segment_name();
};

// The run id in a segment's name (or its temporary's); "" for names of earlier versions.
std::string segment_run_id(const std::string& file_name);

// Whether the run of that id is still writing; temporaries of live runs are left alone.
using RunIsLive = std::function<bool(const std::string& run_id)>;

// Reads the files of `journal.directory` not yet loaded, oldest first: a temporary left by a
// run that is gone is removed (its jobs were never reported), one of a live run left alone; an
// unreadable file is moved aside with a note in `notes`. Throws Error naming the file when it
// holds results of another loss normalization (job/losses_name.h), leaving everything as it was.
// Returns the names of the files it loaded.
std::vector<std::string> load_journal(Journal& journal, const std::vector<std::string>& varying_keys,
                                      std::vector<std::string>* notes, const RunIsLive& run_is_live);

// Copies the jobs that only `results_path` holds (journal files deleted) back into the journal
// as one segment; an unreadable results.h5 is moved aside (never deleted) with a note, and one of
// another normalization refused as load_journal does. Returns its created_utc, when it has one.
std::optional<std::string> adopt_results_file(const std::string& results_path, Journal& journal,
                                              const std::vector<std::string>& varying_keys,
                                              std::vector<std::string>* notes);

}  // namespace stylesweep
