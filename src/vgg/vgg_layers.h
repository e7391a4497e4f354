// The VGG-19 layer table (Simonyan and Zisserman, configuration E), without libtorch: names,
// kinds and channel counts. The network module, the weights files and the job planner all read it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stylesweep {

enum class LayerKind { kConv, kRelu, kPool };

struct LayerSpec {
  std::string name;        // conv1_1, relu1_1, ..., pool1, ...
  LayerKind kind;
  int in_channels;
  int out_channels;
  int downsampling;        // spatial stride of this layer's output relative to the input image
};

// Every layer in forward order: conv3_3, relu3_3, pool3, ...
const std::vector<LayerSpec>& vgg19_layers();
// The 16 convolution names, conv1_1 ... conv5_4.
const std::vector<std::string>& vgg19_conv_names();
std::vector<std::string> vgg19_layer_names();

// Position in vgg19_layers(); throws Error "unknown VGG-19 layer 'x' (did you mean ...)" otherwise.
int vgg19_layer_index(const std::string& name);
bool is_vgg19_layer(const std::string& name);
const LayerSpec& vgg19_layer(const std::string& name);

// The deepest of the given layers, which is where a forward pass may stop.
int deepest_layer_index(const std::vector<std::string>& names);

// Feature positions M (height x width) of `layer` for a width x height input: each pooling halves
// both sides, rounding down, as the network does.
std::int64_t layer_positions(int width, int height, const std::string& layer);

// Throws Error when a width x height image is too small to reach the deepest of `layers` (each
// pooling halves it); `role` ("content", "style") names the image in the message.
void require_large_enough(int width, int height, const std::vector<std::string>& layers,
                          const std::string& role);

}  // namespace stylesweep
