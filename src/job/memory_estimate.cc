#include "job/memory_estimate.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "common/error.h"
#include "vgg/vgg_layers.h"

namespace stylesweep {
namespace {

constexpr std::int64_t kFloatBytes = 4;
// Resident size of a worker with libtorch loaded and no network yet (measured on Debian's CPU
// libtorch 1.13: about 295 MiB).
constexpr std::int64_t kRuntimeBytes = std::int64_t(295) << 20;
constexpr int kLbfgsHistory = 100;  // engine/stylize.cc

std::int64_t positions(std::pair<int, int> size, int downsampling) {
  return std::int64_t(size.first / downsampling) * (size.second / downsampling);
}

}  // namespace

std::string MemoryEstimate::describe() const {
  auto gib = [](std::int64_t bytes) { return double(bytes) / double(std::int64_t(1) << 30); };
  return fmt::format("{} (runtime {:.2f} GiB, weights {:.2f}, activations {:.2f}, gradients {:.2f}, "
                     "optimizer {:.2f}, targets {:.2f})",
                     format_bytes(total()), gib(runtime), gib(weights), gib(activations),
                     gib(gradients), gib(optimizer), gib(targets));
}

MemoryEstimate estimate_job_memory(const StyleJob& job, std::pair<int, int> content_size,
                                   const std::vector<std::pair<int, int>>& style_sizes) {
  std::vector<std::string> layers = job.content_layers;
  layers.insert(layers.end(), job.style_layers.begin(), job.style_layers.end());
  const int deepest = deepest_layer_index(layers);
  const auto& table = vgg19_layers();
  MemoryEstimate estimate;
  estimate.runtime = kRuntimeBytes;
  for (int i = 0; i <= deepest; ++i) {
    const LayerSpec& layer = table[std::size_t(i)];
    const std::int64_t elements = layer.out_channels * positions(content_size, layer.downsampling);
    estimate.activations += elements * kFloatBytes;
    if (layer.kind == LayerKind::kConv) {
      estimate.weights += (9 * std::int64_t(layer.in_channels) + 1) * layer.out_channels * kFloatBytes;
    }
  }
  // The backward pass gives every saved output a gradient of its size; measured peaks match
  // counting them all (bench/memory_check.sh).
  estimate.gradients = estimate.activations;
  const std::int64_t pixels = 3 * positions(content_size, 1);
  const int image_copies = job.optimizer == Optimizer::kLbfgs ? 2 * kLbfgsHistory + 4 : 4;
  estimate.optimizer = image_copies * pixels * kFloatBytes;
  for (const auto& name : job.content_layers) {
    const LayerSpec& layer = vgg19_layer(name);
    estimate.targets += layer.out_channels * positions(content_size, layer.downsampling) * kFloatBytes;
  }
  // A style of another size than the result has its Grams matched to the result's positions
  // (engine/losses.h): a copy beside the cached ones.
  const auto other_sizes = std::count_if(style_sizes.begin(), style_sizes.end(),
                                         [&](const auto& size) { return size != content_size; });
  for (const auto& name : job.style_layers) {
    const LayerSpec& layer = vgg19_layer(name);
    estimate.targets += (1 + other_sizes) * std::int64_t(layer.out_channels) * layer.out_channels * kFloatBytes;
  }
  // A style image larger than the content image: its no-grad forward holds two layers at once.
  for (const auto& style_size : style_sizes) {
    const std::int64_t style_peak = 2 * 64 * positions(style_size, 1) * kFloatBytes;
    estimate.gradients = std::max(estimate.gradients, style_peak);
  }
  return estimate;
}

std::int64_t default_memory_budget(int workers_on_node) {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return 0;  // unknown: no check
  // Ranks share the node; the coordinator and the system keep a tenth.
  return std::int64_t(double(pages) * double(page_size) * 0.9) / std::max(1, workers_on_node);
}

std::int64_t parse_memory_size(const std::string& text) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  std::string unit = text.substr(used);
  std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return std::toupper(c); });
  if (unit.size() > 1 && unit.back() == 'B') unit.pop_back();
  if (unit.size() == 2 && unit.back() == 'I') unit.pop_back();
  const std::string units = "KMGT";
  double scale = 1;
  if (unit.size() == 1 && units.find(unit[0]) != std::string::npos) {
    scale = std::pow(1024.0, double(units.find(unit[0]) + 1));
  } else if (!unit.empty()) {
    used = 0;
  }
  if (used == 0 || !std::isfinite(value) || value <= 0 || value * scale > 9e18) {
    throw Error(fmt::format("memory size '{}': expected a positive number with an optional unit "
                            "K, M, G or T (binary), e.g. 8G",
                            text), ErrorKind::kBadInput);
  }
  return std::int64_t(value * scale);
}

std::string format_bytes(std::int64_t bytes) {
  const double value = double(bytes);
  if (value >= double(std::int64_t(1) << 30)) return fmt::format("{:.2f} GiB", value / double(std::int64_t(1) << 30));
  if (value >= double(1 << 20)) return fmt::format("{:.1f} MiB", value / double(1 << 20));
  return fmt::format("{:.0f} KiB", value / 1024.0);
}

void require_memory_fits(const MemoryEstimate& need, std::pair<int, int> content_size, const MemoryLimits& limits) {
  const auto [width, height] = content_size;
  if (limits.budget > 0 && need.total() > limits.budget) {
    throw Error(fmt::format("job needs an estimated {} at {}x{} px, more than this worker's memory budget of {} "
                            "(--max-memory); use a smaller size or fewer workers per node",
                            need.describe(), width, height, format_bytes(limits.budget)), ErrorKind::kBadInput);
  }
  if (limits.device_free >= 0 && need.on_device() > limits.device_free) {
    throw Error(fmt::format("job needs an estimated {} on {} at {}x{} px, more than the {} free of {} there "
                            "(cudaMemGetInfo); use a smaller size, precision bf16 or fewer workers per GPU "
                            "(the job's whole estimate: {})",
                            format_bytes(need.on_device()), limits.device, width, height,
                            format_bytes(limits.device_free), format_bytes(limits.device_total), need.describe()), ErrorKind::kBadInput);
  }
}

}  // namespace stylesweep
