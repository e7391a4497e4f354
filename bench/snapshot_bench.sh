#!/usr/bin/env bash
# The cost of snapshots: configs/demo.yaml (8 jobs) at SIZE px run three times, alternating, with
# `snapshot_every: EVERY` added to its defaults and without, one process with 2 threads each.
# Prints the median wall seconds of each, their ratio and the size of results.h5.
# Usage: bench/snapshot_bench.sh [BUILD_DIR] [SIZE] [EVERY]   (default: build 128 10)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
size=${2:-128}
every=${3:-10}
exe=$root/$build/src/stylesweep
scratch=$(mktemp -d "${TMPDIR:-/tmp}/snapshot_bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

for variant in none snapshots; do
  sed -e "s#images/#$root/configs/images/#" -e "s#^output: .*#output: $scratch/out#" \
      -e "s#^  size: .*#  size: $size#" "$root/configs/demo.yaml" > "$scratch/$variant.yaml"
done
sed -i "s#^defaults:#defaults:\n  snapshot_every: $every#" "$scratch/snapshots.yaml"
grep -q "snapshot_every: $every" "$scratch/snapshots.yaml"

declare -A walls bytes
for round in 1 2 3; do
  for variant in none snapshots; do
    rm -rf "$scratch/out"
    start=$(date +%s.%N)
    "$exe" run "$scratch/$variant.yaml" --threads 2 > "$scratch/$variant.log" 2>&1
    end=$(date +%s.%N)
    walls[$variant]+="$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }') "
    bytes[$variant]=$(stat -c %s "$scratch/out/results.h5")
  done
done
median() { tr ' ' '\n' <<< "$1" | sed '/^$/d' | sort -n | sed -n 2p; }
none=$(median "${walls[none]}")
snapshots=$(median "${walls[snapshots]}")
echo "snapshot_bench: configs/demo.yaml (8 jobs) at $size px, 2 threads, median of 3 alternating runs"
printf "%-22s %10s %16s\n" variant "wall s" "results.h5 bytes"
printf "%-22s %10s %16s\n" "no snapshots" "$none" "${bytes[none]}"
printf "%-22s %10s %16s\n" "snapshot_every $every" "$snapshots" "${bytes[snapshots]}"
awk -v a="$snapshots" -v b="$none" 'BEGIN { printf "ratio (snapshots / none): %.3f\n", a / b }'
