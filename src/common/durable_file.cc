#include "common/durable_file.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "common/error.h"

namespace stylesweep {
namespace {

// Opens `path`, runs `sync` (fsync or syncfs) on it and closes it; throws naming the path.
void sync_path(const std::string& path, int flags, int (*sync)(int), const char* sync_name) {
  const int descriptor = ::open(path.c_str(), flags);
  if (descriptor < 0) throw io_error(path, std::string("cannot open to sync: ") + std::strerror(errno));
  const int result = sync(descriptor);
  const int saved = errno;
  ::close(descriptor);
  if (result != 0) throw io_error(path, std::string(sync_name) + " failed: " + std::strerror(saved));
}

void fsync_path(const std::string& path, int flags) { sync_path(path, flags, ::fsync, "fsync"); }

}  // namespace

std::string temporary_path_for(const std::string& path) {
  return path + ".tmp-" + std::to_string(::getpid());
}

void rename_into_place(const std::string& temporary, const std::string& path) {
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    throw io_error(path, std::string("cannot rename into place: ") + std::strerror(errno));
  }
}

void sync_filesystem(const std::string& path) { sync_path(path, O_RDONLY, ::syncfs, "syncfs"); }

void commit_file(const std::string& temporary, const std::string& path) {
  fsync_path(temporary, O_RDONLY);
  rename_into_place(temporary, path);
  std::string directory = std::filesystem::path(path).parent_path().string();
  fsync_path(directory.empty() ? "." : directory, O_RDONLY | O_DIRECTORY);
}

void write_file_durably(const std::string& path, const std::string& bytes) {
  const std::string temporary = temporary_path_for(path);
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (!file) {
    const std::string reason = std::strerror(errno);
    throw file_error(temporary, "cannot create: " + reason, write_failure_kind(temporary));
  }
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed) {
    std::remove(temporary.c_str());
    throw file_error(temporary, "write failed: " + write_failure_reason(temporary),
                     write_failure_kind(temporary));
  }
  commit_file(temporary, path);
}

ErrorKind write_failure_kind(const std::string& path) {
  std::string directory = std::filesystem::path(path).parent_path().string();
  if (directory.empty()) directory = ".";
  std::error_code error;
  const bool usable = std::filesystem::is_directory(directory, error) && ::access(directory.c_str(), W_OK) == 0;
  return usable ? ErrorKind::kIo : ErrorKind::kBadInput;
}

std::string write_failure_reason(const std::string& path) {
  std::string directory = std::filesystem::path(path).parent_path().string();
  if (directory.empty()) directory = ".";
  std::error_code error;
  if (!std::filesystem::exists(directory, error)) return directory + " does not exist";
  if (!std::filesystem::is_directory(directory, error)) return directory + " is not a directory";
  if (::access(directory.c_str(), W_OK) != 0) return directory + " is not writable";
  struct statvfs space {};
  if (::statvfs(directory.c_str(), &space) == 0) {
    const unsigned long long free_bytes =
        static_cast<unsigned long long>(space.f_bavail) * space.f_frsize;
    if (free_bytes < (1ULL << 20)) {
      return "disk full (" + std::to_string(free_bytes >> 10) + " KiB free on " + directory + ")";
    }
    if (space.f_favail == 0) return "no free inodes on " + directory;
  }
  return "an I/O error, a quota or a full disk (the library gives no reason)";
}

}  // namespace stylesweep
