#!/usr/bin/env python3
"""One style-transfer job as one Python process, the way users of anishathalye/neural-style and
jcjohnson/neural-style sweep today: start, load the weights, compute targets, optimize, save.
The losses and optimizer are bench/pytorch_engine.py's (the paper's, L-BFGS with strong Wolfe
and history 100). Usage:
  pytorch_job.py WEIGHTS CONTENT STYLE SIZE ITERATIONS RATIO STYLE_LAYERS(comma) THREADS OUT.png"""
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_engine import job_loss, load_image, load_vgg, run_lbfgs  # noqa: E402


def main():
    weights, content_path, style_path, size, iterations, ratio, layers, threads, out = sys.argv[1:10]
    size, iterations, ratio = int(size), int(iterations), float(ratio)
    style_layers = layers.split(",")
    torch.set_num_threads(int(threads))
    torch.manual_seed(0)
    vgg = load_vgg(weights)
    content, style = load_image(content_path, size), load_image(style_path, size)
    image, loss_fn = job_loss(vgg, content, style, ["relu4_2"], style_layers, ratio, 1.0)
    run_lbfgs(image, loss_fn, iterations)
    pixels = image.detach()[0].permute(1, 2, 0).clamp(0, 255).round().byte().numpy()
    Image.fromarray(np.ascontiguousarray(pixels)).save(out)


if __name__ == "__main__":
    main()
