#include "engine/device.h"

#include <torch/cuda.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include <fmt/format.h>

namespace stylesweep {

DeviceChoice choose_device(int local_worker_index, int workers_on_node, int threads) {
  DeviceChoice choice;
  if (torch::cuda::is_available()) {
    const int count = int(torch::cuda::device_count());
    choice.name = "cuda:" + std::to_string(local_worker_index % count);
    return choice;
  }
  choice.name = "cpu";
  if (threads <= 0) {
    if (const char* slurm = std::getenv("SLURM_CPUS_PER_TASK")) threads = std::atoi(slurm);
  }
  if (threads <= 0) {
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    threads = std::max(1, cores / std::max(1, workers_on_node));
  }
  choice.threads = threads;
  return choice;
}

std::string apply_device(const DeviceChoice& choice) {
  if (choice.threads > 0) {
    at::set_num_threads(choice.threads);
    // One rank per slice already parallelizes across slices; nested inter-op threads only compete.
    // libtorch allows setting it once per process, before any inter-op work.
    static const bool interop_set = [] {
      at::set_num_interop_threads(1);
      return true;
    }();
    (void)interop_set;
  }
  return choice.threads > 0 ? fmt::format("{} ({} threads)", choice.name, choice.threads)
                            : choice.name;
}

}  // namespace stylesweep
