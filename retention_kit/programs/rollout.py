"""A randomized rollout of a personalized feature (the Spotify playlists case study): engagement per subscriber and
its lift (robust to heavy tails, or adjusted for the pre-period), and the case study's explorer. Retention by arm
and the money of a rollout are in ``rollout_value`` and re-exported here."""
from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from ..metrics.rates import z_value as _z
from ..results import MetricResult
from ..validation import (Confidence, InputError, Options, Real, as_flag, require_columns, require_frame,
                          require_numeric, require_period, validate, warn_data)
from .rollout_value import late_retention, retained_difference, rollout_value

__all__ = ["listening_per_subscriber", "engagement_lift", "adjusted_lift", "retained_difference", "late_retention",
           "rollout_value", "rollout_view", "rollout_explorer"]

_MEASURES = ("sessions", "minutes", "playlist_minutes")


def listening_per_subscriber(listening: pd.DataFrame, subscribers: pd.DataFrame, *, period_start, period_end,
                             customer_id_col: str = "customer_id", week_col: str = "week") -> pd.DataFrame:
    """Each subscriber's listening per week subscribed in ``[period_start, period_end)``, beside their attributes.

    rate = sum of the measure over the subscriber's weeks / (days subscribed / 7): one row per subscriber
    (the unit that was randomized), listening per week of subscription.

    Parameters
    ----------
    listening : DataFrame, one row per subscriber and week: ``days``, ``sessions``, ``minutes``, ``playlist_minutes``
    subscribers : DataFrame, one row per subscriber (its columns are carried over)
    period_start, period_end : dates, the half-open period of the weeks (by their Monday)
    customer_id_col, week_col : str

    Returns
    -------
    DataFrame indexed by customer id: ``weeks`` (weeks subscribed), ``sessions``, ``minutes``,
    ``playlist_minutes`` (a week), ``playlist_share`` (NaN without listening) and the subscribers' columns.

    Raises
    ------
    InputError
        For missing columns, negative or missing numbers, playlist minutes above minutes, or ids missing from
        or repeated in ``subscribers``. Subscribers with no week in the period are left out with a DataWarning.

    Examples
    --------
    >>> weeks = pd.DataFrame({"customer_id": ["a", "a", "b"], "week": pd.to_datetime(["2025-03-03", "2025-03-10",
    ...                       "2025-03-03"]), "days": [7, 3.5, 7], "sessions": [4, 1, 2], "minutes": [120.0, 30.0, 60.0],
    ...                       "playlist_minutes": [30.0, 0.0, 0.0]})
    >>> subs = pd.DataFrame({"customer_id": ["a", "b"], "treated": [True, False]})
    >>> listening_per_subscriber(weeks, subs, period_start="2025-03-03", period_end="2025-03-17")["minutes"].tolist()
    [100.0, 60.0]
    """
    require_frame(listening, "listening")
    require_frame(subscribers, "subscribers")
    require_columns(listening, [customer_id_col, week_col, "days", *_MEASURES], "listening")
    require_columns(subscribers, [customer_id_col], "subscribers")
    start, end = require_period(period_start, period_end)
    for col, bad in [(c, lambda v: v.isna() | (v < 0)) for c in ("days", *_MEASURES)] + [
            ("playlist_minutes", lambda v: v > listening["minutes"] + 1e-9)]:
        wrong = bad(require_numeric(listening[col], col)).to_numpy()
        if wrong.any():
            raise InputError(f"column {col!r} is missing, negative or above 'minutes' at row "
                             f"{listening.index[wrong][0]!r}; playlist minutes are part of all minutes. Fix the export.")
    unknown = ~listening[customer_id_col].isin(subscribers[customer_id_col])
    if unknown.any() or subscribers[customer_id_col].duplicated().any():
        raise InputError(f"subscribers must hold each id of listening once ({int(unknown.sum())} listening row(s) of "
                         f"unknown ids, {int(subscribers[customer_id_col].duplicated().sum())} repeated id(s)).")
    weeks = pd.to_datetime(listening[week_col])
    inside = listening[(weeks >= start) & (weeks < end)]
    sums = inside.groupby(customer_id_col)[["days", *_MEASURES]].sum()
    sums = sums[sums["days"] > 0]
    out = sums[list(_MEASURES)].div(sums["days"] / 7, axis=0)
    out.insert(0, "weeks", sums["days"] / 7)
    out["playlist_share"] = (sums["playlist_minutes"] / sums["minutes"]).where(sums["minutes"] > 0)
    missing = int((~subscribers[customer_id_col].isin(out.index)).sum())
    if missing:
        warn_data(f"{missing} subscriber(s) have no week in [{start.date()}, {end.date()}) and are left out.")
    return out.join(subscribers.set_index(customer_id_col), how="inner")


def _arms(per_subscriber, metric, treated_col):
    require_frame(per_subscriber, "per_subscriber")
    require_columns(per_subscriber, [metric, treated_col], "per_subscriber", "build it with listening_per_subscriber")
    values = require_numeric(per_subscriber[metric], metric)
    if values.isna().any():
        raise InputError(f"column {metric!r} has missing values (first at {values.index[values.isna()][0]!r}); "
                         f"drop those subscribers knowingly or use a measure defined for everyone.")
    treated = as_flag(per_subscriber[treated_col], treated_col).to_numpy(dtype=bool)
    t, c = values.to_numpy(dtype=float)[treated], values.to_numpy(dtype=float)[~treated]
    if min(len(t), len(c)) < 2:
        raise InputError(f"column {treated_col!r} leaves {len(t)} treated and {len(c)} control subscriber(s); each "
                         f"arm needs at least 2.")
    return t, c


def _location(x, statistic, trim):
    """The arm's location and the variance of it (Welch, Yuen's winsorized variance), and its degrees of freedom."""
    if statistic == "trimmed":
        n, g = len(x), int(np.floor(trim * len(x)))
        if n - 2 * g < 2:
            raise InputError(f"trim={trim:g} leaves {n - 2 * g} of an arm's {n} values; Yuen's interval needs at "
                             f"least 2: trim less or use statistic='log'.")
        s = np.sort(x)
        w = np.clip(s, s[g], s[n - g - 1])
        h = n - 2 * g
        return float(s[g:n - g].mean()), (n - 1) * w.var(ddof=1) / (h * (h - 1)), h - 1
    return float(x.mean()), x.var(ddof=1) / len(x), len(x) - 1


@validate(confidence=Confidence(), trim=Real(0, 0.5, closed="left", hint="Trim 10% from each end as 0.1."),
          statistic=Options("mean", "trimmed", "log"))
def engagement_lift(per_subscriber: pd.DataFrame, metric: str = "minutes", *, statistic: str = "mean",
                    treated_col: str = "treated", trim: float = 0.1, confidence: float = 0.95) -> MetricResult:
    """The treated arm's relative lift in an engagement measure, with an interval, by one of three statistics.

    * ``"mean"``: lift = R - 1, R = mean_T / mean_C; Welch's t interval for the difference, and for the lift
      the delta method, Var = (Var mean_T + R^2 Var mean_C) / mean_C^2;
    * ``"trimmed"``: the same on the means of the middle (1 - 2 trim) of each arm, Yuen's winsorized variances;
    * ``"log"``: on log(1 + x): lift = exp(mean_T - mean_C) - 1 (a ratio of geometric means), Welch transformed.

    Parameters
    ----------
    per_subscriber : DataFrame from :func:`listening_per_subscriber`, one row per randomized subscriber
    metric : str, default "minutes"
    statistic : "mean" (default), "trimmed" or "log"
    treated_col : str, default "treated" (True/False or 0/1)
    trim : float, default 0.1, the share cut from each end for ``"trimmed"``
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"engagement_lift"``, a fraction) with ``se``, ``ci`` and parts ``treated``, ``control``
    (each arm's statistic; for "log" the geometric mean of 1 + x, minus 1), ``difference`` and
    ``difference_ci`` (treated - control, in the metric's units; on the log scale for "log"), ``n_treated``,
    ``n_control``, ``p_value`` (Welch's test of the difference: it agrees with ``difference_ci``; for "mean"
    and "trimmed" the lift's ``ci``, by the delta method on the ratio, can disagree with it near the threshold).

    Raises
    ------
    InputError
        For a missing column, missing values, an arm with fewer than 2 subscribers, an unknown statistic, or a
        trim that leaves fewer than 2 values in an arm.

    Examples
    --------
    >>> d = pd.DataFrame({"minutes": [10.0, 12.0, 14.0, 20.0, 22.0, 24.0], "treated": [0, 0, 0, 1, 1, 1]})
    >>> r = engagement_lift(d)
    >>> round(r.value, 3), r.difference                 # 22 / 12 - 1
    (0.833, 10.0)
    """
    from scipy import stats
    t, c = _arms(per_subscriber, metric, treated_col)
    if statistic == "log":
        if (t < 0).any() or (c < 0).any():
            raise InputError(f"column {metric!r} has negative values; the log comparison needs values of 0 or more.")
        t, c = np.log1p(t), np.log1p(c)
    (mt, vt, dft), (mc, vc, dfc) = _location(t, statistic, trim), _location(c, statistic, trim)
    diff, se_diff = mt - mc, float(np.sqrt(vt + vc))
    df = (vt + vc) ** 2 / (vt ** 2 / dft + vc ** 2 / dfc)
    q = float(stats.t.ppf(0.5 + confidence / 2, df))
    p_value = float(2 * stats.t.sf(abs(diff) / se_diff, df)) if se_diff > 0 else float(diff == 0)
    d_ci = (diff - q * se_diff, diff + q * se_diff)
    if statistic == "log":
        value, se = float(np.expm1(diff)), float(np.exp(diff) * se_diff)
        ci = (float(np.expm1(d_ci[0])), float(np.expm1(d_ci[1])))
        arm_t, arm_c = float(np.expm1(mt)), float(np.expm1(mc))
    else:
        if mc <= 0:
            raise InputError(f"the control arm's {statistic} of {metric!r} is {mc:g}; a relative lift needs a positive one.")
        ratio = mt / mc
        value, se = ratio - 1, float(np.sqrt(vt + ratio ** 2 * vc) / mc)
        ci, arm_t, arm_c = (value - _z(confidence) * se, value + _z(confidence) * se), mt, mc
    return MetricResult(kind="engagement_lift", name=f"Lift in {metric} ({statistic}), treated over control",
                        value=value, unit="fraction",
                        formula=f"{'exp(mean_T - mean_C) on log(1 + x)' if statistic == 'log' else 'mean_T / mean_C'} - 1",
                        parts=dict(treated=arm_t, control=arm_c, difference=float(diff), difference_ci=d_ci,
                                   n_treated=len(t), n_control=len(c), p_value=p_value, statistic=statistic),
                        se=se, ci=ci, confidence=confidence)


def _design(per_subscriber, pre, metric, treated_col, statistic):
    t_post, _ = _arms(per_subscriber, metric, treated_col)            # validates the columns, the arms and values
    require_frame(pre, "pre")
    require_columns(pre, [metric], "pre", "build it with listening_per_subscriber over the weeks before the rollout")
    if not per_subscriber.index.is_unique or not pre.index.is_unique:
        raise InputError("per_subscriber and pre must each hold one row per subscriber (a unique index).")
    missing = ~per_subscriber.index.isin(pre.index)
    if missing.any():
        raise InputError(f"{int(missing.sum())} subscriber(s) of per_subscriber have no row in pre (first "
                         f"{per_subscriber.index[missing][0]!r}); keep the subscribers with a pre-period, or compare "
                         f"without adjustment (engagement_lift).")
    x = require_numeric(pre[metric], metric).reindex(per_subscriber.index).to_numpy(dtype=float)
    y = per_subscriber[metric].to_numpy(dtype=float)
    if np.isnan(x).any() or (statistic == "log" and ((x < 0).any() or (y < 0).any())):
        raise InputError(f"column {metric!r} of pre has missing values, or negative ones for the log comparison.")
    if statistic == "log":
        x, y = np.log1p(x), np.log1p(y)
    treated = as_flag(per_subscriber[treated_col], treated_col).to_numpy(dtype=float)
    return np.column_stack([np.ones(len(y)), treated, x - x.mean()]), y, len(t_post)


@validate(confidence=Confidence(), statistic=Options("mean", "log"), robust=Options("HC0", "HC1", "HC3"))
def adjusted_lift(per_subscriber: pd.DataFrame, pre: pd.DataFrame, metric: str = "minutes", *,
                  statistic: str = "mean", treated_col: str = "treated", robust: str = "HC1",
                  confidence: float = 0.95) -> MetricResult:
    """The treated arm's lift adjusted for each subscriber's pre-period level (ANCOVA, as CUPED), robust errors.

    OLS of y_i = a + b T_i + c (x_i - mean x) + e_i, with y the measure after the rollout and x the same measure
    before it (both on log(1 + .) for ``"log"``): b is the effect, a the control arm's mean at the average
    pre-period level. Randomization makes b unbiased (in large samples) with or without x; x removes the chance imbalance of the
    arms before the rollout and most of the noise. Variances: heteroskedasticity-robust sandwich
    (X'X)^-1 X' diag(w_i e_i^2) X (X'X)^-1 (HC0: w = 1; HC1: w = n / (n - 3); HC3: w = 1 / (1 - h_i)^2).

    * ``"mean"``: lift = b / a, delta method Var = Var b / a^2 - 2 b Cov(a, b) / a^3 + b^2 Var a / a^4;
    * ``"log"``: lift = exp(b) - 1, the interval exp(b +- z SE b) - 1.

    Parameters
    ----------
    per_subscriber : DataFrame from :func:`listening_per_subscriber` after the rollout, indexed by subscriber
    pre : DataFrame from :func:`listening_per_subscriber` before it, holding every subscriber of per_subscriber
    metric : str, default "minutes"
    statistic : "mean" (default) or "log"
    treated_col : str, default "treated" (True/False or 0/1)
    robust : "HC0", "HC1" (default) or "HC3"
    confidence : float, default 0.95 (normal intervals)

    Returns
    -------
    MetricResult (kind ``"adjusted_lift"``, a fraction) with ``se``, ``ci`` and parts ``difference`` (b, in the
    metric's units; on the log scale for "log") and ``difference_ci``, ``control`` (a), ``slope`` (c),
    ``n_treated``, ``n_control``, ``p_value`` (of b), ``statistic``.

    Raises
    ------
    InputError
        For missing columns or values, an arm with fewer than 2 subscribers, subscribers missing from ``pre``,
        negative values for "log", or an adjusted control mean that is not positive for "mean".

    Examples
    --------
    >>> pre = pd.DataFrame({"minutes": [10.0, 20.0, 30.0, 10.0, 20.0, 30.0]})
    >>> post = pd.DataFrame({"minutes": [11.0, 21.0, 30.0, 13.0, 22.0, 33.0], "treated": [0, 0, 0, 1, 1, 1]})
    >>> round(adjusted_lift(post, pre).difference, 3)                    # the arms had the same pre-period
    2.0
    """
    X, y, n_treated = _design(per_subscriber, pre, metric, treated_col, statistic)
    n = len(y)
    bread = np.linalg.inv(X.T @ X)
    beta = bread @ (X.T @ y)
    e = y - X @ beta
    if robust == "HC3":
        e = e / (1 - np.einsum("ij,jk,ik->i", X, bread, X))
    cov = bread @ (X.T * e ** 2) @ X @ bread * (n / (n - X.shape[1]) if robust == "HC1" else 1.0)
    a, b = float(beta[0]), float(beta[1])
    se_b, z = float(np.sqrt(cov[1, 1])), _z(confidence)
    p_value = float(2 * NormalDist().cdf(-abs(b) / se_b)) if se_b > 0 else float(b == 0)
    if statistic == "log":
        value, se, ci = float(np.expm1(b)), float(np.exp(b) * se_b), (float(np.expm1(b - z * se_b)),
                                                                         float(np.expm1(b + z * se_b)))
    else:
        if a <= 0:
            raise InputError(f"the control arm's adjusted mean of {metric!r} is {a:g}; a relative lift needs a "
                             f"positive one.")
        value = b / a
        se = float(np.sqrt(cov[1, 1] / a ** 2 - 2 * b * cov[0, 1] / a ** 3 + b ** 2 * cov[0, 0] / a ** 4))
        ci = (value - z * se, value + z * se)
    return MetricResult(kind="adjusted_lift", name=f"Lift in {metric} ({statistic}), adjusted for the pre-period",
                        value=value, unit="fraction", formula=f"y = a + b T + c (x - mean x); "
                        f"{'exp(b) - 1' if statistic == 'log' else 'b / a'}; {robust} robust errors",
                        parts=dict(difference=b, difference_ci=(b - z * se_b, b + z * se_b), control=a,
                                   slope=float(beta[2]), n_treated=n_treated, n_control=n - n_treated,
                                   p_value=p_value, statistic=statistic),
                        se=se, ci=ci, confidence=confidence)


def _describe(curves, group, horizon, plot):
    from ..plots.rollout import retention_gap
    from ..survival import restricted_mean_difference
    treated, control = curves
    kept = retained_difference(treated, control, horizon=horizon)
    area = restricted_mean_difference(treated, control, horizon=horizon)
    text = (f"{group}, {horizon:g} {'week' if horizon == 1 else 'weeks'} after the rollout: {kept.retained_treated:.1%} still subscribed with "
            f"playlists, {kept.retained_control:.1%} without; {kept.value:+,.0f} per 10,000 exposed "
            f"({kept.ci[0]:+,.0f} to {kept.ci[1]:+,.0f}); restricted mean {area.value:+.2f} weeks "
            f"({area.ci[0]:+.2f} to {area.ci[1]:+.2f})")
    ax = retention_gap(treated, control, horizon=horizon, ax=plot, title=f"Still subscribed: {group}")
    return text, ax


def _curves_by_group(lifetimes, by, treated_col, listeners):
    from ..survival import kaplan_meier
    require_frame(lifetimes, "lifetimes")
    require_columns(lifetimes, [treated_col] + ([by] if by else []), "lifetimes")
    arm = np.where(as_flag(lifetimes[treated_col], treated_col).to_numpy(dtype=bool), "treated", "control")
    masks = {"all listeners": np.ones(len(lifetimes), dtype=bool)}     # by position: the index may repeat labels
    if by:
        masks.update({f"{g} listeners": (lifetimes[by] == g).to_numpy() for g in pd.unique(lifetimes[by])})
    out = {}
    for group, mask in masks.items():
        fitters = kaplan_meier(lifetimes[mask].assign(_arm=arm[mask]), by="_arm")
        if set(fitters) != {"treated", "control"}:
            raise InputError(f"the {group} have one arm only; each group needs treated and control subscribers.")
        out[group] = (fitters["treated"], fitters["control"])
    if listeners not in out:
        raise InputError(f"listeners={listeners!r} must be one of {sorted(out)}.")
    return out


def rollout_view(lifetimes: pd.DataFrame, listeners: str, horizon: float, *, by: str | None = "listener",
                 treated_col: str = "treated", ax=None):
    """Text and figure for one setting of the rollout explorer: the two arms' retention curves for a group.

    The area between the curves up to the horizon is the difference of restricted mean lifetimes
    (``rk.survival.restricted_mean_difference``); the gap at the horizon is :func:`retained_difference`.

    Parameters
    ----------
    lifetimes : DataFrame from ``rk.survival.subscription_lifetimes``, with ``treated_col`` and ``by``
    listeners : str, "all listeners" or "<group> listeners" for a group of ``by``
    horizon : float, weeks
    by : str or None, default "listener"
    treated_col : str, default "treated"
    ax : matplotlib Axes, optional

    Returns
    -------
    (str, matplotlib Axes)

    Raises
    ------
    InputError
        For an unknown group, a missing column, or a group with one arm only.

    Examples
    --------
    >>> from retention_kit.datasets import make_playlist_rollout
    >>> from retention_kit.survival import subscription_lifetimes
    >>> life = subscription_lifetimes(make_playlist_rollout(2_000, random_state=0)[0].subscribers,
    ...                               observation_period_end="2025-09-01", start_col="rollout_date", time_unit="week")
    >>> rollout_view(life, "new listeners", 26)[0].split(":")[0]
    'new listeners, 26 weeks after the rollout'
    """
    return _describe(_curves_by_group(lifetimes, by, treated_col, listeners)[listeners], listeners, horizon, ax)


def rollout_explorer(lifetimes: pd.DataFrame, *, by: str | None = "listener", treated_col: str = "treated",
                     horizon: int = 26, listeners: str = "all listeners"):
    """A choice of listeners and a horizon slider -> the arms' retention curves, the gap and the area between.

    The curves are fitted once per group; a move recomputes Greenwood sums and redraws.

    Parameters
    ----------
    lifetimes : DataFrame, as :func:`rollout_view`
    by, treated_col : str, as :func:`rollout_view`
    horizon : int, default 26, weeks at the start (the slider ends at the longest observed duration)
    listeners : str, default "all listeners", the group at the start

    Returns
    -------
    Explorer

    Raises
    ------
    InputError
        As :func:`rollout_view`.

    Examples
    --------
    >>> from retention_kit.datasets import make_playlist_rollout
    >>> from retention_kit.survival import subscription_lifetimes
    >>> life = subscription_lifetimes(make_playlist_rollout(1_000, random_state=0)[0].subscribers,
    ...                               observation_period_end="2025-09-01", start_col="rollout_date", time_unit="week")
    >>> explorer = rollout_explorer(life)
    >>> explorer.controls["horizon"].value = 13
    >>> "13 weeks" in explorer.label.value
    True
    """
    import ipywidgets as w

    from ..explorer import Explorer
    curves = _curves_by_group(lifetimes, by, treated_col, listeners)
    longest = int(np.floor(float(lifetimes["duration"].max())))
    style, layout = {"description_width": "150px"}, w.Layout(width="460px")
    controls = {"listeners": w.Dropdown(options=list(curves), value=listeners, description="listeners", style=style,
                                        layout=layout),
                "horizon": w.IntSlider(min(int(horizon), longest), min=1, max=longest, step=1, style=style,
                                       description="horizon (weeks)", continuous_update=False, layout=layout)}

    def view(ax, listeners, horizon):
        return _describe(curves[listeners], listeners, horizon, ax)

    return Explorer(view, controls, title="Retention by arm, by listener tenure, to a horizon",
                    margins=dict(left=0.13))

