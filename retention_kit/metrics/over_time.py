"""One retention metric per calendar period, for a whole business or one segment: the dashboard's table.

Built on :func:`~retention_kit.metrics.churn.churn_by_period` (the kit's period convention: half-open
periods; S the customers at the start). Rates carry a Wilson interval per period: the customers of a
period are one draw from the process that produced them, and next period's decisions rest on that process.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import (Confidence, InputError, Options, period_index, period_numbers, period_starts,
                          require_columns, require_subscriptions, require_time_unit, validate)
from .churn import churn_by_period
from .rates import proportion

__all__ = ["metric_over_time", "OVER_TIME_METRICS"]

OVER_TIME_METRICS = {
    "churn rate": "lost / S: the share of the customers at the start who left during the period",
    "retention rate": "(E - N) / S = 1 - churn rate: the share of the customers at the start still there at its end",
    "customers at the start": "S: joined before the period and not ended before it",
    "new customers": "customers whose start date falls in the period",
}
RATES = ("churn rate", "retention rate")


def _bounds(subscriptions: pd.DataFrame, start_col: str, end_col: str, time_unit: str):
    """The first period with a start in it, the midnight after the last event, and the end of the last
    complete period before it (of the whole table: a segment is observed as long as the business is)."""
    starts = pd.to_datetime(subscriptions[start_col])
    ends = pd.to_datetime(subscriptions[end_col])
    last_event = max(starts.max(), ends.max() if ends.notna().any() else starts.max())
    observed_to = (last_event + pd.Timedelta(days=1)).normalize()           # midnight after the last event
    first, last = period_numbers(np.array([starts.min().to_datetime64(), observed_to.to_datetime64()]), time_unit)
    return period_starts([first], time_unit)[0], observed_to, period_starts([last], time_unit)[0]


@validate(metric=Options(*OVER_TIME_METRICS), confidence=Confidence())
def metric_over_time(subscriptions: pd.DataFrame, metric: str = "churn rate", *, time_unit: str = "quarter",
                     segment: tuple | None = None, period_start=None, period_end=None,
                     customer_id_col: str = "customer_id", start_col: str = "start_date", end_col: str = "end_date",
                     confidence: float = 0.95) -> pd.DataFrame:
    """One metric per calendar period, with an interval for the rates.

    churn rate = lost / S and retention rate = 1 - churn rate, each with its Wilson interval over the S
    customers at the start of the period; customers at the start (S) and new customers are counts.

    Parameters
    ----------
    subscriptions : DataFrame with one row per subscription (start date, end date or empty)
    metric : str, default "churn rate"
        One of ``OVER_TIME_METRICS``: "churn rate", "retention rate", "customers at the start", "new customers".
    time_unit : str, default "quarter"
        "month", "quarter" or "year".
    segment : (column, value), optional
        Only the subscriptions whose ``column`` equals ``value`` (a plan, say); everyone when None.
    period_start, period_end : date-like, optional
        Starts of periods. By default from the period of the first start to the end of the last complete
        period observed. The data are observed until the midnight after the last start or end date of the
        whole table (a segment is observed as long as the business is); ``period_end`` may not be later.
    customer_id_col, start_col, end_col : str
    confidence : float, default 0.95

    Returns
    -------
    DataFrame with ``period`` (a pandas Period), ``period_start``, ``period_end``, ``value``, ``ci_low``,
    ``ci_high`` (NaN for counts), ``at_start`` (S) and ``lost``; ``attrs`` hold ``metric``, ``time_unit``,
    ``segment`` and ``confidence``. A rate is NaN in a period with no customers at its start.

    Raises
    ------
    InputError
        For a metric or time unit not offered, a segment column that is missing or a value it does not hold,
        a ``period_end`` after the data end, and as ``rk.churn_by_period``.

    Examples
    --------
    >>> subs = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "plan": ["x", "x", "y", "y"],
    ...                      "start_date": pd.to_datetime(["2024-01-05"] * 4),
    ...                      "end_date": pd.to_datetime(["2024-04-10", None, None, "2024-12-31"])})
    >>> table = metric_over_time(subs, "churn rate", time_unit="quarter")
    >>> table["period"].astype(str).tolist(), table["at_start"].tolist(), table["value"].round(2).tolist()
    (['2024Q1', '2024Q2', '2024Q3', '2024Q4'], [0, 4, 3, 3], [nan, 0.25, 0.0, 0.33])
    """
    time_unit = require_time_unit(time_unit, allowed=("month", "quarter", "year"))
    require_columns(subscriptions, [customer_id_col, start_col, end_col], "subscriptions")
    require_subscriptions(subscriptions, customer_id_col=customer_id_col, start_col=start_col, end_col=end_col)
    first, observed_to, last = _bounds(subscriptions, start_col, end_col, time_unit)
    if period_end is not None and pd.Timestamp(period_end) > observed_to:
        raise InputError(f"period_end={period_end!r} is after the data end (the last start or end date is the day "
                         f"before {observed_to.date()}), so the periods after it would count nobody as lost. Fix: "
                         f"pass a period_end no later than {last.date()}, or leave it out.")
    if segment is not None:
        if not (isinstance(segment, tuple) and len(segment) == 2):
            raise InputError(f"segment={segment!r} is not a (column, value) pair. Fix: pass ('plan', 'basic'), "
                             "or None for everyone.")
        column, value = segment
        if column not in subscriptions.columns:
            raise InputError(f"segment={segment!r}: subscriptions has no column {column!r}. Fix: one of "
                             f"{list(subscriptions.columns)}.")
        held = subscriptions[column].dropna().unique().tolist()
        if value not in held:
            raise InputError(f"segment={segment!r}: column {column!r} holds no {value!r}. Fix: one of "
                             f"{sorted(held, key=str)!r}.")
        subscriptions = subscriptions[subscriptions[column] == value]
    table = churn_by_period(subscriptions, first if period_start is None else period_start,
                            last if period_end is None else period_end, time_unit=time_unit,
                            customer_id_col=customer_id_col, start_col=start_col, end_col=end_col)
    numbers = period_numbers(table["period_start"].to_numpy(), time_unit)
    result = pd.DataFrame({"period": period_index(numbers, time_unit), "period_start": table["period_start"],
                           "period_end": table["period_end"]})
    if metric in RATES:
        lost = table["lost"] if metric == "churn rate" else table["at_start"] - table["lost"]
        intervals = [proportion(int(k), int(n), confidence=confidence) if n > 0 else None
                     for k, n in zip(lost, table["at_start"])]
        result["value"] = [r.value if r else np.nan for r in intervals]
        result["ci_low"] = [r.ci[0] if r else np.nan for r in intervals]
        result["ci_high"] = [r.ci[1] if r else np.nan for r in intervals]
    else:
        result["value"] = table["at_start" if metric == "customers at the start" else "new"].astype(float)
        result["ci_low"] = result["ci_high"] = np.nan
    result["at_start"], result["lost"] = table["at_start"].to_numpy(), table["lost"].to_numpy()
    result.attrs.update(metric=metric, time_unit=time_unit, segment=segment, confidence=confidence)
    return result
