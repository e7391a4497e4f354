// Colour control, spatial control and the style losses inside the engine: full-image masks
// reproduce the plain loss exactly, luminance control keeps the content's chroma, `init: style`
// starts from the colour-controlled style, and every style loss optimizes.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/stylize.h"
#include "image/color.h"
#include "image/region_masks.h"
#include "job/job_fields.h"
#include "test_support.h"

namespace stylesweep {
namespace {

using testing::TempDir;

class ControlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    engine_ = new StyleEngine(testing::write_random_weights(*dir_), "cpu");
    content_ = testing::write_pattern_png(*dir_, "content.png", 48, 32, 0);
    style_ = testing::write_pattern_png(*dir_, "style.png", 40, 40, 1);
    second_style_ = testing::write_pattern_png(*dir_, "second.png", 36, 44, 2);
  }
  static void TearDownTestSuite() {
    delete engine_;
    delete dir_;
  }

  static StyleJob small_job(int iterations) {
    StyleJob job;
    job.content = content_;
    job.styles = {style_};
    job.size = 32;
    job.iterations = iterations;
    job.ratio = 1e-3;
    return job;
  }

  // A mask PNG of width x height whose pixel (x, y) has colour paint(x, y).
  template <typename Paint>
  static std::string write_mask(const std::string& name, int width, int height, Paint paint) {
    Image mask;
    mask.width = width;
    mask.height = height;
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        const RegionColor color = paint(x, y);
        for (int c = 0; c < 3; ++c) mask.pixels.push_back(float(color[std::size_t(c)]));
      }
    }
    write_png(dir_->file(name), mask);
    return dir_->file(name);
  }

  static TempDir* dir_;
  static StyleEngine* engine_;
  static std::string content_, style_, second_style_;
};

TempDir* ControlsTest::dir_ = nullptr;
StyleEngine* ControlsTest::engine_ = nullptr;
std::string ControlsTest::content_, ControlsTest::style_, ControlsTest::second_style_;

constexpr RegionColor kRed{255, 0, 0}, kBlue{0, 0, 255};

TEST_F(ControlsTest, FullImageMaskReproducesThePlainLossExactly) {
  const std::string content_mask = write_mask("full.png", 48, 32, [](int, int) { return kRed; });
  const std::string style_mask = write_mask("full-style.png", 40, 40, [](int, int) { return kRed; });
  for (bool two_styles : {false, true}) {
    StyleJob plain = small_job(6);
    if (two_styles) {
      plain.styles.push_back(second_style_);
      plain.style_blend = {0.3, 0.7};
    }
    const JobResult expected = engine_->run(plain);
    StyleJob masked = plain;
    masked.content_mask = content_mask;
    const JobResult whole = engine_->run(masked);
    EXPECT_EQ(whole.history.total, expected.history.total) << "two styles: " << two_styles;
    EXPECT_EQ(whole.history.style_layers, expected.history.style_layers);
    // A style mask of the one colour everywhere is its whole image too.
    masked.style_masks = {style_mask};
    if (two_styles) masked.style_masks.push_back(kWholeImageMask);
    EXPECT_EQ(engine_->run(masked).history.total, expected.history.total) << "two styles: " << two_styles;
    EXPECT_NE(job_id(masked, "w"), job_id(plain, "w"));
  }
}

TEST_F(ControlsTest, TwoRegionsTakeTheirOwnStyles) {
  StyleJob job = small_job(20);
  job.styles = {style_, second_style_};
  job.content_mask = write_mask("halves.png", 48, 32, [](int, int y) { return y < 16 ? kRed : kBlue; });
  job.style_masks = {write_mask("red.png", 40, 40, [](int, int) { return kRed; }),
                     write_mask("blue.png", 36, 44, [](int, int) { return kBlue; })};
  const JobResult result = engine_->run(job);
  EXPECT_LT(result.history.total.back(), 0.5 * result.history.total.front());
  StyleJob plain = job;
  plain.content_mask.clear();
  plain.style_masks.clear();
  EXPECT_NE(engine_->run(plain).history.total.front(), result.history.total.front());
}

TEST_F(ControlsTest, MasksOfAnotherSizeThanTheirImagesAreRefused) {
  StyleJob job = small_job(2);
  job.content_mask = write_mask("small.png", 24, 16, [](int, int) { return kRed; });
  try {
    engine_->run(job);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("small.png: mask is 24x16 px but its image"), std::string::npos)
        << error.what();
  }
}

TEST_F(ControlsTest, LuminanceControlKeepsTheContentsChroma) {
  StyleJob job = small_job(8);
  job.color_control = ColorControl::kLuminance;
  const JobResult result = engine_->run(job);
  const Image content = resize_long_side(read_image(content_), 32);
  ASSERT_EQ(result.image.pixels.size(), content.pixels.size());
  // YIQ's I and Q rows: the result's chroma is the content's.
  const double rows[2][3] = {{0.595716, -0.274453, -0.321263}, {0.211456, -0.522591, 0.311135}};
  for (std::size_t i = 0; i < content.pixels.size(); i += 3) {
    for (const auto& row : rows) {
      double of_result = 0, of_content = 0;
      for (std::size_t c = 0; c < 3; ++c) {
        of_result += row[c] * result.image.pixels[i + c];
        of_content += row[c] * content.pixels[i + c];
      }
      EXPECT_NEAR(of_result, of_content, 1e-3);
    }
  }
}

TEST_F(ControlsTest, InitStyleStartsFromTheColourControlledStyle) {
  // A style of the content's size: the initial image is then the prepared style itself.
  StyleJob job = small_job(2);
  job.styles = {testing::write_pattern_png(*dir_, "same-size.png", 48, 32, 3)};
  job.init.kind = InitKind::kStyle;
  for (ColorControl control : {ColorControl::kNone, ColorControl::kLuminance, ColorControl::kHistogramSym}) {
    job.color_control = control;
    EXPECT_LT(engine_->run(job).history.style.front(), 1e-9) << choice_name(control);
  }
}

TEST_F(ControlsTest, EveryStyleLossOptimizesAndRepeatsBitForBit) {
  for (StyleLoss loss : {StyleLoss::kGramMse, StyleLoss::kGaussianW2, StyleLoss::kSlicedWasserstein}) {
    StyleJob job = small_job(15);
    job.style_loss = loss;
    // Its objective changes with the directions at every evaluation: a stochastic loss for Adam.
    if (loss == StyleLoss::kSlicedWasserstein) job.optimizer = Optimizer::kAdam;
    job.ratio = 1e-6;  // mostly style: each loss must lower its own term
    const JobResult first = engine_->run(job);
    EXPECT_LT(first.history.style.back(), 0.5 * first.history.style.front()) << choice_name(loss);
    EXPECT_EQ(engine_->run(job).history.total, first.history.total) << choice_name(loss);
  }
}

}  // namespace
}  // namespace stylesweep
