#!/usr/bin/env python3
"""Independent SciPy fit of the authors' R sparsity-error likelihood.

The paper's sparsity-error means and intervals come from compute.beta.stat
in export/_compute_summary.r of the authors' stable-nalu repository:

    x = pmin(0.5 - 1e-16, pmax(1e-16, x))
    alpha = 2 mu v;  beta = (1 - 2 mu) v
    -loglik(mu, v) = -sum(pmin(1e6, pmax(-1e6, dbeta(x, alpha, beta, log=TRUE))))
    mle2(..., method = 'L-BFGS-B', lower = c(mu=0, v=1e-5), upper = c(mu=0.5, v=Inf))
    confint(stat, 'mu')          # profile-likelihood interval, 95%

i.e. the beta density is evaluated at x (not 2x), and values above 0.5 are
clipped instead of rejected. This script redoes that with SciPy: the MLE by
L-BFGS-B from R's start values, the profile of mu by maximising over v for
fixed mu, and the interval ends by root-finding the profile deviance at
chi2_1(0.95). It shares no code with the Rust implementation
(`beta_mean_with(.., Compat::Published)` in src/stats/beta.rs), which
tests/stats_beta_published.rs compares with these numbers.

Usage:  python3 tests/data/beta_published_reference.py

Prints the Rust rows pasted into tests/stats_beta_published.rs:
(name, values, mu, lower, upper, log-likelihood at the MLE). Needs numpy
and scipy.
"""

import numpy as np
from scipy import optimize, special, stats

CASES = [
    ("five", [0.01, 0.03, 0.02, 0.08, 0.05]),
    ("sparsity-like", [0.0021, 0.0150, 0.0007, 0.0433, 0.0098, 0.0012, 0.0250,
                       0.0061, 0.0004, 0.0189, 0.0077, 0.0330]),
    ("wide", [0.05, 0.12, 0.31, 0.22, 0.44, 0.09, 0.27, 0.18]),
    ("above-half-clipped", [0.01, 0.03, 0.02, 0.08, 0.7]),
    ("zero-clipped", [0.0, 0.004, 0.011, 0.002, 0.019, 0.007]),
]

LO, HI = 1e-16, 0.5 - 1e-16


def clip(x):
    return np.minimum(HI, np.maximum(LO, np.asarray(x, dtype=float)))


def loglik(x, mu, v):
    a, b = 2.0 * mu * v, (1.0 - 2.0 * mu) * v
    terms = ((a - 1.0) * np.log(x) + (b - 1.0) * np.log1p(-x)
             - (special.gammaln(a) + special.gammaln(b) - special.gammaln(a + b)))
    return float(np.sum(np.clip(terms, -1e6, 1e6)))


def profile(x, mu, v_start):
    """max over v of loglik(x, mu, v), on log v (v >= 1e-5)."""
    res = optimize.minimize_scalar(lambda lv: -loglik(x, mu, np.exp(lv)),
                                   bounds=(np.log(1e-5), np.log(1e12)), method="bounded",
                                   options=dict(xatol=1e-12))
    # Polish with a bracketing search around the bounded optimum.
    lv = res.x
    res2 = optimize.minimize_scalar(lambda t: -loglik(x, mu, np.exp(t)),
                                    bracket=(lv - 0.5, lv, lv + 0.5), tol=1e-14)
    best = res2 if res2.fun < res.fun else res
    return -best.fun, float(np.exp(best.x))


def fit(values):
    x = clip(values)
    m, var = x.mean(), x.var(ddof=1)
    start = np.array([m, m * (0.5 - m) / var - 1.0])
    res = optimize.minimize(lambda p: -loglik(x, p[0], p[1]), start, method="L-BFGS-B",
                            bounds=[(1e-12, 0.5 - 1e-12), (1e-5, None)],
                            options=dict(ftol=1e-15, gtol=1e-12, maxiter=10000))
    # Refine the MLE on the profile (one dimension, to full precision).
    prof = lambda mu: profile(x, mu, res.x[1])[0]
    r = optimize.minimize_scalar(lambda mu: -prof(mu),
                                 bracket=(res.x[0] * 0.99, res.x[0], res.x[0] * 1.01),
                                 tol=1e-14)
    mu_hat, l_hat = r.x, -r.fun
    crit = stats.chi2.ppf(0.95, 1)
    dev = lambda mu: 2.0 * (l_hat - prof(mu)) - crit
    lower = optimize.brentq(dev, 1e-12, mu_hat, xtol=1e-15, rtol=1e-13)
    upper = optimize.brentq(dev, mu_hat, 0.5 - 1e-12, xtol=1e-15, rtol=1e-13)
    return mu_hat, lower, upper, l_hat


def main():
    import scipy
    print(f"// numpy {np.__version__}, scipy {scipy.__version__}")
    print("// Rust rows for tests/stats_beta_published.rs:")
    print("// (name, values, mu, lower, upper, log-likelihood)")
    for name, values in CASES:
        mu, lo, hi, ll = fit(values)
        vals = ", ".join(repr(v) for v in values)
        print(f'    ("{name}", &[{vals}], {mu:.12e}, {lo:.12e}, {hi:.12e}, {ll:.12e}),')


if __name__ == "__main__":
    main()
