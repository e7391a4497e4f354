// The journal, <output>/jobs/: segment-<n>.h5 files, each holding the /jobs/<id> groups of one
// committed batch (and the one-job <id>.h5 files of earlier versions). A job in a later file
// replaces the same job in an earlier one (a failed job run again). Every finished job lives
// here; results.h5 is only a view of it (store/results_file.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/journal_record.h"

namespace stylesweep {

struct Journal {
  std::string directory;                        // <output>/jobs
  std::map<std::string, IndexRow> rows;         // by id: every journaled job
  std::map<std::string, std::string> file_of;  // by id: the file in `directory` that holds it
  long next_segment = 1;

  std::string path(const std::string& file_name) const { return directory + "/" + file_name; }
  // Records that `file_name` holds these jobs.
  void remember(const std::string& file_name, std::map<std::string, IndexRow> file_rows);
  // The next segment's file name, reserved.
  std::string new_segment_name();
};

// Reads every file of `journal.directory`: temporaries left by a killed writer are removed (their
// jobs were never reported), an unreadable file is moved aside with a note in `notes`. Throws
// Error naming the file when it holds results of another loss normalization (job/losses_name.h),
// leaving everything as it was.
void load_journal(Journal& journal, const std::vector<std::string>& varying_keys,
                  std::vector<std::string>* notes);

// Copies the jobs that only `results_path` holds (journal files deleted) back into the journal
// as one segment; an unreadable results.h5 is moved aside (never deleted) with a note, and one of
// another normalization refused as load_journal does. Returns its created_utc, when it has one.
std::optional<std::string> adopt_results_file(const std::string& results_path, Journal& journal,
                                              const std::vector<std::string>& varying_keys,
                                              std::vector<std::string>* notes);

}  // namespace stylesweep
