#include "sweep/expand.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <future>
#include <limits>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>

#include <fmt/ranges.h>

#include <fmt/format.h>

#include "common/sha256.h"
#include "common/text.h"
#include "image/image.h"
#include "job/job_fields.h"
#include "sweep/axis.h"
#include "sweep/config_error.h"
#include "job/memory_estimate.h"
#include "job/spatial_masks.h"
#include "sweep/cost.h"
#include "sweep/video_plan.h"
#include "vgg/vgg_layers.h"

namespace stylesweep {
namespace {

constexpr std::size_t kMaxLabelLength = 150;

// Scientific notation without trailing zeros: 1e-03, 2.5e-04.
std::string scientific(const std::string& text) {
  double value = 0;
  try {
    value = std::stod(text);
  } catch (const std::exception&) {
    return text;
  }
  std::string formatted = fmt::format("{:.3e}", value);
  const auto exponent = formatted.find('e');
  std::string mantissa = formatted.substr(0, exponent);
  while (mantissa.back() == '0') mantissa.pop_back();
  if (mantissa.back() == '.') mantissa.pop_back();
  return mantissa + formatted.substr(exponent);
}

std::string label_part(const std::string& key, const YAML::Node& value) {
  const std::string text = parameter_text(value);
  const JobField* field = find_job_field(key);
  switch (field ? field->label_style : LabelStyle::kValue) {
    case LabelStyle::kScientific: return field->label_prefix + scientific(text);
    case LabelStyle::kPrefixed: return field->label_prefix + text;
    case LabelStyle::kSwitch: return (text == "true" ? "" : "no") + std::string(field->label_prefix);
    case LabelStyle::kScales: return text.empty() ? "single" : "sc" + text;
    case LabelStyle::kInitImage: return "init-" + std::filesystem::path(text).filename().string();
    case LabelStyle::kValue: break;
  }
  return text;  // content, style, layers, optimizer, pooling
}

struct ResolvedAxis {
  const AxisSpec* spec;
  std::vector<AxisValue> values;
};

std::vector<ResolvedAxis> resolve_axes(const SweepConfig& config) {
  std::vector<ResolvedAxis> axes;
  for (const AxisSpec& axis : config.grid) {
    axes.push_back({&axis, axis_values(axis.spec, config.path, axis.key_path)});
  }
  for (const AxisSpec& axis : config.zip) {
    axes.push_back({&axis, axis_values(axis.spec, config.path, axis.key_path)});
  }
  return axes;
}

// Picks the only declared image when the config leaves content or style unset.
void default_images(const SweepConfig& config, StyleJob& job) {
  if (!job.video.empty()) {  // the frames are its content
    if (job.styles.empty() && config.images.style.size() == 1) {
      job.style_name = config.images.style.begin()->first;
      job.styles = {config.images.style.begin()->second};
    }
    if (job.styles.empty()) {
      throw config_error(config.path, YAML::Mark::null_mark(), "style",
                         "several style images are declared and none is chosen; set defaults.style or a grid axis");
    }
    return;
  }
  if (job.content.empty() && config.images.content.size() == 1) {
    job.content_name = config.images.content.begin()->first;
    job.content = config.images.content.begin()->second;
  }
  if (job.styles.empty() && config.images.style.size() == 1) {
    job.style_name = config.images.style.begin()->first;
    job.styles = {config.images.style.begin()->second};
  }
  for (const char* key : {"content", "style"}) {
    const bool missing = std::string(key) == "content" ? job.content.empty() : job.styles.empty();
    if (missing) {
      throw config_error(config.path, YAML::Mark::null_mark(), key,
                         fmt::format("several {0} images are declared and none is chosen; set "
                                     "defaults.{0} or a grid axis",
                                     key));
    }
  }
}

StyleJob base_job(const SweepConfig& config) {
  StyleJob job;
  job.weights = config.weights;
  for (const auto& [key, value] : config.defaults) {
    apply_job_parameter(job, key, value, config.images, config.path, value.Mark(),
                        "defaults." + key);
  }
  return job;
}

class ImageSizes {
 public:
  std::pair<int, int> at(const std::string& path, int long_side) {
    auto found = sizes_.find(path);
    if (found == sizes_.end()) found = sizes_.emplace(path, read_image_size(path)).first;
    return size_for_long_side(found->second.first, found->second.second, long_side);
  }

 private:
  std::map<std::string, std::pair<int, int>> sizes_;
};

// Cost and memory estimates, memoized: a sweep has few distinct (images, size, layers,
// iterations, optimizer).
class JobCosts {
 public:
  struct Cost {
    double flops = 0;
    std::int64_t memory_bytes = 0;
  };
  Cost estimate(const StyleJob& job) {
    // Neighbouring jobs usually differ only in parameters that change neither.
    if (has_last_ && same_shape(job, last_job_)) return last_cost_;
    last_cost_ = estimate_uncached(job);
    last_job_ = job;
    has_last_ = true;
    return last_cost_;
  }

 private:
  static bool same_shape(const StyleJob& a, const StyleJob& b) { return agree_on(a, b, &JobField::shapes_cost); }

  Cost estimate_uncached(const StyleJob& job) {
    const std::string key = key_of(job, &JobField::shapes_cost);
    auto found = memo_.find(key);
    if (found != memo_.end()) return found->second;
    const std::pair<int, int> content_size = sizes_.at(job.content, job.size);
    std::vector<std::string> layers = job.content_layers;
    layers.insert(layers.end(), job.style_layers.begin(), job.style_layers.end());
    require_large_enough(content_size.first, content_size.second, layers, "content");
    if (!job.scales.empty()) {  // the coarsest stage must still reach the deepest layer
      const double fraction = double(job.scales.front()) / job.size;
      require_large_enough(int(content_size.first * fraction), int(content_size.second * fraction), layers,
                           fmt::format("content (first of scales, {} px)", job.scales.front()));
    }
    if (!job.content_mask.empty()) load_spatial_masks(job);  // sizes and regions of the masks
    std::vector<std::pair<int, int>> style_sizes;
    const int style_long_side = job.style_long_side();
    for (const auto& style : job.styles) {
      style_sizes.push_back(sizes_.at(style, style_long_side));
      require_large_enough(style_sizes.back().first, style_sizes.back().second, job.style_layers, "style");
    }
    return memo_[key] = {job_flops(job, content_size, style_sizes),
                         estimate_job_memory(job, content_size, style_sizes).total()};
  }

  bool has_last_ = false;
  StyleJob last_job_;
  Cost last_cost_;
  ImageSizes sizes_;
  std::unordered_map<std::string, Cost> memo_;
};

}  // namespace

std::string safe_label(const std::string& text) {
  std::string label;
  for (char c : text.substr(0, kMaxLabelLength)) {
    const bool safe = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                      c == '+' || c == '-';
    label += safe ? c : '_';
  }
  if (label.empty() || label[0] == '.') label = "_" + label;
  return label;
}

std::uint64_t count_jobs(const SweepConfig& config) {
  std::uint64_t count = 1;
  auto multiply = [&count](std::uint64_t factor) {
    count = factor != 0 && count > std::numeric_limits<std::uint64_t>::max() / factor
                ? std::numeric_limits<std::uint64_t>::max()
                : count * factor;
  };
  for (const AxisSpec& axis : config.grid) multiply(axis_length(axis.spec, config.path, axis.key_path));
  if (!config.zip.empty()) {
    multiply(axis_length(config.zip.front().spec, config.path, config.zip.front().key_path));
  }
  return count;
}

namespace {

// Walks the grid in index order (mixed-radix digits, first axis slowest). Each axis sets only its
// own parameter, so a job is the previous one with the axes whose value changed applied again
// (usually just the fastest axis): YAML conversions are the costliest part of planning a million
// jobs. Texts and label parts are made once per value.
class GridWalk {
 public:
  GridWalk(const SweepConfig& config, std::vector<ResolvedAxis> axes)
      : config_(config), axes_(std::move(axes)), current_(base_job(config)),
        applied_(axes_.size(), std::numeric_limits<std::size_t>::max()),
        texts_(axes_.size()), labels_(axes_.size()) {
    for (std::size_t a = 0; a < config.grid.size(); ++a) radix_.push_back(axes_[a].values.size());
    if (!config.zip.empty()) radix_.push_back(axes_[config.grid.size()].values.size());
    digits_.resize(radix_.size());
    for (std::size_t a = 0; a < axes_.size(); ++a) {
      if (axes_[a].values.size() < 2) continue;
      for (const AxisValue& value : axes_[a].values) {
        texts_[a].push_back(parameter_text(value.value));
        labels_[a].push_back(label_part(axes_[a].spec->key, value.value));
      }
    }
  }

  std::vector<std::string> varying_keys() const {
    std::vector<std::string> keys;
    for (const ResolvedAxis& axis : axes_) {
      if (axis.values.size() > 1) keys.push_back(axis.spec->key);
    }
    return keys;
  }

  // The job at `index`, with its varying values and the parts of its label.
  PlannedJob job_at(std::uint64_t index, std::vector<std::string>* label_parts) {
    std::uint64_t rest = index;
    for (std::size_t d = radix_.size(); d-- > 0;) {
      digits_[d] = std::size_t(rest % radix_[d]);
      rest /= radix_[d];
    }
    std::vector<std::string> varying_values;
    for (std::size_t a = 0; a < axes_.size(); ++a) {
      const std::size_t digit = digits_[std::min(a, config_.grid.size())];
      if (digit != applied_[a]) {
        const AxisValue& value = axes_[a].values[digit];
        const AxisSpec& spec = *axes_[a].spec;
        apply_job_parameter(current_, spec.key, value.value, config_.images, config_.path, value.mark,
                            spec.key_path);
        applied_[a] = digit;
      }
      if (axes_[a].values.size() > 1) {
        varying_values.push_back(texts_[a][digit]);
        label_parts->push_back(labels_[a][digit]);
      }
    }
    PlannedJob planned{current_, "", "", std::move(varying_values), 0};
    default_images(config_, planned.job);
    return planned;
  }

 private:
  const SweepConfig& config_;
  std::vector<ResolvedAxis> axes_;
  StyleJob current_;
  std::vector<std::size_t> applied_;  // the value index each axis last applied
  std::vector<std::vector<std::string>> texts_, labels_;
  std::vector<std::size_t> radix_;  // values per position; the zip axes share one position
  std::vector<std::size_t> digits_;
};

// Each weights name or path resolved once per sweep (a name's file is looked up, or created for
// `random`, once however many jobs name it).
class WeightsFiles {
 public:
  explicit WeightsFiles(const WeightsNameResolver& resolve) : resolve_(resolve) {}
  const std::string& operator()(const std::string& name_or_path) {
    auto found = files_.find(name_or_path);
    if (found == files_.end()) found = files_.emplace(name_or_path, resolve_(name_or_path)).first;
    return found->second;
  }

 private:
  const WeightsNameResolver& resolve_;
  std::map<std::string, std::string> files_;
};

// Checks the job across its parameters, names it and estimates its cost; every file its id
// names is hashed now, so the ids can be computed in parallel afterwards.
void complete_job(const SweepConfig& config, std::uint64_t index, std::vector<std::string> label_parts,
                  PlannedJob& planned, FileHashCache& hash_file, JobCosts& costs, WeightsFiles& weights_files) {
  try {
    planned.job.validate_combination();  // each value was checked when the config loaded
  } catch (const Error& error) {
    throw config_error(config.path, YAML::Mark::null_mark(), "job " + std::to_string(index + 1), error.what());
  }
  hash_file(planned.job.content);
  planned.job.weights_file = weights_files(planned.job.weights);
  planned.job.weights_sha256 = hash_file(planned.job.weights_file);
  for (const auto& style : planned.job.styles) hash_file(style);
  if (planned.job.init.kind == InitKind::kImage) hash_file(planned.job.init.image);
  if (!planned.job.content_mask.empty()) hash_file(planned.job.content_mask);
  for (const auto& mask : planned.job.style_masks) {
    if (mask != kWholeImageMask) hash_file(mask);
  }
  if (label_parts.empty()) label_parts = {planned.job.content_name, planned.job.style_name};
  planned.label = safe_label(join(label_parts, "-"));
  try {
    const JobCosts::Cost cost = costs.estimate(planned.job);
    planned.flops = cost.flops;
    planned.memory_bytes = cost.memory_bytes;
  } catch (const Error& error) {
    throw config_error(config.path, YAML::Mark::null_mark(), fmt::format("job {} ({})", index + 1, planned.label),
                       error.what());
  }
}

// Content-addressed ids (canonical text and SHA-256: most of the time left per job), on every
// core; the file hashes they need are all in the cache, which is only read now.
void assign_ids(SweepPlan& plan, const FileHashCache& hash_file) {
  const FileHasher cached = [&hash_file](const std::string& path) -> std::string {
    const std::string* hash = hash_file.find(path);
    if (!hash) throw Error("internal: " + path + " was not hashed before the ids", ErrorKind::kInternal);
    return *hash;
  };
  const std::size_t threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 16);
  const std::size_t chunk = (plan.jobs.size() + threads - 1) / threads;
  std::vector<std::future<void>> workers;
  for (std::size_t begin = 0; begin < plan.jobs.size(); begin += chunk) {
    workers.push_back(std::async(std::launch::async, [&, begin] {
      const std::size_t end = std::min(plan.jobs.size(), begin + chunk);
      for (std::size_t k = begin; k < end; ++k) {
        PlannedJob& planned = plan.jobs[k];
        if (planned.id.empty()) planned.id = job_id(planned.job, planned.job.weights_sha256, cached);
      }
    }));
  }
  for (auto& worker : workers) worker.get();
}

// Two image names for one file, or an axis listing a value twice, give the same job twice: an
// error. Repeated labels get the id's first 8 digits.
void refuse_duplicates(const SweepConfig& config, SweepPlan& plan) {
  std::unordered_map<std::string, int> label_uses;
  std::unordered_map<std::uint64_t, std::uint64_t> index_of_id;  // by the id's 64 bits
  label_uses.reserve(plan.jobs.size());
  index_of_id.reserve(plan.jobs.size());
  for (std::size_t index = 0; index < plan.jobs.size(); ++index) {
    PlannedJob& planned = plan.jobs[index];
    const std::uint64_t id_bits = std::stoull(planned.id, nullptr, 16);
    if (const auto [first, added] = index_of_id.emplace(id_bits, index); !added) {
      throw config_error(config.path, YAML::Mark::null_mark(), "job " + std::to_string(index + 1),
                         fmt::format("repeats job {} (same images and parameters, id {}); "
                                     "remove the duplicate value or image name",
                                     first->second + 1, planned.id));
    }
    if (label_uses[planned.label]++ > 0) planned.label += "-" + planned.id.substr(0, 8);
  }
}

// A sweep's video jobs as frame jobs: clips are read once each, and a frame job's id is computed
// as soon as it is planned, since the jobs after it name it.
class VideoJobs {
 public:
  VideoJobs(const SweepConfig& config, WeightsFiles& weights_files) : config_(config), weights_files_(weights_files) {}

  bool any() const { return any_; }

  std::vector<PlannedJob> frame_jobs(std::uint64_t index, std::vector<std::string> label_parts,
                                     PlannedJob& video_job, FileHashCache& hash_file, JobCosts& costs) {
    any_ = true;
    const std::string where = "job " + std::to_string(index + 1);
    std::vector<FrameJobPlan> plans;
    try {
      video_job.job.validate_combination();
      if (label_parts.empty()) label_parts = {video_job.job.video, video_job.job.style_name};
      video_job.label = safe_label(join(label_parts, "-"));
      plans = plan_frame_jobs(video_job, clip(video_job.job.video));
    } catch (const Error& error) {
      throw config_error(config_.path, YAML::Mark::null_mark(), where, error.what());
    }
    const FileHasher cached = [&hash_file](const std::string& path) { return hash_file(path); };
    std::vector<PlannedJob> jobs;
    for (FrameJobPlan& frame_plan : plans) {
      PlannedJob& planned = frame_plan.planned;
      for (std::size_t k = 0; k < planned.job.frame_links.size(); ++k) {
        const PlannedJob& linked = jobs[frame_plan.link_jobs[k]];
        FrameLink& link = planned.job.frame_links[k];
        link.result_id = linked.id;
        link.result = config_.output + "/images/" + linked.label + ".png";
        if (std::find(planned.depends_on.begin(), planned.depends_on.end(), linked.id) == planned.depends_on.end()) {
          planned.depends_on.push_back(linked.id);
        }
      }
      const std::string label = planned.label;
      complete_job(config_, index, {label}, planned, hash_file, costs, weights_files_);
      planned.video_job = video_job.label;
      planned.id = job_id(planned.job, planned.job.weights_sha256, cached);
      jobs.push_back(std::move(planned));
    }
    return jobs;
  }

 private:
  const ClipFrames& clip(const std::string& name) {
    auto found = clips_.find(name);
    if (found != clips_.end()) return found->second;
    try {
      return clips_[name] = read_clip(name, config_.images.videos.at(name), config_.output + "/clips");
    } catch (const Error& error) {  // a bad frame: where the config names its clip, then why
      const auto place = config_.images.video_places.find(name);
      if (place == config_.images.video_places.end()) throw;
      throw Error(place->second + ": " + error.what(), error.kind());
    }
  }

  const SweepConfig& config_;
  WeightsFiles& weights_files_;
  std::map<std::string, ClipFrames> clips_;
  bool any_ = false;
};

// Frame jobs have index columns of their clip (unless it is an axis already), frame and pass.
void add_frame_columns(SweepPlan& plan) {
  const bool video_varies =
      std::find(plan.varying_keys.begin(), plan.varying_keys.end(), "video") != plan.varying_keys.end();
  if (!video_varies) plan.varying_keys.push_back("video");
  plan.varying_keys.push_back("frame");
  plan.varying_keys.push_back("pass");
  for (PlannedJob& planned : plan.jobs) {
    if (!video_varies) planned.varying_values.push_back(planned.job.video);
    planned.varying_values.push_back(std::to_string(planned.job.frame));
    planned.varying_values.push_back(std::to_string(planned.job.pass));
  }
}

SweepPlan expand_checked(const SweepConfig& config, const WeightsNameResolver& resolve_weights,
                         std::uint64_t max_jobs) {
  const std::uint64_t count = count_jobs(config);
  if (count > max_jobs) {
    throw config_error(config.path, YAML::Mark::null_mark(), "grid",
                       fmt::format("the sweep expands to {} jobs, more than --max-jobs {}", count,
                                   max_jobs));
  }
  SweepPlan plan;
  FileHashCache hash_file;
  WeightsFiles weights_files(resolve_weights);
  plan.weights_path = weights_files(config.weights);
  plan.weights_sha256 = hash_file(plan.weights_path);
  plan.yardstick_weights_path = weights_files(config.yardstick_weights);
  plan.yardstick_weights_sha256 = hash_file(plan.yardstick_weights_path);
  GridWalk walk(config, resolve_axes(config));
  plan.varying_keys = walk.varying_keys();
  JobCosts costs;
  plan.jobs.reserve(std::size_t(count));
  VideoJobs videos(config, weights_files);
  auto add = [&plan](PlannedJob planned) {
    plan.total_flops += planned.flops;
    plan.peak_memory_bytes = std::max(plan.peak_memory_bytes, planned.memory_bytes);
    plan.jobs.push_back(std::move(planned));
  };
  for (std::uint64_t index = 0; index < count; ++index) {
    std::vector<std::string> label_parts;
    PlannedJob planned = walk.job_at(index, &label_parts);
    if (planned.job.video.empty()) {
      complete_job(config, index, std::move(label_parts), planned, hash_file, costs, weights_files);
      add(std::move(planned));
      continue;
    }
    for (PlannedJob& frame_job : videos.frame_jobs(index, std::move(label_parts), planned, hash_file, costs)) {
      add(std::move(frame_job));
    }
  }
  if (videos.any()) add_frame_columns(plan);
  assign_ids(plan, hash_file);
  refuse_duplicates(config, plan);
  return plan;
}

}  // namespace

WeightsNameResolver every_weights_name_as(std::string file) {
  return [file = std::move(file)](const std::string& name_or_path) {
    return is_weights_name(name_or_path) ? file : name_or_path;
  };
}

SweepPlan expand_sweep(const SweepConfig& config, const WeightsNameResolver& resolve_weights,
                       std::uint64_t max_jobs) {
  try {
    return expand_checked(config, resolve_weights, max_jobs);
  } catch (const YAML::Exception& error) {  // a node shape the checks missed: still named
    throw config_error(config.path, error.mark, "yaml", error.msg);
  }
}

}  // namespace stylesweep
