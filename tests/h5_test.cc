// The HDF5 layer (h5/h5_file.h) on real files: what is written reads back with its type and
// shape, attributes of every kind, external links and copies between files, reproducible bytes,
// and errors that name the file, the object and the reason.
#include <gtest/gtest.h>
#include <hdf5_hl.h>

#include <fstream>
#include <functional>
#include <iterator>

#include "common/error.h"
#include "h5/h5_file.h"
#include "test_support.h"

namespace stylesweep {
namespace {

using testing::TempDir;

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_sample(const std::string& path, h5::File::SmallDatasets small) {
  h5::File file = h5::File::create(path, small);
  const std::vector<double> losses = {3.0, 2.5, 2.25};
  file.write_float64("/jobs/a/loss/total", {3}, losses.data());
  const std::vector<float> weights = {1.5f, -2.0f, 0.25f, 4.0f};
  file.write_float32("/conv/weight", {2, 2}, weights.data());
  std::vector<std::uint8_t> image(16 * 16 * 3);
  for (std::size_t i = 0; i < image.size(); ++i) image[i] = std::uint8_t(i % 251);
  file.write_uint8("/jobs/a/image", {16, 16, 3}, image.data(), true);
  file.write_strings("/index/label", {"chelsea-hubble", "µ-style", ""});
  file.set_attribute("/", "format", std::string("test"));
  file.set_attribute("/jobs/a", "ratio", 1e-4);
  file.set_attribute("/jobs/a", "size", std::int64_t(512));
  file.set_attribute("/jobs/a", "layers", std::vector<std::string>{"relu1_1", "relu2_1"});
  file.set_attribute("/jobs/a", "blend", std::vector<double>{0.7, 0.3});
  file.set_attribute("/jobs/a", "scales", std::vector<std::int64_t>{128, 256});
  file.flush();
}

TEST(H5FileTest, DatasetsAndAttributesReadBackWithTheirTypesAndShapes) {
  TempDir dir;
  write_sample(dir.file("sample.h5"), h5::File::SmallDatasets::kContiguous);
  const h5::File file = h5::File::open_read_only(dir.file("sample.h5"));
  EXPECT_EQ(file.read_float64("/jobs/a/loss/total"), (std::vector<double>{3.0, 2.5, 2.25}));
  EXPECT_EQ(file.dataset_info("/conv/weight").type, h5::ElementType::kFloat32);
  EXPECT_EQ(file.dataset_info("/conv/weight").shape, (std::vector<hsize_t>{2, 2}));
  EXPECT_EQ(file.read_float32("/conv/weight"), (std::vector<float>{1.5f, -2.0f, 0.25f, 4.0f}));
  const std::vector<std::uint8_t> image = file.read_uint8("/jobs/a/image");
  ASSERT_EQ(image.size(), 16u * 16 * 3);
  EXPECT_EQ(image[300], 300 % 251);
  EXPECT_EQ(file.read_strings("/index/label"), (std::vector<std::string>{"chelsea-hubble", "µ-style", ""}));
  EXPECT_EQ(file.list_group("/jobs"), std::vector<std::string>{"a"});
  EXPECT_EQ(file.attribute_string("/", "format"), "test");
  EXPECT_TRUE(file.attribute_is_text("/jobs/a", "layers"));
  EXPECT_FALSE(file.attribute_is_text("/jobs/a", "ratio"));
  EXPECT_EQ(file.attribute_double("/jobs/a", "ratio"), 1e-4);
  EXPECT_EQ(file.attribute_int("/jobs/a", "size"), 512);
  EXPECT_EQ(file.attribute_strings("/jobs/a", "layers"), (std::vector<std::string>{"relu1_1", "relu2_1"}));
  EXPECT_EQ(file.attribute_doubles("/jobs/a", "blend"), (std::vector<double>{0.7, 0.3}));
  EXPECT_EQ(file.attribute_doubles("/jobs/a", "scales"), (std::vector<double>{128, 256}));
  EXPECT_FALSE(file.has_attribute("/jobs/a", "missing"));
}

TEST(H5FileTest, CompactSmallDatasetsHoldTheSameValues) {
  TempDir dir;
  write_sample(dir.file("compact.h5"), h5::File::SmallDatasets::kCompact);
  const h5::File file = h5::File::open_read_only(dir.file("compact.h5"));
  EXPECT_EQ(file.read_float64("/jobs/a/loss/total"), (std::vector<double>{3.0, 2.5, 2.25}));
  EXPECT_EQ(file.read_strings("/index/label").size(), 3u);
}

TEST(H5FileTest, TheSameWritesGiveByteIdenticalFiles) {
  TempDir dir;
  write_sample(dir.file("one.h5"), h5::File::SmallDatasets::kContiguous);
  write_sample(dir.file("two.h5"), h5::File::SmallDatasets::kContiguous);
  EXPECT_EQ(bytes_of(dir.file("one.h5")), bytes_of(dir.file("two.h5")));
}

TEST(H5FileTest, ExternalLinksAndCopiesReachTheOtherFile) {
  TempDir dir;
  write_sample(dir.file("segment.h5"), h5::File::SmallDatasets::kCompact);
  {
    h5::File view = h5::File::create(dir.file("view.h5"));
    view.link_external("/jobs/a", "segment.h5", "/jobs/a");  // relative to view.h5's directory
    const h5::File source = h5::File::open_read_only(dir.file("segment.h5"));
    view.copy_from(source, "/jobs/a", "/copied/a");
    view.flush();
  }
  const h5::File view = h5::File::open_read_only(dir.file("view.h5"));
  EXPECT_EQ(view.attribute_int("/jobs/a", "size"), 512);  // read through the link
  EXPECT_EQ(view.read_float64("/jobs/a/loss/total").size(), 3u);
  EXPECT_EQ(view.attribute_strings("/copied/a", "layers").size(), 2u);
  EXPECT_EQ(view.read_uint8("/copied/a/image"), view.read_uint8("/jobs/a/image"));
}

// H5Ocopy alone leaves dimension-scale references pointing nowhere (HDF5 issue 6200): a copy to
// another path, even with one scale on two datasets, keeps every attachment.
TEST(H5FileTest, CopiesKeepTheDimensionScalesAttachedInsideThem) {
  TempDir dir;
  {
    h5::File file = h5::File::create(dir.file("source.h5"));
    const std::vector<std::uint8_t> pixels(2 * 3, 7);
    const std::vector<double> evaluations = {0, 10};
    file.write_uint8("/jobs/a/snapshots", {2, 1, 1, 3}, pixels.data(), false);
    file.write_uint8("/jobs/a/masks", {2, 3}, pixels.data(), false);
    file.write_float64("/jobs/a/snapshot_evaluation", {2}, evaluations.data());
    file.attach_scale("/jobs/a/snapshots", 0, "/jobs/a/snapshot_evaluation", "evaluation");
    file.attach_scale("/jobs/a/masks", 0, "/jobs/a/snapshot_evaluation", "evaluation");
    file.flush();
  }
  {
    const h5::File source = h5::File::open_read_only(dir.file("source.h5"));
    h5::File copy = h5::File::create(dir.file("copy.h5"));
    copy.copy_from(source, "/jobs/a", "/jobs/b");
    copy.flush();
  }
  const h5::File copy = h5::File::open_read_only(dir.file("copy.h5"));
  for (const char* dataset : {"/jobs/b/snapshots", "/jobs/b/masks"}) {
    h5::Handle data(H5Dopen2(copy.id(), dataset, H5P_DEFAULT));
    h5::Handle scale(H5Dopen2(copy.id(), "/jobs/b/snapshot_evaluation", H5P_DEFAULT));
    ASSERT_TRUE(data.valid() && scale.valid()) << dataset;
    EXPECT_EQ(H5DSis_attached(data.id(), scale.id(), 0), 1) << dataset;
    std::string found;
    H5DSiterate_scales(data.id(), 0, nullptr, [](hid_t, unsigned, hid_t id, void* out) -> herr_t {
      char name[256];
      H5Iget_name(id, name, sizeof(name));
      *static_cast<std::string*>(out) = name;
      return 0;
    }, &found);
    EXPECT_EQ(found, "/jobs/b/snapshot_evaluation") << dataset;
  }
}

TEST(H5FileTest, AttributesAreReplacedAndObjectsRemoved) {
  TempDir dir;
  write_sample(dir.file("edit.h5"), h5::File::SmallDatasets::kContiguous);
  {
    h5::File file = h5::File::open_read_write(dir.file("edit.h5"));
    file.set_attribute("/jobs/a", "ratio", 3e-4);
    file.set_attribute("/jobs/a", "layers", std::string("relu1_1"));
    file.remove("/conv");
  }
  const h5::File file = h5::File::open_read_only(dir.file("edit.h5"));
  EXPECT_EQ(file.attribute_double("/jobs/a", "ratio"), 3e-4);
  EXPECT_EQ(file.attribute_string("/jobs/a", "layers"), "relu1_1");
  EXPECT_FALSE(file.exists("/conv"));
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(H5FileTest, ErrorsNameTheFileTheObjectAndTheReason) {
  TempDir dir;
  write_sample(dir.file("sample.h5"), h5::File::SmallDatasets::kContiguous);
  testing::write_text_file(dir.file("text.h5"), "not hdf5 at all");
  testing::write_text_file(dir.file("empty.h5"), "");
  const h5::File file = h5::File::open_read_only(dir.file("sample.h5"));
  EXPECT_EQ(error_of([&] { file.read_float64("/jobs/b/loss"); }),
            dir.file("sample.h5") + ": /jobs/b/loss: missing dataset");
  EXPECT_EQ(error_of([&] { file.attribute_string("/jobs/a", "ratio"); }),
            dir.file("sample.h5") + ": /jobs/a: attribute 'ratio' is not a string");
  EXPECT_EQ(error_of([&] { file.attribute_double("/jobs/a", "nothing"); }),
            dir.file("sample.h5") + ": /jobs/a: missing attribute 'nothing'");
  EXPECT_EQ(error_of([&] { h5::File::open_read_only(dir.file("text.h5")); }),
            dir.file("text.h5") + ": not an HDF5 file (no HDF5 signature; truncated or another format)");
  EXPECT_EQ(error_of([&] { h5::File::open_read_only(dir.file("empty.h5")); }),
            dir.file("empty.h5") + ": empty file (0 bytes), expected an HDF5 file");
  EXPECT_EQ(error_of([&] { h5::File::open_read_only(dir.file("none.h5")); }),
            dir.file("none.h5") + ": no such file");
  try {
    h5::File::create(dir.file("no/such/dir/out.h5"));
    FAIL() << "created a file in a missing directory";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kBadInput);  // a wrong path, not a failing disk
    EXPECT_NE(std::string(error.what()).find("out.h5: cannot create HDF5 file"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace stylesweep
