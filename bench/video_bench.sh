#!/usr/bin/env bash
# Video: frames per hour and temporal consistency of the ways to stylize a clip, on two workers
# (mpirun -np 3: rank 0 coordinates). The clip is the example pan across the Tübingen photograph
# (scripts/make_example_video.py), FRAMES frames at SIZE px, Starry Night, random weights,
# L-BFGS for ITERATIONS evaluations per frame job:
#   independent   temporal_weight 0, video_init init: every frame on its own
#   sequential    Ruder et al.: each frame starts from the previous result warped, temporal loss
#   parallel-2/3  2 or 3 passes whose frames run on every worker at once
# Frames per hour counts the clip's frames (not frame jobs) over the run's wall time; the
# warping error is /videos' mean E_warp (0-255 RGB, squared, masked), the input clip's beside it.
# Usage: bench/video_bench.sh [BUILD_DIR] [FRAMES] [SIZE] [ITERATIONS]   (default: build 32 128 50)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
frames=${2:-32}
size=${3:-128}
iterations=${4:-50}
exe=$root/$build/src/stylesweep
python=/usr/bin/python3
scratch=$(mktemp -d "${TMPDIR:-/tmp}/video_bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

"$python" "$root/scripts/make_example_video.py" "$scratch/pan" --frames "$frames" --width "$size" --pan 1.5 > /dev/null
echo "video_bench: $frames frames at $size px, $iterations L-BFGS evaluations per frame job, 2 workers," \
     "$(nproc) cores, $("$exe" --version 2>/dev/null | head -1)"
printf "%-14s %9s %12s %14s %12s %10s\n" mode "frame jobs" "wall s" "frames/hour" "warp error" "x indep."

run_mode() {  # run_mode NAME PARAMETERS_YAML
  cat > "$scratch/$1.yaml" <<YAML
name: $1
output: $scratch/out-$1
images:
  style: {starry: $root/configs/images/starry_night.jpg}
  videos: {pan: $scratch/pan}
defaults: {video: pan, size: $size, iterations: $iterations, $2}
YAML
  local start end
  start=$(date +%s.%N)
  "$root/scripts/mpirun.sh" -np 3 "$exe" run "$scratch/$1.yaml" --threads 1 > "$scratch/$1.log" 2>&1
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'
}

declare -A wall error jobs
for mode in independent sequential parallel-2 parallel-3; do
  case $mode in
    independent) parameters="temporal_weight: 0, video_init: init" ;;
    sequential) parameters="video_schedule: sequential" ;;
    parallel-2) parameters="video_schedule: parallel, video_passes: 2" ;;
    parallel-3) parameters="video_schedule: parallel, video_passes: 3" ;;
  esac
  wall[$mode]=$(run_mode "$mode" "$parameters")
  read -r jobs[$mode] error[$mode] input <<< "$("$python" - "$scratch/out-$mode/results.h5" <<'PY'
import sys
import h5py, pandas as pd
videos = pd.read_hdf(sys.argv[1], "videos")
with h5py.File(sys.argv[1], "r") as f:
    print(len(f["jobs"]), f"{videos['warp_error_mean'].iloc[0]:.1f}", f"{videos['input_warp_error_mean'].iloc[0]:.1f}")
PY
)"
  printf "%-14s %9s %12s %14.0f %12s %10.3f\n" "$mode" "${jobs[$mode]}" "${wall[$mode]}" \
    "$(awk -v f="$frames" -v w="${wall[$mode]}" 'BEGIN { print 3600 * f / w }')" "${error[$mode]}" \
    "$(awk -v e="${error[$mode]}" -v i="${error[independent]}" 'BEGIN { print e / i }')"
done
echo "input clip warping error: $input"
