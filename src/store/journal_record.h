// One job's record in the result store: its /jobs/<id> group, as journal segments and results.h5
// hold it, and its line of results.h5's /index. Shared by the store and its journal-writer
// processes (store/journal_writers.h), which write groups and hand rows back.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "h5/h5_file.h"
#include "runner/messages.h"

namespace stylesweep {

// One job's line of /index.
struct IndexRow {
  std::string id, label, status, error, host;
  double loss_total = 0, loss_content = 0, loss_style = 0, loss_tv = 0;
  double evaluations = 0, wall_seconds = 0, attempts = 0, rank = 0;
  std::map<std::string, std::string> parameters;  // varying parameter -> value as text
};

// The fixed columns of /index, in their order, each a text or a number of IndexRow; the varying
// parameters follow them. results.h5's writer and the rows' wire encoding walk this table.
struct IndexColumn {
  const char* name;
  std::string IndexRow::*text = nullptr;  // set for text columns
  double IndexRow::*number = nullptr;     // set for number columns
};
const std::vector<IndexColumn>& index_columns();

// Writes the outcome as /jobs/<item.id>: the history-file layout plus the run's attributes.
void write_outcome(h5::File& file, const WorkItem& item, const JobOutcome& outcome,
                   const std::string& weights_sha256);
// The index row of a group in `file`.
IndexRow read_row(const h5::File& file, const std::string& id,
                  const std::vector<std::string>& varying_keys);
// read_row() of an outcome write_outcome() just wrote, without reading back what is in memory:
// only the varying parameters come from the file, formatted as read_row formats them.
IndexRow row_of_written(const h5::File& file, const WorkItem& item, const JobOutcome& outcome,
                        const std::vector<std::string>& varying_keys);

std::string encode(const std::map<std::string, IndexRow>& rows);
std::map<std::string, IndexRow> decode_index_rows(const std::string& bytes);

}  // namespace stylesweep
