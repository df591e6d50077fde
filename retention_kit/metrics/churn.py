"""Churn and retention of subscription customers, and converting rates between periods.

Definitions (the kit's period convention; lesson ``03_churn_and_retention``). A period is
half-open, ``[period_start, period_end)``, and every event (a start, an end, a purchase) that
happens at an instant t belongs to the period with period_start <= t < period_end. Then:

* S, the customers at the start: joined before ``period_start`` and not ended before it;
* lost: customers in S whose end date falls in the period;
* new: customers whose start date falls in the period; ``new_lost`` of them also end in it;
* E, the customers at the end: joined before ``period_end`` and not ended before it
  (the S of the next period), so E = S - lost + new - new_lost.

churn = lost / S and retention = (E - (new - new_lost)) / S = 1 - churn.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..results import MetricResult
from ..validation import (Confidence, InputError, Options, Real, is_period_start, period_numbers, period_starts,
                          require_columns, require_labels, require_period, require_subscriptions, require_time_unit,
                          validate)
from .rates import proportion

__all__ = ["churn_rate", "churn_rate_by", "retention_rate", "churn_by_period", "compound_churn", "periodic_churn",
           "expected_lifetime", "CHURN_DENOMINATORS"]

CHURN_DENOMINATORS = {
    "start": "lost / S  (customers at the start of the period)",
    "average": "all lost / ((S + E) / 2)  (average of start and end counts)",
    "start_plus_new": "all lost / (S + new)  (everyone who was a customer at any time in the period)",
}


def _counts(table, ps: pd.Timestamp, pe: pd.Timestamp) -> dict:
    """Counts of the period [ps, pe) from checked subscriptions (int64 nanoseconds)."""
    a, b = ps.value, pe.value
    at_start = (table.start < a) & (table.end >= a)
    at_end = (table.start < b) & (table.end >= b)
    ended = (table.end >= a) & (table.end < b)
    new = (table.start >= a) & (table.start < b)
    return dict(at_start=at_start, lost=at_start & ended, new=new, new_lost=new & ended, at_end=at_end)


def _totals(masks: dict) -> dict:
    c = {k: int(v.sum()) for k, v in masks.items()}
    c["new_active_at_end"] = c["new"] - c["new_lost"]
    return c


def _checked(subscriptions, period_start, period_end, customer_id_col, start_col, end_col):
    table = require_subscriptions(subscriptions, customer_id_col=customer_id_col, start_col=start_col, end_col=end_col)
    ps, pe = require_period(period_start, period_end, table.zone)
    c = _totals(_counts(table, ps, pe))
    if c["at_start"] == 0:
        raise InputError(f"no customer was a customer at period_start {ps}, so a rate per customer at the start is "
                         f"undefined; choose a period that starts after the first subscription.")
    return ps, pe, c


def _rate(c: dict, denominator: str) -> tuple[float, float, int]:
    lost_all = c["lost"] + c["new_lost"]
    if denominator == "start":
        return c["lost"] / c["at_start"], float(c["at_start"]), c["lost"]
    if denominator == "average":
        d = (c["at_start"] + c["at_end"]) / 2
        return lost_all / d, d, lost_all
    d = c["at_start"] + c["new"]
    return lost_all / d, float(d), lost_all


@validate(denominator=Options(*CHURN_DENOMINATORS), confidence=Confidence())
def churn_rate(subscriptions: pd.DataFrame, period_start, period_end, *, customer_id_col: str = "customer_id",
               start_col: str = "start_date", end_col: str = "end_date", denominator: str = "start",
               confidence: float = 0.95) -> MetricResult:
    """Share of customers lost in a period, with its interval.

    churn = lost / S: customers at the start of [period_start, period_end) whose end date falls
    in it, over the customers at the start. Customers who join and leave inside the period are in
    neither (they are reported as ``new_lost``). Alternatives used in the field come through
    ``denominator`` (see ``CHURN_DENOMINATORS``): ``"average"`` and ``"start_plus_new"`` count
    everyone lost, new customers included, over a larger base.

    Parameters
    ----------
    subscriptions : DataFrame
        One row per customer with a start date and an end date (empty while active).
    period_start, period_end : dates
        The half-open period [period_start, period_end); for 2025 pass "2025-01-01", "2026-01-01".
    customer_id_col, start_col, end_col : str
        Column names (defaults ``customer_id``, ``start_date``, ``end_date``).
    denominator : "start" (default), "average" or "start_plus_new"
    confidence : float, default 0.95
        For the Wilson interval, given with ``denominator="start"`` (a share of a fixed group).

    Returns
    -------
    MetricResult (kind ``"churn_rate"``) with ``value`` (a fraction) and parts ``at_start``,
    ``lost``, ``new``, ``new_lost``, ``at_end``, ``denominator_value`` and ``lost_counted``.

    Raises
    ------
    InputError
        For missing columns, an end date before a start date, repeated customer ids, a period that
        ends before it starts, or a period with no customer at its start.

    Examples
    --------
    >>> subs = pd.DataFrame({"customer_id": [1, 2, 3, 4],
    ...                      "start_date": pd.to_datetime(["2024-01-01", "2024-06-01", "2024-11-01", "2025-01-10"]),
    ...                      "end_date": pd.to_datetime(["2025-01-15", None, None, "2025-01-20"])})
    >>> r = churn_rate(subs, "2025-01-01", "2025-02-01")
    >>> r.value, r.at_start, r.lost, r.new_lost
    (0.3333333333333333, 3, 1, 1)
    """
    ps, pe, c = _checked(subscriptions, period_start, period_end, customer_id_col, start_col, end_col)
    value, denom, lost = _rate(c, denominator)
    interval = proportion(c["lost"], c["at_start"], confidence=confidence) if denominator == "start" else None
    return MetricResult(
        kind="churn_rate", name=f"Churn rate [{ps.date()}, {pe.date()})", value=value, unit="fraction",
        formula=CHURN_DENOMINATORS[denominator], parts=dict(**c, denominator_value=denom, lost_counted=lost),
        se=interval.se if interval else None, ci=interval.ci if interval else None,
        confidence=confidence if interval else None,
        notes=((f"{c['new_lost']} customer(s) joined and left inside the period; they are in neither "
                f"the numerator nor S.",) if c["new_lost"] and denominator == "start" else ()))


@validate(confidence=Confidence())
def retention_rate(subscriptions: pd.DataFrame, period_start, period_end, *, customer_id_col: str = "customer_id",
                   start_col: str = "start_date", end_col: str = "end_date", confidence: float = 0.95) -> MetricResult:
    """Share of the customers at the start of a period who are still customers at its end.

    retention = (E - N) / S, with E the customers at the end of [period_start, period_end), N the
    new customers (joined in the period) still there at its end, S the customers at the start.
    It equals ``1 - churn_rate(...)``. Subtracting *all* new customers instead of those still
    there understates retention whenever some new customers leave within the period.

    Parameters
    ----------
    subscriptions : DataFrame
        One row per customer with a start date and an end date (empty while active).
    period_start, period_end : dates
        The half-open period [period_start, period_end).
    customer_id_col, start_col, end_col : str
        Column names (defaults ``customer_id``, ``start_date``, ``end_date``).
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"retention_rate"``) with ``value`` (a fraction), a Wilson ``ci``, and
    parts ``at_start``, ``at_end``, ``new``, ``new_active_at_end``, ``new_lost``, ``retained``.

    Raises
    ------
    InputError
        As :func:`churn_rate`.

    Examples
    --------
    >>> subs = pd.DataFrame({"customer_id": [1, 2, 3],
    ...                      "start_date": pd.to_datetime(["2024-01-01", "2024-06-01", "2025-01-10"]),
    ...                      "end_date": pd.to_datetime(["2025-01-15", None, None])})
    >>> retention_rate(subs, "2025-01-01", "2025-02-01").value
    0.5
    """
    ps, pe, c = _checked(subscriptions, period_start, period_end, customer_id_col, start_col, end_col)
    retained = c["at_end"] - c["new_active_at_end"]
    interval = proportion(retained, c["at_start"], confidence=confidence)
    return MetricResult(
        kind="retention_rate", name=f"Retention rate [{ps.date()}, {pe.date()})", value=retained / c["at_start"],
        unit="fraction", formula="(E - N) / S;  N = new customers still there at the end",
        parts=dict(at_start=c["at_start"], at_end=c["at_end"], new=c["new"],
                   new_active_at_end=c["new_active_at_end"], new_lost=c["new_lost"], retained=retained),
        se=interval.se, ci=interval.ci, confidence=confidence)


@validate(confidence=Confidence())
def churn_rate_by(subscriptions: pd.DataFrame, by, period_start, period_end, *, customer_id_col: str = "customer_id",
                  start_col: str = "start_date", end_col: str = "end_date", confidence: float = 0.95) -> pd.DataFrame:
    """Churn rate (lost / S, as :func:`churn_rate`) for each group of customers, with Wilson intervals.

    Parameters
    ----------
    subscriptions : DataFrame
    by : str or list of str
        Column(s) of ``subscriptions`` (plan, region...); no label may be missing.
    period_start, period_end : dates, the half-open period.
    customer_id_col, start_col, end_col : str
        Column names (defaults ``customer_id``, ``start_date``, ``end_date``).
    confidence : float, default 0.95

    Returns
    -------
    DataFrame indexed by the group's value(s), columns ``at_start``, ``lost``, ``churn_rate``,
    ``ci_low``, ``ci_high``. Groups with no customer at the start of the period are left out
    (they have no rate). ``attrs["confidence"]`` records the level.

    Raises
    ------
    InputError
        As :func:`churn_rate`, and for a missing group label.

    Examples
    --------
    >>> subs = pd.DataFrame({"customer_id": [1, 2, 3], "plan": ["a", "a", "b"],
    ...                      "start_date": pd.to_datetime(["2024-01-01"] * 3),
    ...                      "end_date": pd.to_datetime(["2025-01-15", None, None])})
    >>> churn_rate_by(subs, "plan", "2025-01-01", "2025-02-01")["churn_rate"].to_dict()
    {'a': 0.5, 'b': 0.0}
    """
    keys = [by] if isinstance(by, str) else list(by)
    table = require_subscriptions(subscriptions, customer_id_col=customer_id_col, start_col=start_col, end_col=end_col)
    require_columns(subscriptions, keys, "subscriptions", "pass existing column names")
    for key in keys:
        require_labels(subscriptions[key], key)
    ps, pe = require_period(period_start, period_end, table.zone)
    masks = _counts(table, ps, pe)
    grouped = (pd.DataFrame({"at_start": masks["at_start"], "lost": masks["lost"]}, index=subscriptions.index)
               .groupby([subscriptions[k] for k in keys], observed=True)[["at_start", "lost"]].sum())
    grouped = grouped[grouped["at_start"] > 0].astype(int)
    grouped["churn_rate"] = grouped["lost"] / grouped["at_start"]
    bounds = [proportion(k, n, confidence=confidence).ci for k, n in zip(grouped["lost"], grouped["at_start"])]
    grouped["ci_low"], grouped["ci_high"] = [b[0] for b in bounds], [b[1] for b in bounds]
    grouped.attrs["confidence"] = confidence
    return grouped


def churn_by_period(subscriptions: pd.DataFrame, period_start, period_end, *, time_unit: str = "month",
                    customer_id_col: str = "customer_id", start_col: str = "start_date",
                    end_col: str = "end_date") -> pd.DataFrame:
    """Churn and retention for each calendar period (month, quarter...) of [period_start, period_end).

    Parameters
    ----------
    subscriptions : DataFrame
        Or the same table in another engine: a Polars DataFrame or LazyFrame, a DuckDB relation, a
        PySpark DataFrame, or a Parquet path or glob (see :mod:`retention_kit.engines`).
    period_start, period_end : dates
        Both must be the first instant of a calendar ``time_unit`` (for months, the 1st at 00:00).
    time_unit : "week", "month" (default), "quarter" or "year"
    customer_id_col, start_col, end_col : str
        Column names (defaults ``customer_id``, ``start_date``, ``end_date``).

    Returns
    -------
    DataFrame, one row per period: ``period_start``, ``period_end``, ``at_start``, ``lost``,
    ``new``, ``new_lost``, ``at_end``, ``new_active_at_end``, ``churn_rate``, ``retention_rate``.
    A period with no customer at its start has a missing (NaN) rate, not 0.

    Raises
    ------
    InputError
        As :func:`churn_rate`, for an unknown time unit, and for bounds that are not period starts.

    Examples
    --------
    >>> subs = pd.DataFrame({"customer_id": [1, 2], "start_date": pd.to_datetime(["2023-12-01"] * 2),
    ...                      "end_date": pd.to_datetime(["2024-02-15", None])})
    >>> churn_by_period(subs, "2024-01-01", "2024-04-01")["churn_rate"].tolist()
    [0.0, 0.5, 0.0]
    """
    time_unit = require_time_unit(time_unit, allowed=("week", "month", "quarter", "year"))
    if not isinstance(subscriptions, pd.DataFrame):                 # Polars, DuckDB, Spark, Parquet, or refused
        from ..engines import engine_churn_by_period, engine_input
        return engine_churn_by_period(engine_input(subscriptions, "subscriptions"), period_start, period_end,
                                      time_unit=time_unit, customer_id_col=customer_id_col, start_col=start_col,
                                      end_col=end_col)
    table = require_subscriptions(subscriptions, customer_id_col=customer_id_col, start_col=start_col, end_col=end_col)
    first, last = whole_periods(period_start, period_end, table.zone, time_unit)
    edges = period_starts(np.arange(first, last + 1), time_unit)
    rows = [dict(period_start=a, period_end=b, **_totals(_counts(table, a, b))) for a, b in zip(edges[:-1], edges[1:])]
    return with_rates(pd.DataFrame(rows), time_unit)


def whole_periods(period_start, period_end, zone, time_unit: str) -> tuple[int, int]:
    """The period numbers of ``[period_start, period_end)``, each bound the first instant of a ``time_unit``."""
    ps, pe = require_period(period_start, period_end, zone)
    for name, bound in (("period_start", ps), ("period_end", pe)):
        if not is_period_start(bound, time_unit):
            number = period_numbers(np.array([bound.to_datetime64()]), time_unit)
            before, after = period_starts(number, time_unit)[0], period_starts(number + 1, time_unit)[0]
            raise InputError(f"{name}={bound} is not the start of a {time_unit}, so the first or last {time_unit} "
                             f"would be partial. Fix: pass {before.date()} or {after.date()}.")
    first, last = period_numbers(np.array([ps.to_datetime64(), pe.to_datetime64()]), time_unit)
    return int(first), int(last)


def with_rates(result: pd.DataFrame, time_unit: str) -> pd.DataFrame:
    """A table of period counts with its churn and retention rates (missing where no customer was there at the start)."""
    s = result["at_start"].where(result["at_start"] > 0)
    result["churn_rate"] = result["lost"] / s
    result["retention_rate"] = (result["at_end"] - result["new_active_at_end"]) / s
    result.attrs["time_unit"] = time_unit
    return result


_RATE = Real(0, 1, hint="Write 5% as 0.05.")
_PERIODS = Real(low=0, closed="neither", hint="It is a number of periods, such as 12.")


@validate(rate=_RATE, periods=_PERIODS)
def compound_churn(rate: float, *, periods: float = 12) -> MetricResult:
    """Churn over ``periods`` consecutive periods at a constant per-period ``rate``.

    churn over k periods = 1 - (1 - rate)^k. Multiplying instead (rate x k) is the common mistake:
    5% a month is 46.0% a year, not 60%.

    Parameters
    ----------
    rate : float, churn per period, from 0 to 1
    periods : float, default 12
        How many periods; positive (fractions allowed: half a year is 6 months).

    Returns
    -------
    MetricResult (kind ``"compound_churn"``), ``value`` a fraction.

    Raises
    ------
    InputError
        For a rate outside [0, 1] or periods that are not positive and finite.

    Examples
    --------
    >>> round(compound_churn(0.05, periods=12).value, 4)
    0.4596
    """
    return MetricResult(kind="compound_churn", name=f"Churn over {periods:g} periods", value=1 - (1 - rate) ** periods,
                        unit="fraction", formula="1 - (1 - rate)^periods", parts=dict(rate=rate, periods=periods))


@validate(rate=_RATE, periods=_PERIODS)
def periodic_churn(rate: float, *, periods: float = 12) -> MetricResult:
    """Per-period churn equivalent to churn ``rate`` over ``periods`` periods (the inverse of compounding).

    per-period churn = 1 - (1 - rate)^(1 / periods).

    Parameters
    ----------
    rate : float, churn over the whole span, from 0 to 1
    periods : float, default 12

    Returns
    -------
    MetricResult (kind ``"periodic_churn"``), ``value`` a fraction.

    Raises
    ------
    InputError
        For a rate outside [0, 1] or periods that are not positive and finite.

    Examples
    --------
    >>> round(periodic_churn(0.4596, periods=12).value, 4)
    0.05
    """
    return MetricResult(kind="periodic_churn", name=f"Churn per period, from {periods:g} periods",
                        value=1 - (1 - rate) ** (1 / periods), unit="fraction", formula="1 - (1 - rate)^(1 / periods)",
                        parts=dict(rate=rate, periods=periods))


@validate(rate=Real(0, 1, closed="right", hint="At 0 churn the expected lifetime is infinite. Write 5% as 0.05."))
def expected_lifetime(rate: float) -> MetricResult:
    """Expected customer lifetime, in periods, at a constant per-period churn ``rate``: 1 / rate.

    With churn p each period the number of periods a customer stays is geometric with mean 1/p
    (5% a month: 20 months).

    Parameters
    ----------
    rate : float, churn per period, above 0 and at most 1

    Returns
    -------
    MetricResult (kind ``"expected_lifetime"``), ``value`` in periods.

    Raises
    ------
    InputError
        For a rate of 0 (an infinite lifetime) or outside (0, 1].

    Examples
    --------
    >>> expected_lifetime(0.05).value
    20.0
    """
    return MetricResult(kind="expected_lifetime", name="Expected lifetime (periods)", value=1 / rate, unit="",
                        formula="1 / churn per period (mean of a geometric distribution)", parts=dict(rate=rate))
