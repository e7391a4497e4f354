// The memory estimate of a job (job/memory_estimate.h) and the --max-memory sizes it is checked
// against.
#include <gtest/gtest.h>

#include "common/error.h"
#include "job/memory_estimate.h"

namespace stylesweep {
namespace {

TEST(MemoryEstimateTest, ParsesSizesAndRefusesNonsense) {
  EXPECT_EQ(parse_memory_size("8G"), std::int64_t(8) << 30);
  EXPECT_EQ(parse_memory_size("512MiB"), std::int64_t(512) << 20);
  EXPECT_EQ(parse_memory_size("1.5g"), std::int64_t(3) << 29);
  EXPECT_EQ(parse_memory_size("2000"), 2000);
  for (const char* bad : {"", "G", "12X", "-1G", "nan", "inf", "1e30T", "8 G"}) {
    EXPECT_THROW(parse_memory_size(bad), Error) << bad;
  }
}

TEST(MemoryEstimateTest, GrowsWithPixelsAndTheLbfgsHistory) {
  StyleJob job;
  const auto small = estimate_job_memory(job, {128, 128}, {{128, 128}});
  const auto large = estimate_job_memory(job, {512, 512}, {{512, 512}});
  EXPECT_EQ(large.activations, 16 * small.activations);  // every layer scales with the pixels
  EXPECT_EQ(large.runtime, small.runtime);
  // L-BFGS keeps 100 pairs of image-sized vectors, Adam two moments.
  EXPECT_EQ(large.optimizer, (2 * 100 + 4) * 3 * 512 * 512 * 4);
  job.optimizer = Optimizer::kAdam;
  EXPECT_EQ(estimate_job_memory(job, {512, 512}, {{512, 512}}).optimizer, 4 * 3 * 512 * 512 * 4);
  // Truncation: content relu1_1 with style relu1_1 stops after the first block.
  job.content_layers = {"relu1_1"};
  job.style_layers = {"relu1_1"};
  EXPECT_LT(estimate_job_memory(job, {512, 512}, {{512, 512}}).weights, 10000);
}

TEST(MemoryEstimateTest, AJobOverItsBudgetOrTheDevicesFreeMemoryIsRefusedWithBothFigures) {
  MemoryEstimate need;
  need.runtime = std::int64_t(300) << 20;
  need.activations = std::int64_t(100) << 20;
  EXPECT_NO_THROW(require_memory_fits(need, {64, 48}, {}));  // no limits
  MemoryLimits budget;
  budget.budget = std::int64_t(256) << 20;
  try {
    require_memory_fits(need, {64, 48}, budget);
    ADD_FAILURE() << "over the budget";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("job needs an estimated 400.0 MiB (runtime 0.29 GiB"), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("at 64x48 px, more than this worker's memory budget of 256.0 MiB"),
              std::string::npos)
        << error.what();
  }
  // On a GPU the process's runtime stays on the host: 100 MiB must fit in what the device has free.
  MemoryLimits gpu{0, std::int64_t(99) << 20, std::int64_t(80) << 30, "cuda:1"};
  try {
    require_memory_fits(need, {64, 48}, gpu);
    ADD_FAILURE() << "over the device's free memory";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what())
                  .find("job needs an estimated 100.0 MiB on cuda:1 at 64x48 px, more than the 99.0 MiB free of "
                        "80.00 GiB there (cudaMemGetInfo)"),
              std::string::npos)
        << error.what();
  }
  gpu.device_free = std::int64_t(100) << 20;
  EXPECT_NO_THROW(require_memory_fits(need, {64, 48}, gpu));
}

}  // namespace
}  // namespace stylesweep
