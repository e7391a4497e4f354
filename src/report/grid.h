// The paper's figures as pictures: a montage of a sweep's output images, one row per value of
// one parameter and one column per value of another, with labels, the content and style images in
// the margin (beside their rows or columns, or in the corner when one serves the whole page), and
// failed or missing cells marked. Further varying parameters give one grid each.
#pragma once

#include <string>
#include <vector>

#include "report/sweep_results.h"
#include "report/text_renderer.h"

namespace stylesweep {

struct GridSpec {
  std::string rows, columns;  // varying parameter names ("" when the sweep varies fewer)
};

// Defaults: the first two varying parameters (rows first); checks given names.
GridSpec choose_grid(const SweepResults& results, const std::string& rows, const std::string& columns);

// Values of a parameter in display order: numbers ascending, '+'-joined lists by length, then text.
std::vector<std::string> ordered_values(const SweepResults& results, const std::string& key);

struct GridPage {
  std::string title;                     // "" or "content=chelsea" for a further parameter
  std::string file_name;                 // grid.png or grid-<...>.png
  std::vector<const JobRecord*> jobs;    // the jobs on this page
};

// One page per combination of the varying parameters that are neither rows nor columns.
std::vector<GridPage> grid_pages(const SweepResults& results, const GridSpec& spec);

// Layout constants, in pixels: the space between cells and the height of the title line.
constexpr int kGridGap = 6;
constexpr int kGridTitleHeight = 27;

// Where things are on a grid page (report/grids.json records it for each page):
//   the title line, then a header of height header_height with the column labels at its bottom,
//   then `rows` rows of cells; each row starts with its label (label_width wide) and each cell
//   is cell_width x cell_height with kGridGap between cells.
struct GridGeometry {
  int cell_width = 0, cell_height = 0, label_width = 0, header_height = 0;
  int rows = 0, columns = 0;
};

// Renders one page; `geometry` receives the layout (tests check it).
Image render_grid(const SweepResults& results, const GridSpec& spec, const GridPage& page,
                  const TextRenderer& text, GridGeometry* geometry = nullptr);

}  // namespace stylesweep
