// The GPU figures of bench/gpu.sh, one mode per call (the script runs them in turn):
//   gpu_bench evaluations WEIGHTS CONTENT STYLE EVALUATIONS SIZE...
//     seconds per loss evaluation for each size, precision (fp32, tf32, bf16) and optimizer:
//       evaluation <device> <precision> <optimizer> <size> <ms per evaluation>
//   gpu_bench sweep WEIGHTS CONTENT STYLE SIZE JOBS STEPS BATCH WORKER WORKERS
//     this worker's share (jobs WORKER, WORKER + WORKERS, ...) of a seed sweep of Adam jobs, run
//     BATCH at a time as one batch; the script starts WORKERS of these on one device at once:
//       sweep <device> <size> <batch> <worker> <jobs run> <start epoch s> <end epoch s>
//   gpu_bench compare WEIGHTS CONTENT STYLE SIZE EVALUATIONS
//     the same fp32 L-BFGS job on this device and on the CPU, and a job drained (checkpointed)
//     on one and resumed on the other, both ways:
//       compare <device> <size> <evaluations> <largest relative loss difference>
//       resume <from> <to> <relative difference of the final loss from the undrained run>
// The device is the one a lone worker gets (engine/device.h): the first GPU, else the CPU.
// WEIGHTS is written with the project's seeded random weights when it does not exist.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common/error.h"
#include "engine/device.h"
#include "engine/stylize.h"
#include "vgg/random_weights.h"

namespace stylesweep {
namespace {

double epoch_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

StyleJob bench_job(char** argv, int size, Optimizer optimizer, int iterations) {
  StyleJob job;
  job.content = argv[3];
  job.styles = {argv[4]};
  job.size = size;
  job.optimizer = optimizer;
  job.iterations = iterations;
  job.ratio = 1e-4;
  return job;
}

double relative(double a, double b) {
  const double scale = std::max(std::abs(a), std::abs(b));
  return scale > 0 ? std::abs(a - b) / scale : 0.0;
}

// The largest relative difference over every stored loss of two histories of one job.
double largest_difference(const LossHistory& a, const LossHistory& b) {
  if (a.size() != b.size()) throw Error(fmt::format("histories of {} and {} evaluations", a.size(), b.size()), ErrorKind::kInternal);
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    worst = std::max({worst, relative(a.total[i], b.total[i]), relative(a.content[i], b.content[i]),
                      relative(a.style[i], b.style[i])});
  }
  return worst;
}

int evaluations_mode(StyleEngine& engine, char** argv, int argc) {
  const int evaluations = std::atoi(argv[5]);
  for (int arg = 6; arg < argc; ++arg) {
    for (Precision precision : {Precision::kFp32, Precision::kTf32, Precision::kBf16}) {
      for (Optimizer optimizer : {Optimizer::kLbfgs, Optimizer::kAdam}) {
        StyleJob job = bench_job(argv, std::atoi(argv[arg]), optimizer, evaluations);
        job.precision = precision;
        StyleJob warm_up = job;  // cuDNN's algorithm search, the allocator, the targets
        warm_up.iterations = 3;
        engine.run(warm_up);
        const JobResult result = engine.run(job);
        fmt::print("evaluation {} {} {} {} {:.3f}\n", engine.device(), choice_name(precision),
                   choice_name(optimizer), job.size, 1e3 * result.optimize_seconds / result.evaluations);
        std::fflush(stdout);
      }
    }
  }
  return 0;
}

int sweep_mode(StyleEngine& engine, char** argv) {
  const int size = std::atoi(argv[5]), jobs = std::atoi(argv[6]), steps = std::atoi(argv[7]);
  const int batch = std::max(1, std::atoi(argv[8]));
  const int worker = std::atoi(argv[9]), workers = std::max(1, std::atoi(argv[10]));
  std::vector<StyleJob> mine;
  for (int j = worker; j < jobs; j += workers) {
    StyleJob job = bench_job(argv, size, Optimizer::kAdam, steps);
    job.seed = std::uint64_t(j);  // a seed sweep: same targets, different starts
    mine.push_back(job);
  }
  StyleJob warm_up = bench_job(argv, size, Optimizer::kAdam, 3);
  engine.run(warm_up);
  const double start = epoch_seconds();
  for (std::size_t first = 0; first < mine.size(); first += std::size_t(batch)) {
    const std::size_t end = std::min(mine.size(), first + std::size_t(batch));
    if (end - first == 1) {
      engine.run(mine[first]);
      continue;
    }
    for (const auto& outcome : engine.run_batch({mine.begin() + long(first), mine.begin() + long(end)})) {
      if (!outcome.error.empty()) throw Error("batched job failed: " + outcome.error, ErrorKind::kInternal);
    }
  }
  fmt::print("sweep {} {} {} {} {} {:.3f} {:.3f}\n", engine.device(), size, batch, worker, mine.size(), start,
             epoch_seconds());
  return 0;
}

// A job drained after `drain_at` evaluations on `from`, resumed on `to`.
JobResult drained_and_resumed(StyleEngine& from, StyleEngine& to, StyleJob job, int drain_at,
                              const std::string& checkpoint) {
  job.checkpoint_path = checkpoint;
  std::filesystem::remove(checkpoint);
  int evaluations = 0;
  try {
    from.run(job, [&](const Progress& progress) { evaluations = progress.evaluation; },
             [&] { return evaluations >= drain_at; });
    throw Error("the job was not drained", ErrorKind::kInternal);
  } catch (const JobInterrupted&) {
  }
  if (!std::filesystem::exists(checkpoint)) throw Error("no checkpoint after the drain: " + checkpoint, ErrorKind::kInternal);
  return to.run(job);
}

int compare_mode(StyleEngine& engine, const std::string& weights, char** argv) {
  const int size = std::atoi(argv[5]), evaluations = std::atoi(argv[6]);
  StyleEngine cpu(weights, "cpu");
  const StyleJob job = bench_job(argv, size, Optimizer::kLbfgs, evaluations);
  const JobResult here = engine.run(job);
  const JobResult on_cpu = cpu.run(job);
  fmt::print("compare {} {} {} {:.3e}\n", engine.device(), size, evaluations,
             largest_difference(here.history, on_cpu.history));

  const StyleJob adam = bench_job(argv, size, Optimizer::kAdam, 20);
  const std::string checkpoint = (std::filesystem::temp_directory_path() / "gpu_bench.ckpt").string();
  const double undrained = engine.run(adam).history.total.back();
  const JobResult there_and_back = drained_and_resumed(engine, cpu, adam, 10, checkpoint);
  fmt::print("resume {} cpu {:.3e}\n", engine.device(), relative(there_and_back.history.total.back(), undrained));
  const JobResult back_again = drained_and_resumed(cpu, engine, adam, 10, checkpoint);
  fmt::print("resume cpu {} {:.3e}\n", engine.device(), relative(back_again.history.total.back(), undrained));
  return 0;
}

int bench(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  const int needed = mode == "evaluations" ? 7 : mode == "sweep" ? 11 : mode == "compare" ? 7 : 0;
  if (needed == 0 || argc < needed) {
    std::cerr << "usage: gpu_bench evaluations WEIGHTS CONTENT STYLE EVALUATIONS SIZE...\n"
                 "       gpu_bench sweep WEIGHTS CONTENT STYLE SIZE JOBS STEPS BATCH WORKER WORKERS\n"
                 "       gpu_bench compare WEIGHTS CONTENT STYLE SIZE EVALUATIONS\n";
    return 2;
  }
  // The project's seeded random weights unless WEIGHTS exists (the script's first, serial call
  // writes them; its concurrent sweep workers only read them).
  if (!std::filesystem::exists(argv[2])) write_weights(argv[2], random_weights(0));
  const DeviceChoice device = choose_device(0, 1, 0);
  apply_device(device);
  StyleEngine engine(argv[2], device.name);
  if (mode == "evaluations") return evaluations_mode(engine, argv, argc);
  if (mode == "sweep") return sweep_mode(engine, argv);
  return compare_mode(engine, argv[2], argv);
}

}  // namespace
}  // namespace stylesweep

int main(int argc, char** argv) {
  try {
    return stylesweep::bench(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "gpu_bench: " << error.what() << "\n";
    return 1;
  }
}
