// Decoded and resized input images by path and long side: a sweep reuses a few images across
// many jobs, and for small jobs decoding them again costs more than the optimization. A file
// whose size or modification time changed is read again. No libtorch.
#pragma once

#include <map>
#include <string>

#include "image/image.h"

namespace stylesweep {

class ResizedImages {
 public:
  // The image at `path` with its long side resized to `long_side`; the reference stays valid
  // until the next call.
  const Image& get(const std::string& path, int long_side);

 private:
  static constexpr std::size_t kMaxImages = 32;
  std::map<std::string, Image> images_;
};

}  // namespace stylesweep
