#!/usr/bin/env bash
# How fast `stylesweep plan` expands large sweeps (ratios x seeds), ids, labels, cost and memory
# estimates and the CSV output included: 100,000 and 1,000,000 jobs (goal: 1,000,000 in < 10 s).
# Usage: bench/plan_bench.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache"
exe="$root/$build/src/stylesweep"
for seeds in 100 1000; do
  cat > "$work/plan.yaml" <<YAML
images:
  content: {chelsea: $root/configs/images/chelsea.png}
  style: {hubble: $root/configs/images/hubble_deep_field.jpg}
grid:
  ratio: {logspace: [1.0e-6, 1.0, 1000]}
  seed: {repeat: $seeds}
YAML
  "$exe" plan "$work/plan.yaml" --format csv --max-jobs 1000000 > /dev/null  # default weights once
  start=$(date +%s.%N)
  jobs=$("$exe" plan "$work/plan.yaml" --format csv --max-jobs 1000000 | tail -n +2 | wc -l)
  end=$(date +%s.%N)
  awk -v jobs="$jobs" -v s="$start" -v e="$end" 'BEGIN {
    printf "plan: %d jobs in %.2f s (%.0f jobs/s), process start and weights hashing included\n",
      jobs, e - s, jobs / (e - s) }'
done
