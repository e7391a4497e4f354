#include "engine/weights_library.h"

#include <torch/torch.h>

#include <algorithm>

#include "common/sha256.h"

namespace stylesweep {
namespace {

std::int64_t parameter_bytes(const VggWeights& weights) {
  std::int64_t floats = 0;
  for (const auto& [name, conv] : weights.convs) floats += std::int64_t(conv.weight.size() + conv.bias.size());
  return floats * std::int64_t(sizeof(float));
}

}  // namespace

LoadedWeights::LoadedWeights(std::string path_, std::string sha256_, VggWeights weights, const torch::Device& device)
    : path(std::move(path_)), sha256(std::move(sha256_)),
      // The host copy, a float32 network and perhaps a bfloat16 one.
      bytes(parameter_bytes(weights) * 5 / 2), networks(std::move(weights), path, device) {}

LoadedWeights& WeightsLibrary::get(const std::string& path) {
  auto found = files_.find(path);
  // Read (and validated) before hashing, so a bad file is reported as such.
  if (found == files_.end()) return add(path, read_weights(path));
  found->second->last_use = ++uses_;
  evict_beyond_budget(*found->second);
  return *found->second;
}

LoadedWeights& WeightsLibrary::add(const std::string& path, VggWeights weights) {
  auto loaded = std::make_unique<LoadedWeights>(path, sha256_file(path), std::move(weights), device_);
  auto& file = files_[path];
  file = std::move(loaded);
  file->last_use = ++uses_;
  evict_beyond_budget(*file);
  return *file;
}

void WeightsLibrary::set_pinned(const std::string& path, bool pinned) { get(path).pinned = pinned; }

std::vector<std::string> WeightsLibrary::loaded() const {
  std::vector<const LoadedWeights*> files;
  for (const auto& [path, file] : files_) files.push_back(file.get());
  std::sort(files.begin(), files.end(), [](auto* a, auto* b) { return a->last_use > b->last_use; });
  std::vector<std::string> paths;
  for (const LoadedWeights* file : files) paths.push_back(file->path);
  return paths;
}

void WeightsLibrary::evict_beyond_budget(const LoadedWeights& keep) {
  for (;;) {
    std::int64_t total = 0;
    LoadedWeights* oldest = nullptr;
    for (const auto& [path, file] : files_) {
      total += file->bytes;
      if (file.get() != &keep && !file->pinned && (!oldest || file->last_use < oldest->last_use)) oldest = file.get();
    }
    if (total <= budget_ || !oldest) return;
    files_.erase(oldest->path);
  }
}

}  // namespace stylesweep
