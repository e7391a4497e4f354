// Device choice, in one place: CUDA when libtorch has it (device index = local worker index mod
// device count), otherwise the CPU with a deliberate number of intra-op threads.
#pragma once

#include <cstdint>
#include <string>

namespace c10 { struct Device; }

namespace stylesweep {

struct DeviceChoice {
  std::string name;   // "cpu" or "cuda:N", as torch::Device parses it
  int threads = 0;    // intra-op threads on CPU; 0 leaves libtorch's default
  // Bytes one job may need (job/memory_estimate.h); 0: unchecked.
  std::int64_t memory_budget = 0;
};

// local_worker_index: this worker's index among the workers on its node (0 for a lone process).
// threads: requested CPU threads; 0 picks all cores / workers_on_node.
// max_memory: --max-memory ("8G"); empty: on CPU the node's memory shared by its workers, on a
// GPU unchecked (libtorch 1.13's C++ API cannot ask a device its size).
DeviceChoice choose_device(int local_worker_index, int workers_on_node, int threads,
                           const std::string& max_memory = "");

// Sets libtorch's intra-op thread count for a CPU choice; returns a one-line description.
std::string apply_device(const DeviceChoice& choice);

}  // namespace stylesweep
