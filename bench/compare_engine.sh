#!/usr/bin/env bash
# Engine vs PyTorch: seconds per loss evaluation at each size, for L-BFGS and Adam, both run here,
# in this run, with the same weights, images and thread count. Prints a table with the ratio
# stylesweep / PyTorch (goal: <= 1.0).
# Usage: bench/compare_engine.sh [BUILD_DIR] [THREADS] [EVALUATIONS] [SIZES...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
threads=${2:-2}
evaluations=${3:-20}
shift $(( $# < 3 ? $# : 3 ))
sizes=("${@:-128 256}")
sizes=(${sizes[@]})
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
weights="$work/weights.h5"
"$root/$build/src/stylesweep" weights random --seed 0 --out "$weights" >/dev/null
content="$root/configs/images/chelsea.png"
style="$root/configs/images/hubble_deep_field.jpg"
# Alternate the two programs so drift on a shared machine hits both alike.
for size in "${sizes[@]}"; do
  "$root/$build/bench/engine_bench" "$weights" "$content" "$style" "$threads" "$evaluations" "$size" >>"$work/results"
  /usr/bin/python3 "$root/bench/pytorch_engine.py" "$weights" "$content" "$style" "$threads" "$evaluations" "$size" >>"$work/results"
done
echo "engine vs PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), $threads threads, $evaluations evaluations, seconds per evaluation"
awk '
  { key = $2 " " $3; value[$1, key] = $4; if (!(key in seen)) { seen[key] = 1; order[++n] = key } }
  END {
    printf "%-10s %6s %12s %12s %8s\n", "optimizer", "size", "stylesweep", "pytorch", "ratio"
    for (i = 1; i <= n; ++i) {
      split(order[i], parts, " ")
      s = value["stylesweep", order[i]]; p = value["pytorch", order[i]]
      printf "%-10s %6s %12.4f %12.4f %8.2f\n", parts[1], parts[2], s, p, s / p
    }
  }' "$work/results"
