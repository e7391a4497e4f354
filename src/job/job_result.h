// What a job produces, without libtorch: the loss histories and the image. The history file and
// the sweep store write these.
#pragma once

#include <string>
#include <vector>

#include "image/image.h"

namespace stylesweep {

// One entry per loss evaluation; entry 0 is the loss of the initial image. content and style are
// the weighted terms (alpha L_c, beta L_s); style_layers holds the unweighted E_l per layer.
struct LossHistory {
  std::vector<double> total, content, style, tv;
  std::vector<std::vector<double>> style_layers;  // [evaluation][layer]
  std::vector<std::string> style_layer_names;
  // Coarse-to-fine jobs (StyleJob::scales): the first entry of each stage, coarsest first; empty
  // for single-scale jobs.
  std::vector<int> stage_starts;

  std::size_t size() const { return total.size(); }
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
};

}  // namespace stylesweep
