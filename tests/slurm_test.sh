#!/usr/bin/env bash
# stylesweep under a real single-node Slurm (Debian's slurm-wlm and munge) started here with its
# own slurm.conf, spool directories and ports in a temporary directory:
#  (a) the demo sweep at 32 px through `stylesweep submit`: results.h5 holds every job, done;
#  (b) a longer sweep requeued with `scontrol requeue` mid-run comes back and finishes with every
#      job done exactly once;
#  (c) a time limit shorter than the sweep with --signal: the sweep drains, the script requeues
#      it, and the requeued job finishes it;
#  (d) `submit --array 3`: three allocations, each a run of its own, finish the sweep together
#      with every job started and stored once;
#  (e) an array of three with one task cancelled mid-run (scancel): the task drains, and the
#      other tasks take over its job from its checkpoint and finish the sweep;
#  (f) `submit --array 2` of two video chains: every frame job runs once, after its predecessor;
#  (g) `submit --launcher srun`: the sweep runs under srun --mpi=pmix, and a signal drains it.
# Requeued jobs wait 10 s (cred_expire) before they start again, not Slurm's default 120 s.
# Every daemon it started is stopped by pid. Without root or the daemons it skips, saying why.
# Usage: slurm_test.sh PATH_TO_STYLESWEEP PROJECT_ROOT
set -uo pipefail
exe=$1
root=$(cd "$2" && pwd)
python=/usr/bin/python3
skip() { echo "slurm_test: SKIPPED: $*"; echo "slurm_test: 0 passed, 0 failed, 1 skipped"; exit 0; }
[[ $(id -u) -eq 0 ]] || skip "needs root to run slurmctld and slurmd with SlurmUser=root"
for tool in munged mungekey slurmctld slurmd sbatch squeue scontrol; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (apt-get install slurm-wlm munge)"
done

work=$(mktemp -d /tmp/stylesweep-slurm-XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  sleep 1
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
export XDG_CACHE_HOME="$work/cache"
passed=0
failed=0
check() {
  local description=$1
  shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $description"; fi
}

free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_cluster() {
  mkdir -p "$work/munge" "$work/state" "$work/spool" "$work/log"
  chmod 700 "$work/munge"
  mungekey --create --keyfile="$work/munge/munge.key" >/dev/null 2>&1 || return 1
  munged --force --foreground --socket="$work/munge/munge.socket" --key-file="$work/munge/munge.key" \
    --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" \
    --seed-file="$work/munge/munged.seed" >/dev/null 2>&1 &
  pids+=($!)
  local host cpus memory
  host=$(hostname -s)
  cpus=6  # three array tasks of two ranks at once (the machine's cores are oversubscribed)
  memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))
  cat > "$work/slurm.conf" <<CONF
ClusterName=stylesweep-test
SlurmctldHost=$host
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# cred_expire also holds a requeued job that long before it may start again (default 120 s).
AuthInfo=socket=$work/munge/munge.socket,cred_expire=10
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
JobRequeue=1
ReturnToService=2
SlurmdParameters=config_overrides
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
InactiveLimit=0
KillWait=30
MinJobAge=300
OverTimeLimit=1
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$work/slurm.conf"
  sleep 1
  slurmctld -D -f "$work/slurm.conf" >"$work/log/slurmctld.out" 2>&1 &
  pids+=($!)
  slurmd -D -f "$work/slurm.conf" >"$work/log/slurmd.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 30); do
    sinfo -h -o %T 2>/dev/null | grep -qE "^idle" && return 0
    sleep 1
  done
  return 1
}

if ! start_cluster; then
  echo "--- slurmctld log"; tail -20 "$work/log/slurmctld.log" 2>/dev/null
  echo "--- slurmd log"; tail -20 "$work/log/slurmd.log" 2>/dev/null
  skip "could not start munged, slurmctld and slurmd here (see the logs above)"
fi
echo "slurm_test: cluster up: $(sinfo -h -o '%P %D %T %C')"

write_config() {  # NAME ITERATIONS RATIOS
  cat > "$work/$1.yaml" <<YAML
name: $1
output: $work/out-$1
images:
  content: {chelsea: $root/configs/images/chelsea.png, coffee: $root/configs/images/coffee.png}
  style: {hubble: $root/configs/images/hubble_deep_field.jpg, brick: $root/configs/images/brick.png}
defaults: {size: 32, iterations: $2, optimizer: lbfgs}
grid:
  content: [chelsea, coffee]
  style: [hubble, brick]
  ratio: [$3]
YAML
}

submit() {  # NAME EXTRA_ARGS...: prints the job id
  local name=$1
  shift
  "$exe" submit "$work/$name.yaml" --workers 2 --cpus-per-task 1 "$@" | sed -n 's/^submitted job \([0-9]*\).*/\1/p'
}

wait_gone() {  # JOB_ID TIMEOUT_SECONDS: waits until the job left the queue
  for _ in $(seq 1 "$2"); do
    [[ -z "$(squeue -h -j "$1" 2>/dev/null)" ]] && return 0
    sleep 1
  done
  return 1
}

all_done_once() {  # NAME COUNT
  # Every job is done in results.h5 and none ran to the end twice. A kill (requeue, preemption)
  # can take a finished job's "done" line with it while its result is already stored, so the log
  # is checked run by run: each run's header counts as done every job an earlier run reported, and
  # the last run's header plus its own "done" lines account for every job.
  "$python" - "$work/out-$1/results.h5" "$2" "$work/out-$1"/slurm-*.out <<'PY'
import collections, re, sys, h5py
path, count, logs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
with h5py.File(path, "r") as f:
    jobs = sorted(f["jobs"])
    assert len(jobs) == count, (len(jobs), count)
    assert all(f["jobs"][j].attrs["status"] == "done" for j in jobs)
runs = []  # [done before this run, ids reported done in it]
for log in logs:
    for line in open(log, errors="replace"):
        header = re.match(r"^stylesweep run: \d+ jobs in .*?: (\d+) done, \d+ to run", line)
        if header:
            runs.append([int(header.group(1)), []])
        match = re.match(r"^\[\d+/\d+\] done\s+(\w+)", line)
        if match:
            runs[-1][1].append(match.group(1))
reported = collections.Counter(job for _, ids in runs for job in ids)
assert set(reported) <= set(jobs), sorted(set(reported) - set(jobs))
assert max(reported.values()) == 1, reported
earlier = 0
for done_before, ids in runs:
    assert done_before >= earlier, ("a run forgot finished jobs", done_before, earlier)
    earlier += len(ids)
assert runs[-1][0] + len(runs[-1][1]) == count, ("jobs unaccounted for", runs, count)
PY
}

# (a) The demo sweep at 32 px.
write_config demo 10 "1.0e-4, 3.0e-4"
# A request no node of the test partition (one node of 6 CPUs) can ever hold is refused at once.
"$exe" submit "$work/demo.yaml" --workers 6 --cpus-per-task 1 --time 00:10:00 > /dev/null 2> "$work/refused.err"
code=$?
check "(a) submit refuses 7 tasks on a 6-CPU partition (exit 2, with the numbers)" bash -c "[[ $code -eq 2 ]] &&
  grep -q 'the job cannot fit partition (default): 7 tasks (workers + coordinator) of 1 CPU(s) need 7 CPUs, and its 1 largest node(s) have 6 CPUs' '$work/refused.err'"
job=$(submit demo --time 00:10:00)
check "(a) submit prints a job id" test -n "$job"
check "(a) the job finishes" wait_gone "$job" 240
check "(a) every job done exactly once" all_done_once demo 8
check "(a) the log has the summary" grep -q "^summary: 8 done, 0 failed" "$work/out-demo/slurm-$job.out"

# (b) scontrol requeue mid-run: it comes back and finishes.
write_config requeue 60 "1.0e-2, 1.0e-3, 1.0e-4"
job=$(submit requeue --time 00:20:00)
for _ in $(seq 1 60); do
  grep -q "^\[[1-9][0-9]*/12\] done" "$work/out-requeue/slurm-$job.out" 2>/dev/null && break
  sleep 1
done
scontrol requeue "$job"
check "(b) the requeued job finishes" wait_gone "$job" 600
check "(b) it ran twice" test "$(grep -c "^stylesweep: Slurm job $job (restart" "$work/out-requeue/slurm-$job.out")" -ge 2
check "(b) every job done exactly once" all_done_once requeue 12

# (c) A time limit shorter than the sweep: USR1 before the limit, drain, requeue, finish.
# Slurm sends --signal up to a minute early: 3 minutes with the signal 60 s before the end
# drains after 60 to 120 s, well inside a sweep of about 3 minutes.
write_config deadline 600 "1.0e-2, 1.0e-3, 1.0e-4, 1.0e-5"
job=$(submit deadline --time 00:03:00 --signal-seconds 60)
check "(c) the sweep drains and finishes over requeues" wait_gone "$job" 1200
log="$work/out-deadline/slurm-$job.out"
check "(c) the signal drained the sweep" grep -q "stylesweep: signal received; draining" "$log"
check "(c) the script requeued it" grep -q "drained with work left; requeueing job $job" "$log"
check "(c) every job done exactly once" all_done_once deadline 16

# Every job of NAME's sweep done in results.h5, stored once over the journal's segments, and
# started STARTS times in all (attempts.log; interrupted starts included).
stored_once() {  # NAME COUNT STARTS
  "$python" - "$work/out-$1" "$2" "$3" <<'PY'
import collections, glob, sys, h5py
output, count, starts = sys.argv[1], int(sys.argv[2]), sys.argv[3]
groups = collections.Counter()
for segment in glob.glob(output + "/jobs/*.h5"):
    with h5py.File(segment, "r") as f:
        groups.update(f["jobs"].keys())
assert len(groups) == count and max(groups.values()) == 1, groups
with h5py.File(output + "/results.h5", "r") as f:
    assert sorted(f["jobs"]) == sorted(groups)
    assert all(f["jobs"][j].attrs["status"] == "done" for j in f["jobs"])
started = [line.strip() for line in open(output + "/attempts.log") if len(line.strip()) == 16]
assert eval(f"{len(started)} {starts}"), (len(started), starts)
PY
}

submit_array() {  # NAME EXTRA_ARGS...: prints the array's job id
  local name=$1
  shift
  "$exe" submit "$work/$name.yaml" --workers 1 --cpus-per-task 1 "$@" | sed -n 's/^submitted job array \([0-9]*\).*/\1/p'
}

# (d) A job array of three runs sharing one sweep.
write_config array 30 "1.0e-2, 1.0e-3, 1.0e-4"
job=$(submit_array array --array 3 --time 00:10:00)
check "(d) submit --array prints the array's job id" test -n "$job"
check "(d) the array finishes" wait_gone "$job" 600
check "(d) each of the three tasks logged a summary" \
  test "$(cat "$work/out-array/slurm-${job}"_[012].out 2>/dev/null | grep -c '^summary: ')" -eq 3
check "(d) every job started once and stored once" stored_once array 12 "== 12"

# (e) One task of three cancelled mid-run: the others finish its job.
write_config cancel 150 "1.0e-2, 1.0e-3, 1.0e-4"
job=$(submit_array cancel --array 3 --time 00:20:00)
for _ in $(seq 1 240); do
  [[ $(find "$work/out-cancel/claims" -mindepth 1 -maxdepth 1 -name '[0-9a-f]*' 2>/dev/null | wc -l) -ge 3 ]] && break
  sleep 0.5
done
sleep 2
scancel "${job}_1"
check "(e) the array finishes" wait_gone "$job" 900
log="$work/out-cancel/slurm-${job}_1.out"
check "(e) the cancelled task drained" grep -q "stylesweep: signal received; draining" "$log"
check "(e) every job stored once; the cancelled task's job started again" stored_once cancel 12 ">= 13"
check "(e) the job it was running was started again by another task and finished" "$python" - "$work/out-cancel" <<'PY'
import collections, sys, h5py
output = sys.argv[1]
starts = collections.Counter(line.strip() for line in open(output + "/attempts.log") if len(line.strip()) == 16)
again = [job for job, n in starts.items() if n > 1]
assert again, "no job was started twice"
with h5py.File(output + "/results.h5", "r") as f:
    assert all(f["jobs"][job].attrs["status"] == "done" for job in again)
PY

# (g) srun instead of mpirun: Slurm's PMIx plugin starts the ranks, which find their roles from
# MPI; USR1 to the batch script reaches the ranks through srun and drains the sweep.
write_config srun 10 "1.0e-4, 3.0e-4"
job=$(submit srun --time 00:10:00 --launcher srun)
check "(g) submit --launcher srun prints a job id" test -n "$job"
check "(g) the script starts the ranks with srun --mpi=pmix" grep -q '^srun --mpi=pmix --cpu-bind=none "$stylesweep" run' "$work/out-srun/sweep.sbatch"
check "(g) the job finishes" wait_gone "$job" 300
check "(g) every job done exactly once" all_done_once srun 8
check "(g) two workers and a coordinator" bash -c "[[ \$(grep -c '^worker rank [12] on' '$work/out-srun/slurm-$job.out') -eq 2 ]]"
write_config srun-drain 400 "1.0e-4, 3.0e-4"
job=$(submit srun-drain --time 00:10:00 --launcher srun)
for _ in $(seq 1 120); do
  grep -q '\] done ' "$work/out-srun-drain/slurm-$job.out" 2>/dev/null && break
  sleep 1
done
scancel --batch --signal=USR1 "$job"
for _ in $(seq 1 120); do
  grep -q "requeueing job $job" "$work/out-srun-drain/slurm-$job.out" 2>/dev/null && break
  sleep 1
done
scancel "$job"
log="$work/out-srun-drain/slurm-$job.out"
check "(g) under srun the signal drains the sweep and the script requeues it" \
  bash -c "grep -q 'stylesweep: signal received; draining' '$log' && grep -q 'left for the next run (exit 75' '$log' && grep -q 'requeueing job $job' '$log'"
wait_gone "$job" 120 > /dev/null

# (f) Video chains under an array of two: the tasks share the frame jobs, each frame waits for its
# predecessor whichever task ran it, and every chain completes once.
"$python" "$root/scripts/make_example_video.py" "$work/pan" --frames 6 --width 32 > /dev/null
cat > "$work/video.yaml" <<YAML
name: video
output: $work/out-video
images:
  style: {hubble: $root/configs/images/hubble_deep_field.jpg, brick: $root/configs/images/brick.png}
  videos: {pan: $work/pan}
defaults: {video: pan, size: 32, iterations: 10, optimizer: adam, video_passes: 2}
grid:
  style: [hubble, brick]
YAML
job=$(submit_array video --array 2 --time 00:10:00)
check "(f) the array of video chains finishes" wait_gone "$job" 600
check "(f) every frame job started once and stored once" stored_once video 24 "== 24"
check "(f) pass-1 frames after the first were pulled towards their stored predecessors" "$python" - "$work/out-video" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1] + "/results.h5", "r") as f:
    jobs = f["jobs"]
    for job in jobs.values():
        # Pass 1 runs forwards: every frame after the first is pulled towards its predecessor.
        if job.attrs["pass"] == 1 and job.attrs["frame"] > 0:
            assert job["loss/temporal"].shape[0] > 0, job.name
import pandas as pd
videos = pd.read_hdf(sys.argv[1] + "/results.h5", "videos")
assert len(videos) == 2 and (videos["frames"] == 6).all() and (videos["passes"] == 2).all(), videos
PY

echo "slurm_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]] || { tail -30 "$work/log/slurmctld.log"; exit 1; }
