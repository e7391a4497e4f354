#include "engine/target_cache.h"

namespace stylesweep {

std::optional<std::map<std::string, torch::Tensor>> TargetCache::find(const std::string& key) {
  auto found = entries_.find(key);
  if (found == entries_.end()) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  recency_.splice(recency_.begin(), recency_, found->second.position);
  return found->second.tensors;
}

void TargetCache::insert(const std::string& key, std::map<std::string, torch::Tensor> tensors) {
  std::size_t size = 0;
  for (const auto& [name, tensor] : tensors) size += std::size_t(tensor.nbytes());
  if (size > budget_bytes_ || entries_.count(key)) return;
  while (bytes_ + size > budget_bytes_ && !recency_.empty()) {
    auto oldest = entries_.find(recency_.back());
    bytes_ -= oldest->second.bytes;
    entries_.erase(oldest);
    recency_.pop_back();
  }
  recency_.push_front(key);
  entries_[key] = {std::move(tensors), size, recency_.begin()};
  bytes_ += size;
}

}  // namespace stylesweep
