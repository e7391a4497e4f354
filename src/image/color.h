// Colour handling for `preserve_colors`: keep the luminance of the result and the chroma of the
// content (ITU-R BT.601 YCbCr, full range), as Gatys et al. 2016 "Preserving color" and the
// anchors' --original_colors do.
#pragma once

#include "image/image.h"

namespace stylesweep {

// Both images must have the same size.
Image transfer_luminance(const Image& luminance_source, const Image& chroma_source);

}  // namespace stylesweep
