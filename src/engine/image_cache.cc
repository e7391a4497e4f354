#include "engine/image_cache.h"

#include <filesystem>

#include <fmt/format.h>

#include "image/image.h"

namespace stylesweep {

const Image& ResizedImages::get(const std::string& path, int long_side) {
  std::error_code error;
  const auto bytes = std::filesystem::file_size(path, error);
  const auto modified = std::filesystem::last_write_time(path, error).time_since_epoch().count();
  const std::string key = fmt::format("{}|{}|{}|{}", path, long_side, bytes, modified);
  auto found = images_.find(key);
  if (found != images_.end()) return found->second;
  if (images_.size() >= kMaxImages) images_.clear();
  return images_.emplace(key, resize_long_side(read_image(path), long_side)).first->second;
}

}  // namespace stylesweep
