"""From a transaction log to one row per customer (the BTYD summary).

Columns follow the buy-till-you-die literature and the libraries that use it (lifetimes,
pymc-marketing): read ``T`` as ``summary["T"]``, never ``summary.T`` (the transpose).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .validation import InputError, as_timestamp, require_transactions

__all__ = ["rfm_summary", "calibration_holdout_summary", "TIME_UNITS"]

TIME_UNITS = {"D": "days", "W": "weeks (Monday to Sunday)", "h": "hours"}


def _floor(dates: pd.Series, time_unit: str) -> pd.Series:
    """Start of the period (day, Monday-starting week, hour) that holds each date."""
    if time_unit == "h":
        return dates.dt.floor("h")
    days = dates.dt.normalize()
    if time_unit == "W":
        return days - pd.to_timedelta(days.dt.dayofweek, unit="D")
    return days


def rfm_summary(transactions: pd.DataFrame, *, customer_id_col: str = "customer_id", datetime_col: str = "date",
                monetary_value_col: str | None = "amount", observation_period_end=None,
                time_unit: str = "D") -> pd.DataFrame:
    """Summarise a transaction log into ``frequency, recency, T, monetary_value`` per customer.

    Purchases are first grouped into periods of ``time_unit`` (several purchases on one day
    count as one purchase of their summed value). Then, per customer:

    * ``frequency`` = number of periods with a purchase - 1 (repeat purchases);
    * ``recency`` = last purchase period - first purchase period, in ``time_unit``;
    * ``T`` = observation end - first purchase period, in ``time_unit``;
    * ``monetary_value`` = mean value of the repeat-purchase periods (the first purchase is
      excluded); 0 for customers with no repeat purchase.

    This is the convention of lifetimes' ``summary_data_from_transaction_data`` (and the test
    suite checks agreement with it), computed with sorting and ``numpy`` reductions instead of
    pandas period objects.

    Parameters
    ----------
    transactions : DataFrame with one row per purchase.
    customer_id_col, datetime_col, monetary_value_col : column names; pass
        ``monetary_value_col=None`` to leave out ``monetary_value``.
    observation_period_end : date, default the last purchase; it is floored to its period, and
        purchases in later periods are excluded (with a warning that says how many).
    time_unit : "D" (days, default), "W" (weeks starting Monday) or "h" (hours).

    Returns
    -------
    DataFrame indexed by customer id (sorted), float columns ``frequency``, ``recency``, ``T``
    and ``monetary_value``. ``attrs`` records ``observation_period_end``, ``time_unit`` and
    ``excluded_after_end``.

    Raises
    ------
    InputError for missing columns, missing ids or dates, non-numeric or negative amounts, an
    unknown time unit, or no purchase on or before the observation end.

    References: Fader, Hardie & Lee (2005), "Counting your customers the easy way".
    Lesson: ``05_repeat_purchase_rate`` (and lifetime value, lesson 07).

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 2],
    ...                    "date": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-01-11", "2025-01-05"]),
    ...                    "amount": [5.0, 5.0, 30.0, 8.0]})
    >>> rfm_summary(tx, observation_period_end="2025-01-31").to_dict("index")
    {1: {'frequency': 1.0, 'recency': 10.0, 'T': 30.0, 'monetary_value': 30.0}, 2: {'frequency': 0.0, 'recency': 0.0, 'T': 26.0, 'monetary_value': 0.0}}
    """
    if time_unit not in TIME_UNITS:
        raise InputError(f"time_unit={time_unit!r} is not supported; choose one of {list(TIME_UNITS)} "
                         f"({', '.join(TIME_UNITS.values())}). Months have no fixed length: use 'W' or 'D' and "
                         f"convert the result.")
    tx = require_transactions(transactions, customer_id_col, datetime_col, monetary_value_col)
    periods = _floor(tx[datetime_col], time_unit)
    if observation_period_end is None:
        end = periods.max()
    else:
        end = _floor(pd.Series([as_timestamp(observation_period_end, "observation_period_end")]), time_unit).iloc[0]
    keep = (periods <= end).to_numpy()
    excluded = int((~keep).sum())
    if excluded:
        warnings.warn(f"rfm_summary: {excluded} transaction(s) after observation_period_end ({end}) were excluded.",
                      stacklevel=2)
    if not keep.any():
        raise InputError(f"no transaction falls on or before observation_period_end ({end}); the first is on "
                         f"{tx[datetime_col].min()}. Pass a later observation_period_end.")
    try:
        codes, customers = pd.factorize(tx[customer_id_col].to_numpy()[keep], sort=True)
    except TypeError:  # ids of mixed types cannot be sorted; keep their order of appearance
        codes, customers = pd.factorize(tx[customer_id_col].to_numpy()[keep], sort=False)
    p = periods.to_numpy("datetime64[ns]")[keep].view(np.int64)
    order = np.lexsort((p, codes))
    c, p = codes[order], p[order]
    # one entry per (customer, period): boundaries where either key changes
    starts = np.flatnonzero(np.r_[True, (c[1:] != c[:-1]) | (p[1:] != p[:-1])])
    period_customer, period_time = c[starts], p[starts]
    is_first = np.r_[True, period_customer[1:] != period_customer[:-1]]
    is_last = np.r_[period_customer[1:] != period_customer[:-1], True]
    n_customers = len(customers)
    unit_ns = pd.Timedelta(1, unit=time_unit).value
    first_time = period_time[is_first]
    frequency = np.bincount(period_customer, minlength=n_customers) - 1
    summary = pd.DataFrame({
        "frequency": frequency.astype(float),
        "recency": (period_time[is_last] - first_time) / unit_ns,
        "T": (end.value - first_time) / unit_ns,
    }, index=pd.Index(customers, name=customer_id_col))
    if monetary_value_col:
        amount = tx[monetary_value_col].to_numpy(dtype=float)[keep][order]
        period_amount = np.add.reduceat(amount, starts)
        repeat_total = np.bincount(period_customer, weights=np.where(is_first, 0.0, period_amount),
                                   minlength=n_customers)
        with np.errstate(invalid="ignore", divide="ignore"):
            summary["monetary_value"] = np.where(frequency > 0, repeat_total / np.maximum(frequency, 1), 0.0)
    summary.attrs.update(observation_period_end=end, time_unit=time_unit, excluded_after_end=excluded)
    return summary


def calibration_holdout_summary(transactions: pd.DataFrame, *, calibration_end, observation_end,
                                customer_id_col: str = "customer_id", datetime_col: str = "date",
                                monetary_value_col: str | None = "amount", time_unit: str = "D") -> pd.DataFrame:
    """Split a log at ``calibration_end``: a BTYD summary of the calibration part, and what happened next.

    For customers with a purchase on or before ``calibration_end`` (dates are floored to
    ``time_unit`` periods, so the whole calibration day counts): ``frequency_cal``,
    ``recency_cal``, ``T_cal`` (and ``monetary_value_cal``) as :func:`rfm_summary` computes them at
    the calibration end; ``frequency_holdout``, the number of periods with a purchase after the
    calibration end up to ``observation_end``; ``duration_holdout``, the length of that holdout in
    ``time_unit``. A model fitted on the ``_cal`` columns predicts ``frequency_holdout``; comparing
    the two checks the model on data it has not seen.

    Same convention as lifetimes' ``calibration_and_holdout_data`` for logs of whole dates
    (lifetimes compares raw timestamps, so purchases made later on the calibration day fall in
    neither part there).

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 2], "amount": [5.0, 6.0, 7.0, 8.0],
    ...                    "date": pd.to_datetime(["2025-01-01", "2025-01-05", "2025-02-03", "2025-02-01"])})
    >>> calibration_holdout_summary(tx, calibration_end="2025-01-31", observation_end="2025-02-28").loc[1].to_dict()
    {'frequency_cal': 1.0, 'recency_cal': 4.0, 'T_cal': 30.0, 'monetary_value_cal': 6.0, 'frequency_holdout': 1.0, 'duration_holdout': 28.0}
    """
    if time_unit not in TIME_UNITS:
        raise InputError(f"time_unit={time_unit!r} is not supported; choose one of {list(TIME_UNITS)}.")
    tx = require_transactions(transactions, customer_id_col, datetime_col, monetary_value_col)
    cal_end = _floor(pd.Series([as_timestamp(calibration_end, "calibration_end")]), time_unit).iloc[0]
    obs_end = _floor(pd.Series([as_timestamp(observation_end, "observation_end")]), time_unit).iloc[0]
    if obs_end <= cal_end:
        raise InputError(f"observation_end ({obs_end}) must come after calibration_end ({cal_end}); the holdout "
                         f"is the time between them.")
    periods = _floor(tx[datetime_col], time_unit)
    calibration = tx[(periods <= cal_end).to_numpy()]
    if calibration.empty:
        raise InputError(f"no purchase falls on or before calibration_end ({cal_end}); choose a later one.")
    summary = rfm_summary(calibration, customer_id_col=customer_id_col, datetime_col=datetime_col,
                          monetary_value_col=monetary_value_col, observation_period_end=cal_end, time_unit=time_unit)
    summary.columns = [f"{c}_cal" for c in summary.columns]
    later = (periods > cal_end) & (periods <= obs_end)
    holdout = (pd.DataFrame({"customer": tx.loc[later, customer_id_col], "period": periods[later]})
               .drop_duplicates().groupby("customer").size())
    summary["frequency_holdout"] = holdout.reindex(summary.index, fill_value=0).astype(float).to_numpy()
    summary["duration_holdout"] = (obs_end - cal_end) / pd.Timedelta(1, unit=time_unit)
    summary.attrs.update(calibration_end=cal_end, observation_end=obs_end, time_unit=time_unit)
    return summary
