// One job's record in the result store: its /jobs/<id> group, as journal segments and results.h5
// hold it, and its line of results.h5's /index (job/index_row.h). Shared by the store and its
// journal-writer processes (store/journal_writers.h), which write groups and hand rows back.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "h5/h5_file.h"
#include "job/index_row.h"
#include "runner/messages.h"

namespace stylesweep {

// Writes the outcome as /jobs/<item.id>: the history-file layout plus the run's attributes, and
// the plan's texts of the varying parameters (attributes `varying` and `varying_values`), from
// which the index row is rebuilt when the journal is read again.
void write_outcome(h5::File& file, const WorkItem& item, const JobOutcome& outcome,
                   const std::string& weights_sha256, const std::vector<std::string>& varying_keys);
// The index row of an outcome write_outcome() just wrote into `file`, from memory: what
// read_index_row() reads back. Only an item that carries no plan texts (a test's, or a caller's
// without a plan) has its parameters read from the group's attributes.
IndexRow row_of_written(const h5::File& file, const WorkItem& item, const JobOutcome& outcome,
                        const std::vector<std::string>& varying_keys);

std::string encode(const std::map<std::string, IndexRow>& rows);
std::map<std::string, IndexRow> decode_index_rows(const std::string& bytes);

}  // namespace stylesweep
