#!/usr/bin/env python3
"""Independent PyTorch reference for the NRU, NMRU, sign-NMRU and sNMU, and
for the single-module benchmark's thresholds.

Units: each formula is written out literally in torch (float64, autograd),
sharing no code with the Rust implementation (src/units/nru.rs, nmru.rs,
sign_nmru.rs, snmu.rs). For fixed weights W, inputs x (2 x 2 -> batch 2,
two inputs, two outputs) and loss weights c, it records the output z and
the gradients of sum(z * c) with respect to W and x, in the training and the
evaluation form of each unit:

    NRU:       z_j = prod_i (sign(x_i) |x_i|^W_ji A_ji + 1 - A_ji),
               A = tanh(1000 W)^2 (training), |W| (evaluation)
    NMRU:      x~ = [x, 1/(x + eps)], z_j = prod_k (W_jk x~_k + 1 - W_jk),
               eps = float32 machine epsilon (training), 0 (evaluation)
    sign-NMRU: z_j = prod_k (W_jk |x~_k| + 1 - W_jk) * cos(pi * sum_k [x~_k < 0] W_jk)
    sNMU:      training NMU(x * n) / NMU(n) for the given noise n; evaluation NMU(x)

Thresholds: for each operation and each of the nine range pairs, the exact
expectation over the test range (uniform, or a 50/50 mixture for the union)
of the squared error of the perturbed ideal unit (eps = 1e-5):
add/sub: eps^2 E[(|x1| + |x2|)^2]; mul: ((1-eps)^2 - 1)^2 E[x^2]^2;
div: ((1-eps)/(1+eps) - 1)^2 E[x^2] E[1/x^2], the moments integrated in
closed form (not sampled), so the Rust Monte-Carlo estimate is checked
against the exact value within its standard error.

Usage:  python3 tests/data/division_units_reference.py > tests/data/division_units_reference.json
"""

import json
import math

import torch

torch.set_default_dtype(torch.float64)
F32_EPS = float(torch.finfo(torch.float32).eps)
EPS = 1e-5

X = [[1.5, -0.75], [-2.0, 0.6]]
C = [[0.3, -1.1], [0.8, 0.45]]
NOISE = [[1.7, 4.2], [3.1, 2.5]]
WEIGHTS = {
    "nru": [[0.8, -0.6], [-0.3, 0.9]],
    "nmru": [[0.7, 0.2, 0.35, 0.9], [0.15, 0.6, 0.8, 0.3]],
    "sign-nmru": [[0.7, 0.2, 0.35, 0.9], [0.15, 0.6, 0.8, 0.3]],
    "snmu": [[0.8, 0.3], [0.15, 0.65]],
}


def nmu(x, w):
    # x: [B, K], w: [O, K] -> [B, O]
    return (w[None, :, :] * x[:, None, :] + 1 - w[None, :, :]).prod(dim=2)


def nru(x, w, train):
    a = torch.tanh(1000 * w) ** 2 if train else w.abs()
    p = torch.exp(w[None, :, :] * torch.log(x.abs())[:, None, :])
    return (torch.sign(x)[:, None, :] * p * a[None] + 1 - a[None]).prod(dim=2)


def tilde(x, train):
    eps = F32_EPS if train else 0.0
    return torch.cat([x, 1 / (x + eps)], dim=1)


def nmru(x, w, train):
    return nmu(tilde(x, train), w)


def sign_nmru(x, w, train):
    xt = tilde(x, train)
    k = (xt < 0).to(xt.dtype)
    return nmu(xt.abs(), w) * torch.cos(math.pi * (k @ w.T))


def snmu(x, w, train):
    if not train:
        return nmu(x, w)
    n = torch.tensor(NOISE)
    return nmu(x * n, w) / nmu(n, w)


UNITS = {"nru": nru, "nmru": nmru, "sign-nmru": sign_nmru, "snmu": snmu}


def unit_cases():
    out = []
    for name, f in UNITS.items():
        for train in (True, False):
            w = torch.tensor(WEIGHTS[name], requires_grad=True)
            x = torch.tensor(X, requires_grad=True)
            z = f(x, w, train)
            (z * torch.tensor(C)).sum().backward()
            out.append(
                dict(
                    unit=name,
                    train=train,
                    w=WEIGHTS[name],
                    z=z.detach().flatten().tolist(),
                    grad_w=w.grad.flatten().tolist(),
                    grad_x=x.grad.flatten().tolist(),
                )
            )
    return out


RANGES = [
    ("[-20,-10]", [(-40.0, -20.0)]),
    ("[-2,-1]", [(-6.0, -2.0)]),
    ("[-1.2,-1.1]", [(-6.1, -1.2)]),
    ("[-0.2,-0.1]", [(-2.0, -0.2)]),
    ("[-2,2]", [(-6.0, -2.0), (2.0, 6.0)]),
    ("[0.1,0.2]", [(0.2, 2.0)]),
    ("[1,2]", [(2.0, 6.0)]),
    ("[1.1,1.2]", [(1.2, 6.0)]),
    ("[10,20]", [(20.0, 40.0)]),
]


def moment(parts, f):
    """E[f(x)] for x uniform on the union of equally likely intervals,
    from the antiderivative F of f."""
    return sum((f(b) - f(a)) / (b - a) for a, b in parts) / len(parts)


def thresholds():
    m_abs = lambda p: moment(p, lambda x: x * abs(x) / 2)  # E|x|
    m2 = lambda p: moment(p, lambda x: x**3 / 3)  # E x^2
    minv2 = lambda p: moment(p, lambda x: -1 / x)  # E 1/x^2
    out = []
    for name, parts in RANGES:
        e_abs, e2 = m_abs(parts), m2(parts)
        add = EPS**2 * (2 * e2 + 2 * e_abs**2)
        mul = ((1 - EPS) ** 2 - 1) ** 2 * e2**2
        div = ((1 - EPS) / (1 + EPS) - 1) ** 2 * e2 * minv2(parts)
        for op, t in (("add", add), ("sub", add), ("mul", mul), ("div", div)):
            out.append(dict(range=name, op=op, threshold=t))
    return out


if __name__ == "__main__":
    print(
        json.dumps(
            dict(
                generated_by="tests/data/division_units_reference.py",
                torch_version=torch.__version__,
                x=X,
                c=C,
                noise=NOISE,
                units=unit_cases(),
                thresholds=thresholds(),
            ),
            indent=1,
        )
    )
