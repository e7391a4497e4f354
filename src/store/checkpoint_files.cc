#include "store/checkpoint_files.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/durable_file.h"

namespace stylesweep {

namespace fs = std::filesystem;

CheckpointFiles::CheckpointFiles(std::string directory) : directory_(std::move(directory)) {}

void CheckpointFiles::save(const std::string& id, const std::string& bytes) {
  write_file_durably(path(id), bytes);
}

std::optional<std::string> CheckpointFiles::load(const std::string& id) const {
  // Another run may have written it since this one started: always look (a failed open is cheap).
  std::ifstream in(path(id), std::ios::binary);
  if (!in) return std::nullopt;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void CheckpointFiles::remove(const std::string& id) const {
  std::error_code ignored;
  fs::remove(path(id), ignored);
}

}  // namespace stylesweep
