"""The transaction-log checks of ``require_transactions``, run inside the engine that holds the data.

One aggregate query reads the log's profile (rows, missing values, refunds, first and last
date, and the rows before each date a function cuts at); a second counts the rows that repeat
another in every column; a third, only when the dates span more than a year, looks for an
isolated first or last date. Each collects a handful of numbers, never the log. Messages name
the column, the value and a customer, as the pandas checks name a row (lazy tables have no row
labels).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import narwhals as nw
from narwhals import dependencies as deps
import numpy as np
import pandas as pd

from ..validation import InputError, as_timestamp, warn_data
from ..validation.logs import REFUND_FIX
from .frames import EngineInput
from .periods import moment

__all__ = ["EngineLog", "check_transactions", "scalars", "first_row"]

_ISOLATION = pd.Timedelta(days=366)


def scalars(frame, exprs: dict) -> dict:
    """Evaluate aggregate expressions over a lazy frame: one small query, a dict of Python values.

    Parameters
    ----------
    frame : narwhals.LazyFrame
    exprs : dict from a name to an aggregate narwhals expression

    Returns
    -------
    dict from each name to its value

    Raises
    ------
    Nothing of its own.

    Examples
    --------
    >>> import duckdb
    >>> scalars(nw.from_native(duckdb.sql("SELECT 2 AS x UNION ALL SELECT 5")), {"top": nw.col("x").max()})
    {'top': 5}
    """
    return first_row(frame.select(**exprs))


def first_row(frame) -> dict | None:
    """The first row of a lazy frame as a dict (None when it has no row), fetched by the engine itself.

    Parameters
    ----------
    frame : narwhals.LazyFrame

    Returns
    -------
    dict or None

    Raises
    ------
    Nothing of its own.

    Examples
    --------
    >>> import duckdb
    >>> first_row(nw.from_native(duckdb.sql("SELECT 7 AS x")))
    {'x': 7}
    """
    native = frame.head(1).to_native()
    if deps.is_duckdb_relation(native):
        rows = native.fetchall()
        return dict(zip(native.columns, rows[0])) if rows else None
    if deps.is_polars_lazyframe(native):
        rows = native.collect().rows(named=True)
    else:                                                    # Spark: rows come back to the driver as Row objects
        rows = [r.asDict() for r in native.collect()]
    return {k: _py(v) for k, v in rows[0].items()} if rows else None


def _count(condition):
    """How many rows meet a condition (Spark sums no booleans: count them as integers)."""
    return condition.cast(nw.Int64).sum()


def _py(value):
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True)
class EngineLog:
    """A checked log in an engine: ``frame`` has the id, naive datetimes and float amounts.

    Parameters
    ----------
    frame : narwhals.LazyFrame
    customer_id_col, datetime_col, monetary_value_col : str
    zone : the dates' time zone (None when naive)
    first, last : pandas.Timestamp, the first and last date
    rows : int
    cut : dict from an argument's name to its date, read in the log's zone
    before : dict from the same names to the rows before each date
    kind : str, the input's kind

    Examples
    --------
    >>> import duckdb
    >>> rel = duckdb.sql("SELECT 1 AS customer_id, TIMESTAMP '2025-01-05 10:00' AS date, 3.0 AS amount")
    >>> log = check_transactions(EngineInput(nw.from_native(rel), "duckdb"))
    >>> log.rows, log.default_end()
    (1, Timestamp('2025-01-06 00:00:00'))
    """

    frame: Any
    customer_id_col: str
    datetime_col: str
    monetary_value_col: str | None
    zone: Any
    first: pd.Timestamp
    last: pd.Timestamp
    rows: int
    cut: dict
    before: dict
    kind: str = ""

    def timestamp(self, value, argument: str) -> pd.Timestamp:
        """A date argument read in the log's zone (as ``TransactionLog.timestamp``).

        Parameters
        ----------
        value : a date
        argument : str

        Returns
        -------
        pandas.Timestamp, naive

        Raises
        ------
        InputError
            As ``as_timestamp``.
        """
        return as_timestamp(value, argument, self.zone)

    def default_end(self) -> pd.Timestamp:
        """Midnight after the day of the last purchase.

        Returns
        -------
        pandas.Timestamp
        """
        return self.last.normalize() + pd.Timedelta(days=1)

    def rows_before(self, argument: str | None) -> int:
        """Rows strictly before the date given as ``argument`` (None: the default end, after every row).

        Parameters
        ----------
        argument : str or None

        Returns
        -------
        int

        Raises
        ------
        KeyError
            For a date that was not checked with the log.
        """
        return self.rows if argument is None else self.before[argument]


def _date_expr(schema, column: str):
    """The column as naive wall-time datetimes, and its zone."""
    dtype = schema[column]
    if isinstance(dtype, nw.Datetime):
        if dtype.time_zone is not None:
            return nw.col(column).dt.replace_time_zone(None), dtype.time_zone
        return nw.col(column), None
    if dtype == nw.Date:
        return nw.col(column).cast(nw.Datetime("us")), None
    if dtype == nw.String:
        raise InputError(f"column {column!r} holds text, not dates. Fix: parse it in the engine first (Polars: "
                         f"pl.col({column!r}).str.to_datetime(); DuckDB: CAST({column} AS TIMESTAMP); Spark: "
                         f"F.to_timestamp({column!r})), or read the file with dates typed.")
    raise InputError(f"column {column!r} holds {dtype} values, not dates. Fix: convert it to a datetime in the engine "
                     f"first, saying what the numbers mean (seconds since 1970, for example).")


def _example(frame, customer_id_col: str, condition, column: str) -> str:
    row = first_row(frame.filter(condition).select(customer_id_col, column))
    return f"customer {row[customer_id_col]!r}, {column}={row[column]!r}"


def check_transactions(inp: EngineInput, *, customer_id_col: str = "customer_id", datetime_col: str = "date",
                       monetary_value_col: str | None = "amount", name: str = "transactions",
                       dates: dict | None = None, check_repeated_rows: bool = True) -> EngineLog:
    """Check a transaction log held by an engine, as ``require_transactions`` checks a pandas one.

    Checks: the columns exist; the table has rows; no id, date or amount is missing; dates are
    datetimes (a zone is read as its wall time, as pandas does); amounts are numbers and none is
    negative (refunds are refused); no date is isolated far from the others. Rows repeated in
    every column are counted and kept with a :class:`~retention_kit.DataWarning`.

    Parameters
    ----------
    inp : EngineInput
    customer_id_col, datetime_col, monetary_value_col : str
    name : str
    dates : dict from an argument's name to a date, optional
        The dates the caller cuts the log at (None values are skipped): each is read in the
        log's zone (``log.cut[name]``) and its rows-before counted in the same query
        (``log.rows_before(name)``).
    check_repeated_rows : bool, default True
        False: skip the count of repeated rows (a whole pass over every column).

    Returns
    -------
    EngineLog

    Raises
    ------
    InputError
        Naming the column, the value, an example customer and the fix.

    Examples
    --------
    >>> import duckdb
    >>> rel = duckdb.sql("SELECT 'a' AS customer_id, TIMESTAMP '2025-01-05' AS date, -3.0 AS amount")
    >>> check_transactions(EngineInput(nw.from_native(rel), "duckdb"))
    Traceback (most recent call last):
    ...
    retention_kit.InputError: column 'amount' has 1 negative value(s) (first: customer 'a', amount=-3.0). Fix: refunds are not purchases: a refund row would count as a visit and make a one-time buyer a repeat buyer. Remove refund rows (tx[tx['amount'] >= 0]) and net them against their orders if you need spend after refunds.
    """
    frame = inp.frame
    schema = frame.collect_schema()
    wanted = [customer_id_col, datetime_col] + ([monetary_value_col] if monetary_value_col else [])
    missing = [c for c in wanted if c not in schema]
    if missing:
        raise InputError(f"{name} has no column {missing[0]!r}; its columns are {list(schema)}. Fix: pass the right "
                         f"name with the matching *_col argument (monetary_value_col=None for a log without amounts).")
    date, zone = _date_expr(schema, datetime_col)
    columns = [nw.col(customer_id_col), date.alias(datetime_col)]
    if monetary_value_col:
        dtype = schema[monetary_value_col]
        if not dtype.is_numeric() or dtype == nw.Boolean:
            raise InputError(f"column {monetary_value_col!r} holds {dtype} values, not amounts. Fix: cast it to a "
                             f"number in the engine first.")
        columns.append(nw.col(monetary_value_col).cast(nw.Float64))
    log = frame.select(*columns)
    d = nw.col(datetime_col)
    no_id = nw.col(customer_id_col).is_null()
    if schema[customer_id_col].is_float():
        no_id = no_id | nw.col(customer_id_col).is_nan()
    exprs = {"rows": nw.len(), "missing_ids": _count(no_id),
             "missing_dates": _count(d.is_null()), "first": d.min(), "last": d.max()}
    if monetary_value_col:
        a = nw.col(monetary_value_col)
        exprs.update(missing_amounts=_count(a.is_null() | a.is_nan()), negative=_count(a < 0),
                     infinite=_count(a.abs() == float("inf")))
    cut = {key: as_timestamp(value, key, zone) for key, value in (dates or {}).items() if value is not None}
    for i, when in enumerate(cut.values()):
        exprs[f"before_{i}"] = _count(d < moment(when, inp.kind))
    profile = scalars(log, exprs)
    if not profile["rows"]:
        raise InputError(f"{name} is empty (0 rows); pass a table with at least one row.")
    for key, column, fix in (("missing_ids", customer_id_col, "every row needs a customer id"),
                             ("missing_dates", datetime_col, "fill or remove those rows explicitly before calling"),
                             ("missing_amounts", monetary_value_col, "fill them (0 for a free order) or remove those "
                                                                      "rows")):
        if profile.get(key):
            raise InputError(f"column {column!r} is empty in {profile[key]} row(s); {fix}.")
    if monetary_value_col and profile["infinite"]:
        raise InputError(f"column {monetary_value_col!r} has {profile['infinite']} infinite value(s). Fix: correct "
                         f"or remove those rows.")
    if monetary_value_col and profile["negative"]:
        example = _example(log, customer_id_col, nw.col(monetary_value_col) < 0, monetary_value_col)
        raise InputError(f"column {monetary_value_col!r} has {profile['negative']} negative value(s) (first: "
                         f"{example}). Fix: {REFUND_FIX}.")
    first, last = pd.Timestamp(profile["first"]), pd.Timestamp(profile["last"])
    if last - first > _ISOLATION:
        _require_no_isolated_dates(log, customer_id_col, datetime_col, first, last, inp.kind)
    if check_repeated_rows:
        _warn_repeated_rows(frame, schema, name)
    before = {key: int(profile[f"before_{i}"]) for i, key in enumerate(cut)}
    return EngineLog(log, customer_id_col, datetime_col, monetary_value_col, zone, first, last, int(profile["rows"]),
                     cut, before, inp.kind)


def _require_no_isolated_dates(log, customer_id_col, datetime_col, low, high, kind) -> None:
    """As ``validation.dates.require_no_isolated_dates``: a first or last date alone and far from the rest."""
    d = nw.col(datetime_col)
    lo, hi = moment(low, kind), moment(high, kind)
    got = scalars(log, {"n_low": _count(d == lo), "n_high": _count(d == hi), "rows": nw.len(),
                        "inner_low": nw.when(d > lo).then(d).min(), "inner_high": nw.when(d < hi).then(d).max()})
    if got["rows"] - got["n_high"] < 2 or got["rows"] - got["n_low"] < 2:
        return
    inner_low, inner_high = pd.Timestamp(got["inner_low"]), pd.Timestamp(got["inner_high"])
    for extreme, neighbour, rest_span, side, count in (
            (high, inner_high, inner_high - low, "after the next latest", got["n_high"]),
            (low, inner_low, high - inner_low, "before the next earliest", got["n_low"])):
        gap = abs(extreme - neighbour)
        if count == 1 and gap > _ISOLATION and gap > rest_span:
            example = _example(log, customer_id_col, d == moment(extreme, kind), datetime_col)
            years = gap / pd.Timedelta(days=1) / 365.25
            raise InputError(f"column {datetime_col!r} has a date far from all the others: {extreme} ({example}), "
                             f"{years:.1f} years {side} date ({neighbour}). A typo? It would set the observation end, "
                             f"or a customer's first purchase, by itself. Fix: correct or drop that row.")


def _warn_repeated_rows(frame, schema, name: str) -> None:
    """Rows identical in every column are kept, with a warning (as ``warn_duplicate_rows``)."""
    columns = list(schema)
    counted = frame.group_by(*columns).agg(nw.len().alias("__copies")).filter(nw.col("__copies") > 1)
    got = scalars(counted, {"rows": nw.col("__copies").sum(), "groups": nw.len()})
    if got["groups"]:
        warn_data(f"{name} has {got['rows']} rows that repeat another row exactly in every column; they are kept as "
                  f"separate rows. If they were loaded twice, drop the copies first (unique() / DISTINCT); if they are "
                  f"separate purchases, add the column that tells them apart (an order id) and this warning goes.")
