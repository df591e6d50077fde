"""Summaries of a survival curve that compare groups fairly: the restricted mean lifetime and the
discounted margin of a subscriber (survival-based lifetime value), each with a Greenwood interval."""
from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd  # noqa: F401  (the examples use it)

from ..metrics.rates import z_value
from ..results import MetricResult
from ..validation import InputError, Integer, Real, check
from .curves import kaplan_meier  # noqa: F401  (used in the examples)

__all__ = ["restricted_mean", "restricted_mean_difference", "discounted_value"]


def _greenwood_functional(fitter, weight_of):
    """A linear functional of a Kaplan-Meier curve and its Greenwood (delta-method) variance.

    ``weight_of(times)`` returns, for each event time t_j, A_j: the part of the functional that comes
    after t_j (an integral or a weighted sum of S beyond t_j). Var = sum_j A_j^2 d_j / (n_j (n_j - d_j)).
    """
    table = fitter.event_table
    events = table[table["observed"] > 0]
    times = events.index.to_numpy(dtype=float)
    d, n = events["observed"].to_numpy(dtype=float), events["at_risk"].to_numpy(dtype=float)
    after = weight_of(times)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(n > d, after ** 2 * d / (n * (n - d)), 0.0)
    return float(terms.sum())


def _require_fitter(fitter):
    if not hasattr(fitter, "survival_function_at_times"):
        raise InputError(f"fitter must be a fitted Kaplan-Meier curve from rk.survival.kaplan_meier, got "
                         f"{type(fitter).__name__}.")


def restricted_mean(fitter, *, horizon: float) -> MetricResult:
    """Restricted mean lifetime: the area under the survival curve up to ``horizon``, with its interval.

    RMST(tau) = integral from 0 to tau of S(t) dt: the expected time a customer stays within the first
    tau periods. Unlike a median it exists when fewer than half have churned, and unlike the mean of
    churned customers' lifetimes it counts the customers still subscribed. Compare groups at the same
    tau. Variance (Greenwood, delta method): sum over event times t_j < tau of A_j^2 d_j / (n_j (n_j - d_j)),
    with A_j the area under S from t_j to tau.

    Parameters
    ----------
    fitter : a fitted lifelines ``KaplanMeierFitter`` (from :func:`kaplan_meier`)
    horizon : float, tau, in the fitter's time unit (at most the longest observed duration is wise)

    Returns
    -------
    MetricResult (kind ``"restricted_mean"``) in the fitter's time unit, with ``se`` and ``ci`` (at the
    fitter's confidence), and part ``horizon``.

    Raises
    ------
    InputError
        For a horizon that is not positive, or an object that is not a fitted curve.

    References
    ----------
    Royston & Parmar (2013), "Restricted mean survival time", BMC Medical Research Methodology 13:152.

    Examples
    --------
    >>> life = pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "churned": [True, True, True, True]})
    >>> restricted_mean(kaplan_meier(life)["all"], horizon=4).value   # 1 + 0.75 + 0.5 + 0.25
    2.5
    """
    _require_fitter(fitter)
    tau = check("horizon", horizon, Real(low=0, closed="neither"))
    breaks, values = _step(fitter, tau)
    pieces = values * np.diff(breaks)                   # area of each piece of the step function
    area = float(pieces.sum())
    tail = np.r_[np.cumsum(pieces[::-1])[::-1], 0.0]    # area from each breakpoint to tau

    def after(times):                                   # event times are breakpoints of the curve
        return np.where(times < tau, tail[np.minimum(np.searchsorted(breaks, times), len(pieces))], 0.0)

    se = float(np.sqrt(_greenwood_functional(fitter, after)))
    z = z_value(1 - fitter.alpha)
    unit = getattr(fitter, "time_unit", None) or ""
    return MetricResult(kind="restricted_mean", name=f"Restricted mean lifetime to {tau:g} ({fitter.label})",
                        value=area, unit=unit, formula="integral of S(t) from 0 to tau (Kaplan-Meier)",
                        parts=dict(horizon=tau), se=se, ci=(max(area - z * se, 0.0), area + z * se),
                        confidence=1 - fitter.alpha)


def restricted_mean_difference(fitter_a, fitter_b, *, horizon: float) -> MetricResult:
    """Difference of two groups' restricted mean lifetimes to the same horizon, with its interval.

    RMST_a(tau) - RMST_b(tau): how many more periods, on average, a customer of group a stays within
    the first tau periods than one of group b. A like-with-like comparison of two survival curves in
    time units, where a ratio of medians needs both curves to fall below one half. The groups are
    independent, so SE = sqrt(SE_a^2 + SE_b^2); the interval is normal, with a two-sided z-test.

    Parameters
    ----------
    fitter_a, fitter_b : fitted lifelines ``KaplanMeierFitter`` curves (from :func:`kaplan_meier`) in one time unit
    horizon : float, tau, the same for both groups

    Returns
    -------
    MetricResult (kind ``"restricted_mean_difference"``) in the curves' time unit, with ``se``, ``ci``
    and parts ``rmst_a``, ``rmst_b``, ``horizon``, ``z``, ``p_value``.

    Raises
    ------
    InputError
        For a horizon that is not positive, an object that is not a fitted curve, or curves at
        different confidence levels.

    Examples
    --------
    >>> a = pd.DataFrame({"duration": [2.0, 4.0, 4.0, 4.0], "churned": [True, False, False, False]})
    >>> b = pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "churned": [True, True, True, True]})
    >>> r = restricted_mean_difference(kaplan_meier(a)["all"], kaplan_meier(b)["all"], horizon=4)
    >>> r.rmst_a, r.rmst_b, r.value         # 2 + 2 * 0.75 = 3.5, and 1 + 0.75 + 0.5 + 0.25 = 2.5
    (3.5, 2.5, 1.0)
    """
    a, b = restricted_mean(fitter_a, horizon=horizon), restricted_mean(fitter_b, horizon=horizon)
    if a.confidence != b.confidence:
        raise InputError(f"fitter_a and fitter_b were fitted at confidence {a.confidence:g} and {b.confidence:g}; fit "
                         f"both at one level.")
    if (getattr(fitter_a, "time_unit", None) or "") != (getattr(fitter_b, "time_unit", None) or ""):
        raise InputError(f"fitter_a is in {fitter_a.time_unit!r}s and fitter_b in {fitter_b.time_unit!r}s; fit both "
                         f"curves in one time unit.")
    value = a.value - b.value
    se = float(np.hypot(a.se, b.se))
    z = value / se if se > 0 else 0.0
    p_value = 2 * NormalDist().cdf(-abs(z))
    half = z_value(a.confidence) * se
    return MetricResult(kind="restricted_mean_difference",
                        name=f"Difference of restricted mean lifetimes to {a.horizon:g} ({fitter_a.label} - "
                             f"{fitter_b.label})",
                        value=value, unit=a.unit, formula="RMST_a(tau) - RMST_b(tau);  SE = sqrt(SE_a^2 + SE_b^2)",
                        parts=dict(rmst_a=a.value, rmst_b=b.value, horizon=a.horizon, z=z, p_value=p_value),
                        se=se, ci=(value - half, value + half), confidence=a.confidence)


def _step(fitter, tau):
    """The Kaplan-Meier step function on [0, tau]: breakpoints and the value on each piece."""
    times = fitter.survival_function_.index.to_numpy(dtype=float)
    times = np.unique(np.r_[0.0, times[(times > 0) & (times < tau)], tau])
    values = fitter.survival_function_at_times(times[:-1]).to_numpy()
    return times, values


def discounted_value(fitter, *, margin_per_period: float, discount_rate: float, periods: int) -> MetricResult:
    """Expected discounted margin of a new subscriber over ``periods`` periods, from a survival curve.

    value = sum over k = 0..periods-1 of m S(k) / (1 + d)^k: the margin m is paid at the start of
    each period the customer is still subscribed (S(0) = 1: the first payment is certain). This is the
    lifetime value of a contractual customer without assuming a constant retention rate; when the
    curve has not reached zero by ``periods`` it is a lower bound. Variance: Greenwood, as
    :func:`restricted_mean`, with the discounted margins as weights.

    Parameters
    ----------
    fitter : a fitted lifelines ``KaplanMeierFitter`` (durations in periods)
    margin_per_period : float, m
    discount_rate : float, d, per period
    periods : int, how many periods to sum

    Returns
    -------
    MetricResult (kind ``"survival_clv"``, currency) with ``se``, ``ci`` and parts ``expected_periods``
    (the undiscounted sum of S), ``periods``.

    Raises
    ------
    InputError
        For a margin or discount rate that is not a finite number (a negative discount rate), or
        periods that are not a positive whole number.

    Examples
    --------
    >>> life = pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "churned": [True, True, True, True]})
    >>> discounted_value(kaplan_meier(life)["all"], margin_per_period=10, discount_rate=0.0, periods=4).value
    25.0
    """
    _require_fitter(fitter)
    m = check("margin_per_period", margin_per_period, Real())
    d = check("discount_rate", discount_rate, Real(low=0))
    periods = check("periods", periods, Integer(low=1))
    k = np.arange(periods, dtype=float)
    survival = fitter.survival_function_at_times(k).to_numpy()
    weights = m / (1 + d) ** k
    value = float(weights @ survival)

    tail = np.r_[np.cumsum((weights * survival)[::-1])[::-1], 0.0]    # sum over periods k >= each k

    def after(times):                       # S(k) depends on the hazard at every event time t_j <= k
        return tail[np.minimum(np.ceil(times).astype(int), periods)]

    se = float(np.sqrt(_greenwood_functional(fitter, after)))
    z = z_value(1 - fitter.alpha)
    return MetricResult(kind="survival_clv", name=f"Discounted margin over {periods} periods ({fitter.label})",
                        value=value, unit="currency", formula="sum over k < periods of m S(k) / (1 + d)^k",
                        parts=dict(expected_periods=float(survival.sum()), periods=periods),
                        se=se, ci=(value - z * se, value + z * se), confidence=1 - fitter.alpha)
