"""Checks of a fitted purchase model against what a student can observe, and of a targeting rule.

* :func:`purchase_count_probabilities`: P(X(t) = x), the BG/NBD distribution of a new customer's
  repeat purchases (Fader, Hardie & Lee 2005, eq. 8);
* :func:`model_repeat_curve`: the chance of purchase k + 1 among customers with k purchases in
  their first window, as the fitted model implies it, with an interval from parameter draws, to
  lay over :func:`retention_kit.metrics.repeat_probability_by_count`;
* :func:`captured_share`: the share of an outcome (future margin) held by the top of a ranking.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln

from ..results import MetricResult
from ..validation import Confidence, InputError, Integer, Real, require_columns, validate
from .bgnbd import BetaGeo

__all__ = ["purchase_count_probabilities", "model_repeat_curve", "captured_share"]


def _count_probabilities(params, t: float, max_count: int) -> np.ndarray:
    """P(X(t) = x) for x = 0..max_count under BG/NBD parameters (r, alpha, a, b)."""
    r, alpha, a, b = (float(v) for v in params)
    x = np.arange(max_count + 1, dtype=float)
    log_nbd = gammaln(r + x) - gammaln(r) - gammaln(x + 1) + r * np.log(alpha / (alpha + t)) + x * np.log(t / (alpha + t))
    nbd = np.exp(log_nbd)                                        # P(x purchases at rate ~ Gamma(r, alpha) in t)
    still = np.exp(betaln(a, b + x) - betaln(a, b)) * nbd       # active throughout
    below = np.r_[0.0, np.cumsum(nbd)[:-1]]                      # sum over j < x of the NBD terms
    lapsed = np.where(x > 0, np.exp(betaln(a + 1, b + x - 1) - betaln(a, b)) * (1 - below), 0.0)
    return still + lapsed


@validate(horizon=Real(low=0, closed="neither"), max_count=Integer(low=0))
def purchase_count_probabilities(model: BetaGeo, *, horizon: float, max_count: int,
                                 time_unit: str | None = None) -> pd.Series:
    """P(X(t) = x): the chance that a customer who has just made a first purchase makes x repeat purchases by t.

    P(X(t) = x) = B(a, b + x)/B(a, b) NB(x) + [x > 0] B(a + 1, b + x - 1)/B(a, b)
    (1 - sum over j < x of NB(j)), with NB(j) = Gamma(r + j)/(Gamma(r) j!) (alpha/(alpha + t))^r
    (t/(alpha + t))^j (Fader, Hardie & Lee 2005, eq. 8).

    Parameters
    ----------
    model : fitted BetaGeo
    horizon : float, t, greater than 0
    max_count : int, the largest x to return
    time_unit : str, optional; the unit of ``horizon``, default the model's

    Returns
    -------
    Series ``probability`` indexed by x = 0..max_count (the rest of the mass is above max_count).

    Raises
    ------
    InputError
        For an unfitted model, a horizon that is not positive, or a negative max_count.

    Examples
    --------
    >>> import retention_kit as rk
    >>> model = rk.clv.BetaGeo().fit(rk.rfm_summary(rk.datasets.make_transactions(1500, random_state=0).data))
    >>> p = purchase_count_probabilities(model, horizon=365, max_count=2000)
    >>> round(float(p.sum()), 6)
    1.0
    """
    _require_betageo(model)
    t = model._horizon(horizon, time_unit)
    return pd.Series(_count_probabilities(model.params_, t, max_count), index=pd.RangeIndex(max_count + 1, name="x"),
                     name="probability")


def _require_betageo(model):
    if not isinstance(model, BetaGeo):
        raise InputError(f"model must be a fitted rk.clv.BetaGeo, got {type(model).__name__}.")
    model._check_fitted()


def _curve(params, t, max_count):
    """P(N >= k + 1) / P(N >= k) for k = 1..max_count, N = 1 + X(t) purchases in the first window."""
    p = _count_probabilities(params, t, max_count)
    at_least = 1 - np.r_[0.0, np.cumsum(p)[:-1]]                # P(X >= x), x = 0..max_count
    return at_least[1:] / at_least[:-1]


@validate(window=Real(low=0, closed="neither"), max_count=Integer(low=1), n_draws=Integer(low=0),
          confidence=Confidence())
def model_repeat_curve(model: BetaGeo, *, window: float, max_count: int = 12, time_unit: str | None = None,
                       observed: pd.DataFrame | None = None, n_draws: int = 500, confidence: float = 0.95,
                       random_state=None) -> pd.DataFrame:
    """The chance of purchase k + 1 among customers with at least k purchases in their first window, by the model.

    With N = 1 + X(window) purchases in [first purchase, first purchase + window), the curve is
    P(N >= k + 1) / P(N >= k) = P(X >= k) / P(X >= k - 1), from :func:`purchase_count_probabilities`.
    BG/NBD has no threshold: each customer's rate and lapse chance are fixed from the start. If
    this curve, laid over the observed one (:func:`retention_kit.metrics.repeat_probability_by_count`,
    same window), reproduces its rise, the rise needs no threshold to explain it: selection of
    frequent buyers suffices. The interval comes from ``n_draws`` parameter draws
    (:meth:`BetaGeo.parameter_draws`). Fit the model on the customers behind the observed curve
    (those with a whole first window), or the two curves describe different mixes of customers.

    With ``observed``, each row also gets the observed chance and
    z = (observed - model) / sqrt(model (1 - model) / customers): how far the observation is from
    the model, in standard errors of a sample of that many customers. Across a dozen rows, one
    |z| above 2 is what chance gives; many, or a run of them around one count, is a misfit.
    ``attrs["chi_squared"]`` (the sum of z^2) and ``attrs["p_value"]`` (chi-squared with one degree of
    freedom per row) test all rows at once. The rows share customers and the model was fitted to
    them, so this is an approximate check, not an exact test.

    Parameters
    ----------
    model : fitted BetaGeo (fitted on purchases in a fine time unit, such as hours, counts
        purchases; fitted in days it counts purchase days)
    window : float, the window's length
    max_count : int, default 12
    time_unit : str, optional; the unit of ``window``, default the model's
    n_draws : int, default 500; 0 for no interval
    confidence : float, default 0.95
    observed : DataFrame from :func:`retention_kit.metrics.repeat_probability_by_count`, optional
    random_state : int or numpy Generator, optional

    Returns
    -------
    DataFrame with ``purchases`` (k = 1..max_count), ``probability`` and, with draws, ``ci_low`` and
    ``ci_high``; with ``observed``, also ``customers``, ``observed`` and ``z``, and the joint test in
    ``attrs``.

    Raises
    ------
    InputError
        For an unfitted model, arguments out of range, or an ``observed`` table without the
        columns ``purchases``, ``customers`` and ``probability``.

    Examples
    --------
    >>> import retention_kit as rk
    >>> model = rk.clv.BetaGeo().fit(rk.rfm_summary(rk.datasets.make_transactions(1500, random_state=0).data))
    >>> curve = model_repeat_curve(model, window=365, max_count=5, n_draws=0)
    >>> list(curve.columns), bool(curve["probability"].iloc[1:].is_monotonic_increasing)   # rises after a dip at k = 2
    (['purchases', 'probability'], True)
    """
    _require_betageo(model)
    t = model._horizon(window, time_unit, "window")
    out = pd.DataFrame({"purchases": np.arange(1, max_count + 1), "probability": _curve(model.params_, t, max_count)})
    if n_draws:
        draws = model.parameter_draws(n_draws, random_state=random_state).to_numpy()
        curves = np.array([_curve(d, t, max_count) for d in draws])
        tail = (1 - confidence) / 2
        out["ci_low"], out["ci_high"] = np.quantile(curves, tail, axis=0), np.quantile(curves, 1 - tail, axis=0)
    if observed is not None:
        require_columns(observed, ["purchases", "customers", "probability"], "observed",
                        "pass the table of rk.metrics.repeat_probability_by_count")
        seen = observed.set_index("purchases").reindex(out["purchases"])
        out["customers"] = seen["customers"].to_numpy()
        out["observed"] = seen["probability"].to_numpy()
        p = out["probability"]
        out["z"] = (out["observed"] - p) / np.sqrt(p * (1 - p) / out["customers"])
        from scipy.stats import chi2
        out.attrs["chi_squared"] = float((out["z"] ** 2).sum())
        out.attrs["p_value"] = float(chi2.sf(out.attrs["chi_squared"], len(out)))
    out.attrs["confidence"] = confidence if n_draws else None
    return out


@validate(top=Real(0, 1, closed="right"))
def captured_share(score, outcome, *, top: float = 0.1) -> MetricResult:
    """Share of the total ``outcome`` held by the customers ranked highest by ``score``.

    captured = sum of outcome over the top ceil(top x n) customers by score / sum of outcome.
    Used to test a targeting rule on a holdout: rank on data up to a date, measure what the
    top customers actually brought afterwards, and compare rankings on the same outcome.
    Ties in ``score`` are broken by the order of the index (a stable sort).

    Parameters
    ----------
    score : Series, the ranking (higher is targeted first)
    outcome : Series indexed like ``score``, what each customer brought (0 for nothing)
    top : float, default 0.1, the share of customers targeted

    Returns
    -------
    MetricResult (kind ``"captured_share"``, a fraction) with parts ``targeted``, ``customers``,
    ``captured`` and ``total``.

    Raises
    ------
    InputError
        For series that do not share one index, missing values, or a total outcome of 0.

    Examples
    --------
    >>> s = pd.Series([5.0, 1.0, 3.0, 2.0]); y = pd.Series([10.0, 0.0, 30.0, 60.0])
    >>> float(captured_share(s, y, top=0.5))   # targets customers 0 and 2: (10 + 30) / 100
    0.4
    """
    score, outcome = pd.Series(score), pd.Series(outcome)
    if len(score) != len(outcome) or not score.index.sort_values().equals(outcome.index.sort_values()):
        raise InputError("score and outcome must be indexed by the same customers; align them first "
                         "(outcome.reindex(score.index, fill_value=0) for customers who brought nothing).")
    for name, series in (("score", score), ("outcome", outcome)):
        if series.isna().any():
            raise InputError(f"{name} has {int(series.isna().sum())} missing value(s) (first: customer "
                             f"{series.index[series.isna()][0]!r}); fill or drop them first.")
    outcome = outcome.reindex(score.index)
    total = float(outcome.sum())
    if total == 0:
        raise InputError("outcome sums to 0: there is nothing to capture.")
    targeted = int(np.ceil(top * len(score)))
    order = np.argsort(-score.to_numpy(dtype=float), kind="stable")[:targeted]
    captured = float(outcome.to_numpy(dtype=float)[order].sum())
    return MetricResult(kind="captured_share", name=f"Share of outcome captured by the top {top:.0%}",
                        value=captured / total, unit="fraction",
                        formula="sum of outcome over the top customers by score / total outcome",
                        parts=dict(targeted=targeted, customers=len(score), captured=captured, total=total))
