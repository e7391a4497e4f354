// A bounded LRU cache of target tensors (content features, style Grams) keyed by what determines
// them: image, size, layers and pooling. A worker running a sweep meets the same content and
// style images again and again; their targets are computed once while they fit the budget.
#pragma once

#include <torch/types.h>

#include <cstddef>
#include <list>
#include <map>
#include <optional>
#include <string>

namespace stylesweep {

class TargetCache {
 public:
  explicit TargetCache(std::size_t budget_bytes) : budget_bytes_(budget_bytes) {}

  // The cached tensors under `key`, refreshed as most recently used.
  std::optional<std::map<std::string, torch::Tensor>> find(const std::string& key);
  // Stores tensors under `key`, evicting the least recently used entries beyond the budget.
  // An entry larger than the whole budget is not kept.
  void insert(const std::string& key, std::map<std::string, torch::Tensor> tensors);

  std::size_t bytes() const { return bytes_; }
  std::size_t hits() const { return hits_; }
  std::size_t misses() const { return misses_; }

 private:
  struct Entry {
    std::map<std::string, torch::Tensor> tensors;
    std::size_t bytes;
    std::list<std::string>::iterator position;
  };
  std::size_t budget_bytes_;
  std::size_t bytes_ = 0;
  std::size_t hits_ = 0, misses_ = 0;
  std::list<std::string> recency_;  // front: most recent
  std::map<std::string, Entry> entries_;
};

}  // namespace stylesweep
