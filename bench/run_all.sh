#!/usr/bin/env bash
# Every benchmark, in the order the README's Performance section lists them (about 90 minutes on
# two cores; bench/gpu.sh, for GPU machines, is separate).
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
"$root/bench/coordinator_bench.sh" "$build" 2000
JOURNAL_WRITERS=4 "$root/bench/coordinator_bench.sh" "$build" 2000
"$root/$build/bench/store_bench" 2000 8 2
"$root/$build/bench/store_bench" 2000 8 2 4
"$root/$build/bench/claim_bench" 2000 500
"$root/bench/plan_bench.sh" "$build"
"$root/bench/memory_check.sh" "$build" 64 128 256
"$root/bench/time_to_quality.sh" "$build" 512 500 128,256 100
"$root/bench/demo_balance.sh" "$build"
"$root/bench/history_bench.sh" "$build" 10000 500
"$root/bench/convergence_bench.sh" "$build" 96 300
"$root/bench/convergence_bench.sh" "$build" 96 300 1.0e-2 10
for size_batch in "64 2" "128 4" "256 4" "512 2"; do
  read -r size batch <<< "$size_batch"
  "$root/$build/bench/batch_bench" "$weights" \
    "$root/configs/images/chelsea.png" "$root/configs/images/hubble_deep_field.jpg" 2 10 "$batch" "$size"
done
"$root/bench/style_loss_bench.sh" "$build" 8 256 512
"$root/bench/video_bench.sh" "$build" 32 128 30
"$root/bench/snapshot_bench.sh" "$build" 128 10
