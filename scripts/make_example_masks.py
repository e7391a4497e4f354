#!/usr/bin/env python3
"""Writes the masks of configs/spatial_control.yaml into configs/images (needs numpy and PIL:
Debian's python3-numpy and python3-pil; run with /usr/bin/python3).

tubingen_sky.png: the Tübingen photograph's sky white, the rest black. A pixel is sky-coloured
when it is bright and bluer than red; in each column the sky runs down from the top to the first
row below which, over the next 24 rows, under 30 % of pixels are sky-coloured, and the boundary
is smoothed by a running median over 31 columns. starry_night_sky.png and the_scream_ground.png
are flat masks of their paintings' sizes: the whole of Starry Night feeds the sky, the whole of
The Scream the ground.
"""
from pathlib import Path

import numpy as np
from PIL import Image

IMAGES = Path(__file__).resolve().parent.parent / "configs" / "images"
SKY, GROUND = (255, 255, 255), (0, 0, 0)


def sky_boundary(rgb: np.ndarray) -> np.ndarray:
    sky_coloured = (rgb[..., 2] > rgb[..., 0] + 10) & (rgb.mean(axis=2) > 120)
    height, width = sky_coloured.shape
    boundary = np.zeros(width, dtype=int)
    for x in range(width):
        column = sky_coloured[:, x]
        y = 0
        while y < height and column[y : y + 24].mean() >= 0.3:
            y += 1
        boundary[x] = y
    half = 15
    padded = np.pad(boundary, half, mode="edge")
    return np.array([int(np.median(padded[x : x + 2 * half + 1])) for x in range(width)])


def main() -> None:
    photo = np.asarray(Image.open(IMAGES / "tubingen.jpg").convert("RGB")).astype(float)
    boundary = sky_boundary(photo)
    mask = np.zeros(photo.shape, dtype=np.uint8)
    rows = np.arange(photo.shape[0])[:, None]
    mask[rows < boundary[None, :]] = SKY
    Image.fromarray(mask).save(IMAGES / "tubingen_sky.png", optimize=True)
    for painting, name, color in (("starry_night.jpg", "starry_night_sky.png", SKY),
                                  ("the_scream.jpg", "the_scream_ground.png", GROUND)):
        width, height = Image.open(IMAGES / painting).size
        Image.new("RGB", (width, height), color).save(IMAGES / name, optimize=True)


if __name__ == "__main__":
    main()
