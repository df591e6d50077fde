"""The money of a targeting policy, estimated from a randomized test: treat the top share by a score, against
treating nobody, and two scores compared at the same share.

Only the incremental customers count, each at their own lifetime value; the offer's cost counts for every
customer who uses it, including those who would have stayed anyway. Taught in lesson 12.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..metrics.rates import z_value
from ..results import MetricResult
from ..validation import Confidence, InputError, Integer, Probability, RandomState, Real, validate
from .ranking import sorted_arms

__all__ = ["policy_value", "policy_curve", "compare_policies"]


def _policy(t, y, clv, discount, k, contact_cost, z):
    """The value of treating the first k customers (arrays already sorted by score, highest first)."""
    tt, yy, value, disc = t[:k], y[:k], clv[:k], discount[:k]
    if tt.sum() < 2 or (~tt).sum() < 2:
        return np.nan, (np.nan, np.nan), int(tt.sum()), int((~tt).sum())
    value_t = yy[tt] * (value[tt] - disc[tt]) - contact_cost
    value_c = yy[~tt] * value[~tt]
    gain = k * (value_t.mean() - value_c.mean())
    se = k * np.sqrt(value_t.var(ddof=1) / len(value_t) + value_c.var(ddof=1) / len(value_c))
    return float(gain), (float(gain - z * se), float(gain + z * se)), int(tt.sum()), int((~tt).sum())


def _money(values, n, name, index):
    v = pd.Series(values, index=index) if not isinstance(values, pd.Series) else values.reindex(index)
    if np.ndim(values) == 0:
        v = pd.Series(float(values), index=index)
    out = pd.to_numeric(v, errors="coerce").to_numpy(dtype=float)
    if len(out) != n or np.isnan(out).any():
        raise InputError(f"{name} must be a number or a value for every customer of the score's index; some are "
                         f"missing. Fix: give {name} for every customer.")
    return out


@validate(share=Probability("The share of customers targeted, e.g. 0.2 for the top 20%."),
          contact_cost=Real(low=0), confidence=Confidence())
def policy_value(score, treated, outcome, *, clv, discount, share: float, contact_cost: float = 0.0,
                 confidence: float = 0.95) -> MetricResult:
    """What targeting the top ``share`` by a score is worth, against offering nobody, estimated from a randomized test.

    Let S be the top ``share`` of customers by score. In the test, S's treated customers show what
    the offer does to S, and S's control customers what happens without it. Per customer, with the
    offer: v_T = y (CLV - d) - f (a retained customer uses the discount d; every contact costs f);
    without: v_C = y CLV. Value = |S| (mean v_T over S's treated - mean v_C over S's control),
    with a normal interval from the two means' standard errors (Welch). Only the incremental
    customers count, at their own CLV; the discounts given to those who would have stayed count
    against the offer.

    Parameters
    ----------
    score : Series of scores, higher = target first
    treated, outcome : Series of True/False indexed like ``score`` (outcome: retained)
    clv : float or Series, each customer's value if retained, in dollars
    discount : float or Series, the cost of the offer to a retained treated customer, in dollars
    share : float in [0, 1]
    contact_cost : float, default 0
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"policy_value"``, currency) with parts ``targeted``, ``treated_in_top``,
    ``control_in_top``; value NaN when the top has fewer than two customers of an arm.

    Raises
    ------
    InputError
        As :func:`qini_curve`, and for a CLV or discount missing for some customer.

    Examples
    --------
    >>> s = pd.Series([4, 3, 2, 1]); t = pd.Series([1, 0, 1, 0]); y = pd.Series([1, 0, 0, 1])
    >>> round(policy_value(s, t, y, clv=100.0, discount=10.0, share=1.0).value, 2)   # 4 x ((90 + 0)/2 - (0 + 100)/2)
    -20.0
    """
    order, t, y = sorted_arms(score, treated, outcome)
    index = score.index if isinstance(score, pd.Series) else pd.RangeIndex(len(t))
    value, disc = _money(clv, len(t), "clv", index), _money(discount, len(t), "discount", index)
    k = int(round(share * len(t)))
    gain, ci, n_t, n_c = _policy(t, y, value[order], disc[order], k, contact_cost, z_value(confidence))
    return MetricResult(kind="policy_value", name=f"Value of targeting the top {share:.0%}", value=gain,
                        unit="currency", ci=ci, confidence=confidence,
                        formula="|S| (mean[y (CLV - d) - f | S, treated] - mean[y CLV | S, control])",
                        parts=dict(targeted=k, treated_in_top=n_t, control_in_top=n_c))


def policy_curve(score, treated, outcome, *, clv, discount, contact_cost: float = 0.0, shares=None,
                 confidence: float = 0.95) -> pd.DataFrame:
    """:func:`policy_value` at many shares: the money of targeting by a score, share by share.

    Parameters
    ----------
    score, treated, outcome, clv, discount, contact_cost, confidence : as :func:`policy_value`
    shares : sequence of floats in (0, 1], default 0.05, 0.10, ..., 1.0

    Returns
    -------
    DataFrame indexed by share: ``targeted``, ``value``, ``ci_low``, ``ci_high``.

    Raises
    ------
    InputError
        As :func:`policy_value`.

    Examples
    --------
    >>> s = pd.Series(range(8)); t = pd.Series([1, 0] * 4); y = pd.Series([1, 0, 1, 0, 1, 1, 0, 1])
    >>> policy_curve(s, t, y, clv=10.0, discount=1.0, shares=[0.5, 1.0])["targeted"].tolist()
    [4, 8]
    """
    shares = np.round(np.arange(1, 21) / 20, 2) if shares is None else np.asarray(shares, dtype=float)
    rows = [policy_value(score, treated, outcome, clv=clv, discount=discount, share=float(s), contact_cost=contact_cost,
                         confidence=confidence) for s in shares]
    return pd.DataFrame({"targeted": [r.parts["targeted"] for r in rows], "value": [r.value for r in rows],
                         "ci_low": [r.ci[0] for r in rows], "ci_high": [r.ci[1] for r in rows]},
                        index=pd.Index(shares, name="share"))


@validate(share=Probability("The share of customers targeted, e.g. 0.2 for the top 20%."),
          contact_cost=Real(low=0), confidence=Confidence(), n_boot=Integer(low=100), random_state=RandomState())
def compare_policies(score_a, score_b, treated, outcome, *, clv, discount, share: float, contact_cost: float = 0.0,
                     confidence: float = 0.95, n_boot: int = 2_000, random_state=0) -> MetricResult:
    """The value of targeting the top ``share`` by score a minus by score b, with a bootstrap interval.

    Both values are :func:`policy_value` on the same test, so their errors are correlated: the
    interval of the difference comes from resampling the customers (a Poisson bootstrap: each
    customer weighted by a Poisson(1) count, the sets targeted held fixed) rather than from the two
    separate intervals. Percentile interval.

    Parameters
    ----------
    score_a, score_b : Series of scores on the same customers (same index, same order)
    treated, outcome, clv, discount, share, contact_cost, confidence : as :func:`policy_value`
    n_boot : int, default 2,000
    random_state : int, default 0

    Returns
    -------
    MetricResult (kind ``"policy_difference"``, currency) with parts ``value_a``, ``value_b``,
    ``targeted`` and ``overlap`` (customers in both top sets).

    Raises
    ------
    InputError
        As :func:`policy_value`, and for scores on different customers.

    Examples
    --------
    >>> rng = np.random.default_rng(0); n = 400
    >>> t = pd.Series(rng.random(n) < 0.5); x = pd.Series(rng.random(n))
    >>> y = pd.Series(rng.random(n) < 0.5 + 0.4 * t * (x > 0.5))          # the offer helps when x > 0.5
    >>> d = compare_policies(x, -x, t, y, clv=100.0, discount=0.0, share=0.5)
    >>> d.value > 0 and d.ci[0] > 0
    True
    """
    a = score_a if isinstance(score_a, pd.Series) else pd.Series(score_a)
    b = score_b if isinstance(score_b, pd.Series) else pd.Series(score_b)
    if not a.index.equals(b.index):
        raise InputError("score_a and score_b must score the same customers, with the same index in the same order. "
                         "Fix: score_b.reindex(score_a.index).")
    value_a = policy_value(a, treated, outcome, clv=clv, discount=discount, share=share, contact_cost=contact_cost)
    value_b = policy_value(b, treated, outcome, clv=clv, discount=discount, share=share, contact_cost=contact_cost)
    if np.isnan(value_a.value) or np.isnan(value_b.value):
        raise InputError(f"share={share!r} puts fewer than two customers of an arm in a top set: too few to compare. "
                         f"Fix: a larger share.")
    order_a, t, y = sorted_arms(a, treated, outcome)
    n, k = len(t), value_a.parts["targeted"]
    t, y = t[np.argsort(order_a)], y[np.argsort(order_a)]              # back to the index's order
    money = _money(clv, n, "clv", a.index), _money(discount, n, "discount", a.index)
    v_t = y * (money[0] - money[1]) - contact_cost
    v_c = y * money[0]
    rng = np.random.default_rng(random_state)
    sets = []
    for score in (a, b):
        top = np.zeros(n, dtype=bool)
        top[np.argsort(-score.to_numpy(dtype=float), kind="stable")[:k]] = True
        sets.append((top & t, top & ~t))
    draws = []
    for start in range(0, n_boot, 250):
        w = rng.poisson(1.0, size=(min(250, n_boot - start), n)).astype(float)
        values = []
        for in_t, in_c in sets:
            mean_t = (w[:, in_t] @ v_t[in_t]) / w[:, in_t].sum(axis=1)
            mean_c = (w[:, in_c] @ v_c[in_c]) / w[:, in_c].sum(axis=1)
            values.append(k * (mean_t - mean_c))
        draws.append(values[0] - values[1])
    draws = np.concatenate(draws)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(draws[np.isfinite(draws)], [alpha, 1 - alpha])
    overlap = int((sets[0][0] | sets[0][1])[(sets[1][0] | sets[1][1])].sum())
    return MetricResult(kind="policy_difference", name=f"Targeting by score a minus by score b, top {share:.0%}",
                        value=value_a.value - value_b.value, unit="currency", ci=(float(low), float(high)),
                        confidence=confidence, formula="policy_value(score_a) - policy_value(score_b), Poisson bootstrap",
                        parts=dict(value_a=value_a.value, value_b=value_b.value, targeted=k, overlap=overlap))
