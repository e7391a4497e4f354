#include "report/video_strips.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>

#include <fmt/format.h>

#include "common/error.h"

namespace stylesweep {
namespace {

struct Frame {
  int frame = 0, pass = 0;
  std::string id;
};


}  // namespace

std::vector<VideoStrip> write_video_strips(const SweepResults& results, const std::string& report_directory,
                                           int max_frames) {
  static const std::regex frame_label(R"((.*)-f(\d{4,})-p(\d+))");
  std::map<std::string, std::vector<Frame>> by_video;
  for (const JobRecord& job : results.jobs) {
    std::smatch match;
    if (job.status != JobStatus::kDone || !std::regex_match(job.label, match, frame_label)) continue;
    by_video[match[1]].push_back({std::stoi(match[2]), std::stoi(match[3]), job.id});
  }
  const std::filesystem::path output = std::filesystem::path(results.path).parent_path();
  std::vector<VideoStrip> strips;
  for (auto& [label, frames] : by_video) {
    VideoStrip strip;
    strip.label = label;
    for (const Frame& frame : frames) strip.passes = std::max(strip.passes, frame.pass);
    frames.erase(std::remove_if(frames.begin(), frames.end(),
                                [&strip](const Frame& frame) { return frame.pass != strip.passes; }),
                 frames.end());
    std::sort(frames.begin(), frames.end(), [](const Frame& a, const Frame& b) { return a.frame < b.frame; });
    strip.frames = int(frames.size());
    std::vector<Image> shown;
    const int count = std::min(max_frames, strip.frames);
    for (int k = 0; k < count; ++k) {
      const std::size_t index = count == 1 ? 0 : std::size_t(k) * (frames.size() - 1) / std::size_t(count - 1);
      shown.push_back(read_job_image(results, frames[index].id));
    }
    strip.shown = count;
    strip.strip = "video-" + label + ".png";
    write_png(report_directory + "/" + strip.strip, side_by_side(shown, 2));
    const std::filesystem::path video = output / "videos" / (label + ".webm");
    if (std::filesystem::exists(video)) {
      std::filesystem::create_directories(report_directory + "/videos");
      strip.video = "videos/" + label + ".webm";
      std::error_code error;
      std::filesystem::copy_file(video, report_directory + "/" + strip.video,
                                 std::filesystem::copy_options::overwrite_existing, error);
      if (error) throw io_error(report_directory + "/" + strip.video, "cannot copy the video: " + error.message());
    }
    strips.push_back(strip);
  }
  return strips;
}

}  // namespace stylesweep
