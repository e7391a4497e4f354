#!/usr/bin/env bash
# Weights as an axis, end to end on two MPI workers:
#  (a) `grid: {weights: [random, one, two]}` with files named in the top-level map (random
#      seeds 1 and 2): every job done, each recording its own file's SHA-256, the images
#      differing by weights, /index and the plan with a weights column;
#  (b) the metrics come from one network (`yardstick_weights`, here the seed-0 random one,
#      recorded): the same sweep measured on `one` gives the same images and SSIM, other
#      feature metrics; a job of the axis equals the same job in a sweep of its file alone;
#  (c) the report takes weights as rows;
#  (d) a worker whose file at the job's path differs from the coordinator's (another node's
#      disk, here a mount namespace) fails its jobs, naming both SHA-256s, for the job's weights
#      and for the yardstick's.
# Usage: weights_axis_test.sh PATH_TO_STYLESWEEP PROJECT_ROOT
set -uo pipefail
exe=$1
root=$(cd "$2" && pwd)
source "$root/tests/lib.sh"

# What the checks below share: a file's SHA-256, /index's columns as one dict per job.
cat > "$work/checks.py" <<'PY'
import hashlib
def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()
def index_rows(f):
    columns = {name: f["index"][name][()] for name in f["index"]}
    return [{name: (values[i].decode() if isinstance(values[i], bytes) else values[i])
             for name, values in columns.items()} for i in range(len(columns["id"]))]
PY
"$exe" weights random --seed 1 --out "$work/one.h5" > /dev/null
"$exe" weights random --seed 2 --out "$work/two.h5" > /dev/null

write_config() {  # NAME EXTRA_TOP_LEVEL_LINE GRID
  cat > "$work/$1.yaml" <<YAML
name: $1
output: $work/out-$1
weights: {one: one.h5, two: two.h5}
$2
images:
  content: {chelsea: $root/configs/images/chelsea.png}
  style: {hubble: $root/configs/images/hubble_deep_field.jpg}
defaults: {size: 32, iterations: 15}
grid: $3
YAML
}
sweep() {  # NAME [MPIRUN ARGUMENTS...]: the sweep on two workers
  local name=$1
  shift
  "$root/scripts/mpirun.sh" -np 3 "$@" "$exe" run "$work/$name.yaml" --threads 1 > "$work/$name.log" 2>&1
}

# (a)
write_config axis "yardstick_weights: random" "{weights: [random, one, two], ratio: [1e-3, 1e-2]}"
check "the plan lists the weights as an axis" bash -c \
  "'$exe' plan '$work/axis.yaml' --format csv | cut -d, -f4 | sort | uniq -c | tr -s ' ' | grep -qx ' 2 one'"
check "a sweep over three weights files runs on two workers" sweep axis
grep -q "^summary: 6 done, 0 failed" "$work/axis.log" || cat "$work/axis.log"
vgg19=$("$exe" weights info vgg19 | awk '$1 == "file" { print $2 }')
check "each job ran on its own file and records it" "$python" - "$work" "$vgg19" <<'PY'
import os, sys, h5py, numpy as np
work, vgg19 = sys.argv[1], sys.argv[2]
sys.path.insert(0, work)
from checks import sha, index_rows
random_file = os.path.join(work, "cache/stylesweep/vgg19-random-seed0.h5")
files = {"random": random_file, "one": os.path.join(work, "one.h5"), "two": os.path.join(work, "two.h5")}
with h5py.File(os.path.join(work, "out-axis/results.h5"), "r") as f:
    index = index_rows(f)
    names = [row["weights"] for row in index]
    assert sorted(names) == ["one", "one", "random", "random", "two", "two"], names
    assert all(row["status"] == "done" for row in index)
    images = {}
    for row in index:
        job = f["jobs"][row["id"]]
        name = row["weights"]
        assert job.attrs["weights_sha256"] == sha(files[name]), name
        assert job.attrs["weights"] == ("random" if name == "random" else files[name]), job.attrs["weights"]
        images[(name, float(row["ratio"]))] = job["image"][()]
    for ratio in (1e-3, 1e-2):
        pictures = [images[(name, ratio)].tobytes() for name in files]
        assert len(set(pictures)) == 3, f"images at ratio {ratio} do not differ by weights"
    assert f.attrs["yardstick_weights_sha256"] == sha(random_file)
    assert f.attrs["weights_sha256"] == sha(vgg19)  # the top-level default
print("6 jobs on 3 files, each recording its own SHA-256; metrics on the seed-0 random network")
PY

# (b) The same sweep measured on `one`; and one job of the axis as a sweep of its file alone.
write_config measured_on_one "yardstick_weights: one" "{weights: [random, one, two], ratio: [1e-3, 1e-2]}"
check "the sweep measured on another network runs" sweep measured_on_one
cat > "$work/alone.yaml" <<YAML
name: alone
output: $work/out-alone
weights: two.h5
yardstick_weights: random
images:
  content: {chelsea: $root/configs/images/chelsea.png}
  style: {hubble: $root/configs/images/hubble_deep_field.jpg}
defaults: {size: 32, iterations: 15, ratio: 1e-2}
YAML
check "a sweep of one file alone runs" bash -c "'$exe' run '$work/alone.yaml' --threads 1 > '$work/alone.log' 2>&1"
check "every job's metrics come from the yardstick network, whatever the job's weights" "$python" - "$work" <<'PY'
import os, sys, h5py, numpy as np
work = sys.argv[1]
sys.path.insert(0, work)
from checks import sha
def jobs(name):
    with h5py.File(os.path.join(work, f"out-{name}/results.h5"), "r") as f:
        return f.attrs["yardstick_weights_sha256"], {
            key: (job["image"][()], {m: job.attrs[m] for m in ("metric_content", "metric_style", "metric_ssim")})
            for key, job in f["jobs"].items()}
random_sha, on_random = jobs("axis")
one_sha, on_one = jobs("measured_on_one")
assert one_sha == sha(os.path.join(work, "one.h5")) and one_sha != random_sha
assert on_random.keys() == on_one.keys()
for key in on_random:
    (image, metrics), (image_again, metrics_again) = on_random[key], on_one[key]
    assert np.array_equal(image, image_again), key
    assert metrics["metric_ssim"] == metrics_again["metric_ssim"], key
    assert metrics["metric_content"] != metrics_again["metric_content"], key
    assert metrics["metric_style"] != metrics_again["metric_style"], key
alone_sha, alone = jobs("alone")
(key, (image, metrics)), = alone.items()
assert alone_sha == random_sha and key in on_random, key
assert np.array_equal(on_random[key][0], image) and on_random[key][1] == metrics, (on_random[key][1], metrics)
print("same images, other metrics on another yardstick; a job of the axis = the same job alone")
PY

# (c)
check "the report takes weights as rows" bash -c \
  "'$exe' report '$work/out-axis' --rows weights --cols ratio > '$work/report.log' 2>&1 && grep -q 'rows weights, columns ratio' '$work/report.log'"

# (d) A worker that sees seed 1's file at the random file's path: its own mount namespace, as a
# node whose disk holds another file there. Root only: an unprivileged user needs a user
# namespace to mount (unshare -r), and a rank in one cannot reach mpirun's PMIx server.
if [[ $(id -u) -ne 0 ]]; then
  echo "(d) skipped: mounting needs root; the root build's run of this test covers it"
  finish weights_axis_test
  exit
fi
random_file=$work/cache/stylesweep/vgg19-random-seed0.h5
other_view=(unshare -m --propagation private)
write_config mismatch "yardstick_weights: random" "{weights: [random, two]}"
"$root/scripts/mpirun.sh" -np 1 "$exe" run "$work/mismatch.yaml" --threads 1 : \
  -np 1 "${other_view[@]}" sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh "$work/one.h5" "$random_file" \
  "$exe" run "$work/mismatch.yaml" --threads 1 > "$work/mismatch.log" 2>&1
check "a worker with other weights fails every job" grep -q "^summary: 0 done, 2 failed" "$work/mismatch.log"
check "the failures name the worker's file and both SHA-256s" "$python" - "$work" <<'PY'
import os, sys, h5py
work = sys.argv[1]
sys.path.insert(0, work)
from checks import sha, index_rows
random_file = os.path.join(work, "cache/stylesweep/vgg19-random-seed0.h5")
worker, coordinator = sha(os.path.join(work, "one.h5")), sha(random_file)
with h5py.File(os.path.join(work, "out-mismatch/results.h5"), "r") as f:
    errors = {row["weights"]: row["error"] for row in index_rows(f)}
expected = {"random": f"weights file {random_file} on ", "two": f"yardstick weights file {random_file} on "}
for name, start in expected.items():
    assert errors[name].startswith(start), errors[name]
    assert f"has SHA-256 {worker}, the coordinator's has {coordinator}" in errors[name], errors[name]
print("\n".join(errors.values()))
PY

finish weights_axis_test
