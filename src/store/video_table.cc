#include "store/video_table.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "common/error.h"
#include "h5/h5_file.h"
#include "h5/pandas_table.h"
#include "store/job_group.h"
#include "video/optical_flow.h"
#include "video/video_file.h"

namespace stylesweep {
namespace {

struct IndexEntry {
  bool done = false;
  double wall_seconds = 0;
};

std::map<std::string, IndexEntry> read_index(const h5::File& file) {
  std::map<std::string, IndexEntry> entries;
  const std::vector<std::string> ids = file.read_strings("/index/id");
  const std::vector<std::string> status = file.read_strings("/index/status");
  const std::vector<double> seconds = file.read_float64("/index/wall_seconds");
  for (std::size_t k = 0; k < ids.size(); ++k) entries[ids[k]] = {status[k] == "done", seconds[k]};
  return entries;
}

// Mean and max over t ≥ 1 of E_warp between frames t and t−1 (flow and masks of the inputs).
std::pair<double, double> warping_errors(const std::vector<Image>& frames, const std::vector<FrameAlignment>& flows) {
  double sum = 0, largest = 0;
  for (std::size_t t = 1; t < frames.size(); ++t) {
    const double error = warping_error(frames[t], warp(frames[t - 1], flows[t].flow), flows[t].mask);
    sum += error;
    largest = std::max(largest, error);
  }
  const double count = double(std::max<std::size_t>(1, frames.size() - 1));
  return {sum / count, largest};
}

void write_table(h5::File& file, const std::vector<VideoRow>& rows) {
  auto text = [&rows](const char* name, std::string VideoRow::*member) {
    h5::FrameColumn column{name, true, {}, {}};
    for (const VideoRow& row : rows) column.texts.push_back(row.*member);
    return column;
  };
  auto number = [&rows](const char* name, auto member) {
    h5::FrameColumn column{name, false, {}, {}};
    for (const VideoRow& row : rows) column.numbers.push_back(double(row.*member));
    return column;
  };
  const std::vector<h5::FrameColumn> columns = {
      text("label", &VideoRow::label), text("video", &VideoRow::video), text("style", &VideoRow::style),
      number("frames", &VideoRow::frames), number("passes", &VideoRow::passes),
      text("schedule", &VideoRow::schedule), number("temporal_weight", &VideoRow::temporal_weight),
      number("warp_error_mean", &VideoRow::warp_error_mean), number("warp_error_max", &VideoRow::warp_error_max),
      number("input_warp_error_mean", &VideoRow::input_warp_error_mean),
      number("input_warp_error_max", &VideoRow::input_warp_error_max),
      number("wall_seconds", &VideoRow::wall_seconds), text("file", &VideoRow::file)};
  if (file.exists("/videos")) file.remove("/videos");
  h5::write_pandas_table(file, "/videos", columns);
}

}  // namespace

std::vector<VideoRow> write_video_results(const SweepPlan& plan, const std::string& output_directory,
                                          const std::string& results_path, double frames_per_second) {
  std::map<std::string, std::vector<const PlannedJob*>> by_video_job;  // in plan order
  for (const PlannedJob& planned : plan.jobs) {
    if (!planned.video_job.empty()) by_video_job[planned.video_job].push_back(&planned);
  }
  std::vector<VideoRow> rows;
  if (by_video_job.empty()) return rows;
  // Video jobs of one clip at one size (styles, weights, schedules) share the input frames'
  // flows and warping error: computed once per frame list.
  struct InputClip {
    std::vector<FrameAlignment> flows;
    std::pair<double, double> warp_error;
  };
  std::map<std::string, InputClip> input_clips;
  h5::File file = h5::File::open_read_write(results_path);
  const std::map<std::string, IndexEntry> index = read_index(file);
  std::filesystem::create_directories(output_directory + "/videos");
  for (const auto& [label, jobs] : by_video_job) {
    VideoRow row;
    row.label = label;
    int last_pass = 0;
    bool complete = true;
    for (const PlannedJob* planned : jobs) {
      last_pass = std::max(last_pass, planned->job.pass);
      const auto entry = index.find(planned->id);
      complete = complete && entry != index.end() && entry->second.done;
      if (entry != index.end()) row.wall_seconds += entry->second.wall_seconds;
    }
    if (!complete) continue;
    std::vector<const PlannedJob*> finals;
    for (const PlannedJob* planned : jobs) {
      if (planned->job.pass == last_pass) finals.push_back(planned);
    }
    std::sort(finals.begin(), finals.end(),
              [](const PlannedJob* a, const PlannedJob* b) { return a->job.frame < b->job.frame; });
    std::vector<Image> results;
    std::string frame_list;
    for (const PlannedJob* planned : finals) {
      results.push_back(read_job_image(file, "/jobs/" + planned->id));
      frame_list += planned->job.content + "\n";
    }
    frame_list += fmt::format("{}x{}", results.front().width, results.front().height);
    auto input = input_clips.find(frame_list);
    if (input == input_clips.end()) {
      std::vector<Image> inputs;
      InputClip clip{std::vector<FrameAlignment>(1), {}};
      for (const PlannedJob* planned : finals) {
        inputs.push_back(resize(read_image(planned->job.content), results.front().width, results.front().height));
        if (inputs.size() > 1) clip.flows.push_back(align_frames(inputs.back(), inputs[inputs.size() - 2]));
      }
      clip.warp_error = warping_errors(inputs, clip.flows);
      input = input_clips.emplace(frame_list, std::move(clip)).first;
    }
    const StyleJob& job = finals.front()->job;
    row.video = job.video;
    row.style = job.style_name;
    row.schedule = choice_name(job.video_schedule);
    row.temporal_weight = job.temporal_weight;
    row.frames = int(finals.size());
    row.passes = last_pass;
    std::tie(row.warp_error_mean, row.warp_error_max) = warping_errors(results, input->second.flows);
    std::tie(row.input_warp_error_mean, row.input_warp_error_max) = input->second.warp_error;
    row.file = "videos/" + label + ".webm";
    write_webm(output_directory + "/" + row.file, results, frames_per_second);
    rows.push_back(row);
  }
  write_table(file, rows);
  return rows;
}

}  // namespace stylesweep
