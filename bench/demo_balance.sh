#!/usr/bin/env bash
# How the demo's content/style balance falls across α/β: the demo's four content x style pairs
# at six ratios (1e-5 to 3e-3, 128 px, 100 L-BFGS evaluations, random weights), and for each
# result how much content it keeps: its unweighted content loss over that of the initial noise
# (lower keeps more). Given a second build (a worktree of an earlier version), both are run and
# printed side by side, to see how far a change of the losses moved the balance.
# Usage: bench/demo_balance.sh [BUILD_DIR] [OTHER_BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache"
builds=("${1:-build}")
[[ $# -ge 2 ]] && builds+=("$2")
for build in "${builds[@]}"; do
  name=$(echo "$build" | tr -c 'A-Za-z0-9_\n-' '_')
  sed -e "s|^output: .*|output: $work/out-$name|" -e "s|images/|$root/configs/images/|" \
      -e "s|^  ratio: .*|  ratio: [1.0e-5, 3.0e-5, 1.0e-4, 3.0e-4, 1.0e-3, 3.0e-3]|" \
      "$root/configs/demo.yaml" > "$work/balance-$name.yaml"
  "$root/$build/src/stylesweep" run "$work/balance-$name.yaml" --threads 1 --progress plain > "$work/$name.log"
done
/usr/bin/python3 - "$work" "${builds[@]}" <<'PY'
import math, re, sys
import h5py

work, builds = sys.argv[1], sys.argv[2:]

def content_kept(build):
    name = re.sub(r"[^A-Za-z0-9_-]", "_", build)
    kept = {}
    with h5py.File(f"{work}/out-{name}/results.h5", "r") as f:
        for group in f["jobs"].values():
            at = int(group.attrs["result_evaluation"])
            content = group["loss/content"]
            pair = f"{group.attrs['content']}-{group.attrs['style']}"
            kept[pair, float(group.attrs["ratio"])] = content[at] / content[0]
    return kept

def matching_ratio(run, pair, ratios, kept):
    """The alpha/beta at which `run` keeps `kept`, interpolated in log-log between its ratios."""
    points = [(ratio, run[pair, ratio]) for ratio in ratios]
    for (r0, k0), (r1, k1) in zip(points, points[1:]):
        if k1 <= kept <= k0 and k0 > k1:
            return math.exp(math.log(r0) + (math.log(k0) - math.log(kept)) / (math.log(k0) - math.log(k1))
                            * (math.log(r1) - math.log(r0)))
    return float("nan")

runs = [content_kept(build) for build in builds]
print("content kept (L_c of the result / L_c of the initial noise) by alpha/beta; columns: " + ", ".join(builds)
      + ("; then the alpha/beta at which the first keeps what the second keeps at this one" if len(runs) > 1 else ""))
for pair in sorted({pair for pair, _ in runs[0]}):
    print(pair)
    ratios = sorted({ratio for p, ratio in runs[0] if p == pair})
    for ratio in ratios:
        line = f"  {ratio:8.0e}  " + "  ".join(f"{run[pair, ratio]:9.4f}" for run in runs)
        if len(runs) > 1:
            line += f"  {matching_ratio(runs[0], pair, ratios, runs[1][pair, ratio]):9.2e}"
        print(line)
PY
