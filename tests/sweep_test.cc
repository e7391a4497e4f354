#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "common/error.h"
#include "common/sha256.h"
#include "common/text.h"
#include "job/job_fields.h"
#include "job/memory_estimate.h"
#include "sweep/config.h"
#include "sweep/config_error.h"
#include "sweep/expand.h"
#include "sweep/parameters.h"
#include "test_support.h"
#include "vgg/random_weights.h"

namespace stylesweep {
namespace {

using testing::TempDir;

// A directory with two content and two style images and a weights file, for configs to use.
class SweepTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    testing::write_pattern_png(*dir_, "a.png", 48, 32, 0);
    testing::write_pattern_png(*dir_, "b.png", 32, 48, 1);
    testing::write_pattern_png(*dir_, "s1.png", 40, 40, 2);
    testing::write_pattern_png(*dir_, "s2.png", 40, 40, 3);
    testing::write_text_file(dir_->file("weights.h5"), "stand-in weights: only hashed here");
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::string config_path() { return dir_->file("sweep.yaml"); }

  static SweepConfig parse(const std::string& body) {
    return parse_sweep_config(kImages + body, config_path());
  }

  // The error message for a config body, or "" when it loads and expands.
  static std::string error_of(const std::string& body, std::uint64_t max_jobs = kDefaultMaxJobs) {
    try {
      expand_sweep(parse(body), every_weights_name_as(dir_->file("weights.h5")), max_jobs);
    } catch (const Error& error) {
      return error.what();
    }
    return "";
  }

  static inline const std::string kImages =
      "images:\n"
      "  content: {a: a.png, b: b.png}\n"
      "  style: {s1: s1.png, s2: s2.png}\n";
  static TempDir* dir_;
};

TempDir* SweepTest::dir_ = nullptr;

TEST_F(SweepTest, WeightsAreAnAxisOfNamedFilesWithTheirHashesInTheIds) {
  testing::write_text_file(dir_->file("w-caffe.h5"), "caffe stand-in");
  testing::write_text_file(dir_->file("w-gatys.h5"), "gatys stand-in");
  const std::string jobs = "defaults: {content: a, style: s1}\n";
  const SweepPlan plan = expand_sweep(parse("weights: {caffe: w-caffe.h5, gatys: w-gatys.h5}\n"
                                            "yardstick_weights: gatys\n" + jobs +
                                            "grid: {weights: [random, caffe, gatys]}\n"),
                                      every_weights_name_as(dir_->file("weights.h5")));
  ASSERT_EQ(plan.jobs.size(), 3u);
  EXPECT_EQ(plan.varying_keys, std::vector<std::string>{"weights"});
  const std::vector<std::string> files = {dir_->file("weights.h5"), dir_->file("w-caffe.h5"), dir_->file("w-gatys.h5")};
  const std::vector<std::string> labels = {"random", "caffe", "gatys"};
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(plan.jobs[k].job.weights, k == 0 ? "random" : files[k]);
    EXPECT_EQ(plan.jobs[k].job.weights_file, files[k]);  // resolved by the planner, names included
    EXPECT_EQ(plan.jobs[k].job.weights_sha256, sha256_file(files[k]));
    EXPECT_EQ(plan.jobs[k].label, labels[k]);
    EXPECT_EQ(plan.jobs[k].varying_values, std::vector<std::string>{labels[k]});
  }
  EXPECT_NE(plan.jobs[0].id, plan.jobs[1].id);
  EXPECT_NE(plan.jobs[1].id, plan.jobs[2].id);
  EXPECT_EQ(plan.yardstick_weights_path, files[2]);
  EXPECT_EQ(plan.yardstick_weights_sha256, sha256_file(files[2]));

  // A job's id depends on its file's content alone, however the file is chosen.
  const SweepPlan single = expand_sweep(parse("weights: w-caffe.h5\n" + jobs), every_weights_name_as(dir_->file("weights.h5")));
  EXPECT_EQ(single.jobs[0].id, plan.jobs[1].id);
  EXPECT_EQ(single.yardstick_weights_path, files[1]);  // the top-level file by default
  const SweepPlan by_path = expand_sweep(parse(jobs + "grid: {weights: [w-gatys.h5, random]}\n"), every_weights_name_as(files[0]));
  EXPECT_EQ(by_path.jobs[0].id, plan.jobs[2].id);
  const SweepPlan plain = expand_sweep(parse(jobs), every_weights_name_as(files[0]));
  EXPECT_EQ(plain.jobs[0].id, plan.jobs[0].id);
  EXPECT_EQ(plain.jobs[0].job.weights, "vgg19");  // the default, resolved like any name
  EXPECT_EQ(plain.yardstick_weights_path, files[0]);

  auto error_has = [](const std::string& body, const std::vector<std::string>& parts) {
    const std::string error = error_of(body);
    for (const auto& part : parts) EXPECT_NE(error.find(part), std::string::npos) << part << " in: " << error;
  };
  error_has("weights: {caffe: w-caffe.h5}\n" + jobs + "grid: {weights: [caffe, cafe]}\n",
            {"grid.weights", "'cafe' is neither", "did you mean 'caffe'"});
  error_has("weights: {random: w-caffe.h5}\n" + jobs, {"weights.random"});
  error_has("weights: {vgg19: w-caffe.h5}\n" + jobs, {"weights.vgg19", "names the pretrained VGG-19 already"});
  error_has("weights: missing.h5\n" + jobs, {"missing.h5: no such weights file"});
  error_has("yardstick_weights: nope\n" + jobs, {"yardstick_weights", "no such weights file"});
  error_has("weights: [a, b]\n" + jobs, {"a mapping of names to weights files"});
}

TEST_F(SweepTest, GridIsACartesianProductWithTheFirstAxisSlowest) {
  const SweepPlan plan = expand_sweep(parse("defaults: {size: 32, iterations: 10}\n"
                                            "grid:\n"
                                            "  content: [a, b]\n"
                                            "  style: [s1]\n"
                                            "  ratio: {logspace: [1e-5, 1e-2, 4]}\n"),
                                      every_weights_name_as(dir_->file("weights.h5")));
  ASSERT_EQ(plan.jobs.size(), 8u);
  EXPECT_EQ(plan.varying_keys, (std::vector<std::string>{"content", "ratio"}));
  EXPECT_EQ(plan.jobs[0].label, "a-r1e-05");
  EXPECT_EQ(plan.jobs[1].label, "a-r1e-04");
  EXPECT_EQ(plan.jobs[4].label, "b-r1e-05");
  EXPECT_EQ(*plan.jobs[1].job.ratio, 1e-4);
  EXPECT_EQ(plan.jobs[7].job.content_name, "b");
  EXPECT_EQ(plan.jobs[7].varying_values, (std::vector<std::string>{"b", "0.01"}));
  EXPECT_EQ(plan.jobs[0].job.size, 32);
  EXPECT_GT(plan.jobs[0].flops, 0);
}

TEST_F(SweepTest, ZipAxesVaryTogetherAndCrossTheGrid) {
  const SweepPlan plan = expand_sweep(parse("defaults: {style: s1}\n"
                                            "grid: {content: [a, b]}\n"
                                            "zip: {size: [32, 64], iterations: [10, 20]}\n"),
                                      every_weights_name_as(dir_->file("weights.h5")));
  ASSERT_EQ(plan.jobs.size(), 4u);
  EXPECT_EQ(plan.jobs[0].label, "a-s32-it10");
  EXPECT_EQ(plan.jobs[1].label, "a-s64-it20");
  EXPECT_EQ(plan.jobs[3].job.size, 64);
  EXPECT_EQ(plan.jobs[3].job.iterations, 20);
  // Larger images and more evaluations cost more.
  EXPECT_GT(plan.jobs[1].flops, 4 * plan.jobs[0].flops);
}

TEST_F(SweepTest, CoarseToFineScalesAreAnAxisAndCostTheirStages) {
  const SweepPlan plan = expand_sweep(parse("defaults: {content: a, style: s1, size: 64, scale_iterations: 50}\n"
                                            "grid: {scales: [[], [32]]}\n"),
                                      every_weights_name_as(dir_->file("weights.h5")));
  ASSERT_EQ(plan.jobs.size(), 2u);
  EXPECT_EQ(plan.jobs[0].label, "single");
  EXPECT_EQ(plan.jobs[1].label, "sc32");
  EXPECT_TRUE(plan.jobs[0].job.scales.empty());
  EXPECT_EQ(plan.jobs[1].job.scales, (std::vector<int>{32}));
  EXPECT_EQ(plan.jobs[1].job.scale_iterations, 50);
  EXPECT_NE(plan.jobs[0].id, plan.jobs[1].id);
  // 50 evaluations at a quarter of the pixels: about 12 of the 500 evaluations at 64 px more.
  EXPECT_GT(plan.jobs[1].flops, 1.015 * plan.jobs[0].flops);
  EXPECT_LT(plan.jobs[1].flops, 1.04 * plan.jobs[0].flops);
}

TEST_F(SweepTest, PrecisionAndDeterminismAreAxesAbsentFromTheIdsAtTheirDefaults) {
  const SweepPlan plan = expand_sweep(parse("defaults: {content: a, style: s1, size: 32}\n"
                                            "grid: {precision: [fp32, tf32, bf16], deterministic: [false, true]}\n"),
                                      every_weights_name_as(dir_->file("weights.h5")));
  ASSERT_EQ(plan.jobs.size(), 6u);
  EXPECT_EQ(plan.jobs[0].label, "fp32-nodet");
  EXPECT_EQ(plan.jobs[5].label, "bf16-det");
  EXPECT_EQ(plan.jobs[5].job.precision, Precision::kBf16);
  EXPECT_TRUE(plan.jobs[5].job.deterministic);
  std::set<std::string> ids;
  for (const auto& job : plan.jobs) ids.insert(job.id);
  EXPECT_EQ(ids.size(), 6u);
  const SweepPlan plain = expand_sweep(parse("defaults: {content: a, style: s1, size: 32}\n"), every_weights_name_as(dir_->file("weights.h5")));
  EXPECT_EQ(plain.jobs[0].id, plan.jobs[0].id);
  const std::string text = canonical_job_text(plan.jobs[5].job, "w", [](const std::string&) { return "h"; });
  EXPECT_NE(text.find("\nprecision=bf16\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndeterministic=true\n"), std::string::npos) << text;
  EXPECT_EQ(canonical_job_text(plain.jobs[0].job, "w", [](const std::string&) { return "h"; }).find("precision"),
            std::string::npos);
}

TEST_F(SweepTest, LayerSetsRepeatsAndSeveralStyles) {
  const SweepPlan plan = expand_sweep(
      parse("defaults: {content: a, style: [s1, s2], blend: [3, 1]}\n"
            "grid:\n"
            "  style_layers: [[relu1_1], [relu1_1, relu2_1]]\n"
            "  seed: {repeat: 2}\n"),
      every_weights_name_as(dir_->file("weights.h5")));
  ASSERT_EQ(plan.jobs.size(), 4u);
  EXPECT_EQ(plan.jobs[3].label, "relu1_1+relu2_1-seed1");
  EXPECT_EQ(plan.jobs[3].job.styles.size(), 2u);
  EXPECT_EQ(plan.jobs[3].job.style_name, "s1+s2");
  EXPECT_EQ(plan.jobs[3].job.normalized_blend(), (std::vector<double>{0.75, 0.25}));
}

TEST_F(SweepTest, IdsAreContentAddressedAndIndependentOfTheConfigAroundThem) {
  const std::string body = "defaults: {content: a, style: s1, size: 32}\ngrid: {ratio: [1e-3, 1e-4]}\n";
  const SweepPlan first = expand_sweep(parse(body), every_weights_name_as(dir_->file("weights.h5")));
  const SweepPlan again = expand_sweep(parse(body), every_weights_name_as(dir_->file("weights.h5")));
  EXPECT_EQ(first.jobs[0].id, again.jobs[0].id);
  // The same job inside a bigger sweep keeps its id.
  const SweepPlan bigger = expand_sweep(
      parse("defaults: {content: a, style: s1, size: 32}\ngrid: {ratio: [1e-2, 1e-3, 1e-4]}\n"),
      every_weights_name_as(dir_->file("weights.h5")));
  EXPECT_EQ(bigger.jobs[1].id, first.jobs[0].id);
  EXPECT_EQ(bigger.jobs[2].id, first.jobs[1].id);
  EXPECT_NE(first.jobs[0].id, first.jobs[1].id);
}

// docs/config.md's table of job parameters is the table of job/job_fields.h, row for row, and
// the documented defaults of the numeric, keyword and boolean parameters are StyleJob's.
TEST(ConfigDocsTest, TheParameterTableIsTheJobFieldTable) {
  std::ifstream docs(std::string(STYLESWEEP_SOURCE_DIR) + "/docs/config.md");
  ASSERT_TRUE(docs.good());
  std::string documented;
  bool in_section = false;
  for (std::string line; std::getline(docs, line);) {
    if (line == "## Job parameters") in_section = true;
    else if (in_section && line.rfind("## ", 0) == 0) break;
    if (in_section && line.rfind("| `", 0) == 0) documented += line + "\n";
  }
  std::string expected;
  std::map<std::string, std::string> defaults;
  for (const JobField& field : job_fields()) {
    expected += fmt::format("| `{}` | {} | {} | {} |\n", field.name, field.type_doc, field.default_doc, field.meaning);
    defaults[field.name] = field.default_doc;
  }
  EXPECT_EQ(documented, expected);
  EXPECT_EQ(job_parameter_names().size(), job_fields().size());
  const StyleJob job;
  const std::map<std::string, double> numeric = {
      {"lr", job.lr},           {"iterations", double(job.iterations)}, {"size", double(job.size)},
      {"seed", double(job.seed)}, {"tv_weight", job.tv_weight},           {"style_scale", job.style_scale},
      {"scale_iterations", double(job.scale_iterations)}, {"beta", job.beta}};
  for (const auto& [parameter, value] : numeric) EXPECT_EQ(defaults[parameter], value_text(value)) << parameter;
  EXPECT_EQ(std::stod(defaults["alpha"]), job.alpha);
  EXPECT_EQ(defaults["optimizer"], "`" + to_text(job.optimizer) + "`");
  EXPECT_EQ(defaults["pooling"], "`" + to_text(job.pooling) + "`");
  EXPECT_EQ(defaults["init"], "`" + to_text(job.init) + "`");
  EXPECT_EQ(defaults["preserve_colors"], job.preserve_colors ? "true" : "false");
}

TEST_F(SweepTest, IdsArePinnedForTheBundledImagesAndRandomWeights) {
  // Bundled images and the seed-0 random weights are byte-identical everywhere, so these ids
  // must never change unless the canonical job text does (a results-format change).
  TempDir dir;
  const std::string root = STYLESWEEP_SOURCE_DIR;
  testing::write_text_file(
      dir.file("pinned.yaml"),
      "images:\n"
      "  content: {chelsea: " + root + "/configs/images/chelsea.png}\n"
      "  style: {hubble: " + root + "/configs/images/hubble_deep_field.jpg}\n"
      "defaults: {size: 64, iterations: 20}\n"
      "grid: {ratio: [1e-3, 1e-4], optimizer: [lbfgs, adam]}\n");
  write_weights(dir.file("w.h5"), random_weights(0));
  const SweepPlan plan = expand_sweep(load_sweep_config(dir.file("pinned.yaml")), every_weights_name_as(dir.file("w.h5")));
  ASSERT_EQ(plan.jobs.size(), 4u);
  EXPECT_EQ(plan.jobs[0].id, PINNED_ID_0);
  EXPECT_EQ(plan.jobs[1].id, PINNED_ID_1);
  EXPECT_EQ(plan.jobs[3].id, PINNED_ID_3);
  // The ids of the same jobs under the paper's unequal-size normalization, before per-position
  // Grams: every id changed with it, so no job of the one is taken for a job of the other.
  for (const auto& earlier : {EARLIER_ID_0, EARLIER_ID_1, EARLIER_ID_3}) {
    for (const auto& job : plan.jobs) EXPECT_NE(job.id, earlier);
  }
  for (const auto& job : plan.jobs) {
    std::string text = canonical_job_text(job.job, sha256_file(dir.file("w.h5")));
    const std::string line = "\nnormalization=paper-per-position\n";
    ASSERT_NE(text.find(line), std::string::npos);
    EXPECT_EQ(sha256_hex(text).substr(0, 16), job.id);
    text.replace(text.find(line), line.size(), "\nnormalization=paper\n");
    EXPECT_NE(sha256_hex(text).substr(0, 16), job.id);
  }
}

TEST_F(SweepTest, ALogspaceTimesARepeatExpandsToOneHundredThousandDistinctJobs) {
  // How fast such plans are is bench/plan_bench.sh's business; this checks what they hold.
  const SweepPlan plan = expand_sweep(parse("defaults: {content: a, style: s1}\n"
                                            "grid: {ratio: {logspace: [1e-6, 1, 1000]}, seed: {repeat: 100}}\n"),
                                      every_weights_name_as(dir_->file("weights.h5")));
  ASSERT_EQ(plan.jobs.size(), 100000u);
  EXPECT_EQ(plan.jobs.front().job.ratio, 1e-6);
  EXPECT_DOUBLE_EQ(*plan.jobs.back().job.ratio, 1.0);
  EXPECT_EQ(plan.jobs.back().job.seed, 99u);
  std::set<std::string> ids;
  for (const auto& job : plan.jobs) ids.insert(job.id);
  EXPECT_EQ(ids.size(), plan.jobs.size());
}

struct BadConfig {
  std::string body;
  std::string message;  // after "<config path>"
};

TEST_F(SweepTest, BadConfigsGiveExactMessages) {
  const std::vector<BadConfig> cases = {
      {"grid: {ratio: [1e-3}\n", ":4:20: yaml: syntax error: illegal flow end"},
      {"gird: {ratio: [1e-3]}\n", ":4:1: gird: unknown key (did you mean 'grid'?)"},
      {"grid: {ratoi: [1e-3]}\n",
       ":4:8: grid.ratoi: unknown job parameter (did you mean 'ratio'?)"},
      {"grid: {size: [32, big]}\n", ":4:19: grid.size: expected a number, got 'big'"},
      {"grid: {ratio: []}\n", ":4:15: grid.ratio: empty axis: give at least one value"},
      {"grid: {ratio: [1e-3, -1]}\n", ":4:22: grid.ratio: must be a finite number > 0, got -1"},
      {"grid: {ratio: [.nan]}\n", ":4:16: grid.ratio: must be a finite number > 0, got nan"},
      {"grid: {size: [0]}\n", ":4:15: grid.size: must be 8 to 8192 pixels, got 0"},
      {"grid: {iterations: [-5]}\n", ":4:21: grid.iterations: must be >= 1, got -5"},
      {"grid: {style_layers: [[relu1_1, relu9_1]]}\n",
       ":4:23: grid.style_layers: unknown VGG-19 layer 'relu9_1' (did you mean 'relu1_1'?)"},
      {"grid: {content: [a, c]}\n",
       ":4:21: grid.content: unknown content image 'c' (did you mean 'a'?); declare it under images.content"},
      {"zip: {size: [32, 64], iterations: [1, 2, 3]}\n",
       ":4:6: zip: axes must have equal lengths: size has 2 values, iterations has 3"},
      {"defaults: {optimizer: sgd}\n",
       ":4:23: defaults.optimizer: must be 'lbfgs' or 'adam', got 'sgd'"},
      {"defaults: {precision: fp16}\n",
       ":4:23: defaults.precision: must be 'fp32', 'tf32' or 'bf16', got 'fp16'"},
      {"defaults: {preserve_colors: maybe}\n",
       ":4:29: defaults.preserve_colors: expected true or false, got 'maybe'"},
      {"grid: {ratio: {logspace: [1e-5, 1e-2]}}\n",
       ":4:26: grid.ratio.logspace: expected [first, last, count]"},
      {"grid: {ratio: {geomspace: [1, 2, 3]}}\n",
       ":4:16: grid.ratio: unknown generator 'geomspace' (expected logspace, linspace, range or repeat)"},
      {"grid: {style: [s1]}\nzip: {style: [s2]}\n",
       ":5:14: zip.style: also a grid axis; an axis belongs to grid or zip, not both"},
      {"grid: {ratio: [1e-3]}\ngrid: {ratio: [1e-4]}\n", ":5:1: grid: duplicate key"},
      {"grid: {ratio: [1e-3]}\n", ": content: several content images are declared and none is chosen; set defaults.content or a grid axis"},
      {"defaults: {content: a, style: s1, style_layers: [relu1_1], style_layer_weights: [1, 2]}\n",
       ": job 1: style_layer_weights: 2 weights given for 1 style layers"},
      {"grid: {ratio: {logspace: [1e-6, 1, 1000000]}, seed: {repeat: 1000000}}\n",
       ": grid: the sweep expands to 1000000000000 jobs, more than --max-jobs 100000"},
      {"defaults: {content: a, style: s1, size: 8}\n",
       ": job 1 (a-s1): size: the content image at 8x5 px is too small for layer relu5_1, which "
       "needs at least 16 px on the short side"},
      {"defaults: {content: a, style: s1}\ngrid: {seed: [1, 2, 1]}\n",
       ": job 3: repeats job 1 (same images and parameters, id "},
      {"defaults: {content: a, style: s1, size: 64}\ngrid: {scales: [[32, 16]]}\n",
       ":5:17: grid.scales: must be ascending, got 16 after 32"},
      {"defaults: {content: a, style: s1, size: 64, scales: [64]}\n",
       ": job 1: scales: each must be below size (64), got 64"},
      {"defaults: {content: a, style: s1, size: 64, scales: [8]}\n",
       ": job 1 (a-s1): size: the content (first of scales, 8 px) image at 8x5 px is too small"},
      // Regressions from config_fuzz: non-scalar keys reached yaml-cpp's conversions unchecked.
      {"grid: {seed: {[a, 1]: 1}}\n",
       ":4:15: grid.seed: expected a generator name (logspace, linspace, range or repeat)"},
      {"[a]: 1\n", ":4:1: config: keys must be plain names, not lists or mappings"},
      {"name: ../up\n", ":4:7: name: sweep names use letters, digits, '_', '-' and '.' (not "
                        "first), at most 64 characters; got '../up'"},
  };
  for (const BadConfig& bad : cases) {
    const std::string error = error_of(bad.body);
    EXPECT_EQ(error.substr(0, (config_path() + bad.message).size()), config_path() + bad.message)
        << bad.body;
  }
}

TEST_F(SweepTest, BadImageSectionsNameTheImage) {
  const std::string missing =
      "images:\n  content: {a: a.png, gone: nowhere.png}\n  style: {s1: s1.png}\n";
  try {
    parse_sweep_config(missing, config_path());
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()), config_path() + ":2:29: images.content.gone: " +
                                             dir_->file("nowhere.png") + ": no such file");
  }
  const std::string duplicate = "images:\n  content: {a: a.png, a: b.png}\n  style: {s1: s1.png}\n";
  try {
    parse_sweep_config(duplicate, config_path());
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()), config_path() + ":2:23: images.content.a: duplicate key");
  }
  const std::string hostile = "images:\n  content: {../x: a.png}\n  style: {s1: s1.png}\n";
  try {
    parse_sweep_config(hostile, config_path());
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("images.content.../x: image names use letters"),
              std::string::npos) << error.what();
  }
}

TEST_F(SweepTest, UnnamedSweepsTakeASafeNameFromTheFile) {
  EXPECT_EQ(parse_sweep_config(kImages, dir_->file("my sweep;1.yaml")).name, "my_sweep_1");
}

TEST_F(SweepTest, PlansCarryEachJobsMemoryEstimate) {
  const SweepPlan plan = expand_sweep(parse("defaults: {content: a, style: s1}\n"
                                            "grid: {size: [32, 64]}\n"),
                                      every_weights_name_as(dir_->file("weights.h5")));
  ASSERT_EQ(plan.jobs.size(), 2u);
  EXPECT_GT(plan.jobs[1].memory_bytes, plan.jobs[0].memory_bytes);
  EXPECT_EQ(plan.peak_memory_bytes, plan.jobs[1].memory_bytes);
}

TEST(SafeLabelTest, KeepsFileNameSafeCharactersOnly) {
  EXPECT_EQ(safe_label("a/b c..d"), "a_b_c..d");
  EXPECT_EQ(safe_label(".hidden"), "_.hidden");
  EXPECT_EQ(safe_label(std::string(300, 'x')).size(), 150u);
}

}  // namespace
}  // namespace stylesweep
