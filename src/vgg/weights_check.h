// Checks of a weights file beyond its format, for `stylesweep weights verify`: what can be told
// from the weights and the preprocessing alone.
//  - Pretrained first-layer filters are smooth (neighbouring taps correlate strongly); random
//    ones are not. A file labelled pretrained whose conv1_1 is not smooth is suspicious.
//  - Preprocessed sample images should be roughly centred for the weights' scale: a mean given on
//    the 0-1 scale, or a std left at 1 where 58 was meant, shows as an off-centre input.
// It cannot tell a swapped channel order (RGB vs BGR) from weights alone: both orders give
// smooth filters and centred inputs.
#pragma once

#include <string>
#include <vector>

#include "vgg/weights_file.h"

namespace stylesweep {

struct WeightsReport {
  double conv1_smoothness = 0;      // mean correlation of horizontally adjacent conv1_1 taps
  bool looks_pretrained = false;    // smoothness above the threshold
  double input_mean_in_std = 0;     // |mean of preprocessed sample pixels| / their std
  bool preprocessing_plausible = false;
  std::vector<std::string> warnings;
};

constexpr double kPretrainedSmoothness = 0.3;

// `sample_pixels`: RGB pixels (0-255, interleaved) of sample images.
WeightsReport check_weights(const VggWeights& weights, const std::vector<float>& sample_pixels);

}  // namespace stylesweep
