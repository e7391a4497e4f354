#include "engine/job_images.h"

#include <torch/torch.h>

#include "common/random.h"
#include "engine/network_cache.h"
#include "engine/tensor_image.h"
#include "image/color.h"

namespace stylesweep {
namespace {

// Standard deviation, in pixel levels, of the white-noise initial image around the mean pixel.
constexpr double kNoiseStddev = 16.0;

// White noise around the mean pixel from the project's generator: identical on every device.
torch::Tensor noise_image(std::uint64_t seed, const std::vector<double>& mean, std::int64_t height,
                          std::int64_t width, const torch::Device& device) {
  SplitMix64 generator(seed);
  std::vector<float> pixels(std::size_t(3 * height * width));
  for (std::size_t i = 0; i < pixels.size(); ++i) {
    const double channel_mean = mean[i / std::size_t(height * width)];
    pixels[i] = float(channel_mean + kNoiseStddev * generator.normal());
  }
  return torch::from_blob(pixels.data(), {1, 3, height, width}).clone().to(device);
}

}  // namespace

torch::Tensor initial_image(const StyleJob& job, const torch::Tensor& content, const torch::Tensor& style,
                            const Image* start, const NetworkCache& networks) {
  const torch::Device& device = networks.device();
  const int width = int(content.size(3)), height = int(content.size(2));
  if (start) return image_to_tensor(resize(*start, width, height), device);
  if (job.init.kind == InitKind::kContent) return content.clone();
  if (job.init.kind == InitKind::kStyle) return torch::upsample_bilinear2d(style, {height, width}, false);
  if (job.init.kind == InitKind::kImage) return image_to_tensor(resize(read_image(job.init.image), width, height), device);
  return noise_image(job.seed, networks.mean_pixel_rgb(), height, width, device);
}

JobResult finished_result(const StyleJob& job, const torch::Tensor& image, const Image& content_image,
                          LossHistory history, const std::string& device, bool final_stage) {
  JobResult result;
  result.image = tensor_to_image(image);
  // A coarse stage's luminance image is the next stage's start, not a result.
  if (job.color_control == ColorControl::kLuminance && final_stage) result.image = join_yiq(result.image, content_image);
  if (job.preserve_colors) result.image = transfer_luminance(result.image, content_image);
  result.evaluations = int(history.size());
  result.result_evaluation = result.evaluations - 1;
  result.history = std::move(history);
  result.device = device;
  return result;
}

}  // namespace stylesweep
