#!/usr/bin/env python3
"""Images as cameras and photo tools write them, for image_test: an upright picture (PNG) and the
same picture stored sideways/mirrored in JPEGs carrying each EXIF orientation 1-8, so that a
viewer (PIL's exif_transpose) shows the upright one; 16-bit PNGs (grey and colour) and PNGs with
alpha (RGBA and grey+alpha) with their expected 8-bit RGB in .expected files (raw bytes).
Usage: make_image_fixtures.py OUT_DIR"""
import sys

import numpy as np
from PIL import Image, ImageOps

# PIL's transposes that turn stored pixels upright for each orientation, and their inverses.
UPRIGHT = {2: Image.FLIP_LEFT_RIGHT, 3: Image.ROTATE_180, 4: Image.FLIP_TOP_BOTTOM, 5: Image.TRANSPOSE,
           6: Image.ROTATE_270, 7: Image.TRANSVERSE, 8: Image.ROTATE_90}
INVERSE = {**UPRIGHT, 6: Image.ROTATE_90, 8: Image.ROTATE_270}


def upright_picture():
    # 8x8 blocks of flat colours, 32x24 (not square, so a quarter turn shows): a JPEG at quality
    # 100 without chroma subsampling keeps flat aligned blocks exact to a level or two.
    rng = np.random.default_rng(7)
    blocks = rng.integers(0, 256, size=(3, 4, 3), dtype=np.uint8)
    return Image.fromarray(np.kron(blocks, np.ones((8, 8, 1), dtype=np.uint8)))


def main():
    out = sys.argv[1]
    upright = upright_picture()
    upright.save(f"{out}/upright.png")
    for orientation in range(1, 9):
        stored = upright.transpose(INVERSE[orientation]) if orientation > 1 else upright
        exif = Image.Exif()
        exif[0x0112] = orientation
        path = f"{out}/orientation-{orientation}.jpg"
        stored.save(path, quality=100, subsampling=0, exif=exif.tobytes())
        shown = ImageOps.exif_transpose(Image.open(path))
        assert shown.size == upright.size, (orientation, shown.size)

    rng = np.random.default_rng(11)
    # 16-bit: grey and RGB; expected: round(v / 257).
    grey16 = rng.integers(0, 65536, size=(5, 6), dtype=np.uint16)
    Image.fromarray(grey16).save(f"{out}/grey16.png")
    rounded = np.floor(grey16 / 257.0 + 0.5).astype(np.uint8)
    np.repeat(rounded[..., None], 3, axis=2).tofile(f"{out}/grey16.expected")
    rgb16 = rng.integers(0, 65536, size=(5, 6, 3), dtype=np.uint16)
    write_png16_rgb(f"{out}/rgb16.png", rgb16)
    np.floor(rgb16 / 257.0 + 0.5).astype(np.uint8).tofile(f"{out}/rgb16.expected")
    # Alpha: composited on white, a c + (1 - a) 255.
    rgba = rng.integers(0, 256, size=(5, 6, 4), dtype=np.uint8)
    rgba[0, 0, 3], rgba[0, 1, 3] = 0, 255
    Image.fromarray(rgba, "RGBA").save(f"{out}/rgba.png")
    alpha = rgba[..., 3:4] / 255.0
    np.floor(alpha * rgba[..., :3] + (1 - alpha) * 255 + 0.5).astype(np.uint8).tofile(f"{out}/rgba.expected")
    grey_alpha = rng.integers(0, 256, size=(5, 6, 2), dtype=np.uint8)
    Image.fromarray(grey_alpha, "LA").save(f"{out}/grey_alpha.png")
    alpha = grey_alpha[..., 1:2] / 255.0
    grey = np.repeat(grey_alpha[..., :1], 3, axis=2)
    np.floor(alpha * grey + (1 - alpha) * 255 + 0.5).astype(np.uint8).tofile(f"{out}/grey_alpha.expected")


def write_png16_rgb(path, pixels):
    # PIL cannot write 16-bit RGB PNGs: the chunks by hand (zlib, CRC from the standard library).
    import struct
    import zlib
    height, width, _ = pixels.shape
    raw = b"".join(b"\0" + pixels[y].astype(">u2").tobytes() for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    main()
