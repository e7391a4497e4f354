// Video clips as the planner sees them: the frames of a video file (decoded once with OpenCV's
// videoio, FFmpeg underneath, into PNG files) or of a directory of PNG/JPEG frames, in name order.
#pragma once

#include <string>
#include <vector>

namespace stylesweep {

struct ClipFrames {
  std::vector<std::string> paths;  // one image file per frame, in order
  int width = 0, height = 0;
};

// Throws Error naming the clip and the reason: missing, empty, undecodable, frames of different
// sizes. A video file's frames go to `cache_directory`/<name>-<16 digits of its SHA-256>/, and
// are decoded again only when that directory is incomplete.
ClipFrames read_clip(const std::string& name, const std::string& path, const std::string& cache_directory);

}  // namespace stylesweep
