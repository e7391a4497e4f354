"""Writes the generated inputs of the bad-input catalogue into the current directory: broken
images and broken weights files, made from the valid ones already there (c.png, s.png,
hubble.jpg, weights.h5). Large or binary fixtures are made here rather than committed."""
import os
import shutil
import struct
import zlib

import h5py
import numpy as np


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def images():
    open("zero_bytes.png", "wb").close()
    os.makedirs("a_directory", exist_ok=True)
    shutil.copy("c.png", "unreadable.png")
    os.chmod("unreadable.png", 0)
    with open("notes.txt", "w") as out:
        out.write("not an image\n")
    png = open("c.png", "rb").read()
    open("truncated.png", "wb").write(png[: len(png) // 2])
    jpeg = open("hubble.jpg", "rb").read()
    open("truncated.jpg", "wb").write(jpeg[: len(jpeg) // 2])
    corrupt = bytearray(png)
    for i in range(100, len(corrupt), 7):  # past the header: the pixel data is garbage
        corrupt[i] ^= 0x5A
    open("corrupt.png", "wb").write(bytes(corrupt))
    # A valid PNG header claiming 100000 x 100000 RGB pixels, with almost no data behind it.
    header = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    huge = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(b"\0" * 64)) + png_chunk(b"IEND", b"")
    open("huge_header.png", "wb").write(huge)


def rgb_png(path, pixels):
    """An 8-bit RGB PNG of an array [height, width, 3] of uint8."""
    height, width, _ = pixels.shape
    rows = b"".join(b"\0" + pixels[y].tobytes() for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(rows))
                  + png_chunk(b"IEND", b""))


def masks():
    # c.png is chelsea, 451 x 300: a mask of another size, and one with 9 colours (9 bands).
    rgb_png("mask_small.png", np.zeros((30, 45, 3), np.uint8))
    bands = np.zeros((300, 451, 3), np.uint8)
    for band in range(9):
        bands[band * 34 : (band + 1) * 34, :, 0] = band * 30
    rgb_png("mask_nine_colors.png", bands)
    rgb_png("mask_two_halves.png", np.concatenate([np.zeros((150, 451, 3), np.uint8),
                                                   np.full((150, 451, 3), 255, np.uint8)]))


def videos():
    # Clips: four good frames, an empty directory, frames of two sizes, an empty and a junk file.
    random = np.random.default_rng(0)
    for name, shapes in (("clip_ok", [(24, 32)] * 4), ("clip_sizes", [(24, 32), (24, 32), (20, 32)])):
        os.makedirs(name, exist_ok=True)
        for index, shape in enumerate(shapes):
            rgb_png(f"{name}/frame-{index}.png", random.integers(0, 256, shape + (3,), dtype=np.uint8))
    os.makedirs("clip_empty", exist_ok=True)
    open("clip_zero_bytes.mp4", "wb").close()
    with open("clip_junk.mp4", "wb") as out:
        out.write(b"\0\0\0\x18ftypmp42" + bytes(random.integers(0, 256, 4096, dtype=np.uint8)))


def weights():
    shutil.copy("weights.h5", "wrong_shape.h5")
    with h5py.File("wrong_shape.h5", "a") as f:
        kernel = f["conv1_2/weight"][...]
        del f["conv1_2/weight"]
        f["conv1_2/weight"] = kernel[:, :-1]
    shutil.copy("weights.h5", "nan_values.h5")
    with h5py.File("nan_values.h5", "a") as f:
        f["conv2_2/bias"][0] = np.nan
    shutil.copy("weights.h5", "missing_layer.h5")
    with h5py.File("missing_layer.h5", "a") as f:
        del f["conv3_2"]
    data = open("weights.h5", "rb").read()
    open("truncated.h5", "wb").write(data[: len(data) // 3])


images()
masks()
videos()
weights()
