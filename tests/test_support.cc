#include "test_support.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "vgg/random_weights.h"

namespace stylesweep::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "stylesweep-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

Image pattern_image(int width, int height, int variant) {
  Image image{width, height, std::vector<float>(std::size_t(width) * height * 3)};
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const double u = double(x) / width, v = double(y) / height;
      const bool disc = std::hypot(u - 0.5, v - 0.5) < 0.25;
      const double stripes = 0.5 + 0.5 * std::sin((variant + 2) * 6.0 * (u + v));
      image.at(y, x, 0) = float(255 * (variant % 2 ? stripes : u));
      image.at(y, x, 1) = float(disc ? 220 : 40 + 100 * v);
      image.at(y, x, 2) = float(255 * (variant % 2 ? 1 - v : stripes));
    }
  }
  return image;
}

std::string write_pattern_png(const TempDir& dir, const std::string& name, int width, int height,
                              int variant) {
  const std::string path = dir.file(name);
  write_png(path, pattern_image(width, height, variant));
  return path;
}

std::string write_random_weights(const TempDir& dir, std::uint64_t seed) {
  const std::string path = dir.file("weights-seed" + std::to_string(seed) + ".h5");
  if (!std::filesystem::exists(path)) write_weights(path, random_weights(seed));
  return path;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace stylesweep::testing
