// Achieved GFLOP/s of one loss evaluation against this machine's convolution throughput on the
// same shapes. An evaluation is a forward pass to relu5_1 and its backward to the pixels; its
// convolution FLOPs (2 * 9 * in * out per output position, forward and input gradient) come from
// the layer shapes (sweep/cost.h). The microbenchmark times torch::conv2d forward and backward
// on each layer's shape alone, the best the engine could do with these kernels; the ratio is
// the efficiency (goal >= 70 %).
// Usage: efficiency_bench WEIGHTS CONTENT STYLE THREADS EVALUATIONS SIZE...
#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "bench_engine.h"
#include "sweep/cost.h"
#include "vgg/vgg_layers.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Forward and input-gradient backward of every conv up to relu5_1, each on its own shape.
double conv_microbench_seconds(int width, int height, int repeats) {
  torch::NoGradGuard outer_no_grad;
  double total = 0;
  for (const auto& layer : stylesweep::vgg19_layers()) {
    if (layer.kind != stylesweep::LayerKind::kConv) continue;
    if (stylesweep::vgg19_layer_index(layer.name) > stylesweep::vgg19_layer_index("relu5_1")) break;
    const auto input_shape = std::vector<std::int64_t>{1, layer.in_channels, height / layer.downsampling,
                                                       width / layer.downsampling};
    const torch::Tensor weight = torch::randn({layer.out_channels, layer.in_channels, 3, 3}) * 0.01;
    const torch::Tensor bias = torch::zeros({layer.out_channels});
    auto run_once = [&] {
      torch::AutoGradMode grad(true);
      torch::Tensor x = torch::randn(input_shape).requires_grad_(true);
      torch::Tensor y = torch::conv2d(x, weight, bias, 1, 1);
      y.backward(torch::ones_like(y));
    };
    run_once();  // warm-up: kernel selection, allocator
    const auto start = Clock::now();
    for (int i = 0; i < repeats; ++i) run_once();
    total += seconds_since(start) / repeats;
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace stylesweep;
  const auto engine =
      open_bench_engine(argc, argv, 6, "efficiency_bench WEIGHTS CONTENT STYLE THREADS EVALUATIONS SIZE...");
  if (!engine) return 2;
  const int evaluations = std::atoi(argv[5]);
  fmt::print("{:>6} {:>10} {:>12} {:>14} {:>14} {:>11}\n", "size", "shape", "s/eval",
             "eval GFLOP/s", "conv GFLOP/s", "efficiency");
  for (int arg = 6; arg < argc; ++arg) {
    StyleJob job;
    job.content = argv[2];
    job.styles = {argv[3]};
    job.size = std::atoi(argv[arg]);
    job.iterations = evaluations;
    job.ratio = 1e-4;
    engine->run(job);  // warm-up
    const JobResult result = engine->run(job);
    const double per_evaluation = result.optimize_seconds / result.evaluations;
    const int width = result.image.width, height = result.image.height;
    std::vector<std::string> layers = job.content_layers;
    layers.insert(layers.end(), job.style_layers.begin(), job.style_layers.end());
    const double conv_flops = 2.0 * forward_flops(width, height, layers, {});
    const double all_flops = 2.0 * forward_flops(width, height, layers, job.style_layers);
    const double conv_seconds = conv_microbench_seconds(width, height, 5);
    fmt::print("{:>6} {:>10} {:>12.4f} {:>14.1f} {:>14.1f} {:>10.0f}%\n", job.size,
               fmt::format("{}x{}", width, height), per_evaluation, all_flops / per_evaluation / 1e9,
               conv_flops / conv_seconds / 1e9, 100.0 * conv_seconds / per_evaluation);
  }
  return 0;
}
