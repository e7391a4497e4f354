#!/usr/bin/env python3
"""Renders the README's video figure from a finished video sweep: one row of input frames, then
one row per video job (its last pass), the same frames in each, labelled with the job's temporal
weight and mean warping error from /videos.
Usage: video_figure.py OUTPUT_DIR OUT.png [--frames 0,1,2,3] [--height 144]
(needs Debian's python3-pil, python3-h5py and python3-pandas)."""
import argparse

import h5py
import pandas as pd
from PIL import Image, ImageDraw


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def scaled(image, height):
    width = round(image.width * height / image.height)
    return image.convert("RGB").resize((width, height), Image.NEAREST)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("output")
    parser.add_argument("figure")
    parser.add_argument("--frames", default="0,1,2,3")
    parser.add_argument("--height", type=int, default=144)
    args = parser.parse_args()
    chosen = [int(f) for f in args.frames.split(",")]
    videos = pd.read_hdf(f"{args.output}/results.h5", "videos")
    rows, inputs = [], {}
    with h5py.File(f"{args.output}/results.h5", "r") as f:
        for _, video in videos.iterrows():
            frames = {}
            wanted = {f"{video['label']}-f{t:04d}-p{int(video['passes'])}": t for t in chosen}
            for job in f["jobs"].values():
                t = wanted.get(text(job.attrs["label"]))
                if t is not None:
                    frames[t] = Image.fromarray(job["image"][()])
                    inputs.setdefault(t, Image.open(text(job.attrs["content_path"])))
            label = (f"{video['label']}: temporal_weight {video['temporal_weight']:g}, {video['schedule']}: "
                     f"warping error {video['warp_error_mean']:.0f}")
            rows.append((label, [frames[t] for t in chosen]))
    rows.insert(0, (f"input frames {', '.join(map(str, chosen))}: warping error "
                    f"{videos['input_warp_error_mean'].iloc[0]:.0f}", [inputs[t] for t in chosen]))

    gap, caption = 6, 18
    panels = [[scaled(image, args.height) for image in images] for _, images in rows]
    width = sum(p.width for p in panels[0]) + gap * (len(chosen) - 1)
    figure = Image.new("RGB", (width, len(rows) * (args.height + caption + gap)), "white")
    draw = ImageDraw.Draw(figure)
    y = 0
    for (label, _), row in zip(rows, panels):
        draw.text((2, y + 3), label, fill="black")
        x = 0
        for panel in row:
            figure.paste(panel, (x, y + caption))
            x += panel.width + gap
        y += args.height + caption + gap
    figure.save(args.figure)


if __name__ == "__main__":
    main()
