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
#include "common/text.h"
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
  int workers_per_gpu = 1;      // worker ranks sharing one GPU
  int batch = 1;                // jobs a worker runs as one batch, at most
  bool wait = false;            // wait for jobs other runs are running instead of ending
  double claim_timeout = RunRegistry::kDefaultTimeoutSeconds;
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
    throw Error("--deadline: expected seconds since the epoch or +SECONDS, got '" + value + "'", ErrorKind::kBadInput);
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

void open_store(SweepSetup& setup, const RunArguments& arguments) {
  const SweepPlan& plan = setup.plan;
  setup.store = std::make_unique<ResultStore>(
      StoreSettings{setup.config.output, setup.config.text, setup.config.path, plan.weights_sha256,
                    plan.varying_keys, read_weights_source(plan.weights_path), arguments.journal_writers,
                    journal_writer_program(), arguments.claim_timeout},
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
    job.item.parameters = planned.varying_values;
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

void print_start_line(const RunArguments& arguments, const SweepSetup& setup, const Selection& selection,
                      int workers) {
  for (const auto& note : setup.recovery_notes) std::cout << "stylesweep run: recovery: " << note << "\n";
  std::cout << fmt::format(
      "stylesweep run: {} jobs in {}: {} done, {} to run, {} failed before{}{} on {} worker{}; "
      "results in {} (run {})\n",
      setup.plan.jobs.size(), setup.config.path, selection.done, selection.to_run.size(), selection.failed_before,
      selection.failed_before && !arguments.rerun_failed ? " (kept; --rerun-failed runs them again)" : "",
      selection.given_up ? fmt::format(", {} given up after --max-attempts", selection.given_up) : "",
      workers, workers == 1 ? "" : "s", setup.store->results_path(), setup.store->run().run_id);
  std::cout.flush();
}

// One plain line per job, with the run's progress, readable in a terminal and a Slurm log.
std::string job_line(const WorkItem& item, const JobOutcome& outcome, bool will_retry) {
  const auto& totals = outcome.result.history.total;
  const int at = outcome.result.result_evaluation;
  const double loss = at >= 0 && at < int(totals.size()) ? totals[std::size_t(at)] : std::nan("");
  const char* verdict = outcome.done ? "done  " : outcome.interrupted ? "paused" : will_retry ? "retry " : "failed";
  return fmt::format("{} {} {}  loss {:.4e}  {:.1f} s  rank {}", verdict, item.id, item.label, loss,
                     outcome.result.wall_seconds, outcome.worker.rank);
}

// What the user sees while the coordinator runs: job lines, the progress line, status.json.
CoordinatorEvents progress_events(SweepProgress& progress, RunStatusWriter& status, Clock::time_point start) {
  auto elapsed_seconds = [start] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  // status.json at most twice a second: sweeps of tiny jobs finish thousands a second.
  auto status_written = std::make_shared<double>(-1);
  auto refresh_status = [&status, status_written](const RunCounts& counts, double elapsed) {
    if (elapsed - *status_written < 0.5) return;
    status.update(counts, elapsed);
    *status_written = elapsed;
  };
  CoordinatorEvents events;
  events.worker_started = [&progress](const WorkerInfo& info) {
    progress.job_line(fmt::format("worker rank {} on {}: {}", info.rank, info.host, info.device));
  };
  events.draining = [&progress](const std::string& reason) {
    progress.job_line("stylesweep run: draining (" + reason + "): no new jobs; running jobs checkpoint");
  };
  events.tick = [&progress, refresh_status, elapsed_seconds](const RunCounts& counts) {
    progress.update(counts, elapsed_seconds());
    refresh_status(counts, elapsed_seconds());
  };
  events.job_finished = [&progress, refresh_status, elapsed_seconds](
                            const WorkItem& item, const JobOutcome& outcome, const RunCounts& counts, bool will_retry) {
    const double elapsed = elapsed_seconds();
    progress.job_finished(counts, elapsed, job_line(item, outcome, will_retry),
                          outcome.done ? "" : ": " + outcome.error);
    progress.update(counts, elapsed);
    refresh_status(counts, elapsed);
  };
  return events;
}

// Jobs other runs finished or still run, when there were any.
std::string other_runs_lines(const RunCounts& counts) {
  std::string lines;
  if (counts.finished_elsewhere) {
    lines += fmt::format("{} jobs were finished by other runs writing the same output\n", counts.finished_elsewhere);
  }
  if (counts.held_elsewhere && !counts.drained) {
    lines += fmt::format("all remaining jobs are running in other runs: {} ({} job{}; --wait waits for them)\n",
                         join(std::vector<std::string>(counts.holding_runs.begin(), counts.holding_runs.end()), ", "),
                         counts.held_elsewhere, counts.held_elsewhere == 1 ? "" : "s");
  }
  return lines;
}

Outcome finish_run(const SweepSetup& setup, RunCounts counts, RunStatusWriter& status, Clock::time_point start) {
  // Standalone copies only when this run ended the sweep: other runs still link to segments.
  setup.store->publish(!counts.drained && counts.held_elsewhere == 0);
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
      setup.store->results_path(), setup.config.output);
  std::cout << other_runs_lines(counts);
  if (counts.drained) return Outcome::kDrained;
  return counts.failed == 0 ? Outcome::kOk : Outcome::kSomeJobsFailed;
}

Outcome coordinate(const RunArguments& arguments, const SweepSetup& setup, CoordinatorLink& link, bool live) {
  const auto start = Clock::now();
  ResultStore& store = *setup.store;
  Selection selection = select_jobs(arguments, setup.plan, store);
  const std::size_t to_run = selection.to_run.size();
  print_start_line(arguments, setup, selection, link.worker_count());
  store.publish(false);
  Scheduler scheduler(std::move(selection.to_run), arguments.retries, link.worker_count(),
                      arguments.max_attempts);
  RunStatusWriter status(setup.config.output, setup.plan.jobs.size(), selection.done);
  SweepProgress progress(stdout, to_run, live, arguments.progress_interval);
  CoordinatorOptions options;
  options.deadline = resolve_deadline(arguments.deadline);
  options.deadline_margin = arguments.deadline_margin;
  options.batch = arguments.batch;
  options.wait_for_other_runs = arguments.wait;
  const CoordinatorEvents events = progress_events(progress, status, start);
  Coordinator coordinator(link, scheduler, store, events, read_whole_file, options);
  RunCounts counts = coordinator.run(to_run);
  progress.finish();
  if (!counts.storage_error.empty()) report_storage_failure(store, counts, status, start);
  counts.skipped = selection.done;
  return finish_run(setup, counts, status, start);
}

// What every rank needs to start: where the weights are and what they must hash to, from rank
// 0, which plans the sweep and opens the store into `setup`. When rank 0 fails, the other ranks
// receive the error's kind (a single character) and end with it, silently.
struct StartMessage {
  std::string weights_spec, weights_sha256;
};

StartMessage start_ranks(const Session& session, const RunArguments& arguments, std::optional<SweepSetup>& setup) {
  std::string message;
  if (session.rank() == 0) {
    try {
      SweepConfig config = load_sweep_config(arguments.config);
      const std::string weights = resolve_weights(config.weights);
      SweepPlan plan = expand_sweep(config, weights, arguments.max_jobs);
      setup = SweepSetup{std::move(config), std::move(plan), nullptr, {}};
      open_store(*setup, arguments);
      message = setup->config.weights + "\n" + setup->plan.weights_sha256;
    } catch (const Error& error) {
      if (session.size() > 1) session.broadcast(std::string(1, char(error.kind())));
      throw;
    } catch (...) {
      if (session.size() > 1) session.broadcast(std::string(1, char(ErrorKind::kInternal)));
      throw;
    }
  }
  if (session.size() > 1) message = session.broadcast(message);
  if (message.size() == 1) throw ReportedError(ErrorKind(message[0]));
  return {message.substr(0, message.find('\n')), message.substr(message.find('\n') + 1)};
}

// A worker's place on its node: which of the node's workers it is, and how many there are.
struct Placement {
  int local_index = 0, workers_on_node = 1;
};

// A worker's engine on the device chosen for its place on the node.
std::unique_ptr<StyleEngine> make_engine(const Session& session, const RunArguments& arguments,
                                         const std::string& weights_spec, Placement placement, WorkerInfo& info) {
  const DeviceChoice device =
      choose_device(placement.local_index, placement.workers_on_node, arguments.threads, arguments.max_memory,
                    arguments.workers_per_gpu);
  info = {session.rank(), session.host(), apply_device(device)};
  auto engine = std::make_unique<StyleEngine>(resolve_weights(weights_spec), device.name);
  engine->set_memory_budget(device.memory_budget);
  return engine;
}

Outcome run_sweep(const RunArguments& arguments, int* argc, char*** argv) {
  const bool live = live_progress(arguments.progress);  // before MPI_Init adds its environment
  const std::unique_ptr<Session> started = start_session(argc, argv);
  const Session& session = *started;
  install_stop_handlers();  // after MPI_Init, which installs handlers of its own
  std::optional<SweepSetup> setup;
  const StartMessage start = start_ranks(session, arguments, setup);
  Placement placement;  // every rank takes part in finding it (MPI splits)
  session.worker_placement(&placement.local_index, &placement.workers_on_node);
  if (session.size() > 1 && session.rank() == 0) {
    const std::unique_ptr<CoordinatorLink> link = session.coordinator_link();
    try {
      return coordinate(arguments, *setup, *link, live);
    } catch (const ReportedError&) {
      throw;  // the workers were told to stop already
    } catch (const std::exception& error) {
      // Workers wait for the coordinator: end them all rather than hang.
      std::cerr << "stylesweep: coordinator failed: " << error.what() << "\n";
      const auto* known = dynamic_cast<const Error*>(&error);
      session.abort(exit_code(known ? known->kind() : ErrorKind::kInternal));
    }
  }
  // Every other rank works; a single process coordinates too, through InProcessLink.
  const std::string scratch = (std::filesystem::temp_directory_path() /
                               fmt::format("stylesweep-rank{}-{}", session.rank(), ::getpid())).string();
  WorkerInfo info;
  auto engine = make_engine(session, arguments, start.weights_spec, placement, info);
  EngineJobRunner runner(*engine, start.weights_sha256, info.host, scratch);
  const JobRunner run_job = [&runner](const WorkItem& item, const std::function<bool()>& interrupted) {
    return runner(item, interrupted);
  };
  const BatchRunner run_batch = [&runner](const std::vector<WorkItem>& items) { return runner.run_batch(items); };
  if (session.size() == 1) {
    InProcessLink link(info, run_job, run_batch);
    return coordinate(arguments, *setup, link, live);
  }
  const std::unique_ptr<WorkerLink> link = session.worker_link();
  run_worker(*link, info, run_job, run_batch);
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
                      "its memory / --workers-per-gpu, and always what the device has free)");
  command->add_option("--workers-per-gpu", arguments->workers_per_gpu,
                      "Worker ranks that share one GPU and its memory: a node's workers 0..K-1 use "
                      "GPU 0, K..2K-1 GPU 1, ... (no effect on CPU workers, which share the node's "
                      "cores)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  command->add_option("--batch", arguments->batch,
                      "Jobs a worker runs as one batch, at most: Adam jobs on the same images, size, "
                      "layers, pooling, precision and steps, without scales (a seed or ratio sweep); "
                      "each gives what it gives alone. Batches take no checkpoints: a drain waits "
                      "for a running batch")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  command->add_option("--journal-writers", arguments->journal_writers,
                      "Processes that write rank 0's journal in parallel, for coordinators that "
                      "must store more than about 2,000 small jobs a second (0: rank 0 writes it "
                      "on a thread of its own)")
      ->capture_default_str()
      ->check(CLI::Range(0, 64));
  command->add_flag("--wait", arguments->wait,
                    "When only jobs that other runs of this output are running are left, wait for "
                    "them (and take over those of runs that die) instead of ending with exit 0");
  command->add_option("--claim-timeout", arguments->claim_timeout,
                      "Seconds without a heartbeat after which another run's claim on a job is "
                      "stale and taken over (a run on the same host whose process is gone is "
                      "stale at once); heartbeats come every timeout / 4, at most 30 s")
      ->capture_default_str()
      ->check(CLI::Range(0.2, 86400.0));
  command->add_option("--max-jobs", arguments->max_jobs,
                      "Refuse sweeps that expand to more jobs than this")->capture_default_str();
  command->callback([arguments, argc, argv, &outcome] { outcome = run_sweep(*arguments, argc, argv); });
}

}  // namespace stylesweep
