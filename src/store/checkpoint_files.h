// <output>/checkpoints/<id>.ckpt: the checkpoints of interrupted jobs, sent with the job when it
// is dispatched again (by this run or another one writing the same output), and removed once the
// job is committed.
#pragma once

#include <optional>
#include <set>
#include <string>

namespace stylesweep {

class CheckpointFiles {
 public:
  explicit CheckpointFiles(std::string directory);

  std::string path(const std::string& id) const { return directory_ + "/" + id + ".ckpt"; }
  // Written durably (temporary name, fsync, rename).
  void save(const std::string& id, const std::string& bytes);
  std::optional<std::string> load(const std::string& id) const;
  // For a committed job, which is not dispatched again; safe from the store's writer thread.
  void remove(const std::string& id) const;

 private:
  std::string directory_;
};

}  // namespace stylesweep
