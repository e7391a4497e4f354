// Video without libtorch: optical flow on a synthetic pan of the paper's Tübingen photograph (the
// flow is known exactly), warping, Ruder et al.'s reliability mask and the warping error against
// plain reference code, clips (frame directories, video files, bad ones) and the frame-job plan.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "common/error.h"
#include "sweep/video_plan.h"
#include "test_support.h"
#include "video/clip.h"
#include "video/optical_flow.h"
#include "video/video_file.h"

namespace stylesweep {
namespace {

using testing::TempDir;

const std::string kPhoto = std::string(STYLESWEEP_SOURCE_DIR) + "/configs/images/tubingen.jpg";

// The photo sampled bilinearly: frame pixel (x, y) is the photo at (left + x s, top + y s).
Image crop(const Image& photo, double left, double top, double scale, int width, int height) {
  Image frame{width, height, std::vector<float>(std::size_t(width) * height * 3)};
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const double px = left + x * scale, py = top + y * scale;
      const int x0 = int(std::floor(px)), y0 = int(std::floor(py));
      const double fx = px - x0, fy = py - y0;
      for (int c = 0; c < 3; ++c) {
        frame.at(y, x, c) = float((1 - fy) * ((1 - fx) * photo.at(y0, x0, c) + fx * photo.at(y0, x0 + 1, c)) +
                                  fy * ((1 - fx) * photo.at(y0 + 1, x0, c) + fx * photo.at(y0 + 1, x0 + 1, c)));
      }
    }
  }
  return frame;
}

// Frames of a pan moving the window `pan` frame pixels right per frame: the flow from frame t to
// frame t-1 is (+pan, 0) everywhere.
std::vector<Image> pan_frames(int count, int width, double pan) {
  // One photo pixel per frame pixel, area-averaged first (scripts/make_example_video.py does the
  // same): sparse samples of the full photo would alias.
  const Image photo = resize_long_side(read_image(kPhoto), int(std::lround(width / 0.6)));
  const double scale = 1.0;
  const int height = width * 3 / 4;
  std::vector<Image> frames;
  for (int t = 0; t < count; ++t) {
    frames.push_back(crop(photo, 1 + t * pan * scale, (photo.height - scale * height) / 2, scale, width, height));
  }
  return frames;
}

// Plain bilinear sampling with clamping, the reference for warp().
float sample(const Image& image, double x, double y, int c) {
  x = std::clamp(x, 0.0, double(image.width - 1));
  y = std::clamp(y, 0.0, double(image.height - 1));
  const int x0 = std::min(int(x), image.width - 2), y0 = std::min(int(y), image.height - 2);
  const double fx = x - x0, fy = y - y0;
  return float((1 - fy) * ((1 - fx) * image.at(y0, x0, c) + fx * image.at(y0, x0 + 1, c)) +
               fy * ((1 - fx) * image.at(y0 + 1, x0, c) + fx * image.at(y0 + 1, x0 + 1, c)));
}

Flow constant_flow(int width, int height, float dx, float dy) {
  const std::size_t n = std::size_t(width) * height;
  return {width, height, std::vector<float>(n, dx), std::vector<float>(n, dy)};
}

TEST(OpticalFlowTest, RecoversAPanWithinHalfAPixelAwayFromTheBorders) {
  for (auto [width, pan] : {std::pair{64, 1.0}, {64, 1.5}, {64, 2.5}, {48, 1.5}, {128, 1.5}}) {
    const std::vector<Image> frames = pan_frames(2, width, pan);
    const Flow flow = optical_flow(frames[1], frames[0]);
    double error = 0;
    int counted = 0;
    for (int y = 8; y < flow.height - 8; ++y) {
      for (int x = 8; x < flow.width - 8; ++x) {
        const std::size_t p = std::size_t(y) * flow.width + x;
        error += std::hypot(flow.dx[p] - pan, flow.dy[p]);
        ++counted;
      }
    }
    EXPECT_LT(error / counted, 0.5) << "pan " << pan << " px per frame at " << width << " px";
  }
}

TEST(OpticalFlowTest, TheMaskMarksThePixelsThatEnterTheFrame) {
  const double pan = 2.0;
  const std::vector<Image> frames = pan_frames(2, 64, pan);
  const FrameAlignment alignment = align_frames(frames[1], frames[0]);
  const int width = alignment.flow.width, height = alignment.flow.height;
  int reliable_interior = 0, interior = 0;
  for (int y = 0; y < height; ++y) {
    // The window moved right: the last `pan` columns of frame 1 were not in frame 0.
    for (int x = width - int(pan); x < width; ++x) EXPECT_EQ(alignment.mask[std::size_t(y) * width + x], 0.0f);
    for (int x = 4; x < width - 8; ++x) {
      if (y < 4 || y >= height - 4) continue;
      ++interior;
      reliable_interior += alignment.mask[std::size_t(y) * width + x] > 0;
    }
  }
  EXPECT_GT(reliable_interior, 0.9 * interior);
}

TEST(OpticalFlowTest, WarpSamplesAlongTheFlowLikePlainBilinearCode) {
  const Image image = testing::pattern_image(23, 17, 1);
  std::mt19937 random(3);
  std::uniform_real_distribution<float> shift(-4.0f, 4.0f);
  Flow flow = constant_flow(23, 17, 0, 0);
  for (std::size_t p = 0; p < flow.dx.size(); ++p) {
    flow.dx[p] = shift(random);
    flow.dy[p] = shift(random);
  }
  const Image warped = warp(image, flow);
  for (int y = 0; y < 17; ++y) {
    for (int x = 0; x < 23; ++x) {
      const std::size_t p = std::size_t(y) * 23 + x;
      for (int c = 0; c < 3; ++c) {
        EXPECT_NEAR(warped.at(y, x, c), sample(image, x + flow.dx[p], y + flow.dy[p], c), 1e-3)
            << "pixel " << x << "," << y;
      }
    }
  }
}

TEST(OpticalFlowTest, ReliabilityFollowsRuderEquationsFiveAndSix) {
  const int width = 20, height = 10;
  // Consistent forward and backward flows: reliable except where the flow leaves the image.
  std::vector<float> mask = reliability(constant_flow(width, height, 3, 0), constant_flow(width, height, -3, 0));
  for (int x = 0; x < width; ++x) EXPECT_EQ(mask[std::size_t(5) * width + x], x + 3 <= width - 1 ? 1.0f : 0.0f);
  // |w̃ + ŵ|² = 9 > 0.01 (0 + 9) + 0.5: disoccluded everywhere.
  mask = reliability(constant_flow(width, height, -3, 0), constant_flow(width, height, 0, 0));
  for (float value : mask) EXPECT_EQ(value, 0.0f);
  // A small inconsistency passes: |0.5|² = 0.25 < 0.01 (4 + 2.25) + 0.5.
  mask = reliability(constant_flow(width, height, 0, 2), constant_flow(width, height, 0, -1.5f));
  EXPECT_EQ(mask[std::size_t(2) * width + 5], 1.0f);
  // A motion boundary: the flow jumps from 0 to 1 between columns 9 and 10; ∇ŵ there is 0.5
  // by central differences, 0.25 > 0.01 |ŵ|² + 0.002.
  Flow step = constant_flow(width, height, 0, 0), back = constant_flow(width, height, 0, 0);
  for (int y = 0; y < height; ++y) {
    for (int x = 10; x < width; ++x) {
      step.dx[std::size_t(y) * width + x] = 1;
      back.dx[std::size_t(y) * width + x] = -1;
    }
  }
  mask = reliability(step, back);
  EXPECT_EQ(mask[std::size_t(5) * width + 9], 0.0f);
  EXPECT_EQ(mask[std::size_t(5) * width + 10], 0.0f);
  EXPECT_EQ(mask[std::size_t(5) * width + 3], 1.0f);
  EXPECT_EQ(mask[std::size_t(5) * width + 15], 1.0f);
}

TEST(OpticalFlowTest, WarpingErrorIsTheMaskedMeanSquaredDistance) {
  const Image a = testing::pattern_image(9, 7, 1), b = testing::pattern_image(9, 7, 2);
  std::vector<float> mask(63, 0.0f);
  double weighted = 0, weight = 0;
  for (std::size_t p = 0; p < mask.size(); p += 3) {
    mask[p] = 1.0f;
    for (int c = 0; c < 3; ++c) weighted += std::pow(double(a.pixels[3 * p + c]) - b.pixels[3 * p + c], 2);
    weight += 1;
  }
  EXPECT_NEAR(warping_error(a, b, mask), weighted / weight, 1e-9 * weighted);
  EXPECT_EQ(warping_error(a, b, std::vector<float>(63, 0.0f)), 0.0);
}

TEST(ClipTest, ReadsAFrameDirectoryInNameOrderAndAVideoFile) {
  TempDir dir;
  std::filesystem::create_directories(dir.file("frames"));
  const std::vector<Image> frames = pan_frames(3, 32, 1.0);
  for (int t = 2; t >= 0; --t) write_png(dir.file("frames/f" + std::to_string(t) + ".png"), frames[std::size_t(t)]);
  const ClipFrames clip = read_clip("pan", dir.file("frames"), dir.file("cache"));
  ASSERT_EQ(clip.paths.size(), 3u);
  EXPECT_EQ(clip.paths[0], dir.file("frames/f0.png"));
  EXPECT_EQ(clip.width, 32);
  EXPECT_EQ(clip.height, 24);

  write_webm(dir.file("pan.webm"), frames, 12);
  const ClipFrames decoded = read_clip("pan", dir.file("pan.webm"), dir.file("cache"));
  ASSERT_EQ(decoded.paths.size(), 3u);
  EXPECT_EQ(decoded.width, 32);
  const Image first = read_image(decoded.paths[0]);
  double error = 0;
  for (std::size_t k = 0; k < first.pixels.size(); ++k) error += std::abs(first.pixels[k] - frames[0].pixels[k]);
  EXPECT_LT(error / double(first.pixels.size()), 20.0);  // lossy VP8, same picture
}

TEST(ClipTest, BadClipsAreRefusedNamingTheFileAndTheReason) {
  TempDir dir;
  std::filesystem::create_directories(dir.file("empty"));
  auto message = [&](const std::string& path) {
    try {
      read_clip("c", path, dir.file("cache"));
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kBadInput);
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(dir.file("empty")).find("holds no PNG or JPEG frames"), std::string::npos);
  EXPECT_NE(message(dir.file("missing")).find("no such video file"), std::string::npos);
  testing::write_text_file(dir.file("zero.mp4"), "");
  EXPECT_NE(message(dir.file("zero.mp4")).find("empty"), std::string::npos);
  testing::write_text_file(dir.file("junk.mp4"), std::string(4096, 'x'));
  const std::string junk = message(dir.file("junk.mp4"));
  EXPECT_NE(junk.find("junk.mp4"), std::string::npos);
  EXPECT_NE(junk.find("decode"), std::string::npos) << junk;
  std::filesystem::create_directories(dir.file("sizes"));
  write_png(dir.file("sizes/a.png"), testing::pattern_image(16, 12, 1));
  write_png(dir.file("sizes/b.png"), testing::pattern_image(16, 14, 1));
  const std::string sizes = message(dir.file("sizes"));
  EXPECT_NE(sizes.find("b.png"), std::string::npos);
  EXPECT_NE(sizes.find("frames differ in size"), std::string::npos);
}

ClipFrames numbered_clip(int frames) {
  ClipFrames clip;
  for (int t = 0; t < frames; ++t) clip.paths.push_back("frame" + std::to_string(t) + ".png");
  clip.width = 32;
  clip.height = 24;
  return clip;
}

PlannedJob video_job() {
  PlannedJob planned;
  planned.job.video = "pan";
  planned.job.styles = {"style.png"};
  planned.label = "pan-style";
  return planned;
}

TEST(VideoPlanTest, SequentialPassesChainFramesAndAlternateDirection) {
  PlannedJob planned = video_job();
  planned.job.video_passes = 2;
  planned.job.temporal_links = {1, 2};
  const std::vector<FrameJobPlan> plans = plan_frame_jobs(planned, numbered_clip(4));
  ASSERT_EQ(plans.size(), 8u);
  // Pass 1 forward: frame 2 links to frames 1 and 0 of pass 1.
  const StyleJob& frame2 = plans[2].planned.job;
  EXPECT_EQ(frame2.frame, 2);
  ASSERT_EQ(frame2.frame_links.size(), 2u);
  EXPECT_EQ(frame2.frame_links[0].offset, -1);
  EXPECT_EQ(frame2.frame_links[1].offset, -2);
  EXPECT_EQ(plans[2].link_jobs, (std::vector<std::size_t>{1, 0}));
  // Pass 2 runs backward: its first job is frame 3, linked to its own pass-1 result only.
  const StyleJob& back3 = plans[4].planned.job;
  EXPECT_EQ(back3.frame, 3);
  EXPECT_EQ(back3.pass, 2);
  ASSERT_EQ(back3.frame_links.size(), 1u);
  EXPECT_EQ(back3.frame_links[0].offset, 0);
  EXPECT_FALSE(back3.frame_links[0].temporal);
  // Pass 2's frame 1 links to itself in pass 1 and to frames 2 and 3 of pass 2.
  const StyleJob& back1 = plans[6].planned.job;
  EXPECT_EQ(back1.frame, 1);
  ASSERT_EQ(back1.frame_links.size(), 3u);
  EXPECT_EQ(back1.frame_links[1].offset, 1);
  EXPECT_EQ(back1.frame_links[2].offset, 2);
  EXPECT_EQ(plans[6].link_jobs, (std::vector<std::size_t>{1, 5, 4}));
  for (std::size_t k = 0; k < plans.size(); ++k) {
    for (std::size_t linked : plans[k].link_jobs) EXPECT_LT(linked, k);  // dependency order
  }
}

TEST(VideoPlanTest, ParallelPassesLinkToTheNeighboursOfTheLastPass) {
  PlannedJob planned = video_job();
  planned.job.video_passes = 3;
  planned.job.video_schedule = VideoSchedule::kParallel;
  const std::vector<FrameJobPlan> plans = plan_frame_jobs(planned, numbered_clip(3));
  ASSERT_EQ(plans.size(), 9u);
  for (int k = 0; k < 3; ++k) EXPECT_TRUE(plans[std::size_t(k)].planned.job.frame_links.empty());
  const FrameJobPlan& middle = plans[4];  // pass 2, frame 1
  EXPECT_EQ(middle.planned.job.pass, 2);
  ASSERT_EQ(middle.planned.job.frame_links.size(), 3u);
  EXPECT_EQ(middle.link_jobs, (std::vector<std::size_t>{1, 0, 2}));
  EXPECT_EQ(plans[8].link_jobs, (std::vector<std::size_t>{5, 4}));  // pass 3, frame 2: itself, frame 1
}

TEST(VideoPlanTest, IndependentFramesHaveNoLinksAndRangesOutsideTheClipAreRefused) {
  PlannedJob planned = video_job();
  planned.job.temporal_weight = 0;
  planned.job.video_init = VideoInit::kInit;
  for (const FrameJobPlan& plan : plan_frame_jobs(planned, numbered_clip(5))) {
    EXPECT_TRUE(plan.planned.job.frame_links.empty());
  }
  planned.job.frame_start = 1;
  planned.job.frame_step = 2;
  EXPECT_EQ(chosen_frames(planned.job, 6), (std::vector<int>{1, 3, 5}));
  planned.job.frame_count = 4;
  EXPECT_THROW(chosen_frames(planned.job, 6), Error);
  planned.job.frame_start = 6;
  planned.job.frame_count = 0;
  EXPECT_THROW(chosen_frames(planned.job, 6), Error);
}

}  // namespace
}  // namespace stylesweep
