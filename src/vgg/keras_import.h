// Keras' VGG-19 weights (vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5) into the project's
// format. The file lists its layers in the root attribute `layer_names`; each layer group lists
// its datasets in `weight_names` (2016 files: block1_conv1_W_1:0 / block1_conv1_b_1:0; files
// re-saved by later Keras: block1_conv1/kernel:0 / bias:0). Kernels are HWIO and become OIHW;
// block{b}_conv{c} becomes conv{b}_{c}; preprocessing is Caffe's: BGR, mean [103.939, 116.779,
// 123.68], std 1.
#pragma once

#include <string>

#include "vgg/weights_file.h"

namespace stylesweep {

// Throws Error naming the file and the layer or dataset for unknown layouts, missing layers,
// wrong shapes and unreadable files.
VggWeights import_keras_weights(const std::string& path);

}  // namespace stylesweep
