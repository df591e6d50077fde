"""``cohort_table`` and ``repeat_purchase_rate`` for a log held by Polars, DuckDB, Spark or Parquet files.

Their results are small by construction (a cohort by age table, a rate), so the engine does the
grouping over the log and only the grouped counts come back: a pandas table or a
:class:`~retention_kit.MetricResult`, whatever the engine, exactly as the pandas path returns.
"""
from __future__ import annotations

import narwhals as nw
import numpy as np
import pandas as pd

from ..results import MetricResult
from ..validation import InputError, period_index, period_numbers, require_period, warn_data
from .checks import check_transactions, first_row
from .frames import EngineInput
from .periods import moment, period_number

__all__ = ["engine_cohort_table", "engine_repeat_purchase_rate", "collect_small"]


def collect_small(frame) -> pd.DataFrame:
    """A small lazy result (grouped counts) as pandas, fetched by the engine itself.

    Parameters
    ----------
    frame : narwhals.LazyFrame

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    Nothing of its own.

    Examples
    --------
    >>> import duckdb
    >>> collect_small(nw.from_native(duckdb.sql("SELECT 1 AS age, 40 AS customers"))).to_dict("records")
    [{'age': 1, 'customers': 40}]
    """
    native = frame.to_native()
    if hasattr(native, "fetchall") and hasattr(native, "columns") and hasattr(native, "types"):     # DuckDB
        return pd.DataFrame(native.fetchall(), columns=native.columns)
    if hasattr(native, "collect") and hasattr(native, "lazy"):                                    # Polars
        got = native.collect()
        return pd.DataFrame(got.rows(), columns=got.columns)
    rows = native.collect()                                                                        # Spark
    return pd.DataFrame([r.asDict() for r in rows], columns=native.columns)


def engine_cohort_table(inp: EngineInput, *, customer_id_col: str, datetime_col: str, monetary_value_col,
                        time_unit: str, observation_period_end, check_repeated_rows: bool = True) -> pd.DataFrame:
    """:func:`retention_kit.cohort_table` on an engine's log (arguments checked by the caller).

    The engine finds each customer's first period with a window and counts the customers of
    each (cohort, age); the table of those counts is built in pandas.

    Parameters
    ----------
    inp : EngineInput
    customer_id_col, datetime_col, monetary_value_col, time_unit, observation_period_end, check_repeated_rows
        As :func:`retention_kit.cohort_table`.

    Returns
    -------
    pandas.DataFrame, as :func:`retention_kit.cohort_table`.

    Raises
    ------
    InputError
        As the pandas path.

    Examples
    --------
    >>> import duckdb
    >>> from retention_kit.engines import engine_input
    >>> rel = duckdb.sql("SELECT * FROM (VALUES (1, TIMESTAMP '2025-01-05'), (1, TIMESTAMP '2025-02-10'), "
    ...                  "(2, TIMESTAMP '2025-01-20')) t(customer_id, date)")
    >>> engine_cohort_table(engine_input(rel, "transactions"), customer_id_col="customer_id", datetime_col="date",
    ...                     monetary_value_col=None, time_unit="month",
    ...                     observation_period_end="2025-03-01").to_dict("index")
    {Period('2025-01', 'M'): {0: 2.0, 1: 1.0}}
    """
    log = check_transactions(inp, customer_id_col=customer_id_col, datetime_col=datetime_col,
                             monetary_value_col=monetary_value_col, check_repeated_rows=check_repeated_rows,
                             dates={"observation_period_end": observation_period_end})
    end = log.cut.get("observation_period_end", log.default_end())
    late = log.rows - log.rows_before("observation_period_end" if "observation_period_end" in log.cut else None)
    if late:
        warn_data(f"cohort_table: {late} purchase(s) at or after observation_period_end ({end}) were left out.")
    last_complete = int(period_numbers(np.array([end.to_datetime64()]), time_unit)[0]) - 1
    d, cid = nw.col(datetime_col), customer_id_col
    cells = (log.frame.filter(d < moment(end, inp.kind))
             .select(nw.col(cid), period_number(d, time_unit).alias("__period")).group_by(cid, "__period").agg(nw.len().alias("__rows")))       # one row per customer and period
    ages = cells.with_columns(nw.col("__period").min().over(cid).alias("__cohort")).with_columns(
        (nw.col("__period") - nw.col("__cohort")).alias("__age"))
    counts = collect_small(ages.group_by("__cohort", "__age").agg(nw.len().alias("__customers")))
    counts = counts.astype({"__cohort": np.int64, "__age": np.int64, "__customers": np.int64})
    young = counts[counts["__cohort"] > last_complete]
    counts = counts[(counts["__cohort"] <= last_complete) & (counts["__cohort"] + counts["__age"] <= last_complete)]
    if counts.empty:
        raise InputError(f"no complete {time_unit} before observation_period_end ({end}); pass a later "
                         f"observation_period_end or a shorter time_unit.")
    incomplete = int(young.loc[young["__age"] == 0, "__customers"].sum())
    if incomplete:
        warn_data(f"cohort_table: {incomplete} customer(s) whose first purchase falls in the incomplete {time_unit} "
                  f"{period_index(np.array([last_complete + 1]), time_unit)[0]} were left out (their cohort is not "
                  f"complete before {end}).")
    cohorts = np.arange(counts["__cohort"].min(), last_complete + 1)
    width = len(cohorts)
    table = np.zeros((len(cohorts), width))
    table[counts["__cohort"].to_numpy() - cohorts[0], counts["__age"].to_numpy()] = counts["__customers"].to_numpy()
    from ..cohorts import framed_cohort_table
    return framed_cohort_table(table, cohorts, last_complete, time_unit, end)


def engine_repeat_purchase_rate(inp: EngineInput, period_start, period_end, *, customer_id_col: str,
                                datetime_col: str, monetary_value_col, min_purchases: int,
                                confidence: float, check_repeated_rows: bool = True) -> MetricResult:
    """:func:`retention_kit.repeat_purchase_rate` on an engine's log (arguments checked by the caller).

    Parameters
    ----------
    inp : EngineInput
    period_start, period_end, customer_id_col, datetime_col, monetary_value_col, min_purchases, confidence
    check_repeated_rows
        As :func:`retention_kit.repeat_purchase_rate`.

    Returns
    -------
    MetricResult, as the pandas path.

    Raises
    ------
    InputError
        As the pandas path.

    Examples
    --------
    >>> import duckdb
    >>> from retention_kit.engines import engine_input
    >>> rel = duckdb.sql("SELECT * FROM (VALUES (1, TIMESTAMP '2025-01-05'), (1, TIMESTAMP '2025-02-10'), "
    ...                  "(2, TIMESTAMP '2025-01-20')) t(customer_id, date)")
    >>> engine_repeat_purchase_rate(engine_input(rel, "transactions"), "2025-01-01", "2026-01-01",
    ...                             customer_id_col="customer_id", datetime_col="date", monetary_value_col=None,
    ...                             min_purchases=2, confidence=0.95).value
    0.5
    """
    from ..metrics.rates import proportion
    log = check_transactions(inp, customer_id_col=customer_id_col, datetime_col=datetime_col,
                             monetary_value_col=monetary_value_col, check_repeated_rows=check_repeated_rows)
    ps, pe, per = _counts_in_period(log, period_start, period_end)
    got = first_row(per.select(nw.len().alias("customers"), nw.col("__n").sum().alias("purchases"),
                               (nw.col("__n") >= min_purchases).cast(nw.Int64).sum().alias("repeaters")))
    customers = int(got["customers"] or 0)
    if not customers:
        raise InputError(f"no purchase falls in [{ps}, {pe}); the log runs from {log.first} to {log.last}. Choose a "
                         f"period inside it.")
    repeaters, purchases = int(got["repeaters"]), int(got["purchases"])
    interval = proportion(repeaters, customers, confidence=confidence)
    return MetricResult(
        kind="repeat_purchase_rate", name=f"Repeat purchase rate [{ps.date()}, {pe.date()})",
        value=repeaters / customers, unit="fraction",
        formula=f"customers with >= {min_purchases} purchases / customers with >= 1 purchase, same period",
        parts=dict(customers=customers, repeat_customers=repeaters, purchases=purchases,
                   purchases_per_customer=purchases / customers),
        se=interval.se, ci=interval.ci, confidence=confidence)


def _counts_in_period(log, period_start, period_end):
    """The period read in the log's zone, and each customer's purchases in it (``__n``), lazily."""
    ps, pe = require_period(period_start, period_end, log.zone)
    d = nw.col(log.datetime_col)
    per = log.frame.filter((d >= moment(ps, log.kind)) & (d < moment(pe, log.kind))).group_by(
        log.customer_id_col).agg(nw.len().cast(nw.Int64).alias("__n"))
    return ps, pe, per


def engine_purchase_counts(inp: EngineInput, period_start, period_end, *, customer_id_col: str, datetime_col: str,
                           monetary_value_col, check_repeated_rows: bool = True):
    """:func:`retention_kit.metrics.purchase_counts` on an engine's log (arguments checked by the caller).

    Parameters
    ----------
    inp : EngineInput
    period_start, period_end, customer_id_col, datetime_col, monetary_value_col, check_repeated_rows
        As :func:`retention_kit.metrics.purchase_counts`.

    Returns
    -------
    A table of the input's kind with ``customer_id_col`` and int ``purchases``, one row per customer
    with a purchase in the period, in no set order for lazy kinds (eager Polars is sorted by
    customer). A Parquet scan comes back as the pandas path's Series.

    Raises
    ------
    InputError
        As the pandas path.

    Examples
    --------
    >>> import duckdb
    >>> from retention_kit.engines import engine_input
    >>> rel = duckdb.sql("SELECT * FROM (VALUES (1, TIMESTAMP '2025-01-05'), (1, TIMESTAMP '2025-02-10'), "
    ...                  "(2, TIMESTAMP '2025-01-20')) t(customer_id, date)")
    >>> engine_purchase_counts(engine_input(rel, "transactions"), "2025-01-01", "2026-01-01",
    ...                        customer_id_col="customer_id", datetime_col="date",
    ...                        monetary_value_col=None).order("customer_id").fetchall()
    [(1, 2), (2, 1)]
    """
    log = check_transactions(inp, customer_id_col=customer_id_col, datetime_col=datetime_col,
                             monetary_value_col=monetary_value_col, check_repeated_rows=check_repeated_rows)
    per = _counts_in_period(log, period_start, period_end)[2].select(nw.col(customer_id_col),
                                                                     nw.col("__n").alias("purchases"))
    from .summaries import _finish
    out = _finish(inp, per, customer_id_col, {})
    return out["purchases"] if inp.returns_pandas else out           # pandas: the pandas path's Series
