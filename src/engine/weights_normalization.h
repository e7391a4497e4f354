// Gatys et al.'s normalized VGG-19, derived from any VGG-19: each filter is rescaled so that its
// mean activation over the given images and positions is 1. ReLU is positively homogeneous, so
// scaling filter k of a conv (weights and bias) by c_k scales its ReLU output by c_k, and dividing
// the next conv's input channel k by c_k restores that conv's input: every layer's output changes
// only by a positive factor per channel, and what the network computes is otherwise the same.
// Gatys used ImageNet's validation images; a handful of images gives an approximation.
#pragma once

#include <string>
#include <vector>

#include "image/image.h"
#include "vgg/weights_file.h"

namespace stylesweep {

struct NormalizationReport {
  std::vector<std::string> convs;   // the convs rescaled, in forward order
  std::vector<double> mean_scale;   // per conv: the mean of its factors c_k
  std::vector<int> silent_filters;  // per conv: filters never active on the images (kept as they are)
};

// The means are measured on the weights' own network with max pooling (the trained network's),
// each image as given. Throws Error (bad input) without images.
VggWeights normalize_weights(const VggWeights& weights, const std::vector<Image>& images,
                             NormalizationReport* report = nullptr);

}  // namespace stylesweep
