"""``churn_by_period`` for a subscriptions table held by Polars, DuckDB, Spark or Parquet files.

Counting each calendar period needs only three histograms over period numbers: the periods
subscriptions start in (s), end in (e), and both (s = e). With p a period,

    new(p) = #(s = p),   new_lost(p) = #(s = e = p),   lost(p) = #(e = p) - new_lost(p),
    at_start(p) = #(s < p) - #(e < p),   at_end(p) = at_start(p + 1),

because a subscription ends no earlier than it starts. The engine groups; the small histograms
come back and the table is built in pandas, exactly as the pandas path returns it.
"""
from __future__ import annotations

import narwhals as nw
import numpy as np
import pandas as pd

from ..validation import InputError, period_starts
from .checks import _count, _date_expr, _require_no_isolated_dates, scalars
from .cohorts import collect_small
from .frames import EngineInput
from .periods import period_number

__all__ = ["engine_churn_by_period"]


def _check_subscriptions(inp: EngineInput, customer_id_col, start_col, end_col):
    """The checks of ``require_subscriptions`` in the engine: (frame of naive start and end, zone)."""
    frame = inp.frame
    schema = frame.collect_schema()
    missing = [c for c in (customer_id_col, start_col, end_col) if c not in schema]
    if missing:
        raise InputError(f"subscriptions has no column {missing[0]!r}; its columns are {list(schema)}. Fix: pass the "
                         f"right name with the matching *_col argument.")
    start, start_zone = _date_expr(schema, start_col)
    end, end_zone = _date_expr(schema, end_col)
    table = frame.select(nw.col(customer_id_col), start.alias(start_col), end.alias(end_col))
    s, e, cid = nw.col(start_col), nw.col(end_col), nw.col(customer_id_col)
    got = scalars(table, {"rows": nw.len(), "ids": _count(cid.is_null()), "starts": _count(s.is_null()),
                          "ends": _count(~e.is_null()), "backwards": _count(e < s), "first": s.min(),
                          "last": nw.max_horizontal(s.max(), e.max())})
    if not got["rows"]:
        raise InputError("subscriptions is empty (0 rows); pass a table with at least one row.")
    if got["ids"]:
        raise InputError(f"column {customer_id_col!r} is empty in {got['ids']} row(s); every row needs a customer id; "
                         f"fill or remove those rows explicitly.")
    if got["starts"]:
        raise InputError(f"column {start_col!r} is empty in {got['starts']} row(s); every subscription needs a start "
                         f"date.")
    if got["ends"] and start_zone != end_zone:
        raise InputError(f"columns {start_col!r} and {end_col!r} are in different time zones ({start_zone} and "
                         f"{end_zone}). Fix: convert both to the same zone.")
    if got["backwards"]:
        raise InputError(f"{got['backwards']} row(s) have {end_col!r} before {start_col!r}. Fix: correct those dates "
                         f"(an end date is empty while a customer is still active).")
    repeated = scalars(table.group_by(customer_id_col).agg(nw.len().alias("__n")).filter(nw.col("__n") > 1),
                       {"ids": nw.len()})
    if repeated["ids"]:
        raise InputError(f"column {customer_id_col!r} repeats {repeated['ids']} id(s). Fix: keep one row per customer "
                         f"(the current or last subscription); a customer who left and came back is two customers for "
                         f"this definition, so give them new ids.")
    first, last = pd.Timestamp(got["first"]), pd.Timestamp(got["last"])
    if last - first > pd.Timedelta(days=366):
        dates = nw.concat([table.select(cid, s.alias("__date")),
                           table.filter(~e.is_null()).select(cid, e.alias("__date"))], how="vertical")
        _require_no_isolated_dates(dates, customer_id_col, "__date", first, last, inp.kind)
    return table, start_zone


def engine_churn_by_period(inp: EngineInput, period_start, period_end, *, time_unit: str, customer_id_col: str,
                           start_col: str, end_col: str) -> pd.DataFrame:
    """:func:`retention_kit.metrics.churn_by_period` on an engine's subscriptions (arguments checked by the caller).

    Parameters
    ----------
    inp : EngineInput
    period_start, period_end, time_unit, customer_id_col, start_col, end_col
        As :func:`retention_kit.metrics.churn_by_period`.

    Returns
    -------
    pandas.DataFrame, as the pandas path.

    Raises
    ------
    InputError
        As the pandas path.

    Examples
    --------
    >>> import duckdb
    >>> from retention_kit.engines import engine_input
    >>> rel = duckdb.sql("SELECT * FROM (VALUES (1, TIMESTAMP '2023-12-01', TIMESTAMP '2024-02-15'), "
    ...                  "(2, TIMESTAMP '2023-12-01', NULL)) t(customer_id, start_date, end_date)")
    >>> engine_churn_by_period(engine_input(rel, "subscriptions"), "2024-01-01", "2024-04-01", time_unit="month",
    ...                        customer_id_col="customer_id", start_col="start_date",
    ...                        end_col="end_date")["churn_rate"].tolist()
    [0.0, 0.5, 0.0]
    """
    from ..metrics.churn import whole_periods, with_rates
    table, zone = _check_subscriptions(inp, customer_id_col, start_col, end_col)
    first, last = whole_periods(period_start, period_end, zone, time_unit)
    numbered = table.select(period_number(nw.col(start_col), time_unit).alias("__s"),
                            period_number(nw.col(end_col), time_unit).alias("__e"))
    starts = collect_small(numbered.group_by("__s").agg(nw.len().alias("n")))
    ends = collect_small(numbered.filter(~nw.col("__e").is_null()).group_by("__e").agg(nw.len().alias("n")))
    both = collect_small(numbered.filter(nw.col("__s") == nw.col("__e")).group_by("__s").agg(nw.len().alias("n")))
    periods = np.arange(first, last + 1)

    def before(hist, key, p):                     # subscriptions whose period is below p, for each p
        keys, n = hist[key].to_numpy(dtype=np.int64), hist["n"].to_numpy(dtype=np.int64)
        return np.array([int(n[keys < q].sum()) for q in p])

    def at(hist, key, p):
        counts = dict(zip(hist[key].to_numpy(dtype=np.int64), hist["n"].to_numpy(dtype=np.int64)))
        return np.array([int(counts.get(q, 0)) for q in p])

    at_start = before(starts, "__s", periods) - before(ends, "__e", periods)
    new, new_lost, ended = at(starts, "__s", periods[:-1]), at(both, "__s", periods[:-1]), at(ends, "__e", periods[:-1])
    edges = period_starts(periods, time_unit)
    result = pd.DataFrame({"period_start": edges[:-1], "period_end": edges[1:], "at_start": at_start[:-1],
                           "lost": ended - new_lost, "new": new, "new_lost": new_lost, "at_end": at_start[1:]})
    result["new_active_at_end"] = result["new"] - result["new_lost"]
    return with_rates(result, time_unit)

