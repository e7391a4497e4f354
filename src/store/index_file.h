// results.h5's /index in HDF5, from and to IndexRow (job/index_row.h): a job group's row as the
// store reads it from journal segments, the /index datasets it writes, and the rows reports read
// back.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "h5/h5_file.h"
#include "job/index_row.h"

namespace stylesweep {

// A job group's attribute as text: strings as they are, lists joined by '+', numbers by
// value_text; "" when absent. The index's text of a parameter the group does not carry.
std::string attribute_text(const h5::File& file, const std::string& group, const std::string& name);
// The row of the job group /jobs/<id> of a journal segment or results.h5.
IndexRow read_index_row(const h5::File& file, const std::string& id, const std::vector<std::string>& varying_keys);
// Writes /index: the fixed columns, then one per varying key (numbers when every row's text is
// a number, so pandas can sort and plot them), and the `columns` and `varying` attributes.
void write_index(h5::File& file, const std::map<std::string, IndexRow>& rows,
                 const std::vector<std::string>& varying_keys);
// The rows of a written /index, in its order; throws Error naming the file and column when a
// column is missing or of another length.
std::vector<IndexRow> read_index(const h5::File& file, const std::string& path);

}  // namespace stylesweep
