#!/usr/bin/env bash
# What `make demo` runs after the build: the bundled sweep configs/demo.yaml (2 contents x 2 styles
# x 2 ratios at 128 px, random offline weights) with one coordinator and two workers, then says
# where the results are. Rerunning it skips the jobs already done.
# Usage: scripts/demo.sh [BUILD_DIR] [OUTPUT_DIR]: BUILD_DIR relative to the project or absolute
# (default build); OUTPUT_DIR instead of results/demo (a copy of the config goes there).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
exe=$(cd "$root" && realpath -m "${1:-build}")/src/stylesweep
config=$root/configs/demo.yaml
output=$root/results/demo
if [[ -n "${2:-}" ]]; then
  output=$(realpath -m "$2")
  mkdir -p "$output/config"
  ln -sfn "$root/configs/images" "$output/config/images"  # the config's image paths are relative
  sed "s|^output: .*|output: $output|" "$config" > "$output/config/demo.yaml"
  config=$output/config/demo.yaml
fi
"$root/scripts/mpirun.sh" -np 3 "$exe" run "$config"
"$exe" report "$output"
echo "demo: report in $output/report/report.html, pictures in $output/images,"
echo "      everything in $output/results.h5"
