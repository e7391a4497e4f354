// Expands a sweep config into its jobs: the grid's cartesian product crossed with the zipped axes,
// each job with its content-addressed id, a readable label and its estimated cost. A video job
// becomes its frame jobs (sweep/video_plan.h), each after the jobs it depends on.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "job/job_params.h"
#include "sweep/config.h"
#include "vgg/weights_names.h"

namespace stylesweep {

struct PlannedJob {
  StyleJob job;
  std::string id;                          // 16 hex digits, stable across configs and machines
  std::string label;                       // from the varying parameters, safe as a file name
  std::vector<std::string> varying_values;  // one per SweepPlan::varying_keys
  double flops = 0;                        // estimated, see sweep/cost.h
  std::int64_t memory_bytes = 0;           // estimated peak, see job/memory_estimate.h
  // Frame jobs (sweep/video_plan.h): the ids of the jobs whose results it needs, and the label of
  // the video job it belongs to.
  std::vector<std::string> depends_on;
  std::string video_job;
};

struct SweepPlan {
  // The sweep's default weights (top-level `weights`; each job's own are in its StyleJob) and the
  // network every job's metrics use (`yardstick_weights`).
  std::string weights_path;
  std::string weights_sha256;
  std::string yardstick_weights_path;
  std::string yardstick_weights_sha256;
  // The axes with more than one value, in config order; then, in sweeps of video jobs, `video`
  // (unless an axis), `frame` and `pass`.
  std::vector<std::string> varying_keys;
  std::vector<PlannedJob> jobs;
  double total_flops = 0;
  std::int64_t peak_memory_bytes = 0;  // of the largest job
};

constexpr std::uint64_t kDefaultMaxJobs = 100000;

// The number of jobs, from the axis lengths alone (saturating at UINT64_MAX).
std::uint64_t count_jobs(const SweepConfig& config);

// The file a weights name or path stands for: vgg/weights_names.h's weights_file_for, or a
// stand-in (tests and fuzzing plan without the real files).
using WeightsNameResolver = std::function<std::string(const std::string& name_or_path)>;
// Every name (`vgg19`, `random`) stands for `file`; paths stay.
WeightsNameResolver every_weights_name_as(std::string file);

// Throws ConfigError when the sweep has more than max_jobs jobs (before allocating any) or a job
// is invalid, and Error when a name's file is missing. Each job carries its weights file, resolved
// by `resolve_weights`, and the file's SHA-256, which enters its id.
SweepPlan expand_sweep(const SweepConfig& config, const WeightsNameResolver& resolve_weights = weights_file_for,
                       std::uint64_t max_jobs = kDefaultMaxJobs);

// Characters outside [A-Za-z0-9._+-] become '_'; at most 150 characters.
std::string safe_label(const std::string& text);

}  // namespace stylesweep
