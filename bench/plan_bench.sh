#!/usr/bin/env bash
# How fast `stylesweep plan` expands a 100,000-job sweep (1,000 ratios x 100 seeds), ids, labels
# and cost estimates included. Prints seconds and jobs per second.
# Usage: bench/plan_bench.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/plan.yaml" <<YAML
images:
  content: {chelsea: $root/configs/images/chelsea.png}
  style: {hubble: $root/configs/images/hubble_deep_field.jpg}
grid:
  ratio: {logspace: [1.0e-6, 1.0, 1000]}
  seed: {repeat: 100}
YAML
"$root/$build/src/stylesweep" plan "$work/plan.yaml" --format csv > /dev/null  # creates the default weights once
start=$(date +%s.%N)
jobs=$("$root/$build/src/stylesweep" plan "$work/plan.yaml" --format csv | tail -n +2 | wc -l)
end=$(date +%s.%N)
awk -v jobs="$jobs" -v s="$start" -v e="$end" 'BEGIN { printf "plan: %d jobs in %.2f s (%.0f jobs/s), weights hashing included\n", jobs, e - s, jobs / (e - s) }'
