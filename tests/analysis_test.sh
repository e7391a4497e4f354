#!/usr/bin/env bash
# results.h5 read by the standard tools as it is, while a sweep runs and once it has finished:
# xr.open_dataset(group="history", engine="h5netcdf") and pd.read_hdf(path, "summary"), the
# exact calls of the README, with Debian's xarray, h5netcdf, PyTables and pandas. The values
# are checked against the job groups (h5py), jobs of different lengths leave NaN after their
# end, layers a job does not use are NaN, the Fig. 3 unstack gives the grid, and
# scripts/analyze.py prints the yardstick grid and plots the curves; scripts/compare_results.py
# tells a copy from a changed file.
# Usage: analysis_test.sh PATH_TO_STYLESWEEP PROJECT_ROOT
set -uo pipefail
exe=$1
root=$(cd "$2" && pwd)
source "$root/tests/lib.sh"

# 2 layer sets x 2 ratios x 2 stop settings; Adam, so a job's final loss is its last entry.
cat > "$work/sweep.yaml" <<YAML
name: analysis
output: $work/out
weights: random  # its quick Adam convergence: half of the jobs stop early within 60 evaluations
images:
  content: {chelsea: $root/configs/images/chelsea.png}
  style: {hubble: $root/configs/images/hubble_deep_field.jpg}
defaults: {size: 40, iterations: 60, optimizer: adam, lr: 4}
grid:
  style_layers: [[relu1_1], [relu1_1, relu2_1]]
  ratio: [1.0e-3, 1.0e-1]
  stop_rel_tol: [0, 2.0e-2]
YAML

check_views() {  # check_views STAGE: the calls work and agree with the job groups
  "$python" - "$work/out/results.h5" "$1" <<'PY'
import sys
import h5py, numpy as np, pandas as pd, xarray as xr
path, stage = sys.argv[1], sys.argv[2]
ds = xr.open_dataset(path, group="history", engine="h5netcdf")
summary = pd.read_hdf(path, "summary")
with h5py.File(path, "r") as f:
    ids = [i.decode() for i in f["index/id"][()]]
    assert list(ds.job.values) == ids, (list(ds.job.values), ids)
    assert list(summary.id) == ids
    assert set(ds.dims) == {"job", "evaluation", "style_layer"}, ds.dims
    assert list(ds.style_layer.values) == ["relu1_1", "relu2_1"], ds.style_layer.values
    for name in ("loss_total", "loss_content", "loss_style", "loss_tv"):
        assert ds[name].dims == ("job", "evaluation") and ds[name].dtype == np.float64, name
    assert ds.loss_style_layer.dims == ("job", "evaluation", "style_layer")
    total = ds.loss_total.values  # loads every history
    for row, job in enumerate(ids):
        group = f["jobs"][job]
        own = group["loss/total"][()]
        assert np.array_equal(total[row, :own.size], own), job
        assert np.isnan(total[row, own.size:]).all(), job
        layers = [l.decode() if isinstance(l, bytes) else l for l in group["loss/style_layers"].attrs["layers"]]
        per_layer = ds.loss_style_layer.sel(job=job).values
        for l, layer in enumerate(ds.style_layer.values):
            if layer in layers:
                assert np.array_equal(per_layer[:own.size, l], group["loss/style_layers"][:, layers.index(layer)])
            else:
                assert np.isnan(per_layer[:, l]).all(), (job, layer)
        line = summary.set_index("id").loc[job]
        assert line.loss_total == own[-1], (line.loss_total, own[-1])
        assert line.termination == group.attrs["termination"], job
        for metric in ("metric_content", "metric_style", "metric_ssim", "metric_color"):
            assert line[metric] == group.attrs[metric] and np.isfinite(line[metric]), (job, metric)
    # Numbers stay numbers; layer sets read as text.
    assert ds.ratio.dtype == np.float64 and summary.ratio.dtype == np.float64
    assert set(ds.style_layers.values) <= {"relu1_1", "relu1_1+relu2_1"}
    for column in ("id", "label", "status", "style_layers", "ratio", "stop_rel_tol", "loss_total", "loss_content",
                   "loss_style", "loss_tv", "metric_content", "metric_style", "metric_ssim", "metric_color",
                   "evaluations", "termination", "wall_seconds"):
        assert column in summary.columns, column
if stage == "finished":
    assert len(ids) == 8 and (summary.status == "done").all()
    # Jobs that stopped early end with NaN where the others go on.
    assert set(summary.termination) == {"iterations", "converged"}, set(summary.termination)
    assert ds.loss_total.isnull().any()
    grid = ds.sel(job=ds.stop_rel_tol == 0).set_index(job=["style_layers", "ratio"]).unstack("job")
    assert dict(grid.loss_total.sizes) == {"evaluation": 61, "style_layers": 2, "ratio": 2}, grid.loss_total.sizes
    assert np.isfinite(grid.loss_total.values).all()
print(f"{stage}: {len(ids)} jobs read")
PY
}

"$exe" run "$work/sweep.yaml" --threads 1 >"$work/run.log" 2>&1 &
runner=$!
# While it runs: as soon as results.h5 holds a job and the run is still going.
seen_running=0
for _ in $(seq 1 600); do
  if [[ -f "$work/out/results.h5" ]] && kill -0 "$runner" 2>/dev/null; then
    if check_views running >"$work/running.log" 2>&1; then seen_running=1; break; fi
  fi
  kill -0 "$runner" 2>/dev/null || break
  sleep 0.2
done
wait "$runner"
status=$?
check "the sweep finishes" test "$status" -eq 0
check "the views read while the sweep runs" test "$seen_running" -eq 1
[[ $seen_running -eq 1 ]] || cat "$work/running.log"
check "the views read once it has finished" check_views finished
check "analyze.py prints the yardstick grid" bash -c "'$python' '$root/scripts/analyze.py' '$work/out' --by ratio >'$work/analyze.log' 2>&1 &&
  grep -q '^metric_style (stop_rel_tol=0): rows style_layers, columns ratio' '$work/analyze.log' &&
  grep -q '^relu1_1+relu2_1 ' '$work/analyze.log'"
check "analyze.py plots the loss curves" test -s "$work/out/analysis/loss-curves-by-ratio.png"
check "analyze.py names a parameter the sweep lacks (exit 2)" bash -c "'$python' '$root/scripts/analyze.py' '$work/out' --by nosuch >'$work/bad.log' 2>&1;
  test \$? -eq 2 && grep -q 'by nosuch: not a parameter of this sweep' '$work/bad.log'"
# scripts/compare_results.py, the refactors' bit-for-bit check: a copy compares equal, a copy
# with one loss value changed in its last bit does not.
cp "$work/out/results.h5" "$work/copy.h5"
check "compare_results.py: a copy is identical" bash -c "'$python' '$root/scripts/compare_results.py' '$work/out/results.h5' '$work/copy.h5' | grep -q ': identical$'"
"$python" - "$work/copy.h5" <<'PY'
import sys
import h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    losses = f["jobs"][sorted(f["jobs"])[0]]["loss/style"]
    values = losses[()]
    values[-1] = np.nextafter(values[-1], np.inf)
    losses[...] = values
PY
check "compare_results.py: one last bit differs (exit 1)" bash -c "'$python' '$root/scripts/compare_results.py' '$work/out/results.h5' '$work/copy.h5' > '$work/compare.log';
  test \$? -eq 1 && grep -q '/loss/style: differs' '$work/compare.log' && grep -q '1 differences' '$work/compare.log'"
[[ $failed -eq 0 ]] || { cat "$work/run.log"; cat "$work/analyze.log" 2>/dev/null; }
finish analysis_test
