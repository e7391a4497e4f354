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

}  // namespace
}  // namespace stylesweep
