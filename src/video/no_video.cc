// The video module of a build without OpenCV (STYLESWEEP_VIDEO=OFF): every entry point refuses.
#include "common/error.h"
#include "video/clip.h"
#include "video/optical_flow.h"
#include "video/video_file.h"

namespace stylesweep {
namespace {

[[noreturn]] void no_video() {
  throw Error("video: this build of stylesweep has no video support (configured with STYLESWEEP_VIDEO=OFF, "
              "without OpenCV)",
              ErrorKind::kBadInput);
}

}  // namespace

ClipFrames read_clip(const std::string&, const std::string&, const std::string&) { no_video(); }
Flow optical_flow(const Image&, const Image&) { no_video(); }
Image warp(const Image&, const Flow&) { no_video(); }
std::vector<float> reliability(const Flow&, const Flow&) { no_video(); }
FrameAlignment align_frames(const Image&, const Image&) { no_video(); }
double warping_error(const Image&, const Image&, const std::vector<float>&) { no_video(); }
void write_webm(const std::string&, const std::vector<Image>&, double) { no_video(); }

}  // namespace stylesweep
