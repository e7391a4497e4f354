#include "engine/tensor_image.h"

#include <torch/torch.h>

namespace stylesweep {

torch::Tensor image_to_tensor(const Image& image, const torch::Device& device) {
  torch::Tensor hwc = torch::from_blob(const_cast<float*>(image.pixels.data()),
                                       {image.height, image.width, 3}, torch::kFloat);
  return hwc.permute({2, 0, 1}).unsqueeze(0).contiguous().to(device);
}

Image tensor_to_image(const torch::Tensor& tensor) {
  torch::Tensor hwc = tensor.detach().squeeze(0).permute({1, 2, 0}).contiguous().to(torch::kCPU,
                                                                                    torch::kFloat);
  Image image;
  image.height = int(hwc.size(0));
  image.width = int(hwc.size(1));
  image.pixels.assign(hwc.data_ptr<float>(), hwc.data_ptr<float>() + hwc.numel());
  return image;
}

}  // namespace stylesweep
