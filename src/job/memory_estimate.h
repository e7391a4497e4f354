// How much memory a job needs, from the layer shapes alone, so a job that cannot fit fails with
// the estimate in its message before it starts instead of the rank being killed for memory.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "job/job_params.h"

namespace stylesweep {

struct MemoryEstimate {
  std::int64_t runtime = 0;      // the process and libtorch before any job (measured constant)
  std::int64_t weights = 0;      // convolution weights and biases up to the deepest layer
  std::int64_t activations = 0;  // every layer output kept for the backward pass
  std::int64_t gradients = 0;    // gradients of those outputs during the backward pass
  std::int64_t optimizer = 0;    // L-BFGS history or Adam moments over the image's pixels
  std::int64_t targets = 0;      // content features and style Gram matrices
  std::int64_t total() const {
    return runtime + weights + activations + gradients + optimizer + targets;
  }
  // What a GPU job holds on its device: all but the process's own runtime.
  std::int64_t on_device() const { return total() - runtime; }
  // "1.7 GiB (activations 0.6 GiB, L-BFGS history 0.6 GiB, ...)"
  std::string describe() const;
};

// Peak bytes of one job on a content image of width x height (after resizing) and style images
// of `style_sizes`, float32. Calibrated on this project's CPU engine against the measured peak
// resident size (bench/memory_check.sh prints both).
MemoryEstimate estimate_job_memory(const StyleJob& job, std::pair<int, int> content_size,
                                   const std::vector<std::pair<int, int>>& style_sizes);

// Where a job's memory must fit: its worker's budget and, on a GPU, what the device has free.
struct MemoryLimits {
  std::int64_t budget = 0;        // bytes; 0: no budget
  std::int64_t device_free = -1;  // bytes free on the device now (cudaMemGetInfo); < 0: no GPU
  std::int64_t device_total = 0;
  std::string device;             // "cuda:0", for the message
};
// Throws Error with the estimate and the figure it exceeds: the whole estimate against the
// budget, the estimate's device part (MemoryEstimate::on_device) against the device's free memory.
void require_memory_fits(const MemoryEstimate& need, std::pair<int, int> content_size, const MemoryLimits& limits);

// The default budget of one worker: physical memory shared by the ranks on the node.
std::int64_t default_memory_budget(int workers_on_node);

// "8G", "512M", "1.5GiB", "2000000000": bytes; throws Error naming the text otherwise.
std::int64_t parse_memory_size(const std::string& text);
std::string format_bytes(std::int64_t bytes);

}  // namespace stylesweep
