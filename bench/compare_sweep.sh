#!/usr/bin/env bash
# A whole sweep: `mpirun -np 3 stylesweep run` (one coordinator, two workers of one thread each,
# the network loaded once per worker, targets reused) against a loop that starts one Python
# process per job (bench/pytorch_job.py), the way sweeps are run with the Python ports today,
# one job after another with both cores. Also the rank x thread layout on this machine: one
# process with 2 threads against 2 workers with 1 thread. Same images, sizes, evaluations.
# Sweeps: configs/demo.yaml (8 jobs, 128 px, 100 L-BFGS evaluations) and a paper-style grid
# (2 contents x 3 style-layer sets x 4 ratios = 24 jobs, 128 px, ITERATIONS evaluations).
# Usage: bench/compare_sweep.sh [BUILD_DIR] [ITERATIONS_OF_THE_GRID]   (default 50)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
grid_iterations=${2:-50}
exe="$root/$build/src/stylesweep"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache"
weights=$("$exe" weights random --out "$work/weights.h5" > /dev/null && echo "$work/weights.h5")
images="$root/configs/images"

seconds() { local start=$(date +%s.%N); "$@" > "$work/last.log" 2>&1 || { cat "$work/last.log"; exit 1; }
            awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

# The demo config as it is, but writing here and with the same weights file.
sed -e "s|^output: .*|output: OUT\nweights: $weights|" -e '/^weights: /d' \
    -e "s|images/|$images/|" "$root/configs/demo.yaml" > "$work/demo.template"
cat > "$work/grid.template" <<YAML
weights: $weights
output: OUT
images:
  content: {chelsea: $images/chelsea.png, coffee: $images/coffee.png}
  style: {hubble: $images/hubble_deep_field.jpg}
defaults: {size: 128, optimizer: lbfgs, iterations: $grid_iterations, init: noise, pooling: avg}
grid:
  content: [chelsea, coffee]
  style_layers: [[relu1_1], [relu1_1, relu2_1, relu3_1], [relu1_1, relu2_1, relu3_1, relu4_1, relu5_1]]
  ratio: [1.0e-5, 1.0e-4, 1.0e-3, 1.0e-2]
YAML

# The Python loop: one process per job, jobs from the plan (content path, layers, ratio).
python_loop() {  # CONFIG
  "$exe" plan "$1" --format json > "$work/plan.json"
  /usr/bin/python3 - "$work/plan.json" "$1" > "$work/jobs.txt" <<'PY'
import json, sys, yaml
plan = json.load(open(sys.argv[1]))
config = yaml.safe_load(open(sys.argv[2]))
defaults = config["defaults"]
for job in plan["jobs"]:
    p = {**defaults, **{k: yaml.safe_load(v) for k, v in job["parameters"].items()}}
    content = config["images"]["content"][p.get("content", next(iter(config["images"]["content"])))]
    style = config["images"]["style"][p.get("style", next(iter(config["images"]["style"])))]
    layers = p.get("style_layers", ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"])
    layers = ",".join(layers.split("+") if isinstance(layers, str) else layers)  # plan joins with +
    print(content, style, p["size"], p["iterations"], p.get("ratio", 1e-3), layers, job["label"])
PY
  while read -r content style size iterations ratio layers label; do
    /usr/bin/python3 "$root/bench/pytorch_job.py" "$weights" "$content" "$style" "$size" \
      "$iterations" "$ratio" "$layers" 2 "$work/py-$label.png"
  done < "$work/jobs.txt"
}

echo "sweep vs one Python process per job (PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)')), 2 cores, wall seconds"
printf '%-22s %5s %12s %12s %12s %9s %9s\n' sweep jobs "np3x1thread" "1procx2thr" "python-loop" "ratio" "layout"
for name in demo grid; do
  for variant in mpi single; do
    sed "s|OUT|$work/out-$name-$variant|" "$work/$name.template" > "$work/$name-$variant.yaml"
  done
  jobs=$("$exe" plan "$work/$name-mpi.yaml" --format csv | tail -n +2 | wc -l)
  mpi=$(seconds "$root/scripts/mpirun.sh" -np 3 "$exe" run "$work/$name-mpi.yaml" --threads 1)
  single=$(seconds "$exe" run "$work/$name-single.yaml" --threads 2)
  loop=$(seconds python_loop "$work/$name-mpi.yaml")
  awk -v n="$name" -v j="$jobs" -v m="$mpi" -v s="$single" -v p="$loop" 'BEGIN {
    best = m < s ? m : s
    printf "%-22s %5d %12.1f %12.1f %12.1f %8.2fx %8.2fx\n", n, j, m, s, p, p / best, s / m }'
done
echo "ratio: python-loop / the faster stylesweep layout (goal >= 1.5); layout: 1 proc x 2 threads / np 3 x 1 thread"
