#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "common/error.h"
#include "runner/coordinator.h"
#include "runner/inprocess_transport.h"
#include "runner/messages.h"
#include "runner/scheduler.h"
#include "runner/session.h"

namespace stylesweep {
namespace {

ScheduledJob make_job(const std::string& id, double cost, const std::string& content = "c.png") {
  ScheduledJob job;
  job.item.id = id;
  job.item.label = "label-" + id;
  job.item.job.content = content;
  job.item.job.styles = {"style-for-" + content};
  job.cost = cost;
  job.target_keys = target_keys_of(job.item.job);
  return job;
}

// Workers that answer instantly: each job succeeds unless `fails` says it fails on that worker.
class FakeLink : public CoordinatorLink {
 public:
  explicit FakeLink(int workers) : workers_(workers) {
    for (int w = 1; w <= workers; ++w) inbox_.push_back({w, MessageKind::kHello, encode(WorkerInfo{w, "fake", "cpu"})});
  }
  int worker_count() const override { return workers_; }
  bool has_pending() override { return quiet ? false : !inbox_.empty(); }
  Envelope receive() override {
    if (inbox_.empty()) return {0, MessageKind::kNone, ""};  // every worker is waiting
    Envelope message = inbox_.front();
    inbox_.pop_front();
    return message;
  }
  void send(int worker, MessageKind kind, const std::string& payload) override {
    if (kind == MessageKind::kStop) {
      ++stops;
      return;
    }
    if (kind == MessageKind::kBatch) {
      std::vector<std::string> ids;
      for (const WorkItem& item : decode_work_items(payload)) {
        ids.push_back(item.id);
        answer(worker, item);
      }
      batches.push_back(ids);
      return;
    }
    if (kind != MessageKind::kJob) return;  // an interrupt for a job that has already answered
    answer(worker, decode_work_item(payload));
  }

  void answer(int worker, const WorkItem& item) {
    if (on_job) on_job(item.id);
    dispatched.push_back({worker, item.id});
    shipped_files[worker] += item.files.size();
    for (const ShippedFile& file : item.files) shipped[item.id][file.path] = file.bytes;
    JobOutcome outcome;
    outcome.id = item.id;
    outcome.attempt = item.attempt;
    outcome.worker = {worker, "fake", "cpu"};
    received_checkpoints[item.id] = item.checkpoint;
    if (interrupts(item.id)) {
      outcome.interrupted = true;
      outcome.checkpoint = "checkpoint of " + item.id;
    } else {
      outcome.done = !fails(item.id, worker);
      if (!outcome.done) outcome.error = "boom on worker " + std::to_string(worker);
    }
    outcome.result.wall_seconds = 10;
    outcome.result.image = Image{2, 1, {1, 2, 3, 4, 5, 6}};
    inbox_.push_back({worker, MessageKind::kResult, encode(outcome)});
  }

  std::function<bool(const std::string& id, int worker)> fails = [](const std::string&, int) { return false; };
  std::function<bool(const std::string& id)> interrupts = [](const std::string&) { return false; };
  std::map<std::string, std::string> received_checkpoints;
  std::function<void(const std::string& id)> on_job;
  std::vector<std::pair<int, std::string>> dispatched;  // (worker, id) in order
  std::vector<std::vector<std::string>> batches;         // the ids of each batch message
  std::map<int, std::size_t> shipped_files;
  std::map<std::string, std::map<std::string, std::string>> shipped;  // by job id: path -> bytes
  int stops = 0;
  bool quiet = false;  // never reports pending messages: every moment looks like a pause

 private:
  int workers_;
  std::deque<Envelope> inbox_;
};

class RecordingSink : public ResultSink {
 public:
  void store(const WorkItem& item, const JobOutcome& outcome) override {
    stored.push_back(item.id);
    status[item.id] = outcome.done ? "done" : "failed: " + outcome.error;
    attempts[item.id] = outcome.attempt;
    unpublished.insert(item.id);
  }
  void interrupted(const WorkItem& item, const JobOutcome& outcome) override {
    checkpoints[item.id] = outcome.checkpoint;
  }
  std::optional<std::string> checkpoint(const std::string& id) const override {
    auto found = checkpoints.find(id);
    if (found == checkpoints.end()) return std::nullopt;
    return found->second;
  }
  JobClaim claim(const WorkItem& item) override { return claims ? claims(item) : JobClaim{}; }
  void publish() override {
    ++publishes;
    unpublished.clear();
    if (on_publish) on_publish();
  }
  std::function<void()> on_publish;
  std::function<JobClaim(const WorkItem&)> claims;  // other runs' claims; none by default
  std::map<std::string, std::string> checkpoints;
  std::set<std::string> unpublished;
  int publishes = 0;
  std::vector<std::string> stored;
  std::map<std::string, std::string> status;
  std::map<std::string, int> attempts;
};

std::string fake_file(const std::string& path) { return "bytes of " + path; }

// A session of `size` ranks seen from `rank`: what process_role reads of it.
class FakeSession : public Session {
 public:
  FakeSession(int rank, int size) : rank_(rank), size_(size) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string host() const override { return "host"; }
  void worker_placement(int* local_index, int* workers_on_node) const override {
    *local_index = rank_;
    *workers_on_node = size_;
  }
  std::string broadcast(std::string text) const override { return text; }
  [[noreturn]] void abort(int) const override { throw Error("aborted", ErrorKind::kInternal); }
  std::unique_ptr<CoordinatorLink> coordinator_link() const override { return nullptr; }
  std::unique_ptr<WorkerLink> worker_link() const override { return nullptr; }

 private:
  int rank_, size_;
};

TEST(SessionTest, RankZeroOfSeveralCoordinatesTheOthersWorkALoneProcessDoesBoth) {
  EXPECT_EQ(process_role(FakeSession(0, 3)), ProcessRole::kCoordinator);
  EXPECT_EQ(process_role(FakeSession(1, 3)), ProcessRole::kWorker);
  EXPECT_EQ(process_role(FakeSession(2, 3)), ProcessRole::kWorker);
  EXPECT_EQ(process_role(FakeSession(0, 1)), ProcessRole::kSerial);
}

TEST(SchedulerTest, HandsOutTheCostliestJobFirst) {
  Scheduler scheduler({make_job("small", 1), make_job("large", 100), make_job("medium", 10)}, 1, 1);
  EXPECT_EQ(scheduler.next_for(1)->id, "large");
  EXPECT_EQ(scheduler.next_for(1)->id, "medium");
  EXPECT_EQ(scheduler.next_for(1)->id, "small");
  EXPECT_FALSE(scheduler.next_for(1).has_value());
  EXPECT_EQ(scheduler.running(), 3u);
}

TEST(SchedulerTest, PrefersAJobWhoseTargetsTheWorkerHoldsAmongEquallyCostlyOnes) {
  Scheduler scheduler({make_job("a1", 100, "a.png"), make_job("b1", 99, "b.png"),
                       make_job("a2", 98, "a.png"), make_job("b2", 97, "b.png"),
                       make_job("cheap-b", 10, "b.png")},
                      1, 2);
  EXPECT_EQ(scheduler.next_for(1)->id, "a1");
  EXPECT_EQ(scheduler.next_for(2)->id, "b1");
  EXPECT_EQ(scheduler.next_for(2)->id, "b2");  // skips a2: worker 2 holds b's targets
  EXPECT_EQ(scheduler.next_for(1)->id, "a2");
  EXPECT_EQ(scheduler.next_for(1)->id, "cheap-b");
}

TEST(SchedulerTest, AffinityNeverOvertakesAMuchCostlierJob) {
  Scheduler scheduler({make_job("a1", 100, "a.png"), make_job("b-big", 90, "b.png"),
                       make_job("a-small", 10, "a.png")},
                      1, 1);
  EXPECT_EQ(scheduler.next_for(1)->id, "a1");
  EXPECT_EQ(scheduler.next_for(1)->id, "b-big");
}

ScheduledJob adam_job(const std::string& id) {
  ScheduledJob job = make_job(id, 10);
  job.item.job.optimizer = Optimizer::kAdam;
  return job;
}

TEST(CoordinatorTest, HandsCompatibleAdamJobsOutAsBatchesAndWaitsForTheWholeBatch) {
  FakeLink link(1);
  Scheduler scheduler({adam_job("a1"), adam_job("a2"), make_job("l1", 10), adam_job("a3"), adam_job("a4"),
                       adam_job("a5")},
                      1, 1);
  RecordingSink sink;
  CoordinatorOptions options;
  options.batch = 3;
  Coordinator coordinator(link, scheduler, sink, {}, fake_file, options);
  const RunCounts counts = coordinator.run(6);
  EXPECT_EQ(counts.done, 6u);
  // a1 takes the next two Adam jobs along, past the L-BFGS one; nothing more goes to the worker
  // until all three are back; then l1, next in line, runs alone, and a4 and a5 are a batch.
  EXPECT_EQ(link.batches, (std::vector<std::vector<std::string>>{{"a1", "a2", "a3"}, {"a4", "a5"}}));
  std::vector<std::string> order;
  for (const auto& [worker, id] : link.dispatched) order.push_back(id);
  EXPECT_EQ(order, (std::vector<std::string>{"a1", "a2", "a3", "l1", "a4", "a5"}));
  EXPECT_EQ(sink.stored.size(), 6u);
}

TEST(CoordinatorTest, WithoutBatchingEveryJobGoesAlone) {
  FakeLink link(1);
  Scheduler scheduler({adam_job("a1"), adam_job("a2")}, 1, 1);
  RecordingSink sink;
  Coordinator coordinator(link, scheduler, sink, {}, fake_file);
  EXPECT_EQ(coordinator.run(2).done, 2u);
  EXPECT_TRUE(link.batches.empty());
  EXPECT_EQ(link.dispatched.size(), 2u);
}

TEST(CoordinatorTest, RunsEveryJobExactlyOnceAndStopsEveryWorker) {
  std::vector<ScheduledJob> jobs;
  for (int i = 0; i < 20; ++i) jobs.push_back(make_job("job" + std::to_string(i), 20 - i));
  Scheduler scheduler(std::move(jobs), 1, 3);
  FakeLink link(3);
  RecordingSink sink;
  Coordinator coordinator(link, scheduler, sink, {}, fake_file);
  const RunCounts counts = coordinator.run(20);
  EXPECT_EQ(counts.done, 20u);
  EXPECT_EQ(counts.failed, 0u);
  EXPECT_EQ(sink.stored.size(), 20u);
  EXPECT_EQ(std::set<std::string>(sink.stored.begin(), sink.stored.end()).size(), 20u);
  EXPECT_EQ(link.dispatched.size(), 20u);
  EXPECT_EQ(link.stops, 3);
  // Each worker receives each input file once: content and style, shipped with its first job.
  for (int worker = 1; worker <= 3; ++worker) EXPECT_EQ(link.shipped_files[worker], 2u) << worker;
}

TEST(CoordinatorTest, JobsThatOtherRunsHoldOrFinishedAreLeftToThemAndTheRunSaysWhich) {
  Scheduler scheduler({make_job("mine", 30), make_job("held", 20), make_job("finished", 10)}, 1, 2);
  FakeLink link(2);
  RecordingSink sink;
  int claims_of_held = 0;
  sink.claims = [&](const WorkItem& item) {
    if (item.id == "held") ++claims_of_held;
    if (item.id == "held") return JobClaim{JobClaim::State::kHeldElsewhere, "run-b"};
    if (item.id == "finished") return JobClaim{JobClaim::State::kFinishedElsewhere, ""};
    return JobClaim{};
  };
  Coordinator coordinator(link, scheduler, sink, {}, fake_file);
  const RunCounts counts = coordinator.run(3);
  EXPECT_EQ(link.dispatched, (std::vector<std::pair<int, std::string>>{{1, "mine"}}));
  EXPECT_EQ(counts.done, 1u);
  EXPECT_EQ(counts.finished_elsewhere, 1u);
  EXPECT_EQ(counts.held_elsewhere, 1u);
  EXPECT_EQ(counts.holding_runs, std::set<std::string>{"run-b"});
  EXPECT_EQ(claims_of_held, 2);  // once more when nothing else was left: its run may have died
  EXPECT_FALSE(counts.drained);
  EXPECT_EQ(link.stops, 2);
}

TEST(CoordinatorTest, WithWaitAHeldJobRunsOnceItsClaimIsFree) {
  Scheduler scheduler({make_job("mine", 30), make_job("held", 20)}, 1, 1);
  FakeLink link(1);
  RecordingSink sink;
  int refusals = 0;
  sink.claims = [&](const WorkItem& item) {
    if (item.id == "held" && refusals < 5) {
      ++refusals;
      return JobClaim{JobClaim::State::kHeldElsewhere, "run-b"};
    }
    return JobClaim{};
  };
  CoordinatorOptions options;
  options.wait_for_other_runs = true;
  double clock = 0;
  options.now = [&] { return clock += 0.5; };
  Coordinator coordinator(link, scheduler, sink, {}, fake_file, options);
  const RunCounts counts = coordinator.run(2);
  EXPECT_EQ(refusals, 5);
  EXPECT_EQ(counts.done, 2u);
  EXPECT_EQ(counts.held_elsewhere, 0u);
  EXPECT_TRUE(counts.holding_runs.empty());
  EXPECT_EQ(sink.stored, (std::vector<std::string>{"mine", "held"}));
}

TEST(CoordinatorTest, RetriesAFailedJobOnAnotherWorker) {
  Scheduler scheduler({make_job("flaky", 10), make_job("fine", 5)}, 1, 2);
  FakeLink link(2);
  link.fails = [](const std::string& id, int worker) { return id == "flaky" && worker == 1; };
  RecordingSink sink;
  Coordinator coordinator(link, scheduler, sink, {}, fake_file);
  const RunCounts counts = coordinator.run(2);
  EXPECT_EQ(counts.done, 2u);
  EXPECT_EQ(sink.status["flaky"], "done");
  EXPECT_EQ(sink.attempts["flaky"], 2);
  const std::vector<std::pair<int, std::string>> expected = {{1, "flaky"}, {2, "fine"}, {2, "flaky"}};
  EXPECT_EQ(link.dispatched, expected);
}

TEST(CoordinatorTest, AJobThatKeepsFailingIsStoredAsFailedAndTheOthersFinish) {
  std::vector<ScheduledJob> jobs = {make_job("bad", 10), make_job("good1", 5), make_job("good2", 4)};
  Scheduler scheduler(std::move(jobs), 1, 2);
  FakeLink link(2);
  link.fails = [](const std::string& id, int) { return id == "bad"; };
  RecordingSink sink;
  Coordinator coordinator(link, scheduler, sink, {}, fake_file);
  const RunCounts counts = coordinator.run(3);
  EXPECT_EQ(counts.done, 2u);
  EXPECT_EQ(counts.failed, 1u);
  EXPECT_EQ(sink.status["bad"], "failed: boom on worker 2");
  EXPECT_EQ(sink.attempts["bad"], 2);  // first try and one retry
  EXPECT_EQ(link.stops, 2);
}

// A frame job `id` that needs `dependency`'s result.
ScheduledJob frame_job(const std::string& id, double cost, const std::string& dependency) {
  ScheduledJob job = make_job(id, cost, "frame-" + id + ".png");
  FrameLink link;
  link.offset = -1;
  link.frame = "frame-" + dependency + ".png";
  link.result = "images/" + dependency + ".png";
  link.result_id = dependency;
  job.item.job.frame_links = {link};
  job.depends_on = {dependency};
  return job;
}

TEST(CoordinatorTest, AFrameJobStartsOnlyOnceItsDependencyIsDoneAndReceivesItsResult) {
  // Costliest first would start c, then b: the chain a -> b -> c decides instead.
  Scheduler scheduler({frame_job("c", 30, "b"), frame_job("b", 20, "a"), make_job("a", 1, "frame-a.png"),
                       make_job("other", 5, "o.png")},
                      0, 2);
  FakeLink link(2);
  RecordingSink sink;
  Coordinator coordinator(link, scheduler, sink, {}, fake_file);
  EXPECT_EQ(coordinator.run(4).done, 4u);
  std::vector<std::string> order;
  for (const auto& [worker, id] : link.dispatched) order.push_back(id);
  EXPECT_LT(std::find(order.begin(), order.end(), "a") - order.begin(),
            std::find(order.begin(), order.end(), "b") - order.begin());
  EXPECT_LT(std::find(order.begin(), order.end(), "b") - order.begin(),
            std::find(order.begin(), order.end(), "c") - order.begin());
  EXPECT_EQ(sink.stored.size(), 4u);
  // b starts from a's result, shipped as a PNG with the frame it was made from.
  ASSERT_TRUE(link.shipped["b"].count("images/a.png"));
  EXPECT_EQ(link.shipped["b"]["images/a.png"].substr(1, 3), "PNG");
  EXPECT_TRUE(link.shipped["b"].count("frame-a.png") || link.shipped["a"].count("frame-a.png"));
}

TEST(SchedulerTest, AJobWhoseDependencyFailedForGoodLeavesTheQueueWithTheChainAfterIt) {
  Scheduler scheduler({make_job("a", 1), frame_job("b", 2, "a"), frame_job("c", 3, "b"), make_job("d", 4)}, 0, 1);
  EXPECT_EQ(scheduler.next_for(1)->id, "d");  // b and c wait for a
  EXPECT_EQ(scheduler.next_for(1)->id, "a");
  EXPECT_FALSE(scheduler.next_for(1));
  JobOutcome failed;
  failed.id = "a";
  failed.error = "boom";
  EXPECT_TRUE(scheduler.record(failed, 1));
  const auto blocked = scheduler.take_blocked();
  ASSERT_EQ(blocked.size(), 2u);
  std::map<std::string, std::string> waited_for;
  for (const auto& [item, dependency] : blocked) waited_for[item.id] = dependency;
  EXPECT_EQ(waited_for["b"], "a");
  EXPECT_EQ(waited_for["c"], "b");
  EXPECT_EQ(scheduler.queued(), 0u);
}

TEST(CoordinatorTest, FramesAfterAFailedFrameAreStoredFailedWithTheReasonAndNeverRun) {
  Scheduler scheduler({make_job("a", 1), frame_job("b", 2, "a"), frame_job("c", 3, "b"), make_job("d", 4)}, 1, 2);
  FakeLink link(2);
  link.fails = [](const std::string& id, int) { return id == "a"; };
  RecordingSink sink;
  Coordinator coordinator(link, scheduler, sink, {}, fake_file);
  const RunCounts counts = coordinator.run(4);
  EXPECT_EQ(counts.done, 1u);
  EXPECT_EQ(counts.failed, 3u);
  EXPECT_EQ(sink.status["b"], "failed: not run: job a that it depends on failed");
  EXPECT_EQ(sink.status["c"], "failed: not run: job b that it depends on failed");
  for (const auto& [worker, id] : link.dispatched) EXPECT_TRUE(id == "a" || id == "d") << id;
  EXPECT_EQ(link.stops, 2);
}

TEST(CoordinatorTest, WithoutRetriesAFailureIsFinal) {
  Scheduler scheduler({make_job("bad", 10)}, 0, 1);
  FakeLink link(1);
  link.fails = [](const std::string&, int) { return true; };
  RecordingSink sink;
  Coordinator coordinator(link, scheduler, sink, {}, fake_file);
  EXPECT_EQ(coordinator.run(1).failed, 1u);
  EXPECT_EQ(link.dispatched.size(), 1u);
}

TEST(CoordinatorTest, SpacesPublishesByTenTimesWhatTheLastOneTook) {
  std::vector<ScheduledJob> jobs;
  for (int i = 0; i < 200; ++i) jobs.push_back(make_job("job" + std::to_string(i), 1));
  Scheduler scheduler(std::move(jobs), 1, 1);
  FakeLink link(1);
  link.quiet = true;  // without spacing, every result would be published on its own
  RecordingSink sink;
  double clock = 1000;
  sink.on_publish = [&] { clock += 0.5; };  // each publish takes half a second...
  link.on_job = [&](const std::string&) { clock += 0.1; };  // ...and each job a tenth
  int announced = 0;
  CoordinatorEvents events;
  events.job_finished = [&](const WorkItem&, const JobOutcome&, const RunCounts&, bool) { ++announced; };
  CoordinatorOptions options;
  options.now = [&] { return clock; };
  Coordinator coordinator(link, scheduler, sink, events, fake_file, options);
  EXPECT_EQ(coordinator.run(200).done, 200u);
  EXPECT_EQ(announced, 200);
  // 20 s of jobs, a publish at most every 5 s after the first: 6 at most with the final one.
  EXPECT_GE(sink.publishes, 3);
  EXPECT_LE(sink.publishes, 6);
}

TEST(CoordinatorTest, AnnouncesAJobOnlyAfterItIsPublished) {
  Scheduler scheduler({make_job("a", 3), make_job("b", 2), make_job("c", 1)}, 1, 2);
  FakeLink link(2);
  RecordingSink sink;
  std::vector<std::string> announced;
  CoordinatorEvents events;
  events.job_finished = [&](const WorkItem& item, const JobOutcome&, const RunCounts&, bool) {
    EXPECT_EQ(sink.unpublished.count(item.id), 0u) << item.id << " announced before publishing";
    announced.push_back(item.id);
  };
  Coordinator coordinator(link, scheduler, sink, events, fake_file);
  coordinator.run(3);
  EXPECT_EQ(announced.size(), 3u);
  EXPECT_GE(sink.publishes, 1);
}

TEST(CoordinatorTest, AStopRequestDrainsCheckpointsAndLeavesTheRestQueued) {
  std::vector<ScheduledJob> jobs;
  for (int i = 0; i < 6; ++i) jobs.push_back(make_job("job" + std::to_string(i), 10 - i));
  Scheduler scheduler(std::move(jobs), 1, 2);
  FakeLink link(2);
  // The first job finishes; then a signal arrives while job1 runs: it is checkpointed.
  link.interrupts = [](const std::string& id) { return id == "job1"; };
  RecordingSink sink;
  bool stop = false;
  CoordinatorEvents events;
  events.job_finished = [&](const WorkItem&, const JobOutcome&, const RunCounts&, bool) { stop = true; };
  CoordinatorOptions options;
  options.stop_requested = [&stop] { return stop; };
  Coordinator coordinator(link, scheduler, sink, events, fake_file, options);
  const RunCounts counts = coordinator.run(6);
  EXPECT_TRUE(counts.drained);
  EXPECT_GE(counts.interrupted, 1u);
  EXPECT_EQ(counts.failed, 0u);
  EXPECT_EQ(counts.done + counts.queued, 6u);  // job1 is back in the queue, nothing is lost
  EXPECT_GE(counts.queued, 3u);               // jobs never started after the signal
  EXPECT_LE(link.dispatched.size(), 4u);
  EXPECT_EQ(sink.checkpoints["job1"], "checkpoint of job1");
  EXPECT_EQ(link.stops, 2);
}

TEST(CoordinatorTest, AResumedJobReceivesItsCheckpoint) {
  Scheduler scheduler({make_job("resumed", 1)}, 1, 1);
  FakeLink link(1);
  RecordingSink sink;
  sink.checkpoints["resumed"] = "saved state";
  Coordinator coordinator(link, scheduler, sink, {}, fake_file);
  EXPECT_EQ(coordinator.run(1).done, 1u);
  EXPECT_EQ(link.received_checkpoints["resumed"], "saved state");
}

TEST(CoordinatorTest, StartsNoJobThatCannotFinishBeforeTheDeadline) {
  // Jobs of cost 10 take 10 s each (measured from the first one); 25 s remain at the start.
  std::vector<ScheduledJob> jobs;
  for (int i = 0; i < 5; ++i) jobs.push_back(make_job("job" + std::to_string(i), 10));
  Scheduler scheduler(std::move(jobs), 1, 1);
  FakeLink link(1);
  RecordingSink sink;
  double clock = 1000;
  link.on_job = [&clock](const std::string&) { clock += 10; };  // each job runs 10 s
  CoordinatorEvents events;
  CoordinatorOptions options;
  options.now = [&clock] { return clock; };
  options.deadline = 1000 + 25 + 5;
  options.deadline_margin = 5;
  options.stop_requested = [] { return false; };
  Coordinator coordinator(link, scheduler, sink, events, fake_file, options);
  const RunCounts counts = coordinator.run(5);
  EXPECT_TRUE(counts.drained);
  // Started at 1000 (no estimate yet) and 1010 (ends 1020, before 1025); at 1020 the next would
  // end at 1030, past the deadline less its margin.
  EXPECT_EQ(counts.done, 2u);
  EXPECT_EQ(counts.queued, 3u);
}

TEST(CoordinatorTest, EstimatesTheTimeLeftFromTheMeasuredCostOfFinishedJobs) {
  // Every job takes 10 s, whatever its cost; two workers.
  Scheduler scheduler({make_job("a", 40), make_job("b", 20), make_job("c", 20), make_job("d", 10),
                       make_job("e", 10)},
                      1, 2);
  FakeLink link(2);
  RecordingSink sink;
  std::vector<double> etas;
  CoordinatorEvents events;
  events.job_finished = [&etas](const WorkItem&, const JobOutcome&, const RunCounts& counts, bool) {
    etas.push_back(counts.eta_seconds);
  };
  Coordinator coordinator(link, scheduler, sink, events, fake_file);
  coordinator.run(5);
  ASSERT_EQ(etas.size(), 5u);
  // After a (cost 40, 10 s): 0.25 s per unit; 60 units left over 2 workers.
  EXPECT_DOUBLE_EQ(etas[0], 60 * 0.25 / 2);
  // After b too: 20 s for 60 units; 40 units left.
  EXPECT_DOUBLE_EQ(etas[1], 40 * (20.0 / 60) / 2);
  EXPECT_DOUBLE_EQ(etas[4], 0);
}

TEST(InProcessLinkTest, RunsJobsSynchronouslyWithTheSameCoordinator) {
  Scheduler scheduler({make_job("x", 2), make_job("y", 1)}, 1, 1);
  std::vector<std::string> ran;
  InProcessLink link(WorkerInfo{0, "here", "cpu"}, [&ran](const WorkItem& item, const std::function<bool()>&) {
    ran.push_back(item.id);
    JobOutcome outcome;
    outcome.done = true;
    return outcome;
  });
  RecordingSink sink;
  Coordinator coordinator(link, scheduler, sink, {}, fake_file);
  EXPECT_EQ(coordinator.run(2).done, 2u);
  EXPECT_EQ(ran, (std::vector<std::string>{"x", "y"}));
}

TEST(MessagesTest, OutcomeRoundTripKeepsImageAndHistories) {
  JobOutcome outcome;
  outcome.id = "abc";
  outcome.done = true;
  outcome.result.image = Image{2, 1, {0, 10, 20, 255, 128, 7}};
  outcome.result.history.total = {3, 2, 1};
  outcome.result.history.style_layer_names = {"relu1_1", "relu2_1"};
  outcome.result.history.style_layers = {{1, 2}, {3, 4}, {5, 6}};
  outcome.result.evaluations = 3;
  outcome.result.result_evaluation = 2;
  outcome.worker = {4, "node7", "cuda:1"};
  const JobOutcome back = decode_job_outcome(encode(outcome));
  EXPECT_EQ(back.result.image.pixels, outcome.result.image.pixels);
  EXPECT_EQ(back.result.history.total, outcome.result.history.total);
  EXPECT_EQ(back.result.history.style_layers, outcome.result.history.style_layers);
  EXPECT_EQ(back.result.result_evaluation, 2);
  EXPECT_EQ(back.worker.host, "node7");
  EXPECT_THROW(decode_job_outcome(encode(outcome).substr(0, 20)), Error);
}

}  // namespace
}  // namespace stylesweep
