#!/usr/bin/env bash
# Video end to end, with real mpirun (two workers): a 12-frame pan across the Tübingen photograph
# (scripts/make_example_video.py) at 48 px as independent frames, a sequential chain with the
# default temporal weight and the parallel schedule with 3 passes.
#  (a) every frame job is done and recorded (attributes video/frame/pass, /summary's columns, its
#      PNG), /videos reads with pandas and each video job has its WebM;
#  (b) the warping error of the stylized frames: sequential at most half of independent frames',
#      parallel with 3 passes at most 0.6 of it (the issue's bar);
#  (c) kill -9 of a worker and of the coordinator in the middle of an Adam chain, then the same
#      command again: every frame job stored once, done, bit-identical to an uninterrupted run.
# (runner_test covers a frame whose predecessor failed; the bad-input catalogue, bad clips.)
# Usage: video_sweep_test.sh PATH_TO_STYLESWEEP PROJECT_ROOT
set -uo pipefail
exe=$1
root=$(cd "$2" && pwd)
source "$root/tests/lib.sh"
trap 'pkill -9 -f "$work" 2>/dev/null; rm -rf "$work"' EXIT
mpirun=("$root/scripts/mpirun.sh" -np 3)
run_logged() {  # run_logged LOG ARGS...: a run on two workers, its output in LOG, shown on failure
  local log=$1
  shift
  "${mpirun[@]}" "$exe" run "$@" --threads 1 > "$log" 2>&1 || { tail -20 "$log"; return 1; }
}

"$python" "$root/scripts/make_example_video.py" "$work/pan" --frames 12 --width 48 --pan 1.5 > /dev/null

write_config() {  # write_config NAME OPTIMIZER ITERATIONS FRAMES ZIP_YAML
  cat > "$work/$1.yaml" <<YAML
name: $1
output: $work/out-$1
images:
  style: {starry: $root/configs/images/starry_night.jpg}
  videos: {pan: $work/pan}
defaults: {video: pan, size: 48, iterations: $3, optimizer: $2, frame_count: $4}
zip:
$5
YAML
}

# (a), (b): the three ways of stylizing the clip, at the same iterations.
write_config modes lbfgs 40 12 "  temporal_weight: [0, 1.0e-4, 1.0e-4]
  video_init: [init, prev_warped, prev_warped]
  video_schedule: [sequential, sequential, parallel]
  video_passes: [1, 1, 3]"
check "the video sweep runs on two workers" run_logged "$work/modes.log" "$work/modes.yaml" --progress plain

check "frame jobs, /summary, /videos and the WebM files" "$python" - "$work/out-modes" <<'PY'
import os, sys
import h5py, pandas as pd
out = sys.argv[1]
with h5py.File(f"{out}/results.h5", "r") as f:
    jobs = f["jobs"]
    assert len(jobs) == 12 + 12 + 36, len(jobs)
    for job in jobs.values():
        assert job.attrs["status"] == "done", job.attrs["status"]
        assert job.attrs["video"] == "pan"
        assert 0 <= job.attrs["frame"] < 12 and 1 <= job.attrs["pass"] <= 3
        # The video job's passes and the frame's own pass read apart: "...-passes3-f0004-p2".
        if job.attrs["video_schedule"] == "parallel":
            frame, pass_ = job.attrs["frame"], job.attrs["pass"]
            assert job.attrs["label"].endswith(f"-parallel-passes3-f{frame:04d}-p{pass_}"), job.attrs["label"]
        assert job["image"].shape == (36, 48, 3)
        # Frames with links have a temporal history (the independent ones and pass 1 of parallel do not).
        linked = job.attrs["temporal_weight"] > 0 and (job.attrs["video_schedule"] == "sequential" and job.attrs["frame"] > 0 or job.attrs["pass"] > 1)
        assert ("temporal" in job["loss"]) == linked, (job.name, linked)
summary = pd.read_hdf(f"{out}/results.h5", "summary")
for column in ("video", "frame", "pass"):
    assert column in summary.columns, column
assert sorted(summary["frame"].astype(int).unique()) == list(range(12))
assert len(os.listdir(f"{out}/images")) == 60
videos = pd.read_hdf(f"{out}/results.h5", "videos")
assert len(videos) == 3 and set(videos["frames"]) == {12}, videos
for row in videos.itertuples():
    assert os.path.getsize(f"{out}/{row.file}") > 1000, row.file
    assert row.file.endswith(".webm")
PY

check "temporal consistency: sequential <= 0.5x, parallel (3 passes) <= 0.6x independent" "$python" - "$work/out-modes" <<'PY'
import sys
import pandas as pd
videos = pd.read_hdf(f"{sys.argv[1]}/results.h5", "videos").set_index("label")
error = videos["warp_error_mean"]
independent = error[[label for label in error.index if "init-sequential" in label][0]]
sequential = error[[label for label in error.index if "prev_warped-sequential" in label][0]]
parallel = error[[label for label in error.index if "parallel" in label][0]]
print(f"warping error: independent {independent:.1f}, sequential {sequential:.1f} ({sequential / independent:.3f}x), "
      f"parallel {parallel:.1f} ({parallel / independent:.3f}x); input clip {videos['input_warp_error_mean'].iloc[0]:.1f}")
assert sequential <= 0.5 * independent and parallel <= 0.6 * independent
PY

# plan lists each frame job with the jobs it waits for.
check "plan lists frame jobs with their dependencies" bash -c "'$exe' plan '$work/modes.yaml' --format json | '$python' -c '
import json, sys
jobs = json.load(sys.stdin)[\"jobs\"]
ids = {job[\"id\"] for job in jobs}
assert len(jobs) == 60 and sum(1 for job in jobs if not job[\"depends_on\"]) == 12 + 1 + 12, len(jobs)
assert all(set(job[\"depends_on\"]) <= ids for job in jobs)
'"

# The report shows each video job as a strip and a player that plays in headless Chromium.
chromium=$(command -v chromium || command -v chromium-browser || true)
"$exe" report "$work/out-modes" > "$work/report.log" 2>&1
check "the report has a strip and a player per video job" bash -c \
  "[[ \$(ls '$work/out-modes/report/videos/'*.webm | wc -l) == 3 && \$(grep -c '<video ' '$work/out-modes/report/report.html') == 3 ]]"
if [[ -z "$chromium" ]]; then
  failed=$((failed + 1))
  echo "FAIL: chromium is not installed (scripts/install-deps.sh installs it)"
else
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$work/chromium" \
    --autoplay-policy=no-user-gesture-required --virtual-time-budget=8000 --dump-dom \
    "file://$work/out-modes/report/report.html" > "$work/dom.html" 2>/dev/null
  check "the report's players read their durations and play" "$python" - "$work/dom.html" <<'PY'
import re, sys
dom = open(sys.argv[1]).read()
videos = re.findall(r"<video[^>]*>", dom)
durations = [float(d) for v in videos for d in re.findall(r'data-duration="([0-9.]+)"', v)]
played = [float(p) for v in videos for p in re.findall(r'data-played="([0-9.]+)"', v)]
assert len(videos) == 3 and len(durations) == 3 and all(d > 0 for d in durations), (videos, durations)
assert len(played) == 3 and all(p > 0 for p in played), played
print(f"durations {durations}, played to {played}")
PY
fi

# (c) kill -9 in the middle of a chain. The reference runs uninterrupted; each faulted run is
# killed once a few frames are stored, then run again to the end.
rank_pid() {  # rank_pid CONFIG RANK
  for pid in $(pgrep -f "stylesweep run $1"); do
    if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$2"; then
      echo "$pid"
      return
    fi
  done
}
chain="  temporal_weight: [1.0e-4]
  video_passes: [2]"
write_config reference adam 12 8 "$chain"
check "the uninterrupted chain runs" run_logged "$work/reference.log" "$work/reference.yaml"
for rank in 1 0; do
  name=killed-rank$rank
  write_config "$name" adam 12 8 "$chain"
  "${mpirun[@]}" "$exe" run "$work/$name.yaml" --threads 1 > "$work/$name-1.log" 2>&1 &
  launcher=$!
  for _ in $(seq 1 300); do  # until three frames are reported done
    [[ $(grep -c '\] done ' "$work/$name-1.log" 2>/dev/null) -ge 3 ]] && break
    sleep 0.1
  done
  victim=$(rank_pid "$work/$name.yaml" "$rank")
  [[ -n "$victim" ]] && kill -9 "$victim"
  wait "$launcher" 2>/dev/null
  check "kill -9 of rank $rank lands mid-chain" bash -c "[[ -n '$victim' ]] && ! grep -q '^summary: 16 done' '$work/$name-1.log'"
  check "the same command finishes the chain after killing rank $rank" \
    run_logged "$work/$name-2.log" "$work/$name.yaml" --max-attempts 10
  check "after killing rank $rank: every frame job once, done, bit-identical" "$python" - \
    "$work/out-reference/results.h5" "$work/out-$name/results.h5" "$root/scripts/compare_results.py" <<'PY'
import subprocess, sys
import h5py
reference, resumed, compare = sys.argv[1:]
with h5py.File(resumed, "r") as f:
    ids = [i.decode() if isinstance(i, bytes) else i for i in f["index/id"][()]]
    assert len(ids) == len(set(ids)) == 16, ids
    assert all(f["jobs"][i].attrs["status"] == "done" for i in ids)
result = subprocess.run([sys.executable, compare, reference, resumed], capture_output=True, text=True)
assert result.returncode == 0 and result.stdout.strip().endswith("identical"), result.stdout + result.stderr
PY
done

finish video_sweep_test
