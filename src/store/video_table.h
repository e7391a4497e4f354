// What a sweep of video jobs adds when its run ends: per video job whose last pass is done, its
// frames as <output>/videos/<label>.webm, and a row of /videos in results.h5 (a pandas table):
// the clip, the style, frames, passes, schedule, temporal weight, the mean and max warping error
// E_warp(t) = Σ c ‖x_t − warp(x_{t−1})‖² / Σ c of the stylized frames and of the input clip
// itself (0-255 RGB; flow and masks of the input frames, video/optical_flow.h), and the wall
// seconds of all its frame jobs.
#pragma once

#include <string>
#include <vector>

#include "sweep/expand.h"

namespace stylesweep {

struct VideoRow {
  std::string label;  // the video job's
  std::string video, style, schedule, file;
  int frames = 0, passes = 0;
  double temporal_weight = 0;
  double warp_error_mean = 0, warp_error_max = 0;
  double input_warp_error_mean = 0, input_warp_error_max = 0;
  double wall_seconds = 0;
};

// Writes the videos and /videos (replacing an earlier table); returns the rows written. Video
// jobs with frames not done are left out. Throws Error naming the file that cannot be written.
std::vector<VideoRow> write_video_results(const SweepPlan& plan, const std::string& output_directory,
                                          const std::string& results_path, double frames_per_second = 12);

}  // namespace stylesweep
