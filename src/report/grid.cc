#include "report/grid.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "common/error.h"
#include "common/text.h"

namespace stylesweep {
namespace {

constexpr int kGap = kGridGap;
constexpr float kLabelHeight = 15;
static_assert(kGridTitleHeight == int(kLabelHeight) + 2 * kGap, "title height");
constexpr int kMinCell = 96;

void fill(Image& image, int x, int y, int width, int height, float gray) {
  for (int row = std::max(0, y); row < std::min(image.height, y + height); ++row) {
    for (int column = std::max(0, x); column < std::min(image.width, x + width); ++column) {
      for (int channel = 0; channel < 3; ++channel) image.at(row, column, channel) = gray;
    }
  }
}

void paste(Image& canvas, const Image& image, int x, int y) {
  for (int row = 0; row < image.height; ++row) {
    for (int column = 0; column < image.width; ++column) {
      const int cx = x + column, cy = y + row;
      if (cx < 0 || cy < 0 || cx >= canvas.width || cy >= canvas.height) continue;
      for (int channel = 0; channel < 3; ++channel) canvas.at(cy, cx, channel) = image.at(row, column, channel);
    }
  }
}

// Fits an image into a cell, keeping its aspect ratio.
Image fit(const Image& image, int width, int height) {
  if (image.width == 0) return image;
  const double scale = std::min(double(width) / image.width, double(height) / image.height);
  return resize(image, std::max(1, int(image.width * scale)), std::max(1, int(image.height * scale)));
}

// The input image a row or column stands for, when it is a content or style axis: the margin
// shows it beside the label, as the paper's figures do.
std::string source_image(const JobRecord& job, const std::string& key) {
  if (key == "content") return job.content_path;
  if (key == "style" && !job.style_paths.empty()) return job.style_paths.front();
  return "";
}

std::string heading(const std::string& key, const std::string& value) {
  if (key == "ratio") return "a/b = " + value;
  if (key.empty()) return "";
  return value;
}

}  // namespace

GridSpec choose_grid(const SweepResults& results, const std::string& rows, const std::string& columns) {
  auto known = [&](const std::string& key) {
    if (!key.empty() && std::find(results.varying_keys.begin(), results.varying_keys.end(), key) ==
                            results.varying_keys.end()) {
      throw Error("'" + key + "' is not a varying parameter of this sweep (varying: " +
                  (results.varying_keys.empty() ? std::string("none") : join(results.varying_keys, ", ")) + ")", ErrorKind::kBadInput);
    }
  };
  known(rows);
  known(columns);
  GridSpec spec{rows, columns};
  for (const auto& key : results.varying_keys) {
    if (spec.rows.empty() && key != spec.columns) spec.rows = key;
    else if (spec.columns.empty() && key != spec.rows) spec.columns = key;
  }
  return spec;
}

std::vector<std::string> ordered_values(const SweepResults& results, const std::string& key) {
  std::set<std::string> unique;
  for (const auto& job : results.jobs) unique.insert(job.parameters.at(key));
  std::vector<std::string> values(unique.begin(), unique.end());
  // Numbers by value; other values in the order the config lists them; the rest (an axis the
  // config does not list, as a sweep's planner-set frames) by layer count, then text.
  const auto listed = results.config_values.find(key);
  const auto position = [&](const std::string& value) {
    if (listed == results.config_values.end()) return std::ptrdiff_t(-1);
    const auto found = std::find(listed->second.begin(), listed->second.end(), value);
    return found == listed->second.end() ? std::ptrdiff_t(-1) : found - listed->second.begin();
  };
  std::stable_sort(values.begin(), values.end(), [&](const std::string& a, const std::string& b) {
    const std::optional<double> x = parse_number(a), y = parse_number(b);
    if (x && y) return *x < *y;
    const std::ptrdiff_t at_a = position(a), at_b = position(b);
    if (at_a >= 0 && at_b >= 0) return at_a < at_b;
    if ((at_a >= 0) != (at_b >= 0)) return at_a >= 0;
    const auto parts_a = std::count(a.begin(), a.end(), '+'), parts_b = std::count(b.begin(), b.end(), '+');
    if (parts_a != parts_b) return parts_a < parts_b;
    return a < b;
  });
  return values;
}

std::vector<GridPage> grid_pages(const SweepResults& results, const GridSpec& spec) {
  // Pages in the order of their values (ordered_values), the first page key slowest.
  std::map<std::string, std::map<std::string, std::size_t>> rank;
  for (const auto& key : results.varying_keys) {
    if (key == spec.rows || key == spec.columns) continue;
    const std::vector<std::string> values = ordered_values(results, key);
    for (std::size_t i = 0; i < values.size(); ++i) rank[key][values[i]] = i;
  }
  std::map<std::vector<std::size_t>, GridPage> pages;
  for (const auto& job : results.jobs) {
    std::vector<std::string> title, file_parts;
    std::vector<std::size_t> order;
    for (const auto& key : results.varying_keys) {
      if (key == spec.rows || key == spec.columns) continue;
      title.push_back(key + "=" + job.parameters.at(key));
      file_parts.push_back(job.parameters.at(key));
      order.push_back(rank[key][job.parameters.at(key)]);
    }
    GridPage& page = pages[order];
    page.title = join(title, ", ");
    page.file_name = title.empty() ? "grid.png" : "grid-" + join(file_parts, "-") + ".png";
    page.jobs.push_back(&job);
  }
  std::vector<GridPage> result;
  for (auto& [order, page] : pages) result.push_back(std::move(page));
  return result;
}

namespace {

// One page being drawn: its values, cells, images and geometry, and the canvas.
struct PageDrawing {
  const SweepResults& results;
  const GridSpec& spec;
  const GridPage& page;
  const TextRenderer& text;
  std::vector<std::string> row_values, column_values;
  std::map<std::pair<std::string, std::string>, const JobRecord*> cells;
  std::map<std::string, Image> images;  // by job id: the finished ones
  std::map<std::string, std::string> row_inputs, column_inputs;  // input image per row/column value
  GridGeometry g;
  Image canvas;

  // Input images are read from the paths results.h5 recorded; a moved file leaves a note.
  void draw_input(const std::string& path, int x, int y, int width, int height) {
    try {
      paste(canvas, fit(read_image(path), width, height), x, y);
    } catch (const Error&) {
      text.draw(canvas, x, y, "(image not found)", 11, 120);
    }
  }
  void lay_out();
  void draw_title_and_corner();
  void draw_column_headers();
  void draw_row(int r);
};

void PageDrawing::lay_out() {
  row_values = spec.rows.empty() ? std::vector<std::string>{""} : ordered_values(results, spec.rows);
  column_values = spec.columns.empty() ? std::vector<std::string>{""} : ordered_values(results, spec.columns);
  for (const JobRecord* job : page.jobs) {
    const std::string row = spec.rows.empty() ? "" : job->parameters.at(spec.rows);
    const std::string column = spec.columns.empty() ? "" : job->parameters.at(spec.columns);
    cells[{row, column}] = job;
    // The first job of each row and column value names its input image (content and style axes).
    if (!spec.rows.empty()) row_inputs.emplace(row, source_image(*job, spec.rows));
    if (!spec.columns.empty()) column_inputs.emplace(column, source_image(*job, spec.columns));
    if (job->status != JobStatus::kDone) continue;
    const Image& image = images[job->id] = read_job_image(results, job->id);
    g.cell_width = std::max(g.cell_width, image.width);
    g.cell_height = std::max(g.cell_height, image.height);
  }
  g.cell_width = std::max(g.cell_width, kMinCell);
  g.cell_height = std::max(g.cell_height, kMinCell);
  g.rows = int(row_values.size());
  g.columns = int(column_values.size());
  g.label_width = g.cell_width;  // the corner holds the content and style images
  for (const auto& value : row_values) {
    g.label_width = std::max(g.label_width, text.width(heading(spec.rows, value), kLabelHeight) + 2 * kGap);
  }
  g.header_height = g.cell_height / 2 + kGridTitleHeight;
  const int width = g.label_width + g.columns * (g.cell_width + kGap) + kGap;
  const int height = kGridTitleHeight + g.header_height + g.rows * (g.cell_height + kGap) + kGap;
  canvas = Image{width, height, std::vector<float>(std::size_t(width) * height * 3, 255.f)};
}

// The title line, then in the corner the content and style images of the page, when they are
// the same for all its jobs.
void PageDrawing::draw_title_and_corner() {
  std::string title = results.name + (page.title.empty() ? "" : " (" + page.title + ")");
  if (!spec.rows.empty()) title += "   rows: " + spec.rows;
  if (!spec.columns.empty()) title += "   columns: " + spec.columns;
  text.draw(canvas, kGap, kGap, title, kLabelHeight);
  const JobRecord* first = page.jobs.front();
  const int thumb = std::min(g.label_width / 2 - kGap, g.header_height - kGap);
  int corner_x = kGap;
  auto thumbnail = [&](const std::string& path) {
    draw_input(path, corner_x, kGridTitleHeight, thumb, thumb);
    corner_x += thumb + kGap;
  };
  const bool one_content = std::all_of(page.jobs.begin(), page.jobs.end(),
                                       [&](const JobRecord* job) { return job->content_path == first->content_path; });
  const bool one_style = std::all_of(page.jobs.begin(), page.jobs.end(),
                                     [&](const JobRecord* job) { return job->style_paths == first->style_paths; });
  if (one_content && !first->content_path.empty()) thumbnail(first->content_path);
  if (one_style && !first->style_paths.empty()) thumbnail(first->style_paths.front());
}

void PageDrawing::draw_column_headers() {
  for (int c = 0; c < g.columns; ++c) {
    const int x = g.label_width + c * (g.cell_width + kGap);
    const std::string label = heading(spec.columns, column_values[std::size_t(c)]);
    const int label_y = kGridTitleHeight + g.header_height - int(kLabelHeight) - kGap;
    text.draw(canvas, x + (g.cell_width - text.width(label, kLabelHeight)) / 2, label_y, label, kLabelHeight);
    const std::string& input = column_inputs[column_values[std::size_t(c)]];
    const int input_height = label_y - kGridTitleHeight - kGap;
    if (!input.empty() && input_height > 0) {
      draw_input(input, x + (g.cell_width - input_height) / 2, kGridTitleHeight, input_height, input_height);
    }
  }
}

// The row's label (with its input image below it, for a content or style axis), then its cells;
// failed and missing cells are shaded and marked.
void PageDrawing::draw_row(int r) {
  const int y = kGridTitleHeight + g.header_height + r * (g.cell_height + kGap);
  const std::string& value = row_values[std::size_t(r)];
  const std::string& input = row_inputs[value];
  if (input.empty()) {
    text.draw(canvas, kGap, y + g.cell_height / 2 - int(kLabelHeight) / 2, heading(spec.rows, value), kLabelHeight);
  } else {
    text.draw(canvas, kGap, y, heading(spec.rows, value), kLabelHeight);
    const int top = y + int(kLabelHeight) + kGap;
    draw_input(input, kGap, top, g.label_width - 2 * kGap, y + g.cell_height - top);
  }
  for (int c = 0; c < g.columns; ++c) {
    const int x = g.label_width + c * (g.cell_width + kGap);
    auto found = cells.find({value, column_values[std::size_t(c)]});
    if (found == cells.end() || found->second->status != JobStatus::kDone) {
      fill(canvas, x, y, g.cell_width, g.cell_height, 225);
      const std::string mark = found == cells.end() ? "missing" : "failed";
      text.draw(canvas, x + (g.cell_width - text.width(mark, kLabelHeight)) / 2,
                y + g.cell_height / 2 - int(kLabelHeight) / 2, mark, kLabelHeight, 160);
      continue;
    }
    const Image& image = images[found->second->id];
    paste(canvas, image, x + (g.cell_width - image.width) / 2, y + (g.cell_height - image.height) / 2);
  }
}

}  // namespace

Image render_grid(const SweepResults& results, const GridSpec& spec, const GridPage& page,
                  const TextRenderer& text, GridGeometry* geometry) {
  PageDrawing drawing{results, spec, page, text, {}, {}, {}, {}, {}, {}, {}, {}};
  drawing.lay_out();
  drawing.draw_title_and_corner();
  drawing.draw_column_headers();
  for (int r = 0; r < drawing.g.rows; ++r) drawing.draw_row(r);
  if (geometry) *geometry = drawing.g;
  return std::move(drawing.canvas);
}

}  // namespace stylesweep
