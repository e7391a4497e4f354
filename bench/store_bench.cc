// Result store throughput: what rank 0 spends per job to journal outcomes and to publish
// results.h5, with no workers and no MPI, so the figure is the store's alone.
// Stores JOBS outcomes of SIZE px jobs with EVALUATIONS history entries (the coordinator's
// trivial-job bench: 8 px, 2 entries) in one temporary output directory, committing as the store
// does (batches of ResultStore::kSegmentBytes), then publishes results.h5 with links and,
// at the end, standalone. With WRITERS > 0 the segments are written by that many journal-writer
// processes (stylesweep run --journal-writers); the busiest one's CPU time is printed too.
// Usage: store_bench [JOBS] [SIZE] [EVALUATIONS] [WRITERS]   (default 2000 8 2 0)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "common/cpu_time.h"
#include "bench_directory.h"
#include "store/result_store.h"

namespace {

using namespace stylesweep;

WorkItem make_item(int index, int size) {
  WorkItem item;
  item.id = fmt::format("{:016x}", 0x5eed0000ULL + unsigned(index));
  item.label = fmt::format("chelsea__brick__seed{}", index);
  item.job.content = "chelsea.png";
  item.job.content_name = "chelsea";
  item.job.styles = {"brick.png"};
  item.job.style_name = "brick";
  item.job.size = size;
  item.job.seed = std::uint64_t(index);
  item.job.content_layers = {"relu1_1"};
  item.job.style_layers = {"relu1_1"};
  return item;
}

JobOutcome make_outcome(const WorkItem& item, int size, int evaluations) {
  JobOutcome outcome;
  outcome.id = item.id;
  outcome.done = true;
  outcome.worker = {1, "localhost", "cpu"};
  JobResult& result = outcome.result;
  result.image.width = result.image.height = size;
  result.image.pixels.assign(std::size_t(size) * std::size_t(size) * 3, 0.0f);
  for (std::size_t i = 0; i < result.image.pixels.size(); ++i) result.image.pixels[i] = float((i * 37 + item.job.seed) % 256);
  for (int e = 0; e < evaluations; ++e) {
    result.history.total.push_back(2.0 / (e + 1));
    result.history.content.push_back(1.0 / (e + 1));
    result.history.style.push_back(1.0 / (e + 1));
    result.history.tv.push_back(0);
    result.history.style_layers.push_back({1.0 / (e + 1)});
  }
  result.history.style_layer_names = {"relu1_1"};
  result.evaluations = evaluations;
  result.result_evaluation = evaluations - 1;
  result.wall_seconds = 0.001;
  result.device = "cpu";
  return outcome;
}

}  // namespace

int main(int argc, char** argv) {
  const int jobs = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int size = argc > 2 ? std::atoi(argv[2]) : 8;
  const int evaluations = argc > 3 ? std::atoi(argv[3]) : 2;
  const int writers = argc > 4 ? std::atoi(argv[4]) : 0;
  if (jobs < 1 || size < 1 || evaluations < 1 || writers < 0) {
    std::fprintf(stderr, "usage: store_bench [JOBS] [SIZE] [EVALUATIONS] [WRITERS]\n");
    return 2;
  }
  // Under $TMPDIR (default /tmp): point it at the filesystem the sweeps write to.
  const std::string output = make_bench_directory("store_bench");
  if (output.empty()) return 1;
  std::vector<WorkItem> items;
  std::vector<JobOutcome> outcomes;
  for (int i = 0; i < jobs; ++i) {
    items.push_back(make_item(i, size));
    outcomes.push_back(make_outcome(items.back(), size, evaluations));
  }
  double store_wall = 0, store_cpu = 0, writer_cpu = 0, publish_wall = 0, standalone_wall = 0;
  try {
    ResultStore store(StoreSettings{output, "{}", "bench.yaml", "0", {"seed"}, "random", writers,
                                    STYLESWEEP_JOURNAL_WRITER});
    double wall = wall_seconds(), cpu = process_cpu_seconds();
    for (int i = 0; i < jobs; ++i) store.store(items[std::size_t(i)], outcomes[std::size_t(i)]);
    store.commit();
    store_wall = wall_seconds() - wall;
    store_cpu = process_cpu_seconds() - cpu;
    writer_cpu = store.journal_writer_cpu_seconds();
    wall = wall_seconds();
    store.publish(false);
    publish_wall = wall_seconds() - wall;
    wall = wall_seconds();
    store.publish(true);
    standalone_wall = wall_seconds() - wall;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "store_bench: %s\n", error.what());
    std::filesystem::remove_all(output);
    return 1;
  }
  const double results_mib = double(std::filesystem::file_size(output + "/results.h5")) / (1 << 20);
  std::filesystem::remove_all(output);
  fmt::print("store: {} jobs of {} px, {} evaluations, {} journal-writer processes: journaled in "
             "{:.3f} s ({:.3f} ms per job, CPU {:.3f} ms here): {:.0f} jobs/s\n",
             jobs, size, evaluations, writers, store_wall, 1e3 * store_wall / jobs,
             1e3 * store_cpu / jobs, jobs / store_wall);
  if (writers > 0) {
    fmt::print("busiest journal-writer process: CPU {:.3f} s ({:.3f} ms per job stored)\n", writer_cpu,
               1e3 * writer_cpu / jobs);
  }
  fmt::print("publish results.h5 with {} links: {:.3f} s ({:.1f} us per job); standalone "
             "({:.1f} MiB): {:.3f} s, {:.0f} jobs/s\n",
             jobs, publish_wall, 1e6 * publish_wall / jobs, results_mib, standalone_wall,
             jobs / standalone_wall);
  return 0;
}
