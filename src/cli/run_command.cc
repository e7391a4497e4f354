#include <CLI/CLI.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/job_runner.h"
#include "cli/progress.h"
#include "common/error.h"
#include "engine/device.h"
#include "engine/stylize.h"
#include "runner/coordinator.h"
#include "runner/inprocess_transport.h"
#include "runner/mpi_transport.h"
#include "runner/result_store.h"
#include "runner/run_status.h"
#include "sweep/config.h"
#include "sweep/expand.h"
#include "vgg/random_weights.h"

namespace stylesweep {
namespace {

struct RunArguments {
  std::string config;
  int threads = 0;
  int retries = 1;
  std::uint64_t max_jobs = kDefaultMaxJobs;
};

struct SweepSetup {
  SweepConfig config;
  SweepPlan plan;
};

using Clock = std::chrono::steady_clock;

// What every rank needs to start: where the weights are and what they must hash to. Rank 0
// broadcasts it; an empty message means rank 0 failed and every rank ends.
std::string broadcast_text(const MpiSession& session, std::string text) {
  std::uint64_t size = text.size();
  MPI_Bcast(&size, 1, MPI_UINT64_T, 0, session.communicator());
  text.resize(size);
  MPI_Bcast(text.data(), int(size), MPI_CHAR, 0, session.communicator());
  return text;
}

std::string resolve_weights(const std::string& weights) {
  return weights == "random" ? ensure_default_weights() : weights;
}

std::vector<ScheduledJob> jobs_to_run(const SweepPlan& plan, const std::set<std::string>& done) {
  std::vector<ScheduledJob> jobs;
  for (const PlannedJob& planned : plan.jobs) {
    if (done.count(planned.id)) continue;
    ScheduledJob job;
    job.item.job = planned.job;
    job.item.id = planned.id;
    job.item.label = planned.label;
    job.cost = planned.flops;
    job.target_keys = target_keys_of(planned.job);
    jobs.push_back(std::move(job));
  }
  return jobs;
}

int coordinate(const RunArguments& arguments, const SweepSetup& setup, CoordinatorLink& link) {
  const auto start = Clock::now();
  const SweepPlan& plan = setup.plan;
  ResultStore store({setup.config.output, setup.config.text, setup.config.path, plan.weights_sha256,
                     plan.varying_keys});
  const std::set<std::string> done = store.done_ids();
  std::vector<ScheduledJob> jobs = jobs_to_run(plan, done);
  const std::size_t skipped = plan.jobs.size() - jobs.size();
  std::cout << fmt::format("stylesweep run: {} jobs in {} ({} already done, {} to run) on {} worker{}; "
                           "results in {}\n",
                           plan.jobs.size(), setup.config.path, skipped, jobs.size(),
                           link.worker_count(), link.worker_count() == 1 ? "" : "s",
                           store.results_path());
  std::cout.flush();
  const std::size_t to_run = jobs.size();
  Scheduler scheduler(std::move(jobs), arguments.retries, link.worker_count());
  RunStatusWriter status(setup.config.output, plan.jobs.size(), skipped);
  CoordinatorEvents events;
  events.worker_started = [](const WorkerInfo& info) {
    std::cout << fmt::format("worker rank {} on {}: {}\n", info.rank, info.host, info.device);
    std::cout.flush();
  };
  std::size_t finished = 0;
  events.job_finished = [&](const WorkItem& item, const JobOutcome& outcome, const RunCounts& counts) {
    ++finished;
    const auto& totals = outcome.result.history.total;
    const int at = outcome.result.result_evaluation;
    const double loss = at >= 0 && at < int(totals.size()) ? totals[std::size_t(at)] : std::nan("");
    std::cout << fmt::format("[{}/{}] {} {} {}  loss {:.4e}  {:.1f} s  rank {}{}\n", counts.done + counts.failed,
                             to_run, outcome.done ? "done  " : (counts.queued + counts.running > 0 &&
                                                                outcome.attempt <= arguments.retries
                                                                    ? "retry "
                                                                    : "failed"),
                             item.id, item.label, loss, outcome.result.wall_seconds,
                             outcome.worker.rank, outcome.done ? "" : ": " + outcome.error);
    std::cout.flush();
    status.update(counts, std::chrono::duration<double>(Clock::now() - start).count());
  };
  Coordinator coordinator(link, scheduler, store, events);
  RunCounts counts = coordinator.run(to_run);
  store.write_index();
  counts.skipped = skipped;
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  status.update(counts, wall);
  std::cout << fmt::format(
      "summary: {} done, {} failed, {} skipped (already done) in {}; {:.1f} jobs/hour\n"
      "results: {} (h5ls -r to list), images in {}/images\n",
      counts.done, counts.failed, counts.skipped, format_duration(wall),
      wall > 0 ? 3600.0 * double(counts.done + counts.failed) / wall : 0.0, store.results_path(),
      setup.config.output);
  return counts.failed == 0 ? kExitOk : kExitJobsFailed;
}

int run_sweep(const RunArguments& arguments, int* argc, char*** argv) {
  MpiSession session(argc, argv);
  std::optional<SweepSetup> setup;
  std::string start_message;
  if (session.rank() == 0) {
    try {
      SweepConfig config = load_sweep_config(arguments.config);
      const std::string weights = resolve_weights(config.weights);
      SweepPlan plan = expand_sweep(config, weights, arguments.max_jobs);
      setup = SweepSetup{std::move(config), std::move(plan)};
      start_message = setup->config.weights + "\n" + setup->plan.weights_sha256;
    } catch (...) {
      if (session.size() > 1) broadcast_text(session, "");
      throw;
    }
  }
  if (session.size() > 1) start_message = broadcast_text(session, start_message);
  if (start_message.empty()) return kExitUsage;  // rank 0 reported the error
  const std::string weights_spec = start_message.substr(0, start_message.find('\n'));
  const std::string weights_sha256 = start_message.substr(start_message.find('\n') + 1);

  int local_index = 0, workers_on_node = 1;
  session.worker_placement(&local_index, &workers_on_node);
  const std::string scratch = (std::filesystem::temp_directory_path() /
                               fmt::format("stylesweep-rank{}-{}", session.rank(), ::getpid())).string();
  auto make_engine = [&](WorkerInfo& info) {
    const DeviceChoice device = choose_device(local_index, workers_on_node, arguments.threads);
    info = {session.rank(), session.host(), apply_device(device)};
    return std::make_unique<StyleEngine>(resolve_weights(weights_spec), device.name);
  };

  if (session.size() == 1) {
    WorkerInfo info;
    auto engine = make_engine(info);
    EngineJobRunner runner(*engine, weights_sha256, info.host, scratch);
    InProcessLink link(info, [&runner](const WorkItem& item) { return runner(item); });
    return coordinate(arguments, *setup, link);
  }
  if (session.rank() == 0) {
    MpiCoordinatorLink link(session);
    try {
      return coordinate(arguments, *setup, link);
    } catch (const std::exception& error) {
      // Workers wait for the coordinator: end them all rather than hang.
      std::cerr << "stylesweep: coordinator failed: " << error.what() << "\n";
      session.abort(kExitFailure);
    }
  }
  WorkerInfo info;
  auto engine = make_engine(info);
  EngineJobRunner runner(*engine, weights_sha256, info.host, scratch);
  MpiWorkerLink link(session);
  run_worker(link, info, [&runner](const WorkItem& item) { return runner(item); });
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, int* argc, char*** argv) {
  auto arguments = std::make_shared<RunArguments>();
  CLI::App* command = app.add_subcommand(
      "run", "Run a sweep: mpirun -np N stylesweep run CONFIG (rank 0 coordinates, the others "
             "work; a single process does both)");
  command->add_option("CONFIG", arguments->config, "Sweep config (YAML)")->required();
  command->add_option("--threads", arguments->threads,
                      "CPU threads per worker (default: cores / workers on the node, or "
                      "SLURM_CPUS_PER_TASK)");
  command->add_option("--retries", arguments->retries, "Retries of a failed job, on another worker")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  command->add_option("--max-jobs", arguments->max_jobs,
                      "Refuse sweeps that expand to more jobs than this")->capture_default_str();
  command->callback([arguments, argc, argv] {
    const int code = run_sweep(*arguments, argc, argv);
    if (code != kExitOk) throw ExitWith{code};
  });
}

}  // namespace stylesweep
