#!/usr/bin/env bash
# The bad-input catalogue (tests/bad_inputs/): every case in cases.txt runs its command in a
# scratch copy of the catalogue and must exit with its code and print its message. Then:
#  - hostile names: a sweep whose values and names try to escape writes nothing outside its
#    output directory;
#  - a disk that fills during a sweep (a small tmpfs, as root; skipped otherwise): the sweep
#    stops with the reason, results.h5 lists every finished job, and a rerun with space finishes.
# Usage: bad_inputs_test.sh PATH_TO_STYLESWEEP PROJECT_ROOT
set -uo pipefail
exe=$1
root=$(cd "$2" && pwd)
source "$root/tests/lib.sh"
# The disk-full case mounts a tmpfs inside the scratch directory: unmount it before removal.
trap 'umount "$work/full_disk" "$work/full_history_disk" 2>/dev/null; rm -rf "$work"' EXIT
catalogue="$root/tests/bad_inputs"

cp "$catalogue"/*.yaml "$catalogue/make_fixtures.py" "$work/"
cp "$root/configs/images/chelsea.png" "$work/c.png"
cp "$root/configs/images/brick.png" "$work/s.png"
cp "$root/configs/images/hubble_deep_field.jpg" "$work/hubble.jpg"
cd "$work" || exit 1
"$exe" weights random --out weights.h5 > /dev/null
"$python" make_fixtures.py || { echo "bad_inputs_test: cannot make fixtures"; exit 1; }

# Root reads any file whatever its mode: run the "unreadable" cases as nobody then.
as_unprivileged() {
  if [[ $(id -u) -eq 0 ]]; then
    chmod 755 "$work"
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
  else
    "$@"
  fi
}

run_case() {  # NAME EXIT MESSAGE ARGS...
  local name=$1 expected_exit=$2 message=$3
  shift 3
  local runner=()
  if [[ $1 == nobody: ]]; then runner=(as_unprivileged); shift; fi
  "${runner[@]}" "$exe" "$@" > "out-$name.txt" 2>&1
  local code=$?
  if [[ $code -ne $expected_exit ]]; then
    echo "case $name: exit $code, expected $expected_exit; output:"; tail -5 "out-$name.txt"
    return 1
  fi
  if ! grep -qF -- "$message" "out-$name.txt"; then
    echo "case $name: message not found: $message; output:"; tail -5 "out-$name.txt"
    return 1
  fi
}

cases=0
while IFS='|' read -r name code message command; do
  [[ -z "${name// }" || $name == \#* ]] && continue
  name=$(echo $name)
  message=$(echo "$message" | sed 's/^ *//; s/ *$//')
  read -r -a args <<< "$command"
  check "case $name" run_case "$name" $code "$message" "${args[@]}"
  cases=$((cases + 1))
done < "$catalogue/cases.txt"
echo "bad_inputs_test: $cases catalogue cases run"

# Hostile names: labels come from values; none may leave the output directory.
mkdir -p hostile/inside && cp c.png s.png hostile/inside/
cat > hostile/inside/sweep.yaml <<'YAML'
name: hostile
output: out
images:
  content: {"cat..": c.png, c.a.t: s.png}
  style: {brick: s.png}
defaults: {size: 32, iterations: 1}
grid:
  content: ["cat..", c.a.t]
  init: [noise, "../inside/c.png", "./../inside/s.png"]
YAML
touch hostile/marker
"$exe" run hostile/inside/sweep.yaml > hostile.log 2>&1
check "hostile names: the sweep ran (exit 0)" test $? -eq 0
check "hostile names: 6 jobs done" grep -q "^summary: 6 done, 0 failed" hostile.log
outside=$(find hostile -newer hostile/marker -not -path 'hostile/inside/out*' -not -path hostile/inside)
check "hostile names: nothing written outside the output directory" test -z "$outside"
[[ -n "$outside" ]] && echo "written outside: $outside"
check "hostile names: every image file is inside images/" \
  bash -c '[[ $(find hostile/inside/out/images -name "*.png" | wc -l) -eq 6 ]]'

# mount_small_disk DIR SIZE CASE: a tmpfs of SIZE at DIR; says the case is skipped and fails
# where it cannot be mounted (not root).
mount_small_disk() {
  mkdir -p "$1"
  if [[ $(id -u) -ne 0 ]] || ! mount -t tmpfs -o size="$2" tmpfs "$1" 2>/dev/null; then
    echo "bad_inputs_test: $3 case SKIPPED (needs root to mount a small tmpfs)"
    return 1
  fi
}

# A disk that fills mid-sweep. The tmpfs holds the store's 8 MiB reserve and about 200 KiB more,
# enough for a few 32 px jobs of the twelve; freeing the reserve may then keep all that finished.
disk_full() {
  local mount_point="$work/full_disk"
  mount_small_disk "$mount_point" 10m disk-full || return 0
  head -c $((10 * 1024 * 1024 - 8 * 1024 * 1024 - 200 * 1024)) /dev/zero > "$mount_point/filler"
  cat > full.yaml <<YAML
output: $mount_point/out
images: {content: {cat: c.png}, style: {brick: s.png}}
defaults: {size: 32, iterations: 3}
grid: {seed: {range: [0, 12, 1]}}
YAML
  "$exe" run full.yaml > full.log 2>&1
  check "disk full: the sweep stops with exit 1" test $? -eq 1
  check "disk full: the reason is named" grep -q "cannot store results: .*disk full" full.log
  check "disk full: the user is told what to do" grep -q "run the same command again" full.log
  "$python" - "$mount_point/out" > full_check.txt 2>&1 <<'PY'
import os, sys, h5py
out = sys.argv[1]
journaled = []
for name in os.listdir(out + "/jobs"):
    if name.endswith(".h5"):
        with h5py.File(os.path.join(out, "jobs", name), "r") as segment:
            journaled += list(segment["jobs"])
journaled.sort()
leftovers = [name for name in os.listdir(out + "/jobs") if ".tmp-" in name]
with h5py.File(out + "/results.h5", "r") as f:
    stored = sorted(f["jobs"])
    assert all(f["jobs"][j].attrs["status"] == "done" for j in stored)
assert 0 < len(stored) <= 12, len(stored)
assert stored == journaled, (stored, journaled)
assert not leftovers, leftovers
print(len(stored))
PY
  check "disk full: results.h5 lists every finished job, no partial files" test $? -eq 0
  local kept
  kept=$(tail -1 full_check.txt)
  [[ $kept =~ ^[0-9]+$ ]] || { cat full_check.txt; kept=0; }
  rm -f "$mount_point/filler"
  "$exe" run full.yaml > full2.log 2>&1
  check "disk full: with space again the rerun finishes" test $? -eq 0
  check "disk full: the rerun skips the kept jobs" grep -q "12 jobs in .*: $kept done, $((12 - kept)) to run" full2.log
  umount "$mount_point"
}
disk_full

# `stylize --history` onto a full filesystem: an I/O failure, exit 1 (not 2, bad input), the disk
# named, the image written, and no torn history file left behind.
history_disk_full() {
  local mount_point="$work/full_history_disk"
  mount_small_disk "$mount_point" 256k "history disk-full" || return 0
  head -c $((256 * 1024)) /dev/zero > "$mount_point/filler" 2>/dev/null
  "$exe" stylize --content c.png --style s.png --size 32 --iterations 2 --weights weights.h5 \
    --out history_full.png --history "$mount_point/run.h5" > history_full.log 2>&1
  local code=$?
  check "history disk full: exit 1, an I/O failure (got $code)" test "$code" -eq 1
  check "history disk full: the message names the file and the full disk" \
    grep -q "error: $mount_point/run.h5: .*disk full (0 KiB free on $mount_point)" history_full.log
  check "history disk full: the image is kept" test -s history_full.png
  check "history disk full: no torn history file" test -z "$(ls "$mount_point" | grep -v '^filler$')"
  [[ $code -eq 1 ]] || cat history_full.log
  umount "$mount_point"
}
history_disk_full

finish bad_inputs_test
