// One stylization job's parameters, fully resolved, without libtorch: what `stylesweep stylize`
// parses, what a sweep expands into and what the history file records.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "job/job_choices.h"

namespace stylesweep {

// A style mask entry that stands for the style's whole image, in every region.
inline constexpr const char* kWholeImageMask = "all";

// Ruder et al.'s temporal loss weight when a video job sets none: calibrated on the example pan
// (docs/video.md) for the default alpha/beta and the loss normalization of job/losses_name.h.
inline constexpr double kDefaultTemporalWeight = 1e-4;

// What a frame job starts from and is pulled towards besides its own frame: another frame job's
// result (set by the planner, video/). The worker computes the optical flow between this job's
// frame and `frame`, warps `result` along it and weighs it by the flow's reliability.
struct FrameLink {
  int offset = 0;            // the other frame's index minus this one's (0: this frame, earlier pass)
  bool temporal = true;      // pulled towards by the temporal loss (false: starting point only)
  std::string frame;         // the other frame's input image
  std::string result;        // the other frame job's result image, as the coordinator ships it
  std::string result_id;     // that job's id: this job's id depends on it

  bool operator==(const FrameLink& other) const {
    return offset == other.offset && temporal == other.temporal && frame == other.frame &&
           result == other.result && result_id == other.result_id;
  }
};

struct StyleJob {
  std::string content;                  // image path
  std::vector<std::string> styles;      // image paths, one or more
  std::vector<double> style_blend;      // blend weight per style; normalized to sum 1
  std::string content_name, style_name; // short names for labels and the history file
  // The VGG-19 weights as named: "" the engine's own, a name (vgg/weights_names.h: `vgg19`,
  // `random`) or a file's absolute path. The planner resolves it once into weights_file and its
  // SHA-256, which workers load and check; nothing after the planner resolves names.
  std::string weights;
  std::string weights_file;
  std::string weights_sha256;

  // L = alpha * L_content + beta * L_style + tv_weight * L_tv. A ratio (alpha/beta) sets beta = 1.
  double alpha = 1e-3;
  double beta = 1.0;
  std::optional<double> ratio;          // when set, alpha = ratio and beta = 1
  std::vector<std::string> content_layers = {"relu4_2"};
  std::vector<std::string> style_layers = {"relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"};
  std::vector<double> style_layer_weights;  // empty: 1/|style_layers| each

  Optimizer optimizer = Optimizer::kLbfgs;
  double lr = 10.0;                     // Adam step size in pixel units; L-BFGS uses 1
  int iterations = 500;                 // loss evaluations (L-BFGS) or steps (Adam)
  int size = 512;                       // long side of the content image and the result, pixels
  std::uint64_t seed = 0;
  Init init;                            // white noise by default
  Pooling pooling = Pooling::kAvg;
  double tv_weight = 0.0;
  double style_scale = 1.0;             // style long side = style_scale * size
  // Coarse-to-fine: optimize first at these long sides (ascending, each below `size`), each stage
  // starting from the previous result upsampled, for scale_iterations evaluations each; then at
  // `size` for `iterations`. Empty: a single scale, as in the paper.
  std::vector<int> scales;
  int scale_iterations = 100;
  bool preserve_colors = false;         // post-hoc luminance swap (YCbCr) after the optimization
  ColorControl color_control = ColorControl::kNone;
  StyleLoss style_loss = StyleLoss::kGram;
  // Patch-based style losses: the side of a feature patch (odd), and the stride at which the
  // style's patches are cut (the result's are cut at every position).
  int style_patch_size = 3;
  int style_patch_stride = 2;
  // Spatial control: a mask image whose distinct colours are regions ("": none), and per style a
  // mask whose pixels of a region's colour guide that region, or kWholeImageMask (the whole
  // style for every region). Empty style_masks: the whole image of every style.
  std::string content_mask;
  std::vector<std::string> style_masks;
  // Early stop: the job ends as converged once its best total loss improved by less than
  // stop_rel_tol (relative) over the last stop_window evaluations. 0: off, as in the paper.
  double stop_rel_tol = 0.0;
  int stop_window = 10;
  Precision precision = Precision::kFp32;
  bool deterministic = false;           // deterministic algorithms; otherwise cuDNN benchmarks
  // Video (Ruder, Dosovitskiy and Brox 2016). A clip name makes this a video job, which the planner
  // expands into one frame job per chosen frame and pass; frame jobs also carry their frame,
  // pass and links. Without a clip every other video parameter is inert.
  std::string video;                    // clip name under images.videos ("": not a video job)
  int frame_start = 0;
  int frame_count = 0;                  // 0: to the clip's end
  int frame_step = 1;
  double temporal_weight = kDefaultTemporalWeight;
  std::vector<int> temporal_links = {1};  // frame distances of the long-term links, ascending
  VideoInit video_init = VideoInit::kPrevWarped;
  int video_passes = 1;
  VideoSchedule video_schedule = VideoSchedule::kSequential;
  int frame = -1;                       // frame jobs: the frame's index in the clip
  int pass = 0;                         // frame jobs: 1-based
  std::vector<FrameLink> frame_links;   // frame jobs: the planner's links

  int snapshot_every = 0;               // evaluations between stored snapshots of the image; 0: none
  int checkpoint_every = 0;             // evaluations between checkpoints; 0 disables
  std::string checkpoint_path;          // where checkpoints go (and are resumed from)

  bool is_frame_job() const { return frame >= 0; }

  // Effective weights after applying `ratio`.
  double effective_alpha() const { return ratio ? *ratio : alpha; }
  double effective_beta() const { return ratio ? 1.0 : beta; }
  std::vector<double> resolved_style_layer_weights() const;
  // Evaluations (or Adam steps) of every stage: the coarse ones, then `iterations`.
  int planned_evaluations() const { return iterations + int(scales.size()) * scale_iterations; }
  // Long side of the style images as the job prepares them: style_scale x size, at least 8 px.
  int style_long_side() const;
  std::vector<double> normalized_blend() const;

  // Throws Error "<parameter>: <reason>" for the first invalid value, then for combinations
  // (weights per style, weights per layer).
  void validate() const;
  // The same check for one parameter alone (sweep configs report each at its line).
  void validate_parameter(const std::string& key) const;
  // The checks across parameters alone (images present, weights per style and per layer): the
  // expander's per-job check, each value having been checked where the config gives it.
  void validate_combination() const;
};

}  // namespace stylesweep

namespace stylesweep {

// True when two jobs can run as one batch (StyleEngine::run_batch): Adam jobs on the same
// images, size, layers, pooling and number of steps, without coarse-to-fine stages. They may
// differ in weights, learning rate, seed, init, total variation and colour preservation.
bool can_share_batch(const StyleJob& a, const StyleJob& b);

// Canonical "key=value" lines of every resolved parameter, images by SHA-256 of their content.
// Equal jobs give equal text on every machine; the job id is derived from it.
// `hash_file` maps a path to its SHA-256 (a FileHashCache in sweeps; sha256_file by default).
using FileHasher = std::function<std::string(const std::string& path)>;
std::string canonical_job_text(const StyleJob& job, const std::string& weights_sha256,
                               const FileHasher& hash_file = {});
// 16 hex digits of the SHA-256 of canonical_job_text.
std::string job_id(const StyleJob& job, const std::string& weights_sha256,
                   const FileHasher& hash_file = {});

}  // namespace stylesweep
