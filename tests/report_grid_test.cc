// The report's grid layout (report/grid.h) on sweeps held in memory: which parameters become rows
// and columns, the order of their values, one page per further parameter, and the geometry of a
// rendered page with its failed and missing cells marked.
#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "h5/h5_file.h"
#include "report/grid.h"
#include "report/sweep_results.h"
#include "test_support.h"
#include "report/text_renderer.h"
#include "report/tradeoff.h"

namespace stylesweep {
namespace {

JobRecord job(const std::string& id, std::map<std::string, std::string> parameters,
              const std::string& status = "failed") {
  JobRecord record;
  record.id = id;
  record.label = id;
  record.status = parse_choice<JobStatus>(status).value();
  record.parameters = std::move(parameters);
  return record;
}

// The paper's Fig. 3 shape: style layer sets x ratios, and two seeds.
SweepResults fig3_like() {
  SweepResults results;
  results.name = "fig3";
  results.varying_keys = {"style_layers", "ratio", "seed"};
  int id = 0;
  for (const char* layers : {"relu1_1+relu2_1", "relu1_1", "relu1_1+relu2_1+relu3_1"}) {
    for (const char* ratio : {"0.001", "1e-05", "0.0001"}) {
      for (const char* seed : {"0", "1"}) {
        results.jobs.push_back(job("j" + std::to_string(id++), {{"style_layers", layers}, {"ratio", ratio}, {"seed", seed}}));
      }
    }
  }
  return results;
}

TEST(ReportGridTest, RowsAndColumnsDefaultToTheFirstTwoVaryingParameters) {
  const SweepResults results = fig3_like();
  const GridSpec defaults = choose_grid(results, "", "");
  EXPECT_EQ(defaults.rows, "style_layers");
  EXPECT_EQ(defaults.columns, "ratio");
  const GridSpec seeds = choose_grid(results, "seed", "");
  EXPECT_EQ(seeds.rows, "seed");
  EXPECT_EQ(seeds.columns, "style_layers");
  try {
    choose_grid(results, "size", "");
    FAIL() << "a parameter that does not vary was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              "'size' is not a varying parameter of this sweep (varying: style_layers, ratio, seed)");
  }
}

TEST(ReportGridTest, NumbersSortByValueAndLayerSetsByLength) {
  const SweepResults results = fig3_like();
  EXPECT_EQ(ordered_values(results, "ratio"), (std::vector<std::string>{"1e-05", "0.0001", "0.001"}));
  EXPECT_EQ(ordered_values(results, "style_layers"),
            (std::vector<std::string>{"relu1_1", "relu1_1+relu2_1", "relu1_1+relu2_1+relu3_1"}));
}

TEST(ReportGridTest, EachFurtherParameterValueGetsAPageOfItsOwn) {
  const SweepResults results = fig3_like();
  const auto pages = grid_pages(results, choose_grid(results, "", ""));
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[0].file_name, "grid-0.png");
  EXPECT_EQ(pages[0].title, "seed=0");
  EXPECT_EQ(pages[1].file_name, "grid-1.png");
  for (const auto& page : pages) EXPECT_EQ(page.jobs.size(), 9u);
  // Pages come in the order of their values: 1e-05 before 0.0001 and 0.001.
  const auto by_ratio = grid_pages(results, {"style_layers", "seed"});
  ASSERT_EQ(by_ratio.size(), 3u);
  EXPECT_EQ(by_ratio[0].file_name, "grid-1e-05.png");
  EXPECT_EQ(by_ratio[1].file_name, "grid-0.0001.png");
  EXPECT_EQ(by_ratio[2].file_name, "grid-0.001.png");
}

TEST(ReportGridTest, ValuesThatAreNotNumbersComeInTheOrderTheConfigListsThem) {
  SweepResults results;
  results.varying_keys = {"style_loss", "style", "style_layers"};
  results.config_values = listed_axis_values(
      "grid:\n  style_loss: [wasserstein, gram, mrf]\n  style_layers: [[relu3_1], [relu1_1, relu2_1]]\n"
      "zip:\n  style: [starry, brick]\n  ratio: {logspace: [-5, -2, 4]}\n");
  EXPECT_EQ(results.config_values.count("ratio"), 0u);  // a generator's values are numbers
  int id = 0;
  for (const char* loss : {"gram", "mrf", "wasserstein"}) {
    for (const char* style : {"brick", "starry"}) {
      for (const char* layers : {"relu1_1+relu2_1", "relu3_1"}) {
        results.jobs.push_back(job("j" + std::to_string(id++), {{"style_loss", loss}, {"style", style}, {"style_layers", layers}}));
      }
    }
  }
  EXPECT_EQ(ordered_values(results, "style_loss"), (std::vector<std::string>{"wasserstein", "gram", "mrf"}));
  EXPECT_EQ(ordered_values(results, "style_layers"), (std::vector<std::string>{"relu3_1", "relu1_1+relu2_1"}));
  const auto pages = grid_pages(results, {"style_loss", "style_layers"});
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[0].title, "style=starry");
  EXPECT_EQ(pages[1].title, "style=brick");
}

TEST(ReportGridTest, APageHasACellPerRowAndColumnAndMarksTheEmptyOnes) {
  SweepResults results = fig3_like();
  results.jobs.erase(results.jobs.begin());  // relu1_1+relu2_1 at 0.001, seed 0: missing
  const GridSpec spec = choose_grid(results, "", "");
  const auto pages = grid_pages(results, spec);
  const TextRenderer text;
  GridGeometry geometry;
  const Image page = render_grid(results, spec, pages.front(), text, &geometry);
  EXPECT_EQ(geometry.rows, 3);
  EXPECT_EQ(geometry.columns, 3);
  EXPECT_EQ(geometry.cell_width, 96);  // no finished image: the smallest cell
  EXPECT_EQ(page.width, geometry.label_width + 3 * (geometry.cell_width + kGridGap) + kGridGap);
  EXPECT_EQ(page.height, kGridTitleHeight + geometry.header_height + 3 * (geometry.cell_height + kGridGap) + kGridGap);
  // Failed and missing cells are shaded grey (225), away from their label in the middle.
  auto shade_at = [&](int row, int column) {
    const int x = geometry.label_width + column * (geometry.cell_width + kGridGap) + 3;
    const int y = kGridTitleHeight + geometry.header_height + row * (geometry.cell_height + kGridGap) + 3;
    return page.at(y, x, 0);
  };
  EXPECT_EQ(shade_at(0, 0), 225.f);  // relu1_1 at 1e-05: failed
  EXPECT_EQ(shade_at(1, 2), 225.f);  // the missing job's cell
  EXPECT_EQ(page.at(kGridTitleHeight + geometry.header_height - 1, 2, 0), 255.f);  // margin stays white
}

// A results.h5 index of two jobs whose ratios agree to six digits.
TEST(ReportGridTest, ValuesThatAgreeToSixDigitsStayTwoColumns) {
  testing::TempDir dir;
  {
    h5::File file = h5::File::create(dir.file("results.h5"));
    file.write_strings("/index/id", {"0000000000000001", "0000000000000002"});
    file.write_strings("/index/label", {"a", "b"});
    file.write_strings("/index/status", {"failed", "failed"});
    file.write_strings("/index/error", {"x", "x"});
    const std::vector<double> zeros = {0, 0}, ratios = {1e-3, 1.0000001e-3};
    for (const char* column : {"loss_total", "loss_content", "loss_style", "wall_seconds", "evaluations"}) {
      file.write_float64(std::string("/index/") + column, {2}, zeros.data());
    }
    file.write_float64("/index/ratio", {2}, ratios.data());
    file.set_attribute("/index", "varying", std::vector<std::string>{"ratio"});
  }
  const SweepResults results = read_sweep_results(dir.file("results.h5"));
  EXPECT_EQ(ordered_values(results, "ratio"), (std::vector<std::string>{"0.001", "0.0010000001"}));
  const GridSpec spec = choose_grid(results, "", "");
  GridGeometry geometry;
  render_grid(results, spec, grid_pages(results, spec).front(), TextRenderer(), &geometry);
  EXPECT_EQ(geometry.rows, 2);  // one cell each, not one overwriting the other
}

}  // namespace
}  // namespace stylesweep

namespace stylesweep {
namespace {

TEST(TradeoffTest, TheParetoFrontKeepsThePointsNoOtherBeatsInBoth) {
  const double nan = std::nan("");
  // (content, style): 0 and 2 and 4 are on the front; 1 is beaten by 0, 3 by 2, 5 has a NaN.
  const std::vector<std::pair<double, double>> points = {{1, 5}, {2, 6}, {3, 2}, {4, 3}, {6, 1}, {nan, 0}};
  EXPECT_EQ(pareto_front(points), (std::vector<std::size_t>{0, 2, 4}));
  EXPECT_TRUE(pareto_front({}).empty());
  EXPECT_EQ(pareto_front({{2, 2}, {2, 1}}), (std::vector<std::size_t>{1}));
}

}  // namespace
}  // namespace stylesweep
