#!/usr/bin/env python3
"""Compares the stored numbers of two results.h5 files job by job, bit for bit.

Usage: compare_results.py A/results.h5 B/results.h5

For every job group of A (matched by id in B): each loss history under loss/, the image, and
every numeric attribute except timings. Prints one line per difference and a summary; exits 0
when every stored number is identical, 1 otherwise. A refactor proves itself with it: the same
fixed sweep run before and after must compare equal.
"""
import sys

import h5py
import numpy as np

# Attributes that measure the run, not the result.
TIMINGS = {"wall_seconds", "optimize_seconds", "finished_utc", "host", "rank", "attempts", "device"}


def same(a, b):
    a, b = np.atleast_1d(np.asarray(a)), np.atleast_1d(np.asarray(b))
    if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
        return False
    if a.dtype.kind == "f":
        return a.tobytes() == b.tobytes() and a.dtype == b.dtype  # bit for bit, NaNs included
    return np.array_equal(a, b)


def compare_job(name, a, b, problems):
    compared = 0
    for dataset in ["image"] + ["loss/" + key for key in a["loss"]]:
        compared += 1
        if dataset not in b:
            problems.append(f"{name}/{dataset}: missing in B")
        elif not same(a[dataset][()], b[dataset][()]):
            problems.append(f"{name}/{dataset}: differs")
    for key, value in a.attrs.items():
        if key in TIMINGS or np.asarray(value).dtype.kind not in "fiu":
            continue
        compared += 1
        if key not in b.attrs:
            problems.append(f"{name}@{key}: missing in B")
        elif not same(value, b.attrs[key]):
            problems.append(f"{name}@{key}: {value} vs {b.attrs[key]}")
    return compared


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    problems, compared = [], 0
    with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
        ids = sorted(a["jobs"])
        for job in ids:
            if job not in b["jobs"]:
                problems.append(f"/jobs/{job}: missing in B")
                continue
            compared += compare_job(f"/jobs/{job}", a["jobs"][job], b["jobs"][job], problems)
        extra = sorted(set(b["jobs"]) - set(ids))
        problems += [f"/jobs/{job}: missing in A" for job in extra]
    for problem in problems:
        print(problem)
    print(f"{len(ids)} jobs, {compared} datasets and attributes compared: "
          f"{'identical' if not problems else f'{len(problems)} differences'}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
