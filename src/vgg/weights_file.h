// The project's VGG-19 weights file (HDF5), read and written without libtorch.
//
// Layout (read by h5py tools too, so it is fixed):
//   /conv1_1/weight  float32 [out, in, 3, 3] (OIHW)     /conv1_1/bias  float32 [out]
//   ... for conv1_1 ... conv5_4; a file may hold only a prefix of them.
//   root attributes: format = "stylesweep-vgg19", format_version = 1,
//     channel_order = "RGB" | "BGR", mean float64[3], std float64[3] (0-255 pixel scale;
//     network input = (pixel - mean) / std in channel_order), source (free text).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace stylesweep {

struct ConvWeights {
  std::vector<float> weight;  // OIHW
  std::vector<float> bias;
  int out_channels = 0;
  int in_channels = 0;
};

struct VggWeights {
  std::string channel_order = "RGB";
  std::vector<double> mean = {0, 0, 0};
  std::vector<double> std = {1, 1, 1};
  std::string source;
  std::map<std::string, ConvWeights> convs;  // by conv name; possibly a prefix of the 16

  // Throws Error naming the file and the first conv of `needed_convs` that is absent.
  void require_convs(const std::vector<std::string>& needed_convs, const std::string& path) const;
};

constexpr const char* kWeightsFormat = "stylesweep-vgg19";
constexpr int kWeightsFormatVersion = 1;

// Validates format attributes, presence, shape, dtype and finiteness; errors name the file and
// the offending dataset or attribute.
VggWeights read_weights(const std::string& path);
void write_weights(const std::string& path, const VggWeights& weights);
// The `source` attribute alone ("" when absent), without reading the layers.
std::string read_weights_source(const std::string& path);

}  // namespace stylesweep
