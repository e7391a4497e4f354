#!/usr/bin/env bash
# Importers against fixtures generated here in each published layout, with known values:
# Keras 2016 (block1_conv1_W_1:0) and re-saved Keras (block1_conv1/kernel:0) via h5py; torchvision
# and Gatys state dicts via python3-torch torch.save, zip and legacy formats. Each import is
# compared tensor by tensor (HWIO -> OIHW included) and attribute by attribute; broken inputs
# give clear errors; a sweep with an imported file records its SHA-256 and source.
# Usage: weights_import_test.sh PATH_TO_STYLESWEEP PROJECT_ROOT
set -uo pipefail
exe=$1
root=$(cd "$2" && pwd)
source "$root/tests/lib.sh"
expect_error() {  # expect_error MESSAGE COMMAND...
  local message=$1
  shift
  local output
  output=$("$@" 2>&1)
  if [[ $? -ne 0 && "$output" == *"$message"* ]]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: expected an error containing: $message"; echo "  got: $output"; fi
}

"$python" - "$work" <<'PY'
import sys, h5py, numpy as np
work = sys.argv[1]
rng = np.random.default_rng(7)
blocks, widths = [2, 2, 4, 4, 4], [64, 128, 256, 512, 512]
layers, into = [], 3
for b, n in enumerate(blocks, start=1):
    for c in range(1, n + 1):
        layers.append((f"block{b}_conv{c}", f"conv{b}_{c}", into, widths[b - 1]))
        into = widths[b - 1]
# keras-vlen: the re-saved layout with variable-length string attributes, as h5py writes a list
# of str (UTF-8) or string_dtype('ascii') (ASCII), not fixed-length bytes.
for style in ("keras1", "keras2", "keras-vlen"):
    with h5py.File(f"{work}/{style}.h5", "w") as f:
        names = ["input_1"]
        for keras, ours, cin, cout in layers:
            names.append(keras)
            if keras.endswith(f"_conv{2 if keras.startswith(('block1', 'block2')) else 4}"):
                names.append(keras.split("_")[0] + "_pool")
            group = f.create_group(keras)
            # Kaiming scale, so a sweep can run on the imported file.
            kernel = rng.standard_normal((3, 3, cin, cout), dtype=np.float32) * np.float32(np.sqrt(2 / (9 * cin)))
            bias = rng.standard_normal(cout, dtype=np.float32)
            if style == "keras1":
                weight_names = [f"{keras}_W_1:0", f"{keras}_b_1:0"]
            else:
                weight_names = [f"{keras}/kernel:0", f"{keras}/bias:0"]
            group.create_dataset(weight_names[0], data=kernel)
            group.create_dataset(weight_names[1], data=bias)
            group.attrs["weight_names"] = weight_names if style == "keras-vlen" else np.array([n.encode() for n in weight_names])
        for name in names:
            if name not in f:
                f.create_group(name).attrs["weight_names"] = np.array([], dtype="S1")
        if style == "keras-vlen":  # variable-length ASCII here, UTF-8 in the groups
            f.attrs.create("layer_names", names, dtype=h5py.string_dtype("ascii"))
        else:
            f.attrs["layer_names"] = np.array([n.encode() for n in names])
print("keras fixtures written")
PY
for style in keras1 keras2 keras-vlen; do
  "$exe" weights import keras "$work/$style.h5" --out "$work/$style-imported.h5" > /dev/null
  check "$style imports" test -s "$work/$style-imported.h5"
done
"$python" - "$work" <<'PY' || { failed=$((failed + 1)); echo "FAIL: keras round trip"; }
import sys, h5py, numpy as np
work = sys.argv[1]
for style in ("keras1", "keras2", "keras-vlen"):
    source, imported = h5py.File(f"{work}/{style}.h5", "r"), h5py.File(f"{work}/{style}-imported.h5", "r")
    assert imported.attrs["format"] == "stylesweep-vgg19" and imported.attrs["channel_order"] == "BGR"
    assert list(imported.attrs["mean"]) == [103.939, 116.779, 123.68] and list(imported.attrs["std"]) == [1, 1, 1]
    assert imported.attrs["source"].startswith(f"keras: {work}/{style}.h5 (sha256 ")
    for keras in source.attrs["layer_names"]:
        keras = keras.decode() if isinstance(keras, bytes) else keras
        if "conv" not in keras:
            continue
        names = [n.decode() if isinstance(n, bytes) else n for n in source[keras].attrs["weight_names"]]
        ours = "conv" + keras[5] + "_" + keras[-1]
        assert np.array_equal(imported[ours]["weight"][()], np.transpose(source[keras][names[0]][()], (3, 2, 0, 1)))
        assert np.array_equal(imported[ours]["bias"][()], source[keras][names[1]][()])
print("keras 2016 and re-saved layouts round-trip exactly")
PY
passed=$((passed + 1))

# Broken Keras files.
"$python" - "$work" <<'PY'
import sys, h5py, shutil
work = sys.argv[1]
shutil.copy(f"{work}/keras2.h5", f"{work}/missing.h5")
with h5py.File(f"{work}/missing.h5", "a") as f:
    names = [n for n in f.attrs["layer_names"] if n != b"block3_conv2"]
    f.attrs["layer_names"] = names
shutil.copy(f"{work}/keras2.h5", f"{work}/shape.h5")
with h5py.File(f"{work}/shape.h5", "a") as f:
    del f["block2_conv1"]["block2_conv1/bias:0"]
    f["block2_conv1"].create_dataset("block2_conv1/bias:0", data=[0.0] * 64, dtype="float32")
with h5py.File(f"{work}/unknown.h5", "w") as f:
    f.create_group("conv1_1")
data = open(f"{work}/keras2.h5", "rb").read()
open(f"{work}/truncated.h5", "wb").write(data[: len(data) // 3])
PY
expect_error "$work/missing.h5: /block3_conv2: missing layer (layer_names does not list it)" "$exe" weights import keras "$work/missing.h5" --out "$work/x.h5"
expect_error "$work/shape.h5: /block2_conv1/block2_conv1/bias:0: expected shape [128], found [64]" "$exe" weights import keras "$work/shape.h5" --out "$work/x.h5"
expect_error "$work/unknown.h5: unknown layout: no root attribute 'layer_names'" "$exe" weights import keras "$work/unknown.h5" --out "$work/x.h5"
expect_error "$work/truncated.h5: " "$exe" weights import keras "$work/truncated.h5" --out "$work/x.h5"

# PyTorch layouts.
if ! "$python" -c "import torch" 2>/dev/null; then
  echo "weights_import_test: SKIPPED the PyTorch importers: python3-torch is not installed"
else
  "$python" - "$work" <<'PY'
import sys, torch
work = sys.argv[1]
torch.manual_seed(3)
blocks, widths = [2, 2, 4, 4, 4], [64, 128, 256, 512, 512]
indices = [0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34]
convs, into = [], 3
for b, n in enumerate(blocks, start=1):
    for c in range(1, n + 1):
        convs.append((f"conv{b}_{c}", into, widths[b - 1]))
        into = widths[b - 1]
torchvision = {}
gatys = {}
for (name, cin, cout), index in zip(convs, indices):
    weight, bias = torch.randn(cout, cin, 3, 3), torch.randn(cout)
    torchvision[f"features.{index}.weight"], torchvision[f"features.{index}.bias"] = weight, bias
    gatys[f"{name}.weight"], gatys[f"{name}.bias"] = weight.clone(), bias.clone()
torchvision["classifier.0.weight"] = torch.randn(8, 8)  # the full model carries a classifier
torch.save(torchvision, f"{work}/torchvision.pth")
torch.save(torchvision, f"{work}/torchvision-legacy.pth", _use_new_zipfile_serialization=False)
torch.save(gatys, f"{work}/gatys.pth", _use_new_zipfile_serialization=False)
del gatys["conv4_3.weight"]
torch.save(gatys, f"{work}/gatys-missing.pth")
print("torch fixtures written")
PY
  for pair in "torchvision torchvision" "torchvision torchvision-legacy" "gatys gatys"; do
    set -- $pair
    "$python" "$root/weights/convert_torch.py" "$1" "$work/$2.pth" "$work/$2.h5" > /dev/null
    check "$2 converts" test -s "$work/$2.h5"
  done
  "$python" - "$work" <<'PY' || { failed=$((failed + 1)); echo "FAIL: torch round trip"; }
import sys, h5py, numpy as np, torch
work = sys.argv[1]
indices = [0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34]
names = [f"conv{b}_{c}" for b, n in enumerate([2, 2, 4, 4, 4], start=1) for c in range(1, n + 1)]
for file, layout in (("torchvision", "torchvision"), ("torchvision-legacy", "torchvision"), ("gatys", "gatys")):
    state = torch.load(f"{work}/{file}.pth")
    out = h5py.File(f"{work}/{file}.h5", "r")
    assert out.attrs["source"].startswith(f"{layout}: ")
    if layout == "torchvision":
        assert out.attrs["channel_order"] == "RGB"
        assert np.allclose(out.attrs["mean"], [123.675, 116.28, 103.53]) and np.allclose(out.attrs["std"], [58.395, 57.12, 57.375])
        keys = {n: f"features.{i}" for n, i in zip(names, indices)}
    else:
        assert out.attrs["channel_order"] == "BGR" and list(out.attrs["std"]) == [1, 1, 1]
        keys = {n: n for n in names}
    for name in names:
        assert np.array_equal(out[name]["weight"][()], state[keys[name] + ".weight"].numpy()), (file, name)
        assert np.array_equal(out[name]["bias"][()], state[keys[name] + ".bias"].numpy()), (file, name)
print("torchvision (zip and legacy) and Gatys state dicts round-trip exactly")
PY
  passed=$((passed + 1))
  expect_error "gatys-missing.pth: conv4_3.weight: missing (needed for conv4_3" "$python" "$root/weights/convert_torch.py" gatys "$work/gatys-missing.pth" "$work/x.h5"
  expect_error "torchvision.pth: conv1_1.weight: missing (needed for conv1_1; is this a gatys file?)" "$python" "$root/weights/convert_torch.py" gatys "$work/torchvision.pth" "$work/x.h5"
  head -c 1000 "$work/gatys.pth" > "$work/cut.pth"
  expect_error "cut.pth: cannot load" "$python" "$root/weights/convert_torch.py" gatys "$work/cut.pth" "$work/x.h5"
  "$exe" weights info "$work/gatys.h5" > /dev/null
  check "the converted file loads in stylesweep" test $? -eq 0
fi

# verify: random fixtures labelled pretrained are flagged; a 0-1 scale mean is flagged.
"$exe" weights verify "$work/keras2-imported.h5" > "$work/verify.log" 2>&1
check "verify flags random weights labelled keras (exit 1)" test $? -eq 1
check "verify says why" grep -q "these look like random weights" "$work/verify.log"
"$python" - "$work" <<'PY'
import sys, h5py, shutil
work = sys.argv[1]
shutil.copy(f"{work}/keras2-imported.h5", f"{work}/wrong-mean.h5")
with h5py.File(f"{work}/wrong-mean.h5", "a") as f:
    f.attrs["mean"] = [0.406, 0.456, 0.485]
PY
"$exe" weights verify "$work/wrong-mean.h5" > "$work/verify-mean.log" 2>&1
check "verify flags a 0-1 scale mean" grep -q "look wrong for the 0-255 pixel scale" "$work/verify-mean.log"

# A sweep with an imported file records its SHA-256 and source.
cat > "$work/sweep.yaml" <<YAML
weights: $work/keras2-imported.h5
output: $work/out
images:
  content: {chelsea: $root/configs/images/chelsea.png}
  style: {hubble: $root/configs/images/hubble_deep_field.jpg}
defaults: {size: 32, iterations: 2}
YAML
"$exe" run "$work/sweep.yaml" > "$work/run.log" 2>&1
check "a sweep runs with imported weights" grep -q "^summary: 1 done" "$work/run.log"
"$python" - "$work" <<'PY' || { failed=$((failed + 1)); echo "FAIL: results record the weights"; }
import hashlib, sys, h5py
work = sys.argv[1]
digest = hashlib.sha256(open(f"{work}/keras2-imported.h5", "rb").read()).hexdigest()
with h5py.File(f"{work}/out/results.h5", "r") as f:
    assert f.attrs["weights_sha256"] == digest
    assert f.attrs["weights_source"].startswith("keras: ")
    job = next(iter(f["jobs"].values()))
    assert job.attrs["weights_sha256"] == digest
print("results.h5 records the imported file's SHA-256 and source")
PY
passed=$((passed + 1))

finish weights_import_test
