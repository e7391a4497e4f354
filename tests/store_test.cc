// The result store on a real output directory: the journal's segments, what survives without a
// commit, reading back, earlier journals of one file per job, write failures, and journal-writer
// processes (the same records as the store's own thread writes; one killed loses no job).
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "h5/h5_file.h"
#include "store/result_store.h"
#include "test_support.h"

namespace stylesweep {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

StoreSettings settings_for(const TempDir& dir, int journal_writers = 0) {
  return StoreSettings{dir.file("out"), "grid: {}", "sweep.yaml", "abc", {"seed"}, "random",
                       journal_writers, STYLESWEEP_JOURNAL_WRITER};
}

// This process's children (the journal writers), from /proc.
std::vector<pid_t> child_processes() {
  std::vector<pid_t> children;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(line.substr(close + 2));
    std::string state;
    pid_t parent = 0;
    fields >> state >> parent;
    if (parent == ::getpid() && state != "Z") children.push_back(pid_t(std::stoi(name)));
  }
  return children;
}

WorkItem item_for(int seed) {
  WorkItem item;
  item.id = "00000000000000" + std::string(seed < 10 ? "0" : "") + std::to_string(seed);
  item.label = "cat__brick__seed" + std::to_string(seed);
  item.job.content = "cat.png";
  item.job.content_name = "cat";
  item.job.styles = {"brick.png"};
  item.job.style_name = "brick";
  item.job.seed = std::uint64_t(seed);
  item.job.size = 8;
  return item;
}

JobOutcome outcome_for(const WorkItem& item, bool done, int size = 8) {
  JobOutcome outcome;
  outcome.id = item.id;
  outcome.done = done;
  outcome.error = done ? "" : "diverged";
  outcome.worker = {2, "node7", "cpu (1 thread)"};
  outcome.attempt = 1;
  JobResult& result = outcome.result;
  result.image = testing::pattern_image(size, size, int(item.job.seed));
  for (int e = 0; e < 3; ++e) {
    result.history.total.push_back(10.0 - e - 0.5 * double(item.job.seed));
    result.history.content.push_back(4.0 - e);
    result.history.style.push_back(6.0 - e);
    result.history.tv.push_back(0);
    result.history.style_layers.push_back({6.0 - e});
  }
  result.history.style_layer_names = {"relu1_1"};
  result.evaluations = 3;
  result.result_evaluation = 2;
  result.wall_seconds = 0.25 * double(item.job.seed);
  result.device = "cpu";
  return outcome;
}

// /index of results.h5, one text per column, to compare two publishes of the same jobs.
std::map<std::string, std::string> index_of(const std::string& results) {
  const h5::File file = h5::File::open_read_only(results);
  std::map<std::string, std::string> columns;
  for (const auto& column : file.attribute_strings("/index", "columns")) {
    std::string text;
    if (file.dataset_info("/index/" + column).type == h5::ElementType::kString) {
      for (const auto& value : file.read_strings("/index/" + column)) text += value + "|";
    } else {
      for (double value : file.read_float64("/index/" + column)) text += std::to_string(value) + "|";
    }
    columns[column] = text;
  }
  return columns;
}

// Reopens the store, publishes a standalone results.h5 and checks it: `done` jobs done, the
// index `expected`, and the group of the job of `seed` copied in whole.
void expect_standalone_results(const StoreSettings& settings, std::size_t done,
                               const std::map<std::string, std::string>& expected, int seed) {
  ResultStore reopened(settings);
  EXPECT_EQ(reopened.done_ids().size(), done);
  reopened.publish(true);
  EXPECT_EQ(index_of(reopened.results_path()), expected);
  const h5::File results = h5::File::open_read_only(reopened.results_path());
  EXPECT_EQ(results.attribute_string("/jobs/" + item_for(seed).id, "host"), "node7");
  EXPECT_EQ(results.read_float64("/jobs/" + item_for(seed).id + "/loss/total").size(), 3u);
}

std::vector<std::string> journal_files(const TempDir& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir.file("out/jobs"))) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

// segment-<16 digits>-<run id>-<n>.h5, and that run id.
bool is_segment_of(const std::string& name, const std::string& run_id, int counter) {
  return name.size() > 25 && name.rfind("segment-", 0) == 0 &&
         name.substr(8, 16).find_first_not_of("0123456789") == std::string::npos &&
         name.substr(24) == "-" + run_id + "-" + std::to_string(counter) + ".h5" && segment_run_id(name) == run_id;
}

std::string only_segment(const TempDir& dir) {
  const std::vector<std::string> names = journal_files(dir);
  EXPECT_EQ(names.size(), 1u);
  return names.empty() ? "" : dir.file("out/jobs/" + names[0]);
}

TEST(ResultStoreTest, CommittedJobsReadBackAsTheyWereStoredFromOneSegment) {
  TempDir dir;
  std::map<std::string, std::string> published;
  std::string run_id;
  {
    ResultStore store(settings_for(dir));
    for (int seed = 1; seed <= 3; ++seed) store.store(item_for(seed), outcome_for(item_for(seed), seed != 2));
    store.publish(false);
    published = index_of(store.results_path());
    EXPECT_EQ(store.done_ids(), (std::set<std::string>{item_for(1).id, item_for(3).id}));
    EXPECT_EQ(store.failed_ids(), std::set<std::string>{item_for(2).id});
    run_id = store.run().run_id;
  }
  ASSERT_EQ(journal_files(dir).size(), 1u);
  EXPECT_TRUE(is_segment_of(journal_files(dir)[0], run_id, 1)) << journal_files(dir)[0];
  EXPECT_TRUE(fs::exists(dir.file("out/images/cat__brick__seed1.png")));
  EXPECT_FALSE(fs::exists(dir.file("out/images/cat__brick__seed2.png")));  // failed: no image
  EXPECT_EQ(published.at("status"), "done|failed|done|");
  EXPECT_EQ(published.at("seed"), "1.000000|2.000000|3.000000|");
  EXPECT_EQ(published.at("loss_total"), "7.500000|7.000000|6.500000|");

  expect_standalone_results(settings_for(dir), 2, published, 3);
}

// The index holds each varying parameter as the plan wrote it (WorkItem::parameters), whether
// the row comes from memory, from a writer process or from the journal read again; a parameter
// without an attribute of its own name (blend is stored as style_blend) is no exception.
TEST(ResultStoreTest, TheIndexHoldsThePlansTextsOfTheVaryingParameters) {
  for (int journal_writers : {0, 1}) {
    TempDir dir;
    StoreSettings settings = settings_for(dir, journal_writers);
    settings.varying_keys = {"seed", "blend", "init"};
    auto carrying = [](int seed) {
      WorkItem item = item_for(seed);
      item.parameters = {std::to_string(seed), "0.25+0.75", "../images/start.png"};
      item.job.precision = seed == 1 ? Precision::kFp32 : Precision::kBf16;
      item.job.deterministic = seed == 2;
      return item;
    };
    std::map<std::string, std::string> published;
    {
      ResultStore store(settings);
      for (int seed = 1; seed <= 2; ++seed) store.store(carrying(seed), outcome_for(carrying(seed), true));
      store.publish(false);
      published = index_of(store.results_path());
    }
    EXPECT_EQ(published.at("seed"), "1.000000|2.000000|") << journal_writers;  // numbers stay numbers
    EXPECT_EQ(published.at("blend"), "0.25+0.75|0.25+0.75|") << journal_writers;
    EXPECT_EQ(published.at("init"), "../images/start.png|../images/start.png|") << journal_writers;
    // Every job's arithmetic, varying or not.
    EXPECT_EQ(published.at("precision"), "fp32|bf16|") << journal_writers;
    EXPECT_EQ(published.at("deterministic"), "0.000000|1.000000|") << journal_writers;
    ResultStore reopened(settings);  // rows rebuilt from the journal's groups
    reopened.publish(true);
    EXPECT_EQ(index_of(reopened.results_path()), published) << journal_writers;
  }
}

// Results computed with the paper's unequal-size normalization (before per-position Grams) are
// refused whole, naming the file, and left exactly as they are: never mixed into a results.h5 of
// the current loss, never moved aside as damaged.
void expect_refused_as_earlier_normalization(const TempDir& dir, const std::string& file) {
  std::vector<std::string> before;
  for (const auto& entry : fs::recursive_directory_iterator(dir.file("out"))) before.push_back(entry.path());
  std::sort(before.begin(), before.end());
  try {
    ResultStore store(settings_for(dir));
    FAIL() << "results of the earlier normalization were adopted";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              file + ": holds 1 job computed with the 'paper' style normalization of an earlier "
                     "version; this version computes 'paper-per-position' (Gram matrices per "
                     "position) and never mixes the two in one results.h5: use another output "
                     "directory, or move this one's results away");
  }
  std::vector<std::string> after;
  for (const auto& entry : fs::recursive_directory_iterator(dir.file("out"))) after.push_back(entry.path());
  std::sort(after.begin(), after.end());
  EXPECT_EQ(after, before);
}

TEST(ResultStoreTest, AJournalOfTheEarlierNormalizationIsRefused) {
  TempDir dir;
  {
    ResultStore store(settings_for(dir));
    store.store(item_for(1), outcome_for(item_for(1), true));
    store.commit();
  }
  const std::string segment = only_segment(dir);
  {
    h5::File file = h5::File::open_read_write(segment);
    EXPECT_EQ(file.attribute_string("/jobs/" + item_for(1).id, "normalization"), "paper-per-position");
    file.set_attribute("/jobs/" + item_for(1).id, "normalization", std::string("paper"));
  }
  expect_refused_as_earlier_normalization(dir, segment);
}

TEST(ResultStoreTest, AResultsFileOfTheEarlierNormalizationIsRefused) {
  TempDir dir;
  {
    ResultStore store(settings_for(dir));
    store.store(item_for(1), outcome_for(item_for(1), true));
    store.publish(true);
  }
  fs::remove(only_segment(dir));  // results.h5 alone holds the job
  {
    h5::File file = h5::File::open_read_write(dir.file("out/results.h5"));
    EXPECT_EQ(file.attribute_string("/", "normalization"), "paper-per-position");
    file.set_attribute("/", "normalization", std::string("paper"));
  }
  expect_refused_as_earlier_normalization(dir, dir.file("out/results.h5"));
}

TEST(ResultStoreTest, JobsStoredButNotCommittedAreNotKept) {
  TempDir dir;
  {
    ResultStore store(settings_for(dir));
    store.store(item_for(1), outcome_for(item_for(1), true));
    store.commit();
    store.store(item_for(2), outcome_for(item_for(2), true));
  }  // gone like a killed coordinator: job 2 was never announced and runs again
  ResultStore reopened(settings_for(dir));
  EXPECT_EQ(reopened.done_ids(), std::set<std::string>{item_for(1).id});
  for (const auto& name : journal_files(dir)) EXPECT_EQ(name.find(".tmp-"), std::string::npos) << name;
}

TEST(ResultStoreTest, AFullSegmentIsCommittedWithoutWaitingForCommit) {
  TempDir dir;
  ResultStore store(settings_for(dir));
  // 128 px images: about 57 KiB each staged, so a segment fills after about 18 of them.
  for (int seed = 1; seed <= 24; ++seed) store.store(item_for(seed), outcome_for(item_for(seed), true, 128));
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  const std::string run_id = store.run().run_id;
  auto first_sealed = [&] {
    for (const auto& name : journal_files(dir)) {  // the next segment may be in the making
      if (is_segment_of(name, run_id, 1)) return true;
    }
    return false;
  };
  while (!first_sealed() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(first_sealed());
  store.commit();
  ASSERT_EQ(journal_files(dir).size(), 2u);
  EXPECT_TRUE(is_segment_of(journal_files(dir)[1], run_id, 2)) << journal_files(dir)[1];
  EXPECT_EQ(store.done_ids().size(), 24u);
}

TEST(ResultStoreTest, AJobRunAgainIsReadFromItsLatestSegment) {
  TempDir dir;
  {
    ResultStore store(settings_for(dir));
    store.store(item_for(1), outcome_for(item_for(1), false));
    store.commit();
    store.store(item_for(1), outcome_for(item_for(1), true));  // --rerun-failed
    store.commit();
  }
  ResultStore reopened(settings_for(dir));
  EXPECT_EQ(reopened.done_ids(), std::set<std::string>{item_for(1).id});
  reopened.publish(true);
  const h5::File results = h5::File::open_read_only(reopened.results_path());
  EXPECT_EQ(results.attribute_string("/jobs/" + item_for(1).id, "status"), "done");
}

TEST(ResultStoreTest, ReadsJournalsWithOneFilePerJob) {
  TempDir dir;
  {
    ResultStore store(settings_for(dir));
    store.store(item_for(1), outcome_for(item_for(1), true));
    store.commit();
  }
  // The layout of earlier versions: jobs/<id>.h5 holding /jobs/<id>.
  fs::rename(only_segment(dir), dir.file("out/jobs/" + item_for(1).id + ".h5"));
  ResultStore reopened(settings_for(dir));
  EXPECT_EQ(reopened.done_ids(), std::set<std::string>{item_for(1).id});
  reopened.store(item_for(2), outcome_for(item_for(2), true));
  reopened.publish(false);
  const h5::File results = h5::File::open_read_only(reopened.results_path());
  EXPECT_EQ(results.attribute_string("/jobs/" + item_for(1).id, "status"), "done");  // via its link
  EXPECT_EQ(results.attribute_string("/jobs/" + item_for(2).id, "status"), "done");
}

TEST(ResultStoreTest, AWriteThatFailsIsReportedByCommitNamingTheFile) {
  for (int writers : {0, 2}) {  // the store's thread writes the PNG, or a writer process does
    SCOPED_TRACE(writers);
    TempDir dir;
    ResultStore store(settings_for(dir, writers));
    WorkItem item = item_for(1);
    item.label = "no-such-directory/cat";  // its PNG cannot be created
    store.store(item, outcome_for(item, true));
    try {
      store.commit();
      ADD_FAILURE() << "commit() succeeded";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("no-such-directory/cat.png"), std::string::npos) << error.what();
    }
    EXPECT_TRUE(store.done_ids().empty());
    store.commit();  // the error is reported once
    for (const auto& name : journal_files(dir)) EXPECT_EQ(name.find(".tmp-"), std::string::npos) << name;
  }
}

TEST(ResultStoreTest, WriterProcessesStoreWhatTheStoresOwnThreadStores) {
  TempDir by_thread, by_processes;
  std::map<std::string, std::string> expected;
  {
    ResultStore store(settings_for(by_thread));
    for (int seed = 1; seed <= 5; ++seed) store.store(item_for(seed), outcome_for(item_for(seed), seed != 4));
    store.publish(true);
    expected = index_of(store.results_path());
  }
  {
    ResultStore store(settings_for(by_processes, 2));
    EXPECT_EQ(child_processes().size(), 2u);
    for (int seed = 1; seed <= 5; ++seed) store.store(item_for(seed), outcome_for(item_for(seed), seed != 4));
    store.publish(false);  // links into both writers' segments
    EXPECT_EQ(index_of(store.results_path()), expected);
    EXPECT_GT(store.journal_writer_cpu_seconds(), 0);
  }
  EXPECT_TRUE(child_processes().empty());
  // One segment per writer, each complete, none left under a temporary name.
  ASSERT_EQ(journal_files(by_processes).size(), 2u);
  for (const auto& name : journal_files(by_processes)) EXPECT_EQ(name.find(".tmp-"), std::string::npos) << name;
  EXPECT_TRUE(fs::exists(by_processes.file("out/images/cat__brick__seed5.png")));
  expect_standalone_results(settings_for(by_processes, 2), 4, expected, 2);
}

TEST(ResultStoreTest, AWriterProcessThatDiesLosesNoJob) {
  TempDir dir;
  {
    ResultStore store(settings_for(dir, 2));
    for (int seed = 1; seed <= 2; ++seed) store.store(item_for(seed), outcome_for(item_for(seed), true));
    store.commit();
    const std::vector<pid_t> writers = child_processes();
    ASSERT_EQ(writers.size(), 2u);
    ::kill(writers[0], SIGKILL);
    while (child_processes().size() == 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    // Job 3 goes to the dead writer. When the store finds it gone, it writes the open batch
    // itself, reports the failure and, as after any storage failure, takes no more jobs until
    // commit() has reported it.
    for (int seed = 3; seed <= 6; ++seed) store.store(item_for(seed), outcome_for(item_for(seed), true));
    try {
      store.commit();
      FAIL() << "commit() succeeded";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("journal writer process"), std::string::npos) << error.what();
    }
    EXPECT_GE(store.done_ids().size(), 3u);
    EXPECT_TRUE(child_processes().empty());
    // The jobs turned away run again (next run) and are stored by the store's own thread.
    const std::set<std::string> kept = store.done_ids();
    for (int seed = 4; seed <= 6; ++seed) {
      if (!kept.count(item_for(seed).id)) store.store(item_for(seed), outcome_for(item_for(seed), true));
    }
    store.commit();
  }
  ResultStore reopened(settings_for(dir));
  EXPECT_EQ(reopened.done_ids().size(), 6u);
  for (const auto& name : journal_files(dir)) EXPECT_EQ(name.find(".tmp-"), std::string::npos) << name;
}

TEST(ResultStoreTest, AMissingWriterProgramIsNamed) {
  TempDir dir;
  StoreSettings settings = settings_for(dir, 1);
  settings.journal_writer_program = dir.file("no-such-writer");
  try {
    ResultStore store(settings);
    FAIL() << "the store started";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(dir.file("no-such-writer")), std::string::npos) << error.what();
  }
  EXPECT_FALSE(fs::exists(dir.file("out")));  // nothing created, no space reserved
}

}  // namespace
}  // namespace stylesweep

namespace stylesweep {
namespace {

// Two runs writing one output directory at once: each names its own segments, each publication
// holds the other's jobs too, a job the other stored is finished elsewhere, and a run that
// starts leaves a live run's segment in the making alone.
TEST(ResultStoreTest, TwoRunsShareOneOutputDirectoryWithoutLosingAJob) {
  TempDir dir;
  ResultStore first(settings_for(dir)), second(settings_for(dir));
  EXPECT_EQ(first.claim(item_for(1)).state, JobClaim::State::kTaken);
  const JobClaim held = second.claim(item_for(1));
  EXPECT_EQ(held.state, JobClaim::State::kHeldElsewhere);
  EXPECT_EQ(held.holder, first.run().run_id);
  first.store(item_for(1), outcome_for(item_for(1), true));
  first.commit();  // committed: the claim is released
  EXPECT_EQ(second.claim(item_for(1)).state, JobClaim::State::kFinishedElsewhere);
  EXPECT_EQ(second.claim(item_for(2)).state, JobClaim::State::kTaken);
  second.store(item_for(2), outcome_for(item_for(2), true));
  second.publish(false);
  first.store(item_for(3), outcome_for(item_for(3), true));
  first.publish(false);  // the last publication: every job of both runs
  const h5::File results = h5::File::open_read_only(first.results_path());
  EXPECT_EQ(results.list_group("/jobs").size(), 3u);
  EXPECT_EQ(results.read_strings("/index/status"), (std::vector<std::string>{"done", "done", "done"}));
  std::set<std::string> writers;
  for (const auto& name : journal_files(dir)) writers.insert(segment_run_id(name));
  EXPECT_EQ(writers, (std::set<std::string>{first.run().run_id, second.run().run_id}));
  // A third run starting now finds all three and leaves the live runs' temporaries alone.
  const std::string in_the_making = dir.file("out/jobs/segment-0000000000000001-" + first.run().run_id + "-9.h5.tmp-1");
  std::ofstream(in_the_making) << "x";
  const std::string left_by_the_dead = dir.file("out/jobs/segment-0000000000000001-gone-1-000000-1.h5.tmp-1");
  std::ofstream(left_by_the_dead) << "x";
  ResultStore third(settings_for(dir));
  EXPECT_EQ(third.done_ids().size(), 3u);
  EXPECT_TRUE(fs::exists(in_the_making));
  EXPECT_FALSE(fs::exists(left_by_the_dead));
}

TEST(ResultStoreTest, ADoneJobIsNotReplacedByALaterFailureOfTheSameJob) {
  TempDir dir;
  {
    ResultStore slow(settings_for(dir)), taker(settings_for(dir));
    slow.store(item_for(1), outcome_for(item_for(1), true));
    slow.commit();
    taker.store(item_for(1), outcome_for(item_for(1), false));  // ran it too, after a takeover
    taker.commit();
  }
  ResultStore reopened(settings_for(dir));
  EXPECT_EQ(reopened.done_ids(), std::set<std::string>{item_for(1).id});
}

TEST(ResultStoreTest, ACheckpointAnotherRunLeftIsFound) {
  TempDir dir;
  ResultStore waiting(settings_for(dir)), draining(settings_for(dir));
  ASSERT_EQ(draining.claim(item_for(1)).state, JobClaim::State::kTaken);
  JobOutcome interrupted;
  interrupted.id = item_for(1).id;
  interrupted.interrupted = true;
  interrupted.checkpoint = "state";
  draining.interrupted(item_for(1), interrupted);  // releases the claim
  EXPECT_EQ(waiting.claim(item_for(1)).state, JobClaim::State::kTaken);
  EXPECT_EQ(waiting.checkpoint(item_for(1).id).value_or(""), "state");
}

}  // namespace
}  // namespace stylesweep
