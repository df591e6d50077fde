"""Churn and retention of subscription customers, and converting rates between periods.

Definitions used throughout (lesson ``03_churn_and_retention``):

* a customer is *active* at instant t when ``start_date <= t < end_date`` (an empty end date
  means still active);
* S = customers active at ``period_start``; E = customers active at ``period_end``;
* lost = customers in S whose end date falls in (period_start, period_end];
* new = customers whose start date falls in (period_start, period_end]; N = those of them
  still active at ``period_end``. A customer who joins and leaves inside the period is in
  neither S nor E: they are counted in ``new_lost`` and nowhere else.

Then churn = lost / S and retention = (E - N) / S = 1 - churn.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..results import MetricResult
from .rates import wilson_interval
from ..validation import (_label, InputError, as_datetime, require_columns, require_end_after_start, require_frame,
                          require_period, require_unique)

__all__ = ["churn_rate", "churn_rate_by", "retention_rate", "churn_by_period", "compound_churn", "periodic_churn",
           "expected_lifetime", "CHURN_DENOMINATORS"]

CHURN_DENOMINATORS = {
    "start": "lost / S  (customers at the start of the period)",
    "average": "all lost / ((S + E) / 2)  (average of start and end counts)",
    "start_plus_new": "all lost / (S + new)  (everyone who was a customer at any time in the period)",
}


class _Subscriptions:
    """Validated start and end instants as int64 nanoseconds (no end = +infinity)."""

    def __init__(self, subscriptions, customer_col, start_col, end_col):
        require_frame(subscriptions, "subscriptions")
        require_columns(subscriptions, [customer_col, start_col, end_col], "subscriptions")
        require_unique(subscriptions[customer_col], customer_col,
                       "keep one row per customer (the current or last subscription); a customer who "
                       "left and came back is two customers for this definition, so give them new ids.")
        starts = as_datetime(subscriptions[start_col], start_col)
        ends = as_datetime(subscriptions[end_col], end_col)
        if starts.isna().any():
            row = starts.index[starts.isna()][0]
            raise InputError(f"column {start_col!r} is empty in {int(starts.isna().sum())} row(s) (first: row "
                             f"{_label(row)}); every subscription needs a start date.")
        require_end_after_start(pd.DataFrame({start_col: starts, end_col: ends}), start_col, end_col)
        self.start = starts.to_numpy("datetime64[ns]").astype(np.int64)
        self.end = np.where(ends.isna(), np.iinfo(np.int64).max, ends.to_numpy("datetime64[ns]").astype(np.int64))

    def active(self, t: pd.Timestamp) -> np.ndarray:
        t = t.value
        return (self.start <= t) & (t < self.end)

    def counts(self, ps: pd.Timestamp, pe: pd.Timestamp) -> dict:
        at_start, at_end = self.active(ps), self.active(pe)
        ended = (self.end > ps.value) & (self.end <= pe.value)
        new = (self.start > ps.value) & (self.start <= pe.value)
        return dict(at_start=int(at_start.sum()), lost=int((at_start & ended).sum()), new=int(new.sum()),
                    new_lost=int((new & ended).sum()), new_active_at_end=int((new & at_end).sum()),
                    at_end=int(at_end.sum()))


def _rate(c: dict, denominator: str) -> tuple[float, float, int]:
    if denominator not in CHURN_DENOMINATORS:
        raise InputError(f"denominator={denominator!r} is not known; choose one of {list(CHURN_DENOMINATORS)}.")
    lost_all = c["lost"] + c["new_lost"]
    if denominator == "start":
        return c["lost"] / c["at_start"], float(c["at_start"]), c["lost"]
    if denominator == "average":
        d = (c["at_start"] + c["at_end"]) / 2
        return lost_all / d, d, lost_all
    d = c["at_start"] + c["new"]
    return lost_all / d, float(d), lost_all


def _period_counts(subscriptions, period_start, period_end, customer_col, start_col, end_col):
    ps, pe = require_period(period_start, period_end)
    c = _Subscriptions(subscriptions, customer_col, start_col, end_col).counts(ps, pe)
    if c["at_start"] == 0:
        raise InputError(f"no customer was active at period_start {ps.date()}, so a rate per customer at the "
                         f"start is undefined; choose a period that starts after the first subscription.")
    return ps, pe, c


def churn_rate(subscriptions: pd.DataFrame, period_start, period_end, *, customer_col: str = "customer_id",
               start_col: str = "start_date", end_col: str = "end_date", denominator: str = "start") -> MetricResult:
    """Share of customers lost in a period.

    churn = lost / S: customers active at ``period_start`` who ended in (period_start, period_end],
    divided by the customers active at ``period_start``. Customers who join and leave inside the
    period are in neither (they are reported as ``new_lost``). Alternatives used in the field are
    available through ``denominator`` (see ``CHURN_DENOMINATORS``): ``"average"`` and
    ``"start_plus_new"`` count everyone lost, including new customers, over a larger base.

    Parameters
    ----------
    subscriptions : DataFrame, one row per customer with start and end dates (end empty while active).
    period_start, period_end : dates; the period is (period_start, period_end].
    customer_col, start_col, end_col : column names.
    denominator : "start" (default), "average" or "start_plus_new".

    Returns
    -------
    MetricResult with ``value`` (a fraction), ``at_start``, ``lost``, ``new``, ``new_lost``,
    ``at_end`` and ``denominator_value``.

    Raises
    ------
    InputError for missing columns, an end date before a start date, repeated customer ids,
    a period that ends before it starts, or a period with no customers at its start.

    Example
    -------
    >>> subs = pd.DataFrame({"customer_id": [1, 2, 3, 4],
    ...                      "start_date": pd.to_datetime(["2024-01-01", "2024-06-01", "2024-11-01", "2025-01-10"]),
    ...                      "end_date": pd.to_datetime(["2025-01-15", None, None, "2025-01-20"])})
    >>> r = churn_rate(subs, "2025-01-01", "2025-02-01")
    >>> r.value, r.at_start, r.lost, r.new_lost
    (0.3333333333333333, 3, 1, 1)
    """
    ps, pe, c = _period_counts(subscriptions, period_start, period_end, customer_col, start_col, end_col)
    value, denom, lost = _rate(c, denominator)
    return MetricResult(
        name=f"Churn rate {ps.date()} to {pe.date()}", value=value, unit="fraction",
        formula=CHURN_DENOMINATORS[denominator],
        parts=dict(**c, denominator_value=denom, lost_counted=lost),
        notes=((f"{c['new_lost']} customer(s) joined and left inside the period; they are in neither "
                f"the numerator nor S.",) if c["new_lost"] and denominator == "start" else ()))


def retention_rate(subscriptions: pd.DataFrame, period_start, period_end, *, customer_col: str = "customer_id",
                   start_col: str = "start_date", end_col: str = "end_date") -> MetricResult:
    """Share of the customers at the start of a period who are still customers at its end.

    retention = (E - N) / S, with E the customers active at ``period_end``, N the new customers
    (joined in the period) still active at ``period_end``, S the customers active at
    ``period_start``. It equals ``1 - churn_rate(...)``. Subtracting *all* new customers instead
    of those still active understates retention whenever some new customers leave within the
    period (``new_lost`` > 0).

    Example
    -------
    >>> subs = pd.DataFrame({"customer_id": [1, 2, 3],
    ...                      "start_date": pd.to_datetime(["2024-01-01", "2024-06-01", "2025-01-10"]),
    ...                      "end_date": pd.to_datetime(["2025-01-15", None, None])})
    >>> retention_rate(subs, "2025-01-01", "2025-02-01").value
    0.5
    """
    ps, pe, c = _period_counts(subscriptions, period_start, period_end, customer_col, start_col, end_col)
    retained = c["at_end"] - c["new_active_at_end"]
    return MetricResult(
        name=f"Retention rate {ps.date()} to {pe.date()}", value=retained / c["at_start"], unit="fraction",
        formula="(E - N) / S;  N = new customers still active at the end",
        parts=dict(at_start=c["at_start"], at_end=c["at_end"], new=c["new"],
                   new_active_at_end=c["new_active_at_end"], new_lost=c["new_lost"], retained=retained))


def churn_rate_by(subscriptions: pd.DataFrame, by, period_start, period_end, *, customer_col: str = "customer_id",
                  start_col: str = "start_date", end_col: str = "end_date", confidence: float = 0.95) -> pd.DataFrame:
    """Churn rate (lost / S, as :func:`churn_rate`) for each group of customers, with Wilson intervals.

    ``by`` names one or more columns of ``subscriptions`` (plan, region...). Returns one row per
    group: ``at_start``, ``lost``, ``churn_rate``, ``ci_low``, ``ci_high``; groups with no
    customer at the start of the period are left out (they have no rate).

    Example
    -------
    >>> subs = pd.DataFrame({"customer_id": [1, 2, 3], "plan": ["a", "a", "b"],
    ...                      "start_date": pd.to_datetime(["2024-01-01"] * 3),
    ...                      "end_date": pd.to_datetime(["2025-01-15", None, None])})
    >>> churn_rate_by(subs, "plan", "2025-01-01", "2025-02-01")["churn_rate"].to_dict()
    {'a': 0.5, 'b': 0.0}
    """
    ps, pe = require_period(period_start, period_end)
    keys = [by] if isinstance(by, str) else list(by)
    require_frame(subscriptions, "subscriptions")
    require_columns(subscriptions, keys, "subscriptions")
    for key in keys:
        if subscriptions[key].isna().any():
            raise InputError(f"column {key!r} has {int(subscriptions[key].isna().sum())} missing value(s); fill them "
                             f"(for example with 'unknown') so that no customer is dropped.")
    subs = _Subscriptions(subscriptions, customer_col, start_col, end_col)
    at_start = subs.active(ps)
    lost = at_start & (subs.end > ps.value) & (subs.end <= pe.value)
    table = (pd.DataFrame({"at_start": at_start, "lost": lost}, index=subscriptions.index)
             .join(subscriptions[keys]).groupby(keys, observed=True)[["at_start", "lost"]].sum())
    table = table[table["at_start"] > 0].astype(int)
    table["churn_rate"] = table["lost"] / table["at_start"]
    bounds = [wilson_interval(k, n, confidence) for k, n in zip(table["lost"], table["at_start"])]
    table["ci_low"], table["ci_high"] = [b[0] for b in bounds], [b[1] for b in bounds]
    return table


def churn_by_period(subscriptions: pd.DataFrame, start, end, *, freq: str = "MS", customer_col: str = "customer_id",
                    start_col: str = "start_date", end_col: str = "end_date") -> pd.DataFrame:
    """Churn and retention for each consecutive period between ``start`` and ``end``.

    ``freq`` is a pandas frequency of period starts: ``"MS"`` months, ``"QS"`` quarters,
    ``"YS"`` years. One row per period with ``period_start``, ``period_end``, ``at_start``,
    ``lost``, ``new``, ``new_lost``, ``at_end``, ``churn_rate`` and ``retention_rate``.
    Periods with no customer at their start have a missing (NaN) rate, not 0.

    Example
    -------
    >>> subs = pd.DataFrame({"customer_id": [1, 2], "start_date": pd.to_datetime(["2024-01-01"] * 2),
    ...                      "end_date": pd.to_datetime(["2024-02-15", None])})
    >>> churn_by_period(subs, "2024-01-01", "2024-04-01")["churn_rate"].tolist()
    [0.0, 0.5, 0.0]
    """
    ps, pe = require_period(start, end)
    subs = _Subscriptions(subscriptions, customer_col, start_col, end_col)
    edges = pd.date_range(ps, pe, freq=freq)
    if len(edges) < 2:
        raise InputError(f"no whole {freq!r} period fits between {ps.date()} and {pe.date()}; "
                         f"widen the range or choose a shorter freq.")
    rows = []
    for a, b in zip(edges[:-1], edges[1:]):
        c = subs.counts(a, b)
        rows.append(dict(period_start=a, period_end=b, **c))
    table = pd.DataFrame(rows)
    s = table["at_start"].where(table["at_start"] > 0)
    table["churn_rate"] = table["lost"] / s
    table["retention_rate"] = (table["at_end"] - table["new_active_at_end"]) / s
    return table


def _check_rate(rate, name="rate"):
    rate_arr = np.asarray(rate, dtype=float)
    if np.any(~((rate_arr >= 0) & (rate_arr <= 1))):
        raise InputError(f"{name}={rate!r} must be a fraction between 0 and 1 (5% is 0.05).")
    return rate_arr


def compound_churn(rate, periods: float = 12):
    """Churn over ``periods`` consecutive periods at a constant per-period ``rate``.

    churn over k periods = 1 - (1 - rate)**k. Multiplying instead (rate * k) is the common
    mistake: 5% a month is 46.0% a year, not 60%.

    Example
    -------
    >>> round(compound_churn(0.05, 12), 4)
    0.4596
    """
    r = _check_rate(rate)
    out = 1 - (1 - r) ** periods
    return float(out) if out.ndim == 0 else out


def periodic_churn(rate, periods: float = 12):
    """Per-period churn equivalent to churn ``rate`` over ``periods`` periods (inverse of compound_churn).

    per-period = 1 - (1 - rate)**(1 / periods).

    Example
    -------
    >>> round(periodic_churn(0.4596, 12), 4)
    0.05
    """
    r = _check_rate(rate)
    out = 1 - (1 - r) ** (1 / periods)
    return float(out) if out.ndim == 0 else out


def expected_lifetime(rate):
    """Expected customer lifetime in periods at a constant per-period churn ``rate``: 1 / rate.

    With churn p each period the number of periods a customer stays is geometric with mean 1/p
    (5% a month: 20 months).

    Example
    -------
    >>> expected_lifetime(0.05)
    20.0
    """
    r = _check_rate(rate)
    with np.errstate(divide="ignore"):
        out = 1 / r
    return float(out) if out.ndim == 0 else out
