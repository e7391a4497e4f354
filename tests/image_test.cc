#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <stb/stb_image_write.h>

#include "common/error.h"
#include "image/color.h"
#include "image/image.h"
#include "test_support.h"

namespace stylesweep {
namespace {

using testing::TempDir;

// The message read_image gives for `path`, or "" when it succeeds.
std::string read_error(const std::string& path) {
  try {
    read_image(path);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

// The message decode_image gives for bytes in memory (named "mem.png"), or "" on success.
std::string decode_error(const std::string& bytes) {
  try {
    decode_image(bytes, "mem.png");
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

std::uint32_t crc32(const std::string& bytes) {
  std::uint32_t crc = 0xffffffffu;
  for (unsigned char byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string big_endian(std::uint32_t value) {
  return {char(value >> 24), char(value >> 16), char(value >> 8), char(value)};
}

// A PNG with a valid signature and IHDR chunk claiming width x height, and no pixel data.
std::string png_header_only(std::uint32_t width, std::uint32_t height) {
  std::string body = "IHDR" + big_endian(width) + big_endian(height) + std::string("\x08\x02\x00\x00\x00", 5);
  return std::string("\x89PNG\r\n\x1a\n", 8) + big_endian(13) + body + big_endian(crc32(body));
}

TEST(ImageReadTest, ReadsPngAsRgbFloat) {
  TempDir dir;
  const Image written = testing::pattern_image(20, 10, 1);
  write_png(dir.file("a.png"), written);
  const Image read = read_image(dir.file("a.png"));
  ASSERT_EQ(read.width, 20);
  ASSERT_EQ(read.height, 10);
  EXPECT_EQ(to_rgb8(read), to_rgb8(written));
}

TEST(ImageReadTest, GrayBecomesRgbAndAlphaIsCompositedOnWhite) {
  TempDir dir;
  const std::uint8_t gray[4] = {0, 50, 100, 250};
  ASSERT_TRUE(stbi_write_png(dir.file("gray.png").c_str(), 2, 2, 1, gray, 2));
  const Image image = read_image(dir.file("gray.png"));
  EXPECT_EQ(image.pixels, (std::vector<float>{0, 0, 0, 50, 50, 50, 100, 100, 100, 250, 250, 250}));

  const std::uint8_t rgba[8] = {10, 20, 30, 0, 40, 50, 60, 255};
  ASSERT_TRUE(stbi_write_png(dir.file("alpha.png").c_str(), 2, 1, 4, rgba, 8));
  EXPECT_EQ(read_image(dir.file("alpha.png")).pixels, (std::vector<float>{255, 255, 255, 40, 50, 60}));
}

// Files as cameras and photo tools write them (tests/make_image_fixtures.py, PIL).
class ViewerImageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory_ = new TempDir();
    const std::string command = "/usr/bin/python3 " STYLESWEEP_SOURCE_DIR "/tests/make_image_fixtures.py " +
                                directory_->path();
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  static void TearDownTestSuite() { delete directory_; }
  static std::string file(const std::string& name) { return directory_->file(name); }
  static std::vector<std::uint8_t> expected(const std::string& name) {
    std::ifstream in(file(name + ".expected"), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  static TempDir* directory_;
};
TempDir* ViewerImageTest::directory_ = nullptr;

TEST_F(ViewerImageTest, EveryExifOrientationReadsAsTheUprightPicture) {
  const Image upright = read_image(file("upright.png"));
  for (int orientation = 1; orientation <= 8; ++orientation) {
    const std::string path = file("orientation-" + std::to_string(orientation) + ".jpg");
    const Image image = read_image(path);
    ASSERT_EQ(image.width, upright.width) << "orientation " << orientation;
    ASSERT_EQ(image.height, upright.height) << "orientation " << orientation;
    EXPECT_EQ(read_image_size(path), std::make_pair(upright.width, upright.height)) << "orientation " << orientation;
    float worst = 0;
    for (std::size_t i = 0; i < image.pixels.size(); ++i) {
      worst = std::max(worst, std::abs(image.pixels[i] - upright.pixels[i]));
    }
    EXPECT_LE(worst, 2.0f) << "orientation " << orientation;  // JPEG rounding of flat blocks
  }
}

TEST_F(ViewerImageTest, SixteenBitPngsAreRoundedToEightBits) {
  for (const std::string name : {"grey16", "rgb16"}) {
    EXPECT_EQ(to_rgb8(read_image(file(name + ".png"))), expected(name)) << name;
  }
}

TEST_F(ViewerImageTest, AlphaIsCompositedOnWhite) {
  for (const std::string name : {"rgba", "grey_alpha"}) {
    EXPECT_EQ(to_rgb8(read_image(file(name + ".png"))), expected(name)) << name;
  }
}

TEST(ImageReadTest, ReadsJpeg) {
  TempDir dir;
  const auto rgb = to_rgb8(testing::pattern_image(32, 16, 0));
  ASSERT_TRUE(stbi_write_jpg(dir.file("a.jpg").c_str(), 32, 16, 3, rgb.data(), 95));
  const Image image = read_image(dir.file("a.jpg"));
  EXPECT_EQ(image.width, 32);
  EXPECT_EQ(image.height, 16);
}

TEST(ImageReadTest, BadFilesNameThePathAndTheReason) {
  TempDir dir;
  EXPECT_EQ(read_error(dir.file("missing.png")), dir.file("missing.png") + ": no such file");
  EXPECT_EQ(read_error(dir.path()), dir.path() + ": is a directory, expected an image file");

  testing::write_text_file(dir.file("empty.png"), "");
  EXPECT_EQ(read_error(dir.file("empty.png")),
            dir.file("empty.png") + ": empty file (0 bytes), expected a PNG or JPEG image");

  testing::write_text_file(dir.file("text.png"), "name: not an image\n");
  EXPECT_EQ(read_error(dir.file("text.png")),
            dir.file("text.png") + ": not a PNG or JPEG image (unknown signature)");

  testing::write_text_file(dir.file("huge.png"), png_header_only(100000, 100000));
  EXPECT_EQ(read_error(dir.file("huge.png")),
            dir.file("huge.png") +
                ": image too large: 100000x100000 pixels exceeds the limit of 50 megapixels");
}

// Regression: two 32-bit header sides multiplied in 64 bits overflowed (undefined behaviour)
// before the pixel limit was checked.
TEST(ImageReadTest, HeaderSidesNearTwoToTheThirtyTwoAreRefused) {
  EXPECT_EQ(decode_error(png_header_only(0xFFFFFFFFu, 0xFFFFFFFFu)),
            "mem.png: image too large: 4294967295x4294967295 pixels exceeds the limit of 50 megapixels");
  EXPECT_EQ(decode_error(png_header_only(1, 0xFFFFFFFFu)),
            "mem.png: image too large: 1x4294967295 pixels exceeds the limit of 50 megapixels");
}

// Regression from image_fuzz: a JPEG whose first segment is damaged, so the header check found no
// size, while stb skipped ahead to a frame of 2572 x 50644 pixels and began decoding it.
TEST(ImageReadTest, FrameSizeFoundPastADamagedSegmentIsChecked) {
  const std::string jpeg(
      "\xff\xd8\xff\xe0\x00\x10\x4a\x0c\x14\x0d\x0c\x0b\x0b\x0c\x19\x12\x13\x22\x2c\x23\x1c\x1c\x28\x37"
      "\x29\x2c\x30\x31\x34\x1f\x27\x39\x3d\x38\x32\x3c\x2e\x33\x34\x32\xff\xc0\x00\x0b\x08\xc5\xd4\x0c"
      "\x00\x01\x01\x11\x00\xff\xd9\x00\x1f\x00\x00\x01\x05\x01\x01\x01\x01\x01\x01\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x01\x02\xb7\xb7\xbb\x02\x07\x08\x09\x0a\x0b\xff\xc4\x00\xb5\x10\x00\x02\x01\x03\x03"
      "\x02\x04\x03\x05\x05\x04\x04\x00\x00\x01\x7d\x01\x02\x03\x00\x04\x11\x05\x12\x21\xff\xd8\xff\xe0"
      "\x00\x10\x4a\x46\x49\x46\x00\x01\x01\x00\x00\x01\x00\x00\x00\xdb\xff\x00\x01\x43\x00\x06\x04\x05"
      "\x06\x05\x04\x06\x06\x05\x01\x00\x06\x07\x07\x06\x08\x0a\x10\x0a\x0a\x31\x09",
      163);
  EXPECT_EQ(decode_error(jpeg).rfind("mem.png: image too large: ", 0), 0u) << decode_error(jpeg);
}

TEST(ImageReadTest, TruncatedAndCorruptFilesFailCleanly) {
  TempDir dir;
  const std::string png = testing::read_text_file(testing::write_pattern_png(dir, "p.png", 64, 64, 1));
  testing::write_text_file(dir.file("cut.png"), png.substr(0, png.size() / 2));
  EXPECT_NE(read_error(dir.file("cut.png")).find("cannot decode image"), std::string::npos)
      << read_error(dir.file("cut.png"));

  std::string corrupt = png;
  for (std::size_t i = 60; i < corrupt.size() - 20; ++i) corrupt[i] = char(0xAA);
  testing::write_text_file(dir.file("corrupt.png"), corrupt);
  EXPECT_NE(read_error(dir.file("corrupt.png")).find(dir.file("corrupt.png") + ": "),
            std::string::npos);

  const auto rgb = to_rgb8(testing::pattern_image(64, 64, 0));
  ASSERT_TRUE(stbi_write_jpg(dir.file("full.jpg").c_str(), 64, 64, 3, rgb.data(), 90));
  const std::string jpeg = testing::read_text_file(dir.file("full.jpg"));
  testing::write_text_file(dir.file("cut.jpg"), jpeg.substr(0, jpeg.size() / 2));
  EXPECT_EQ(read_error(dir.file("cut.jpg")),
            dir.file("cut.jpg") + ": truncated JPEG (no end-of-image marker)");
}

// Debian's stb_image v2.27 writes past its 256-entry Huffman tables when a DHT segment declares
// more codes; the build's checked copy refuses the file as later stb releases do.
TEST(ImageReadTest, HuffmanTableWithTooManyCodesIsRefused) {
  TempDir dir;
  const auto rgb = to_rgb8(testing::pattern_image(16, 16, 0));
  ASSERT_TRUE(stbi_write_jpg(dir.file("full.jpg").c_str(), 16, 16, 3, rgb.data(), 90));
  std::string jpeg = testing::read_text_file(dir.file("full.jpg"));
  const std::size_t table = jpeg.find("\xff\xc4");
  ASSERT_NE(table, std::string::npos);
  // Segment: marker, 2-byte length, class/id byte, then 16 code counts: 2 x 255 codes.
  jpeg[table + 5 + 14] = char(255);
  jpeg[table + 5 + 15] = char(255);
  testing::write_text_file(dir.file("many-codes.jpg"), jpeg);
  EXPECT_EQ(read_error(dir.file("many-codes.jpg")),
            dir.file("many-codes.jpg") +
                ": cannot decode image: truncated or corrupt data (bad DHT header)");
}

TEST(ImageReadTest, UnreadableFileIsReported) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads files regardless of permissions";
  TempDir dir;
  const std::string path = testing::write_pattern_png(dir, "locked.png", 8, 8, 0);
  chmod(path.c_str(), 0);
  EXPECT_EQ(read_error(path), path + ": cannot open for reading (permission denied?)");
}

TEST(ImageWriteTest, UnwritablePathIsReported) {
  TempDir dir;
  try {
    write_png(dir.file("no/such/dir/out.png"), testing::pattern_image(4, 4, 0));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              dir.file("no/such/dir/out.png") +
                  ": cannot write PNG: " + dir.file("no/such/dir") + " does not exist");
  }
}

TEST(ResizeTest, SameSizeIsNotResampled) {
  Image image = testing::pattern_image(13, 7, 1);
  image.pixels[5] = 0.123f;  // a value 8-bit resampling would not preserve
  const Image same = resize(image, 13, 7);
  EXPECT_EQ(same.pixels, image.pixels);
  EXPECT_EQ(resize_long_side(image, 13).pixels, image.pixels);
}

TEST(ResizeTest, LongSideKeepsAspectRatio) {
  EXPECT_EQ(size_for_long_side(451, 300, 128), std::make_pair(128, 85));
  EXPECT_EQ(size_for_long_side(300, 451, 64), std::make_pair(43, 64));
  EXPECT_THROW(size_for_long_side(10, 10, 0), Error);
}

TEST(ResizeTest, ShrinkingAveragesAreas) {
  // A 4x2 image shrunk to 2x1 averages each 2x2 block exactly.
  Image image{4, 2, {}};
  for (float value : {0.f, 10.f, 20.f, 30.f, 40.f, 50.f, 60.f, 70.f}) {
    for (int c = 0; c < 3; ++c) image.pixels.push_back(value + c);
  }
  const Image small = resize(image, 2, 1);
  EXPECT_FLOAT_EQ(small.at(0, 0, 0), (0 + 10 + 40 + 50) / 4.0f);
  EXPECT_FLOAT_EQ(small.at(0, 1, 2), (20 + 30 + 60 + 70) / 4.0f + 2);
  // Non-integer factors still preserve the mean of a constant image.
  Image flat{9, 9, std::vector<float>(9 * 9 * 3, 77.f)};
  for (float value : resize(flat, 4, 4).pixels) EXPECT_NEAR(value, 77.f, 1e-4);
}

TEST(ResizeTest, EnlargingIsBilinear) {
  Image image{2, 1, {0, 0, 0, 100, 100, 100}};
  const Image large = resize(image, 4, 1);
  EXPECT_FLOAT_EQ(large.at(0, 0, 0), 0.f);     // clamped edge
  EXPECT_FLOAT_EQ(large.at(0, 1, 0), 25.f);
  EXPECT_FLOAT_EQ(large.at(0, 2, 0), 75.f);
  EXPECT_FLOAT_EQ(large.at(0, 3, 0), 100.f);
}

TEST(ColorTest, LuminanceTransferKeepsChromaOfContent) {
  Image styled{1, 1, {200, 200, 200}};   // gray: luminance 200
  Image content{1, 1, {200, 50, 50}};    // reddish
  const Image result = transfer_luminance(styled, content);
  const float luminance = 0.299f * result.pixels[0] + 0.587f * result.pixels[1] + 0.114f * result.pixels[2];
  EXPECT_NEAR(luminance, 200.f, 0.05f);
  EXPECT_GT(result.pixels[0], result.pixels[1]);  // still red-dominant
}

}  // namespace
}  // namespace stylesweep
