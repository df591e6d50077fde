"""``rfm_summary`` and ``calibration_holdout_summary`` for a log held by Polars, DuckDB, Spark or Parquet files.

The same definitions as :mod:`retention_kit.summaries`, written once as narwhals expressions:
purchases are grouped into (customer, period) cells, and one aggregation per customer gives
the summary, the first period's amount as an aggregate ordered by period (DuckDB's
``first(x ORDER BY p)``; a window over the cells costs far more). On PySpark, where narwhals has
no ordered ``first``, a window marks each customer's first period. The result is of the input's kind: lazy stays lazy.
"""
from __future__ import annotations

import narwhals as nw
import pandas as pd

from ..validation import InputError, is_period_start, period_numbers, warn_data
from .checks import EngineLog, check_transactions
from .frames import EngineInput
from .periods import moment, period_number

__all__ = ["engine_rfm_summary", "engine_calibration_holdout_summary"]

_ONE_NS = pd.Timedelta(1, unit="ns")


def _last_period(end: pd.Timestamp, time_unit: str) -> int:
    return int(period_numbers([(end - _ONE_NS).to_datetime64()], time_unit)[0])


def _end(log: EngineLog) -> pd.Timestamp:
    return log.cut.get("observation_period_end", log.default_end())


def _check_observed(log: EngineLog, caller: str) -> None:
    end = _end(log)
    kept = log.rows_before("observation_period_end" if "observation_period_end" in log.cut else None)
    if not kept:
        raise InputError(f"no transaction falls before observation_period_end ({end}); the first is on {log.first}. "
                         f"Pass a later observation_period_end.")
    if kept < log.rows:
        warn_data(f"{caller}: {log.rows - kept} transaction(s) at or after observation_period_end ({end}) were left "
                  f"out.")


def _cells(log: EngineLog, start, end, time_unit: str):
    """One row per (customer, period with a purchase) in [start, end): the period's summed amount."""
    d = nw.col(log.datetime_col)
    keep = d < moment(end, log.kind)
    if start is not None:
        keep = keep & (d >= moment(start, log.kind))
    tx = log.frame.filter(keep).select(nw.col(log.customer_id_col), period_number(d, time_unit).alias("__period"),
                                       *([nw.col(log.monetary_value_col)] if log.monetary_value_col else []))
    sums = [nw.col(log.monetary_value_col).sum().alias("__amount")] if log.monetary_value_col else []
    return tx.group_by(log.customer_id_col, "__period").agg(nw.len().alias("__rows"), *sums)


def _summary(log: EngineLog, end: pd.Timestamp, time_unit: str, suffix: str = ""):
    """The RFM summary of the purchases before ``end`` (a lazy frame: the id, then float columns)."""
    cid, p = log.customer_id_col, nw.col("__period")
    cells = _cells(log, None, end, time_unit)
    aggs = [p.min().alias("__first"), p.max().alias("__last"), nw.len().alias("__n")]
    if log.monetary_value_col and log.kind == "spark":       # narwhals has no ordered first() on PySpark: a window
        cells = cells.with_columns(p.min().over(cid).alias("__first_period"))
        aggs += [nw.col("__amount").sum().alias("__total"),
                 nw.when(p == nw.col("__first_period")).then(nw.col("__amount")).otherwise(0.0).sum()
                 .alias("__first_amount")]
    elif log.monetary_value_col:                 # the first period's amount: an ordered aggregate, not a window
        aggs += [nw.col("__amount").sum().alias("__total"),
                 nw.col("__amount").first(order_by="__period").alias("__first_amount")]
    per = cells.group_by(cid).agg(*aggs)
    out = [nw.col(cid), (nw.col("__n") - 1).cast(nw.Float64).alias(f"frequency{suffix}"),
           (nw.col("__last") - nw.col("__first")).cast(nw.Float64).alias(f"recency{suffix}"),
           (nw.lit(_last_period(end, time_unit)) - nw.col("__first")).cast(nw.Float64).alias(f"T{suffix}")]
    if log.monetary_value_col:
        repeat = (nw.col("__total") - nw.col("__first_amount")) / (nw.col("__n") - 1).cast(nw.Float64)
        out.append(nw.when(nw.col("__n") > 1).then(repeat).otherwise(0.0).cast(nw.Float64)
                   .alias(f"monetary_value{suffix}"))
    return per.select(*out)


def _finish(inp: EngineInput, result, customer_id_col: str, attrs: dict):
    """The result as the input's kind; pandas (a Parquet scan) indexed and sorted by customer as the pandas path."""
    if inp.kind == "polars":
        return inp.finish(result.sort(customer_id_col))
    native = inp.finish(result)
    if inp.returns_pandas:
        native = native.set_index(customer_id_col).sort_index()
        native.attrs.update(attrs)
    return native


def engine_rfm_summary(inp: EngineInput, *, customer_id_col: str, datetime_col: str, monetary_value_col: str | None,
                       observation_period_end, time_unit: str, check_repeated_rows: bool = True):
    """:func:`retention_kit.rfm_summary` on an engine's table (arguments checked by the caller).

    Parameters
    ----------
    inp : EngineInput
    customer_id_col, datetime_col, monetary_value_col, observation_period_end, time_unit, check_repeated_rows
        As :func:`retention_kit.rfm_summary`.

    Returns
    -------
    A table of the input's kind: ``customer_id_col`` then float ``frequency``, ``recency``, ``T``
    (and ``monetary_value``), one row per customer, in no set order for lazy kinds (eager Polars
    is sorted by customer; a Parquet scan comes back as pandas exactly like the pandas path).

    Raises
    ------
    InputError
        As the pandas path: a log that fails the checks, or no purchase before the end.

    Examples
    --------
    >>> import duckdb
    >>> from retention_kit.engines import engine_input
    >>> rel = duckdb.sql("SELECT 1 AS customer_id, TIMESTAMP '2025-01-01' AS date, 5.0 AS amount")
    >>> out = engine_rfm_summary(engine_input(rel, "transactions"), customer_id_col="customer_id", datetime_col="date",
    ...                          monetary_value_col="amount", observation_period_end="2025-01-31", time_unit="day")
    >>> out.fetchall()
    [(1, 0.0, 0.0, 29.0, 0.0)]
    """
    log = check_transactions(inp, customer_id_col=customer_id_col, datetime_col=datetime_col,
                             monetary_value_col=monetary_value_col, check_repeated_rows=check_repeated_rows,
                             dates={"observation_period_end": observation_period_end})
    end = _end(log)
    _check_observed(log, "rfm_summary")
    return _finish(inp, _summary(log, end, time_unit), customer_id_col,
                   dict(observation_period_end=end, time_unit=time_unit))


def engine_calibration_holdout_summary(inp: EngineInput, *, calibration_period_end, observation_period_end,
                                       customer_id_col: str, datetime_col: str, monetary_value_col: str | None,
                                       time_unit: str, check_repeated_rows: bool = True):
    """:func:`retention_kit.calibration_holdout_summary` on an engine's table (arguments checked by the caller).

    Parameters
    ----------
    inp : EngineInput
    calibration_period_end, observation_period_end, customer_id_col, datetime_col, monetary_value_col, time_unit
    check_repeated_rows
        As :func:`retention_kit.calibration_holdout_summary`.

    Returns
    -------
    A table of the input's kind: ``customer_id_col``, the ``_cal`` columns, ``frequency_holdout`` and
    ``duration_holdout``, one row per customer with a purchase before the calibration end.

    Raises
    ------
    InputError
        As the pandas path.

    Examples
    --------
    >>> import duckdb
    >>> from retention_kit.engines import engine_input
    >>> rel = duckdb.sql("SELECT * FROM (VALUES (1, TIMESTAMP '2025-01-01'), (1, TIMESTAMP '2025-02-03')) "
    ...                  "t(customer_id, date)")
    >>> engine_calibration_holdout_summary(engine_input(rel, "transactions"), calibration_period_end="2025-02-01",
    ...                                    observation_period_end="2025-03-01", customer_id_col="customer_id",
    ...                                    datetime_col="date", monetary_value_col=None, time_unit="day").fetchall()
    [(1, 0.0, 0.0, 30.0, 1.0, 28.0)]
    """
    log = check_transactions(inp, customer_id_col=customer_id_col, datetime_col=datetime_col,
                             monetary_value_col=monetary_value_col, check_repeated_rows=check_repeated_rows,
                             dates={"calibration_period_end": calibration_period_end,
                                    "observation_period_end": observation_period_end})
    cal_end = log.cut["calibration_period_end"]
    if not is_period_start(cal_end, time_unit):
        raise InputError(f"calibration_period_end={cal_end} falls inside a {time_unit}, which would then count in "
                         f"both parts. Fix: pass the first instant of a {time_unit}.")
    obs_end = _end(log)
    if obs_end <= cal_end:
        raise InputError(f"observation_period_end ({obs_end}) must come after calibration_period_end ({cal_end}); "
                         f"the holdout is the time between them.")
    _check_observed(log, "calibration_holdout_summary")
    if not log.rows_before("calibration_period_end"):
        raise InputError(f"no purchase falls before calibration_period_end ({cal_end}); choose a later one.")
    cid = customer_id_col
    summary = _summary(log, cal_end, time_unit, suffix="_cal")
    holdout = _cells(log, cal_end, obs_end, time_unit).group_by(cid).agg(nw.len().alias("frequency_holdout"))
    duration = float(_last_period(obs_end, time_unit) - _last_period(cal_end, time_unit))
    result = summary.join(holdout, on=cid, how="left").with_columns(
        nw.col("frequency_holdout").fill_null(0).cast(nw.Float64),
        nw.lit(duration).cast(nw.Float64).alias("duration_holdout"))
    return _finish(inp, result, cid, dict(calibration_period_end=cal_end, observation_period_end=obs_end,
                                          time_unit=time_unit))
