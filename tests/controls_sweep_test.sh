#!/usr/bin/env bash
# The example sweeps of colour control, spatial control and the style losses (configs/), run end
# to end at a tiny size on the paper's images: every job finishes, the controls are recorded in
# each job's attributes and the analysis views, and the masked runs differ from each other.
# Usage: controls_sweep_test.sh PATH_TO_STYLESWEEP PROJECT_ROOT
set -uo pipefail
exe=$1
root=$(cd "$2" && pwd)
source "$root/tests/lib.sh"

ln -s "$root/configs/images" "$work/images"
for name in color_control style_losses spatial_control; do
  # The configs as shipped, at 32 px for 4 evaluations, writing into the scratch directory; the
  # style losses at 48 px, where mrf's 3x3 patches fit Starry Night's relu4_1 features (6x4).
  size=32
  [[ $name == style_losses ]] && size=48
  sed -e "s/^  size: .*/  size: $size/" -e 's/^  iterations: .*/  iterations: 4/' \
      -e "s|^output: .*|output: $work/out-$name|" "$root/configs/$name.yaml" > "$work/$name.yaml"
  check "$name runs" bash -c "'$exe' run '$work/$name.yaml' --progress plain > '$work/$name.log' 2>&1 || { tail -20 '$work/$name.log'; false; }"
done

check_results() {  # check_results NAME JOBS PARAMETER VALUES...
  "$python" - "$work/out-$1/results.h5" "$@" <<'PY'
import sys
import os
import h5py, numpy as np, pandas as pd
path, name, jobs, parameter, *values = sys.argv[1:]

def shown(value):  # lists of paths as their file names joined by '+'
    if isinstance(value, np.ndarray):
        return "+".join(os.path.basename(str(item)) for item in value)
    return str(value)

with h5py.File(path, "r") as f:
    groups = f["jobs"]
    assert len(groups) == int(jobs), (name, len(groups))
    seen = set()
    for job in groups.values():
        assert job.attrs["status"] == "done", (name, job.attrs["status"])
        assert np.isfinite(job["loss/total"][()]).all(), name
        seen.add(shown(job.attrs[parameter]))
    assert seen == set(values), (name, seen, values)
summary = pd.read_hdf(path, "summary")
assert summary[parameter].nunique() == len(values), (name, summary[parameter])
PY
}

check "colour controls recorded" check_results color_control 5 color_control \
  none luminance histogram_chol histogram_pca histogram_sym
check "style losses recorded" check_results style_losses 20 style_loss \
  gram gram_mse gaussian_w2 sliced_wasserstein mrf
check "style masks recorded" check_results spatial_control 4 style_masks \
  starry_night_sky.png+the_scream_ground.png all+all

# Sky and ground in their own paintings' styles is another optimization than both in both.
check "masks change the result" "$python" - "$work/out-spatial_control/results.h5" <<'PY'
import sys
import h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    by_masks = {}
    for job in f["jobs"].values():
        if abs(job.attrs["ratio"] - 1e-3) < 1e-12:
            by_masks[str(job.attrs["style_masks"])] = job["loss/style"][()]
    a, b = by_masks.values()
    assert not np.array_equal(a, b), (a, b)
PY

# One job from the command line: the masks as options, and a mask of the wrong image refused.
images=$root/configs/images
check "stylize with masks" "$exe" stylize --content "$images/tubingen.jpg" --style "$images/starry_night.jpg" \
  --style "$images/the_scream.jpg" --content-mask "$images/tubingen_sky.png" \
  --style-mask "$images/starry_night_sky.png" --style-mask all --size 32 --iterations 3 --out "$work/masked.png"
check "stylize refuses a mask of another size" bash -c "'$exe' stylize --content '$images/tubingen.jpg' \
  --style '$images/starry_night.jpg' --content-mask '$images/starry_night_sky.png' --size 32 --iterations 3 \
  --out '$work/bad.png' > '$work/bad.txt' 2>&1; [[ \$? -eq 2 ]] && grep -q 'mask is 1024x640 px but its image' '$work/bad.txt'"

finish controls_sweep_test
