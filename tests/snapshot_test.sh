#!/usr/bin/env bash
# snapshot_every end to end, in one process (no MPI needed):
#  (a) an Adam and an L-BFGS job at 32 px keep the image every 10 evaluations and at the last, as
#      /jobs/<id>/snapshots with snapshot_evaluation as the first axis' dimension scale; Adam's
#      last snapshot is its result;
#  (b) snapshot_every is not in the ids;
#  (c) SIGTERM mid-job, then the same command: the resumed job keeps the snapshots it took before
#      the stop, and all of them are bit-identical to an uninterrupted run's;
#  (d) the report shows a strip of snapshots per job.
# Usage: snapshot_test.sh PATH_TO_STYLESWEEP PROJECT_ROOT
set -uo pipefail
exe=$1
root=$(cd "$2" && pwd)
source "$root/tests/lib.sh"

write_config() {  # NAME ITERATIONS SNAPSHOT_EVERY OPTIMIZERS
  cat > "$work/$1.yaml" <<YAML
name: $1
output: $work/out-$1
images:
  content: {chelsea: $root/configs/images/chelsea.png}
  style: {hubble: $root/configs/images/hubble_deep_field.jpg}
defaults: {size: 32, iterations: $2, snapshot_every: $3}
grid:
  optimizer: [$4]
YAML
}

# (a)
write_config snap 25 10 "adam, lbfgs"
check "a sweep with snapshots runs" bash -c "'$exe' run '$work/snap.yaml' --threads 2 > '$work/snap.log' 2>&1"
check "snapshots every 10 evaluations and at the last, with their evaluations as a scale" "$python" - "$work/out-snap/results.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    for job in f["jobs"].values():
        snapshots = job["snapshots"]
        evaluations = [int(e) for e in job["snapshot_evaluation"][()]]
        last = len(job["loss/total"]) - 1
        assert evaluations == sorted(set(list(range(0, last + 1, 10)) + [last])), (evaluations, last)
        assert snapshots.shape == (len(evaluations),) + job["image"].shape and snapshots.dtype == np.uint8
        assert snapshots.dims[0][0].name == job.name + "/snapshot_evaluation", snapshots.dims[0].keys()
        assert len(set(snapshots[i].tobytes() for i in range(len(evaluations)))) == len(evaluations)
        if job.attrs["optimizer"] == "adam":
            assert np.array_equal(snapshots[-1], job["image"][()]), "Adam's last snapshot is not its result"
        print(job.attrs["optimizer"], "snapshots at", evaluations)
PY

# (b)
write_config plain 25 0 "adam, lbfgs"
check "snapshot_every leaves the ids as they are" bash -c \
  "diff <('$exe' plan '$work/snap.yaml' --format csv | cut -d, -f2) <('$exe' plan '$work/plain.yaml' --format csv | cut -d, -f2)"

# (c) A stop mid-job and a resume, against an uninterrupted run.
write_config reference 600 50 adam
check "the uninterrupted Adam job runs" bash -c "'$exe' run '$work/reference.yaml' --threads 1 > '$work/reference.log' 2>&1"
write_config stopped 600 50 adam
"$exe" run "$work/stopped.yaml" --threads 1 > "$work/stopped-1.log" 2>&1 &
runner=$!
sleep 4
kill -TERM "$runner"
wait "$runner"
code=$?
check "SIGTERM drains the run (exit 75, got $code) with the job paused mid-way" \
  bash -c "[[ $code -eq 75 ]] && grep -q 'interrupted after' '$work/stopped-1.log'"
check "the same command finishes the job" bash -c "'$exe' run '$work/stopped.yaml' --threads 1 > '$work/stopped-2.log' 2>&1"
check "the resumed job's snapshots are all there and bit-identical" "$python" - \
  "$work/out-reference/results.h5" "$work/out-stopped/results.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as reference, h5py.File(sys.argv[2], "r") as resumed:
    [job] = list(reference["jobs"])
    a, b = reference["jobs"][job], resumed["jobs"][job]
    assert list(a["snapshot_evaluation"][()]) == list(b["snapshot_evaluation"][()]) == list(range(0, 601, 50))
    assert np.array_equal(a["snapshots"][()], b["snapshots"][()])
    assert np.array_equal(a["image"][()], b["image"][()])
PY

# (d)
"$exe" report "$work/out-snap" > "$work/report.log" 2>&1
check "the report shows each job's snapshots as a strip" bash -c \
  "grep -q '<h2>Snapshots</h2>' '$work/out-snap/report/report.html' &&
   [[ \$(ls '$work/out-snap/report/'snapshots-*.png | wc -l) -eq 2 ]] && grep -q 'snapshots of 2 jobs' '$work/report.log'"

finish snapshot_test
