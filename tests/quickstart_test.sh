#!/usr/bin/env bash
# The README's quick start (between its "quickstart" markers), every block as written, in a
# scratch checkout (configs/ and scripts/ linked, build/src/stylesweep the executable under test)
# with a scratch HOME: the link onto PATH, stylize, the sweep YAML saved as my-sweep.yaml, plan,
# mpirun, report and the pandas line. Only sizes and evaluations are made tiny (32 px, 3).
# Usage: quickstart_test.sh PATH_TO_STYLESWEEP PROJECT_ROOT
set -uo pipefail
exe=$1
root=$(cd "$2" && pwd)
source "$root/tests/lib.sh"

readme=$work/quickstart.md
sed -n '/<!-- quickstart: begin -->/,/<!-- quickstart: end -->/p' "$root/README.md" > "$readme"
check "the README has a quick start" test -s "$readme"

# Each fenced block into its own file: block-N.sh or block-N.yaml, in order.
"$python" - "$readme" "$work" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"^```(\w+)\n(.*?)^```$", text, flags=re.M | re.S)
for number, (language, body) in enumerate(blocks):
    open(f"{sys.argv[2]}/block-{number}.{language}", "w").write(body)
PY
shopt -s nullglob
sh_blocks=("$work"/block-*.sh)
yaml_blocks=("$work"/block-*.yaml)
check "four shell blocks and one YAML block" test "${#sh_blocks[@]}" -eq 4 -a "${#yaml_blocks[@]}" -eq 1

# Tiny sizes, and each replacement must have found its text (the README changed otherwise).
tiny() {  # FILE PATTERN REPLACEMENT
  grep -q -- "$2" "$1" && sed -i "s/$2/$3/g" "$1"
}
check "stylize's size and evaluations made tiny" bash -c "$(declare -f tiny); tiny '$work/block-1.sh' '--size 128' '--size 32' &&
  tiny '$work/block-1.sh' '--iterations 100' '--iterations 3'"
check "the sweep's size and evaluations made tiny" bash -c "$(declare -f tiny); tiny '${yaml_blocks[0]}' 'size: 128' 'size: 32' &&
  tiny '${yaml_blocks[0]}' 'iterations: 100' 'iterations: 3'"

checkout=$work/checkout
mkdir -p "$checkout/build/src" "$work/home"
ln -s "$root/configs" "$checkout/configs"
ln -s "$root/scripts" "$checkout/scripts"
ln -s "$exe" "$checkout/build/src/stylesweep"
cp "${yaml_blocks[0]}" "$checkout/my-sweep.yaml"

# The shell blocks in one shell, as a user types them one after another.
{
  echo "set -euo pipefail"
  for block in "${sh_blocks[@]}"; do cat "$block"; done
} > "$work/quickstart.sh"
(cd "$checkout" && HOME="$work/home" PATH="/usr/bin:/bin" bash "$work/quickstart.sh") > "$work/quickstart.log" 2>&1
code=$?
check "the quick start's commands succeed (exit $code)" test "$code" -eq 0
[[ $code -eq 0 ]] || tail -30 "$work/quickstart.log"

check "stylesweep is on PATH through the link" test -L "$work/home/.local/bin/stylesweep"
check "stylize wrote its picture" test -s "$checkout/tubingen-starry.png"
check "the sweep's four jobs are done" "$python" - "$checkout/results/my-sweep/results.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    jobs = f["jobs"]
    assert len(jobs) == 4 and all(j.attrs["status"] == "done" for j in jobs.values()), list(jobs)
PY
check "the report was written" test -s "$checkout/results/my-sweep/report/report.html"
check "the pandas line printed every label" bash -c "for label in starry-r1e-02 starry-r1e-01 scream-r1e-02 scream-r1e-01; do \
  grep -q \"\$label\" '$work/quickstart.log' || exit 1; done"
finish quickstart_test
