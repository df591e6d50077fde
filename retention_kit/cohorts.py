"""Cohort tables and retention curves from a transaction log (lesson ``04_cohorts_and_survival``).

A customer's cohort is the period of their first purchase; at age k (periods since then) they
are *active* if they bought in that period. Cells that cannot be observed yet (the cohort is
too young, or the period is not over) are missing (NaN), never 0: a 0 would say "everyone
left", when the truth is "we do not know yet".
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .validation import InputError, as_timestamp, require_transactions

__all__ = ["cohort_table", "cohort_retention", "average_retention", "COHORT_FREQS"]

COHORT_FREQS = {"M": "months", "Q": "quarters", "W": "weeks starting Monday"}


def _period_numbers(dates: np.ndarray, freq: str) -> np.ndarray:
    """Whole periods since 1970 (months, quarters or Monday-starting weeks) as int64.

    Calendar conversion is done once per distinct day through a lookup table, not per row.
    """
    days = dates.astype("datetime64[D]").view(np.int64) if dates.dtype != "datetime64[ns]" \
        else dates.view(np.int64) // 86_400_000_000_000
    if freq == "W":
        return (days + 3) // 7   # 1970-01-01 was a Thursday
    low = int(days.min())
    calendar = np.arange(low, int(days.max()) + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    months = calendar[days - low]
    return months // 3 if freq == "Q" else months


def _to_period(numbers: np.ndarray, freq: str) -> pd.PeriodIndex:
    if freq == "W":
        starts = (numbers * 7 - 3).astype("datetime64[D]")
        return pd.PeriodIndex(pd.DatetimeIndex(starts), freq="W-SUN")
    months = (numbers * 3 if freq == "Q" else numbers).astype("datetime64[M]")
    return pd.PeriodIndex(pd.DatetimeIndex(months), freq="Q" if freq == "Q" else "M")


def _customer_codes(ids: np.ndarray) -> np.ndarray:
    """Small non-negative integer codes for customer ids (integer ids in a dense range are used as they are)."""
    if ids.dtype.kind in "iu" and len(ids):
        low, high = int(ids.min()), int(ids.max())
        if high - low < 4 * len(ids):
            return (ids - low).astype(np.int64)
    return pd.factorize(ids)[0].astype(np.int64)


def cohort_table(transactions: pd.DataFrame, *, customer_id_col: str = "customer_id", datetime_col: str = "date",
                 freq: str = "M", observation_end=None) -> pd.DataFrame:
    """Active customers of each acquisition cohort at each age, with unobservable cells missing.

    Rows: cohorts (the period of each customer's first purchase). Columns: age 0, 1, 2, ...
    periods since. Cell: customers of that cohort who bought at that age. Column 0 is the
    cohort's size. A cell is NaN when its period is not complete by ``observation_end``.

    Parameters
    ----------
    transactions : one row per purchase.
    freq : "M" (months, default), "Q" (quarters) or "W" (weeks starting Monday).
    observation_end : exclusive end of observation; default the day after the last purchase
        (the log is taken to be complete up to then). Only periods that end by then are
        observed; purchases at or after it are excluded with a warning.

    Returns
    -------
    DataFrame indexed by cohort (``pd.Period``), one float column per age; ``attrs`` records
    ``freq``, ``observation_end``, ``last_complete_period`` and the number of customers whose
    first purchase falls in an incomplete period (``customers_in_incomplete_cohort``).

    Computed with integer period numbers and hashing, without a per-row Python function.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3], "date": pd.to_datetime(
    ...     ["2025-01-05", "2025-02-10", "2025-01-20", "2025-02-03"])})
    >>> cohort_table(tx, observation_end="2025-03-01").to_dict("index")
    {Period('2025-01', 'M'): {0: 2.0, 1: 1.0}, Period('2025-02', 'M'): {0: 1.0, 1: nan}}
    """
    if freq not in COHORT_FREQS:
        raise InputError(f"freq={freq!r} is not supported; choose one of {list(COHORT_FREQS)} "
                         f"({', '.join(COHORT_FREQS.values())}).")
    tx = require_transactions(transactions, customer_id_col, datetime_col)
    dates = tx[datetime_col].to_numpy("datetime64[ns]")
    end = (as_timestamp(observation_end, "observation_end") if observation_end is not None
           else pd.Timestamp(dates.max()).normalize() + pd.Timedelta(days=1))
    late = dates >= np.datetime64(end.to_datetime64())
    if late.any():
        warnings.warn(f"cohort_table: {int(late.sum())} purchase(s) at or after observation_end ({end}) were "
                      f"excluded.", stacklevel=2)
    last_complete = int(_period_numbers(np.array([end.to_datetime64()]), freq)[0]) - 1
    codes = _customer_codes(tx[customer_id_col].to_numpy()[~late])
    period = _period_numbers(dates[~late], freq)
    first = np.full(codes.max() + 1 if len(codes) else 0, np.iinfo(np.int64).max)
    np.minimum.at(first, codes, period)
    observed_cohort = first <= last_complete   # first purchase in a complete period (unused codes stay at max)
    incomplete_cohort_customers = int(((first > last_complete) & (first != np.iinfo(np.int64).max)).sum())
    keep = (period <= last_complete) & observed_cohort[codes]
    if not keep.any():
        raise InputError(f"no complete {COHORT_FREQS[freq][:-1]} before observation_end ({end}); pass a later "
                         f"observation_end or a shorter freq.")
    if not keep.all():
        codes, period = codes[keep], period[keep]
    age = period - first[codes]
    cohorts = np.arange(first[observed_cohort].min(), last_complete + 1)
    width = len(cohorts)                                               # the oldest cohort is observable this long
    active = np.zeros(len(first) * width, dtype=bool)                  # customer x age: bought at that age
    active[codes.astype(np.int64) * width + age] = True
    cell = np.flatnonzero(active)                                      # each customer once per active age
    cells = np.bincount((first[cell // width] - cohorts[0]) * width + cell % width, minlength=len(cohorts) * width)
    table = cells.reshape(len(cohorts), width).astype(float)
    observable = cohorts[:, None] + np.arange(width)[None, :] <= last_complete
    table[~observable] = np.nan
    sizes = table[:, 0]
    out = pd.DataFrame(table[sizes > 0], index=_to_period(cohorts[sizes > 0], freq),
                       columns=pd.RangeIndex(width, name="age"))
    out.index.name = "cohort"
    out.attrs.update(freq=freq, observation_end=end, last_complete_period=_to_period(np.array([last_complete]), freq)[0],
                     customers_in_incomplete_cohort=incomplete_cohort_customers)
    return out


def cohort_retention(table: pd.DataFrame) -> pd.DataFrame:
    """Each cell of a cohort table divided by its cohort's size (age 0): the share still active."""
    if 0 not in table.columns:
        raise InputError("the table has no age-0 column; pass the output of rk.cohort_table.")
    return table.div(table[0], axis=0)


def average_retention(table: pd.DataFrame) -> pd.DataFrame:
    """Retention at each age averaged over the cohorts observable at that age, two ways.

    * ``weighted``: sum of active customers / sum of cohort sizes (every customer counts once);
    * ``simple``: mean of the cohorts' retention rates (every cohort counts once, however small).

    They differ when cohort size and retention go together; the weighted one answers "what share
    of customers is still active k periods after joining". ``cohorts`` counts the cohorts
    behind each age (fewer at older ages: read the tail with care).

    Example
    -------
    >>> t = pd.DataFrame({0: [100.0, 10.0], 1: [50.0, 9.0]})
    >>> average_retention(t).round(3).to_dict("index")[1]
    {'weighted': 0.536, 'simple': 0.7, 'cohorts': 2.0}
    """
    rates = cohort_retention(table)
    observed = table.notna()
    sizes = table[0].to_numpy()[:, None] * observed
    weighted = table.sum() / sizes.sum()
    return pd.DataFrame({"weighted": weighted, "simple": rates.mean(), "cohorts": observed.sum().astype(float)})
