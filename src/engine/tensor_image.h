// Images between the project's Image (RGB floats, 0-255, row-major) and the engine's tensors
// ([1, 3, H, W] on a device).
#pragma once

#include <torch/types.h>

#include "image/image.h"

namespace stylesweep {

torch::Tensor image_to_tensor(const Image& image, const torch::Device& device);
Image tensor_to_image(const torch::Tensor& tensor);

}  // namespace stylesweep
