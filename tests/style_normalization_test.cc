// The style loss of whole jobs against plain float64 reference code: Gram matrices compared per
// position, E_l = sum (G/M - A/Ms)^2 / (4 N^2), for styles of another size than the result
// (aspect ratios, style_scale, blends of styles of different sizes, coarse-to-fine stages, the
// batch path), and the paper's own values where the sizes are equal.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>

#include "common/error.h"
#include "engine/checkpoint.h"
#include "engine/stylize.h"
#include "engine/vgg19.h"
#include "h5/h5_file.h"
#include "image/image.h"
#include "store/job_group.h"
#include "test_support.h"
#include "vgg/vgg_layers.h"
#include "vgg/weights_file.h"

namespace stylesweep {
namespace {

using testing::TempDir;

// Features [N, M] in float64, one row per channel.
using Features = std::vector<std::vector<double>>;

// G[i][j] = sum_p F[i][p] F[j][p], one element at a time.
Features gram_of(const Features& features) {
  const std::size_t channels = features.size();
  Features gram(channels, std::vector<double>(channels, 0.0));
  for (std::size_t i = 0; i < channels; ++i) {
    for (std::size_t j = 0; j < channels; ++j) {
      for (std::size_t p = 0; p < features[i].size(); ++p) gram[i][j] += features[i][p] * features[j][p];
    }
  }
  return gram;
}

enum class Formula { kPerPosition, kPaperUnequal };

// E_l of a result's features against one style's, by the formula asked for.
double style_layer_reference(const Features& result, const Features& style, Formula formula) {
  const double n = double(result.size());
  const double m = double(result.front().size()), ms = double(style.front().size());
  const Features g = gram_of(result), a = gram_of(style);
  double sum = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    for (std::size_t j = 0; j < g.size(); ++j) {
      const double difference = formula == Formula::kPerPosition ? g[i][j] / m - a[i][j] / ms
                                                                 : g[i][j] - a[i][j];
      sum += difference * difference;
    }
  }
  return formula == Formula::kPerPosition ? sum / (4 * n * n) : sum / (4 * n * n * m * m);
}

// The images a job optimizes against, prepared as the job describes them (long sides), through
// the same network in float64; the result is the content image itself (init: content).
class Reference {
 public:
  explicit Reference(const std::string& weights_path) : vgg_(read_weights(weights_path), Pooling::kAvg, "relu5_1") {
    vgg_->to(torch::kDouble);
  }

  // Unweighted E_l per style layer, blended over the styles, at the job's first evaluation.
  std::vector<double> first_evaluation(const StyleJob& job, Formula formula) {
    const Image content = resize_long_side(read_image(job.content), job.size);
    const int style_side = std::max(8, int(std::lround(job.size * job.style_scale)));
    const std::vector<double> blend = job.normalized_blend();
    std::vector<double> losses(job.style_layers.size(), 0.0);
    const auto result = features(content, job.style_layers);
    for (std::size_t s = 0; s < job.styles.size(); ++s) {
      const auto style = features(resize_long_side(read_image(job.styles[s]), style_side), job.style_layers);
      for (std::size_t l = 0; l < job.style_layers.size(); ++l) {
        losses[l] += blend[s] * style_layer_reference(result.at(job.style_layers[l]),
                                                      style.at(job.style_layers[l]), formula);
      }
    }
    return losses;
  }

 private:
  std::map<std::string, Features> features(const Image& image, const std::vector<std::string>& layers) {
    torch::NoGradGuard no_grad;
    const torch::Tensor pixels =
        torch::tensor(std::vector<double>(image.pixels.begin(), image.pixels.end()), torch::kDouble)
            .view({1, image.height, image.width, 3})
            .permute({0, 3, 1, 2})
            .contiguous();
    std::map<std::string, Features> by_layer;
    for (const auto& [layer, activation] : vgg_->forward(pixels, layers)) {
      const torch::Tensor flat = activation.reshape({activation.size(1), -1}).contiguous();
      Features rows(std::size_t(flat.size(0)));
      for (std::int64_t c = 0; c < flat.size(0); ++c) {
        rows[std::size_t(c)].assign(flat[c].data_ptr<double>(), flat[c].data_ptr<double>() + flat.size(1));
      }
      by_layer[layer] = std::move(rows);
    }
    return by_layer;
  }

  Vgg19 vgg_;
};

class StyleNormalizationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    weights_ = testing::write_random_weights(*dir_);
    engine_ = new StyleEngine(weights_, "cpu");
    reference_ = new Reference(weights_);
    content_ = testing::write_pattern_png(*dir_, "content.png", 48, 32, 0);  // 32x21 at size 32
    square_style_ = testing::write_pattern_png(*dir_, "square.png", 40, 40, 1);
    tall_style_ = testing::write_pattern_png(*dir_, "tall.png", 30, 50, 2);
    same_shape_style_ = testing::write_pattern_png(*dir_, "same.png", 96, 64, 3);  // 32x21 too
  }
  static void TearDownTestSuite() {
    delete reference_;
    delete engine_;
    delete dir_;
  }

  // One evaluation of the content image: the stored losses of the job's first evaluation.
  static StyleJob first_evaluation_job(const std::vector<std::string>& styles) {
    StyleJob job;
    job.content = content_;
    job.styles = styles;
    job.size = 32;
    job.iterations = 1;
    job.init = Init{InitKind::kContent, ""};
    job.ratio = 1e-3;
    return job;
  }

  // The engine's stored E_l equal the per-position reference within float32 rounding; where the
  // sizes differ, the paper's unequal-size formula is far from them (so this test can fail).
  static void expect_per_position(const StyleJob& job, const std::vector<double>& stored,
                                  bool sizes_differ) {
    const std::vector<double> per_position = reference_->first_evaluation(job, Formula::kPerPosition);
    const std::vector<double> paper = reference_->first_evaluation(job, Formula::kPaperUnequal);
    ASSERT_EQ(stored.size(), per_position.size());
    for (std::size_t l = 0; l < stored.size(); ++l) {
      EXPECT_NEAR(stored[l], per_position[l], 1e-4 * per_position[l]) << job.style_layers[l];
      if (sizes_differ) {
        EXPECT_GT(std::abs(paper[l] - per_position[l]), 0.01 * per_position[l]) << job.style_layers[l];
      } else {
        EXPECT_NEAR(paper[l], per_position[l], 1e-12 * per_position[l]) << job.style_layers[l];
      }
    }
  }

  static TempDir* dir_;
  static std::string weights_;
  static StyleEngine* engine_;
  static Reference* reference_;
  static std::string content_, square_style_, tall_style_, same_shape_style_;
};

TempDir* StyleNormalizationTest::dir_ = nullptr;
std::string StyleNormalizationTest::weights_;
StyleEngine* StyleNormalizationTest::engine_ = nullptr;
Reference* StyleNormalizationTest::reference_ = nullptr;
std::string StyleNormalizationTest::content_, StyleNormalizationTest::square_style_,
    StyleNormalizationTest::tall_style_, StyleNormalizationTest::same_shape_style_;

TEST_F(StyleNormalizationTest, AStyleOfAnotherAspectRatioIsComparedPerPosition) {
  const StyleJob job = first_evaluation_job({square_style_});  // 32x21 against 32x32
  const JobResult result = engine_->run(job);
  ASSERT_EQ(result.history.size(), 1u);
  expect_per_position(job, result.history.style_layers.front(), true);
  // Stored as computed, and the second run (targets from the cache) stores the same.
  const std::string path = dir_->file("aspect.h5");
  write_history_file(path, "aspect", job, engine_->weights_sha256(), result);
  const h5::File file = h5::File::open_read_only(path);
  EXPECT_EQ(read_job_history(file, "/jobs/aspect").style_layers, result.history.style_layers);
  EXPECT_EQ(file.attribute_string("/", "normalization"), "paper-per-position");
  EXPECT_EQ(file.attribute_string("/jobs/aspect", "normalization"), "paper-per-position");
  EXPECT_EQ(engine_->run(job).history.style_layers, result.history.style_layers);
}

TEST_F(StyleNormalizationTest, StyleScalesHalfAndDoubleAreComparedPerPosition) {
  for (const double scale : {0.5, 2.0}) {
    StyleJob job = first_evaluation_job({same_shape_style_});
    job.size = 64;  // relu5_1 needs 16 px: the half-size style is 32x21
    job.style_scale = scale;  // 32x21 and 128x85 against 64x43
    expect_per_position(job, engine_->run(job).history.style_layers.front(), true);
  }
}

TEST_F(StyleNormalizationTest, BlendedStylesOfDifferentSizesAreEachComparedPerPosition) {
  StyleJob job = first_evaluation_job({square_style_, tall_style_, same_shape_style_});
  job.style_blend = {0.5, 0.3, 0.2};  // 48x48, 29x48 and 48x32 against 32x21
  job.style_scale = 1.5;
  expect_per_position(job, engine_->run(job).history.style_layers.front(), true);
}

TEST_F(StyleNormalizationTest, EqualSizesKeepThePapersValues) {
  const StyleJob job = first_evaluation_job({same_shape_style_});  // 32x21 and 32x21
  expect_per_position(job, engine_->run(job).history.style_layers.front(), false);
}

TEST_F(StyleNormalizationTest, CoarseStagesCompareTheirOwnSizesPerPosition) {
  StyleJob job = first_evaluation_job({square_style_});
  job.style_layers = {"relu1_1", "relu2_1", "relu3_1"};  // a 16 px stage reaches relu3_1
  job.scales = {16};
  job.scale_iterations = 1;
  const JobResult result = engine_->run(job);
  ASSERT_EQ(result.history.stage_starts, (std::vector<int>{0, 1}));
  StyleJob coarse = job;  // the first stage: the content at 16 px against the style at 16 px
  coarse.size = 16;
  coarse.scales.clear();
  expect_per_position(coarse, result.history.style_layers.front(), true);
}

TEST_F(StyleNormalizationTest, TheBatchPathComparesPerPosition) {
  std::vector<StyleJob> jobs(2, first_evaluation_job({square_style_}));
  for (StyleJob& job : jobs) job.optimizer = Optimizer::kAdam;
  jobs[1].ratio = 1e-1;
  jobs[1].seed = 3;
  const auto outcomes = engine_->run_batch(jobs);
  for (std::size_t b = 0; b < jobs.size(); ++b) {
    ASSERT_EQ(outcomes[b].error, "") << b;
    expect_per_position(jobs[b], outcomes[b].result.history.style_layers.front(), true);
  }
}

TEST_F(StyleNormalizationTest, LayerPositionsAreTheNetworksOwn) {
  Vgg19 vgg(read_weights(weights_), Pooling::kMax, "relu5_1");
  torch::NoGradGuard no_grad;
  const auto names = std::vector<std::string>{"relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"};
  for (const auto& [width, height] : {std::pair{45, 37}, std::pair{33, 16}, std::pair{64, 21}}) {
    for (const auto& [layer, activation] : vgg->forward(torch::rand({1, 3, height, width}) * 255, names)) {
      EXPECT_EQ(layer_positions(width, height, layer), activation.size(2) * activation.size(3))
          << layer << " at " << width << "x" << height;
    }
  }
}

TEST_F(StyleNormalizationTest, ACheckpointOfTheEarlierNormalizationIsRefused) {
  StyleJob job = first_evaluation_job({square_style_});
  job.iterations = 4;
  job.checkpoint_every = 2;
  job.checkpoint_path = dir_->file("earlier.ckpt");
  std::string key = canonical_job_text(job, engine_->weights_sha256());
  const std::string current = "\nnormalization=paper-per-position\n";
  ASSERT_NE(key.find(current), std::string::npos);
  key.replace(key.find(current), current.size(), "\nnormalization=paper\n");
  LossHistory history;
  save_checkpoint(job, key, {torch::zeros({1, 3, 21, 32}), history, nullptr, nullptr});
  try {
    engine_->run(job);
    FAIL() << "the earlier normalization's checkpoint was continued";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              job.checkpoint_path +
                  ": checkpoint of this job under the 'paper' style normalization of earlier "
                  "versions; this version computes 'paper-per-position' (Grams per position), so "
                  "its history cannot be continued: delete it to start the job over");
  }
  EXPECT_TRUE(std::filesystem::exists(job.checkpoint_path));  // refused, not overwritten
  std::filesystem::remove(job.checkpoint_path);
  EXPECT_EQ(engine_->run(job).history.size(), 4u);
}

}  // namespace
}  // namespace stylesweep
