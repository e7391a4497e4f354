// Device choice, in one place: CUDA when libtorch has it (device index = local worker index mod
// device count), otherwise the CPU with a deliberate number of intra-op threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "job/job_choices.h"

namespace c10 { struct Device; }

namespace stylesweep {

struct DeviceChoice {
  std::string name;   // "cpu" or "cuda:N", as torch::Device parses it
  int threads = 0;    // intra-op threads on CPU; 0 leaves libtorch's default
  std::string threads_from;  // what chose them (cpu_threads' source)
  // Bytes one job may need (job/memory_estimate.h); 0: unchecked.
  std::int64_t memory_budget = 0;
};

// CPU threads for one worker, and what chose them: the request (--threads) if positive, else
// OMP_NUM_THREADS, else SLURM_CPUS_PER_TASK, else the cores this process may use (its affinity)
// shared among the node's workers.
struct CpuThreads {
  int count = 1;
  std::string source;  // "--threads", "OMP_NUM_THREADS", "SLURM_CPUS_PER_TASK" or "cores"
};
CpuThreads cpu_threads(int requested, int workers_on_node);

// local_worker_index: this worker's index among the workers on its node (0 for a lone process).
// threads: requested CPU threads; 0 chooses as cpu_threads does.
// max_memory: --max-memory ("8G"); empty: on CPU the node's memory shared by its workers, on a
// GPU the device's memory shared by the workers_per_gpu workers that run on it.
// workers_per_gpu: K consecutive workers of a node share one GPU (--workers-per-gpu).
DeviceChoice choose_device(int local_worker_index, int workers_on_node, int threads,
                           const std::string& max_memory = "", int workers_per_gpu = 1);

// The GPU of a node's worker: workers 0…K-1 on GPU 0, K…2K-1 on GPU 1, and round again when a
// node has more workers than K per GPU.
int gpu_for_worker(int local_worker_index, int workers_per_gpu, int gpu_count);

// "libtorch 2.11.0, CUDA (1 device)", "libtorch 1.13.0, CPU only": what --version reports.
std::string libtorch_description();

// Pins libtorch's intra-op thread count at its current value. With MKL (PyPI's libtorch) this
// also turns MKL_DYNAMIC off: MKL would otherwise use fewer threads when the machine is busy,
// and the same job would change in its last bits with the load.
void pin_intra_op_threads();

// Sets libtorch's intra-op thread count for a CPU choice; returns a one-line description.
std::string apply_device(const DeviceChoice& choice);

// libtorch's process-wide switches for a job's arithmetic, set before each job (jobs of one
// worker may differ): TF32 for cuDNN convolutions and cuBLAS products only for `tf32`;
// deterministic algorithms, or cuDNN benchmarking its algorithms once per shape.
void apply_numerics(Precision precision, bool deterministic);
struct NumericsSettings {
  bool tf32_convolutions = false, tf32_matmul = false;
  bool deterministic = false, cudnn_benchmark = false;
};
NumericsSettings current_numerics();

// Sets a job's arithmetic (apply_numerics) for its own lifetime and puts back the settings it
// found: the yardstick measures in float32 inside a job of any precision.
class NumericsGuard {
 public:
  NumericsGuard(Precision precision, bool deterministic);
  ~NumericsGuard();
  NumericsGuard(const NumericsGuard&) = delete;
  NumericsGuard& operator=(const NumericsGuard&) = delete;

 private:
  NumericsSettings previous_;
};

// A device's memory as the driver reports it (cudaMemGetInfo), after this process has returned
// the blocks its caching allocator holds unused; nullopt for the CPU or without CUDA.
struct DeviceMemory {
  std::int64_t free = 0, total = 0;
};
std::optional<DeviceMemory> device_memory(const std::string& device_name);

}  // namespace stylesweep
