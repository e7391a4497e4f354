#!/usr/bin/env python3
"""A starting point for analysing a sweep: the yardstick of every job as the sweep's grid, and
the loss curves grouped by one parameter.

    scripts/analyze.py RESULTS_DIR [--by PARAM] [--rows PARAM] [--cols PARAM] [--out DIR]

Reads RESULTS_DIR/results.h5 with the standard tools alone (also while the sweep runs):
pandas reads /summary (one row per job) and xarray /history (every loss history, job x
evaluation). Prints, for each metric (docs/config.md, "Convergence and the common yardstick"),
a table with one row per value of --rows and one column per value of --cols (by default the
sweep's first two varying parameters; further ones get a table per value), and writes
DIR/loss-curves-by-PARAM.png (DIR: RESULTS_DIR/analysis): the total loss of every done job
against its evaluations, one colour per value of --by (default: the first varying parameter).
Exit codes: 0 done, 2 bad arguments or no results file.
"""
import argparse
import itertools
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
import pandas as pd  # noqa: E402
import xarray as xr  # noqa: E402

METRICS = ["metric_content", "metric_style", "metric_ssim", "metric_color", "loss_total",
           "evaluation_within_1pct"]


def fail(message):
    print(f"analyze.py: {message}", file=sys.stderr)
    sys.exit(2)


def varying_parameters(path):
    with h5py.File(path, "r") as f:
        if "index" not in f:
            fail(f"{path}: no /index (no job finished yet?)")
        return [v.decode() if isinstance(v, bytes) else str(v) for v in f["index"].attrs.get("varying", [])]


def grid_tables(summary, rows, cols, others):
    """Yields (title, table) for each metric and each combination of the other parameters."""
    groups = [((), summary)] if not others else summary.groupby(others if len(others) > 1 else others[0], sort=True)
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        where = ", ".join(f"{name}={value:g}" if isinstance(value, float) else f"{name}={value}"
                          for name, value in zip(others, key))
        for metric in METRICS:
            if cols:
                table = part.pivot_table(index=rows, columns=cols, values=metric, aggfunc="mean")
            else:
                table = part.groupby(rows)[metric].mean().to_frame()
            yield (f"{metric}" + (f" ({where})" if where else ""), table)


def plot_curves(history, by, out):
    done = history.where(history.status == "done", drop=True) if "status" in history.coords else history
    fig, axis = plt.subplots(figsize=(7, 4.5))
    values = list(dict.fromkeys(done[by].values.tolist())) if by in done.coords else [None]
    colours = itertools.cycle(plt.rcParams["axes.prop_cycle"].by_key()["color"])
    for value, colour in zip(values, colours):
        jobs = done if value is None else done.where(done[by] == value, drop=True)
        for i, job in enumerate(jobs.job.values):
            curve = jobs.loss_total.sel(job=job).dropna("evaluation")
            axis.plot(range(curve.size), curve.values, color=colour, alpha=0.8, linewidth=1,
                      label=f"{by} = {value}" if i == 0 and value is not None else None)
    axis.set_yscale("log")
    axis.set_xlabel("evaluation")
    axis.set_ylabel("total loss")
    axis.set_title(f"loss curves of {done.sizes['job']} done jobs" + (f", by {by}" if by else ""))
    if values != [None]:
        axis.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results_dir", help="a sweep's output directory (holds results.h5)")
    parser.add_argument("--by", help="group the loss curves by this parameter")
    parser.add_argument("--rows", help="the tables' rows (a varying parameter)")
    parser.add_argument("--cols", help="the tables' columns (a varying parameter)")
    parser.add_argument("--out", help="where the plot goes (default RESULTS_DIR/analysis)")
    args = parser.parse_args()

    path = os.path.join(args.results_dir, "results.h5")
    if not os.path.isfile(path):
        fail(f"{path}: no such file (run the sweep first)")
    varying = varying_parameters(path)
    summary = pd.read_hdf(path, "summary")
    history = xr.open_dataset(path, group="history", engine="h5netcdf")
    for name, option in (("--by", args.by), ("--rows", args.rows), ("--cols", args.cols)):
        if option is not None and option not in summary.columns:
            fail(f"{name} {option}: not a parameter of this sweep (varying: {', '.join(varying) or 'none'})")
    rows = args.rows or (varying[0] if varying else "label")
    cols = args.cols or next((v for v in varying if v != rows), None)
    others = [v for v in varying if v not in (rows, cols)]

    counts = summary.status.value_counts().to_dict()
    print(f"{path}: {len(summary)} jobs ({', '.join(f'{n} {s}' for s, n in counts.items())}); "
          f"varying: {', '.join(varying) or 'nothing'}")
    if "termination" in summary:
        print("termination: " + ", ".join(f"{n} {t or 'none'}" for t, n in
                                            summary.termination.value_counts().items()))
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format", "{:.4g}".format):
        for title, table in grid_tables(summary, rows, cols, others):
            print(f"\n{title}: rows {rows}" + (f", columns {cols}" if cols else ""))
            print(table.to_string())

    out = args.out or os.path.join(args.results_dir, "analysis")
    os.makedirs(out, exist_ok=True)
    by = args.by or (varying[0] if varying else None)
    plot = os.path.join(out, f"loss-curves-by-{by or 'job'}.png")
    plot_curves(history, by, plot)
    print(f"\nloss curves: {plot}")


if __name__ == "__main__":
    main()
