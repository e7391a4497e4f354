#!/usr/bin/env bash
# Fault tolerance end to end (ctest label "reliability"):
#  (a) kill -9 of a worker, (b) of the coordinator (with two journal-writer processes, which
#      must die with it), at random moments, ten times each, then a final run: every job done
#      exactly once, none that was reported done run again, and after every kill results.h5
#      opens and holds every job reported done before it;
#  (c) SIGTERM mid-job: the run drains with exit 75, the resumed Adam job continues from its
#      checkpoint and ends bit-identical to an uninterrupted run;
#  (d) a truncated results.h5, or a deleted journal, at start: recovered, nothing lost or rerun;
#  (e) a changed config runs only its new jobs.
# Usage: reliability_test.sh PATH_TO_STYLESWEEP PROJECT_ROOT
set -uo pipefail
exe=$1
root=$(cd "$2" && pwd)
source "$root/tests/lib.sh"
trap 'pkill -9 -f "$work" 2>/dev/null; rm -rf "$work"' EXIT

write_config() {  # write_config NAME OUTPUT OPTIMIZER ITERATIONS RATIOS
  cat > "$work/$1.yaml" <<YAML
name: $1
output: $2
weights: random  # the runner is under test, not the network: the settings it was timed with
images:
  content: {chelsea: $root/configs/images/chelsea.png, coffee: $root/configs/images/coffee.png}
  style: {hubble: $root/configs/images/hubble_deep_field.jpg}
defaults: {size: 32, iterations: $4, optimizer: $3}
grid:
  content: [chelsea, coffee]
  ratio: [$5]
YAML
}

# The pid of the stylesweep process of MPI rank $2 whose command line mentions $1.
rank_pid() {
  for pid in $(pgrep -f "stylesweep run $1"); do
    if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$2"; then
      echo "$pid"
      return
    fi
  done
}

# Every job reported done in any log is in results.h5, with status done.
reported_are_stored() {  # OUTPUT LOG...
  local output=$1
  shift
  local ids
  ids=$(grep -h "^\[[0-9]*/[0-9]*\] done " "$@" | awk '{print $3}' | sort -u)
  [[ -z "$ids" ]] && return 0
  "$python" - "$output/results.h5" $ids <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    for job in sys.argv[2:]:
        assert f["jobs"][job].attrs["status"] == "done", job
PY
}

kill_loop() {  # kill_loop RANK NAME [RUN OPTION...]: ten runs, each killed at a random moment
  local rank=$1 name=$2 output="$work/out-$2"
  shift 2
  write_config "$name" "$output" lbfgs 40 "1.0e-2, 1.0e-3, 1.0e-4"
  local stored_ok=0 orphans=0 watched=0
  for attempt in $(seq 1 10); do
    timeout 120 "$root/scripts/mpirun.sh" -np 3 "$exe" run "$work/$name.yaml" --threads 1 --max-attempts 100 "$@" \
      > "$work/$name-$attempt.log" 2>&1 &
    local launcher=$!
    # A random moment after the run has set up (its store's writer processes started), however
    # long a busy machine takes to get there.
    for _ in $(seq 1 120); do
      grep -qE "^stylesweep run: [0-9]+ jobs in" "$work/$name-$attempt.log" 2>/dev/null && break
      sleep 0.25
    done
    sleep "$(awk -v seed="$RANDOM" 'BEGIN { srand(seed); printf "%.2f", 0.2 + rand() * 2.5 }')"
    local victim children
    victim=$(rank_pid "$work/$name.yaml" "$rank")
    children=$( [[ -n "$victim" ]] && pgrep -P "$victim" | tr '\n' ' ')
    [[ -n "$victim" ]] && kill -9 "$victim"
    wait "$launcher" 2>/dev/null
    sleep 0.2
    for child in $children; do
      watched=$((watched + 1))
      if kill -0 "$child" 2>/dev/null; then orphans=$((orphans + 1)); fi
    done
    if [[ ! -e "$output/results.h5" ]] || reported_are_stored "$output" "$work/$name"-*.log; then
      stored_ok=$((stored_ok + 1))
    fi
  done
  check "$name: after each kill, results.h5 holds every job reported done ($stored_ok/10)" test "$stored_ok" -eq 10
  check "$name: no process of a killed rank lives on ($orphans of $watched left)" test "$orphans" -eq 0
  if [[ $# -gt 0 ]]; then  # run options (journal writers): the kills must have met some children
    check "$name: the killed ranks had child processes ($watched)" test "$watched" -gt 0
  fi
  timeout 300 "$root/scripts/mpirun.sh" -np 3 "$exe" run "$work/$name.yaml" --threads 1 --max-attempts 100 "$@" \
    > "$work/$name-final.log" 2>&1
  check "$name: the final run completes" grep -q "^summary: .* 0 failed" "$work/$name-final.log"
  "$python" - "$output/results.h5" "$work/$name"-*.log <<'PY' || { failed=$((failed + 1)); echo "FAIL: $name: exactly once"; }
import collections, re, sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    jobs = sorted(f["jobs"])
    assert len(jobs) == 6, jobs
    assert all(f["jobs"][j].attrs["status"] == "done" for j in jobs)
    assert sorted(x.decode() for x in f["index/id"][()]) == jobs
reported = collections.Counter()
for log in sys.argv[2:]:
    for line in open(log, errors="replace"):
        match = re.match(r"^\[\d+/\d+\] done\s+(\w+)", line)
        if match:
            reported[match.group(1)] += 1
twice = {job: n for job, n in reported.items() if n > 1}
assert not twice, f"reported done more than once (run again): {twice}"
print(f"{len(jobs)} jobs done once; {sum(reported.values())} done lines over all runs")
PY
  passed=$((passed + 1))
}

kill_loop 1 worker-kills
kill_loop 0 coordinator-kills --journal-writers 2

# (c) SIGTERM mid-job, like Slurm at preemption: every rank gets it.
write_config adam-ref "$work/out-adam-ref" adam 600 "1.0e-3"
timeout 300 "$exe" run "$work/adam-ref.yaml" --threads 1 > "$work/adam-ref.log" 2>&1
check "uninterrupted Adam sweep completes" grep -q "^summary: 2 done" "$work/adam-ref.log"
write_config adam "$work/out-adam" adam 600 "1.0e-3"
timeout 300 "$root/scripts/mpirun.sh" -np 2 "$exe" run "$work/adam.yaml" --threads 1 > "$work/adam-1.log" 2>&1 &
launcher=$!
# Signal once a job is surely running: the worker said hello and got its first job.
for _ in $(seq 1 120); do
  grep -q "^worker rank 1 on" "$work/adam-1.log" 2>/dev/null && break
  sleep 0.5
done
sleep 2
# Slurm signals every process of the job; here the ranks themselves (mpirun on SIGTERM would end
# the job on its own; slurm/sweep.sbatch forwards USR1 to it instead).
kill -TERM $(rank_pid "$work/adam.yaml" 0) $(rank_pid "$work/adam.yaml" 1)
started=$(date +%s)
wait "$launcher"
code=$?
check "SIGTERM drains with exit 75 (got $code)" test "$code" -eq 75
check "draining took under 10 s" test $(( $(date +%s) - started )) -lt 10
check "the running job paused with a checkpoint" grep -q "paused .*interrupted after" "$work/adam-1.log"
check "a checkpoint is stored" bash -c "ls '$work/out-adam/checkpoints/'*.ckpt >/dev/null 2>&1"
timeout 300 "$root/scripts/mpirun.sh" -np 2 "$exe" run "$work/adam.yaml" --threads 1 > "$work/adam-2.log" 2>&1
check "the resumed sweep completes" grep -q "^summary: .* 0 failed" "$work/adam-2.log"
"$python" - "$work/out-adam/results.h5" "$work/out-adam-ref/results.h5" <<'PY' || { failed=$((failed + 1)); echo "FAIL: Adam resume bit-identical"; }
import sys, h5py, numpy as np
resumed, reference = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
assert sorted(resumed["jobs"]) == sorted(reference["jobs"])
for job in reference["jobs"]:
    a, b = resumed["jobs"][job], reference["jobs"][job]
    assert a.attrs["evaluations"] == b.attrs["evaluations"] == 601, (a.attrs["evaluations"], b.attrs["evaluations"])
    assert np.array_equal(a["image"][()], b["image"][()]), job
    for name in ["total", "content", "style", "style_layers"]:
        assert np.array_equal(a["loss"][name][()], b["loss"][name][()]), (job, name)
print("resumed Adam jobs are bit-identical to the uninterrupted run")
PY
passed=$((passed + 1))
check "no checkpoint left behind" bash -c "[ -z \"\$(ls '$work/out-adam/checkpoints/')\" ]"

# (d) A truncated results.h5 is moved aside and rebuilt from the journal; nothing runs again.
size=$(stat -c %s "$work/out-adam-ref/results.h5")
truncate -s $((size / 2)) "$work/out-adam-ref/results.h5"
timeout 120 "$exe" run "$work/adam-ref.yaml" --threads 1 > "$work/recover-1.log" 2>&1
check "a truncated results.h5 is reported and moved aside" grep -q "recovery: results.h5 was unreadable .* moved it to .*results.h5.damaged-" "$work/recover-1.log"
check "nothing ran again" grep -q ": 2 done, 0 to run" "$work/recover-1.log"
check "the damaged file is kept" bash -c "ls '$work/out-adam-ref/'results.h5.damaged-* >/dev/null"
rm -rf "$work/out-adam-ref/jobs"
timeout 120 "$exe" run "$work/adam-ref.yaml" --threads 1 > "$work/recover-2.log" 2>&1
check "jobs only in results.h5 return to the journal" grep -q "recovery: 2 jobs found only in results.h5 were copied back" "$work/recover-2.log"
check "and still nothing runs" grep -q ": 2 done, 0 to run" "$work/recover-2.log"
"$python" -c "import h5py; f = h5py.File('$work/out-adam-ref/results.h5', 'r'); assert len(f['jobs']) == 2" \
  || { failed=$((failed + 1)); echo "FAIL: rebuilt results.h5"; }

# (e) A changed config keeps the old results and runs only its new jobs.
write_config adam-ref "$work/out-adam-ref" adam 600 "1.0e-3, 1.0e-4"
timeout 300 "$exe" run "$work/adam-ref.yaml" --threads 1 > "$work/changed.log" 2>&1
check "a changed config runs only its new jobs" grep -q "4 jobs in .*: 2 done, 2 to run" "$work/changed.log"
check "and completes" grep -q "^summary: 2 done, 0 failed, 2 skipped" "$work/changed.log"

finish reliability_test
