#!/usr/bin/env python3
"""Makes the example clip: a horizontal pan across the paper's Tübingen photograph, then a slow
zoom, so that the optical flow between frames is known exactly.

Each frame is a crop of the photograph resampled (bilinear) at sub-pixel positions: during the
pan the window moves `--pan` pixels (of the output frame) to the right per frame, so the true
flow from frame t to frame t-1 is (+pan, 0) everywhere (the content moves left); during the
zoom the window shrinks by `--zoom` per frame about its centre. Writes PNG frames (a frame
directory stylesweep reads as a clip) and, with --webm, the same clip as a WebM file.

Usage: make_example_video.py OUT_DIR [--frames 32] [--width 128] [--pan 1.5] [--zoom-frames 0]
"""
import argparse
import os
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SOURCE = os.path.join(HERE, "..", "configs", "images", "tubingen.jpg")


def bilinear_crop(photo, left, top, scale, width, height):
    """The frame whose pixel (x, y) is the photo at (left + x*scale, top + y*scale)."""
    ys = top + np.arange(height) * scale
    xs = left + np.arange(width) * scale
    y0 = np.clip(np.floor(ys).astype(int), 0, photo.shape[0] - 2)
    x0 = np.clip(np.floor(xs).astype(int), 0, photo.shape[1] - 2)
    fy = (ys - y0)[:, None, None]
    fx = (xs - x0)[None, :, None]
    a = photo[y0][:, x0]
    b = photo[y0][:, x0 + 1]
    c = photo[y0 + 1][:, x0]
    d = photo[y0 + 1][:, x0 + 1]
    return (a * (1 - fy) * (1 - fx) + b * (1 - fy) * fx + c * fy * (1 - fx) + d * fy * fx)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--source", default=DEFAULT_SOURCE)
    parser.add_argument("--frames", type=int, default=32, help="frames of the pan")
    parser.add_argument("--zoom-frames", type=int, default=0, help="frames of the zoom after the pan")
    parser.add_argument("--width", type=int, default=128, help="frame width in pixels (height: 3/4 of it)")
    parser.add_argument("--pan", type=float, default=1.5, help="pan speed, frame pixels per frame")
    parser.add_argument("--zoom", type=float, default=0.01, help="zoom per frame (fraction of the window)")
    parser.add_argument("--webm", help="also write the clip to this WebM file (needs OpenCV's Python module)")
    args = parser.parse_args()
    if args.frames < 1 or args.width < 8 or args.zoom_frames < 0:
        sys.exit("make_example_video: need --frames >= 1, --width >= 8, --zoom-frames >= 0")
    width, height = args.width, args.width * 3 // 4
    # The window covers 60% of the photo's width, so the pan has room to move. The photo is first
    # shrunk (area averaging) to one photo pixel per frame pixel: sampling the full-size photo
    # sparsely would alias, and the frames would then not be shifted copies of one image.
    source = Image.open(args.source).convert("RGB")
    shrunk_width = int(round(width / 0.6))
    shrunk = source.resize((shrunk_width, int(round(source.height * shrunk_width / source.width))), Image.BOX)
    photo = np.asarray(shrunk, dtype=np.float64)
    scale = 1.0
    travel = args.pan * scale * (args.frames + args.zoom_frames)
    if scale * width + travel > photo.shape[1] - 2 or scale * height > photo.shape[0] - 2:
        sys.exit("make_example_video: the pan leaves the photograph; lower --pan or --frames")
    os.makedirs(args.out_dir, exist_ok=True)
    frames = []
    left, top = 1.0, (photo.shape[0] - scale * height) / 2
    for t in range(args.frames + args.zoom_frames):
        frame_scale = scale
        if t >= args.frames:  # zoom about the window's centre
            zoom = (1 - args.zoom) ** (t - args.frames + 1)
            frame_scale = scale * zoom
        cx, cy = left + scale * width / 2, top + scale * height / 2
        crop = bilinear_crop(photo, cx - frame_scale * width / 2, cy - frame_scale * height / 2, frame_scale,
                             width, height)
        frame = np.clip(np.rint(crop), 0, 255).astype(np.uint8)
        Image.fromarray(frame).save(os.path.join(args.out_dir, f"frame-{t:04d}.png"))
        frames.append(frame)
        if t < args.frames - 1:
            left += args.pan * scale
    if args.webm:
        import cv2  # only for the optional WebM
        writer = cv2.VideoWriter(args.webm, cv2.VideoWriter_fourcc(*"VP80"), 12, (width, height))
        for frame in frames:
            writer.write(frame[:, :, ::-1])
        writer.release()
    print(f"make_example_video: {len(frames)} frames of {width}x{height} in {args.out_dir}")


if __name__ == "__main__":
    main()
