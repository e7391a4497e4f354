#!/usr/bin/env bash
# Every benchmark, in the order the README's Performance section lists them (about 25 minutes).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
"$root/bench/compare_engine.sh" "$build" 2 20 128 256 512
weights=$(mktemp --suffix=.h5)
trap 'rm -f "$weights"' EXIT
"$root/$build/src/stylesweep" weights random --out "$weights" > /dev/null
"$root/$build/bench/efficiency_bench" "$weights" \
  "$root/configs/images/chelsea.png" "$root/configs/images/hubble_deep_field.jpg" 2 20 128 256 512
"$root/bench/compare_sweep.sh" "$build" 50
"$root/bench/coordinator_bench.sh" "$build" 1000
"$root/bench/plan_bench.sh" "$build"
"$root/bench/memory_check.sh" "$build" 64 128 256
