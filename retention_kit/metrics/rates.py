"""Proportions with intervals: the share of a group in which something happened."""
from __future__ import annotations

import math

import pandas as pd
from scipy import stats

from ..validation import InputError, require_columns, require_frame

__all__ = ["wilson_interval", "rate_by"]


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``successes / n``.

    centre = (p + z^2 / 2n) / (1 + z^2 / n);  half-width = z sqrt(p(1 - p)/n + z^2 / 4n^2) / (1 + z^2 / n).
    Unlike p +/- z SE it stays inside [0, 1] and behaves for small n and p near 0 or 1.

    Example
    -------
    >>> tuple(round(x, 4) for x in wilson_interval(8, 10))
    (0.4902, 0.9433)
    """
    if not 0 < confidence < 1:
        raise InputError(f"confidence={confidence!r} must be between 0 and 1, for example 0.95.")
    if n <= 0 or not 0 <= successes <= n:
        raise InputError(f"need 0 <= successes <= n and n > 0; got successes={successes!r}, n={n!r}.")
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(centre - half, 0.0), min(centre + half, 1.0)


def rate_by(frame: pd.DataFrame, by, outcome: str, *, confidence: float = 0.95) -> pd.DataFrame:
    """Share of rows where a True/False ``outcome`` is True, per group, with Wilson intervals.

    Returns one row per group: ``n``, ``events``, ``rate`` (a fraction), ``ci_low``,
    ``ci_high``. Rows with a missing group or outcome are refused, not dropped.

    Example
    -------
    >>> df = pd.DataFrame({"support": ["yes", "yes", "no", "no"], "churned": [False, False, True, False]})
    >>> rate_by(df, "support", "churned")["rate"].to_dict()
    {'no': 0.5, 'yes': 0.0}
    """
    require_frame(frame, "frame")
    keys = [by] if isinstance(by, str) else list(by)
    require_columns(frame, keys + [outcome], "frame")
    for col in keys + [outcome]:
        if frame[col].isna().any():
            raise InputError(f"column {col!r} has {int(frame[col].isna().sum())} missing value(s); fill or filter "
                             f"them explicitly so that no row is dropped silently.")
    values = frame[outcome]
    if not pd.api.types.is_bool_dtype(values):
        if not set(pd.unique(values)) <= {0, 1}:
            raise InputError(f"column {outcome!r} must be True/False (or 0/1); found {sorted(map(str, pd.unique(values)))[:5]}. "
                             f"Fix: compare it, for example frame[{outcome!r}] == 'Yes'.")
    grouped = frame.groupby(keys, observed=True)[outcome].agg(n="size", events="sum")
    grouped["events"] = grouped["events"].astype(int)
    grouped["rate"] = grouped["events"] / grouped["n"]
    bounds = [wilson_interval(e, n, confidence) for e, n in zip(grouped["events"], grouped["n"])]
    grouped["ci_low"] = [b[0] for b in bounds]
    grouped["ci_high"] = [b[1] for b in bounds]
    return grouped
