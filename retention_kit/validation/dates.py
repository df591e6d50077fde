"""Dates in, dates out: one policy for every column and argument that holds a date.

* **Text** must be ISO 8601 (``2025-02-05``, ``2025-02-05 18:30``, ``2025-02-05T18:30:00+01:00``).
  ``05/02/2025`` is refused: it is 5 February in Europe and 2 May in the United States, and
  guessing would be silent. Parse such columns yourself with ``pd.to_datetime(..., format=...)``.
* **Time zones**: a date is taken as the wall-clock time where it happened. A column with a
  time zone is read in its own zone (a New York cancellation at 23:00 on 31 March stays in
  March); ISO text with UTC offsets is read as the time written. A column that mixes dates with
  and without a zone is refused. A date given as an argument (``period_start``...) is read in
  the data's zone; one with a zone of its own is converted to the data's zone, and refused
  when the data have no single zone.
* **Isolated dates**: a date far from all the others (more than a year, and more than the span of
  all the rest) is refused as a probable typo: one purchase dated 2205 would otherwise set the
  observation end, and ``T``, of every customer.
"""
from __future__ import annotations

import datetime as _dt
import warnings

import numpy as np
import pandas as pd

from .errors import InputError, label

__all__ = ["as_datetime", "as_timestamp", "require_period", "require_no_isolated_dates", "OFFSETS"]

OFFSETS = "UTC offsets"      # the zone of ISO text with offsets: wall time as written, no single zone
_OFFSET = r"(?:Z|[+-]\d\d(?::?\d\d)?)\s*$"


def _preview(values, limit: int = 3) -> str:
    values = list(values)
    shown = ", ".join(label(v) for v in values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


def _first_row(series: pd.Series, mask) -> str:
    return label(series.index[np.flatnonzero(np.asarray(mask))[0]])


def _wall_time_of_objects(series: pd.Series, column: str):
    """Python datetimes / Timestamps in an object column, some with a zone: each as its wall time."""
    aware = series.map(lambda x: getattr(x, "tzinfo", None) is not None, na_action="ignore").fillna(False).astype(bool)
    present = series.notna()
    if aware[present].all():
        return pd.to_datetime(series.map(lambda x: x.replace(tzinfo=None), na_action="ignore")), OFFSETS
    raise InputError(f"column {column!r} mixes dates with a time zone and dates without one (first without: row "
                     f"{_first_row(series, present & ~aware)}). Fix: give every date the same zone, for example "
                     f"pd.to_datetime(df[{column!r}], utc=True).dt.tz_convert('America/New_York').")


def _parse_text(series: pd.Series, column: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)   # pandas' warning about mixed offsets; handled below
        try:
            parsed = pd.to_datetime(series, format="ISO8601")
        except (ValueError, TypeError):
            coerced = pd.to_datetime(series, format="ISO8601", errors="coerce")
            bad = series[coerced.isna() & series.notna()]
            raise InputError(
                f"column {column!r} has text that is not an ISO 8601 date (YYYY-MM-DD): {_preview(bad.unique())} "
                f"(first at row {label(bad.index[0])}). A date such as '05/02/2025' is 5 February in some countries "
                f"and 2 May in others, so the kit does not guess. Fix: parse the column yourself, for example "
                f"pd.to_datetime(df[{column!r}], format='%d/%m/%Y').") from None
    if isinstance(parsed.dtype, pd.DatetimeTZDtype) or parsed.dtype == object:
        text = series.astype("string")
        has_offset = text.str.contains(_OFFSET, regex=True).fillna(False).astype(bool)
        present = series.notna()
        if not has_offset[present].all():
            raise InputError(f"column {column!r} mixes dates with a UTC offset and dates without one (first without: "
                             f"row {_first_row(series, present & ~has_offset)}). Fix: write every date the same way.")
        return pd.to_datetime(text.str.replace(_OFFSET, "", regex=True), format="ISO8601"), OFFSETS
    return parsed, None


def as_datetime(series: pd.Series, column: str):
    """Parse a column of dates by the policy above; return ``(naive datetimes, zone)``.

    ``zone`` is None for naive data, the column's time zone, or ``OFFSETS`` for ISO text with
    UTC offsets. Missing values stay missing (NaT); the caller decides whether they are allowed.

    Parameters
    ----------
    series : Series
        Dates as datetime64 (with or without a zone), ISO 8601 text, or Python dates.
    column : str
        The column's name, used in error messages.

    Returns
    -------
    (Series of datetime64[ns], zone)

    Raises
    ------
    InputError
        For text that is not ISO 8601, numbers, or a mix of dates with and without a zone.

    Examples
    --------
    >>> dates, zone = as_datetime(pd.Series(["2025-03-31 23:00-04:00"]), "end_date")
    >>> str(dates[0]), zone
    ('2025-03-31 23:00:00', 'UTC offsets')
    """
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return series.dt.tz_localize(None), dtype.tz
    if pd.api.types.is_datetime64_dtype(dtype):
        return series.astype("datetime64[ns]"), None
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        raise InputError(f"column {column!r} holds {dtype} values, not dates (first: {label(series.dropna().iloc[0]) if series.notna().any() else 'missing'}). "
                         f"Fix: convert it with pd.to_datetime(...), saying what the numbers mean (unit='s' for Unix seconds).")
    present = series.dropna()
    if len(present) and all(isinstance(v, str) for v in present.iloc[:1000]) and pd.api.types.infer_dtype(present) == "string":
        return _parse_text(series, column)
    if len(present) and any(isinstance(v, (_dt.datetime, pd.Timestamp)) and v.tzinfo is not None for v in present):
        return _wall_time_of_objects(series, column)
    try:
        return pd.to_datetime(series).astype("datetime64[ns]"), None
    except (ValueError, TypeError) as exc:
        raise InputError(f"column {column!r} has values that are not dates ({exc}). Fix: correct them, or convert the "
                         f"column with pd.to_datetime(..., format=...).") from None


def as_timestamp(value, argument: str, zone=None) -> pd.Timestamp:
    """Parse one date given as an argument, in the data's ``zone`` (see the module's policy).

    Parameters
    ----------
    value : str, date, datetime or Timestamp
    argument : str
        The argument's name, used in error messages.
    zone : None, a time zone or ``OFFSETS``
        The zone of the data the date is compared with (from :func:`as_datetime`).

    Returns
    -------
    pandas.Timestamp, naive (wall time in the data's zone).

    Raises
    ------
    InputError
        For a value that is not a date, text that is not ISO 8601, or a date with a zone when the
        data have no single zone.

    Examples
    --------
    >>> as_timestamp("2025-04-01", "period_end")
    Timestamp('2025-04-01 00:00:00')
    >>> as_timestamp(pd.Timestamp("2025-04-01 04:00", tz="UTC"), "period_end", zone="America/New_York")
    Timestamp('2025-04-01 00:00:00')
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        raise InputError(f"{argument} is missing; pass a date such as '2025-01-01'.")
    if isinstance(value, (bool, np.bool_, int, float, np.number)):
        raise InputError(f"{argument}={label(value)} is a number, not a date; pass a date such as '2025-01-01'.")
    try:
        ts = pd.Timestamp(value) if not isinstance(value, str) else pd.to_datetime(value, format="ISO8601")
    except (ValueError, TypeError):
        raise InputError(f"{argument}={value!r} is not an ISO 8601 date; pass a date such as '2025-01-01'.") from None
    if ts.tzinfo is None:
        return ts
    if zone is None or zone == OFFSETS:
        raise InputError(f"{argument}={value!r} has a time zone, but the dates it is compared with "
                         f"{'have none' if zone is None else 'carry UTC offsets, not one zone'}; dates are compared as "
                         f"local (wall-clock) times. Fix: pass {argument} without a zone, for example "
                         f"'{ts.tz_localize(None):%Y-%m-%d %H:%M}'.")
    return ts.tz_convert(zone).tz_localize(None)


def require_period(period_start, period_end, zone=None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Parse a half-open period ``[period_start, period_end)`` and check that it is not empty.

    Parameters
    ----------
    period_start, period_end : dates
    zone : the data's zone (see :func:`as_timestamp`)

    Returns
    -------
    (pandas.Timestamp, pandas.Timestamp)

    Raises
    ------
    InputError
        For a bound that is not a date, or an end that is not after the start.

    Examples
    --------
    >>> require_period("2025-01-01", "2025-04-01")
    (Timestamp('2025-01-01 00:00:00'), Timestamp('2025-04-01 00:00:00'))
    """
    start, end = as_timestamp(period_start, "period_start", zone), as_timestamp(period_end, "period_end", zone)
    if end <= start:
        raise InputError(f"period_end ({end}) is not after period_start ({start}); periods are [period_start, "
                         f"period_end), so for the year 2025 pass '2025-01-01', '2026-01-01'.")
    return start, end


_ISOLATION = np.timedelta64(366, "D")


def require_no_isolated_dates(dates: pd.Series, column: str) -> None:
    """Refuse a first or last date that stands far from all the others (a probable typo).

    A date is isolated when it stands in a single row and its gap to the nearest other date exceeds
    both a year and the span of all the other dates.

    Parameters
    ----------
    dates : Series of naive datetimes (missing values ignored)
    column : str, for the message

    Returns
    -------
    None

    Raises
    ------
    InputError
        Naming the date, its row and its distance from the others.

    Examples
    --------
    >>> require_no_isolated_dates(pd.to_datetime(pd.Series(["2025-01-01", "2025-06-01", "2205-01-01"])), "date")
    Traceback (most recent call last):
    ...
    retention_kit.InputError: column 'date' has a date far from all the others: 2205-01-01 00:00:00 (row 2), 179.6 years after the next latest date (2025-06-01 00:00:00). A typo? It would set the observation end, or a customer's first purchase, by itself. Fix: correct or drop that row.
    """
    values = dates.to_numpy(dtype="datetime64[ns]").view(np.int64)
    values = values[values != np.iinfo(np.int64).min]          # NaT
    if len(values) < 3:
        return
    low, high = values.min(), values.max()
    if high - low <= _ISOLATION.astype("timedelta64[ns]").astype(np.int64):
        return                                                   # nothing can be a year away from the rest
    below_high = values < high
    above_low = values > low
    if below_high.sum() < 2 or above_low.sum() < 2:
        return
    inner_high, inner_low = values.max(where=below_high, initial=low), values.min(where=above_low, initial=high)
    low, high, inner_high, inner_low = (np.int64(v).astype("datetime64[ns]") for v in (low, high, inner_high, inner_low))
    for extreme, neighbour, rest_span, side in (
            (high, inner_high, inner_high - low, "after the next latest"),
            (low, inner_low, high - inner_low, "before the next earliest")):
        gap = abs(extreme - neighbour)
        alone = int((values == extreme.astype(np.int64)).sum()) == 1     # a cluster of rows is not a typo
        if alone and gap > _ISOLATION and gap > rest_span:
            row = label(dates.index[np.flatnonzero(dates.to_numpy(dtype="datetime64[ns]") == extreme)[0]])
            years = gap / np.timedelta64(1, "D") / 365.25
            raise InputError(f"column {column!r} has a date far from all the others: {pd.Timestamp(extreme)} (row {row}), "
                             f"{years:.1f} years {side} date ({pd.Timestamp(neighbour)}). A typo? It would set the "
                             f"observation end, or a customer's first purchase, by itself. Fix: correct or drop that row.")
