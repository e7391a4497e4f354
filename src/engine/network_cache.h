// The VGG-19 networks a worker keeps loaded between jobs: one per pooling and precision (a bf16
// job runs a bfloat16 copy), built from one weights file on one device.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/vgg19.h"
#include "job/job_choices.h"
#include "vgg/weights_file.h"

namespace stylesweep {

class NetworkCache {
 public:
  NetworkCache(VggWeights weights, std::string weights_path, const torch::Device& device);

  // The network for `pooling` and `precision`; throws Error naming the weights file when it
  // lacks a conv that `layers` need.
  Vgg19& network(Pooling pooling, Precision precision, const std::vector<std::string>& layers);
  // The deepest relu the file's convs reach.
  std::string deepest_available_layer() const;
  // The file's mean pixel in RGB order.
  std::vector<double> mean_pixel_rgb() const;
  const torch::Device& device() const { return device_; }

 private:
  VggWeights weights_;
  std::string weights_path_;
  torch::Device device_;
  std::map<std::pair<Pooling, Precision>, Vgg19> networks_;
};

}  // namespace stylesweep
