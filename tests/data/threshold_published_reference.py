#!/usr/bin/env python3
"""Independent numpy simulation of the thresholds the paper printed.

The authors computed their success thresholds with an R script
(export/function_task_static_mse_expectation.r in their stable-nalu
repository). It builds the target weight matrix with inclusive 1-based
ranges:

    subset.size  = floor(subset.ratio * input.size)
    overlap.size = floor(overlap.ratio * subset.size)
    a.start = 1;                     a.end = a.start + subset.size
    b.start = a.end - overlap.size;  b.end = b.start + subset.size
    W[a.start:a.end, 1] = 1 - eps;   W[b.start:b.end, 2] = 1 - eps;  eps elsewhere

so each subset holds subset.size + 1 inputs and they share overlap.size + 1
(26 and 13 for the default task), and the threshold is
mean((evaluate(W_eps) - evaluate(W_0))^2) over inputs drawn uniformly from
the extrapolation range. This script redoes that literally in numpy (PCG64,
float64, plain differences), sharing no code and no random numbers with the
Rust implementation (`threshold_with(.., Compat::Published)` in
src/task/threshold.rs), which tests/task_threshold_published.rs compares
with these numbers.

Usage:  python3 tests/data/threshold_published_reference.py [--samples N] [--seed S]

Prints a table and the Rust rows pasted into tests/task_threshold_published.rs
(name, mean, Monte-Carlo standard error). Needs only numpy.
"""

import argparse
import math
import time

import numpy as np

EPS = 1e-5
OPS = ["add", "sub", "mul", "div", "squared", "root"]


def case(op, n=100, subset_ratio=0.25, overlap_ratio=0.5):
    return dict(op=op, n=n, subset_ratio=subset_ratio, overlap_ratio=overlap_ratio)


# (name, case): the R script's "default" rows, and a few of its input-size,
# subset-ratio and overlap-ratio rows (mul) for the general rule. All use
# the extrapolation range U[2, 6].
CASES = (
    [(f"default-{op}", case(op)) for op in OPS]
    + [(f"mul-n{n}", case("mul", n=n)) for n in (4, 10, 25, 150, 300)]
    + [(f"mul-subset{s}", case("mul", subset_ratio=s)) for s in (0.05, 0.5)]
    + [(f"mul-overlap{o}", case("mul", overlap_ratio=o)) for o in (0.0, 1.0)]
)


def target_matrix(c, epsilon):
    """The R function target.matrix, with R's 1-based inclusive ranges."""
    n = c["n"]
    subset_size = math.floor(c["subset_ratio"] * n)
    overlap_size = math.floor(c["overlap_ratio"] * subset_size)
    a_start = 1
    a_end = a_start + subset_size
    b_start = a_end - overlap_size
    b_end = b_start + subset_size
    assert b_end <= n, "R stops here with 'subscript out of bounds'"
    w = np.full((n, 2), 0.0 + epsilon)
    w[a_start - 1:a_end, 0] = 1.0 - epsilon  # R's a.start:a.end, both ends included
    w[b_start - 1:b_end, 1] = 1.0 - epsilon
    return w


def evaluate(op, x, w):
    z = x @ w
    return {
        "add": lambda: z[:, 0] + z[:, 1],
        "sub": lambda: z[:, 0] - z[:, 1],
        "mul": lambda: z[:, 0] * z[:, 1],
        "div": lambda: z[:, 0] / z[:, 1],
        "squared": lambda: z[:, 0] * z[:, 0],
        "root": lambda: np.sqrt(z[:, 0]),
    }[op]()


def simulate(c, samples, seed, chunk=50_000):
    w_y = target_matrix(c, EPS)
    w_t = target_matrix(c, 0.0)
    rng = np.random.default_rng(seed)
    square_sums, fourth_sums = [], []
    done = 0
    while done < samples:
        rows = min(chunk, samples - done)
        x = rng.uniform(2.0, 6.0, size=(rows, c["n"]))
        d = evaluate(c["op"], x, w_y) - evaluate(c["op"], x, w_t)
        sq = d * d
        square_sums.append(np.sum(sq))
        fourth_sums.append(np.sum(sq * sq))
        done += rows
    mean = math.fsum(square_sums) / samples
    var = max(math.fsum(fourth_sums) / samples - mean * mean, 0.0)
    return mean, math.sqrt(var / (samples - 1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=20200214)
    args = parser.parse_args()
    print(f"numpy {np.__version__}, {args.samples} samples per case, seed {args.seed}")
    rows = []
    for k, (name, c) in enumerate(CASES):
        start = time.time()
        mean, se = simulate(c, args.samples, args.seed + k)
        rows.append((name, mean, se))
        print(f"{name:20s} {mean:.6e}  se {se:.2e} ({100 * se / mean:.3f}%)  [{time.time() - start:.1f}s]")
    print()
    print("// Rust rows for tests/task_threshold_published.rs: (name, mean, standard error)")
    for name, mean, se in rows:
        print(f'    ("{name}", {mean:.9e}, {se:.3e}),')


if __name__ == "__main__":
    main()
