"""Did a fix reduce its theme's items? Items of the theme before and after the fix, against the other themes
over the same weeks (a difference-in-differences of rates), and item counts per period for the figure."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..metrics.rates import z_value
from ..results import MetricResult
from ..validation import (Confidence, InputError, Real, as_datetime, as_timestamp, label, period_numbers,
                          period_starts, preview, require_columns, require_frame, require_time_unit, validate)
from .items import item_labels

__all__ = ["item_counts", "fix_effect"]


def _created(items, datetime_col):
    require_frame(items, "items")
    require_columns(items, [datetime_col], "items", "pass the creation time's column as datetime_col")
    created, zone = as_datetime(items[datetime_col], datetime_col)
    if created.isna().any():
        raise InputError(f"column {datetime_col!r} is empty in {int(created.isna().sum())} row(s) "
                         f"({preview(items.index[created.isna().to_numpy()])}); every item needs its creation time.")
    return created, zone


def item_counts(items: pd.DataFrame, themes, *, time_unit: str = "month", datetime_col: str = "created_at") -> pd.DataFrame:
    """Items per calendar period and theme (a period with no item of a theme counts 0).

    Parameters
    ----------
    items : DataFrame, one row per item
    themes : str or Series, the theme of each item (a column of ``items`` or a Series indexed like it)
    time_unit : str, default "month" (weeks start on Monday)
    datetime_col : str, default "created_at"

    Returns
    -------
    DataFrame indexed by the period's first day, one column per theme; ``attrs["time_unit"]``.

    Raises
    ------
    InputError
        For a missing column, missing times or themes, or a time unit the kit does not know.

    Examples
    --------
    >>> items = pd.DataFrame({"created_at": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-03-02"]),
    ...                       "theme": ["sync", "billing", "sync"]})
    >>> item_counts(items, "theme").to_dict("list")
    {'billing': [1, 0, 0], 'sync': [1, 0, 1]}
    """
    time_unit = require_time_unit(time_unit)
    created, _ = _created(items, datetime_col)
    theme = item_labels(items, themes)
    number = period_numbers(created, time_unit)
    table = pd.crosstab(number, theme.to_numpy()).reindex(np.arange(number.min(), number.max() + 1), fill_value=0)
    table.index = period_starts(table.index, time_unit).rename("period")
    table.columns.name = "theme"
    table.attrs["time_unit"] = time_unit
    return table


@validate(window_days=Real(low=0, closed="neither", none=True, hint="It is in days, for example 91."),
          confidence=Confidence())
def fix_effect(items: pd.DataFrame, themes, theme, fix_date, *, comparison=None, window_days=None,
               observation_period_start=None, observation_period_end=None, datetime_col: str = "created_at",
               confidence: float = 0.95) -> MetricResult:
    """The change in a theme's item rate after its fix, beyond the change the comparison themes had (DiD of rates).

    With a (b) items of the theme in the period before (after) the fix and c (d) items of the
    comparison themes, the theme's rate changed by the factor (b / T_after) / (a / T_before) and
    the comparison's by (d / T_after) / (c / T_before); the fix's estimate is their ratio,
    R = (b c) / (a d) (the periods' lengths cancel), reported as the change R - 1, a
    difference-in-differences of log rates. Interval (counts taken as Poisson):
    exp(log R +/- z sqrt(1/a + 1/b + 1/c + 1/d)) - 1. It assumes that without the fix the theme
    would have followed the comparison's trend (parallel trends): check it on the periods before.
    The before-and-after change of the theme alone (``naive_change``) credits the fix with every
    change all themes had.

    Parameters
    ----------
    items : DataFrame, one row per item
    themes : str or Series, the theme of each item
    theme : the fixed theme
    fix_date : date, the first day with the fix; before = [start, fix_date), after = [fix_date, end)
    comparison : list of themes, optional, default every other theme (leave out themes with fixes of
        their own in the same periods)
    window_days : float, optional, the length of each period (default: all the data on each side)
    observation_period_start, observation_period_end : dates, optional, the data's span (default
        midnight of the first item's day, midnight after the last item's)
    datetime_col : str, default "created_at"
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"fix_effect"``, a fraction: -0.4 is 40% fewer items than the trend implies)
    with ``ci``, ``se`` (of log R) and parts ``naive_change``, ``comparison_change``, ``before``,
    ``after``, ``comparison_before``, ``comparison_after`` (counts), ``days_before``,
    ``days_after``, ``comparison`` (themes).

    Raises
    ------
    InputError
        For missing columns or labels, an unknown theme, a fix date outside the data, an empty
        comparison, or a count of 0 in one of the four cells.

    Examples
    --------
    >>> days = pd.to_datetime(["2025-01-10"] * 20 + ["2025-03-10"] * 10 + ["2025-01-10"] * 40 + ["2025-03-10"] * 40)
    >>> items = pd.DataFrame({"created_at": days, "theme": ["sync"] * 30 + ["login"] * 80})
    >>> r = fix_effect(items, "theme", "sync", "2025-02-01", observation_period_start="2025-01-01",
    ...                observation_period_end="2025-04-01")
    >>> round(r.value, 3), round(r.naive_change, 3)     # (10 x 40) / (20 x 40) - 1; (10 / 59) / (20 / 31) - 1
    (-0.5, -0.737)
    """
    created, zone = _created(items, datetime_col)
    labels = item_labels(items, themes)
    known = set(pd.unique(labels))
    if theme not in known:
        raise InputError(f"theme={label(theme)} is not a theme of the items ({preview(sorted(known, key=str))}).")
    others = sorted(known - {theme}, key=str) if comparison is None else list(comparison)
    unknown = [t for t in others if t not in known or t == theme]
    if unknown or not others:
        raise InputError(f"comparison={comparison!r} must list other themes of the items "
                         f"({preview(sorted(known - {theme}, key=str))}).")
    start = (created.min().normalize() if observation_period_start is None
             else as_timestamp(observation_period_start, "observation_period_start", zone))
    end = (created.max().normalize() + pd.Timedelta(days=1) if observation_period_end is None
           else as_timestamp(observation_period_end, "observation_period_end", zone))
    fix = as_timestamp(fix_date, "fix_date", zone)
    if not start < fix < end:
        raise InputError(f"fix_date={fix.date()} must fall inside the data, after {start.date()} and before "
                         f"{end.date()}: a fix needs items before and after it.")
    if window_days is not None:
        start, end = max(start, fix - pd.Timedelta(days=window_days)), min(end, fix + pd.Timedelta(days=window_days))
    before = ((created >= start) & (created < fix)).to_numpy()
    after = ((created >= fix) & (created < end)).to_numpy()
    is_theme, is_comparison = (labels == theme).to_numpy(), labels.isin(others).to_numpy()
    a, b = int((is_theme & before).sum()), int((is_theme & after).sum())
    c, d = int((is_comparison & before).sum()), int((is_comparison & after).sum())
    if min(a, b, c, d) == 0:
        raise InputError(f"a period has no item: {a} and {b} item(s) of {label(theme)} and {c} and {d} of the "
                         f"comparison before and after {fix.date()}; widen the window or the comparison.")
    t_before, t_after = (fix - start) / pd.Timedelta(days=1), (end - fix) / pd.Timedelta(days=1)
    log_ratio = math.log(b * c / (a * d))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    half = z_value(confidence) * se
    return MetricResult(
        kind="fix_effect", name=f"Change in {theme} items after the fix, beyond the comparison's", unit="fraction",
        value=math.exp(log_ratio) - 1, formula="(b c) / (a d) - 1; interval exp(log R +/- z sqrt(1/a + 1/b + 1/c + 1/d)) - 1",
        parts=dict(naive_change=(b / t_after) / (a / t_before) - 1, comparison_change=(d / t_after) / (c / t_before) - 1,
                   before=a, after=b, comparison_before=c, comparison_after=d, days_before=t_before,
                   days_after=t_after, comparison=others),
        se=se, ci=(math.exp(log_ratio - half) - 1, math.exp(log_ratio + half) - 1), confidence=confidence)
