#!/usr/bin/env bash
# Opening a large sweep's results.h5 with the standard tools: bench/history_bench writes a file
# of JOBS jobs x EVALUATIONS evaluations as a publication does, then each of three fresh
# Python processes times the README's calls: xr.open_dataset(group="history",
# engine="h5netcdf") and ds.loss_total.values, and pd.read_hdf(path, "summary"). Goal: under
# 5 s for the first pair at 10,000 x 500.
# Usage: bench/history_bench.sh [BUILD_DIR] [JOBS] [EVALUATIONS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
jobs=${2:-10000}
evaluations=${3:-500}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/history_bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
"$root/$build/bench/history_bench" "$jobs" "$evaluations" "$scratch/results.h5"
for run in 1 2 3; do
  sync
  /usr/bin/python3 - "$scratch/results.h5" "$run" <<'PY'
import sys, time
start = time.perf_counter()
import numpy as np, pandas as pd, xarray as xr
imported = time.perf_counter()
ds = xr.open_dataset(sys.argv[1], group="history", engine="h5netcdf")
opened = time.perf_counter()
values = ds.loss_total.values
loaded = time.perf_counter()
summary = pd.read_hdf(sys.argv[1], "summary")
read = time.perf_counter()
assert values.shape == (ds.sizes["job"], ds.sizes["evaluation"]) and len(summary) == ds.sizes["job"]
print(f"run {sys.argv[2]}: open {opened - imported:.2f} s + loss_total.values {loaded - opened:.2f} s "
      f"({values.nbytes / 2**20:.0f} MiB) = {loaded - imported:.2f} s (goal < 5 s); "
      f"pd.read_hdf summary {read - loaded:.2f} s; python imports {imported - start:.2f} s")
PY
done
