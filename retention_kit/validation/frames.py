"""Checks of tables and their columns: present, complete, of one type, numbers, flags, no duplicates."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import InputError, label

__all__ = ["require_frame", "require_columns", "to_series", "require_numeric", "require_nonnegative",
           "require_unique", "require_complete", "require_ids", "require_labels", "as_flag",
           "preview"]


def preview(values: Iterable, limit: int = 5) -> str:
    """Up to ``limit`` values as a person writes them, with the total when there are more.

    Parameters
    ----------
    values : iterable
    limit : int, default 5

    Returns
    -------
    str

    Raises
    ------
    Nothing.

    Examples
    --------
    >>> preview(range(7), 3)
    '0, 1, 2, ... (7 in all)'
    """
    values = list(values)
    shown = ", ".join(label(v) for v in values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


def _first(series: pd.Series, mask) -> str:
    return label(series.index[np.flatnonzero(np.asarray(mask))[0]])


def require_frame(df, name: str = "data") -> pd.DataFrame:
    """Check that ``df`` is a non-empty pandas DataFrame and return it.

    Parameters
    ----------
    df : anything
    name : str, what to call it in messages

    Returns
    -------
    DataFrame, ``df`` itself.

    Raises
    ------
    InputError
        For something that is not a DataFrame, or an empty one.

    Examples
    --------
    >>> require_frame([1, 2], "transactions")
    Traceback (most recent call last):
    ...
    retention_kit.InputError: transactions must be a pandas DataFrame, got list; build one with pd.DataFrame(...) or pd.read_csv(...).
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"{name} must be a pandas DataFrame, got {type(df).__name__}; "
                         f"build one with pd.DataFrame(...) or pd.read_csv(...).")
    if len(df) == 0:
        raise InputError(f"{name} is empty (0 rows); pass a table with at least one row.")
    return df


def require_columns(df: pd.DataFrame, columns: Sequence, name: str = "data", hint: str | None = None) -> None:
    """Check that every column in ``columns`` is present in ``df``.

    Parameters
    ----------
    df : DataFrame
    columns : sequence of column names
    name : str, what to call the table
    hint : str, optional, the fix to suggest

    Returns
    -------
    None

    Raises
    ------
    InputError
        Naming the missing columns and listing those present.

    Examples
    --------
    >>> require_columns(pd.DataFrame({'a': [1]}), ['a'])
    """
    missing = []
    for c in columns:
        try:
            present = c in df.columns
        except TypeError:          # an unhashable column name
            present = False
        if not present:
            missing.append(c)
    if missing:
        fix = hint or "pass the right name with the matching *_col argument"
        raise InputError(f"{name} has no column {', '.join(label(m) for m in missing)}; the columns present are "
                         f"{list(map(str, df.columns))}. Fix: rename the column, or {fix}.")


def to_series(values, name: str) -> pd.Series:
    """Turn a list, array or Series into a non-empty Series, refusing tables and scalars.

    Parameters
    ----------
    values : list, array or Series
    name : str, the argument's name

    Returns
    -------
    Series

    Raises
    ------
    InputError
        For a DataFrame, a scalar, None, or an empty sequence.

    Examples
    --------
    >>> to_series([9, 10], 'scores').tolist()
    [9, 10]
    """
    if isinstance(values, pd.DataFrame):
        raise InputError(f"{name} must be one column of values, got a DataFrame with columns "
                         f"{list(values.columns)}; pass one column, for example df['score'].")
    if values is None or np.isscalar(values) or np.ndim(values) != 1:
        raise InputError(f"{name} must be a list, array or Series of values, got {values!r}.")
    series = values if isinstance(values, pd.Series) else pd.Series(
        values if isinstance(values, np.ndarray) else list(values))
    if len(series) == 0:
        raise InputError(f"{name} is empty; pass at least one value.")
    return series


def require_numeric(series: pd.Series, column: str) -> pd.Series:
    """Check that a column holds numbers (missing values allowed) and return it as float.

    Parameters
    ----------
    series : Series
    column : str

    Returns
    -------
    Series of float

    Raises
    ------
    InputError
        For text that is not a number, booleans, or infinite values.

    Examples
    --------
    >>> require_numeric(pd.Series(['1.5', None]), 'amount').tolist()
    [1.5, nan]
    """
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        parsed = pd.to_numeric(series, errors="coerce")
        bad = series[parsed.isna() & series.notna()]
        if len(bad) or pd.api.types.is_bool_dtype(series):
            shown = bad.unique() if len(bad) else series.unique()
            raise InputError(f"column {column!r} must hold numbers; found {preview(shown)}"
                             + (f" (first at row {label(bad.index[0])})" if len(bad) else "")
                             + ". Fix: clean those values, or convert with pd.to_numeric.")
        series = parsed
    values = series.astype(float)
    infinite = np.isinf(values.to_numpy())
    if infinite.any():
        raise InputError(f"column {column!r} has {int(infinite.sum())} infinite value(s) (first at row "
                         f"{_first(values, infinite)}). Fix: correct them.")
    return values


def require_nonnegative(series: pd.Series, column: str, fix: str = "correct the sign") -> None:
    """Check that no value in a numeric column is negative.

    Parameters
    ----------
    series : Series of numbers
    column : str
    fix : str, what to do about it

    Returns
    -------
    None

    Raises
    ------
    InputError
        Counting the negative values and naming the first row.

    Examples
    --------
    >>> require_nonnegative(pd.Series([0.0, 2.5]), 'amount')
    """
    negative = series.to_numpy() < 0
    if negative.any():
        raise InputError(f"column {column!r} has {int(negative.sum())} negative value(s): "
                         f"{preview(series[negative].tolist())} (first at row {_first(series, negative)}). Fix: {fix}.")


def require_unique(series: pd.Series, column: str, fix: str) -> None:
    """Check that a column has no repeated values.

    Parameters
    ----------
    series : Series
    column : str
    fix : str

    Returns
    -------
    None

    Raises
    ------
    InputError
        Listing the repeated values.

    Examples
    --------
    >>> require_unique(pd.Series(['a', 'b']), 'customer_id', 'keep one row per customer.')
    """
    dup = series[series.duplicated(keep=False)]
    if len(dup):
        raise InputError(f"column {column!r} has repeated values: {preview(pd.unique(dup))}. Fix: {fix}")


def require_complete(series: pd.Series, column: str, fix: str) -> None:
    """Check that a column has no missing values.

    Parameters
    ----------
    series : Series
    column : str
    fix : str

    Returns
    -------
    None

    Raises
    ------
    InputError
        Counting the missing values and naming the first row.

    Examples
    --------
    >>> require_complete(pd.Series([1, 2]), 'customer_id', 'fill them.')
    """
    missing = series.isna().to_numpy()
    if missing.any():
        raise InputError(f"column {column!r} is empty in {int(missing.sum())} row(s) (first: row "
                         f"{_first(series, missing)}); {fix}")


def require_ids(series: pd.Series, column: str) -> None:
    """Customer ids: none missing, all of one type (``1`` and ``"1"`` would be two customers).

    Parameters
    ----------
    series : Series
    column : str

    Returns
    -------
    None

    Raises
    ------
    InputError
        For a missing id or ids of mixed types.

    Examples
    --------
    >>> require_ids(pd.Series(['S1', 'S2']), 'customer_id')
    """
    require_complete(series, column, "every row needs a customer id; fill or remove those rows explicitly.")
    if series.dtype == object:
        kind = pd.api.types.infer_dtype(series, skipna=False)
        if kind.startswith("mixed"):
            types = sorted({type(v).__name__ for v in series.iloc[:100_000]})
            raise InputError(f"column {column!r} mixes types of id ({', '.join(types)}), so 1 and '1' would count as "
                             f"two customers. Fix: convert the column to one type, for example "
                             f"df[{column!r}].astype(str).")


def require_labels(series: pd.Series, column: str) -> None:
    """Group labels: none missing, so that no row vanishes from a grouped result.

    Parameters
    ----------
    series : Series
    column : str

    Returns
    -------
    None

    Raises
    ------
    InputError
        For a missing label, with the fix.

    Examples
    --------
    >>> require_labels(pd.Series(['basic', 'pro']), 'plan')
    """
    require_complete(series, column, f"a row without a label would vanish from the groups. Fix: fill them "
                                     f"(df[{column!r}].fillna('unknown')) or filter those rows out explicitly.")


def as_flag(series: pd.Series, column: str, flag_values: Mapping | None = None) -> pd.Series:
    """A True/False column: booleans, 0/1, or any values mapped by ``flag_values``; nothing else.

    ``"Yes"``/``"No"``, ``2`` or a missing value are refused rather than read as True (which is
    what ``astype(bool)`` would do). ``flag_values={"Yes": True, "No": False}`` maps text.

    Parameters
    ----------
    series : Series
    column : str
    flag_values : dict, optional, from each value to True or False

    Returns
    -------
    Series of bool

    Raises
    ------
    InputError
        For values that are not booleans or 0/1 (without a mapping), missing values, or values the
        mapping does not cover.

    Examples
    --------
    >>> as_flag(pd.Series(["Yes", "No"]), "Churn", {"Yes": True, "No": False}).tolist()
    [True, False]
    """
    if flag_values is not None:
        if not isinstance(flag_values, Mapping) or not all(isinstance(v, (bool, np.bool_)) for v in flag_values.values()):
            raise InputError(f"flag_values={flag_values!r} must map each value of column {column!r} to True or False, "
                             f"for example {{'Yes': True, 'No': False}}.")
        mapped = series.map(dict(flag_values))
        unmapped = mapped.isna().to_numpy()
        if unmapped.any():
            raise InputError(f"column {column!r} has values that flag_values does not map: "
                             f"{preview(pd.unique(series[unmapped]))} (first at row {_first(series, unmapped)}). "
                             f"Fix: add them to flag_values, or remove those rows explicitly.")
        return mapped.astype(bool)
    require_complete(series, column, "a missing flag is neither True nor False. Fix: fill or remove those rows.")
    if pd.api.types.is_bool_dtype(series):
        return series.astype(bool)
    if pd.api.types.is_numeric_dtype(series):
        other = ~series.isin([0, 1]).to_numpy()
        if not other.any():
            return series.astype(bool)
        shown = pd.unique(series[other])
    else:
        shown = pd.unique(series)
    raise InputError(f"column {column!r} must hold True/False or 0/1; found {preview(shown)}. Fix: pass "
                     f"flag_values={{...: True, ...: False}} (for example {{'Yes': True, 'No': False}}), or compare: "
                     f"df[{column!r}] == 'Yes'.")
