// The report's videos: for each video job of a sweep (frame jobs labelled <video job>-fNNNN-pN),
// a strip of its last pass's frames as one PNG, and its WebM (written by the run into
// <output>/videos) copied beside the report so that report.html plays it offline.
#pragma once

#include <string>
#include <vector>

#include "report/sweep_results.h"

namespace stylesweep {

struct VideoStrip {
  std::string label;   // the video job's
  std::string strip;   // PNG file name, relative to the report directory
  std::string video;   // WebM file name, relative ("" when the run wrote none: frames not all done)
  int frames = 0, passes = 0, shown = 0;  // frames of the last pass, passes, frames in the strip
};

// At most `max_frames` frames, evenly spaced, in each strip.
std::vector<VideoStrip> write_video_strips(const SweepResults& results, const std::string& report_directory,
                                           int max_frames = 8);

}  // namespace stylesweep
