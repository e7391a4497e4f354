#!/usr/bin/env bash
# Early stopping against fixed iterations, in one run: each sweep runs twice, as configured and
# with `stop_rel_tol: TOL, stop_window: WINDOW` (default 1e-3 and 10) added to its defaults, one after the other in one
# process each (--threads 2). Prints per sweep the wall-time ratio (fixed / early) and the
# per-job ratio of final total losses (early / fixed; matched by label). Goals: at least 1.5x
# less wall time, every final loss within 2 %.
# Sweeps: configs/demo.yaml as it is, and a paper-style grid of 24 jobs (Tübingen x Composition
# VII, 4 style layer sets x 6 ratios, L-BFGS from noise, SIZE px, ITERATIONS evaluations).
# Usage: bench/convergence_bench.sh [BUILD_DIR] [SIZE] [ITERATIONS] [TOL] [WINDOW] [SWEEPS] [WEIGHTS]
# (SWEEPS: "demo grid" by default, or one of them; WEIGHTS: the grid's network, vgg19 by default,
# or random as measured before the pretrained network; the demo uses its config's)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
size=${2:-96}
iterations=${3:-300}
tolerance=${4:-1.0e-3}
window=${5:-10}
sweeps=${6:-demo grid}
weights=${7:-vgg19}
exe=$root/$build/src/stylesweep
scratch=$(mktemp -d "${TMPDIR:-/tmp}/convergence_bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

sed -e "s#images/#$root/configs/images/#" -e "s#^output: .*#output: $scratch/demo-fixed#" \
  "$root/configs/demo.yaml" > "$scratch/demo-fixed.yaml"
cat > "$scratch/grid-fixed.yaml" <<YAML
name: paper-style-24
weights: $weights
output: $scratch/grid-fixed
images:
  content: {tubingen: $root/configs/images/tubingen.jpg}
  style: {composition_vii: $root/configs/images/composition_vii.jpg}
defaults:
  size: $size
  optimizer: lbfgs
  iterations: $iterations
  init: noise
  pooling: avg
grid:
  style_layers:
    - [relu1_1, relu2_1]
    - [relu1_1, relu2_1, relu3_1]
    - [relu1_1, relu2_1, relu3_1, relu4_1]
    - [relu1_1, relu2_1, relu3_1, relu4_1, relu5_1]
  ratio: {logspace: [1.0e-5, 1.0e-2, 6]}
YAML
echo "stop_rel_tol $tolerance, stop_window $window; grid at $size px, $iterations L-BFGS evaluations"
for sweep in $sweeps; do
  # The same sweep with early stopping: two lines more under `defaults:`.
  sed -e "s#$sweep-fixed#$sweep-early#" -e "s#^defaults:\$#defaults:\n  stop_rel_tol: $tolerance\n  stop_window: $window#" \
    "$scratch/$sweep-fixed.yaml" > "$scratch/$sweep-early.yaml"
  for mode in fixed early; do
    start=$(date +%s.%N)
    "$exe" run "$scratch/$sweep-$mode.yaml" --threads 2 > "$scratch/$sweep-$mode.log" 2>&1
    end=$(date +%s.%N)
    echo "$end - $start" | bc > "$scratch/$sweep-$mode.seconds"
  done
  /usr/bin/python3 - "$scratch" "$sweep" <<'PY'
import sys
import pandas as pd
scratch, sweep = sys.argv[1], sys.argv[2]
fixed = pd.read_hdf(f"{scratch}/{sweep}-fixed/results.h5", "summary").set_index("label")
early = pd.read_hdf(f"{scratch}/{sweep}-early/results.h5", "summary").set_index("label")
seconds = {m: float(open(f"{scratch}/{sweep}-{m}.seconds").read()) for m in ("fixed", "early")}
ratio = (early.loss_total / fixed.loss_total.reindex(early.index))
worst = (ratio - 1).abs().max()
print(f"{sweep}: {len(fixed)} jobs; wall {seconds['fixed']:.1f} s fixed, {seconds['early']:.1f} s early: "
      f"{seconds['fixed'] / seconds['early']:.2f}x less (goal >= 1.5x); evaluations {fixed.evaluations.sum():.0f} -> "
      f"{early.evaluations.sum():.0f}; {(early.termination == 'converged').sum()} converged")
print(f"  final loss early/fixed per job: min {ratio.min():.4f}, median {ratio.median():.4f}, max {ratio.max():.4f}; "
      f"worst {100 * worst:.2f} % (goal <= 2 %); {(abs(ratio - 1) <= 0.02).sum()}/{len(ratio)} within 2 %")
PY
done
