// Batched against unbatched Adam: seconds per job-step when BATCH jobs that share their targets
// run as one batch (StyleEngine::run_batch) and when they run one after another. Prints one line
// per size:
//   batch <device> <size> <batch> <unbatched s/job-step> <batched s/job-step> <speedup>
// Usage: batch_bench WEIGHTS CONTENT STYLE THREADS STEPS BATCH SIZE...
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_engine.h"
#include "common/error.h"

int main(int argc, char** argv) {
  using namespace stylesweep;
  const auto engine =
      open_bench_engine(argc, argv, 7, "batch_bench WEIGHTS CONTENT STYLE THREADS STEPS BATCH SIZE...");
  if (!engine) return 2;
  const int steps = std::atoi(argv[5]);
  const int batch = std::atoi(argv[6]);
  for (int arg = 7; arg < argc; ++arg) {
    std::vector<StyleJob> jobs(static_cast<std::size_t>(batch));
    for (int b = 0; b < batch; ++b) {
      StyleJob& job = jobs[std::size_t(b)];
      job.content = argv[2];
      job.styles = {argv[3]};
      job.size = std::atoi(argv[arg]);
      job.optimizer = Optimizer::kAdam;
      job.iterations = steps;
      job.ratio = 1e-4;
      job.seed = std::uint64_t(b);  // a seed sweep: same targets, different starts
    }
    engine->run(jobs.front());  // warm-up: targets, allocator and thread pool
    engine->run_batch(jobs);
    double unbatched = 0;
    for (const StyleJob& job : jobs) unbatched += engine->run(job).optimize_seconds;
    double batched = 0;
    for (const auto& outcome : engine->run_batch(jobs)) {
      if (!outcome.error.empty()) throw Error("batched job failed: " + outcome.error, ErrorKind::kInternal);
      batched = outcome.result.optimize_seconds;  // the whole batch's time
    }
    const double job_steps = double(batch) * steps;
    fmt::print("batch {} {} {} {:.5f} {:.5f} {:.2f}\n", engine->device(), jobs.front().size, batch,
               unbatched / job_steps, batched / job_steps, unbatched / batched);
  }
  return 0;
}
