// What sharing a sweep between runs costs per job, in an output directory whose journal already
// holds SEGMENTS segment files (a long sweep's): claiming a free job (a link-created claim file),
// turning the claim into the record of the job's segment once it is committed, and a second
// run's claim of a job the first one finished (reading that record).
// Runs on $TMPDIR (default /tmp): point it at the filesystem the sweeps write to.
// Usage: claim_bench [JOBS] [SEGMENTS]   (default 2000 500)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_directory.h"
#include "store/result_store.h"

namespace {

using namespace stylesweep;

WorkItem make_item(int index) {
  WorkItem item;
  item.id = fmt::format("{:016x}", 0xc1a10000ULL + unsigned(index));
  item.label = fmt::format("claimed{}", index);
  item.job.content = "chelsea.png";
  item.job.styles = {"brick.png"};
  item.job.size = 8;
  item.job.style_layers = {"relu1_1"};
  return item;
}

JobOutcome make_outcome(const WorkItem& item) {
  JobOutcome outcome;
  outcome.id = item.id;
  outcome.done = true;
  outcome.result.image.width = outcome.result.image.height = 8;
  outcome.result.image.pixels.assign(8 * 8 * 3, 0.5f);
  outcome.result.history.total = {1.0};
  outcome.result.history.content = {1.0};
  outcome.result.history.style = {1.0};
  outcome.result.history.tv = {0.0};
  outcome.result.history.style_layers = {{1.0}};
  outcome.result.history.style_layer_names = {"relu1_1"};
  outcome.result.evaluations = 1;
  return outcome;
}

}  // namespace

int main(int argc, char** argv) {
  const int jobs = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int segments = argc > 2 ? std::atoi(argv[2]) : 500;
  if (jobs < 1 || segments < 0) {
    std::fprintf(stderr, "usage: claim_bench [JOBS] [SEGMENTS]\n");
    return 2;
  }
  const std::string output = make_bench_directory("claim_bench");
  if (output.empty()) return 1;
  double claim_wall = 0, finish_wall = 0, finished_wall = 0;
  try {
    const StoreSettings settings{output, "{}", "bench.yaml", "0", {}, "random"};
    ResultStore store(settings);
    for (int i = 0; i < segments; ++i) {  // one job per segment, as a slow sweep commits
      const WorkItem item = make_item(jobs + i);
      store.store(item, make_outcome(item));
      store.commit();
    }
    double wall = wall_seconds();
    for (int i = 0; i < jobs; ++i) {
      if (store.claim(make_item(i)).state != JobClaim::State::kTaken) throw std::runtime_error("claim refused");
    }
    claim_wall = wall_seconds() - wall;
    // What a commit does per job, measured on a registry of its own.
    {
      RunRegistry registry(output + "/other");
      std::vector<std::string> ids;
      for (int i = 0; i < jobs; ++i) {
        registry.claim(make_item(i).id);
        ids.push_back(make_item(i).id);
      }
      wall = wall_seconds();
      for (std::size_t at = 0; at < ids.size(); at += 100) {  // segments of 100 jobs
        registry.finish({ids.begin() + long(at), ids.begin() + long(std::min(ids.size(), at + 100))},
                        "segment-bench.h5");
      }
      finish_wall = wall_seconds() - wall;
    }
    // A second run meets the records.
    const auto stands = [](const std::string&) { return true; };
    RunRegistry second(output + "/other");
    wall = wall_seconds();
    for (int i = 0; i < jobs; ++i) {
      if (second.claim(make_item(i).id, stands).finished_in.empty()) throw std::runtime_error("no record");
    }
    finished_wall = wall_seconds() - wall;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "claim_bench: %s\n", error.what());
    std::filesystem::remove_all(output);
    return 1;
  }
  std::filesystem::remove_all(output);
  const double claim_ms = 1e3 * claim_wall / jobs, finish_ms = 1e3 * finish_wall / jobs;
  fmt::print("claims: {} jobs, journal of {} segments: claim {:.3f} ms per job, record of the "
             "outcome {:.3f} ms, another run's claim of a finished job {:.3f} ms; {:.3f} ms per job "
             "run ({:.0f}x under the 5 ms goal)\n",
             jobs, segments, claim_ms, finish_ms, 1e3 * finished_wall / jobs, claim_ms + finish_ms,
             5.0 / (claim_ms + finish_ms));
  return 0;
}
