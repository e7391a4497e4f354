// Writes a data frame as pandas' HDFStore writes one with format="table" (a PyTables table), so
// that pd.read_hdf(path, key) returns it with no options: a group with pandas' attributes and a
// compound dataset `table` of one row per frame row (the row number, a float64 block, a block
// of fixed-length UTF-8 texts). pandas and PyTables keep some attributes as Python pickles;
// these are written in pickle protocol 0, a text format, as PyTables itself writes them.
#pragma once

#include <string>
#include <vector>

#include "h5/h5_file.h"

namespace stylesweep::h5 {

struct FrameColumn {
  std::string name;
  bool is_text = false;
  std::vector<double> numbers;     // when !is_text
  std::vector<std::string> texts;  // when is_text
};

// Every column must have the same number of rows; the group `key` must not exist.
void write_pandas_table(File& file, const std::string& key, const std::vector<FrameColumn>& columns);

}  // namespace stylesweep::h5
