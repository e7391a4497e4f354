// SHA-256 (FIPS 180-4) of byte strings and files: weights and images are identified by content.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace stylesweep {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  std::string hex_digest();  // finalizes; call once

 private:
  void compress(const std::uint8_t* block);
  std::uint32_t state_[8];
  std::uint8_t buffer_[64];
  std::size_t buffer_size_ = 0;
  std::uint64_t total_bytes_ = 0;
};

// The block function, exposed so tests can compare the two: compress_accelerated uses the x86
// SHA extensions and returns false (doing nothing) where the CPU lacks them.
namespace sha256_detail {
void compress_portable(std::uint32_t state[8], const std::uint8_t* block);
bool compress_accelerated(std::uint32_t state[8], const std::uint8_t* block);
}  // namespace sha256_detail

std::string sha256_hex(const std::string& bytes);
// Throws Error naming the path when the file cannot be read.
std::string sha256_file(const std::string& path);

// Hashes each file once: a sweep refers to the same few images from thousands of jobs.
class FileHashCache {
 public:
  const std::string& operator()(const std::string& path);
  // A hash computed before, or nullptr; safe to call from several threads while nothing is added.
  const std::string* find(const std::string& path) const;

 private:
  std::map<std::string, std::string> hashes_;
};

}  // namespace stylesweep
