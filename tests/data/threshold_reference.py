#!/usr/bin/env python3
"""Independent numpy simulation of the success threshold (docs/protocol.md, section 4).

It shares no code and no random numbers with the Rust implementation
(src/task/threshold.rs): positions are recomputed from the spec, inputs come
from numpy's PCG64, and the nearly perfect model is written out literally as
a perturbed weight matrix times the inputs, followed by the operation, with
y_eps - y_exact taken as a plain difference (fine in float64 for these
configurations: the outputs are at most ~1e4 times larger than the
differences, far from the 1e16 where cancellation would matter).

    threshold = mean((y_eps - y_exact)^2),  x_i i.i.d. on the extrapolation range,
    layer 1: 1 -> 1 - eps on a's and b's positions, 0 -> eps elsewhere (eps = 1e-5),
    layer 2: the operation applied exactly.

Usage:  python3 tests/data/threshold_reference.py [--samples N] [--seed S]

It prints a table and the Rust rows pasted into tests/task_threshold.rs
(name, mean, Monte-Carlo standard error). Needs only numpy.
"""

import argparse
import math
import time

import numpy as np

EPS = 1e-5

DEFAULT_RANGES = dict(interpolation=[(1.0, 2.0)], extrapolation=[(2.0, 6.0)])
OPS = ["add", "sub", "mul", "div", "squared", "root"]


def default(op, **changes):
    cfg = dict(layout="subsets", n=100, subset_ratio=0.25, overlap_ratio=0.5, op=op)
    cfg.update(DEFAULT_RANGES)
    cfg.update(changes)
    return cfg


def toy(op):
    cfg = dict(layout="toy", n=4, op=op)
    cfg.update(DEFAULT_RANGES)
    return cfg


# (name, config). The names are the keys the Rust test looks up.
CONFIGS = (
    [(f"default-{op}", default(op)) for op in OPS]
    + [(f"toy-{op}", toy(op)) for op in OPS]
    + [
        ("mul-union", default("mul", interpolation=[(-2.0, 2.0)],
                              extrapolation=[(-6.0, -2.0), (2.0, 6.0)])),
        ("add-union", default("add", extrapolation=[(-6.0, -2.0), (2.0, 6.0)])),
        ("sub-n25-subset0.5-overlap0", default("sub", n=25, subset_ratio=0.5, overlap_ratio=0.0)),
        ("mul-10-20-to-20-40", default("mul", interpolation=[(10.0, 20.0)],
                                       extrapolation=[(20.0, 40.0)])),
    ]
)


def positions(cfg):
    """Index arrays of a and b (offset 0), straight from docs/protocol.md, section 3."""
    if cfg["layout"] == "toy":
        return np.arange(0, 4), np.arange(0, 2)
    n = cfg["n"]
    subset = math.floor(cfg["subset_ratio"] * n)
    overlap = math.floor(cfg["overlap_ratio"] * subset)
    assert 0 < subset and 2 * subset - overlap <= n
    return np.arange(0, subset), np.arange(subset - overlap, 2 * subset - overlap)


def draw(rng, intervals, shape):
    """Uniform on one interval, or on one of two picked with p = 1/2."""
    if len(intervals) == 1:
        (lo, hi), = intervals
        return rng.uniform(lo, hi, size=shape)
    (lo1, hi1), (lo2, hi2) = intervals
    second = rng.integers(0, 2, size=shape).astype(bool)
    u = rng.random(size=shape)
    lo = np.where(second, lo2, lo1)
    hi = np.where(second, hi2, hi1)
    return lo + (hi - lo) * u


def apply(op, a, b):
    return {
        "add": lambda: a + b,
        "sub": lambda: a - b,
        "mul": lambda: a * b,
        "div": lambda: a / b,
        "squared": lambda: a * a,
        "root": lambda: np.sqrt(a),
    }[op]()


def simulate(cfg, samples, seed, chunk=50_000):
    n = cfg["n"]
    a_pos, b_pos = positions(cfg)
    exact = np.zeros((2, n))
    exact[0, a_pos] = 1.0
    exact[1, b_pos] = 1.0
    perturbed = np.where(exact == 1.0, 1.0 - EPS, EPS)
    rng = np.random.default_rng(seed)
    square_sums, fourth_sums = [], []
    done = 0
    while done < samples:
        rows = min(chunk, samples - done)
        x = draw(rng, cfg["extrapolation"], (rows, n))
        h_exact = x @ exact.T
        h_eps = x @ perturbed.T
        d = apply(cfg["op"], h_eps[:, 0], h_eps[:, 1]) - apply(cfg["op"], h_exact[:, 0], h_exact[:, 1])
        sq = d * d
        square_sums.append(np.sum(sq))  # numpy sums pairwise
        fourth_sums.append(np.sum(sq * sq))
        done += rows
    mean = math.fsum(square_sums) / samples
    var = max(math.fsum(fourth_sums) / samples - mean * mean, 0.0)
    return mean, math.sqrt(var / (samples - 1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=4_000_000)
    parser.add_argument("--seed", type=int, default=20200101)
    args = parser.parse_args()
    print(f"numpy {np.__version__}, {args.samples} samples per configuration, seed {args.seed}")
    rows = []
    for k, (name, cfg) in enumerate(CONFIGS):
        start = time.time()
        mean, se = simulate(cfg, args.samples, args.seed + k)
        rows.append((name, mean, se))
        print(f"{name:32s} {mean:.6e}  se {se:.2e} ({100 * se / mean:.3f}%)  [{time.time() - start:.1f}s]")
    print()
    print("// Rust rows for tests/task_threshold.rs: (name, mean, standard error)")
    for name, mean, se in rows:
        print(f'    ("{name}", {mean:.9e}, {se:.3e}),')


if __name__ == "__main__":
    main()
