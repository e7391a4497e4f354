// Seconds per loss evaluation of the stylization engine, for comparison with the equivalent
// PyTorch script (bench/pytorch_engine.py). Prints one line per (optimizer, size):
//   stylesweep <optimizer> <size> <seconds per evaluation>
// Usage: engine_bench WEIGHTS CONTENT STYLE THREADS EVALUATIONS SIZE...
#include <cstdlib>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "bench_engine.h"

int main(int argc, char** argv) {
  using namespace stylesweep;
  const auto engine =
      open_bench_engine(argc, argv, 6, "engine_bench WEIGHTS CONTENT STYLE THREADS EVALUATIONS SIZE...");
  if (!engine) return 2;
  const int evaluations = std::atoi(argv[5]);
  for (int arg = 6; arg < argc; ++arg) {
    for (const char* optimizer : {"lbfgs", "adam"}) {
      StyleJob job;
      job.content = argv[2];
      job.styles = {argv[3]};
      job.size = std::atoi(argv[arg]);
      job.optimizer = from_text<Optimizer>(optimizer).value();
      job.iterations = evaluations;
      job.ratio = 1e-4;
      engine->run(job);  // warm-up: allocator and thread pool
      const JobResult result = engine->run(job);
      fmt::print("stylesweep {} {} {:.5f}\n", optimizer, job.size,
                 result.optimize_seconds / result.evaluations);
    }
  }
  return 0;
}
