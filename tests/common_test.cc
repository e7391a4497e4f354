#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <fstream>

#include "common/durable_file.h"
#include "common/error.h"
#include "common/process.h"
#include "common/random.h"
#include "common/sha256.h"
#include "common/text.h"

namespace stylesweep {

TEST(TextTest, ValueTextIsShortAndReadsBackAsTheSameDouble) {
  EXPECT_EQ(value_text(1e-3), "0.001");
  EXPECT_EQ(value_text(1.5e-4), "0.00015");
  EXPECT_EQ(value_text(1e-5), "1e-05");
  EXPECT_EQ(value_text(512), "512");
  EXPECT_EQ(value_text(1.0000001e-3), "0.0010000001");  // {:g} would say 0.001
  EXPECT_EQ(value_text(0.1 + 0.2), "0.30000000000000004");
  SplitMix64 random(7);
  for (int i = 0; i < 10000; ++i) {
    const double value = std::ldexp(random.uniform_open() + 0.5, int(random.next() % 200) - 100);
    EXPECT_EQ(std::strtod(value_text(value).c_str(), nullptr), value) << value_text(value);
  }
}

TEST(ErrorTest, AWriteIntoAMissingDirectoryIsBadInputNamingTheFile) {
  try {
    write_file_durably("/nonexistent-stylesweep-directory/out.bin", "bytes");
    FAIL() << "the write succeeded";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kBadInput);
    EXPECT_NE(std::string(error.what()).find("/nonexistent-stylesweep-directory/out.bin"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(write_failure_kind("/nonexistent-stylesweep-directory/out.bin"), ErrorKind::kBadInput);
  EXPECT_EQ(write_failure_kind(::testing::TempDir() + "out.bin"), ErrorKind::kIo);
  EXPECT_EQ(io_error("a.h5", "full").kind(), ErrorKind::kIo);
  EXPECT_EQ(file_error("a.h5", "bad", ErrorKind::kBadInput).kind(), ErrorKind::kBadInput);
}

TEST(Sha256Test, AcceleratedBlockFunctionEqualsThePortableOne) {
  SplitMix64 random(42);
  std::uint32_t first_state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::uint32_t portable[8], accelerated[8];
  std::copy(first_state, first_state + 8, portable);
  std::copy(first_state, first_state + 8, accelerated);
  std::uint8_t block[64];
  for (int round = 0; round < 1000; ++round) {
    for (auto& byte : block) byte = std::uint8_t(random.next());
    sha256_detail::compress_portable(portable, block);
    if (!sha256_detail::compress_accelerated(accelerated, block)) {
      GTEST_SKIP() << "this CPU has no SHA extensions; the portable rounds are the only ones";
    }
    ASSERT_TRUE(std::equal(portable, portable + 8, accelerated)) << "block " << round;
  }
}

TEST(Sha256Test, MatchesPublishedVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(SplitMix64Test, IsDeterministicAndSeedDependent) {
  SplitMix64 a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t value = a.next();
    EXPECT_EQ(value, b.next());
    EXPECT_NE(value, c.next());
  }
  // First output of SplitMix64 seeded with 0, as published with the reference implementation.
  EXPECT_EQ(SplitMix64(0).next(), 0xe220a8397b1dcdafULL);
}

TEST(SplitMix64Test, NormalHasUnitMoments) {
  SplitMix64 generator(7);
  double sum = 0, sum_squares = 0;
  const int count = 200000;
  for (int i = 0; i < count; ++i) {
    const double value = generator.normal();
    sum += value;
    sum_squares += value * value;
  }
  EXPECT_NEAR(sum / count, 0.0, 0.01);
  EXPECT_NEAR(sum_squares / count, 1.0, 0.01);
}

TEST(TextTest, SplitJoinAndSuggestions) {
  EXPECT_EQ(split("a,b,,c", ','), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(join({"x", "y"}, "+"), "x+y");
  EXPECT_EQ(did_you_mean("relu4_22", {"relu4_2", "conv1_1"}), " (did you mean 'relu4_2'?)");
  EXPECT_EQ(did_you_mean("zzzzzz", {"relu4_2"}), "");
}

TEST(TextTest, CsvFieldsAreQuotedOnlyWhenNeeded) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
}

TEST(ProcessTest, RunsWithoutAShellAndReportsMissingPrograms) {
  // Arguments a shell would expand, split or run: they must reach the program as they are.
  const std::string marker = ::testing::TempDir() + "stylesweep-process-test-marker";
  std::remove(marker.c_str());
  const std::string argument = "$(touch " + marker + "); touch " + marker + " 'quoted' *";
  const ProgramResult echoed = run_program({"echo", argument});
  EXPECT_EQ(echoed.exit_code, 0);
  EXPECT_EQ(echoed.output, argument + "\n");
  EXPECT_FALSE(std::ifstream(marker).good()) << "a shell ran the argument";
  EXPECT_EQ(run_program({"cat"}, "input $(x)\n").output, "input $(x)\n");
  EXPECT_EQ(run_program({"sh", "-c", "exit 3"}).exit_code, 3);
  EXPECT_EQ(run_program({"stylesweep-no-such-program"}).exit_code, 127);
}

}  // namespace stylesweep
