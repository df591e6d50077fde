"""Cohort tables and retention curves from a transaction log (lesson ``04_cohorts_and_survival``).

A customer's cohort is the period of their first purchase; at age k (periods since then) they
are *active* if they bought in that period. Cells that cannot be observed yet (the cohort is
too young, or the period is not over) are missing (NaN), never 0: a 0 would say "everyone
left", when the truth is "we do not know yet".
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .summaries import customer_codes
from .validation import (PANDAS_PERIOD, InputError, period_index, period_numbers, require_frame, require_time_unit,
                         require_transactions, warn_data)

__all__ = ["cohort_table", "cohort_retention", "average_retention"]


def cohort_table(transactions: pd.DataFrame, *, customer_id_col: str = "customer_id", datetime_col: str = "date",
                 monetary_value_col: str | None = "amount", time_unit: str = "month",
                 observation_period_end=None, check_repeated_rows: bool = True) -> pd.DataFrame:
    """Active customers of each acquisition cohort at each age, with unobservable cells missing.

    Rows: cohorts (the calendar period of each customer's first purchase). Columns: age 0, 1,
    2, ... periods since. Cell: customers of that cohort who bought at that age. Column 0 is
    the cohort's size. A cell is NaN when its period is not complete before
    ``observation_period_end``: "we do not know yet", never 0 ("everyone left").

    Parameters
    ----------
    transactions : DataFrame, one row per purchase
        Or the same log in another engine: a Polars DataFrame or LazyFrame, a DuckDB relation, a
        PySpark DataFrame, or a Parquet path or glob (see :mod:`retention_kit.engines`).
    customer_id_col, datetime_col, monetary_value_col : str
        Column names; ``monetary_value_col=None`` for a log without amounts.
    time_unit : str, default "month"
        "day", "week" (Monday to Sunday), "month", "quarter" or "year".
    observation_period_end : date, optional
        The first instant not observed (exclusive); default midnight after the day of the last
        purchase. Only periods that end by then are observed. Purchases at or after it, and
        customers whose first purchase falls in an incomplete period, are left out with a
        :class:`~retention_kit.DataWarning`.
    check_repeated_rows : bool, default True
        As :func:`~retention_kit.rfm_summary`: ``False`` skips the count of repeated rows, a
        whole group-by in an engine (the rows are kept either way).

    Returns
    -------
    DataFrame indexed by cohort (``pd.Period``), one float column per age; ``attrs`` records
    ``time_unit``, ``observation_period_end`` and ``last_complete_period``.

    Raises
    ------
    InputError
        For a log that fails the checks, an unknown time unit, or no complete period.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3], "date": pd.to_datetime(
    ...     ["2025-01-05", "2025-02-10", "2025-01-20", "2025-02-03"]), "amount": [3.0, 4.0, 5.0, 6.0]})
    >>> cohort_table(tx, observation_period_end="2025-03-01").to_dict("index")
    {Period('2025-01', 'M'): {0: 2.0, 1: 1.0}, Period('2025-02', 'M'): {0: 1.0, 1: nan}}
    """
    time_unit = require_time_unit(time_unit, allowed=tuple(PANDAS_PERIOD))
    if not isinstance(transactions, pd.DataFrame):                  # Polars, DuckDB, Spark, Parquet, or refused
        from .engines import engine_cohort_table, engine_input
        return engine_cohort_table(engine_input(transactions, "transactions"), customer_id_col=customer_id_col,
                                   datetime_col=datetime_col, monetary_value_col=monetary_value_col,
                                   time_unit=time_unit, observation_period_end=observation_period_end,
                                   check_repeated_rows=check_repeated_rows)
    log = require_transactions(transactions, customer_id_col=customer_id_col, datetime_col=datetime_col,
                               monetary_value_col=monetary_value_col, background=True,
                               check_repeated_rows=check_repeated_rows)
    dates = log.dates.to_numpy("datetime64[ns]")
    end = (log.timestamp(observation_period_end, "observation_period_end") if observation_period_end is not None
           else log.default_end())
    late = dates >= np.datetime64(end.to_datetime64())
    ids = log.frame[customer_id_col].to_numpy()
    if late.any():
        warn_data(f"cohort_table: {int(late.sum())} purchase(s) at or after observation_period_end ({end}) were left "
                  f"out.")
        ids, dates = ids[~late], dates[~late]
    last_complete = int(period_numbers(np.array([end.to_datetime64()]), time_unit)[0]) - 1
    codes = customer_codes(ids, sort=False)[0]
    period = period_numbers(dates, time_unit)
    first = np.full(codes.max() + 1 if len(codes) else 0, np.iinfo(np.int64).max)
    np.minimum.at(first, codes, period)
    seen = first != np.iinfo(np.int64).max                             # unused codes stay at max
    observed_cohort = first <= last_complete
    incomplete = int((seen & ~observed_cohort).sum())
    keep = (period <= last_complete) & observed_cohort[codes]
    if not keep.any():
        raise InputError(f"no complete {time_unit} before observation_period_end ({end}); pass a later "
                         f"observation_period_end or a shorter time_unit.")
    if incomplete:
        warn_data(f"cohort_table: {incomplete} customer(s) whose first purchase falls in the incomplete {time_unit} "
                  f"{period_index(np.array([last_complete + 1]), time_unit)[0]} were left out (their cohort is not "
                  f"complete before {end}).")
    if not keep.all():
        codes, period = codes[keep], period[keep]
    age = period - first[codes]
    cohorts = np.arange(first[observed_cohort].min(), last_complete + 1)
    width = len(cohorts)                                               # the oldest cohort is observable this long
    active = np.zeros(len(first) * width, dtype=bool)                  # customer x age: bought at that age
    active[codes.astype(np.int64) * width + age] = True
    cell = np.flatnonzero(active)                                      # each customer once per active age
    cells = np.bincount((first[cell // width] - cohorts[0]) * width + cell % width, minlength=len(cohorts) * width)
    out = framed_cohort_table(cells.reshape(len(cohorts), width).astype(float), cohorts, last_complete, time_unit, end)
    log.finish()                                     # the repeated-rows check ran beside the table
    return out


def framed_cohort_table(table: np.ndarray, cohorts: np.ndarray, last_complete: int, time_unit: str,
                        end: pd.Timestamp) -> pd.DataFrame:
    """Counts by cohort (rows, numbered ``cohorts``) and age as the cohort table: cells not observable yet
    missing, empty cohorts left out, the periods as index and the ends in ``attrs``."""
    width = table.shape[1]
    observable = cohorts[:, None] + np.arange(width)[None, :] <= last_complete
    table[~observable] = np.nan
    sizes = table[:, 0]
    out = pd.DataFrame(table[sizes > 0], index=period_index(cohorts[sizes > 0], time_unit),
                       columns=pd.RangeIndex(width, name="age"))
    out.index.name = "cohort"
    out.attrs.update(time_unit=time_unit, observation_period_end=end,
                     last_complete_period=period_index(np.array([last_complete]), time_unit)[0])
    return out


def _require_cohort_table(table) -> None:
    require_frame(table, "table")
    if 0 not in table.columns:
        raise InputError("table has no age-0 column (the cohort sizes); pass the output of rk.cohort_table.")
    sizes = table[0].to_numpy(dtype=float)
    if np.isnan(sizes).any() or (sizes <= 0).any():
        raise InputError("table has a cohort with a missing or zero size in column 0; pass the output of "
                         "rk.cohort_table.")


def cohort_retention(table: pd.DataFrame) -> pd.DataFrame:
    """Each cell of a cohort table divided by its cohort's size (age 0): the share still active.

    Parameters
    ----------
    table : DataFrame from :func:`cohort_table`

    Returns
    -------
    DataFrame of the same shape: fractions, NaN where the cell is not observable yet.

    Raises
    ------
    InputError
        For a table without sizes in column 0.

    Examples
    --------
    >>> cohort_retention(pd.DataFrame({0: [100.0, 10.0], 1: [50.0, np.nan]})).to_dict("list")
    {0: [1.0, 1.0], 1: [0.5, nan]}
    """
    _require_cohort_table(table)
    return table.div(table[0], axis=0)


def average_retention(table: pd.DataFrame, *, through_age: int | None = None) -> pd.DataFrame:
    """Retention at each age averaged over the cohorts observable at that age, two ways.

    * ``weighted``: sum of active customers / sum of cohort sizes (every customer counts once);
    * ``simple``: mean of the cohorts' retention rates (every cohort counts once, however small).

    They differ when cohort size and retention go together; the weighted one answers "what share
    of customers is still active k periods after joining". ``cohorts`` counts the cohorts
    behind each age. By default every age averages the cohorts observable at that age, so the mix
    of cohorts changes along the curve: when a large cohort that retains badly stops being
    observable, the average *rises* with no customer coming back (a composition effect). With
    ``through_age=K`` only the cohorts observed through age K are kept, and ages 0..K are
    averaged over the same customers.

    Parameters
    ----------
    table : DataFrame from :func:`cohort_table`
    through_age : int, optional
        Keep only the cohorts observable at this age (a fixed set of cohorts) and return ages
        0..through_age.

    Returns
    -------
    DataFrame indexed by age with columns ``weighted``, ``simple`` and ``cohorts``; ``attrs["time_unit"]``
    as the table's.

    Raises
    ------
    InputError
        For a table without sizes in column 0, or a ``through_age`` that no cohort reaches.

    Examples
    --------
    >>> t = pd.DataFrame({0: [100.0, 10.0], 1: [50.0, 9.0]})
    >>> average_retention(t).round(3).to_dict("index")[1]
    {'weighted': 0.536, 'simple': 0.7, 'cohorts': 2.0}
    >>> young = pd.DataFrame({0: [100.0, 10.0], 1: [50.0, np.nan]})
    >>> average_retention(young, through_age=1)["cohorts"].tolist()      # the young cohort is left out
    [1.0, 1.0]
    """
    _require_cohort_table(table)
    if through_age is not None:
        if isinstance(through_age, bool) or not isinstance(through_age, (int, np.integer)) or through_age < 0:
            raise InputError(f"through_age must be a whole number of periods, 0 or more; got {through_age!r}.")
        if through_age not in table.columns or table[through_age].notna().sum() == 0:
            oldest = int(table.notna().sum(axis=0).gt(0).sum() - 1)
            raise InputError(f"through_age={through_age}: no cohort is observable at that age (the oldest cohort "
                             f"reaches age {oldest}); pass at most {oldest}.")
        table = table.loc[table[through_age].notna(), [a for a in table.columns if a <= through_age]]
    rates = cohort_retention(table)
    observed = table.notna()
    sizes = table[0].to_numpy()[:, None] * observed
    weighted = table.sum() / sizes.sum()
    averages = pd.DataFrame({"weighted": weighted, "simple": rates.mean(), "cohorts": observed.sum().astype(float)})
    averages.attrs["time_unit"] = table.attrs.get("time_unit")
    return averages
