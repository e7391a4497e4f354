// The weights files a worker has loaded: each file's networks (engine/network_cache.h) and its
// SHA-256, kept between jobs so a sweep with weights as an axis reads each file once. Bounded by
// memory: loading a file beyond the budget drops the least recently used others, never a pinned
// one (the yardstick's) nor the one just asked for.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/network_cache.h"

namespace stylesweep {

struct LoadedWeights {
  LoadedWeights(std::string path, std::string sha256, VggWeights weights, const torch::Device& device);

  std::string path;
  std::string sha256;
  std::int64_t bytes = 0;  // the parameters on the host and on the device (before `networks`: made from them)
  NetworkCache networks;
  std::uint64_t last_use = 0;
  bool pinned = false;
};

class WeightsLibrary {
 public:
  // Room for a few full VGG-19 files (about 80 MB of parameters each, as float32).
  static constexpr std::int64_t kDefaultBudgetBytes = std::int64_t(2) << 30;

  explicit WeightsLibrary(const torch::Device& device) : device_(device) {}

  // The file at `path`, read, validated and hashed on first use (Error naming the file).
  LoadedWeights& get(const std::string& path);
  // The same, for a file the caller has read already.
  LoadedWeights& add(const std::string& path, VggWeights weights);
  // Keeps the file loaded whatever the budget (or no longer).
  void set_pinned(const std::string& path, bool pinned);
  void set_budget(std::int64_t bytes) { budget_ = bytes; }
  // The loaded files' paths, most recently used first.
  std::vector<std::string> loaded() const;
  const torch::Device& device() const { return device_; }

 private:
  void evict_beyond_budget(const LoadedWeights& keep);

  torch::Device device_;
  std::int64_t budget_ = kDefaultBudgetBytes;
  std::uint64_t uses_ = 0;
  std::map<std::string, std::unique_ptr<LoadedWeights>> files_;
};

}  // namespace stylesweep
