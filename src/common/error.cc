#include "common/error.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace stylesweep {

Error file_error(const std::string& path, const std::string& reason, ErrorKind kind) {
  return Error(path + ": " + reason, kind);
}

Error io_error(const std::string& path, const std::string& reason) {
  return file_error(path, reason, ErrorKind::kIo);
}

long long existing_file_size(const std::string& path, const std::string& expected) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    // A relative path is read from the working directory, which the reader may not know.
    std::error_code ignored;
    const std::string from = std::filesystem::path(path).is_relative() && !path.empty()
                                 ? " (relative to " + std::filesystem::current_path(ignored).string() + ")"
                                 : "";
    throw file_error(path, "no such file" + from, ErrorKind::kBadInput);
  }
  if (S_ISDIR(info.st_mode)) throw file_error(path, "is a directory, expected " + expected, ErrorKind::kBadInput);
  return static_cast<long long>(info.st_size);
}

std::string read_file_bytes(const std::string& path, const std::string& expected) {
  existing_file_size(path, expected);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw file_error(path, "cannot open for reading (permission denied?)", ErrorKind::kBadInput);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace stylesweep
