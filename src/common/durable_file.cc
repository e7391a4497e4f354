#include "common/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "common/error.h"

namespace stylesweep {
namespace {

void fsync_path(const std::string& path, int flags) {
  const int descriptor = ::open(path.c_str(), flags);
  if (descriptor < 0) throw file_error(path, std::string("cannot open to sync: ") + std::strerror(errno));
  const int result = ::fsync(descriptor);
  const int saved = errno;
  ::close(descriptor);
  if (result != 0) throw file_error(path, std::string("fsync failed: ") + std::strerror(saved));
}

}  // namespace

std::string temporary_path_for(const std::string& path) {
  return path + ".tmp-" + std::to_string(::getpid());
}

void commit_file(const std::string& temporary, const std::string& path) {
  fsync_path(temporary, O_RDONLY);
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    throw file_error(path, std::string("cannot rename into place: ") + std::strerror(errno));
  }
  std::string directory = std::filesystem::path(path).parent_path().string();
  fsync_path(directory.empty() ? "." : directory, O_RDONLY | O_DIRECTORY);
}

void write_file_durably(const std::string& path, const std::string& bytes) {
  const std::string temporary = temporary_path_for(path);
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (!file) throw file_error(temporary, std::string("cannot create: ") + std::strerror(errno));
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed) {
    std::remove(temporary.c_str());
    throw file_error(temporary, "write failed (disk full?)");
  }
  commit_file(temporary, path);
}

}  // namespace stylesweep
