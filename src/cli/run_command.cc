// `stylesweep run`: which jobs of the plan run (skipping the done ones, giving up on those
// started too often), what the coordinator shows while they run and when they end, and the run
// itself: each process takes the role its session gives it (coordinator, worker, or both).
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/job_runner.h"
#include "cli/progress.h"
#include "cli/run_options.h"
#include "cli/run_startup.h"
#include "common/error.h"
#include "common/interrupt.h"
#include "common/text.h"
#include "engine/stylize.h"
#include "runner/coordinator.h"
#include "runner/inprocess_transport.h"
#include "runner/session.h"
#include "store/result_store.h"
#include "store/video_table.h"
#include "runner/run_status.h"

namespace stylesweep {
namespace {

using Clock = std::chrono::steady_clock;

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
  std::set<std::string> not_run;  // failed and kept, or given up: jobs that need them cannot start
  for (const PlannedJob& planned : plan.jobs) {
    if (done.count(planned.id)) {
      ++selection.done;
      continue;
    }
    if (failed.count(planned.id) && !arguments.rerun_failed) {
      ++selection.failed_before;
      not_run.insert(planned.id);
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
    job.depends_on = planned.depends_on;
    const auto blocker = std::find_if(planned.depends_on.begin(), planned.depends_on.end(),
                                      [&not_run](const std::string& id) { return not_run.count(id) > 0; });
    if (blocker != planned.depends_on.end()) {  // a frame whose predecessor failed
      JobOutcome outcome;
      outcome.id = planned.id;
      outcome.attempt = job.item.attempt - 1;
      outcome.error = fmt::format("not run: job {} that it depends on failed", *blocker);
      outcome.result.history.style_layer_names = planned.job.style_layers;
      store.store(job.item, outcome);
      not_run.insert(planned.id);
      ++selection.failed_before;
      continue;
    }
    if (job.item.attempt > arguments.max_attempts && !failed.count(planned.id)) {
      JobOutcome outcome;
      outcome.id = planned.id;
      outcome.attempt = job.item.attempt - 1;
      outcome.error = fmt::format("gave up: started {} times without finishing (the worker crashed "
                                  "or was killed); --max-attempts {}",
                                  outcome.attempt, arguments.max_attempts);
      outcome.result.history.style_layer_names = planned.job.style_layers;
      store.store(job.item, outcome);
      not_run.insert(planned.id);
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

// Video jobs whose frames are all done become videos and rows of /videos; a failure to write them
// costs none of the stored frames, which the next run turns into videos again.
void finish_videos(const SweepSetup& setup) {
  try {
    // Under the publication lock: another run of an array may rebuild results.h5 meanwhile.
    std::vector<VideoRow> rows;
    setup.store->with_publication_lock(
        [&] { rows = write_video_results(setup.plan, setup.config.output, setup.store->results_path()); });
    for (const VideoRow& row : rows) {
      std::cout << fmt::format("video: {}/{} ({} frames, {} pass{}): warping error {:.1f} (input clip {:.1f})\n",
                               setup.config.output, row.file, row.frames, row.passes, row.passes == 1 ? "" : "es",
                               row.warp_error_mean, row.input_warp_error_mean);
    }
  } catch (const Error& error) {
    std::cerr << "stylesweep run: warning: the videos were not written: " << error.what() << "\n";
  }
}

Outcome finish_run(const SweepSetup& setup, RunCounts counts, RunStatusWriter& status, Clock::time_point start) {
  // Standalone copies only when this run ended the sweep: other runs still link to segments.
  const bool sweep_ended = !counts.drained && counts.held_elsewhere == 0;
  setup.store->publish(sweep_ended);
  if (sweep_ended) finish_videos(setup);
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

// A worker's engine and how it runs jobs and batches.
struct WorkerSide {
  WorkerInfo info;
  std::unique_ptr<StyleEngine> engine;
  std::unique_ptr<EngineJobRunner> runner;
  JobRunner run_job;
  BatchRunner run_batch;
};

WorkerSide start_worker(const Session& session, const RunArguments& arguments, const StartMessage& start,
                        Placement placement) {
  WorkerSide side;
  const std::string scratch = (std::filesystem::temp_directory_path() /
                               fmt::format("stylesweep-rank{}-{}", session.rank(), ::getpid())).string();
  side.engine = make_engine(session, arguments, start, placement, side.info);
  side.runner = std::make_unique<EngineJobRunner>(*side.engine, start.weights_sha256, start.yardstick_sha256,
                                                  side.info.host, scratch);
  EngineJobRunner& runner = *side.runner;
  side.run_job = [&runner](const WorkItem& item, const std::function<bool()>& interrupted) {
    return runner(item, interrupted);
  };
  side.run_batch = [&runner](const std::vector<WorkItem>& items) { return runner.run_batch(items); };
  return side;
}

// Rank 0 of several: coordinates, and ends every rank when it fails (workers wait for it).
Outcome coordinate_ranks(const Session& session, const RunArguments& arguments, const SweepSetup& setup, bool live) {
  const std::unique_ptr<CoordinatorLink> link = session.coordinator_link();
  try {
    return coordinate(arguments, setup, *link, live);
  } catch (const ReportedError&) {
    throw;  // the workers were told to stop already
  } catch (const std::exception& error) {
    std::cerr << "stylesweep: coordinator failed: " << error.what() << "\n";
    const auto* known = dynamic_cast<const Error*>(&error);
    session.abort(exit_code(known ? known->kind() : ErrorKind::kInternal));
  }
}

Outcome run_sweep(const RunArguments& arguments, int* argc, char*** argv) {
  const bool live = live_progress(arguments.progress);  // before MPI_Init adds its environment
  const std::unique_ptr<Session> started = start_session(argc, argv);
  const Session& session = *started;
  const ProcessRole role = process_role(session);
  install_stop_handlers();  // after MPI_Init, which installs handlers of its own
  std::optional<SweepSetup> setup;
  const StartMessage start = start_ranks(session, role, arguments, setup);
  Placement placement;  // every rank takes part in finding it (MPI splits)
  session.worker_placement(&placement.local_index, &placement.workers_on_node);
  if (role == ProcessRole::kCoordinator) return coordinate_ranks(session, arguments, *setup, live);
  // Every other rank works; a single process coordinates too, through InProcessLink.
  const WorkerSide worker = start_worker(session, arguments, start, placement);
  if (role == ProcessRole::kSerial) {
    InProcessLink link(worker.info, worker.run_job, worker.run_batch);
    return coordinate(arguments, *setup, link, live);
  }
  const std::unique_ptr<WorkerLink> link = session.worker_link();
  run_worker(*link, worker.info, worker.run_job, worker.run_batch);
  return Outcome::kOk;
}

}  // namespace

void add_run_command(CLI::App& app, int* argc, char*** argv, Outcome& outcome) {
  auto arguments = std::make_shared<RunArguments>();
  CLI::App* command = app.add_subcommand(
      "run", "Run a sweep: mpirun -np N stylesweep run CONFIG (rank 0 coordinates, the others "
             "work; a single process does both)");
  command->footer("Examples:\n  scripts/mpirun.sh -np 3 stylesweep run configs/demo.yaml   # a coordinator and two workers\n  stylesweep run configs/demo.yaml                           # one process");
  add_run_options(*command, *arguments);
  command->callback([arguments, argc, argv, &outcome] { outcome = run_sweep(*arguments, argc, argv); });
}

}  // namespace stylesweep
