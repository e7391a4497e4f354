#include <CLI/CLI.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/job_runner.h"
#include "cli/progress.h"
#include "common/error.h"
#include "common/interrupt.h"
#include "engine/device.h"
#include "engine/stylize.h"
#include "runner/coordinator.h"
#include "runner/inprocess_transport.h"
#include "runner/session.h"
#include "store/result_store.h"
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
  int max_attempts = 3;
  bool rerun_failed = false;
  std::string deadline;         // epoch seconds, or +SECONDS from now
  double deadline_margin = 60;
  std::uint64_t max_jobs = kDefaultMaxJobs;
  std::string max_memory;       // per worker, e.g. "8G"; empty: from the machine
  std::string progress = "auto";  // live | plain | auto
  double progress_interval = 60;  // seconds between plain status lines
  int journal_writers = 0;
};

// A live status line needs a terminal that is really the user's: under mpirun, srun or a Slurm
// batch job rank 0's output goes through the launcher (Open MPI gives ranks a pseudo-terminal
// even when mpirun writes to a file), so `auto` shows plain lines there.
bool live_progress(const std::string& mode) {
  if (mode != "auto") return mode == "live";
  for (const char* launcher : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "SLURM_JOB_ID"}) {
    if (std::getenv(launcher)) return false;
  }
  return isatty(fileno(stdout)) != 0;
}

// --deadline, else the Slurm job's end time when Slurm provides it; 0 for none.
double resolve_deadline(const std::string& text) {
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::string value = text;
  if (value.empty()) {
    const char* slurm_end = std::getenv("SLURM_JOB_END_TIME");
    if (!slurm_end) return 0;
    value = slurm_end;
  }
  try {
    std::size_t used = 0;
    const bool relative = value[0] == '+';
    const double number = std::stod(relative ? value.substr(1) : value, &used);
    if (used != value.size() - (relative ? 1 : 0) || number <= 0) throw std::invalid_argument(value);
    return relative ? now + number : number;
  } catch (const std::exception&) {
    throw Error("--deadline: expected seconds since the epoch or +SECONDS, got '" + value + "'");
  }
}

// Everything rank 0 prepares before the workers start, so a bad config or an output directory
// that cannot be written ends every rank with a usage error instead of an abort.
struct SweepSetup {
  SweepConfig config;
  SweepPlan plan;
  std::unique_ptr<ResultStore> store;
  std::vector<std::string> recovery_notes;
};

// stylesweep-journal-writer is built and installed beside this executable.
std::string journal_writer_program() {
  std::error_code ignored;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ignored);
  return (self.parent_path() / "stylesweep-journal-writer").string();
}

void open_store(SweepSetup& setup, int journal_writers) {
  const SweepPlan& plan = setup.plan;
  setup.store = std::make_unique<ResultStore>(
      StoreSettings{setup.config.output, setup.config.text, setup.config.path, plan.weights_sha256,
                    plan.varying_keys, read_weights_source(plan.weights_path), journal_writers,
                    journal_writer_program()},
      &setup.recovery_notes);
}

using Clock = std::chrono::steady_clock;

std::string resolve_weights(const std::string& weights) {
  return weights == "random" ? ensure_default_weights() : weights;
}

struct Selection {
  std::vector<ScheduledJob> to_run;
  std::size_t done = 0, failed_before = 0, given_up = 0;
};

// Skips jobs already done (and, unless --rerun-failed, those that failed before); jobs started
// --max-attempts times without finishing are recorded as failed instead of run again.
Selection select_jobs(const RunArguments& arguments, const SweepPlan& plan, ResultStore& store) {
  Selection selection;
  const std::set<std::string> done = store.done_ids();
  const std::set<std::string> failed = store.failed_ids();
  for (const PlannedJob& planned : plan.jobs) {
    if (done.count(planned.id)) {
      ++selection.done;
      continue;
    }
    if (failed.count(planned.id) && !arguments.rerun_failed) {
      ++selection.failed_before;
      continue;
    }
    ScheduledJob job;
    job.item.job = planned.job;
    job.item.id = planned.id;
    job.item.label = planned.label;
    job.item.attempt = store.attempts(planned.id) + 1;
    job.cost = planned.flops;
    job.target_keys = target_keys_of(planned.job);
    if (job.item.attempt > arguments.max_attempts && !failed.count(planned.id)) {
      JobOutcome outcome;
      outcome.id = planned.id;
      outcome.attempt = job.item.attempt - 1;
      outcome.error = fmt::format("gave up: started {} times without finishing (the worker crashed "
                                  "or was killed); --max-attempts {}",
                                  outcome.attempt, arguments.max_attempts);
      outcome.result.history.style_layer_names = planned.job.style_layers;
      store.store(job.item, outcome);
      ++selection.given_up;
      continue;
    }
    selection.to_run.push_back(std::move(job));
  }
  return selection;
}

// Results could not be written: the store has freed its reserve, so results.h5 can still be
// rebuilt to list every job that reached the journal; then stop with the reason.
[[noreturn]] void report_storage_failure(ResultStore& store, RunCounts& counts, RunStatusWriter& status,
                                         Clock::time_point start) {
  std::string kept;
  try {
    store.publish(false);
    kept = fmt::format("results.h5 lists every finished job ({} done in all)", store.done_ids().size());
  } catch (const Error& error) {
    kept = fmt::format("results.h5 could not be rebuilt either ({}); the finished jobs are in "
                       "jobs/ and the next run recovers them",
                       error.what());
  }
  status.update(counts, std::chrono::duration<double>(Clock::now() - start).count());
  std::cerr << fmt::format(
      "stylesweep run: error: cannot store results: {}\n"
      "stylesweep run: stopped after {} done, {} failed; {}. Free space or fix the output "
      "directory, then run the same command again to finish the rest.\n",
      counts.storage_error, counts.done, counts.failed, kept);
  throw ReportedError(ErrorKind::kIo);
}

Outcome coordinate(const RunArguments& arguments, const SweepSetup& setup, CoordinatorLink& link, bool live) {
  const auto start = Clock::now();
  const SweepPlan& plan = setup.plan;
  ResultStore& store = *setup.store;
  for (const auto& note : setup.recovery_notes) std::cout << "stylesweep run: recovery: " << note << "\n";
  Selection selection = select_jobs(arguments, plan, store);
  const std::size_t to_run = selection.to_run.size();
  std::cout << fmt::format(
      "stylesweep run: {} jobs in {}: {} done, {} to run, {} failed before{}{} on {} worker{}; "
      "results in {}\n",
      plan.jobs.size(), setup.config.path, selection.done, to_run, selection.failed_before,
      selection.failed_before && !arguments.rerun_failed ? " (kept; --rerun-failed runs them again)" : "",
      selection.given_up ? fmt::format(", {} given up after --max-attempts", selection.given_up) : "",
      link.worker_count(), link.worker_count() == 1 ? "" : "s", store.results_path());
  std::cout.flush();
  store.publish(false);
  Scheduler scheduler(std::move(selection.to_run), arguments.retries, link.worker_count(),
                      arguments.max_attempts);
  RunStatusWriter status(setup.config.output, plan.jobs.size(), selection.done);
  std::cout.flush();
  SweepProgress progress(stdout, to_run, live, arguments.progress_interval);
  auto elapsed_seconds = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  CoordinatorEvents events;
  events.worker_started = [&](const WorkerInfo& info) {
    progress.job_line(fmt::format("worker rank {} on {}: {}", info.rank, info.host, info.device));
  };
  events.draining = [&](const std::string& reason) {
    progress.job_line("stylesweep run: draining (" + reason + "): no new jobs; running jobs checkpoint");
  };
  // status.json at most twice a second: sweeps of tiny jobs finish thousands a second.
  double status_written = -1;
  auto refresh_status = [&](const RunCounts& counts, double elapsed) {
    if (elapsed - status_written < 0.5) return;
    status.update(counts, elapsed);
    status_written = elapsed;
  };
  events.tick = [&](const RunCounts& counts) {
    progress.update(counts, elapsed_seconds());
    refresh_status(counts, elapsed_seconds());
  };
  events.job_finished = [&](const WorkItem& item, const JobOutcome& outcome, const RunCounts& counts,
                            bool will_retry) {
    const auto& totals = outcome.result.history.total;
    const int at = outcome.result.result_evaluation;
    const double loss = at >= 0 && at < int(totals.size()) ? totals[std::size_t(at)] : std::nan("");
    const char* verdict = outcome.done ? "done  "
                          : outcome.interrupted ? "paused"
                          : will_retry ? "retry "
                                       : "failed";
    // One plain line per job, with the run's progress, readable in a terminal and a Slurm log.
    const double elapsed = elapsed_seconds();
    progress.job_finished(counts, elapsed,
                          fmt::format("{} {} {}  loss {:.4e}  {:.1f} s  rank {}", verdict, item.id,
                                      item.label, loss, outcome.result.wall_seconds, outcome.worker.rank),
                          outcome.done ? "" : ": " + outcome.error);
    progress.update(counts, elapsed);
    refresh_status(counts, elapsed);
  };
  CoordinatorOptions options;
  options.deadline = resolve_deadline(arguments.deadline);
  options.deadline_margin = arguments.deadline_margin;
  Coordinator coordinator(link, scheduler, store, events, read_whole_file, options);
  RunCounts counts = coordinator.run(to_run);
  progress.finish();
  if (!counts.storage_error.empty()) report_storage_failure(store, counts, status, start);
  store.publish(!counts.drained);
  counts.skipped = selection.done;
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  status.update(counts, wall);
  std::cout << fmt::format(
      "summary: {} done, {} failed, {} skipped (already done){} in {}; {:.1f} jobs/hour\n"
      "results: {} (h5ls -r to list), images in {}/images\n",
      counts.done, counts.failed, counts.skipped,
      counts.drained ? fmt::format(", {} left for the next run (exit {}: run the same command again)",
                                   counts.queued, exit_code(Outcome::kDrained))
                     : "",
      format_duration(wall), wall > 0 ? 3600.0 * double(counts.done + counts.failed) / wall : 0.0,
      store.results_path(), setup.config.output);
  if (counts.drained) return Outcome::kDrained;
  return counts.failed == 0 ? Outcome::kOk : Outcome::kSomeJobsFailed;
}

Outcome run_sweep(const RunArguments& arguments, int* argc, char*** argv) {
  const bool live = live_progress(arguments.progress);  // before MPI_Init adds its environment
  // What every rank needs to start: where the weights are and what they must hash to, from rank
  // 0; a single character instead is the kind of error rank 0 failed with, and every rank ends.
  const std::unique_ptr<Session> started = start_session(argc, argv);
  const Session& session = *started;
  install_stop_handlers();  // after MPI_Init, which installs handlers of its own
  std::optional<SweepSetup> setup;
  std::string start_message;
  if (session.rank() == 0) {
    try {
      SweepConfig config = load_sweep_config(arguments.config);
      const std::string weights = resolve_weights(config.weights);
      SweepPlan plan = expand_sweep(config, weights, arguments.max_jobs);
      setup = SweepSetup{std::move(config), std::move(plan), nullptr, {}};
      open_store(*setup, arguments.journal_writers);
      start_message = setup->config.weights + "\n" + setup->plan.weights_sha256;
    } catch (const Error& error) {  // the other ranks end with the same kind, silently
      if (session.size() > 1) session.broadcast(std::string(1, char(error.kind())));
      throw;
    } catch (...) {
      if (session.size() > 1) session.broadcast(std::string(1, char(ErrorKind::kInternal)));
      throw;
    }
  }
  if (session.size() > 1) start_message = session.broadcast(start_message);
  if (start_message.size() == 1) throw ReportedError(ErrorKind(start_message[0]));  // by rank 0
  const std::string weights_spec = start_message.substr(0, start_message.find('\n'));
  const std::string weights_sha256 = start_message.substr(start_message.find('\n') + 1);

  int local_index = 0, workers_on_node = 1;
  session.worker_placement(&local_index, &workers_on_node);
  const std::string scratch = (std::filesystem::temp_directory_path() /
                               fmt::format("stylesweep-rank{}-{}", session.rank(), ::getpid())).string();
  auto make_engine = [&](WorkerInfo& info) {
    const DeviceChoice device =
        choose_device(local_index, workers_on_node, arguments.threads, arguments.max_memory);
    info = {session.rank(), session.host(), apply_device(device)};
    auto engine = std::make_unique<StyleEngine>(resolve_weights(weights_spec), device.name);
    engine->set_memory_budget(device.memory_budget);
    return engine;
  };

  if (session.size() == 1) {
    WorkerInfo info;
    auto engine = make_engine(info);
    EngineJobRunner runner(*engine, weights_sha256, info.host, scratch);
    InProcessLink link(info, [&runner](const WorkItem& item, const std::function<bool()>& interrupted) {
      return runner(item, interrupted);
    });
    return coordinate(arguments, *setup, link, live);
  }
  if (session.rank() == 0) {
    const std::unique_ptr<CoordinatorLink> link = session.coordinator_link();
    try {
      return coordinate(arguments, *setup, *link, live);
    } catch (const std::exception& error) {
      // Workers wait for the coordinator: end them all rather than hang.
      std::cerr << "stylesweep: coordinator failed: " << error.what() << "\n";
      const auto* known = dynamic_cast<const Error*>(&error);
      session.abort(exit_code(known ? known->kind() : ErrorKind::kInternal));
    }
  }
  WorkerInfo info;
  auto engine = make_engine(info);
  EngineJobRunner runner(*engine, weights_sha256, info.host, scratch);
  const std::unique_ptr<WorkerLink> link = session.worker_link();
  run_worker(*link, info, [&runner](const WorkItem& item, const std::function<bool()>& interrupted) {
    return runner(item, interrupted);
  });
  return Outcome::kOk;
}

}  // namespace

void add_run_command(CLI::App& app, int* argc, char*** argv, Outcome& outcome) {
  auto arguments = std::make_shared<RunArguments>();
  CLI::App* command = app.add_subcommand(
      "run", "Run a sweep: mpirun -np N stylesweep run CONFIG (rank 0 coordinates, the others "
             "work; a single process does both)");
  command->add_option("CONFIG", arguments->config, "Sweep config (YAML)")->required();
  command->add_option("--progress", arguments->progress,
                      "live: a status line redrawn in place; plain: a status line a minute (logs); "
                      "auto: live on a terminal, plain under mpirun, srun or Slurm")
      ->check(CLI::IsMember({"auto", "live", "plain"}))
      ->capture_default_str();
  command->add_option("--progress-interval", arguments->progress_interval,
                      "Seconds between plain status lines")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--threads", arguments->threads,
                      "CPU threads per worker (default: cores / workers on the node, or "
                      "SLURM_CPUS_PER_TASK)");
  command->add_option("--retries", arguments->retries, "Retries of a failed job, on another worker")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  command->add_option("--max-attempts", arguments->max_attempts,
                      "Starts of a job, across runs, before it is recorded as failed")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  command->add_flag("--rerun-failed", arguments->rerun_failed,
                    "Run jobs that failed in an earlier run again");
  command->add_option("--deadline", arguments->deadline,
                      "Drain before this time: seconds since the epoch or +SECONDS (default: the "
                      "Slurm job's end, SLURM_JOB_END_TIME, when set)");
  command->add_option("--deadline-margin", arguments->deadline_margin,
                      "Seconds before the deadline at which running jobs checkpoint")
      ->capture_default_str();
  command->add_option("--max-memory", arguments->max_memory,
                      "Memory one job may use per worker, e.g. 8G; a job estimated to need more "
                      "fails before it starts (default: the node's memory / its workers; on a GPU "
                      "unchecked)");
  command->add_option("--journal-writers", arguments->journal_writers,
                      "Processes that write rank 0's journal in parallel, for coordinators that "
                      "must store more than about 2,000 small jobs a second (0: rank 0 writes it "
                      "on a thread of its own)")
      ->capture_default_str()
      ->check(CLI::Range(0, 64));
  command->add_option("--max-jobs", arguments->max_jobs,
                      "Refuse sweeps that expand to more jobs than this")->capture_default_str();
  command->callback([arguments, argc, argv, &outcome] { outcome = run_sweep(*arguments, argc, argv); });
}

}  // namespace stylesweep
