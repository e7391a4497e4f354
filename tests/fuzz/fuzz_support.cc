#include "fuzz_support.h"

#include <unistd.h>

#include <vector>

namespace stylesweep::fuzz {

std::string scratch_directory() {
  static const std::string directory = [] {
    std::string pattern = (access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    pattern += "/stylesweep-fuzz-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (!mkdtemp(buffer.data())) std::abort();
    return std::string(buffer.data());
  }();
  return directory;
}

}  // namespace stylesweep::fuzz
