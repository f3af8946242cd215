#!/usr/bin/env python3
"""Reference numbers for arithgrad's `stats` module, computed independently
with scipy / statsmodels (not with the crate's formulas).

Run from the repository root:

    pip install scipy statsmodels
    python3 tests/data/stats_reference.py

It rewrites tests/data/stats_reference.json, which tests/stats_reference.rs
checks the Rust implementation against. Versions used for the committed file
are recorded in it.

How each number is obtained:
- special functions: scipy.special.gammaln / digamma / polygamma(1, x) / ndtri,
  scipy.stats.t.ppf, scipy.stats.chi2.ppf;
- Wilson interval: statsmodels proportion_confint(method="wilson"), checked
  here against the textbook formula;
- gamma: scipy.stats.gamma.fit(x, floc=0) for the MLE; the profile-likelihood
  interval for the mean by brute force: for each mean mu, maximise
  sum(gamma.logpdf(x, a=k, scale=mu/k)) over k with a bounded scalar
  optimiser, then brentq on 2 (l_max - l_profile(mu)) = chi2_1(0.95);
- beta on [0, 0.5]: values clamped into [1e-16, 0.5 - 1e-16] as the paper's
  code does, scipy.stats.beta.fit(x, floc=0, fscale=0.5) for the MLE; the
  profile interval for the mean the same brute-force way, maximising
  sum(beta.logpdf(x, nu*phi, (1-nu)*phi, loc=0, scale=0.5)) over phi for each
  mean nu/2;
- Student-t interval: scipy.stats.t.interval(conf, n-1, loc=mean, scale=sem).
"""

import json
import math
import pathlib

import numpy as np
import scipy
import statsmodels
from scipy import optimize, special, stats
from statsmodels.stats.proportion import proportion_confint

CONFIDENCE = 0.95
CRITICAL = float(stats.chi2.ppf(CONFIDENCE, 1))
CLAMP = 1e-16


def special_functions():
    xs = [1e-8, 1e-3, 0.1, 0.5, 1.0, 1.4616321449683622, 2.0, 2.5, 7.3, 9.99,
          10.0, 10.01, 33.3, 1e3, 1e6, 1e12]
    ps = [1e-300, 1e-20, 1e-8, 0.001, 0.025, 0.07, 0.075, 0.3, 0.5, 0.6,
          0.925, 0.975, 0.999, 1 - 1e-12]
    t_cases = [(p, df) for df in [1, 2, 3, 4.5, 9, 29, 99, 999, 9999, 20000, 1e6]
               for p in [1e-10, 0.005, 0.025, 0.2, 0.8, 0.975, 0.995]]
    return {
        "x": xs,
        "ln_gamma": [float(special.gammaln(x)) for x in xs],
        "digamma": [float(special.digamma(x)) for x in xs],
        "trigamma": [float(special.polygamma(1, x)) for x in xs],
        "normal_quantile": [{"p": p, "value": float(special.ndtri(p))} for p in ps],
        "t_quantile": [{"p": p, "df": df, "value": float(stats.t.ppf(p, df))}
                       for p, df in t_cases],
        "chi_square_1": [{"confidence": c, "value": float(stats.chi2.ppf(c, 1))}
                         for c in [0.5, 0.9, 0.95, 0.99]],
    }


def wilson_cases():
    out = []
    for successes, n, conf in [(0, 10, 0.95), (1, 10, 0.95), (7, 10, 0.95),
                               (10, 10, 0.95), (13, 20, 0.95), (0, 1, 0.95),
                               (1, 1, 0.95), (50, 100, 0.95), (3, 1000, 0.95),
                               (7, 10, 0.9), (7, 10, 0.99), (99, 100, 0.99)]:
        lower, upper = proportion_confint(successes, n, alpha=1 - conf, method="wilson")
        # Textbook formula, as a cross-check of statsmodels.
        z = stats.norm.ppf(0.5 + conf / 2)
        p = successes / n
        center = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        assert abs(max(center - half, 0) - lower) < 1e-14, (successes, n)
        assert abs(min(center + half, 1) - upper) < 1e-14, (successes, n)
        out.append({"successes": successes, "n": n, "confidence": conf,
                    "lower": float(lower), "upper": float(upper)})
    return out


def profile_interval(loglik, lmax, center, lo_limit, hi_limit):
    """Brent on 2 (lmax - loglik(t)) - critical on each side of `center`."""
    f = lambda t: 2 * (lmax - loglik(t)) - CRITICAL
    ends = []
    for limit in (lo_limit, hi_limit):
        step = 0.05 if limit > center else -0.05
        inside, outside = center, center + step
        while f(outside) < 0:
            inside, outside = outside, center + 2 * (outside - center)
            assert (outside - limit) * step < 0, "no bracket"
        ends.append(optimize.brentq(f, min(inside, outside), max(inside, outside),
                                    xtol=1e-14, rtol=1e-15, maxiter=500))
    return ends


def gamma_case(name, x):
    x = np.asarray(x, dtype=float)
    a, loc, scale = stats.gamma.fit(x, floc=0)
    assert loc == 0
    lmax_fit = float(stats.gamma.logpdf(x, a, scale=scale).sum())

    def profile(log_ratio):
        mu = x.mean() * math.exp(log_ratio)
        neg = lambda log_k: -stats.gamma.logpdf(x, math.exp(log_k), scale=mu / math.exp(log_k)).sum()
        res = optimize.minimize_scalar(neg, bounds=(-20.0, 30.0), method="bounded",
                                       options={"xatol": 1e-12, "maxiter": 2000})
        return -res.fun

    lmax = max(lmax_fit, profile(0.0))
    t_lo, t_hi = profile_interval(profile, lmax, 0.0, -50.0, 50.0)
    return {"name": name, "values": x.tolist(), "shape": float(a), "scale": float(scale),
            "mean": float(a * scale), "log_likelihood": lmax_fit,
            "lower": float(x.mean() * math.exp(t_lo)),
            "upper": float(x.mean() * math.exp(t_hi))}


def beta_case(name, x):
    x = np.asarray(x, dtype=float)
    clamped = int(np.sum((x < CLAMP) | (x > 0.5 - CLAMP)))
    xc = np.clip(x, CLAMP, 0.5 - CLAMP)
    a, b, loc, scale = stats.beta.fit(xc, floc=0, fscale=0.5)
    lmax_fit = float(stats.beta.logpdf(xc, a, b, loc=0, scale=0.5).sum())

    def profile(logit):
        nu = special.expit(logit)
        neg = lambda log_phi: -stats.beta.logpdf(
            xc, nu * math.exp(log_phi), (1 - nu) * math.exp(log_phi), loc=0, scale=0.5).sum()
        res = optimize.minimize_scalar(neg, bounds=(-15.0, 25.0), method="bounded",
                                       options={"xatol": 1e-12, "maxiter": 2000})
        return -res.fun

    t_hat = special.logit(a / (a + b))
    # Polish the MLE mean on the profile, in case fit() stopped early.
    res = optimize.minimize_scalar(lambda t: -profile(t), bracket=(t_hat - 0.01, t_hat + 0.01),
                                   method="brent", tol=1e-12)
    t_best = res.x if -res.fun > profile(t_hat) else t_hat
    lmax = max(lmax_fit, profile(t_best))
    t_lo, t_hi = profile_interval(profile, lmax, t_best, -60.0, 60.0)
    return {"name": name, "values": x.tolist(), "clamped": clamped,
            "alpha": float(a), "beta": float(b), "mean": float(a / (a + b) / 2),
            "log_likelihood": lmax_fit,
            "lower": float(special.expit(t_lo) / 2), "upper": float(special.expit(t_hi) / 2)}


def student_t_case(name, x, conf):
    x = np.asarray(x, dtype=float)
    lower, upper = stats.t.interval(conf, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    return {"name": name, "values": x.tolist(), "confidence": conf,
            "mean": float(x.mean()), "lower": float(lower), "upper": float(upper)}


def main():
    rng = np.random.default_rng(20200101)
    gamma_data = {
        "eight_seeds": [24000, 31000, 18500, 42000, 27500, 36000, 22000, 29000],
        "skewed": [1200, 3400, 2100, 5600, 2800, 15000, 900, 4100, 2600, 7800],
        "two_values": [1000, 5000],
        "three_values": [310, 290, 305],
        "wide_two": [1, 1000],
        "fifty_draws": np.round(rng.gamma(2.5, 4000.0, size=50)).tolist(),
        "shape_below_one": (rng.gamma(0.4, 1000.0, size=30) + 1.0).tolist(),
    }
    beta_data = {
        "small_errors": [1e-3, 4e-3, 2e-4, 8e-3, 5e-4, 2.5e-3, 1.2e-3],
        "moderate": [0.02, 0.11, 0.05, 0.31, 0.07, 0.16],
        "two_values": [0.01, 0.04],
        "near_half": [0.45, 0.49, 0.47, 0.499, 0.43],
        "with_boundaries": [0.0, 0.02, 0.05, 0.5, 0.1],
        "forty_draws": (rng.beta(0.8, 30.0, size=40) / 2).tolist(),
    }
    t_data = [("four", [1.0, 2.0, 3.0, 4.0], 0.95), ("spread", [3.1, 9.4, 2.2, 7.7, 5.0], 0.9),
              ("two", [10.0, 12.5], 0.99)]
    out = {
        "generated_by": "tests/data/stats_reference.py",
        "versions": {"scipy": scipy.__version__, "numpy": np.__version__,
                     "statsmodels": statsmodels.__version__},
        "confidence": CONFIDENCE,
        "critical": CRITICAL,
        "special": special_functions(),
        "wilson": wilson_cases(),
        "gamma": [gamma_case(k, v) for k, v in gamma_data.items()],
        "beta": [beta_case(k, v) for k, v in beta_data.items()],
        "student_t": [student_t_case(*c) for c in t_data],
    }
    path = pathlib.Path(__file__).with_name("stats_reference.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
