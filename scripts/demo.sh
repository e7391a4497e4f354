#!/usr/bin/env bash
# What `make demo` runs after the build: the bundled sweep configs/demo.yaml (2 contents x 2 styles
# x 2 ratios at 128 px, random offline weights) with one coordinator and two workers, then says
# where the results are. Rerunning it skips the jobs already done.
set -euo pipefail
build_dir=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/mpirun.sh" -np 3 "$root/$build_dir/src/stylesweep" run "$root/configs/demo.yaml"
"$root/$build_dir/src/stylesweep" report "$root/results/demo"
echo "demo: report in $root/results/demo/report/report.html, pictures in $root/results/demo/images,"
echo "      everything in $root/results/demo/results.h5"
