// What a job produces, without libtorch: the loss histories and the image. The history file and
// the sweep store write these.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "common/choice.h"
#include "image/image.h"

namespace stylesweep {

// One entry per loss evaluation; entry 0 is the loss of the initial image. content and style are
// the weighted terms (alpha L_c, beta L_s); style_layers holds the unweighted E_l per layer.
struct LossHistory {
  std::vector<double> total, content, style, tv;
  std::vector<double> temporal;  // frame jobs with a temporal loss only: temporal_weight L_t
  std::vector<std::vector<double>> style_layers;  // [evaluation][layer]
  std::vector<std::string> style_layer_names;
  // Coarse-to-fine jobs (StyleJob::scales): the first entry of each stage, coarsest first; empty
  // for single-scale jobs.
  std::vector<int> stage_starts;
  // snapshot_every's images of the final stage: the image at every N-th evaluation and at the
  // last, 8-bit RGB [snapshot][height][width][3].
  struct Snapshots {
    std::vector<int> evaluations;
    int width = 0, height = 0;
    std::vector<std::uint8_t> rgb;
  } snapshots;

  std::size_t size() const { return total.size(); }
};

// Why a job's optimization ended: its evaluations were spent; it converged (stop_rel_tol, or
// L-BFGS found nothing left to improve); its loss became NaN or infinite; it was stopped on
// request. kNone: it never optimized (it failed before).
enum class Termination { kNone, kIterations, kConverged, kDiverged, kInterrupted };
template <>
struct ChoiceNames<Termination> {
  static constexpr std::array<const char*, 5> names = {"", "iterations", "converged", "diverged", "interrupted"};
};

// The common yardstick of every done job (docs/metrics.md): the same network, layers and
// pooling whatever the job's own, on the stored 8-bit image. NaN where it cannot be computed.
struct JobMetrics {
  static constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
  double content = kMissing;  // mean (F - P)^2 at relu4_2
  double style = kMissing;    // mean over relu1_1..relu5_1 of mean ((G/M - A/Ms))^2
  double ssim = kMissing;     // SSIM of the luma against the content image
  double color = kMissing;    // 2-Wasserstein distance of the RGB Gaussians to the style's
};

struct JobResult {
  Image image;  // clipped to [0, 255] when stored
  LossHistory history;
  int evaluations = 0;
  // The history entry of the returned image: the lowest loss for L-BFGS, the last for Adam.
  int result_evaluation = -1;
  double wall_seconds = 0;        // whole job: image loading, targets and optimization
  double optimize_seconds = 0;    // the optimization loop alone
  std::string device;
  Termination termination = Termination::kNone;
  JobMetrics metrics;
};

}  // namespace stylesweep
