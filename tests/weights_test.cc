#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "common/sha256.h"
#include "h5/h5_file.h"
#include "test_support.h"
#include "vgg/random_weights.h"
#include "vgg/vgg_layers.h"
#include "vgg/weights_file.h"

namespace stylesweep {
namespace {

using testing::TempDir;

std::string load_error(const std::string& path) {
  try {
    read_weights(path);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

// A small valid file: random weights through conv2_1.
std::string write_prefix_file(const TempDir& dir, const std::string& name) {
  VggWeights weights = random_weights(3);
  for (auto it = weights.convs.begin(); it != weights.convs.end();) {
    const bool keep = it->first == "conv1_1" || it->first == "conv1_2" || it->first == "conv2_1";
    it = keep ? std::next(it) : weights.convs.erase(it);
  }
  write_weights(dir.file(name), weights);
  return dir.file(name);
}

TEST(VggLayersTest, TableHasTheNineteenLayerNames) {
  EXPECT_EQ(vgg19_conv_names().size(), 16u);
  EXPECT_EQ(vgg19_layers().size(), 16u * 2 + 5);
  EXPECT_EQ(vgg19_layer("conv3_4").in_channels, 256);
  EXPECT_EQ(vgg19_layer("relu5_1").out_channels, 512);
  EXPECT_EQ(vgg19_layer("pool3").downsampling, 8);
  try {
    vgg19_layer_index("relu4_22");
    FAIL();
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "unknown VGG-19 layer 'relu4_22' (did you mean 'relu4_2'?)");
  }
}

TEST(WeightsFileTest, RoundTripKeepsEverything) {
  TempDir dir;
  VggWeights written = random_weights(5);
  written.channel_order = "BGR";
  written.mean = {103.939, 116.779, 123.68};
  written.std = {1, 1, 1};
  written.source = "test";
  write_weights(dir.file("w.h5"), written);
  const VggWeights read = read_weights(dir.file("w.h5"));
  EXPECT_EQ(read.channel_order, "BGR");
  EXPECT_EQ(read.mean, written.mean);
  EXPECT_EQ(read.std, written.std);
  EXPECT_EQ(read.source, "test");
  ASSERT_EQ(read.convs.size(), 16u);
  for (const auto& [name, conv] : written.convs) {
    EXPECT_EQ(read.convs.at(name).weight, conv.weight) << name;
    EXPECT_EQ(read.convs.at(name).bias, conv.bias) << name;
  }
}

TEST(WeightsFileTest, RandomWeightsAreReproducibleBySeed) {
  TempDir dir;
  write_weights(dir.file("a.h5"), random_weights(0));
  write_weights(dir.file("b.h5"), random_weights(0));
  write_weights(dir.file("c.h5"), random_weights(1));
  EXPECT_EQ(sha256_file(dir.file("a.h5")), sha256_file(dir.file("b.h5")));
  EXPECT_NE(sha256_file(dir.file("a.h5")), sha256_file(dir.file("c.h5")));
  // Kaiming fan-in: standard deviation sqrt(2 / (in * 9)).
  const ConvWeights& conv = random_weights(0).convs.at("conv3_1");
  double sum_squares = 0;
  for (float value : conv.weight) sum_squares += double(value) * value;
  EXPECT_NEAR(std::sqrt(sum_squares / conv.weight.size()), std::sqrt(2.0 / (128 * 9)), 2e-4);
}

TEST(WeightsFileTest, PrefixFileLoadsAndNamesTheMissingLayerWhenNeeded) {
  TempDir dir;
  const std::string path = write_prefix_file(dir, "prefix.h5");
  const VggWeights weights = read_weights(path);
  EXPECT_EQ(weights.convs.size(), 3u);
  EXPECT_NO_THROW(weights.require_convs({"conv1_1", "conv2_1"}, path));
  try {
    weights.require_convs({"conv2_1", "conv2_2"}, path);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              path + ": /conv2_2: missing layer (the file holds 3 of 16 conv layers)");
  }
}

TEST(WeightsFileTest, WrongShapeIsNamed) {
  TempDir dir;
  const std::string path = write_prefix_file(dir, "w.h5");
  {
    h5::File file = h5::File::open_read_write(path);
    std::vector<float> values(64 * 3 * 5 * 5, 0.f);
    file.write_float32("/conv1_1/weight", {64, 3, 5, 5}, values.data());
  }
  EXPECT_EQ(load_error(path),
            path + ": /conv1_1/weight: expected shape [64, 3, 3, 3], found [64, 3, 5, 5]");
}

TEST(WeightsFileTest, WrongDtypeIsNamed) {
  TempDir dir;
  const std::string path = write_prefix_file(dir, "w.h5");
  {
    h5::File file = h5::File::open_read_write(path);
    std::vector<double> values(128, 0.0);
    file.write_float64("/conv2_1/bias", {128}, values.data());
  }
  EXPECT_EQ(load_error(path), path + ": /conv2_1/bias: expected float32 elements");
}

TEST(WeightsFileTest, NanIsNamed) {
  TempDir dir;
  const std::string path = write_prefix_file(dir, "w.h5");
  {
    h5::File file = h5::File::open_read_write(path);
    std::vector<float> values = file.read_float32("/conv1_2/weight");
    values[17] = std::nanf("");
    file.write_float32("/conv1_2/weight", {64, 64, 3, 3}, values.data());
  }
  EXPECT_EQ(load_error(path), path + ": /conv1_2/weight: non-finite value nan at flat index 17");
}

TEST(WeightsFileTest, WrongFormatAttributeIsNamed) {
  TempDir dir;
  const std::string path = write_prefix_file(dir, "w.h5");
  {
    h5::File file = h5::File::open_read_write(path);
    file.set_attribute("/", "format", std::string("keras"));
  }
  EXPECT_EQ(load_error(path),
            path + ": root attribute format is \"keras\", expected \"stylesweep-vgg19\"");
}

TEST(WeightsFileTest, NotHdf5TruncatedAndMissingAreNamed) {
  TempDir dir;
  testing::write_text_file(dir.file("text.h5"), "these are not weights\n");
  EXPECT_EQ(load_error(dir.file("text.h5")),
            dir.file("text.h5") +
                ": not an HDF5 file (no HDF5 signature; truncated or another format)");
  EXPECT_EQ(load_error(dir.file("none.h5")), dir.file("none.h5") + ": no such file");

  const std::string full = testing::read_text_file(write_prefix_file(dir, "w.h5"));
  testing::write_text_file(dir.file("cut.h5"), full.substr(0, full.size() / 2));
  const std::string message = load_error(dir.file("cut.h5"));
  EXPECT_EQ(message.rfind(dir.file("cut.h5") + ": ", 0), 0u) << message;
}

}  // namespace
}  // namespace stylesweep
