#include "engine/device.h"

#include <torch/cuda.h>
#include <torch/version.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>

#include <malloc.h>
#include <sched.h>

#ifdef STYLESWEEP_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <cuda_runtime_api.h>
#endif

#include <algorithm>
#include <limits>
#include <cstdlib>
#include <thread>

#include <fmt/format.h>

#include "job/memory_estimate.h"

namespace stylesweep {

std::string libtorch_description() {
#ifdef STYLESWEEP_CUDA
  const std::size_t devices = torch::cuda::is_available() ? torch::cuda::device_count() : 0;
  return fmt::format("libtorch {}, CUDA ({} devices visible)", TORCH_VERSION, devices);
#else
  return fmt::format("libtorch {}, CPU only", TORCH_VERSION);
#endif
}

int gpu_for_worker(int local_worker_index, int workers_per_gpu, int gpu_count) {
  return (local_worker_index / std::max(1, workers_per_gpu)) % std::max(1, gpu_count);
}

DeviceChoice choose_device(int local_worker_index, int workers_on_node, int threads,
                           const std::string& max_memory, int workers_per_gpu) {
  DeviceChoice choice;
  if (!max_memory.empty()) choice.memory_budget = parse_memory_size(max_memory);
  if (torch::cuda::is_available()) {
    // cuBLAS is deterministic only with a fixed workspace, which must be chosen before its first
    // handle: a job with `deterministic: true` would otherwise fail inside libtorch.
    setenv("CUBLAS_WORKSPACE_CONFIG", ":4096:8", 0);
    const int count = int(torch::cuda::device_count());
    choice.name = "cuda:" + std::to_string(gpu_for_worker(local_worker_index, workers_per_gpu, count));
    if (max_memory.empty()) {
      if (const auto memory = device_memory(choice.name)) {
        choice.memory_budget = memory->total / std::max(1, workers_per_gpu);
      }
    }
    return choice;
  }
  choice.name = "cpu";
  if (max_memory.empty()) choice.memory_budget = default_memory_budget(workers_on_node);
  const CpuThreads cpu = cpu_threads(threads, workers_on_node);
  choice.threads = cpu.count;
  choice.threads_from = cpu.source;
  return choice;
}

namespace {

int positive_integer_variable(const char* name) {
  const char* text = std::getenv(name);
  if (!text) return 0;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  return end != text && *end == '\0' && value > 0 && value <= 4096 ? int(value) : 0;
}

// The cores this process may run on: mpirun's binding, taskset and Slurm's cpusets narrow it.
int usable_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return int(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

CpuThreads cpu_threads(int requested, int workers_on_node) {
  if (requested > 0) return {requested, "--threads"};
  // PyTorch's own convention; ctest sets it to 1 so that tests running side by side do not
  // oversubscribe the cores (OpenMP threads spin while they wait).
  if (const int omp = positive_integer_variable("OMP_NUM_THREADS")) return {omp, "OMP_NUM_THREADS"};
  if (const int slurm = positive_integer_variable("SLURM_CPUS_PER_TASK")) return {slurm, "SLURM_CPUS_PER_TASK"};
  return {std::max(1, usable_cores() / std::max(1, workers_on_node)), "cores"};
}

namespace {

// Each evaluation allocates and frees the same large activation buffers. By default glibc serves
// such blocks with mmap and unmaps them on free (or trims the heap), so every evaluation pays
// page faults for memory it just gave back: measured here, L-BFGS evaluations at 128 px took
// 40 % longer than Adam's for that reason alone. Keep freed memory in the process instead.
void keep_freed_memory_in_process() {
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
  mallopt(M_TOP_PAD, 256 << 20);
}

}  // namespace

void pin_intra_op_threads() { at::set_num_threads(at::get_num_threads()); }

std::string apply_device(const DeviceChoice& choice) {
  // Denormal floats make CPU convolutions several times slower; they carry no visible signal in
  // 0-255 images, so flush them to zero (torch.set_flush_denormal).
  at::globalContext().setFlushDenormal(true);
  if (choice.threads > 0) keep_freed_memory_in_process();
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
  if (choice.threads <= 0) return choice.name;
  return fmt::format("{} ({} thread{}{})", choice.name, choice.threads, choice.threads == 1 ? "" : "s",
                     choice.threads_from.empty() || choice.threads_from == "--threads"
                         ? ""
                         : ", from " + choice.threads_from);
}

void apply_numerics(Precision precision, bool deterministic) {
  at::Context& context = at::globalContext();
  const bool tf32 = precision == Precision::kTf32;
  context.setAllowTF32CuDNN(tf32);
  context.setAllowTF32CuBLAS(tf32);
  context.setDeterministicAlgorithms(deterministic, false);
  context.setDeterministicCuDNN(deterministic);
  context.setBenchmarkCuDNN(!deterministic);
}

NumericsSettings current_numerics() {
  const at::Context& context = at::globalContext();
  return {context.allowTF32CuDNN(), context.allowTF32CuBLAS(), context.deterministicAlgorithms(),
          context.benchmarkCuDNN()};
}

NumericsGuard::NumericsGuard(Precision precision, bool deterministic) : previous_(current_numerics()) {
  apply_numerics(precision, deterministic);
}

NumericsGuard::~NumericsGuard() {
  at::Context& context = at::globalContext();
  context.setAllowTF32CuDNN(previous_.tf32_convolutions);
  context.setAllowTF32CuBLAS(previous_.tf32_matmul);
  context.setDeterministicAlgorithms(previous_.deterministic, false);
  context.setDeterministicCuDNN(previous_.deterministic);
  context.setBenchmarkCuDNN(previous_.cudnn_benchmark);
}

std::optional<DeviceMemory> device_memory(const std::string& device_name) {
#ifdef STYLESWEEP_CUDA
  if (device_name.rfind("cuda", 0) != 0) return std::nullopt;
  const c10::Device device(device_name);
  const c10::cuda::CUDAGuard guard(device.has_index() ? device.index() : 0);
  // Blocks the allocator caches are free to this process but not to cudaMemGetInfo.
  c10::cuda::CUDACachingAllocator::emptyCache();
  std::size_t free = 0, total = 0;
  if (cudaMemGetInfo(&free, &total) != cudaSuccess) return std::nullopt;
  return DeviceMemory{std::int64_t(free), std::int64_t(total)};
#else
  (void)device_name;
  return std::nullopt;
#endif
}

}  // namespace stylesweep
