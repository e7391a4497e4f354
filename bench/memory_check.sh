#!/usr/bin/env bash
# The memory estimate behind --max-memory (job/memory_estimate.h) against the measured peak
# resident size of `stylesweep stylize` (GNU time's %M) on the bundled images. L-BFGS runs 105
# evaluations so its 100-pair history is full; Adam runs a few. Prints both and their ratio; the
# ratio should be near 1 (measured here: 0.97 to 1.21 from 64 to 512 px).
# Usage: bench/memory_check.sh [BUILD_DIR] [SIZES...]   (default sizes: 64 128 256)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
shift || true
sizes=("${@:-64 128 256}")
read -r -a sizes <<< "${sizes[*]}"
exe="$root/$build/src/stylesweep"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
content="$root/configs/images/chelsea.png"
style="$root/configs/images/hubble_deep_field.jpg"
printf '%-6s %-6s %12s %12s %7s\n' size optim measured_MiB estimate_MiB ratio
for size in "${sizes[@]}"; do
  for optimizer in lbfgs adam; do
    iterations=$([[ $optimizer == lbfgs ]] && echo 105 || echo 5)
    cat > "$work/job.yaml" <<YAML
images: {content: {c: $content}, style: {s: $style}}
defaults: {size: $size, optimizer: $optimizer, iterations: $iterations}
YAML
    estimate=$("$exe" plan "$work/job.yaml" --format json | /usr/bin/python3 -c \
      'import json, sys; print(json.load(sys.stdin)["jobs"][0]["memory_bytes"])')
    /usr/bin/time -f '%M' -o "$work/peak" "$exe" stylize --content "$content" --style "$style" \
      --size "$size" --optimizer "$optimizer" --iterations "$iterations" --out "$work/out.png" \
      > /dev/null 2>&1
    measured_kib=$(tail -1 "$work/peak")
    awk -v s="$size" -v o="$optimizer" -v m="$measured_kib" -v e="$estimate" 'BEGIN {
      printf "%-6s %-6s %12.0f %12.0f %7.2f\n", s, o, m / 1024, e / 1048576, e / 1024 / m }'
  done
done
