"""Input checks shared by every module.

Each check raises :class:`InputError` (a ``ValueError``) with a message that names the
column, shows the offending value and says how to fix it. Nothing is dropped silently:
functions that exclude rows (missing scores, say) report how many in their result.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = ["InputError", "require_frame", "require_columns", "as_datetime", "as_timestamp",
           "require_numeric", "require_nonnegative", "require_period", "require_end_after_start",
           "require_unique"]


class InputError(ValueError):
    """Bad input: the message names the column, the value and the fix."""


def _label(value) -> str:
    """A row label or value as a person writes it (7, 'a', 2025-01-01), without numpy's wrapping."""
    value = value.item() if isinstance(value, np.generic) else value
    return repr(value)


def _preview(values: Iterable, limit: int = 5) -> str:
    values = list(values)
    shown = ", ".join(_label(v) for v in values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


def require_frame(df, name: str = "data") -> pd.DataFrame:
    """Check that ``df`` is a non-empty pandas DataFrame and return it."""
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"{name} must be a pandas DataFrame, got {type(df).__name__}; "
                         f"build one with pd.DataFrame(...) or pd.read_csv(...).")
    if len(df) == 0:
        raise InputError(f"{name} is empty (0 rows); pass a table with at least one row.")
    return df


def require_columns(df: pd.DataFrame, columns: Sequence[str], name: str = "data",
                    argument_hint: str | None = None) -> None:
    """Check that every column in ``columns`` is present in ``df``."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        hint = argument_hint or "pass the right name with the matching *_col argument"
        raise InputError(f"{name} has no column {', '.join(repr(m) for m in missing)}; "
                         f"the columns present are {list(map(str, df.columns))}. Fix: rename the column, or {hint}.")


def as_datetime(series: pd.Series, column: str) -> pd.Series:
    """Parse a column to datetimes; raise naming the values that do not parse."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    try:  # ISO dates of mixed precision ("2025-01-01", "2025-01-01 18:00") parse fast
        parsed = pd.to_datetime(series, format="ISO8601")
    except (ValueError, TypeError):
        parsed = pd.to_datetime(series, errors="coerce", format="mixed")
    bad = series[parsed.isna() & series.notna()]
    if len(bad):
        raise InputError(f"column {column!r} has values that are not dates: {_preview(bad.unique())} "
                         f"(first at row {_label(bad.index[0])}). Fix: correct them, or convert the column with "
                         f"pd.to_datetime(..., format=...).")
    return parsed


def as_timestamp(value, argument: str) -> pd.Timestamp:
    """Parse one date given as an argument."""
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{argument}={value!r} is not a date; pass a date such as '2025-01-01'.") from exc
    if pd.isna(ts):
        raise InputError(f"{argument} is missing; pass a date such as '2025-01-01'.")
    return ts


def require_period(period_start, period_end) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Parse a period and check that it ends after it starts."""
    start, end = as_timestamp(period_start, "period_start"), as_timestamp(period_end, "period_end")
    if end <= start:
        raise InputError(f"period_end ({end.date()}) is not after period_start ({start.date()}); "
                         f"swap them or pass a later period_end.")
    return start, end


def require_numeric(series: pd.Series, column: str) -> pd.Series:
    """Check that a column holds numbers (missing values allowed); return it as float."""
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        parsed = pd.to_numeric(series, errors="coerce")
        bad = series[parsed.isna() & series.notna()]
        if len(bad) or pd.api.types.is_bool_dtype(series):
            shown = bad.unique() if len(bad) else series.unique()
            raise InputError(f"column {column!r} must hold numbers; found {_preview(shown)}"
                             + (f" (first at row {_label(bad.index[0])})" if len(bad) else "")
                             + ". Fix: clean those values, or convert with pd.to_numeric.")
        series = parsed
    return series.astype(float)


def require_nonnegative(series: pd.Series, column: str) -> None:
    """Check that no value in a numeric column is negative."""
    negative = series[series < 0]
    if len(negative):
        raise InputError(f"column {column!r} has {len(negative)} negative value(s): {_preview(negative.tolist())} "
                         f"(first at row {_label(negative.index[0])}). Fix: record refunds or credits in a separate "
                         f"table, or correct the sign.")


def require_end_after_start(df: pd.DataFrame, start_col: str, end_col: str) -> None:
    """Check that no row ends before it starts."""
    bad = df.index[(df[end_col] < df[start_col]).to_numpy()]
    if len(bad):
        row = bad[0]
        raise InputError(f"{len(bad)} row(s) have {end_col!r} before {start_col!r}; the first is row {_label(row)} "
                         f"({start_col}={df.at[row, start_col]}, {end_col}={df.at[row, end_col]}). "
                         f"Fix: correct those dates (an end date is empty while a customer is still active).")


def require_unique(series: pd.Series, column: str, fix: str) -> None:
    """Check that a column has no duplicated values."""
    dup = series[series.duplicated(keep=False)]
    if len(dup):
        raise InputError(f"column {column!r} has repeated values: {_preview(pd.unique(dup))}. Fix: {fix}")


def to_series(values, name: str) -> pd.Series:
    """Turn a list, array or Series into a Series, refusing tables and scalars."""
    if isinstance(values, pd.DataFrame):
        raise InputError(f"{name} must be one column of values, got a DataFrame with columns "
                         f"{list(values.columns)}; pass one column, for example df['score'].")
    if np.isscalar(values) or values is None:
        raise InputError(f"{name} must be a list, array or Series of values, got {values!r}.")
    series = values if isinstance(values, pd.Series) else pd.Series(
        values if isinstance(values, np.ndarray) else list(values))
    if len(series) == 0:
        raise InputError(f"{name} is empty; pass at least one value.")
    return series


def require_transactions(transactions, customer_id_col: str, datetime_col: str,
                         monetary_value_col: str | None = None) -> pd.DataFrame:
    """Validate a transaction log and return a copy with parsed dates and float amounts.

    Checks: a non-empty DataFrame; the columns exist; no missing customer ids or dates; dates
    parse; amounts (if asked for) are numbers, not missing and not negative.
    """
    require_frame(transactions, "transactions")
    cols = [customer_id_col, datetime_col] + ([monetary_value_col] if monetary_value_col else [])
    require_columns(transactions, cols, "transactions")
    out = pd.DataFrame({col: transactions[col] for col in cols})   # new frame; columns replaced below, never mutated
    for col in (customer_id_col, datetime_col):
        if out[col].isna().any():
            row = out.index[out[col].isna()][0]
            raise InputError(f"column {col!r} is empty in {int(out[col].isna().sum())} row(s) (first: row {_label(row)}); "
                             f"fill or remove those transactions explicitly before calling.")
    out[datetime_col] = as_datetime(out[datetime_col], datetime_col)
    if monetary_value_col:
        amounts = require_numeric(out[monetary_value_col], monetary_value_col)
        if amounts.isna().any():
            row = amounts.index[amounts.isna()][0]
            raise InputError(f"column {monetary_value_col!r} is empty in {int(amounts.isna().sum())} row(s) "
                             f"(first: row {_label(row)}); fill them (0 for a free order) or remove those rows.")
        require_nonnegative(amounts, monetary_value_col)
        out[monetary_value_col] = amounts
    return out
