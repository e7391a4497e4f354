#!/usr/bin/env python3
"""Converts PyTorch VGG-19 weights into stylesweep's weights file (run with Debian's python3-torch
and python3-h5py).

  torchvision: vgg19-dcbb9e9d.pth, keys features.{0,2,5,...,34}.weight|bias in order
               conv1_1 ... conv5_4; RGB, mean 255*[0.485, 0.456, 0.406], std 255*[0.229, 0.224, 0.225]
  gatys:       vgg_conv.pth (Gatys et al.'s normalized network, the one of the paper), keys
               conv1_1.weight ...; BGR, mean [103.939, 116.779, 123.68], std 1

Both the zip format and the legacy pickle format (which libtorch cannot read) load here.
Usage: convert_torch.py torchvision|gatys FILE.pth OUT.h5"""
import hashlib
import sys

import h5py
import numpy as np
import torch

BLOCKS = [2, 2, 4, 4, 4]
CONV_NAMES = [f"conv{b}_{c}" for b, n in enumerate(BLOCKS, start=1) for c in range(1, n + 1)]
TORCHVISION_INDICES = [0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34]
LAYOUTS = {
    "torchvision": {
        "keys": {name: f"features.{index}" for name, index in zip(CONV_NAMES, TORCHVISION_INDICES)},
        "channel_order": "RGB",
        "mean": [255 * 0.485, 255 * 0.456, 255 * 0.406],
        "std": [255 * 0.229, 255 * 0.224, 255 * 0.225],
    },
    "gatys": {
        "keys": {name: name for name in CONV_NAMES},
        "channel_order": "BGR",
        "mean": [103.939, 116.779, 123.68],
        "std": [1.0, 1.0, 1.0],
    },
}


def fail(message):
    print(f"convert_torch.py: {message}", file=sys.stderr)
    sys.exit(2)


def channels(name):
    block, index = int(name[4]), int(name[6])
    widths = [64, 128, 256, 512, 512]
    out = widths[block - 1]
    into = 3 if (block, index) == (1, 1) else (widths[block - 2] if index == 1 else out)
    return into, out


def convert(layout_name, source, destination):
    layout = LAYOUTS[layout_name]
    try:
        state = torch.load(source, map_location="cpu")
    except Exception as error:  # corrupt, truncated or not a PyTorch file
        fail(f"{source}: cannot load ({type(error).__name__}: {error})")
    if not isinstance(state, dict):
        fail(f"{source}: expected a state dict, found {type(state).__name__}")
    digest = hashlib.sha256(open(source, "rb").read()).hexdigest()
    with h5py.File(destination, "w", track_order=False) as out:
        out.attrs["format"] = "stylesweep-vgg19"
        out.attrs["format_version"] = np.int64(1)
        out.attrs["channel_order"] = layout["channel_order"]
        out.attrs["mean"] = np.array(layout["mean"], dtype=np.float64)
        out.attrs["std"] = np.array(layout["std"], dtype=np.float64)
        out.attrs["source"] = f"{layout_name}: {source} (sha256 {digest})"
        for name in CONV_NAMES:
            key = layout["keys"][name]
            into, width = channels(name)
            for part, shape in (("weight", (width, into, 3, 3)), ("bias", (width,))):
                if f"{key}.{part}" not in state:
                    fail(f"{source}: {key}.{part}: missing (needed for {name}; is this a {layout_name} file?)")
                tensor = state[f"{key}.{part}"].detach().cpu().float().numpy()
                if tensor.shape != shape:
                    fail(f"{source}: {key}.{part}: expected shape {list(shape)}, found {list(tensor.shape)}")
                out.create_dataset(f"{name}/{part}", data=tensor.astype(np.float32))
    print(f"wrote {destination} from {source} ({layout_name})")


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in LAYOUTS:
        fail("usage: convert_torch.py torchvision|gatys FILE.pth OUT.h5")
    convert(*sys.argv[1:])


if __name__ == "__main__":
    main()
