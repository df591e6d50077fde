"""How fast the team answers: time to first response and to resolution, counting the items still open, and the
share resolved within a target."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..metrics.rates import proportion
from ..validation import (Confidence, InputError, Real, as_datetime, as_timestamp, preview, require_columns,
                          require_frame, validate, warn_data)
from .items import item_labels

__all__ = ["service_times"]


def _times(items, columns, observation_period_end):
    require_frame(items, "items")
    require_columns(items, columns, "items", "pass the right names with created_col, first_response_col, resolved_col")
    (created, zone), (first, _), (resolved, _) = (as_datetime(items[c], c) for c in columns)
    if created.isna().any():
        raise InputError(f"column {columns[0]!r} is empty in {int(created.isna().sum())} row(s) "
                         f"({preview(items.index[created.isna().to_numpy()])}); every item needs its creation time.")
    for values, column in ((first, columns[1]), (resolved, columns[2])):
        early = (values < created).to_numpy()
        if early.any():
            raise InputError(f"column {column!r} is before {columns[0]!r} in {int(early.sum())} row(s) "
                             f"({preview(items.index[early])}); correct those times.")
    last = pd.concat([created, first, resolved]).max()
    end = (last.normalize() + pd.Timedelta(days=1) if observation_period_end is None
           else as_timestamp(observation_period_end, "observation_period_end", zone))
    if (created >= end).any():
        raise InputError(f"{int((created >= end).sum())} item(s) were created at or after observation_period_end="
                         f"{end.date()}; pass a later end, or leave those items out explicitly.")
    late = ((first >= end) | (resolved >= end)).to_numpy()
    if late.any():
        warn_data(f"service_times: {int(late.sum())} item(s) have a response or resolution at or after "
                  f"observation_period_end={end.date()}; counted as not yet answered or resolved by then.")
        first, resolved = first.where(first < end), resolved.where(resolved < end)
    return created, first, resolved, end


def _median(duration: pd.Series, done: pd.Series, group: pd.Series, confidence: float) -> pd.DataFrame:
    from ..survival import kaplan_meier, median_lifetime
    life = pd.DataFrame({"duration": duration.to_numpy(), "done": done.to_numpy(), "group": group.to_numpy()})
    curves = kaplan_meier(life, by="group", duration_col="duration", event_col="done", confidence=confidence)
    rows = {}
    for key, fitter in curves.items():
        m = median_lifetime(fitter)
        rows[key] = (m.value, m.ci[0], m.ci[1])
    return pd.DataFrame(rows, index=["median", "low", "high"]).T


@validate(target_days=Real(low=0, closed="neither", hint="It is in days, for example 7."), confidence=Confidence())
def service_times(items: pd.DataFrame, *, by=None, target_days: float = 7.0, observation_period_end=None,
                  created_col: str = "created_at", first_response_col: str = "first_response_at",
                  resolved_col: str = "resolved_at", confidence: float = 0.95) -> pd.DataFrame:
    """Median time to first response and to resolution, with intervals, and the share resolved within a target.

    Items still waiting at ``observation_period_end`` (exclusive; default midnight after the last
    time in the table) are counted, not dropped: their waits so far are censored durations, and the
    medians are Kaplan-Meier medians, the first t with S(t) <= 0.5, where S(t) is the share still
    waiting after t (intervals from lifelines' Greenwood bands). The median of the resolved items
    alone (``median_days_resolved``) leaves out the longest waits and is too short; the mean of the
    resolved (``mean_days_resolved``) is pulled up by a few very long ones: both are shown to compare.
    Within target = resolved within ``target_days`` of creation / items created at least
    ``target_days`` before the end (those whose target has passed), with a Wilson interval.

    Parameters
    ----------
    items : DataFrame, one row per item, with the three times (NaT while not yet)
    by : str or Series, optional, a column of ``items`` or a label per item (themes); default one row "all"
    target_days : float, default 7.0
    observation_period_end : date, optional
    created_col, first_response_col, resolved_col : str
    confidence : float, default 0.95

    Returns
    -------
    DataFrame indexed by group: ``items``, ``open`` (not resolved), ``first_response_hours``,
    ``first_response_low``, ``first_response_high``, ``resolution_days``, ``resolution_low``,
    ``resolution_high``, ``median_days_resolved``, ``mean_days_resolved``, ``target_items``, ``within_target``
    (a fraction), ``within_target_low``, ``within_target_high``; ``attrs``: ``target_days``,
    ``observation_period_end``, ``confidence``. A median not reached is infinite.

    Raises
    ------
    InputError
        For missing columns, times that are not dates, a response or resolution before creation,
        items created at or after the end, or missing group labels.

    Examples
    --------
    >>> items = pd.DataFrame({"created_at": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-01-02"]),
    ...                       "first_response_at": pd.to_datetime(["2025-01-01 02:00", "2025-01-01 04:00", None]),
    ...                       "resolved_at": pd.to_datetime(["2025-01-03", "2025-01-06", None])})
    >>> t = service_times(items, target_days=3, observation_period_end="2025-01-10")
    >>> row = t.loc["all"]
    >>> int(row["open"]), float(row["first_response_hours"]), float(row["resolution_days"]), round(float(row["within_target"]), 3)
    (1, 4.0, 5.0, 0.333)
    """
    created, first, resolved, end = _times(items, [created_col, first_response_col, resolved_col],
                                           observation_period_end)
    group = pd.Series("all", index=items.index) if by is None else item_labels(items, by, "by")
    waited = (end - created).dt.total_seconds()
    reply = _median((first.fillna(end) - created).dt.total_seconds() / 3600, first.notna(), group, confidence)
    fix = _median((resolved.fillna(end) - created).dt.total_seconds() / 86400, resolved.notna(), group, confidence)
    days = (resolved - created).dt.total_seconds() / 86400
    eligible = waited >= target_days * 86400
    met = eligible & (days <= target_days)
    grouped = pd.DataFrame({"group": group.to_numpy(), "open": resolved.isna().to_numpy(), "days": days.to_numpy(),
                            "eligible": eligible.to_numpy(), "met": met.to_numpy()})
    table = grouped.groupby("group", sort=True).agg(items=("open", "size"), open=("open", "sum"),
                                                     median_days_resolved=("days", "median"),
                                                     mean_days_resolved=("days", "mean"),
                                                     target_items=("eligible", "sum"), met=("met", "sum"))
    table["first_response_hours"], table["first_response_low"], table["first_response_high"] = (
        reply.reindex(table.index)[c] for c in ("median", "low", "high"))
    table["resolution_days"], table["resolution_low"], table["resolution_high"] = (
        fix.reindex(table.index)[c] for c in ("median", "low", "high"))
    shares = [proportion(int(k), int(n), confidence=confidence) if n else None
              for k, n in zip(table["met"], table["target_items"])]
    table["within_target"] = [s.value if s else np.nan for s in shares]
    table["within_target_low"] = [s.ci[0] if s else np.nan for s in shares]
    table["within_target_high"] = [s.ci[1] if s else np.nan for s in shares]
    table = table.astype({"open": int, "target_items": int}).rename_axis("by" if by is None or not isinstance(by, str)
                                                                        else by)
    table.attrs.update(target_days=target_days, observation_period_end=end, confidence=confidence)
    return table[["items", "open", "first_response_hours", "first_response_low", "first_response_high",
                  "resolution_days", "resolution_low", "resolution_high", "median_days_resolved", "mean_days_resolved",
                  "target_items",
                  "within_target", "within_target_low", "within_target_high"]]
