"""Comparing two groups with an interval: a difference of shares, a ratio of rates, a correlation.

Two intervals that overlap do not show that two groups are alike, and two that do not overlap are a
cruder test than the one on the difference: test the difference itself.
"""
from __future__ import annotations

import math

import numpy as np

from ..results import MetricResult
from ..validation import (Confidence, InputError, Integer, Options, Real, require_columns, require_frame, require_numeric,
                          to_series, validate)
from .rates import proportion, z_value

__all__ = ["proportion_difference", "stratified_difference", "rate_ratio", "correlation"]


@validate(successes_a=Integer(low=0), n_a=Integer(low=1), successes_b=Integer(low=0), n_b=Integer(low=1),
          confidence=Confidence())
def proportion_difference(successes_a: int, n_a: int, successes_b: int, n_b: int, *,
                          confidence: float = 0.95) -> MetricResult:
    """The difference of two independent shares, p_a - p_b, with Newcombe's score interval and a z-test.

    Interval (Newcombe 1998, method 10): with (l_a, u_a) and (l_b, u_b) the Wilson intervals of each
    share, the difference d = p_a - p_b has the interval
    d - sqrt((p_a - l_a)^2 + (u_b - p_b)^2) to d + sqrt((u_a - p_a)^2 + (p_b - l_b)^2).
    Test of no difference: z = d / sqrt(p (1 - p) (1/n_a + 1/n_b)), p the pooled share.

    Parameters
    ----------
    successes_a, n_a : int, the first group's events and size
    successes_b, n_b : int, the second group's
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"proportion_difference"``), ``value`` a difference of fractions, with
    parts ``p_a``, ``p_b``, ``z``, ``p_value`` and ``significant``; ``se`` is the unpooled standard
    error (the test pools, and the interval is Newcombe's, as its note says).

    Raises
    ------
    InputError
        For counts that are not whole, negative, or above their group's size.

    References
    ----------
    Newcombe (1998), "Interval estimation for the difference between independent proportions",
    Statistics in Medicine 17, 873-890.

    Examples
    --------
    >>> r = proportion_difference(56, 70, 48, 80)
    >>> round(r.value, 4), tuple(round(x, 4) for x in r.ci)
    (0.2, (0.0524, 0.3339))
    """
    for k, n, name in ((successes_a, n_a, "successes_a"), (successes_b, n_b, "successes_b")):
        if k > n:
            raise InputError(f"{name}={k} is more than its group's size {n}; a share cannot exceed 1.")
    a = proportion(successes_a, n_a, confidence=confidence)
    b = proportion(successes_b, n_b, confidence=confidence)
    d = a.value - b.value
    low = d - math.sqrt((a.value - a.ci[0]) ** 2 + (b.ci[1] - b.value) ** 2)
    high = d + math.sqrt((a.ci[1] - a.value) ** 2 + (b.value - b.ci[0]) ** 2)
    pooled = (successes_a + successes_b) / (n_a + n_b)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    z = d / se0 if se0 > 0 else 0.0
    p_value = math.erfc(abs(z) / math.sqrt(2))
    return MetricResult(kind="proportion_difference", name="Difference of two shares", value=d, unit="fraction",
                        formula="p_a - p_b (Newcombe's hybrid score interval; pooled z-test)",
                        parts=dict(p_a=a.value, p_b=b.value, n_a=n_a, n_b=n_b, z=z, p_value=p_value,
                                   significant=bool(p_value < 1 - confidence)),
                        se=math.sqrt(a.value * (1 - a.value) / n_a + b.value * (1 - b.value) / n_b),
                        ci=(max(low, -1.0), min(high, 1.0)), confidence=confidence,
                        notes=("the standard error shown is the unpooled one, sqrt(p_a (1 - p_a) / n_a + p_b (1 - p_b) / "
                               "n_b); the z-test uses the pooled share (no difference assumed), and the interval "
                               "Newcombe's method, so neither is exactly difference +/- z SE.",))


STRATA_COLUMNS = ["successes_a", "n_a", "successes_b", "n_b"]


@validate(confidence=Confidence())
def stratified_difference(strata, *, confidence: float = 0.95) -> MetricResult:
    """The difference of two shares within strata, pooled across them (Mantel-Haenszel), with Sato's interval.

    Compares group a with group b *inside* each stratum of a confounder (a contract type, a plan)
    and combines the stratum differences with Mantel-Haenszel weights W_i = n_ai n_bi / N_i:

    RD_MH = sum_i (x_ai n_bi - x_bi n_ai) / N_i / sum_i W_i,

    the difference you would see if both groups had the same mix of strata. Variance (Sato 1989),
    valid with a few large strata and with many small ones:
    Var = (RD_MH sum_i P_i + sum_i Q_i) / (sum_i W_i)^2, with
    P_i = (n_ai^2 x_bi - n_bi^2 x_ai + n_ai n_bi (n_bi - n_ai) / 2) / N_i^2 and
    Q_i = (x_ai (n_bi - x_bi) + x_bi (n_ai - x_ai)) / (2 N_i). The interval is normal.

    Parameters
    ----------
    strata : DataFrame, one row per stratum, with ``successes_a``, ``n_a``, ``successes_b``, ``n_b``
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"stratified_difference"``, a difference of fractions) with ``se``, ``ci`` and
    parts ``crude`` (the difference ignoring strata), ``strata``, ``z``, ``p_value``.

    Raises
    ------
    InputError
        For missing columns, counts that are negative, fractional or above their group's size, or a
        stratum with an empty group (it carries no comparison: drop it).

    References
    ----------
    Greenland & Robins (1985), Biometrics 41, 55-68; Sato (1989), Biometrics 45, 1323-1324.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"successes_a": [30, 10], "n_a": [100, 100], "successes_b": [20, 5], "n_b": [100, 100]})
    >>> round(stratified_difference(t).value, 4)      # +0.10 and +0.05, equal weights
    0.075
    """
    require_frame(strata, "strata")
    require_columns(strata, STRATA_COLUMNS, "strata", "one row per stratum with the counts of both groups")
    counts = {c: require_numeric(strata[c], c).to_numpy(dtype=float) for c in STRATA_COLUMNS}
    xa, na, xb, nb = (counts[c] for c in STRATA_COLUMNS)
    bad = (xa < 0) | (xb < 0) | (xa > na) | (xb > nb) | (xa % 1 != 0) | (xb % 1 != 0) | (na % 1 != 0) | (nb % 1 != 0)
    if bad.any():
        raise InputError(f"strata row {strata.index[bad][0]!r} has counts that are not whole numbers between 0 and "
                         f"the group's size; correct the counts.")
    empty = (na == 0) | (nb == 0)
    if empty.any():
        raise InputError(f"strata row {strata.index[empty][0]!r} has an empty group (n_a or n_b is 0): it carries no "
                         f"comparison; drop it.")
    total = na + nb
    weight = na * nb / total
    value = float(((xa * nb - xb * na) / total).sum() / weight.sum())
    p_terms = (na ** 2 * xb - nb ** 2 * xa + na * nb * (nb - na) / 2) / total ** 2
    q_terms = (xa * (nb - xb) + xb * (na - xa)) / (2 * total)
    se = math.sqrt(max(value * p_terms.sum() + q_terms.sum(), 0.0)) / weight.sum()
    z = value / se if se > 0 else 0.0
    half = z_value(confidence) * se
    crude = float(xa.sum() / na.sum() - xb.sum() / nb.sum())
    return MetricResult(kind="stratified_difference", name="Difference of two shares within strata (Mantel-Haenszel)",
                        value=value, unit="fraction", formula="sum (x_a n_b - x_b n_a) / N / sum n_a n_b / N; Sato's SE",
                        parts=dict(crude=crude, strata=len(strata), z=z, p_value=math.erfc(abs(z) / math.sqrt(2))),
                        se=se, ci=(max(value - half, -1.0), min(value + half, 1.0)), confidence=confidence)


@validate(events_a=Integer(low=0), exposure_a=Real(low=0, closed="neither"), events_b=Integer(low=0),
          exposure_b=Real(low=0, closed="neither"), confidence=Confidence())
def rate_ratio(events_a: int, exposure_a: float, events_b: int, exposure_b: float, *,
               confidence: float = 0.95) -> MetricResult:
    """The ratio of two Poisson rates, (events_a / exposure_a) / (events_b / exposure_b), with an exact interval.

    Given the total events_a + events_b, events_a is binomial with share
    pi = RR e_a / (RR e_a + e_b); the Clopper-Pearson interval of pi, turned back into a ratio,
    is the exact conditional interval of RR (referrals per promoter against per detractor, say).

    Parameters
    ----------
    events_a, exposure_a : the first group's events and its exposure (customers, customer-months...)
    events_b, exposure_b : the second group's
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"rate_ratio"``), ``value`` the ratio, with parts ``rate_a``, ``rate_b``.
    The upper bound is infinite when events_b is 0.

    Raises
    ------
    InputError
        For negative or fractional events, non-positive exposures, or no events at all.

    References
    ----------
    Ulm (1990); Breslow & Day (1987), *Statistical Methods in Cancer Research II*, section 2.2.

    Examples
    --------
    >>> r = rate_ratio(30, 100.0, 10, 100.0)
    >>> round(r.value, 6), tuple(round(x, 3) for x in r.ci)
    (3.0, (1.427, 6.879))
    """
    from scipy.special import betaincinv
    total = events_a + events_b
    if total == 0:
        raise InputError("events_a and events_b are both 0: with no events there is no ratio to estimate.")
    alpha = 1 - confidence
    lo_share = 0.0 if events_a == 0 else float(betaincinv(events_a, total - events_a + 1, alpha / 2))
    hi_share = 1.0 if events_a == total else float(betaincinv(events_a + 1, total - events_a, 1 - alpha / 2))
    scale = exposure_b / exposure_a

    def to_ratio(share):
        return math.inf if share >= 1 else share / (1 - share) * scale

    value = math.inf if events_b == 0 else (events_a / exposure_a) / (events_b / exposure_b)
    return MetricResult(kind="rate_ratio", name="Ratio of two rates", value=value, unit="",
                        formula="(events_a / exposure_a) / (events_b / exposure_b); exact conditional interval",
                        parts=dict(rate_a=events_a / exposure_a, rate_b=events_b / exposure_b, events_a=events_a,
                                   events_b=events_b),
                        ci=(to_ratio(lo_share), to_ratio(hi_share)), confidence=confidence)


@validate(method=Options("pearson", "spearman"), confidence=Confidence())
def correlation(x, y, *, method: str = "pearson", confidence: float = 0.95) -> MetricResult:
    """The correlation of two columns with its Fisher-z interval (Pearson's r, or Spearman's on ranks).

    z = atanh(r); interval tanh(z +/- z_crit / sqrt(n - 3)). Spearman's correlation is Pearson's on
    the ranks; its interval here uses the same transformation (a good approximation for n > 30).

    Parameters
    ----------
    x, y : sequences of numbers of the same length (at least 4 pairs, no missing values)
    method : "pearson" (default) or "spearman"
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"correlation"``) with ``value`` r, ``ci`` and part ``n``.

    Raises
    ------
    InputError
        For sequences of different lengths, missing or non-numeric values, fewer than 4 pairs, or a
        column with no variation.

    Examples
    --------
    >>> r = correlation([1, 2, 3, 4, 5, 6], [2.0, 4.1, 5.9, 8.2, 9.8, 12.1])
    >>> round(r.value, 4) > 0.99, r.n
    (True, 6)
    """
    a = require_numeric(to_series(x, "x"), "x").reset_index(drop=True)
    b = require_numeric(to_series(y, "y"), "y").reset_index(drop=True)
    if len(a) != len(b):
        raise InputError(f"x has {len(a)} values and y {len(b)}; pass pairs of the same length.")
    if a.isna().any() or b.isna().any():
        raise InputError("x or y has missing values; drop the incomplete pairs explicitly first.")
    if len(a) < 4:
        raise InputError(f"{len(a)} pairs are too few for an interval; pass at least 4.")
    if a.nunique() < 2 or b.nunique() < 2:
        raise InputError("x or y does not vary, so the correlation is undefined.")
    if method == "spearman":
        a, b = a.rank(), b.rank()
    r = float(np.corrcoef(a.to_numpy(), b.to_numpy())[0, 1])
    r = max(min(r, 1.0), -1.0)
    half = z_value(confidence) / math.sqrt(len(a) - 3)
    z = math.atanh(min(max(r, -0.999999999), 0.999999999))
    return MetricResult(kind="correlation", name=f"Correlation ({method})", value=r, unit="",
                        formula="r; interval tanh(atanh(r) +/- z / sqrt(n - 3)) (Fisher)", parts=dict(n=len(a)),
                        ci=(math.tanh(z - half), math.tanh(z + half)), confidence=confidence)

