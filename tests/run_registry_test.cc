// Claims, heartbeats and the publication lock of runs sharing one output directory, with real
// processes: a claim is exclusive, a dead run's claim is taken over once, a fresh claim of a run
// on another host is respected until its heartbeat is older than the timeout, and a finished
// job's record tells later claims where its outcome is.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "store/run_registry.h"
#include "test_support.h"

namespace stylesweep {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// A claim as a run on another host wrote it, `age_seconds` ago.
void write_foreign_claim(const std::string& path, double age_seconds) {
  std::ofstream(path) << "run far-away-1-abcdef\nhost far-away\npid_namespace pid:[1]\npid 1\n";
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const double then = now - age_seconds;
  const timespec stamp{time_t(then), long((then - double(time_t(then))) * 1e9)};
  const timespec times[2] = {stamp, stamp};
  ::utimensat(AT_FDCWD, path.c_str(), times, 0);
}

// Forks a process that registers, claims `job` and dies without releasing it (like kill -9).
void claim_in_a_process_that_dies(const std::string& output, const std::string& job) {
  const pid_t child = ::fork();
  if (child == 0) {
    auto* registry = new RunRegistry(output);  // never destroyed: nothing is cleaned up
    const bool taken = registry->claim(job).taken;
    ::_exit(taken ? 0 : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(RunRegistryTest, AClaimIsExclusiveUntilReleased) {
  TempDir dir;
  RunRegistry first(dir.file("out")), second(dir.file("out"));
  EXPECT_NE(first.self().run_id, second.self().run_id);
  EXPECT_TRUE(first.claim("job1").taken);
  EXPECT_TRUE(first.claim("job1").taken);  // already ours
  const ClaimAttempt refused = second.claim("job1");
  EXPECT_FALSE(refused.taken);
  EXPECT_EQ(refused.holder, first.self().run_id);
  ClaimRecord record;
  ASSERT_TRUE(read_claim_record(dir.file("out/claims/job1"), record));
  EXPECT_EQ(record.owner.run_id, first.self().run_id);
  EXPECT_EQ(record.owner.pid, long(::getpid()));
  first.release("job1");
  EXPECT_FALSE(fs::exists(dir.file("out/claims/job1")));
  EXPECT_TRUE(second.claim("job1").taken);
  EXPECT_FALSE(first.claim("job1").taken);
}

TEST(RunRegistryTest, AFinishedJobsRecordTellsALaterClaimWhereItsOutcomeIs) {
  TempDir dir;
  RunRegistry first(dir.file("out")), second(dir.file("out"));
  ASSERT_TRUE(first.claim("job1").taken);
  first.finish({"job1"}, "segment-a.h5");
  EXPECT_FALSE(first.holds("job1"));
  const auto stands = [](const std::string& where) { return where == "segment-a.h5"; };
  const ClaimAttempt finished = second.claim("job1", stands);
  EXPECT_FALSE(finished.taken);
  EXPECT_EQ(finished.finished_in, "segment-a.h5");
  EXPECT_TRUE(list_live_runs(dir.file("out"))[0].job_ids.empty() &&
              list_live_runs(dir.file("out"))[1].job_ids.empty());  // a record, not a running job
  // A record that does not stand (an outcome to run again) is replaced by a claim, once.
  const ClaimAttempt again = second.claim("job1", [](const std::string&) { return false; });
  EXPECT_TRUE(again.taken);
  EXPECT_FALSE(again.took_over);
  EXPECT_EQ(first.claim("job1", [](const std::string&) { return false; }).holder, second.self().run_id);
}

TEST(RunRegistryTest, TheClaimOfARunWhoseProcessIsGoneIsTakenOverOnce) {
  TempDir dir;
  claim_in_a_process_that_dies(dir.file("out"), "job1");
  RunRegistry taker(dir.file("out")), late(dir.file("out"));
  const ClaimAttempt taken = taker.claim("job1");
  EXPECT_TRUE(taken.taken);
  EXPECT_TRUE(taken.took_over);
  const ClaimAttempt refused = late.claim("job1");
  EXPECT_FALSE(refused.taken);
  EXPECT_EQ(refused.holder, taker.self().run_id);
  taker.release("job1");
  // The claim and its takeover marker are gone.
  for (const auto& entry : fs::directory_iterator(dir.file("out/claims"))) ADD_FAILURE() << entry.path();
}

TEST(RunRegistryTest, ARunOnAnotherHostKeepsItsClaimUntilItsHeartbeatIsOlderThanTheTimeout) {
  TempDir dir;
  RunRegistry registry(dir.file("out"), 5.0);
  write_foreign_claim(dir.file("out/claims/fresh"), 1.0);
  write_foreign_claim(dir.file("out/claims/stale"), 6.0);
  const ClaimAttempt fresh = registry.claim("fresh");
  EXPECT_FALSE(fresh.taken);
  EXPECT_EQ(fresh.holder, "far-away-1-abcdef");
  EXPECT_TRUE(registry.claim("stale").taken);
}

TEST(RunRegistryTest, HeartbeatsKeepAClaimFresh) {
  TempDir dir;
  RunRegistry holder(dir.file("out"), 0.4);  // beats every 0.1 s
  ASSERT_TRUE(holder.claim("job1").taken);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  ClaimRecord record;
  ASSERT_TRUE(read_claim_record(dir.file("out/claims/job1"), record));
  EXPECT_LT(record.heartbeat_age_seconds, 0.4);
}

TEST(RunRegistryTest, ThePublicationLockExcludesOtherRunsAndADeadHoldersLockIsTakenOver) {
  TempDir dir;
  RunRegistry first(dir.file("out")), second(dir.file("out"));
  std::atomic<int> inside{0}, most{0};
  auto publish = [&](RunRegistry& registry) {
    for (int i = 0; i < 50; ++i) {
      RunRegistry::PublicationLock lock(registry);
      most = std::max(most.load(), ++inside);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      --inside;
    }
  };
  std::thread a([&] { publish(first); }), b([&] { publish(second); });
  a.join();
  b.join();
  EXPECT_EQ(most.load(), 1);
  EXPECT_FALSE(fs::exists(dir.file("out/.publish.lock")));
  // A lock left by a process that died while holding it.
  const pid_t child = ::fork();
  if (child == 0) {
    auto* registry = new RunRegistry(dir.file("out"));
    new RunRegistry::PublicationLock(*registry);
    ::_exit(0);
  }
  ::waitpid(child, nullptr, 0);
  ASSERT_TRUE(fs::exists(dir.file("out/.publish.lock")));
  { RunRegistry::PublicationLock lock(first); }
  EXPECT_FALSE(fs::exists(dir.file("out/.publish.lock")));
}

TEST(RunRegistryTest, LiveRunsAreListedWithTheirJobsAndDeadOnesAreNot) {
  TempDir dir;
  claim_in_a_process_that_dies(dir.file("out"), "job0");
  RunRegistry registry(dir.file("out"));
  ASSERT_TRUE(registry.claim("job2").taken);
  ASSERT_TRUE(registry.claim("job1").taken);
  const std::vector<LiveRun> runs = list_live_runs(dir.file("out"));
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].run.owner.run_id, registry.self().run_id);
  EXPECT_EQ(runs[0].job_ids, (std::vector<std::string>{"job1", "job2"}));
  EXPECT_TRUE(registry.run_is_live(registry.self().run_id));
  EXPECT_FALSE(registry.run_is_live("gone-1-000000"));
}

}  // namespace
}  // namespace stylesweep
