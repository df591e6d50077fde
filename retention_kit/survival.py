"""Survival of subscribers: a thin layer over lifelines shaped for churn questions.

Taught in ``notebooks/04_cohorts_and_survival.ipynb``. Kaplan-Meier and the log-rank test are
lifelines' own (:class:`lifelines.KaplanMeierFitter`, :func:`lifelines.statistics.logrank_test`);
this module turns a subscriptions table into durations and events, and reports the answers a
retention team asks for: the share still subscribed after k months, the median lifetime, whether
two groups differ, and the monthly churn a survival curve implies.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test
from lifelines.utils import median_survival_times

from .datasets.simulate import DAYS_PER_MONTH
from .results import MetricResult
from .validation import (InputError, _label, as_datetime, as_timestamp, require_columns, require_end_after_start,
                         require_frame)

__all__ = ["subscription_lifetimes", "kaplan_meier", "median_lifetime", "logrank", "monthly_churn_from_survival"]


def subscription_lifetimes(subscriptions: pd.DataFrame, *, observation_end, start_col: str = "start_date",
                           end_col: str = "end_date", days_per_unit: float = DAYS_PER_MONTH) -> pd.DataFrame:
    """Each subscription's observed lifetime and whether it ended (churned) by ``observation_end``.

    duration = (end_date or observation_end) - start_date, in units of ``days_per_unit`` days
    (default an average calendar month, 30.4375 days); ``churned`` is True when the end date is
    on or before ``observation_end``. A customer still active is *censored*: we know they stayed
    at least that long, not how long they will stay. Returns a copy of the table with the two
    columns added; subscriptions starting after ``observation_end`` are refused.

    Example
    -------
    >>> subs = pd.DataFrame({"start_date": pd.to_datetime(["2025-01-01", "2025-03-01"]),
    ...                      "end_date": pd.to_datetime(["2025-02-01", None])})
    >>> subscription_lifetimes(subs, observation_end="2025-05-01", days_per_unit=1)[["duration", "churned"]].to_dict("list")
    {'duration': [31.0, 61.0], 'churned': [True, False]}
    """
    require_frame(subscriptions, "subscriptions")
    require_columns(subscriptions, [start_col, end_col], "subscriptions")
    end = as_timestamp(observation_end, "observation_end")
    starts, ends = as_datetime(subscriptions[start_col], start_col), as_datetime(subscriptions[end_col], end_col)
    require_end_after_start(pd.DataFrame({start_col: starts, end_col: ends}), start_col, end_col)
    late = starts > end
    if late.any():
        raise InputError(f"{int(late.sum())} subscription(s) start after observation_end ({end.date()}) (first: row "
                         f"{_label(subscriptions.index[late.to_numpy()][0])}); pass a later observation_end or filter them.")
    churned = ends.notna() & (ends <= end)
    stop = ends.where(churned, end)
    out = subscriptions.copy()
    out["duration"] = (stop - starts) / pd.Timedelta(days=days_per_unit)
    out["churned"] = churned.to_numpy()
    return out


def _durations(lifetimes: pd.DataFrame, duration_col: str, event_col: str):
    require_frame(lifetimes, "lifetimes")
    require_columns(lifetimes, [duration_col, event_col], "lifetimes", "build it with rk.survival.subscription_lifetimes")
    if (lifetimes[duration_col] < 0).any():
        raise InputError(f"column {duration_col!r} has negative durations; rebuild with subscription_lifetimes.")
    return lifetimes[duration_col].astype(float), lifetimes[event_col].astype(bool)


def kaplan_meier(lifetimes: pd.DataFrame, *, by: str | None = None, duration_col: str = "duration",
                 event_col: str = "churned", confidence: float = 0.95) -> dict[str, KaplanMeierFitter]:
    """Kaplan-Meier survival curves (lifelines), one per group of ``by`` (or one called "all").

    S(t) = product over event times t_i <= t of (1 - d_i / n_i), with d_i churned at t_i out of
    n_i still at risk; intervals are lifelines' (exponential Greenwood) at ``confidence``.
    """
    durations, events = _durations(lifetimes, duration_col, event_col)
    groups = {"all": lifetimes.index} if by is None else lifetimes.groupby(by, observed=True).groups
    if by is not None:
        require_columns(lifetimes, [by], "lifetimes")
    fitters = {}
    for label, index in groups.items():
        fitters[str(label)] = KaplanMeierFitter(alpha=1 - confidence).fit(durations[index], events[index], label=str(label))
    return fitters


def median_lifetime(fitter: KaplanMeierFitter) -> MetricResult:
    """Median lifetime: the first time the survival curve reaches 0.5, with its interval.

    Infinite (``inf``) when fewer than half the customers have churned by the end of observation:
    then the median is simply not known yet.
    """
    median = float(fitter.median_survival_time_)
    bounds = median_survival_times(fitter.confidence_interval_).to_numpy().ravel()
    return MetricResult(name=f"Median lifetime ({fitter.label})", value=median, unit="",
                        formula="first t with S(t) <= 0.5 (Kaplan-Meier)",
                        parts=dict(customers=int(fitter.event_observed.size), churned=int(fitter.event_observed.sum())),
                        ci=(float(bounds[0]), float(bounds[1])), confidence=1 - fitter.alpha,
                        notes=(("fewer than half have churned: the median is not reached yet",)
                               if not np.isfinite(median) else ()))


def logrank(lifetimes: pd.DataFrame, by: str, *, duration_col: str = "duration", event_col: str = "churned") -> MetricResult:
    """Log-rank test (lifelines) that the groups of ``by`` share one survival curve.

    At each event time, compares the churn observed in each group with what the pooled curve
    would expect given who was at risk; the statistic is chi-squared with (groups - 1) degrees of
    freedom. A small p-value says the curves differ; it does not say why.
    """
    durations, events = _durations(lifetimes, duration_col, event_col)
    require_columns(lifetimes, [by], "lifetimes")
    groups = lifetimes[by]
    if groups.nunique() < 2:
        raise InputError(f"column {by!r} has a single group; the log-rank test compares two or more.")
    test = multivariate_logrank_test(durations, groups, events)
    return MetricResult(name=f"Log-rank test by {by}", value=float(test.test_statistic), unit="",
                        formula="sum over groups of (observed - expected churn)^2 / variance; chi-squared",
                        parts=dict(p_value=float(test.p_value), degrees_of_freedom=int(test.degrees_of_freedom),
                                   groups=int(groups.nunique())))


def monthly_churn_from_survival(fitter: KaplanMeierFitter, months) -> pd.Series:
    """Churn in each period implied by a survival curve: 1 - S(k + 1) / S(k), for each k in ``months``.

    Ties survival curves to lesson 03: for customers who have survived k periods, the share who
    leave in the next one is the conditional churn rate.
    """
    k = np.asarray(months, dtype=float)
    s_now = fitter.survival_function_at_times(k).to_numpy()
    s_next = fitter.survival_function_at_times(k + 1).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.Series(1 - s_next / s_now, index=pd.Index(k, name="month"), name="churn")
