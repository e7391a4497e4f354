// Fixtures shared by the test suites: temporary directories and small generated images.
#pragma once

#include <string>

#include "image/image.h"

namespace stylesweep::testing {

// A fresh directory under the system temp dir, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A deterministic pattern (smooth gradients plus shapes) of the given size; `variant` changes it.
Image pattern_image(int width, int height, int variant);
// Writes pattern_image as a PNG and returns its path.
std::string write_pattern_png(const TempDir& dir, const std::string& name, int width, int height,
                              int variant);
// Writes random_weights(seed) into dir and returns its path (cached per directory).
std::string write_random_weights(const TempDir& dir, std::uint64_t seed = 0);
std::string read_text_file(const std::string& path);
void write_text_file(const std::string& path, const std::string& bytes);

}  // namespace stylesweep::testing
