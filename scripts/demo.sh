#!/usr/bin/env bash
# What `make demo` runs after the build: stylizes the bundled content/style pair with the default
# (random, offline) weights and says where the results are.
set -euo pipefail
build_dir=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/results/demo"
mkdir -p "$out"
"$root/$build_dir/src/stylesweep" stylize \
  --content "$root/configs/images/chelsea.png" \
  --style "$root/configs/images/hubble_deep_field.jpg" \
  --size 128 --iterations 200 --ratio 3e-4 --tv 2e-9 \
  --out "$out/chelsea-hubble.png" --history "$out/history.h5" --log-every 50
echo "demo: image in $out/chelsea-hubble.png, loss history in $out/history.h5 (h5ls -r to list it)"
