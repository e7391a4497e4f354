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
from pytorch_engine import features, gram, load_image, load_vgg  # noqa: E402


def main():
    weights, content_path, style_path, size, iterations, ratio, layers, threads, out = sys.argv[1:10]
    size, iterations, ratio = int(size), int(iterations), float(ratio)
    style_layers = layers.split(",")
    content_layers = ["relu4_2"]
    torch.set_num_threads(int(threads))
    torch.manual_seed(0)
    vgg = load_vgg(weights)
    content, style = load_image(content_path, size), load_image(style_path, size)
    with torch.no_grad():
        content_targets = features(content, vgg, content_layers)
        style_targets = {k: gram(v) for k, v in features(style, vgg, style_layers).items()}
    image = (vgg[1] + 16 * torch.randn_like(content)).requires_grad_(True)
    wanted = content_layers + style_layers

    def loss_fn():
        acts = features(image, vgg, wanted)
        content_loss = sum(0.5 * (acts[l] - content_targets[l]).pow(2).sum() for l in content_layers)
        style_loss = 0
        for l in style_layers:
            n, m = acts[l].shape[1], acts[l].shape[2] * acts[l].shape[3]
            style_loss = style_loss + (gram(acts[l]) - style_targets[l]).pow(2).sum() / (4 * n * n * m * m) / len(style_layers)
        return ratio * content_loss + style_loss

    optimizer = torch.optim.LBFGS([image], lr=1, max_iter=iterations, max_eval=iterations,
                                  history_size=100, tolerance_grad=-1, tolerance_change=-1,
                                  line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    optimizer.step(closure)
    pixels = image.detach()[0].permute(1, 2, 0).clamp(0, 255).round().byte().numpy()
    Image.fromarray(np.ascontiguousarray(pixels)).save(out)


if __name__ == "__main__":
    main()
