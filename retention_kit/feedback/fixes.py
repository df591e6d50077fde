"""Did a fix reduce its theme's items? Items of the theme before and after the fix, against the other themes
over the same weeks (a difference-in-differences of rates), and item counts per period for the figure."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..metrics.rates import z_value
from ..results import MetricResult
from ..validation import (Confidence, InputError, Integer, Real, as_datetime, as_timestamp, label, period_numbers,
                          period_starts, preview, require_columns, require_frame, require_time_unit, validate)
from .items import item_labels

__all__ = ["item_counts", "fix_effect", "fix_event_study"]

MONTH_DAYS = 365.25 / 12


def _created(items, datetime_col):
    require_frame(items, "items")
    require_columns(items, [datetime_col], "items", "pass the creation time's column as datetime_col")
    created, zone = as_datetime(items[datetime_col], datetime_col)
    if created.isna().any():
        raise InputError(f"column {datetime_col!r} is empty in {int(created.isna().sum())} row(s) "
                         f"({preview(items.index[created.isna().to_numpy()])}); every item needs its creation time.")
    return created, zone


def _setup(items, themes, theme, fix_date, comparison, observation_period_start, observation_period_end,
           datetime_col):
    """The checks fix_effect and fix_event_study share: times, labels, the comparison, the span and the fix."""
    created, zone = _created(items, datetime_col)
    labels = item_labels(items, themes)
    known = set(pd.unique(labels))
    if theme not in known:
        raise InputError(f"theme={label(theme)} is not a theme of the items ({preview(sorted(known, key=str))}).")
    if comparison is None:
        raise InputError(f"comparison is required: list the themes no fix touched over the same periods, from "
                         f"{preview(sorted(known - {theme}, key=str))}. A theme with a fix of its own in the comparison "
                         f"makes the fixed theme look worse than it is.")
    others = [comparison] if isinstance(comparison, str) else list(comparison)
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
    return created, labels, others, start, end, fix


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
    comparison : list of themes, required: the themes no fix touched over the same periods (a theme
        with a fix of its own in the comparison makes the fixed theme look worse than it is)
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
        For missing columns or labels, an unknown theme, a fix date outside the data, a missing or
        empty comparison, or a count of 0 in one of the four cells.

    Examples
    --------
    >>> days = pd.to_datetime(["2025-01-10"] * 20 + ["2025-03-10"] * 10 + ["2025-01-10"] * 40 + ["2025-03-10"] * 40)
    >>> items = pd.DataFrame({"created_at": days, "theme": ["sync"] * 30 + ["login"] * 80})
    >>> r = fix_effect(items, "theme", "sync", "2025-02-01", comparison=["login"],
    ...                observation_period_start="2025-01-01", observation_period_end="2025-04-01")
    >>> round(r.value, 3), round(r.naive_change, 3)     # (10 x 40) / (20 x 40) - 1; (10 / 59) / (20 / 31) - 1
    (-0.5, -0.737)
    """
    created, labels, others, start, end, fix = _setup(items, themes, theme, fix_date, comparison,
                                                      observation_period_start, observation_period_end, datetime_col)
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


@validate(period_days=Real(low=1, hint="It is in days, for example 30.4375 for a month."), reference=Integer(high=-1),
          confidence=Confidence())
def fix_event_study(items: pd.DataFrame, themes, theme, fix_date, *, comparison=None, period_days: float = MONTH_DAYS,
                    reference: int = -1, observation_period_start=None, observation_period_end=None,
                    datetime_col: str = "created_at", confidence: float = 0.95) -> pd.DataFrame:
    """The theme's items against the comparison's, period by period around the fix (an event study).

    Time is cut into periods of ``period_days`` counted from the fix: period k covers
    [fix + k L, fix + (k + 1) L), so period -1 ends the day before the fix and period 0 starts on it
    (an edge piece shorter than half a period joins its neighbour: no item is left out). With a_k
    and c_k the items of the theme and of the comparison in period k, and r the ``reference``
    period, the estimate is log(a_k / c_k) - log(a_r / c_r): how far the theme's share moved
    against the comparison since period r, with the interval +/- z sqrt(1/a_k + 1/c_k + 1/a_r +
    1/c_r) (counts taken as Poisson), also given as a change, exp(.) - 1. Periods before the fix
    are placebos, one per period: under parallel trends they scatter around 0, and their intervals
    say how large a pre-trend they could detect (a wide interval that includes 0 is no evidence of
    parallel trends; with many periods, some interval will miss 0 by chance). Periods after the
    fix show the fix's effect, and whether it grew or faded.

    Parameters
    ----------
    items : DataFrame, one row per item
    themes : str or Series, the theme of each item
    theme : the fixed theme
    fix_date : date, the first day with the fix
    comparison : list of themes, required (the themes no fix touched over the same periods)
    period_days : float, default 30.4375 (a month)
    reference : int, default -1 (the period just before the fix)
    observation_period_start, observation_period_end : dates, optional, as in :func:`fix_effect`
    datetime_col : str, default "created_at"
    confidence : float, default 0.95

    Returns
    -------
    DataFrame indexed by ``period`` (k): ``period_start``, ``period_end``, ``theme_items``,
    ``comparison_items``, ``log_ratio``, ``se``, ``ci_low``, ``ci_high`` (of the log ratio),
    ``change``, ``change_low``, ``change_high`` (exp(.) - 1; the reference row is 0 with no
    interval); ``attrs``: ``theme``, ``comparison``, ``fix_date``, ``reference``, ``period_days``,
    ``confidence``.

    Raises
    ------
    InputError
        As :func:`fix_effect`; and for a reference period outside the data or without items.

    Examples
    --------
    >>> days = pd.to_datetime(["2025-01-05"] * 10 + ["2025-01-20"] * 10 + ["2025-02-05"] * 5
    ...                       + ["2025-01-06"] * 20 + ["2025-01-21"] * 20 + ["2025-02-06"] * 20)
    >>> items = pd.DataFrame({"created_at": days, "theme": ["sync"] * 25 + ["login"] * 60})
    >>> t = fix_event_study(items, "theme", "sync", "2025-02-01", comparison=["login"], period_days=14,
    ...                     observation_period_start="2025-01-04", observation_period_end="2025-02-08")
    >>> t["theme_items"].tolist(), [round(float(x), 3) for x in t["change"]]     # (5 / 20) / (10 / 20) - 1
    ([10, 10, 5], [0.0, 0.0, -0.5])
    """
    created, labels, others, start, end, fix = _setup(items, themes, theme, fix_date, comparison,
                                                      observation_period_start, observation_period_end, datetime_col)
    length = pd.Timedelta(days=period_days)
    first = math.floor((start - fix) / length)
    last = math.ceil((end - fix) / length) - 1
    if (fix + first * length - start) / length < -0.5 and first < -1:      # a short piece at the start joins the next
        first += 1
    if (end - (fix + last * length)) / length < 0.5 and last > 0:          # and one at the end the previous
        last -= 1
    inside = ((created >= start) & (created < end)).to_numpy()
    k = np.clip(np.floor((created - fix) / length).to_numpy(), first, last)
    is_theme, is_comparison = (labels == theme).to_numpy() & inside, labels.isin(others).to_numpy() & inside
    periods = np.arange(first, last + 1)
    a = pd.Series(k[is_theme]).value_counts().reindex(periods, fill_value=0).to_numpy()
    c = pd.Series(k[is_comparison]).value_counts().reindex(periods, fill_value=0).to_numpy()
    if reference not in periods or not a[periods == reference][0] or not c[periods == reference][0]:
        raise InputError(f"reference={reference} must be a period before the fix with items of both the theme and "
                         f"the comparison; the data cover periods {first} to -1 before it.")
    ar, cr = a[periods == reference][0], c[periods == reference][0]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log(a / c) - math.log(ar / cr)
        se = np.sqrt(1 / a + 1 / c + 1 / ar + 1 / cr)
    usable = (a > 0) & (c > 0)
    log_ratio, se = np.where(usable, log_ratio, np.nan), np.where(usable, se, np.nan)
    is_ref = periods == reference
    log_ratio[is_ref], se[is_ref] = 0.0, np.nan
    half = z_value(confidence) * se
    bounds_start = [max(start, fix + int(p) * length) if p > first else start for p in periods]
    bounds_end = [min(end, fix + (int(p) + 1) * length) if p < last else end for p in periods]
    table = pd.DataFrame({"period_start": bounds_start, "period_end": bounds_end, "theme_items": a,
                          "comparison_items": c, "log_ratio": log_ratio, "se": se, "ci_low": log_ratio - half,
                          "ci_high": log_ratio + half}, index=pd.Index(periods, name="period"))
    for column, source in (("change", "log_ratio"), ("change_low", "ci_low"), ("change_high", "ci_high")):
        table[column] = np.expm1(table[source])
    table.attrs.update(theme=theme, comparison=others, fix_date=fix, reference=reference, period_days=period_days,
                       confidence=confidence)
    return table
