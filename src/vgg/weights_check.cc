#include "vgg/weights_check.h"

#include <cmath>

#include <fmt/format.h>

namespace stylesweep {

WeightsReport check_weights(const VggWeights& weights, const std::vector<float>& sample_pixels) {
  WeightsReport report;
  const ConvWeights& first = weights.convs.at("conv1_1");
  // Correlation of each tap with its right neighbour, over all filters and input channels.
  double sum_xy = 0, sum_x = 0, sum_y = 0, sum_xx = 0, sum_yy = 0;
  std::size_t count = 0;
  for (std::size_t kernel = 0; kernel < first.weight.size() / 9; ++kernel) {
    const float* taps = &first.weight[kernel * 9];
    for (int row = 0; row < 3; ++row) {
      for (int column = 0; column < 2; ++column) {
        const double x = taps[row * 3 + column], y = taps[row * 3 + column + 1];
        sum_x += x; sum_y += y; sum_xy += x * y; sum_xx += x * x; sum_yy += y * y;
        ++count;
      }
    }
  }
  const double n = double(count);
  const double covariance = sum_xy / n - (sum_x / n) * (sum_y / n);
  const double spread = std::sqrt((sum_xx / n - std::pow(sum_x / n, 2)) * (sum_yy / n - std::pow(sum_y / n, 2)));
  report.conv1_smoothness = spread > 0 ? covariance / spread : 0;
  report.looks_pretrained = report.conv1_smoothness > kPretrainedSmoothness;

  // Preprocessed sample pixels, channel by channel in the file's order.
  double sum = 0, sum_squares = 0;
  const bool bgr = weights.channel_order == "BGR";
  for (std::size_t i = 0; i < sample_pixels.size(); ++i) {
    const std::size_t rgb_channel = i % 3;
    const std::size_t channel = bgr ? 2 - rgb_channel : rgb_channel;
    const double value = (sample_pixels[i] - weights.mean[channel]) / weights.std[channel];
    sum += value;
    sum_squares += value * value;
  }
  const double pixels = double(sample_pixels.size());
  const double mean = sum / pixels, deviation = std::sqrt(std::max(1e-12, sum_squares / pixels - mean * mean));
  report.input_mean_in_std = std::abs(mean) / deviation;
  report.preprocessing_plausible = report.input_mean_in_std < 1.0;

  const bool says_pretrained = weights.source.rfind("random", 0) != 0;
  if (says_pretrained && !report.looks_pretrained) {
    report.warnings.push_back(fmt::format(
        "source says '{}' but conv1_1 is not smooth (neighbour correlation {:.2f} <= {}): these look "
        "like random weights",
        weights.source, report.conv1_smoothness, kPretrainedSmoothness));
  }
  if (!report.preprocessing_plausible) {
    report.warnings.push_back(fmt::format(
        "preprocessed sample images are off centre by {:.2f} standard deviations: mean [{}, {}, {}] "
        "and std [{}, {}, {}] look wrong for the 0-255 pixel scale",
        report.input_mean_in_std, weights.mean[0], weights.mean[1], weights.mean[2], weights.std[0],
        weights.std[1], weights.std[2]));
  }
  return report;
}

}  // namespace stylesweep
