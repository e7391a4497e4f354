#include "report/video_strips.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>

#include <fmt/format.h>

#include "common/error.h"

namespace stylesweep {
namespace {

constexpr int kGap = 2;  // white pixels between frames

struct Frame {
  int frame = 0, pass = 0;
  std::string id;
};

Image strip_of(const std::vector<Image>& frames) {
  int width = 0, height = 0;
  for (const Image& frame : frames) {
    width += frame.width + (width > 0 ? kGap : 0);
    height = std::max(height, frame.height);
  }
  Image strip{width, height, std::vector<float>(std::size_t(width) * height * 3, 255.0f)};
  int left = 0;
  for (const Image& frame : frames) {
    for (int y = 0; y < frame.height; ++y) {
      for (int x = 0; x < frame.width; ++x) {
        for (int c = 0; c < 3; ++c) strip.at(y, left + x, c) = frame.at(y, x, c);
      }
    }
    left += frame.width + kGap;
  }
  return strip;
}

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
    write_png(report_directory + "/" + strip.strip, strip_of(shown));
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
