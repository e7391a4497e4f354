#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <optional>

#include <sched.h>

#include <torch/serialize.h>

#include "common/sha256.h"
#include "store/job_group.h"
#include "engine/stylize.h"
#include "h5/h5_file.h"
#include "test_support.h"

namespace stylesweep {
namespace {

using testing::TempDir;

// One engine and one 32 px pair for the whole suite: the network loads once, as in a worker.
class StylizeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    engine_ = new StyleEngine(testing::write_random_weights(*dir_), "cpu");
    content_ = testing::write_pattern_png(*dir_, "content.png", 48, 32, 0);
    style_ = testing::write_pattern_png(*dir_, "style.png", 40, 40, 1);
  }
  static void TearDownTestSuite() {
    delete engine_;
    delete dir_;
  }

  static StyleJob small_job(const std::string& optimizer, int iterations) {
    StyleJob job;
    job.content = content_;
    job.styles = {style_};
    job.size = 32;
    job.optimizer = from_text<Optimizer>(optimizer).value();
    job.iterations = iterations;
    job.ratio = 1e-3;
    return job;
  }

  static TempDir* dir_;
  static StyleEngine* engine_;
  static std::string content_, style_;
};

TempDir* StylizeTest::dir_ = nullptr;
StyleEngine* StylizeTest::engine_ = nullptr;
std::string StylizeTest::content_, StylizeTest::style_;

double reduction(const LossHistory& history) {
  return 1.0 - history.total.back() / history.total.front();
}

TEST_F(StylizeTest, LbfgsLowersTheLossByNinetyPercentWithinOneHundredEvaluations) {
  const JobResult result = engine_->run(small_job("lbfgs", 100));
  EXPECT_EQ(result.evaluations, 100);
  EXPECT_EQ(result.history.size(), 100u);
  EXPECT_GE(reduction(result.history), 0.9) << result.history.total.back();
  EXPECT_EQ(result.image.width, 32);
  EXPECT_EQ(result.image.height, 21);
}

TEST_F(StylizeTest, AdamLowersTheLossByNinetyPercentWithinOneHundredSteps) {
  const JobResult result = engine_->run(small_job("adam", 100));
  EXPECT_EQ(result.history.size(), 101u);  // every step, then the returned image
  EXPECT_GE(reduction(result.history), 0.9) << result.history.total.back();
}

TEST_F(StylizeTest, ContentInitHasZeroContentLossAtTheStart) {
  StyleJob job = small_job("lbfgs", 3);
  job.init = Init{InitKind::kContent, ""};
  const JobResult result = engine_->run(job);
  EXPECT_EQ(result.history.content.front(), 0.0);
  EXPECT_GT(result.history.style.front(), 0.0);
}

TEST_F(StylizeTest, SameSeedGivesBitIdenticalResults) {
  for (const char* optimizer : {"lbfgs", "adam"}) {
    const JobResult a = engine_->run(small_job(optimizer, 12));
    const JobResult b = engine_->run(small_job(optimizer, 12));
    EXPECT_EQ(a.image.pixels, b.image.pixels) << optimizer;
    EXPECT_EQ(a.history.total, b.history.total) << optimizer;
    EXPECT_EQ(a.history.style_layers, b.history.style_layers) << optimizer;
    StyleJob other = small_job(optimizer, 12);
    other.seed = 1;
    EXPECT_NE(engine_->run(other).history.total.front(), a.history.total.front()) << optimizer;
  }
}

TEST_F(StylizeTest, DivergingLossFailsWithIterationTermAndPartialHistory) {
  StyleJob job = small_job("adam", 20);
  job.lr = 1e30;  // the first step throws the pixels far past float range
  try {
    engine_->run(job);
    FAIL() << "expected a JobFailure";
  } catch (const JobFailure& failure) {
    EXPECT_EQ(std::string(failure.what()), "loss became inf at evaluation 1 (term: content)");
    ASSERT_EQ(failure.history().size(), 1u);
    EXPECT_TRUE(std::isfinite(failure.history().total[0]));
  }
}

TEST_F(StylizeTest, StyleLayerHistoryIsUnweightedAndNamed) {
  StyleJob job = small_job("lbfgs", 2);
  job.style_layers = {"relu1_1", "relu2_1"};
  job.style_layer_weights = {3.0, 1.0};
  job.ratio.reset();
  job.alpha = 0;
  job.beta = 2;
  const JobResult result = engine_->run(job);
  const auto& layers = result.history.style_layers.front();
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(result.history.style_layer_names, job.style_layers);
  EXPECT_NEAR(result.history.style.front(), 2 * (3 * layers[0] + 1 * layers[1]),
              1e-6 * result.history.style.front());
}

TEST_F(StylizeTest, AdamResumedFromACheckpointIsBitIdentical) {
  StyleJob job = small_job("adam", 20);
  const JobResult uninterrupted = engine_->run(job);

  job.checkpoint_every = 5;
  job.checkpoint_path = dir_->file("adam.ckpt");
  struct Preempted {};
  EXPECT_THROW(engine_->run(job, [](const Progress& progress) {
                 if (progress.evaluation == 13) throw Preempted{};
               }),
               Preempted);
  ASSERT_TRUE(std::filesystem::exists(job.checkpoint_path));
  int first_evaluation = 0;
  const JobResult resumed = engine_->run(job, [&](const Progress& progress) {
    if (first_evaluation == 0) first_evaluation = progress.evaluation;
  });
  EXPECT_EQ(first_evaluation, 11);  // continued after the checkpoint at 10
  EXPECT_EQ(resumed.image.pixels, uninterrupted.image.pixels);
  EXPECT_EQ(resumed.history.total, uninterrupted.history.total);
  EXPECT_FALSE(std::filesystem::exists(job.checkpoint_path));
}

TEST_F(StylizeTest, CoarseToFineStartsEachStageFromThePreviousResult) {
  StyleJob job = small_job("lbfgs", 10);
  job.size = 64;
  StyleJob single = job;
  single.iterations = 1;
  const double noise_start = engine_->run(single).history.total.front();

  job.scales = {32};
  job.scale_iterations = 8;
  const JobResult result = engine_->run(job);
  EXPECT_EQ(result.history.stage_starts, (std::vector<int>{0, 8}));
  EXPECT_EQ(result.evaluations, 18);
  EXPECT_EQ(result.history.size(), 18u);
  EXPECT_GE(result.result_evaluation, 8);  // the returned image is the final stage's
  EXPECT_EQ(result.image.width, 64);
  EXPECT_EQ(result.image.height, 43);
  // The final stage starts from the coarse result upsampled, not from the noise of its seed.
  EXPECT_LT(result.history.total[8], noise_start);

  const std::string path = dir_->file("coarse_to_fine.h5");
  write_history_file(path, "c2f", job, engine_->weights_sha256(), result);
  h5::File file = h5::File::open_read_only(path);
  EXPECT_EQ(read_job_history(file, "/jobs/c2f").stage_starts, result.history.stage_starts);
  EXPECT_EQ(file.attribute_doubles("/jobs/c2f", "scales"), (std::vector<double>{32}));
  EXPECT_EQ(file.attribute_int("/jobs/c2f", "scale_iterations"), 8);
}

TEST_F(StylizeTest, CoarseToFineAdamResumesItsFinalStageBitIdentically) {
  StyleJob job = small_job("adam", 12);
  job.size = 64;
  job.scales = {32};
  job.scale_iterations = 6;  // 7 evaluations: 6 steps and the scoring pass
  const JobResult uninterrupted = engine_->run(job);
  EXPECT_EQ(uninterrupted.history.stage_starts, (std::vector<int>{0, 7}));

  job.checkpoint_every = 5;
  job.checkpoint_path = dir_->file("c2f.ckpt");
  struct Preempted {};
  EXPECT_THROW(engine_->run(job, [](const Progress& progress) {
                 if (progress.evaluation == 7 + 8) throw Preempted{};
               }),
               Preempted);
  int first_evaluation = 0;
  const JobResult resumed = engine_->run(job, [&](const Progress& progress) {
    if (first_evaluation == 0) first_evaluation = progress.evaluation;
  });
  EXPECT_EQ(first_evaluation, 7 + 6);  // the coarse stage is not run again
  EXPECT_EQ(resumed.image.pixels, uninterrupted.image.pixels);
  EXPECT_EQ(resumed.history.total, uninterrupted.history.total);
  EXPECT_EQ(resumed.history.stage_starts, uninterrupted.history.stage_starts);
}

TEST_F(StylizeTest, BatchedAdamJobsEqualEachJobRunAloneBitForBit) {
  std::vector<StyleJob> jobs(4, small_job("adam", 8));
  for (StyleJob& job : jobs) job.size = 64;  // both of libtorch's CPU convolution paths
  jobs[1].seed = 7;
  jobs[2].ratio = 1e-2;
  jobs[2].tv_weight = 1e-3;
  jobs[2].lr = 3;
  jobs[3].lr = 1e30;  // diverges: fails alone
  const auto outcomes = engine_->run_batch(jobs);
  ASSERT_EQ(outcomes.size(), jobs.size());
  for (std::size_t b = 0; b < 3; ++b) {
    const JobResult alone = engine_->run(jobs[b]);
    EXPECT_EQ(outcomes[b].error, "") << b;
    EXPECT_EQ(outcomes[b].result.image.pixels, alone.image.pixels) << b;
    EXPECT_EQ(outcomes[b].result.history.total, alone.history.total) << b;
    EXPECT_EQ(outcomes[b].result.history.style_layers, alone.history.style_layers) << b;
    EXPECT_EQ(outcomes[b].result.result_evaluation, alone.result_evaluation) << b;
  }
  try {
    engine_->run(jobs[3]);
    FAIL() << "lr 1e30 should diverge";
  } catch (const JobFailure& failure) {
    EXPECT_EQ(outcomes[3].error, failure.what());
  }
  EXPECT_NE(outcomes[0].result.image.pixels, outcomes[1].result.image.pixels);

  StyleJob lbfgs = small_job("lbfgs", 8);
  EXPECT_FALSE(can_share_batch(jobs[0], lbfgs));
  EXPECT_THROW(engine_->run_batch({jobs[0], lbfgs}), Error);
  StyleJob larger = jobs[0];
  larger.size = 48;
  EXPECT_FALSE(can_share_batch(jobs[0], larger));
}

// Weights as an axis: each job runs on its own file, and every job's metrics on one network.
TEST_F(StylizeTest, JobsRunOnTheirOwnWeightsAndAreMeasuredOnTheYardsticks) {
  const std::string own = testing::write_random_weights(*dir_, 0);
  const std::string other = testing::write_random_weights(*dir_, 1);
  StyleJob job = small_job("lbfgs", 6);
  const JobResult on_own = engine_->run(job);
  job.weights = job.weights_file = other;
  EXPECT_EQ(engine_->weights_for(job).sha256, sha256_file(other));
  const JobResult on_other = engine_->run(job);
  EXPECT_NE(on_own.image.pixels, on_other.image.pixels);
  EXPECT_NE(on_own.history.total, on_other.history.total);

  // The same job on an engine whose own weights are the other file: the same image, and the
  // same metrics while both measure on `own`; measured on `other`, the metrics change.
  StyleEngine second(other, "cpu");
  second.set_yardstick_weights(own);
  const JobResult again = second.run(job);
  EXPECT_EQ(again.image.pixels, on_other.image.pixels);
  EXPECT_EQ(again.metrics.content, on_other.metrics.content);
  EXPECT_EQ(again.metrics.style, on_other.metrics.style);
  second.set_yardstick_weights(other);
  EXPECT_EQ(second.yardstick_weights().sha256, sha256_file(other));
  const JobResult measured_on_other = second.run(job);
  EXPECT_EQ(measured_on_other.image.pixels, on_other.image.pixels);
  EXPECT_NE(measured_on_other.metrics.content, on_other.metrics.content);
  EXPECT_NE(measured_on_other.metrics.style, on_other.metrics.style);
  EXPECT_EQ(measured_on_other.metrics.ssim, on_other.metrics.ssim);  // no network in SSIM
}

TEST_F(StylizeTest, TheWeightsCacheDropsTheLeastRecentlyUsedFileBeyondItsBudget) {
  StyleEngine engine(testing::write_random_weights(*dir_, 0), "cpu");
  StyleJob job = small_job("adam", 2);
  std::vector<std::string> files;
  for (std::uint64_t seed : {2, 3, 4}) files.push_back(testing::write_random_weights(*dir_, seed));
  for (const auto& file : files) {
    job.weights = job.weights_file = file;
    engine.weights_for(job);
  }
  const std::string own = engine.weights_path();
  EXPECT_EQ(engine.loaded_weights(), (std::vector<std::string>{files[2], files[1], files[0], own}));
  engine.set_weights_cache_bytes(1);  // no room: only the file in use and the engine's own stay
  job.weights = job.weights_file = files[0];
  engine.weights_for(job);
  EXPECT_EQ(engine.loaded_weights(), (std::vector<std::string>{files[0], own}));
  job.weights = job.weights_file = files[1];
  EXPECT_FALSE(engine.run(job).history.total.empty());
  EXPECT_EQ(engine.loaded_weights(), (std::vector<std::string>{files[1], own}));
}

TEST_F(StylizeTest, HistoryFileHasTheDocumentedLayout) {
  StyleJob job = small_job("lbfgs", 4);
  const JobResult result = engine_->run(job);
  const std::string path = dir_->file("history.h5");
  write_history_file(path, "abc", job, engine_->weights_sha256(), result);
  h5::File file = h5::File::open_read_only(path);
  const std::string group = "/jobs/abc";
  for (const char* name : {"loss/total", "loss/content", "loss/style", "loss/tv"}) {
    EXPECT_EQ(file.dataset_info(group + "/" + name).shape, (std::vector<hsize_t>{4})) << name;
  }
  EXPECT_EQ(file.dataset_info(group + "/loss/style_layers").shape, (std::vector<hsize_t>{4, 5}));
  EXPECT_EQ(file.dataset_info(group + "/image").shape, (std::vector<hsize_t>{21, 32, 3}));
  EXPECT_EQ(file.dataset_info(group + "/image").type, h5::ElementType::kUInt8);
  EXPECT_EQ(file.attribute_string(group, "normalization"), "paper-per-position");
  EXPECT_EQ(file.attribute_string(group, "optimizer"), "lbfgs");
  EXPECT_EQ(file.attribute_string(group, "weights_sha256"), engine_->weights_sha256());
  EXPECT_DOUBLE_EQ(file.attribute_double(group, "alpha"), 1e-3);
  EXPECT_DOUBLE_EQ(file.attribute_double(group, "ratio"), 1e-3);
  EXPECT_EQ(file.attribute_strings(group, "style_layers"), job.style_layers);
  EXPECT_EQ(file.attribute_int(group, "size"), 32);
  const LossHistory read = read_job_history(file, group);
  EXPECT_EQ(read.total, result.history.total);
  EXPECT_EQ(read.style_layers, result.history.style_layers);
}

// bf16 convolves in bfloat16 and keeps the losses in float32: close to the fp32 job, not equal.
TEST_F(StylizeTest, Bf16JobsRunABfloat16NetworkWithFloat32Losses) {
  const StyleJob fp32 = small_job("adam", 6);
  StyleJob bf16 = fp32;
  bf16.precision = Precision::kBf16;
  const JobResult exact = engine_->run(fp32);
  const JobResult reduced = engine_->run(bf16);
  ASSERT_EQ(reduced.history.size(), exact.history.size());
  const double first = exact.history.total.front();
  EXPECT_NE(reduced.history.total.front(), first);
  EXPECT_NEAR(reduced.history.total.front(), first, 0.05 * first);
  EXPECT_LT(reduced.history.total.back(), reduced.history.total.front());
  // A later fp32 job gets the float32 network and targets again, not the bf16 ones.
  EXPECT_EQ(engine_->run(fp32).history.total, exact.history.total);
  // bf16 is part of what shapes a batch: it cannot share one with fp32 jobs.
  EXPECT_FALSE(can_share_batch(fp32, bf16));
}

// The switches are read while the job optimizes (its progress callback); the job's guard puts
// back what it found once it ends.
TEST_F(StylizeTest, EachJobRunsUnderTheSwitchesOfItsOwnPrecision) {
  const NumericsSettings before = current_numerics();
  NumericsSettings during;
  const ProgressCallback read_switches = [&during](const Progress&) { during = current_numerics(); };
  StyleJob job = small_job("adam", 2);
  job.precision = Precision::kTf32;
  job.deterministic = true;
  const JobResult tf32 = engine_->run(job, read_switches);
  EXPECT_TRUE(during.tf32_convolutions);
  EXPECT_TRUE(during.tf32_matmul);
  EXPECT_TRUE(during.deterministic);
  EXPECT_FALSE(during.cudnn_benchmark);

  job.precision = Precision::kFp32;
  job.deterministic = false;
  const JobResult fp32 = engine_->run(job, read_switches);
  EXPECT_FALSE(during.tf32_convolutions);
  EXPECT_FALSE(during.tf32_matmul);
  EXPECT_FALSE(during.deterministic);
  EXPECT_TRUE(during.cudnn_benchmark);
  const NumericsSettings after = current_numerics();
  EXPECT_EQ(after.tf32_convolutions, before.tf32_convolutions);
  EXPECT_EQ(after.tf32_matmul, before.tf32_matmul);
  EXPECT_EQ(after.deterministic, before.deterministic);
  EXPECT_EQ(after.cudnn_benchmark, before.cudnn_benchmark);
  // The CPU has no TF32: the same float32 numbers.
  EXPECT_EQ(tf32.history.total, fp32.history.total);
}

TEST_F(StylizeTest, AJobLargerThanTheDevicesFreeMemoryFailsBeforeItStarts) {
  int probed = 0;
  engine_->set_device_memory_probe([&probed]() -> std::optional<DeviceMemory> {
    ++probed;
    return DeviceMemory{std::int64_t(1) << 20, std::int64_t(80) << 30};
  });
  try {
    engine_->run(small_job("lbfgs", 3), [](const Progress&) { FAIL() << "the job started"; });
    ADD_FAILURE() << "expected an Error";
  } catch (const JobFailure&) {
    ADD_FAILURE() << "expected the check before the job, not a failed job";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("job needs an estimated"), std::string::npos) << message;
    EXPECT_NE(message.find(" on cpu at 32x21 px, more than the 1.0 MiB free of 80.00 GiB there (cudaMemGetInfo)"),
              std::string::npos)
        << message;
  }
  EXPECT_EQ(probed, 1);
  // With room on the device the same job runs.
  engine_->set_device_memory_probe([]() -> std::optional<DeviceMemory> {
    return DeviceMemory{std::int64_t(80) << 30, std::int64_t(80) << 30};
  });
  EXPECT_EQ(engine_->run(small_job("lbfgs", 3)).evaluations, 3);
  engine_->set_device_memory_probe({});
}

// Checkpoints hold host tensors and load onto the host whatever wrote them; the engine moves
// the image and the optimizer's moments to its own device (a GPU's, in bench/gpu.sh).
TEST_F(StylizeTest, CheckpointsHoldHostTensorsOnly) {
  StyleJob job = small_job("adam", 10);
  job.checkpoint_every = 4;
  job.checkpoint_path = dir_->file("host.ckpt");
  struct Preempted {};
  EXPECT_THROW(engine_->run(job, [](const Progress& progress) {
                 if (progress.evaluation == 6) throw Preempted{};
               }),
               Preempted);
  torch::serialize::InputArchive archive;
  archive.load_from(job.checkpoint_path);
  torch::Tensor image;
  archive.read("image", image);
  EXPECT_TRUE(image.device().is_cpu());
  torch::serialize::InputArchive optimizer;
  ASSERT_TRUE(archive.try_read("optimizer", optimizer));
  std::vector<std::string> keys = optimizer.keys();
  EXPECT_FALSE(keys.empty());
  engine_->run(job);
  EXPECT_FALSE(std::filesystem::exists(job.checkpoint_path));
}

TEST(DeviceChoiceTest, KConsecutiveWorkersShareEachGpu) {
  std::vector<int> gpus;
  for (int worker = 0; worker < 8; ++worker) gpus.push_back(gpu_for_worker(worker, 2, 3));
  EXPECT_EQ(gpus, (std::vector<int>{0, 0, 1, 1, 2, 2, 0, 0}));
  EXPECT_EQ(gpu_for_worker(5, 1, 4), 1);  // one worker per GPU: round robin
  // On a machine without CUDA every worker is a CPU worker, whatever K.
  EXPECT_EQ(choose_device(3, 4, 1, "", 4).name, "cpu");
}

// Restores an environment variable when the test ends.
class ScopedVariable {
 public:
  ScopedVariable(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    value ? setenv(name, value, 1) : unsetenv(name);
  }
  ~ScopedVariable() { old_ ? setenv(name_, old_->c_str(), 1) : unsetenv(name_); }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(DeviceChoiceTest, ThreadsComeFromTheRequestThenOmpThenSlurmThenTheUsableCores) {
  ScopedVariable omp("OMP_NUM_THREADS", "3");
  ScopedVariable slurm("SLURM_CPUS_PER_TASK", "5");
  EXPECT_EQ(cpu_threads(2, 1).count, 2);
  EXPECT_EQ(cpu_threads(2, 1).source, "--threads");
  EXPECT_EQ(cpu_threads(0, 1).count, 3);
  EXPECT_EQ(cpu_threads(0, 1).source, "OMP_NUM_THREADS");
  {
    ScopedVariable junk("OMP_NUM_THREADS", "4x");  // not a count: ignored, not misread as 4
    EXPECT_EQ(cpu_threads(0, 1).count, 5);
    EXPECT_EQ(cpu_threads(0, 1).source, "SLURM_CPUS_PER_TASK");
  }
  ScopedVariable no_omp("OMP_NUM_THREADS", nullptr);
  ScopedVariable no_slurm("SLURM_CPUS_PER_TASK", nullptr);
  cpu_set_t set;
  ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  EXPECT_EQ(cpu_threads(0, 1).count, CPU_COUNT(&set));
  EXPECT_EQ(cpu_threads(0, 1).source, "cores");
  EXPECT_EQ(cpu_threads(0, 1000).count, 1);  // more workers than cores: one each
  EXPECT_EQ(choose_device(0, 1, 0).threads_from, "cores");
  EXPECT_EQ(choose_device(0, 1, 0).threads, CPU_COUNT(&set));
}

TEST_F(StylizeTest, JobIdsAreStableAndContentAddressed) {
  const StyleJob job = small_job("lbfgs", 10);
  const std::string id = job_id(job, "w");
  EXPECT_EQ(id.size(), 16u);
  EXPECT_EQ(job_id(job, "w"), id);
  StyleJob other = job;
  other.iterations = 11;
  EXPECT_NE(job_id(other, "w"), id);
  EXPECT_NE(job_id(job, "v"), id);
}

}  // namespace
}  // namespace stylesweep
