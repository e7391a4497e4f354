// VGG-19 as one table-driven torch module with the project's layer names. The forward pass takes
// RGB images on the 0-255 scale, applies the weights file's preprocessing, stops at the deepest
// requested layer and returns the requested activations by name. Parameters never require grad.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <map>
#include <string>
#include <vector>

#include "job/job_choices.h"
#include "vgg/weights_file.h"

namespace stylesweep {

class Vgg19Impl : public torch::nn::Module {
 public:
  // Builds the layers up to and including `deepest_layer`; throws Error (naming `weights_path`)
  // when the weights lack a conv that is needed.
  Vgg19Impl(const VggWeights& weights, Pooling pooling, const std::string& deepest_layer,
            const std::string& weights_path = "<weights>");

  // image: [N, 3, H, W], RGB, 0-255. Returns activations for `layers` (each at most
  // deepest_layer) in the image's type, computed in the type of the module's parameters (a
  // bfloat16 module serves float32 images).
  std::map<std::string, torch::Tensor> forward(const torch::Tensor& image,
                                               const std::vector<std::string>& layers);

  const std::string& deepest_layer() const { return deepest_layer_; }
  Pooling pooling() const { return pooling_; }
  // How many convolutions the last forward pass ran (tests check truncation with it).
  int convs_in_last_forward() const { return convs_in_last_forward_; }

 private:
  torch::Tensor preprocess(const torch::Tensor& image) const;

  std::vector<torch::nn::Conv2d> convs_;  // by table index; empty holders for relu and pool
  torch::Tensor mean_, std_;
  bool bgr_ = false;
  Pooling pooling_;
  std::string deepest_layer_;
  int deepest_index_;
  int convs_in_last_forward_ = 0;
};
TORCH_MODULE(Vgg19);

}  // namespace stylesweep
