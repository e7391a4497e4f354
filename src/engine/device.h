// Device choice, in one place: CUDA when libtorch has it (device index = local worker index mod
// device count), otherwise the CPU with a deliberate number of intra-op threads.
#pragma once

#include <string>

namespace c10 { struct Device; }

namespace stylesweep {

struct DeviceChoice {
  std::string name;   // "cpu" or "cuda:N", as torch::Device parses it
  int threads = 0;    // intra-op threads on CPU; 0 leaves libtorch's default
};

// local_worker_index: this worker's index among the workers on its node (0 for a lone process).
// threads: requested CPU threads; 0 picks all cores / workers_on_node.
DeviceChoice choose_device(int local_worker_index, int workers_on_node, int threads);

// Sets libtorch's intra-op thread count for a CPU choice; returns a one-line description.
std::string apply_device(const DeviceChoice& choice);

}  // namespace stylesweep
