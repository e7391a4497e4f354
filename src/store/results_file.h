// <output>/results.h5, a view of the journal rebuilt whole and put in place atomically (temporary
// file, fsync, rename), so readers and a crash only ever see a complete file:
//   /            format = "stylesweep-results", format_version = 1, config (the YAML text),
//                config_path, tool_version, created_utc, weights_sha256, weights_source,
//                normalization (job/losses_name.h)
//   /jobs/<id>   external links into the journal's segments (cheap to republish during a run),
//                or real copies (`standalone`, when a run ends)
//   /index       parallel 1-D datasets, one row per job: id, label, status, error, host,
//                loss_total, loss_content, loss_style, loss_tv (of the returned image),
//                evaluations, wall_seconds, attempts, rank and every varying parameter (numbers
//                stay numbers); attribute `columns` orders them
//   /history     the loss histories of every job, netCDF-4 for xarray (store/analysis_views.h)
//   /summary     one row per job as a pandas table (store/analysis_views.h)
#pragma once

#include <map>
#include <string>
#include <vector>

#include "h5/h5_file.h"
#include "store/journal_record.h"

namespace stylesweep {

// Builds an HDF5 file under a temporary name; commit() puts it in place atomically, and a writer
// destroyed without commit() removes it.
class ResultFileWriter {
 public:
  explicit ResultFileWriter(const std::string& path);
  ~ResultFileWriter();
  ResultFileWriter(const ResultFileWriter&) = delete;
  ResultFileWriter& operator=(const ResultFileWriter&) = delete;
  h5::File& file() { return file_; }
  void commit();

 private:
  std::string path_, temporary_;
  h5::File file_;
  bool committed_ = false;
};

// What results.h5's root says about the sweep.
struct ResultsHeader {
  std::string config_text, config_path, created_utc, weights_sha256, weights_source;
  std::string yardstick_weights, yardstick_weights_sha256;  // the metrics' network; "" when not known
};

// Rebuilds `path` from the journal: `rows` and `file_of` by id, files relative to
// `journal_directory` (jobs/).
void write_results_file(const std::string& path, const std::string& journal_directory,
                        const ResultsHeader& header, const std::map<std::string, IndexRow>& rows,
                        const std::map<std::string, std::string>& file_of,
                        const std::vector<std::string>& varying_keys, bool standalone);

}  // namespace stylesweep
