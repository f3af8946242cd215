#!/usr/bin/env python3
"""Reference forward values and gradients for arithgrad's iNALU, G-NALU,
NaiveNPU, NPU and RealNPU, computed independently with PyTorch autograd.

Run from the repository root:

    pip install torch
    python3 tests/data/units_family_reference.py > tests/data/units_family_reference.json

Each unit is written here from its paper's formula in plain torch operations
(nothing is shared with the Rust code): float64 on the CPU, one layer with
3 inputs and 2 outputs, a fixed batch of 4 inputs `x` and fixed parameter
values. The loss is

    L = sum(z * c) + 0.3 * P

with fixed weights `c` ([4, 2]) and `P` the unit's extra loss term (iNALU's
regularizer, the NPU family's L1 norm; G-NALU has none). The JSON records,
per unit, the parameters (named as in arithgrad's ParamStore, without the
layer prefix), `x`, `c`, the output `z`, `P`, `L`, and the gradients of `L`
with respect to every parameter and to `x` (autograd). tests/units_reference.rs
builds the same layers, sets the same values and compares.

The inputs avoid the kinks of the formulas (no input at 0, gates off their
clamp bounds, parameters off 0 where an abs is taken); one input row is
large enough that iNALU's exponent cap (20) is active for one output, so
the capped branch (zero gradient through the exponent) is covered.
"""

import json
import math

import torch

torch.set_default_dtype(torch.float64)
EPS64 = torch.finfo(torch.float64).eps
LN_PHI = math.log((1 + math.sqrt(5)) / 2)

X = torch.tensor(
    [
        [1.5, -0.7, 2.2],
        [-1.3, -0.4, 0.9],
        [0.35, 1.8, -2.6],
        [3.0e4, -5.0e4, 2.0e4],
    ]
)
C = torch.tensor([[0.5, -1.0], [0.25, 0.75], [-0.6, 0.3], [1e-9, 0.2]])


def inalu(x, p):
    w_a = torch.tanh(p["A_hat"]) * torch.sigmoid(p["A_m"])
    w_m = torch.tanh(p["M_hat"]) * torch.sigmoid(p["M_m"])
    a = x @ w_a.T
    log_x = torch.log(torch.maximum(x.abs(), torch.tensor(1e-7)))
    m = torch.exp(torch.minimum(log_x @ w_m.T, torch.tensor(20.0)))
    # s_j = prod_i (sign(x_i) |W_m,ji| + 1 - |W_m,ji|), clipped to [-1, 1]
    wm = w_m.abs().unsqueeze(0)  # [1, O, I]
    sx = torch.sign(x).unsqueeze(1)  # [B, 1, I]
    s = torch.clamp((sx * wm + 1 - wm).prod(dim=2), -1.0, 1.0)
    g = torch.sigmoid(p["G"])
    z = g * a + (1 - g) * m * s
    penalty = sum(torch.relu(20.0 - q.abs()).mean() for q in p.values())
    return z, penalty


def g_nalu(x, p):
    w = torch.tanh(LN_PHI * p["W_hat"]) * torch.sigmoid(LN_PHI * p["M_hat"])
    a = x @ w.T
    m = torch.exp(torch.log(x.abs() + 1e-7) @ w.T)
    g = torch.sigmoid(LN_PHI * (x @ p["G"].T))
    return g * a + (1 - g) * m, None


def complex_power(log_r, k, w_re, w_im):
    if w_im is None:
        w_im = torch.zeros_like(w_re)
    mag = torch.exp(log_r @ w_re.T - math.pi * (k @ w_im.T))
    return mag * torch.cos(log_r @ w_im.T + math.pi * (k @ w_re.T))


def l1(p):
    return sum(q.abs().sum() for q in p.values())


def npu(x, p):
    g = torch.clamp(p["g"], 0.0, 1.0)
    r = g * (x.abs() + EPS64) + (1 - g)
    k = g * (x < 0).to(x.dtype)
    return complex_power(torch.log(r), k, p["W_re"], p["W_im"]), l1(p)


def real_npu(x, p):
    g = torch.clamp(p["g"], 0.0, 1.0)
    r = g * (x.abs() + EPS64) + (1 - g)
    k = g * (x < 0).to(x.dtype)
    return complex_power(torch.log(r), k, p["W_re"], None), l1(p)


def naive_npu(x, p):
    log_r = torch.log(torch.maximum(x.abs(), torch.tensor(EPS64)))
    k = (x < 0).to(x.dtype)
    return complex_power(log_r, k, p["W_re"], p["W_im"]), l1(p)


W1 = [[0.8, -0.45, 0.3], [-0.6, 0.95, 0.25]]
W2 = [[1.2, 0.35, -0.9], [0.55, -1.1, 0.7]]
CASES = {
    "inalu": (
        inalu,
        {
            "A_hat": W1,
            "A_m": [[1.1, -0.3, 0.6], [0.4, 0.9, -1.2]],
            "M_hat": [[1.3, 0.9, 1.1], [-0.5, 0.35, 0.8]],
            "M_m": [[2.0, 1.5, 1.8], [-0.4, 0.7, 0.3]],
            "G": [0.4, -0.7],
        },
    ),
    "g-nalu": (
        g_nalu,
        {
            "W_hat": W1,
            "M_hat": W2,
            "G": [[0.3, -0.2, 0.15], [-0.25, 0.1, 0.35]],
        },
    ),
    "naive-npu": (
        naive_npu,
        {"W_re": W2, "W_im": [[0.15, -0.2, 0.1], [-0.05, 0.25, -0.3]]},
    ),
    "npu": (
        npu,
        {
            "W_re": W2,
            "W_im": [[0.15, -0.2, 0.1], [-0.05, 0.25, -0.3]],
            "g": [0.8, 1.3, 0.45],
        },
    ),
    "real-npu": (real_npu, {"W_re": W2, "g": [0.8, -0.2, 0.45]}),
}


def main():
    units = {}
    for name, (fn, values) in CASES.items():
        params = {k: torch.tensor(v, requires_grad=True) for k, v in values.items()}
        x = X.clone().requires_grad_(True)
        z, penalty = fn(x, params)
        loss = (z * C).sum()
        if penalty is not None:
            loss = loss + 0.3 * penalty
        loss.backward()
        units[name] = {
            "inputs": 3,
            "outputs": 2,
            "x": X.flatten().tolist(),
            "c": C.flatten().tolist(),
            "params": {k: torch.tensor(v).flatten().tolist() for k, v in values.items()},
            "z": z.detach().flatten().tolist(),
            "penalty": None if penalty is None else penalty.item(),
            "loss": loss.item(),
            "grad": {k: p.grad.flatten().tolist() for k, p in params.items()},
            "grad_x": x.grad.flatten().tolist(),
        }
    print(json.dumps({"torch": torch.__version__, "units": units}, indent=1))


if __name__ == "__main__":
    main()
