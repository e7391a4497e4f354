// A sweep's results as reports need them, read from results.h5 without writing anything: the
// file is only ever replaced whole (store/result_store.h), so reading it during a run sees a
// consistent snapshot.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "image/image.h"
#include "store/index_file.h"
#include "job/job_result.h"

namespace stylesweep {

// A job's index row and the images it was made from.
struct JobRecord : IndexRow {
  std::string content_path;
  std::vector<std::string> style_paths;
};

struct SweepResults {
  std::string path;                       // results.h5
  std::string name;                       // from the config
  std::vector<std::string> varying_keys;  // in config order
  // The values each grid and zip axis lists in the config, in its order (a list value, such as
  // a layer set, joined with '+' as the index writes it): the order of rows, columns and pages.
  std::map<std::string, std::vector<std::string>> config_values;
  std::vector<JobRecord> jobs;
};

// Accepts results.h5 or its output directory.
SweepResults read_sweep_results(const std::string& results_or_output);
// SweepResults::config_values from a config's text (YAML::Exception when it does not parse).
std::map<std::string, std::vector<std::string>> listed_axis_values(const std::string& config_text);
Image read_job_image(const SweepResults& results, const std::string& id);
LossHistory read_job_losses(const SweepResults& results, const std::string& id);

}  // namespace stylesweep
