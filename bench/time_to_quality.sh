#!/usr/bin/env bash
# Time to quality: the loss that EVALUATIONS L-BFGS evaluations reach at SIZE from noise (single
# scale, as in the paper), against a coarse-to-fine job (the `scales` option: SCALE_ITERATIONS
# evaluations at each of SCALES, each stage starting from the previous result upsampled, then
# SIZE). Reports how many evaluations at SIZE, how many SIZE-equivalent evaluations (coarse ones
# weighted by their pixel count) and how many seconds each needs to reach that loss.
# Usage: bench/time_to_quality.sh [BUILD_DIR] [SIZE] [EVALUATIONS] [SCALES] [SCALE_ITERATIONS] [THREADS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
size=${2:-512}
evaluations=${3:-500}
scales=${4:-128,256}
scale_iterations=${5:-100}
threads=${6:-2}
exe="$root/$build/src/stylesweep"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$exe" weights random --seed 0 --out "$work/weights.h5" >/dev/null
# The demo's job (configs/demo.yaml) at SIZE.
job=(--content "$root/configs/images/chelsea.png" --style "$root/configs/images/hubble_deep_field.jpg"
     --weights "$work/weights.h5" --ratio 1.5e-4 --tv 2e-9 --threads "$threads" --log-every 100000)
seconds_of() { sed -n 's/.* evaluations in \([0-9.]*\) s.*/\1/p' "$1"; }

# The single-scale run sets the target loss; the coarse stages alone (the same computation as
# the start of the coarse-to-fine job) time the stages before SIZE.
"$exe" stylize "${job[@]}" --size "$size" --iterations "$evaluations" --out "$work/single.png" \
  --history "$work/single.h5" > "$work/single.log" 2>&1
coarse=(${scales//,/ })
last=${coarse[${#coarse[@]}-1]}
lower=$(IFS=,; echo "${coarse[*]:0:${#coarse[@]}-1}")
"$exe" stylize "${job[@]}" --size "$last" ${lower:+--scales "$lower" --scale-iterations "$scale_iterations"} \
  --iterations "$scale_iterations" --out "$work/coarse.png" > "$work/coarse.log" 2>&1
"$exe" stylize "${job[@]}" --size "$size" --scales "$scales" --scale-iterations "$scale_iterations" \
  --iterations "$evaluations" --out "$work/multi.png" --history "$work/multi.h5" > "$work/multi.log" 2>&1

/usr/bin/python3 - "$work" "$size" "$scales" "$scale_iterations" "$(seconds_of "$work/single.log")" \
  "$(seconds_of "$work/coarse.log")" <<'PY'
import sys
import h5py
import numpy as np
work, size, scales, scale_iterations = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
single_seconds, coarse_seconds = float(sys.argv[5]), float(sys.argv[6])

def job(path):
    with h5py.File(path) as f:
        group = f["jobs"][next(iter(f["jobs"]))]
        return group["loss/total"][:], list(group["loss"].attrs.get("stage_starts", []))

single, _ = job(f"{work}/single.h5")
multi, starts = job(f"{work}/multi.h5")
target = single.min()
per_eval = single_seconds / len(single)
final = multi[starts[-1]:]
coarse_equivalent = sum(scale_iterations * (int(s) / size) ** 2 for s in scales.split(","))
reached = np.flatnonzero(final <= target)
print(f"time to quality at {size} px: the loss of {len(single)} single-scale L-BFGS evaluations, "
      f"{target:.4e}")
# Seconds to the first evaluation at or below the target: SIZE evaluations at the single-scale
# run's measured pace, plus the coarse stages' measured time.
single_k = int(np.argmax(single <= target)) + 1
single_to_target = single_k * per_eval
print(f"{'schedule':<24} {'evals at size':>13} {'equiv evals':>12} {'seconds':>9} {'final loss':>11}")
print(f"{'single ' + str(size):<24} {single_k:>13} {single_k:>12.0f} {single_to_target:>9.1f} {single.min():>11.4e}")
name = f"{scales},{size} x{scale_iterations}"
if reached.size:
    k = int(reached[0]) + 1
    seconds = coarse_seconds + k * per_eval
    print(f"{name:<24} {k:>13} {k + coarse_equivalent:>12.0f} {seconds:>9.1f} {final.min():>11.4e}")
    print(f"coarse-to-fine reaches it in {seconds / single_to_target:.2f}x the time "
          f"({single_to_target / seconds:.2f}x faster), {(k + coarse_equivalent) / single_k:.2f}x the "
          f"{size} px-equivalent evaluations ({per_eval:.3f} s per evaluation at {size} px, "
          f"{coarse_seconds:.1f} s for the coarse stages)")
else:
    print(f"{name:<24} {'not reached':>13} {'':>12} {'':>9} {final.min():>11.4e}")
    print(f"coarse-to-fine does not reach it within {len(final)} evaluations at {size} px")
# The other way round: where the single scale reaches what coarse-to-fine ends with.
back = int(np.argmax(single <= final.min())) + 1 if (single <= final.min()).any() else None
print(f"coarse-to-fine ends at {final.min() / target:.4f}x the single-scale loss; the single scale "
      + (f"reaches that after {back} evaluations" if back else "never reaches it"))
PY
