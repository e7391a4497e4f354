#include "image/color.h"

#include <algorithm>

#include "common/error.h"

namespace stylesweep {

Image transfer_luminance(const Image& luminance_source, const Image& chroma_source) {
  if (luminance_source.width != chroma_source.width ||
      luminance_source.height != chroma_source.height) {
    throw Error("transfer_luminance: images differ in size", ErrorKind::kInternal);
  }
  Image result = luminance_source;
  for (std::size_t i = 0; i < result.pixels.size(); i += 3) {
    const float* styled = &luminance_source.pixels[i];
    const float* content = &chroma_source.pixels[i];
    const float y = 0.299f * std::clamp(styled[0], 0.f, 255.f) +
                    0.587f * std::clamp(styled[1], 0.f, 255.f) +
                    0.114f * std::clamp(styled[2], 0.f, 255.f);
    const float cb = -0.168736f * content[0] - 0.331264f * content[1] + 0.5f * content[2];
    const float cr = 0.5f * content[0] - 0.418688f * content[1] - 0.081312f * content[2];
    result.pixels[i] = y + 1.402f * cr;
    result.pixels[i + 1] = y - 0.344136f * cb - 0.714136f * cr;
    result.pixels[i + 2] = y + 1.772f * cb;
  }
  return result;
}

}  // namespace stylesweep
