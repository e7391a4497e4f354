#!/usr/bin/env bash
# The sweep runner end to end: one process, mpirun -np 1, 2 and 3 on a 32 px sweep give every
# job exactly once, done, with bit-identical images and histories; a corrupt image fails its job
# only; status reports progress; the README's pandas snippet runs on the results. np3 writes its
# journal through journal-writer processes.
# Usage: run_test.sh PATH_TO_STYLESWEEP PROJECT_ROOT
set -uo pipefail
exe=$1
root=$(cd "$2" && pwd)
source "$root/tests/lib.sh"

write_config() {  # write_config NAME OUTPUT [EXTRA_CONTENT_LINE]
  cat > "$work/$1.yaml" <<YAML
name: $1
output: $2
images:
  content:
    chelsea: $root/configs/images/chelsea.png
    coffee: $root/configs/images/coffee.png
${3:-}
  style:
    hubble: $root/configs/images/hubble_deep_field.jpg
defaults: {size: 32, iterations: 6, optimizer: lbfgs}
grid:
  content: [chelsea, coffee${4:-}]
  ratio: [1.0e-3, 1.0e-4]
YAML
}

run_logged() {  # run_logged LOG COMMAND...: runs, keeps output, returns the exit code
  local log=$1
  shift
  "$@" >"$log" 2>&1
}

for mode in single np1 np2 np3; do
  write_config "sweep-$mode" "$work/out-$mode"
  case $mode in
    single) run_logged "$work/$mode.log" "$exe" run "$work/sweep-$mode.yaml" --threads 1 ;;
    # np3's rank 0 writes its journal through two journal-writer processes.
    np*) run_logged "$work/$mode.log" "$root/scripts/mpirun.sh" -np "${mode#np}" "$exe" run "$work/sweep-$mode.yaml" --threads 1 \
           --progress-interval 0.001 $([[ $mode == np3 ]] && echo --journal-writers 2) ;;
  esac
  code=$?
  check "$mode exits 0 (got $code)" test "$code" -eq 0
  [[ $code -eq 0 ]] || cat "$work/$mode.log"
  check "$mode prints the summary" grep -q "^summary: 4 done, 0 failed, 0 skipped" "$work/$mode.log"
done
check "np3 reports its two workers" bash -c "grep -cE '^worker rank [12] on .*: cpu \\(1 thread(, from [A-Z_]+)?\\)' '$work/np3.log' | grep -qx 2"
# Under mpirun the status comes as plain lines (a log), with a time estimate once a job is measured.
check "np3 logs plain status lines" grep -q "^progress: \[[0-4]/4\] [0-9] running, [0-9] queued, [0-9]* jobs/h, ETA " "$work/np3.log"
check "np3 estimates the time left" grep -q "^progress: \[[1-4]/4\] .*ETA [0-9]" "$work/np3.log"
check "no live line in a log" bash -c "! grep -q \$'\\r' '$work/np3.log'"

"$python" - "$work" <<'PY' || { failed=$((failed + 1)); echo "FAIL: results check"; }
import sys, h5py, numpy as np
work = sys.argv[1]
runs = {m: h5py.File(f"{work}/out-{m}/results.h5", "r") for m in ["single", "np1", "np2", "np3"]}
base = runs["single"]
ids = sorted(base["jobs"])
assert len(ids) == 4, ids
assert base.attrs["format"] == "stylesweep-results" and base.attrs["normalization"] == "paper-per-position"
for mode, f in runs.items():
    assert sorted(f["jobs"]) == ids, (mode, sorted(f["jobs"]))
    index_ids = [x.decode() for x in f["index/id"][()]]
    assert sorted(index_ids) == ids and len(set(index_ids)) == 4, (mode, index_ids)
    for job in ids:
        g, b = f["jobs"][job], base["jobs"][job]
        assert g.attrs["status"] == "done", (mode, job, g.attrs["status"])
        assert np.array_equal(g["image"][()], b["image"][()]), (mode, job, "image")
        for name in ["total", "content", "style", "tv", "style_layers"]:
            assert np.array_equal(g["loss"][name][()], b["loss"][name][()]), (mode, job, name)
ranks = set(runs["np3"]["index/rank"][()])
assert ranks <= {1.0, 2.0}, ranks
print("results identical across single, np1, np2, np3")
PY
passed=$((passed + 1))
check "images written per label" test -s "$work/out-np2/images/chelsea-r1e-03.png"
check "np3's journal-writer processes wrote its journal" "$python" -c \
  "import json, sys; assert json.load(open(sys.argv[1]))['journal_writer_cpu_seconds'] > 0" "$work/out-np3/status.json"
check "status reads a finished sweep" bash -c "'$exe' status '$work/out-np2' | grep -q '4 of 4 jobs done, 0 failed, 0 running, 0 queued'"

# The pandas snippet of docs/results.md, run as written, on these results.
sed -n '/<!-- snippet: pandas -->/,/^```$/p' "$root/docs/results.md" | sed '1,2d;$d' > "$work/snippet.py"
check "docs/results.md snippet found" test -s "$work/snippet.py"
(cd "$work" && ln -s out-np2 results-demo && "$python" snippet.py results-demo/results.h5 > snippet.out 2>&1)
check "docs/results.md snippet runs" grep -q "chelsea-r1e-03" "$work/snippet.out"
[[ -s "$work/snippet.out" ]] && head -3 "$work/snippet.out"

# Jobs that diverge (Adam at a rate of 1e30): they fail with the reason, after one retry on
# another worker; the others finish; the exit code says so.
cat > "$work/sweep-bad.yaml" <<YAML
output: $work/out-bad
images:
  content: {chelsea: $root/configs/images/chelsea.png, coffee: $root/configs/images/coffee.png}
  style: {hubble: $root/configs/images/hubble_deep_field.jpg}
defaults: {size: 32, iterations: 4, optimizer: adam}
grid:
  content: [chelsea, coffee]
  lr: [2.0, 1.0e+30]
YAML
run_logged "$work/bad.log" "$root/scripts/mpirun.sh" -np 2 "$exe" run "$work/sweep-bad.yaml" --threads 1
code=$?
check "a failed job gives exit 3 (got $code)" test "$code" -eq 3
check "the failure names the reason" grep -q "failed .*chelsea-lr1e+30.*loss became inf" "$work/bad.log"
check "the others finish" grep -q "^summary: 2 done, 2 failed, 0 skipped" "$work/bad.log"
"$python" - "$work/out-bad/results.h5" <<'PY' || { failed=$((failed + 1)); echo "FAIL: failed-job record"; }
import sys, h5py
f = h5py.File(sys.argv[1], "r")
status = {f["jobs"][j].attrs["label"]: f["jobs"][j].attrs["status"] for j in f["jobs"]}
assert sorted(v for v in status.values()) == ["done"] * 2 + ["failed"] * 2, status
bad = [j for j in f["jobs"] if f["jobs"][j].attrs["status"] == "failed"][0]
assert "loss became inf" in f["jobs"][bad].attrs["error"], f["jobs"][bad].attrs["error"]
assert f["jobs"][bad].attrs["attempts"] == 2
PY
passed=$((passed + 1))

# --batch 3: an Adam sweep over seeds and rates run in batches (one process, and two workers
# under mpirun) gives what its jobs give one at a time, bit for bit; a diverging job of a batch
# fails alone. Every job records its precision and determinism in /index.
for mode in alone batched batched-np3; do
  cat > "$work/sweep-$mode.yaml" <<YAML
output: $work/out-$mode
images:
  content: {chelsea: $root/configs/images/chelsea.png}
  style: {hubble: $root/configs/images/hubble_deep_field.jpg}
defaults: {size: 32, iterations: 5, optimizer: adam, deterministic: true}
grid:
  seed: [0, 1, 2]
  lr: [2.0, 1.0e+30]
YAML
  case $mode in
    alone) run_logged "$work/$mode.log" "$exe" run "$work/sweep-$mode.yaml" --threads 1 ;;
    batched) run_logged "$work/$mode.log" "$exe" run "$work/sweep-$mode.yaml" --threads 1 --batch 3 ;;
    batched-np3) run_logged "$work/$mode.log" "$root/scripts/mpirun.sh" -np 3 "$exe" run "$work/sweep-$mode.yaml" \
                   --threads 1 --batch 3 ;;
  esac
  code=$?
  check "$mode: the diverging jobs fail, the others finish (exit $code)" \
    bash -c "[[ $code -eq 3 ]] && grep -q '^summary: 3 done, 3 failed, 0 skipped' '$work/$mode.log'"
done
"$python" - "$work" <<'PY' || { failed=$((failed + 1)); echo "FAIL: batched results"; }
import sys, h5py, numpy as np
work = sys.argv[1]
alone = h5py.File(f"{work}/out-alone/results.h5", "r")
for mode in ["batched", "batched-np3"]:
    batched = h5py.File(f"{work}/out-{mode}/results.h5", "r")
    assert sorted(batched["jobs"]) == sorted(alone["jobs"]), mode
    for job in alone["jobs"]:
        a, b = alone["jobs"][job], batched["jobs"][job]
        assert a.attrs["status"] == b.attrs["status"], (mode, job)
        if a.attrs["status"] != "done":
            assert "loss became inf" in b.attrs["error"], (mode, b.attrs["error"])
            continue
        assert np.array_equal(a["image"][()], b["image"][()]), (mode, job, "image")
        for name in ["total", "content", "style", "style_layers"]:
            assert np.array_equal(a["loss/" + name][()], b["loss/" + name][()]), (mode, job, name)
    # A batch's jobs share its wall time; jobs run alone do not.
    done = [j for j in batched["jobs"] if batched["jobs"][j].attrs["status"] == "done"]
    seconds = {batched["index/wall_seconds"][i] for i, s in enumerate(batched["index/status"][()]) if s == b"done"}
    assert len(seconds) < len(done), (mode, seconds)
    assert [p.decode() for p in batched["index/precision"][()]] == ["fp32"] * 6, mode
    assert list(batched["index/deterministic"][()]) == [1.0] * 6, mode
print("batched runs equal the unbatched one bit for bit")
PY
passed=$((passed + 1))

finish run_test
