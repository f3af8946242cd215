#!/usr/bin/env python3
"""Reference trajectories for arithgrad's optimizers, produced by PyTorch.

Run from the repository root:

    python3 tests/data/optim_reference.py > tests/data/optim_reference.json

It needs only `torch` (any recent version; the committed JSON records which one
produced it). Everything is float64 on the CPU with `foreach=False`, so
PyTorch uses its plain per-tensor ("single tensor") code paths.

The problem: three parameters (a 2x2 matrix `w`, a 3-vector `b`, a scalar
`s`; 8 elements in all, laid out in that order as in arithgrad's ParamStore)
minimise the separable quadratic

    L(p) = sum_i 0.5 * a_i * (p_i - c_i)^2,   so   dL/dp_i = a_i * (p_i - c_i).

The gradient is written into `p.grad` by hand with exactly that expression
(no autograd), so the Rust test can compute the identical gradient; what is
being checked is only the optimizer (and the clipping), which comes from
`torch.optim` / `torch.nn.utils`. Each case runs STEPS steps of

    grad = a * (p - c);  [clip];  optimizer.step()

and records the flat parameter vector after every step (and, with norm
clipping, the total norm returned at every step). Hyper-parameters a case
does not list are left at PyTorch's defaults, so the Rust side, which fills
missing ones from its own `Default`s, also checks that the defaults agree.

The learning-rate schedules record PyTorch's closed form (what arithgrad
implements) for t = 0..SCHEDULE_STEPS, after checking that it agrees with the
recursive values PyTorch's schedulers actually produce.
"""

import json
import math
import sys

import torch

STEPS = 6
SCHEDULE_STEPS = 12

INITIAL = {
    "w": [[0.5, -1.25], [2.0, 0.75]],
    "b": [-0.3, 1.1, 0.0],
    "s": 3.0,
}
TARGET = [1.0, 0.5, -1.0, 0.25, 0.0, -0.5, 0.75, 1.5]
CURVATURE = [2.0, 0.5, 1.5, 3.0, 1.0, 4.0, 0.25, 2.5]

# (name, optimizer, non-default hyper-parameters, clipping)
CASES = [
    ("sgd_plain", "sgd", {"lr": 0.1}, None),
    ("sgd_momentum", "sgd", {"lr": 0.1, "momentum": 0.9}, None),
    ("sgd_momentum_dampening", "sgd", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}, None),
    ("sgd_nesterov", "sgd", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, None),
    ("sgd_weight_decay", "sgd", {"lr": 0.1, "weight_decay": 0.05}, None),
    (
        "sgd_nesterov_weight_decay",
        "sgd",
        {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.1, "nesterov": True},
        None,
    ),
    ("adam_default", "adam", {}, None),
    ("adam", "adam", {"lr": 0.1}, None),
    ("adam_betas_eps", "adam", {"lr": 0.05, "betas": [0.5, 0.9], "eps": 0.1}, None),
    ("adam_weight_decay", "adam", {"lr": 0.1, "weight_decay": 0.1}, None),
    ("adam_amsgrad", "adam", {"lr": 0.1, "betas": [0.9, 0.5], "amsgrad": True}, None),
    ("adamw_default", "adamw", {"lr": 0.1}, None),
    ("adamw", "adamw", {"lr": 0.1, "weight_decay": 0.2}, None),
    (
        "adamw_amsgrad",
        "adamw",
        {"lr": 0.1, "weight_decay": 0.2, "betas": [0.9, 0.5], "amsgrad": True},
        None,
    ),
    ("rmsprop_default", "rmsprop", {}, None),
    ("rmsprop_alpha", "rmsprop", {"lr": 0.01, "alpha": 0.9}, None),
    ("rmsprop_momentum", "rmsprop", {"lr": 0.01, "momentum": 0.9}, None),
    ("rmsprop_centered", "rmsprop", {"lr": 0.01, "centered": True}, None),
    (
        "rmsprop_centered_momentum_weight_decay",
        "rmsprop",
        {"lr": 0.01, "alpha": 0.8, "momentum": 0.5, "weight_decay": 0.1, "centered": True},
        None,
    ),
    ("sgd_momentum_clip_norm", "sgd", {"lr": 0.1, "momentum": 0.9}, {"max_norm": 3.0}),
    ("adam_clip_value", "adam", {"lr": 0.1}, {"clip_value": 0.5}),
]

SCHEDULES = [
    ("step_decay", "StepLR", {"step_size": 3, "gamma": 0.5}),
    ("exponential", "ExponentialLR", {"gamma": 0.9}),
    ("cosine", "CosineAnnealingLR", {"T_max": 8, "eta_min": 0.001}),
    ("cosine_to_zero", "CosineAnnealingLR", {"T_max": 5}),
]
SCHEDULE_BASE_LR = 0.1


def make_params():
    return [
        torch.tensor(INITIAL["w"], dtype=torch.float64, requires_grad=True),
        torch.tensor(INITIAL["b"], dtype=torch.float64, requires_grad=True),
        torch.tensor(INITIAL["s"], dtype=torch.float64, requires_grad=True),
    ]


def flat(params):
    return torch.cat([p.detach().reshape(-1) for p in params]).tolist()


def make_optimizer(kind, hyper, params):
    hyper = dict(hyper)
    if "betas" in hyper:
        hyper["betas"] = tuple(hyper["betas"])
    cls = {
        "sgd": torch.optim.SGD,
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
        "rmsprop": torch.optim.RMSprop,
    }[kind]
    return cls(params, foreach=False, **hyper)


def run_case(name, kind, hyper, clip):
    params = make_params()
    opt = make_optimizer(kind, hyper, params)
    a = torch.tensor(CURVATURE, dtype=torch.float64)
    c = torch.tensor(TARGET, dtype=torch.float64)
    trajectory, norms = [], []
    clipped_any = False
    for _ in range(STEPS):
        with torch.no_grad():
            p = torch.cat([q.reshape(-1) for q in params])
            g = a * (p - c)
            offset = 0
            for q in params:
                n = q.numel()
                q.grad = g[offset : offset + n].reshape(q.shape).clone()
                offset += n
        if clip and "max_norm" in clip:
            norm = torch.nn.utils.clip_grad_norm_(params, clip["max_norm"], foreach=False)
            norms.append(norm.item())
        if clip and "clip_value" in clip:
            clipped_any |= bool((g.abs() > clip["clip_value"]).any())
            torch.nn.utils.clip_grad_value_(params, clip["clip_value"], foreach=False)
        opt.step()
        trajectory.append(flat(params))

    out = {"name": name, "optimizer": kind, "hyper": hyper, "trajectory": trajectory}
    if clip:
        out["clip"] = clip
    if norms:
        out["norms"] = norms
        # The case must exercise both branches of clip_grad_norm_.
        assert any(n > clip["max_norm"] for n in norms), norms
        assert any(n < clip["max_norm"] for n in norms), norms
    if clip and "clip_value" in clip:
        assert clipped_any, f"{name}: no gradient was ever clipped"
    if hyper.get("amsgrad"):
        # AMSGrad must matter: the running max differs from v somewhere.
        differs = False
        for group in opt.param_groups:
            for q in group["params"]:
                st = opt.state[q]
                differs |= bool((st["max_exp_avg_sq"] != st["exp_avg_sq"]).any())
        assert differs, f"{name}: AMSGrad never differs from Adam here"
    return out


def run_schedule(name, cls_name, kwargs):
    param = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([param], lr=SCHEDULE_BASE_LR)
    sched = getattr(torch.optim.lr_scheduler, cls_name)(opt, **kwargs)
    closed, recursive = [], []
    for t in range(SCHEDULE_STEPS + 1):
        if t > 0:
            opt.step()
            sched.step()
        assert sched.last_epoch == t
        closed.append(float(sched._get_closed_form_lr()[0]))
        recursive.append(float(sched.get_last_lr()[0]))
    for x, y in zip(closed, recursive):
        assert math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-15), (name, closed, recursive)
    return {
        "name": name,
        "scheduler": cls_name,
        "kwargs": kwargs,
        "base_lr": SCHEDULE_BASE_LR,
        "lrs": closed,
    }


def main():
    torch.set_default_dtype(torch.float64)
    data = {
        "generated_by": "tests/data/optim_reference.py",
        "torch_version": torch.__version__,
        "steps": STEPS,
        "initial": INITIAL,
        "target": TARGET,
        "curvature": CURVATURE,
        "cases": [run_case(*case) for case in CASES],
        "schedules": [run_schedule(*s) for s in SCHEDULES],
    }
    json.dump(data, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
