"""Retention by arm after a randomized rollout, and its money (the Spotify playlists case study): extra subscribers
retained at a horizon, the retention rate late in the follow-up, and the value of the rollout, each with Greenwood
intervals computed from the Kaplan-Meier curves' event tables. ``rk.programs.rollout`` re-exports every function."""
from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd  # noqa: F401  (the examples use it)

from ..metrics.rates import z_value as _z
from ..results import MetricResult
from ..validation import InputError, Real, check

__all__ = ["retained_difference", "late_retention", "rollout_value"]


def _require_km(fitter, name):
    """A fitted lifelines KaplanMeierFitter: other fitters have no Kaplan-Meier event table to take Greenwood from."""
    from lifelines import KaplanMeierFitter
    if not isinstance(fitter, KaplanMeierFitter) or not hasattr(fitter, "event_table"):
        raise InputError(f"{name} must be a fitted Kaplan-Meier curve from rk.survival.kaplan_meier, got "
                         f"{type(fitter).__name__}; Greenwood's variance holds for Kaplan-Meier curves only.")


def _events(fitter):
    """Event times t_j, deaths d_j, at risk n_j and S just after each t_j, from the event table (whatever timeline
    the curve was fitted on)."""
    table = fitter.event_table
    table = table[table["observed"] > 0]
    t = table.index.to_numpy(dtype=float)
    d, n = table["observed"].to_numpy(dtype=float), table["at_risk"].to_numpy(dtype=float)
    return t, d, n, np.cumprod(1 - d / n)


def _s_at(events, tau):
    t, _, _, s = events
    i = np.searchsorted(t, tau, side="right")
    return float(s[i - 1]) if i else 1.0


def _greenwood(events, weights):
    """Var of a linear functional of S: sum over event times of A_j^2 d_j / (n_j (n_j - d_j))."""
    d, n = events[1], events[2]
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.where(n > d, weights ** 2 * d / (n * (n - d)), 0.0).sum())


def _value_functional(events, tau, margin, value_at_horizon):
    """One exposed subscriber's value m RMST(tau) + V S(tau), exact on the step function, and its Greenwood variance."""
    t = events[0]
    inside = t[(t > 0) & (t < tau)]
    breaks = np.r_[0.0, inside, tau]
    i = np.searchsorted(t, breaks[:-1], side="right")
    values = np.where(i > 0, events[3][np.maximum(i - 1, 0)], 1.0) if len(t) else np.ones(len(breaks) - 1)
    pieces = values * np.diff(breaks)
    tail = np.r_[np.cumsum(pieces[::-1])[::-1], 0.0]        # area under S from each break to tau
    s_tau = _s_at(events, tau)
    area = np.where(t < tau, tail[np.minimum(np.searchsorted(breaks, t), len(pieces))], 0.0)
    after = margin * area + np.where(t <= tau, value_at_horizon * s_tau, 0.0)  # a jump at t_j scales S beyond it
    return margin * float(pieces.sum()) + value_at_horizon * s_tau, _greenwood(events, after)


def _two_curves(fitter_treated, fitter_control, horizon, per):
    _require_km(fitter_treated, "fitter_treated")
    _require_km(fitter_control, "fitter_control")
    if not math.isclose(fitter_treated.alpha, fitter_control.alpha, rel_tol=1e-9, abs_tol=1e-12):
        raise InputError(f"fitter_treated and fitter_control were fitted at different confidence levels "
                         f"({1 - fitter_treated.alpha:g} and {1 - fitter_control.alpha:g}); fit both at one.")
    tau = check("horizon", horizon, Real(low=0, closed="neither"))
    per = check("per", per, Real(low=0, closed="neither", hint="Such as 10,000 subscribers exposed."))
    return tau, per, 1 - fitter_treated.alpha


def _result(kind, name, value, se, confidence, unit, formula, parts):
    z = value / se if se > 0 else 0.0
    half = _z(confidence) * se
    return MetricResult(kind=kind, name=name, value=value, unit=unit, formula=formula,
                        parts=dict(parts, z=z, p_value=2 * NormalDist().cdf(-abs(z))), se=se,
                        ci=(value - half, value + half), confidence=confidence)


def retained_difference(fitter_treated, fitter_control, *, horizon: float, per: float = 10_000) -> MetricResult:
    """Extra subscribers still subscribed at ``horizon`` per ``per`` exposed: per (S_T(tau) - S_C(tau)).

    Greenwood: Var S(tau) = S(tau)^2 sum over t_j <= tau of d_j / (n_j (n_j - d_j)); the arms' variances add.
    Computed from each curve's event table, whatever timeline it was fitted on.

    Parameters
    ----------
    fitter_treated, fitter_control : fitted Kaplan-Meier curves from :func:`retention_kit.survival.kaplan_meier`
    horizon : float, tau, in the curves' time unit
    per : float, default 10,000 subscribers exposed

    Returns
    -------
    MetricResult (kind ``"retained_difference"``, a count per ``per``) with ``se``, ``ci`` at the curves'
    confidence and parts ``retained_treated``, ``retained_control``, ``horizon``, ``per``, ``z``, ``p_value``.

    Raises
    ------
    InputError
        For objects that are not fitted Kaplan-Meier curves, two confidence levels, or a horizon or ``per`` not
        positive.

    Examples
    --------
    >>> from retention_kit.survival import kaplan_meier
    >>> a = kaplan_meier(pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "churned": [True, False, False, False]}))["all"]
    >>> b = kaplan_meier(pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "churned": [True, True, False, False]}))["all"]
    >>> round(float(retained_difference(a, b, horizon=2.5, per=100).value), 3)        # 100 (0.75 - 0.5)
    25.0
    """
    tau, per, confidence = _two_curves(fitter_treated, fitter_control, horizon, per)
    (st, vt), (sc, vc) = (_value_functional(_events(f), tau, 0.0, 1.0) for f in (fitter_treated, fitter_control))
    return _result("retained_difference", f"Extra subscribers retained at {tau:g} per {per:,.0f} exposed",
                   per * (st - sc), per * float(np.sqrt(vt + vc)), confidence, "count", "per (S_T(tau) - S_C(tau))",
                   dict(retained_treated=st, retained_control=sc, horizon=tau, per=per))


def late_retention(fitter, *, start: float, end: float, period: float = 1.0) -> MetricResult:
    """The retention rate per ``period`` among those still subscribed at ``start``, from the curve up to ``end``.

    r = (S(end) / S(start))^(period / (end - start)): the constant rate that matches the curve's fall between
    start and end, for an extrapolation beyond the data (such as a formula CLV). Greenwood on the log scale:
    Var log(S(end) / S(start)) = sum over start < t_j <= end of d_j / (n_j (n_j - d_j)); the interval is
    exp(log r +- z SE(log r)), at the curve's confidence.

    Parameters
    ----------
    fitter : a fitted Kaplan-Meier curve from :func:`retention_kit.survival.kaplan_meier`
    start, end : float, 0 <= start < end, in the curve's time unit
    period : float, default 1, the length of the period the rate is for, in the curve's time unit

    Returns
    -------
    MetricResult (kind ``"late_retention"``, a fraction) with ``se``, ``ci`` and parts ``hazard`` (the constant
    hazard per unit of time, -log(S(end) / S(start)) / (end - start)), ``start``, ``end``, ``period``.

    Raises
    ------
    InputError
        For an object that is not a fitted Kaplan-Meier curve, times out of order, a period that is not
        positive, or a curve at 0 at ``end``.

    Examples
    --------
    >>> from retention_kit.survival import kaplan_meier
    >>> f = kaplan_meier(pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "churned": [True, True, False, False]}))["all"]
    >>> round(float(late_retention(f, start=1, end=3, period=2).value), 3)            # S(3) / S(1) = 0.5 / 0.75
    0.667
    """
    _require_km(fitter, "fitter")
    start = check("start", start, Real(low=0))
    end = check("end", end, Real(low=start, closed="neither", hint="end must be later than start."))
    period = check("period", period, Real(low=0, closed="neither"))
    events = _events(fitter)
    s0, s1 = _s_at(events, start), _s_at(events, end)
    if s1 <= 0:
        raise InputError(f"the curve is at 0 at end={end:g}: no one is left to measure a late rate on; end earlier.")
    t, d, n, _ = events
    inside = (t > start) & (t <= end)
    var_log = _greenwood((t[inside], d[inside], n[inside]), np.ones(int(inside.sum())))
    log_r = period / (end - start) * np.log(s1 / s0)
    se_log = period / (end - start) * float(np.sqrt(var_log))
    value, z = float(np.exp(log_r)), _z(1 - fitter.alpha)
    return MetricResult(kind="late_retention", name=f"Retention per {period:g} between {start:g} and {end:g}",
                        value=value, unit="fraction", formula="(S(end) / S(start))^(period / (end - start))",
                        parts=dict(hazard=float(-np.log(s1 / s0) / (end - start)), start=start, end=end,
                                   period=period), se=value * se_log,
                        ci=(float(np.exp(log_r - z * se_log)), float(np.exp(log_r + z * se_log))),
                        confidence=1 - fitter.alpha)


def rollout_value(fitter_treated, fitter_control, *, horizon: float, margin_per_period: float,
                  value_at_horizon: float, value_at_horizon_treated: float | None = None,
                  cost_per_period: float = 0.0, per: float = 10_000) -> MetricResult:
    """What the rollout adds per ``per`` subscribers exposed: margin within the horizon plus retained value beyond it.

    value = per [m (RMST_T(tau) - RMST_C(tau)) + V_T S_T(tau) - V_C S_C(tau) - k (RMST_T(tau) + S_T(tau) V_T / m)]:
    the margin m of each extra period subscribed before tau (undiscounted); the value V of a subscriber still
    there at tau (an assumption, such as a formula CLV): V_C for both arms if the effect stops at the horizon,
    V_T for the treated arm if it lasts; and, for a feature that costs k per period per treated subscriber, the
    cost over the same lifetime (within the horizon, and beyond it as a share k / m of V_T). Each arm's part is
    linear in its Kaplan-Meier curve: Greenwood (delta-method) variances, which treat m, V and k as known.

    Parameters
    ----------
    fitter_treated, fitter_control : fitted Kaplan-Meier curves from :func:`retention_kit.survival.kaplan_meier`
    horizon : float, tau, in the curves' time unit
    margin_per_period : float, m, money per period of the curves' time unit (not 0 when a cost is given)
    value_at_horizon : float, V_C, money: a subscriber's value from tau on (the control arm's)
    value_at_horizon_treated : float, optional, V_T (default V_C: the effect stops at the horizon)
    cost_per_period : float, default 0, k, the feature's cost per period per treated subscriber
    per : float, default 10,000

    Returns
    -------
    MetricResult (kind ``"rollout_value"``, currency) with ``se``, ``ci`` and parts ``within_horizon``,
    ``beyond_horizon``, ``cost`` (money per ``per``, value = within + beyond - cost), ``rmst_difference``,
    ``retained_difference`` (a fraction), ``treated_periods`` (the periods a treated subscriber is expected to be
    charged for, RMST_T + S_T V_T / m), ``break_even_cost`` (the k at which the value is 0), ``horizon``,
    ``per``, ``z``, ``p_value``.

    Raises
    ------
    InputError
        As :func:`retained_difference`, for a margin, value or cost that is not a finite number, or a cost with
        a margin of 0.

    Examples
    --------
    >>> from retention_kit.survival import kaplan_meier
    >>> a = kaplan_meier(pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "churned": [True, False, False, False]}))["all"]
    >>> b = kaplan_meier(pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "churned": [True, True, False, False]}))["all"]
    >>> r = rollout_value(a, b, horizon=3, margin_per_period=1.0, value_at_horizon=10.0, per=1)
    >>> [round(float(x), 3) for x in (r.rmst_difference, r.retained_difference, r.value)]  # 2.5 - 2.25; 0.75 - 0.5
    [0.25, 0.25, 2.75]
    """
    tau, per, confidence = _two_curves(fitter_treated, fitter_control, horizon, per)
    m = check("margin_per_period", margin_per_period, Real())
    vc = check("value_at_horizon", value_at_horizon, Real())
    vt = vc if value_at_horizon_treated is None else check("value_at_horizon_treated", value_at_horizon_treated, Real())
    k = check("cost_per_period", cost_per_period, Real())
    if m == 0 and k != 0:
        raise InputError("cost_per_period needs a margin_per_period other than 0: the cost beyond the horizon is "
                         "taken as the share k / m of the treated subscriber's value.")
    et, ec = _events(fitter_treated), _events(fitter_control)
    kept = 1 - k / m if m else 1.0
    (ft, var_t), (fc, var_c) = _value_functional(et, tau, m - k, vt * kept), _value_functional(ec, tau, m, vc)
    (rt, _), (rc, _) = (_value_functional(e, tau, 1.0, 0.0) for e in (et, ec))
    st, sc = _s_at(et, tau), _s_at(ec, tau)
    periods = rt + (st * vt / m if m else 0.0)
    gross = m * (rt - rc) + vt * st - vc * sc
    return _result("rollout_value", f"Value of the rollout per {per:,.0f} exposed, to {tau:g} and beyond",
                   per * (ft - fc), per * float(np.sqrt(var_t + var_c)), confidence, "currency",
                   "per [m (RMST_T - RMST_C) + V_T S_T(tau) - V_C S_C(tau) - k (RMST_T + S_T V_T / m)]; Greenwood",
                   dict(within_horizon=per * m * (rt - rc), beyond_horizon=per * (vt * st - vc * sc),
                        cost=per * k * periods, rmst_difference=rt - rc, retained_difference=st - sc,
                        treated_periods=periods, break_even_cost=gross / periods if periods > 0 else float("nan"),
                        horizon=tau, per=per))
