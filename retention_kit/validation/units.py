"""The kit's one vocabulary of time units, and calendar periods as whole numbers.

Every function that measures or groups time takes ``time_unit``, one of ``TIME_UNITS``:
``"hour"``, ``"day"``, ``"week"``, ``"month"``, ``"quarter"``, ``"year"``.

* As a **length** (a duration, a horizon, a model's time scale) a unit lasts ``DAYS[unit]``
  days: a month is 365.25 / 12 = 30.4375 days, a quarter three of those, a year 365.25 days.
* As a **calendar period** (cohorts, the periods of a table, the purchase periods of an RFM
  summary) a unit is a calendar hour, day, Monday-to-Sunday week, month, quarter or year.

Pandas' aliases (``"D"``, ``"MS"``, ``"Q"``...) are not accepted; the error names the word to use.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InputError, label

__all__ = ["TIME_UNITS", "DAYS", "DAYS_PER_MONTH", "require_time_unit", "convert_length", "period_numbers",
           "period_starts", "period_index", "is_period_start", "plural", "PANDAS_PERIOD"]

TIME_UNITS = ("hour", "day", "week", "month", "quarter", "year")
DAYS = {"hour": 1 / 24, "day": 1.0, "week": 7.0, "month": 365.25 / 12, "quarter": 365.25 / 4, "year": 365.25}
DAYS_PER_MONTH = DAYS["month"]   # an average calendar month, 30.4375 days

PANDAS_PERIOD = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}   # calendar periods as pd.Period

_ALIASES = {"h": "hour", "H": "hour", "hours": "hour", "D": "day", "d": "day", "days": "day", "W": "week",
            "weeks": "week", "M": "month", "MS": "month", "ME": "month", "months": "month", "Q": "quarter",
            "QS": "quarter", "QE": "quarter", "quarters": "quarter", "Y": "year", "YS": "year", "YE": "year",
            "A": "year", "AS": "year", "years": "year"}


def plural(unit: str) -> str:
    """A time unit in the plural, for labels.

    Parameters
    ----------
    unit : str

    Returns
    -------
    str

    Raises
    ------
    Nothing.

    Examples
    --------
    >>> plural("month")
    'months'
    """
    return unit + "s"


def require_time_unit(value, argument: str = "time_unit", allowed=TIME_UNITS) -> str:
    """Check a time unit against the kit's vocabulary (or a subset ``allowed``) and return it.

    Parameters
    ----------
    value : str
    argument : str, default "time_unit"
    allowed : tuple of str, default all of ``TIME_UNITS``

    Returns
    -------
    str

    Raises
    ------
    InputError
        For a unit outside ``allowed``; a pandas alias gets the word to use instead.

    Examples
    --------
    >>> require_time_unit("week")
    'week'
    >>> require_time_unit("W")
    Traceback (most recent call last):
    ...
    retention_kit.InputError: time_unit='W' is not a time unit of the kit; use 'week' (pandas' 'W'). The units are 'hour', 'day', 'week', 'month', 'quarter', 'year'.
    """
    try:
        known = value in allowed
    except TypeError:
        known = False
    if known and isinstance(value, str):
        return value
    units = ", ".join(repr(u) for u in allowed)
    alias = _ALIASES.get(value) if isinstance(value, str) else None
    if alias in allowed:
        raise InputError(f"{argument}={value!r} is not a time unit of the kit; use {alias!r} (pandas' {value!r}). "
                         f"The units are {units}.")
    raise InputError(f"{argument}={label(value)} is not a time unit here; choose one of {units}.")


def convert_length(value, from_unit: str, to_unit: str) -> float:
    """A length in ``from_unit`` expressed in ``to_unit`` (a month is 30.4375 days).

    Parameters
    ----------
    value : float
    from_unit, to_unit : str, time units of the kit

    Returns
    -------
    float

    Raises
    ------
    KeyError
        For a unit that is not a time unit (check it with :func:`require_time_unit` first).

    Examples
    --------
    >>> convert_length(1, "month", "day")
    30.4375
    >>> round(convert_length(12, "month", "week"), 4)
    52.1786
    """
    return value * DAYS[from_unit] / DAYS[to_unit]


_NS_PER_DAY = 86_400_000_000_000


def period_numbers(dates, unit: str) -> np.ndarray:
    """Calendar periods since 1970 as int64: hours, days, Monday-starting weeks, months, quarters or years.

    ``dates`` is anything numpy reads as datetime64 (naive). The calendar conversion is done once
    per distinct day through a lookup table, not per row.

    Parameters
    ----------
    dates : array-like of naive datetimes
    unit : str, a time unit of the kit

    Returns
    -------
    numpy.ndarray of int64

    Raises
    ------
    KeyError
        For a unit that is not a time unit.

    Examples
    --------
    >>> period_numbers(pd.to_datetime(["1970-01-01", "1970-02-15", "1971-01-01"]), "month").tolist()
    [0, 1, 12]
    >>> period_numbers(pd.to_datetime(["1970-01-04", "1970-01-05"]), "week").tolist()   # Sunday, Monday
    [0, 1]
    """
    ns = np.asarray(dates, dtype="datetime64[ns]").view(np.int64)
    if unit == "hour":
        return ns // (_NS_PER_DAY // 24)
    days = ns // _NS_PER_DAY
    if unit == "day":
        return days
    if unit == "week":
        return (days + 3) // 7   # 1970-01-01 was a Thursday; weeks start on Monday
    if len(days) == 0:
        return days
    low = int(days.min())
    calendar = np.arange(low, int(days.max()) + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    months = calendar[days - low]
    return {"month": months, "quarter": months // 3, "year": months // 12}[unit]


def period_starts(numbers, unit: str) -> pd.DatetimeIndex:
    """The first instant of each calendar period numbered by :func:`period_numbers`.

    Parameters
    ----------
    numbers : array-like of int
    unit : str, a time unit of the kit

    Returns
    -------
    pandas.DatetimeIndex

    Raises
    ------
    KeyError
        For a unit that is not a time unit.

    Examples
    --------
    >>> period_starts([0, 1], "week").strftime("%Y-%m-%d").tolist()
    ['1969-12-29', '1970-01-05']
    """
    n = np.asarray(numbers, dtype=np.int64)
    if unit == "hour":
        values = (n * 3600).astype("datetime64[s]")
    elif unit == "day":
        values = n.astype("datetime64[D]")
    elif unit == "week":
        values = (n * 7 - 3).astype("datetime64[D]")
    else:
        values = (n * {"month": 1, "quarter": 3, "year": 12}[unit]).astype("datetime64[M]")
    return pd.DatetimeIndex(values.astype("datetime64[ns]"))


def period_index(numbers, unit: str) -> pd.PeriodIndex:
    """Calendar periods numbered by :func:`period_numbers` as a ``pd.PeriodIndex`` (days to years).

    Parameters
    ----------
    numbers : array-like of int
    unit : str, "day" to "year"

    Returns
    -------
    pandas.PeriodIndex

    Raises
    ------
    KeyError
        For "hour", which pandas periods are not used for here.

    Examples
    --------
    >>> period_index([660], "month")
    PeriodIndex(['2025-01'], dtype='period[M]')
    """
    return pd.PeriodIndex(period_starts(numbers, unit), freq=PANDAS_PERIOD[unit])


def is_period_start(timestamp: pd.Timestamp, unit: str) -> bool:
    """Whether ``timestamp`` is the first instant of a calendar period of ``unit``.

    Parameters
    ----------
    timestamp : pandas.Timestamp, naive
    unit : str

    Returns
    -------
    bool

    Raises
    ------
    KeyError
        For a unit that is not a time unit.

    Examples
    --------
    >>> is_period_start(pd.Timestamp("2025-04-01"), "quarter"), is_period_start(pd.Timestamp("2025-04-02"), "month")
    (True, False)
    """
    number = period_numbers(np.array([timestamp.to_datetime64()]), unit)
    return period_starts(number, unit)[0] == timestamp
