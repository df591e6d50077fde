"""Survival of subscribers: a thin layer over lifelines shaped for churn questions.

Taught in ``notebooks/04_cohorts_and_survival.ipynb``. Kaplan-Meier and the log-rank test are
lifelines' own (:class:`lifelines.KaplanMeierFitter`, :func:`lifelines.statistics.multivariate_logrank_test`);
this module turns a subscriptions table into durations and events, checks them, and reports the
answers a retention team asks for: the share still subscribed after k months, the median
lifetime, whether groups differ, and the churn a survival curve implies at each age.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..results import MetricResult
from ..validation import (Confidence, InputError, as_flag, convert_length, label, plural, require_columns,
                         require_complete, require_frame, require_labels, require_numeric, require_subscriptions,
                         require_time_unit, validate)

__all__ = ["subscription_lifetimes", "kaplan_meier", "median_lifetime", "logrank", "churn_by_age"]


def subscription_lifetimes(subscriptions: pd.DataFrame, *, observation_period_end, start_col: str = "start_date",
                           end_col: str = "end_date", time_unit: str = "month") -> pd.DataFrame:
    """Each subscription's observed lifetime, and whether it ended (churned) before ``observation_period_end``.

    duration = (end date, or ``observation_period_end`` if later or empty) - start date, in
    ``time_unit`` (a month is 30.4375 days). ``churned`` is True when the end date falls before
    ``observation_period_end`` (exclusive, like every period end in the kit). A customer still
    active is *censored*: we know they stayed at least that long, not how long they will stay.

    Parameters
    ----------
    subscriptions : DataFrame
        One row per subscription, a start date and an end date (empty while active).
    observation_period_end : date
        The first instant not observed.
    start_col, end_col : str
        Column names (defaults ``start_date``, ``end_date``).
    time_unit : str, default "month"

    Returns
    -------
    A copy of the table with columns ``duration`` and ``churned`` added; ``attrs`` records
    ``time_unit`` and ``observation_period_end``.

    Raises
    ------
    InputError
        For missing columns or start dates, an end before its start, or a subscription that
        starts at or after ``observation_period_end`` (nothing of it is observed).

    Examples
    --------
    >>> subs = pd.DataFrame({"start_date": pd.to_datetime(["2025-01-01", "2025-03-01"]),
    ...                      "end_date": pd.to_datetime(["2025-02-01", None])})
    >>> subscription_lifetimes(subs, observation_period_end="2025-05-01", time_unit="day")[["duration", "churned"]].to_dict("list")
    {'duration': [31.0, 61.0], 'churned': [True, False]}
    """
    time_unit = require_time_unit(time_unit)
    table = require_subscriptions(subscriptions, customer_id_col=None, start_col=start_col, end_col=end_col,
                                  unique=False)
    end = table.timestamp(observation_period_end, "observation_period_end")
    late = (table.starts >= end).to_numpy()
    if late.any():
        raise InputError(f"{int(late.sum())} subscription(s) start at or after observation_period_end ({end}) (first: "
                         f"row {label(subscriptions.index[np.flatnonzero(late)[0]])}); nothing of them is observed. "
                         f"Fix: pass a later observation_period_end or filter them out.")
    churned = (table.ends.notna() & (table.ends < end)).to_numpy()
    stop = table.ends.where(churned, end)
    out = subscriptions.copy()
    out["duration"] = (stop - table.starts) / pd.Timedelta(days=convert_length(1, time_unit, "day"))
    out["churned"] = churned
    out.attrs.update(time_unit=time_unit, observation_period_end=end)
    return out


def _durations(lifetimes, duration_col, event_col, flag_values):
    require_frame(lifetimes, "lifetimes")
    require_columns(lifetimes, [duration_col, event_col], "lifetimes", "build it with rk.survival.subscription_lifetimes")
    durations = require_numeric(lifetimes[duration_col], duration_col)
    require_complete(durations, duration_col, "every customer needs a duration; rebuild with subscription_lifetimes.")
    if (durations < 0).any():
        raise InputError(f"column {duration_col!r} has negative durations (first at row "
                         f"{label(durations.index[(durations < 0).to_numpy()][0])}); rebuild with subscription_lifetimes.")
    return durations, as_flag(lifetimes[event_col], event_col, flag_values)


@validate(confidence=Confidence())
def kaplan_meier(lifetimes: pd.DataFrame, *, by: str | None = None, duration_col: str = "duration",
                 event_col: str = "churned", flag_values=None, confidence: float = 0.95) -> dict:
    """Kaplan-Meier survival curves (lifelines), one per group of ``by``.

    S(t) = product over event times t_i <= t of (1 - d_i / n_i), with d_i churned at t_i out of
    n_i still at risk; intervals are lifelines' (exponential Greenwood) at ``confidence``.

    Parameters
    ----------
    lifetimes : DataFrame from :func:`subscription_lifetimes`
    by : str, optional
        A column that groups customers (plan, support...); no label may be missing.
    duration_col, event_col : str
        Column names (defaults ``duration``, ``churned``).
    flag_values : dict, optional
        How to read a text event column, for example ``{"Yes": True, "No": False}``.
    confidence : float, default 0.95

    Returns
    -------
    dict from each group's value (``"all"`` without ``by``) to a fitted ``KaplanMeierFitter``;
    each fitter's ``time_unit`` attribute is the durations' unit (from ``lifetimes.attrs``).

    Raises
    ------
    InputError
        For missing columns, missing, negative or non-numeric durations, an event column that is
        not True/False, or a missing group label.

    Examples
    --------
    >>> life = pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "churned": [True, False, True, True],
    ...                      "plan": ["a", "a", "b", "b"]})
    >>> curves = kaplan_meier(life, by="plan")
    >>> sorted(curves), float(curves["b"].survival_function_at_times(3.5).iloc[0])
    (['a', 'b'], 0.5)
    """
    from lifelines import KaplanMeierFitter
    durations, events = _durations(lifetimes, duration_col, event_col, flag_values)
    if by is None:
        groups = {"all": np.arange(len(lifetimes))}
    else:
        require_columns(lifetimes, [by], "lifetimes", "pass an existing column as by")
        require_labels(lifetimes[by], by)
        groups = lifetimes.groupby(by, observed=True).indices        # positions: the index may repeat
    fitters = {}
    for value, index in groups.items():
        fitter = KaplanMeierFitter(alpha=1 - confidence).fit(durations.iloc[index], events.iloc[index],
                                                             label=str(value))
        fitter.time_unit = lifetimes.attrs.get("time_unit")
        fitters[value] = fitter
    return fitters


def median_lifetime(fitter) -> MetricResult:
    """Median lifetime: the first time the Kaplan-Meier curve reaches 0.5, with its interval.

    When fewer than half the customers have churned by the longest observed duration, the median
    is not known yet: ``value`` is infinite and a note says "not reached within" that duration.

    Parameters
    ----------
    fitter : a fitted lifelines ``KaplanMeierFitter`` (from :func:`kaplan_meier`)

    Returns
    -------
    MetricResult (kind ``"median_lifetime"``) in the fitter's time unit, with ``ci`` and parts
    ``customers`` and ``churned``.

    Raises
    ------
    InputError
        For an object that is not a fitted Kaplan-Meier curve.

    Examples
    --------
    >>> life = pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "churned": [True, True, True, False]})
    >>> median_lifetime(kaplan_meier(life)["all"]).value
    2.0
    """
    from lifelines.utils import median_survival_times
    if not hasattr(fitter, "median_survival_time_"):
        raise InputError(f"fitter must be a fitted Kaplan-Meier curve from rk.survival.kaplan_meier, got "
                         f"{type(fitter).__name__}.")
    unit = getattr(fitter, "time_unit", None) or ""
    median = float(fitter.median_survival_time_)
    bounds = median_survival_times(fitter.confidence_interval_).to_numpy().ravel()
    longest = float(fitter.durations.max())
    within = f"{longest:.3g} {plural(unit)}" if unit else f"{longest:.3g}"
    return MetricResult(kind="median_lifetime", name=f"Median lifetime ({fitter.label})", value=median, unit=unit,
                        formula="first t with S(t) <= 0.5 (Kaplan-Meier)",
                        parts=dict(customers=int(fitter.event_observed.size), churned=int(fitter.event_observed.sum()),
                                   longest_observed=longest),
                        ci=(float(bounds[0]), float(bounds[1])), confidence=1 - fitter.alpha,
                        notes=((f"fewer than half have churned: the median is not reached within {within}",)
                               if not np.isfinite(median) else ()))


def logrank(lifetimes: pd.DataFrame, by: str, *, duration_col: str = "duration", event_col: str = "churned",
            flag_values=None) -> MetricResult:
    """Log-rank test (lifelines) that the groups of ``by`` share one survival curve.

    At each event time, compares the churn observed in each group with what the pooled curve
    would expect given who was at risk; the statistic is chi-squared with (groups - 1) degrees of
    freedom. A small p-value says the curves differ; it does not say why.

    Parameters
    ----------
    lifetimes : DataFrame from :func:`subscription_lifetimes`
    by : str
        The grouping column; no label may be missing; at least two groups.
    duration_col, event_col, flag_values : as in :func:`kaplan_meier`

    Returns
    -------
    MetricResult (kind ``"logrank"``): ``value`` is the chi-squared statistic; parts
    ``p_value``, ``degrees_of_freedom``, ``groups``.

    Raises
    ------
    InputError
        As :func:`kaplan_meier`, and for a single group.

    Examples
    --------
    >>> life = pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "churned": [True] * 6,
    ...                      "plan": ["a", "a", "a", "b", "b", "b"]})
    >>> round(logrank(life, "plan").p_value, 4)
    0.0246
    """
    from lifelines.statistics import multivariate_logrank_test
    durations, events = _durations(lifetimes, duration_col, event_col, flag_values)
    require_columns(lifetimes, [by], "lifetimes", "pass an existing column as by")
    require_labels(lifetimes[by], by)
    groups = lifetimes[by]
    if groups.nunique() < 2:
        raise InputError(f"column {by!r} has a single group; the log-rank test compares two or more.")
    test = multivariate_logrank_test(durations, groups, events)
    return MetricResult(kind="logrank", name=f"Log-rank test by {by}", value=float(test.test_statistic), unit="",
                        formula="sum over groups of (observed - expected churn)^2 / variance; chi-squared",
                        parts=dict(p_value=float(test.p_value), degrees_of_freedom=int(test.degrees_of_freedom),
                                   groups=int(groups.nunique())))


def churn_by_age(fitter, ages) -> pd.Series:
    """Churn in each period of a customer's life implied by a survival curve: 1 - S(k + 1) / S(k).

    Ties survival curves to lesson 03: of the customers who have stayed k periods, the share who
    leave in the next one is the conditional churn rate at age k.

    Parameters
    ----------
    fitter : a fitted lifelines ``KaplanMeierFitter``
    ages : sequence of non-negative numbers, in the fitter's time unit

    Returns
    -------
    Series ``churn`` indexed by ``age`` (NaN where S(k) is 0).

    Raises
    ------
    InputError
        For negative, missing or non-numeric ages.

    Examples
    --------
    >>> life = pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "churned": [True, True, True, True]})
    >>> churn_by_age(kaplan_meier(life)["all"], [0, 1, 2]).round(3).tolist()
    [0.25, 0.333, 0.5]
    """
    k = require_numeric(pd.Series(np.atleast_1d(ages)), "ages").to_numpy()
    if np.isnan(k).any() or (k < 0).any():
        raise InputError(f"ages={ages!r} must be non-negative numbers of periods, such as range(0, 25).")
    s_now = fitter.survival_function_at_times(k).to_numpy()
    s_next = fitter.survival_function_at_times(k + 1).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.Series(1 - s_next / s_now, index=pd.Index(k, name="age"), name="churn")

