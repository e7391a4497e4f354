#!/usr/bin/env python3
"""The engine's job written directly in PyTorch, as users of the Python ports run it: same VGG-19
weights file, same paper losses, same L-BFGS (strong Wolfe, history 100) and Adam settings.
Prints one line per (optimizer, size): pytorch <optimizer> <size> <seconds per evaluation>.
Usage: pytorch_engine.py WEIGHTS CONTENT STYLE THREADS EVALUATIONS SIZE..."""
import sys
import time

import h5py
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

BLOCKS = [2, 2, 4, 4, 4]
CONTENT_LAYERS = ["relu4_2"]
STYLE_LAYERS = ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"]


def load_vgg(path):
    with h5py.File(path, "r") as f:
        convs = []
        for block, count in enumerate(BLOCKS, start=1):
            for index in range(1, count + 1):
                name = f"conv{block}_{index}"
                convs.append((name, torch.tensor(f[name]["weight"][:]), torch.tensor(f[name]["bias"][:])))
        mean = torch.tensor(f.attrs["mean"], dtype=torch.float32).view(1, 3, 1, 1)
        std = torch.tensor(f.attrs["std"], dtype=torch.float32).view(1, 3, 1, 1)
        bgr = f.attrs["channel_order"] == "BGR"
    return convs, mean, std, bgr


def features(x, vgg, wanted):
    convs, mean, std, bgr = vgg
    x = ((x.flip(1) if bgr else x) - mean) / std
    out, deepest = {}, max(wanted, key=lambda n: (int(n[4]), int(n[6])))
    for name, weight, bias in convs:
        x = F.relu(F.conv2d(x, weight, bias, padding=1))
        relu = "relu" + name[4:]
        if relu in wanted:
            out[relu] = x
        if relu == deepest:
            return out
        if name.endswith(f"_{BLOCKS[int(name[4]) - 1]}"):
            x = F.avg_pool2d(x, 2)
    return out


def gram(f):
    flat = f.reshape(f.shape[1], -1)
    return flat @ flat.t()


def load_image(path, size):
    image = Image.open(path).convert("RGB")
    scale = size / max(image.size)
    image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.BOX)
    return torch.tensor(np.asarray(image), dtype=torch.float32).permute(2, 0, 1)[None].contiguous()


def job_loss(vgg, content, style, content_layers, style_layers, alpha, beta):
    """(image, loss function of the image): noise around the mean pixel and the paper's losses,
    with the targets computed once and Gram matrices compared per position, as stylesweep does:
    sum (G/M - A/Ms)^2 / (4 N^2) for a style of Ms positions."""
    with torch.no_grad():
        content_targets = features(content, vgg, content_layers)
        style_targets = {k: gram(v) / (v.shape[2] * v.shape[3]) for k, v in features(style, vgg, style_layers).items()}
    image = (vgg[1] + 16 * torch.randn_like(content)).requires_grad_(True)
    layers = content_layers + style_layers

    def loss_fn():
        acts = features(image, vgg, layers)
        content_loss = sum(0.5 * (acts[l] - content_targets[l]).pow(2).sum() for l in content_layers)
        style_loss = 0
        for l in style_layers:
            n, m = acts[l].shape[1], acts[l].shape[2] * acts[l].shape[3]
            style_loss = style_loss + (gram(acts[l]) / m - style_targets[l]).pow(2).sum() / (4 * n * n) / len(style_layers)
        return alpha * content_loss + beta * style_loss

    return image, loss_fn


def run_lbfgs(image, loss_fn, evaluations):
    """The paper's optimizer as the engine runs it: strong Wolfe, history 100, N evaluations."""
    optimizer = torch.optim.LBFGS([image], lr=1, max_iter=evaluations, max_eval=evaluations,
                                  history_size=100, tolerance_grad=-1, tolerance_change=-1,
                                  line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    optimizer.step(closure)


def seconds_per_evaluation(vgg, content_path, style_path, size, optimizer_name, evaluations):
    content, style = load_image(content_path, size), load_image(style_path, size)
    image, loss_of_image = job_loss(vgg, content, style, CONTENT_LAYERS, STYLE_LAYERS, 1e-4, 1.0)
    count = [0]

    def loss_fn():
        count[0] += 1
        return loss_of_image()

    start = time.perf_counter()
    if optimizer_name == "lbfgs":
        run_lbfgs(image, loss_fn, evaluations)
    else:
        optimizer = torch.optim.Adam([image], lr=10, betas=(0.9, 0.999), eps=1e-8)
        for _ in range(evaluations):
            optimizer.zero_grad()
            loss_fn().backward()
            optimizer.step()
    return (time.perf_counter() - start) / count[0]


def main():
    weights, content, style, threads, evaluations = sys.argv[1:6]
    torch.set_num_threads(int(threads))
    vgg = load_vgg(weights)
    for size in map(int, sys.argv[6:]):
        for optimizer in ("lbfgs", "adam"):
            seconds_per_evaluation(vgg, content, style, size, optimizer, 3)  # warm-up
            value = seconds_per_evaluation(vgg, content, style, size, optimizer, int(evaluations))
            print(f"pytorch {optimizer} {size} {value:.5f}", flush=True)


if __name__ == "__main__":
    main()
