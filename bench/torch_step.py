#!/usr/bin/env python3
"""The PyTorch side of README's Speed comparison: one training step of the
arithmetic task as `arithgrad bench` times it (docs/protocol.md, section 3),
written in plain PyTorch.

One step: a fresh batch of `--batch` rows uniform on [1, 2], the two-layer
model (NAU then NMU for `nmu`, NAU then NAU for `nau`), the MSE against the
task's target plus a constant `--lam` times the layers' sparsity
regularizers, backward, an Adam step (lr 1e-3), and the projection of the
constrained weights back into their intervals.

    python3 bench/torch_step.py --model nmu --threads 1

warms up, times `--blocks` blocks of `--steps` steps and prints one line of
JSON with the median, fastest and slowest microseconds per step. Needs
`pip install torch`.
"""
import argparse
import json
import statistics
import time

import torch


def build(model, n, hidden):
    """The two weight matrices with the units' initialisations."""
    r1 = min(0.5, (6.0 / (n + hidden)) ** 0.5)
    layer1 = torch.nn.Parameter(torch.empty(hidden, n).uniform_(-r1, r1))
    if model == "nmu":
        layer2 = torch.nn.Parameter(torch.empty(1, hidden).uniform_(0.25, 0.75))
    else:
        r2 = min(0.5, (6.0 / (hidden + 1)) ** 0.5)
        layer2 = torch.nn.Parameter(torch.empty(1, hidden).uniform_(-r2, r2))
    return layer1, layer2


def make_step(model, n, batch, lam, layer1, layer2, optimizer):
    subset = n // 4
    overlap = subset // 2
    b_start = subset - overlap

    def step():
        x = torch.empty(batch, n).uniform_(1.0, 2.0)
        a = x[:, :subset].sum(dim=1)
        b = x[:, b_start:b_start + subset].sum(dim=1)
        hidden = x @ layer1.clamp(-1.0, 1.0).t()
        if model == "nmu":
            w = layer2.t().unsqueeze(0)  # [1, hidden, 1]
            y = (hidden.unsqueeze(2) * w + 1.0 - w).prod(dim=1)
            target = (a * b).unsqueeze(1)
            r2 = torch.minimum(layer2.abs(), (1.0 - layer2).abs()).mean()
        else:
            y = hidden @ layer2.clamp(-1.0, 1.0).t()
            target = (a + b).unsqueeze(1)
            r2 = torch.minimum(layer2.abs(), 1.0 - layer2.abs()).mean()
        r1 = torch.minimum(layer1.abs(), 1.0 - layer1.abs()).mean()
        loss = ((y - target) ** 2).mean() + lam * (r1 + r2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            layer1.clamp_(-1.0, 1.0)
            if model == "nmu":
                layer2.clamp_(0.0, 1.0)
            else:
                layer2.clamp_(-1.0, 1.0)

    return step


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", choices=["nmu", "nau"], default="nmu")
    p.add_argument("--input-size", type=int, default=100)
    p.add_argument("--hidden", type=int, default=2)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=3000, help="steps per timed block")
    p.add_argument("--blocks", type=int, default=5, help="timed blocks")
    p.add_argument("--warmup", type=int, default=300, help="untimed steps first")
    p.add_argument("--lam", type=float, default=0.1, help="constant regularizer weight")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    layer1, layer2 = build(args.model, args.input_size, args.hidden)
    optimizer = torch.optim.Adam([layer1, layer2], lr=1e-3)
    step = make_step(args.model, args.input_size, args.batch, args.lam, layer1, layer2, optimizer)

    for _ in range(args.warmup):
        step()
    us = []
    for _ in range(args.blocks):
        start = time.perf_counter()
        for _ in range(args.steps):
            step()
        us.append((time.perf_counter() - start) / args.steps * 1e6)
    print(json.dumps({
        "engine": f"torch {torch.__version__}",
        "model": args.model,
        "input_size": args.input_size,
        "hidden": args.hidden,
        "batch": args.batch,
        "threads": args.threads,
        "us_per_step_median": round(statistics.median(us), 2),
        "us_per_step_min": round(min(us), 2),
        "us_per_step_max": round(max(us), 2),
    }))


if __name__ == "__main__":
    main()
