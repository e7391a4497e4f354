#!/usr/bin/env bash
# Reports end to end: the paper's Fig. 3 layout (5 style layer sets x 4 ratios) at 32 px gives a
# 5 x 4 grid with labels; a failed row is marked; loss curves exist as PNG and SVG; summary.csv
# parses back; report.html loads every image in headless Chromium and lists every job.
# Usage: report_test.sh PATH_TO_STYLESWEEP PROJECT_ROOT
set -uo pipefail
exe=$1
root=$(cd "$2" && pwd)
source "$root/tests/lib.sh"

# configs/paper_fig3.yaml itself, made small: 32 px, 3 evaluations.
sed -e "s#images/#$root/configs/images/#" -e "s#^output: .*#output: $work/fig3#" \
    -e "s#size: 512#size: 32#" -e "s#iterations: 500#iterations: 3#" \
    "$root/configs/paper_fig3.yaml" > "$work/fig3.yaml"
"$exe" run "$work/fig3.yaml" > "$work/run.log" 2>&1
check "the small Fig. 3 sweep runs" grep -q "^summary: 20 done" "$work/run.log"
"$exe" report "$work/fig3" > "$work/report.log" 2>&1
check "report names its rows and columns" grep -q "1 grid, rows style_layers, columns ratio; summary.csv, loss curves and 1 trade-off plot" "$work/report.log"

"$python" - "$work/fig3/report" <<'PY' || { failed=$((failed + 1)); echo "FAIL: Fig. 3 grid geometry"; }
import json, sys
from PIL import Image
import numpy as np
report = sys.argv[1]
layout = json.load(open(f"{report}/grids.json"))
assert len(layout) == 1 and layout[0]["file"] == "grid.png", layout
g = layout[0]
assert (g["rows"], g["columns"]) == (5, 4), g
image = np.asarray(Image.open(f"{report}/grid.png").convert("RGB")).astype(int)
gap, top = g["gap"], g["title_height"] + g["header_height"]
width = g["label_width"] + g["columns"] * (g["cell_width"] + gap) + gap
height = top + g["rows"] * (g["cell_height"] + gap) + gap
assert image.shape[:2] == (height, width), (image.shape, height, width)
def region(x, y, w, h): return image[y:y + h, x:x + w]
for r in range(5):
    y = top + r * (g["cell_height"] + gap)
    assert (region(0, y, g["label_width"], g["cell_height"]) < 100).any(), f"row {r} has no label"
    for c in range(4):
        x = g["label_width"] + c * (g["cell_width"] + gap)
        cell = region(x, y, g["cell_width"], g["cell_height"])
        assert (np.abs(cell - 255) > 10).mean() > 0.05, f"cell {r},{c} is empty"
for c in range(4):
    x = g["label_width"] + c * (g["cell_width"] + gap)
    assert (region(x, g["title_height"], g["cell_width"], g["header_height"]) < 100).any(), f"column {c} has no label"
# The corner shows the content and the style image.
assert (np.abs(region(gap, g["title_height"], g["label_width"] - gap, g["header_height"] - gap) - 255) > 10).mean() > 0.2
print("5 x 4 grid with labels, content and style in the corner")
PY
passed=$((passed + 1))

for file in grid-losses.png grid-losses.svg grid-style-layers.png grid-style-layers.svg; do
  check "$file written" test -s "$work/fig3/report/$file"
done
check "the SVG is an SVG" grep -q "<svg" "$work/fig3/report/grid-losses.svg"
for file in tradeoff-1.png tradeoff-1.svg; do
  check "$file (Tübingen x Composition VII) written" test -s "$work/fig3/report/$file"
done
check "the trade-off plot has a series per layer set and the front" bash -c "grep -c '^\$' '$work/fig3/report/tradeoff-1.dat' | grep -qx 10"
"$python" - "$work/fig3/report/summary.csv" <<'PY' || { failed=$((failed + 1)); echo "FAIL: summary.csv"; }
import sys, pandas as pd
table = pd.read_csv(sys.argv[1])
assert len(table) == 20, len(table)
assert {"id", "label", "status", "style_layers", "ratio", "loss_total", "evaluations", "wall_seconds", "metric_content",
        "metric_style", "metric_ssim", "metric_color", "termination", "evaluation_within_1pct"} <= set(table.columns)
assert (table["termination"] == "iterations").all() and table["metric_style"].notna().all()
assert (table["status"] == "done").all() and sorted(table["ratio"].unique()) == [1e-5, 1e-4, 1e-3, 1e-2]
print("summary.csv: 20 rows")
PY
passed=$((passed + 1))

# A failed row is marked: Adam at a rate of 1e30 diverges.
cat > "$work/bad.yaml" <<YAML
output: $work/bad
images:
  content: {chelsea: $root/configs/images/chelsea.png}
  style: {hubble: $root/configs/images/hubble_deep_field.jpg}
defaults: {size: 32, iterations: 3, optimizer: adam}
grid: {lr: [2.0, 1.0e+30], ratio: [1.0e-3, 1.0e-4]}
YAML
"$exe" run "$work/bad.yaml" --retries 0 > "$work/bad.log" 2>&1
"$exe" report "$work/bad" > /dev/null 2>&1
"$python" - "$work/bad/report" <<'PY' || { failed=$((failed + 1)); echo "FAIL: failed cells marked"; }
import json, sys
from PIL import Image
import numpy as np
g = json.load(open(f"{sys.argv[1]}/grids.json"))[0]
image = np.asarray(Image.open(f"{sys.argv[1]}/grid.png").convert("RGB")).astype(int)
top = g["title_height"] + g["header_height"]
y = top + 1 * (g["cell_height"] + g["gap"])  # second row: lr 1e30
cell = image[y:y + g["cell_height"], g["label_width"]:g["label_width"] + g["cell_width"]]
assert (cell == 225).mean() > 0.8, "failed cell is not shaded"
assert (cell < 200).any(), "failed cell has no text"
print("failed cells are marked")
PY
passed=$((passed + 1))

# Content and style axes show their input images in the margin, beside the row and column labels.
cat > "$work/inputs.yaml" <<YAML
output: $work/inputs
images:
  content: {chelsea: $root/configs/images/chelsea.png, coffee: $root/configs/images/coffee.png}
  style: {hubble: $root/configs/images/hubble_deep_field.jpg, brick: $root/configs/images/brick.png}
defaults: {size: 32, iterations: 1}
grid: {content: [chelsea, coffee], style: [hubble, brick]}
YAML
"$exe" run "$work/inputs.yaml" > "$work/inputs.log" 2>&1
"$exe" report "$work/inputs" > "$work/inputs-report.log" 2>&1
check "a trade-off plot per content x style pair (no style layer sets varying)" \
  grep -q "loss curves and 4 trade-off plots" "$work/inputs-report.log"
"$python" - "$work/inputs/report" <<'PY' || { failed=$((failed + 1)); echo "FAIL: input images in the margin"; }
import json, sys
from PIL import Image
import numpy as np
g = json.load(open(f"{sys.argv[1]}/grids.json"))[0]
assert (g["rows"], g["columns"]) == (2, 2), g
image = np.asarray(Image.open(f"{sys.argv[1]}/grid.png").convert("RGB")).astype(int)
def drawn(x, y, w, h): return (np.abs(image[y:y + h, x:x + w] - 255) > 10).mean()
gap, top = g["gap"], g["title_height"] + g["header_height"]
for r in range(2):  # below the label (15 px and a gap): the content image
    y = top + r * (g["cell_height"] + gap) + 15 + gap
    assert drawn(gap, y, g["label_width"] - 2 * gap, g["cell_height"] - 15 - gap) > 0.3, f"row {r} has no content image"
for c in range(2):  # above the label: the style image, half a cell high
    side = g["cell_height"] // 2
    x = g["label_width"] + c * (g["cell_width"] + gap) + (g["cell_width"] - side) // 2
    assert drawn(x, g["title_height"], side, side) > 0.5, f"column {c} has no style image"
print("content images beside the rows, style images above the columns")
PY
passed=$((passed + 1))

# report.html in headless Chromium, with no network.
chromium=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$chromium" ]]; then
  failed=$((failed + 1))
  echo "FAIL: chromium is not installed (scripts/install-deps.sh installs it)"
else
  flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
         --disable-component-update --disable-sync --user-data-dir="$work/chromium" --window-size=1400,2400)
  timeout 120 "$chromium" "${flags[@]}" --virtual-time-budget=5000 --dump-dom "file://$work/fig3/report/report.html" \
    > "$work/dom.html" 2>/dev/null
  timeout 120 "$chromium" "${flags[@]}" --screenshot="$work/screenshot.png" "file://$work/fig3/report/report.html" \
    > /dev/null 2>&1
  check "every image of report.html loaded" grep -q 'data-images-loaded="4/4"' "$work/dom.html"
  check "the table has one row per job" grep -q 'data-rows="20"' "$work/dom.html"
  check "the table shows the metrics and termination" bash -c "grep -q '<th>metric_ssim</th>' '$work/dom.html' && grep -q '<th>termination</th>' '$work/dom.html'"
  check "a screenshot was taken" test -s "$work/screenshot.png"
fi

finish report_test
