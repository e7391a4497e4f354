#!/usr/bin/env bash
# Several runs writing one output directory at the same time (ctest label "concurrency"):
#  (a) three runs of one 24-job sweep (--wait), none killed: every job started once, stored once;
#  (b) the same with one run killed with -9 at a random moment: every job stored once, at most
#      one start more than the sweep's 24 (the killed run's running job; jobs all make the same
#      evaluations, so at most 25/24 of the sweep's own), and results.h5 complete;
#  (c) two different sweeps into one output at once: every job of both stored, and each config
#      run again finds all of its jobs done;
#  (d) a run that finds the only job claimed by a live run ends with exit 0 and names that run;
#      `stylesweep status` lists the live run and its job.
# Usage: concurrency_test.sh PATH_TO_STYLESWEEP PROJECT_ROOT
set -uo pipefail
exe=$1
root=$(cd "$2" && pwd)
source "$root/tests/lib.sh"
trap 'pkill -9 -f "$work" 2>/dev/null; rm -rf "$work"' EXIT

write_config() {  # write_config NAME OUTPUT SEEDS ITERATIONS: 2 contents x 3 ratios x SEEDS
  cat > "$work/$1.yaml" <<YAML
name: $1
output: $2
images:
  content: {chelsea: $root/configs/images/chelsea.png, coffee: $root/configs/images/coffee.png}
  style: {hubble: $root/configs/images/hubble_deep_field.jpg}
defaults: {size: 24, iterations: $4, optimizer: adam}
grid:
  content: [chelsea, coffee]
  ratio: [1.0e-2, 1.0e-3, 1.0e-4]
  seed: [$3]
YAML
}

# Every job of OUTPUT stored once over all journal segments, all done, all in results.h5 (and
# `jobs` of them); prints the number of starts in attempts.log.
check_stored_once() {  # OUTPUT JOBS
  "$python" - "$1" "$2" <<'PY'
import collections, glob, sys, h5py
output, expected = sys.argv[1], int(sys.argv[2])
groups = collections.Counter()
for segment in glob.glob(output + "/jobs/*.h5"):
    with h5py.File(segment, "r") as f:
        groups.update(f["jobs"].keys())
twice = {job: n for job, n in groups.items() if n > 1}
assert not twice, f"stored more than once: {twice}"
with h5py.File(output + "/results.h5", "r") as f:
    assert len(f["jobs"]) == expected == len(groups), (len(f["jobs"]), expected, len(groups))
    assert all(f["jobs"][j].attrs["status"] == "done" for j in f["jobs"])
    assert sorted(x.decode() for x in f["index/id"][()]) == sorted(groups)
starts = [line for line in open(output + "/attempts.log") if len(line.strip()) == 16]
print(len(starts))
PY
}

run_three() {  # run_three NAME [KILL_AFTER_SECONDS]: three runs at once, one killed if asked
  local name=$1 kill_after=${2:-}
  local pids=()
  for i in 1 2 3; do
    timeout 300 "$exe" run "$work/$name.yaml" --threads 1 --wait --progress plain > "$work/$name-$i.log" 2>&1 &
    pids+=($!)
  done
  if [[ -n "$kill_after" ]]; then
    sleep "$kill_after"
    pkill -9 -P "${pids[1]}"  # the run itself, not its timeout wrapper
  fi
  local codes=()
  for pid in "${pids[@]}"; do
    wait "$pid"
    codes+=($?)
  done
  echo "${codes[*]}"
}

# A first run makes the default weights, so that the concurrent runs below share them.
write_config warm "$work/out-warm" 1 2
"$exe" run "$work/warm.yaml" --threads 1 > "$work/warm.log" 2>&1
check "the warm-up run completes" grep -q "^summary: 6 done" "$work/warm.log"

# (a) three runs, nobody killed: the work is shared, each job runs once.
write_config shared "$work/out-shared" "1, 2, 3, 4" 30
codes=$(run_three shared)
check "(a) all three runs exit 0 ($codes)" test "$codes" = "0 0 0"
starts=$(check_stored_once "$work/out-shared" 24)
check "(a) every job stored once, started once ($starts starts)" test "$starts" = 24
done_lines=$(cat "$work"/shared-*.log | grep -c "^\[[0-9]*/[0-9]*\] done ")
check "(a) 24 jobs announced over the three runs ($done_lines)" test "$done_lines" -eq 24
check "(a) each run says how many the others finished" \
  bash -c "grep -l 'jobs were finished by other runs writing the same output' '$work'/shared-*.log | wc -l | grep -qx 3"
check "(a) no run file or lock is left, and every claim became a record of its job's segment" \
  bash -c "[[ -z \$(find '$work/out-shared/runs' -mindepth 1) && ! -e '$work/out-shared/.publish.lock' &&
             \$(grep -l '^done segment-' '$work/out-shared/claims/'* | wc -l) -eq 24 &&
             \$(find '$work/out-shared/claims' -mindepth 1 | wc -l) -eq 24 ]]"

# (b) one of three killed with -9 at a random moment.
write_config killed "$work/out-killed" "1, 2, 3, 4" 30
after=$(awk -v seed="$RANDOM" 'BEGIN { srand(seed); printf "%.2f", 2 + rand() * 5 }')
codes=$(run_three killed "$after")
check "(b) the two survivors exit 0 (kill after $after s: $codes)" test "$codes" = "0 137 0"
starts=$(check_stored_once "$work/out-killed" 24)
check "(b) every job stored once; $starts starts for 24 jobs (at most 25: 1.04x the evaluations)" \
  test -n "$starts" -a "${starts:-99}" -le 25
"$python" - "$work/out-killed/results.h5" <<'PY' || { failed=$((failed + 1)); echo "FAIL: (b) evaluations"; }
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    evaluations = {int(f["jobs"][j].attrs["evaluations"]) for j in f["jobs"]}
assert len(evaluations) == 1, evaluations  # equal: the starts bound the evaluations
PY

# (c) two different sweeps into one output at the same time.
write_config first "$work/out-both" "1, 2, 3, 4" 20
write_config second "$work/out-both" "5, 6, 7, 8" 20
timeout 300 "$exe" run "$work/first.yaml" --threads 1 > "$work/first.log" 2>&1 &
first=$!
timeout 300 "$exe" run "$work/second.yaml" --threads 1 > "$work/second.log" 2>&1
second_code=$?
wait "$first"
first_code=$?
check "(c) both sweeps exit 0 ($first_code $second_code)" test "$first_code$second_code" = 00
starts=$(check_stored_once "$work/out-both" 48)
check "(c) all 48 jobs of both sweeps stored once ($starts starts)" test "$starts" = 48
"$exe" run "$work/first.yaml" --threads 1 > "$work/first-again.log" 2>&1
check "(c) the first sweep run again finds its 24 jobs done" grep -q "24 done, 0 to run" "$work/first-again.log"

# (d) the only job is claimed by a live run: a second run ends at once, exit 0, naming it.
cat > "$work/long.yaml" <<YAML
name: long
output: $work/out-long
images:
  content: {chelsea: $root/configs/images/chelsea.png}
  style: {hubble: $root/configs/images/hubble_deep_field.jpg}
defaults: {size: 48, iterations: 200, optimizer: adam}
YAML
"$exe" run "$work/long.yaml" --threads 1 > "$work/long-1.log" 2>&1 &
holder=$!
for _ in $(seq 1 300); do
  [[ -n $(ls "$work/out-long/claims" 2>/dev/null) ]] && break
  sleep 0.1
done
holder_run=$(sed -n 's/.*(run \([^)]*\))$/\1/p' "$work/long-1.log")
"$exe" run "$work/long.yaml" --threads 1 > "$work/long-2.log" 2>&1
code=$?
check "(d) the second run exits 0 ($code)" test "$code" = 0
check "(d) it names the run holding the job ($holder_run)" \
  grep -q "^all remaining jobs are running in other runs: $holder_run (1 job" "$work/long-2.log"
"$exe" status "$work/out-long" > "$work/long-status.txt" 2>&1
check "(d) status lists the live run and its job" \
  grep -q "^  $holder_run (host .*): 1 job claimed: [0-9a-f]\{16\}$" "$work/long-status.txt"
wait "$holder"
check "(d) the holder finishes the job" grep -q "^summary: 1 done" "$work/long-1.log"
check "(d) the run that ended early ran nothing" grep -q "^summary: 0 done" "$work/long-2.log"

finish concurrency_test
