#!/usr/bin/env bash
# Seconds per evaluation of each style loss against the paper's Gram loss, at each size: one
# `stylize` job per loss and size on the paper's images (Tübingen x Starry Night, random
# weights, all five style layers; mrf on relu3_1 and relu4_1, as Li and Wand use it, since its
# patch matching at relu1_1 grows with the square of the positions), Adam for STEPS steps, so
# each step is one evaluation (forward,
# losses, backward). The time per evaluation is the inverse of the job's progress rate, which
# covers its optimization alone (not the image decoding, targets and yardstick around it).
# Usage: bench/style_loss_bench.sh [BUILD_DIR] [STEPS] [SIZES...]   (default: build 8 256 512)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
steps=${2:-8}
shift $(( $# > 2 ? 2 : $# ))
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(256 512)
exe=$root/$build/src/stylesweep
scratch=$(mktemp -d "${TMPDIR:-/tmp}/style_loss_bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
losses=(gram gram_mse gaussian_w2 sliced_wasserstein mrf)
declare -A layers=([mrf]=relu3_1,relu4_1)

echo "style_loss_bench: $steps Adam steps per job, $(nproc) cores, $("$exe" --version 2>/dev/null | head -1)"
printf "%-20s" "loss"
for size in "${sizes[@]}"; do printf "%14s %8s" "s/eval @$size" "x gram"; done
echo
declare -A seconds
for loss in "${losses[@]}"; do
  for size in "${sizes[@]}"; do
    "$exe" stylize --content "$root/configs/images/tubingen.jpg" --style "$root/configs/images/starry_night.jpg" \
      --out "$scratch/$loss-$size.png" --size "$size" --optimizer adam --iterations "$steps" --style-loss "$loss" \
      ${layers[$loss]:+--style-layers "${layers[$loss]}"} > /dev/null 2> "$scratch/log"
    # The progress line's rate covers the optimization alone ("eval 9/8 ... 2.31 it/s").
    rate=$(grep '^eval' "$scratch/log" | tail -1 | sed -E 's/.* ([0-9.]+) it\/s.*/\1/')
    seconds[$loss-$size]=$(awk -v r="$rate" 'BEGIN { printf "%.4f", 1 / r }')
  done
done
for loss in "${losses[@]}"; do
  printf "%-20s" "$loss"
  for size in "${sizes[@]}"; do
    printf "%14s %8s" "${seconds[$loss-$size]}" \
      "$(awk -v a="${seconds[$loss-$size]}" -v b="${seconds[gram-$size]}" 'BEGIN { printf "%.2f", a / b }')"
  done
  echo
done
