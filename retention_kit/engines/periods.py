"""Calendar period numbers as narwhals expressions, equal to ``validation.period_numbers`` on every engine.

The day number comes from the year and the day of the year, the one date arithmetic every
engine shares (Spark has no ``total_days`` of a difference, DuckDB and Spark no timestamp cast to
integers):

    day = 365 (y - 1970) + (y - 1) // 4 - (y - 1) // 100 + (y - 1) // 400 - 477 + (ordinal day - 1)

where 477 is the number of leap days before 1970. Weeks start on Monday: (day + 3) // 7, since
1970-01-01 was a Thursday. Months are 12 (y - 1970) + month - 1; quarters and years follow. Dates
before 1970 are not supported by this formula's integer division (no retention log starts there).
"""
from __future__ import annotations

import narwhals as nw
import pandas as pd

__all__ = ["day_number", "period_number", "moment"]


def day_number(date: nw.Expr) -> nw.Expr:
    """Days since 1970-01-01 of a datetime expression (its calendar day).

    Parameters
    ----------
    date : narwhals expression of naive datetimes

    Returns
    -------
    narwhals expression of Int64

    Raises
    ------
    Nothing of its own.

    Examples
    --------
    >>> import duckdb
    >>> rel = duckdb.sql("SELECT TIMESTAMP '2024-03-01 23:59' AS d")
    >>> nw.from_native(rel).select(day_number(nw.col("d"))).to_native().fetchall()[0][0]
    19783
    """
    year = date.dt.year().cast(nw.Int64)
    before = year - 1
    return (365 * (year - 1970) + before // 4 - before // 100 + before // 400 - 477
            + date.dt.ordinal_day().cast(nw.Int64) - 1)


def period_number(date: nw.Expr, unit: str) -> nw.Expr:
    """Calendar periods since 1970 of ``unit``: hours, days, Monday weeks, months, quarters or years.

    Parameters
    ----------
    date : narwhals expression of naive datetimes
    unit : str, a time unit of the kit

    Returns
    -------
    narwhals expression of Int64

    Raises
    ------
    KeyError
        For a unit that is not a time unit.

    Examples
    --------
    >>> import duckdb
    >>> rel = duckdb.sql("SELECT TIMESTAMP '1970-01-05' AS d")             # a Monday: week 1
    >>> nw.from_native(rel).select(period_number(nw.col("d"), "week")).to_native().fetchall()[0][0]
    1
    """
    if unit == "hour":
        return day_number(date) * 24 + date.dt.hour().cast(nw.Int64)
    if unit == "day":
        return day_number(date)
    if unit == "week":
        return (day_number(date) + 3) // 7
    months = 12 * (date.dt.year().cast(nw.Int64) - 1970) + date.dt.month().cast(nw.Int64) - 1
    return {"month": lambda: months, "quarter": lambda: months // 3, "year": lambda: months // 12}[unit]()


def moment(when: pd.Timestamp, kind: str = "") -> nw.Expr:
    """A naive date as a literal every engine compares with its naive datetimes as wall time.

    A Python datetime literal would not do: PySpark turns it into an instant in the Python
    process's zone, then shows it in the session's, so a cut at midnight could move by hours.
    Text parsed by the engine is read where the column is. Fractions of a second need each
    engine's own spelling: Polars' ``%.f``, a cast on Spark.

    Parameters
    ----------
    when : pandas.Timestamp, naive
    kind : str, the input's kind (see ``EngineInput``); needed only for fractions of a second

    Returns
    -------
    narwhals expression of datetimes

    Raises
    ------
    Nothing of its own.

    Examples
    --------
    >>> import duckdb
    >>> rel = duckdb.sql("SELECT TIMESTAMP '2025-12-31 23:00' AS d")
    >>> nw.from_native(rel).select(nw.col("d") < moment(pd.Timestamp("2026-01-01"))).to_native().fetchall()
    [(True,)]
    """
    if not (when.microsecond or when.nanosecond):
        return nw.lit(when.strftime("%Y-%m-%d %H:%M:%S")).str.to_datetime(format="%Y-%m-%d %H:%M:%S")
    text = when.strftime("%Y-%m-%d %H:%M:%S.%f")
    if kind == "spark":
        return nw.lit(text).cast(nw.Datetime("us"))
    if kind.startswith("polars"):
        return nw.lit(text).str.to_datetime(format="%Y-%m-%d %H:%M:%S%.f")
    return nw.lit(text).str.to_datetime(format="%Y-%m-%d %H:%M:%S.%f")
