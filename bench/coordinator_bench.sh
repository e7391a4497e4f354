#!/usr/bin/env bash
# Coordinator capacity: jobs dispatched, run and stored per second when the jobs themselves are
# trivial (8 px, relu1_1 only, one evaluation), under `mpirun -np 3` (one coordinator, two
# workers). The rate comes from the run's own status.json (elapsed seconds after start-up). The
# capacity is what one coordinator could serve with workers that never keep it waiting. Rank 0
# has three busy threads: the message loop (handling results, dispatching, publishing
# results.h5), the result store's journal writer and its PNG writer; status.json reports the CPU
# seconds of each, and the busiest one bounds the rate. The loop's busy wall time is printed too: here,
# with two workers on two shared cores, it includes waiting for a core, and the workers bound the
# end-to-end rate well below the capacity. Also printed: the size of results.h5 and of the
# journal (jobs/). Set TMPDIR to measure on another filesystem (ext4 here slows down creating
# files after many were deleted). Set JOURNAL_WRITERS=N to run with `--journal-writers N`: the
# journal's groups and the PNGs are then written by N processes, and the busiest one counts in
# the capacity as a fourth busy thread.
# Usage: [JOURNAL_WRITERS=N] bench/coordinator_bench.sh [BUILD_DIR] [JOBS]   (default 0, 1000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
jobs=${2:-1000}
exe="$root/$build/src/stylesweep"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache"
cat > "$work/trivial.yaml" <<YAML
output: $work/out
images:
  content: {chelsea: $root/configs/images/chelsea.png}
  style: {brick: $root/configs/images/brick.png}
defaults: {size: 8, iterations: 1, content_layers: [relu1_1], style_layers: [relu1_1]}
grid: {seed: {repeat: $jobs}}
YAML
"$exe" plan "$work/trivial.yaml" --format csv > /dev/null  # the default weights, once
"$root/scripts/mpirun.sh" -np 3 "$exe" run "$work/trivial.yaml" --threads 1 --journal-writers "${JOURNAL_WRITERS:-0}" > "$work/run.log" 2>&1
/usr/bin/python3 - "$work/out" <<'PY'
import json, os, sys
out = sys.argv[1]
status = json.load(open(os.path.join(out, "status.json")))
done, elapsed = status["done"], status["elapsed_seconds"]
busy, cpu = status["coordinator_busy_seconds"], status["coordinator_cpu_seconds"]
writer, png = status["store_cpu_seconds"], status["png_cpu_seconds"]
processes = status["journal_writer_cpu_seconds"]
size = lambda path: os.path.getsize(path) / 2**20
journal = sum(size(os.path.join(out, "jobs", f)) for f in os.listdir(os.path.join(out, "jobs")))
print(f"coordinator: {done} trivial jobs under mpirun -np 3 in {elapsed:.2f} s: "
      f"{done / elapsed:.0f} jobs/s, {1000 * elapsed / done:.2f} ms per job end to end")
print(f"coordinator busy {busy:.2f} s ({1000 * busy / done:.3f} ms per job), of it CPU {cpu:.2f} s "
      f"({1000 * cpu / done:.3f} ms per job)")
print(f"result store threads CPU: journal writer {writer:.2f} s ({1000 * writer / done:.3f} ms per "
      f"job), PNG writer {png:.2f} s ({1000 * png / done:.3f} ms per job)")
if processes > 0:
    print(f"busiest journal-writer process CPU {processes:.2f} s ({1000 * processes / done:.3f} ms per job)")
print(f"capacity of one coordinator with a core for each thread: {done / max(cpu, writer, png, processes):.0f} "
      f"jobs/s by CPU; {done / busy:.0f} jobs/s by busy time on these shared cores "
      f"(goal: 2000 jobs/s)")
print(f"results.h5 {size(os.path.join(out, 'results.h5')):.1f} MiB, journal {journal:.1f} MiB "
      f"({1024 * journal / done:.1f} KiB per job)")
PY
