"""The instructor's dashboard: one business's retention metrics over time, by segment, for live demos.

A thin layer over tested functions, like every explorer: :func:`dashboard_view` computes with
``rk.metrics.metric_over_time`` (and ``rk.metrics.proportion_difference`` for the change on a year
earlier) and draws with ``rk.plots.metric_over_time``; :func:`retention_dashboard` adds the controls.
``make dashboard`` serves it with Voila (``dashboards/retention_dashboard.ipynb``).
"""
from __future__ import annotations

import math

import ipywidgets as w
import pandas as pd

from . import plots
from .explorer import Explorer
from .metrics import OVER_TIME_METRICS, metric_over_time, proportion_difference, z_value
from .validation import InputError, require_columns

__all__ = ["dashboard_view", "retention_dashboard", "EVERYONE"]

EVERYONE = "everyone"
PER_YEAR = {"month": 12, "quarter": 4, "year": 1}
_STYLE = {"description_width": "110px"}


def _segment_label(segment) -> str:
    return EVERYONE if segment is None else f"{segment[0]} = {segment[1]}"


def dashboard_view(subscriptions: pd.DataFrame, metric: str = "churn rate", time_unit: str = "quarter",
                   segment=None, *, confidence: float = 0.95, ax=None, table=None):
    """Text and plot of one metric over time for one segment; returns (text, ax).

    The text gives the last complete period's value and, for the same period a year earlier, the value and
    the change: for rates the difference of two shares with its interval (Newcombe's, which treats the two
    periods as independent samples although they share customers: approximate, and said so); for new
    customers the difference of two Poisson counts, a - b +/- z sqrt(a + b); customers at the start are a
    count of every customer, with no sampling interval.

    Parameters
    ----------
    subscriptions : DataFrame as for ``rk.metrics.metric_over_time``
    metric, time_unit, segment : as for ``rk.metrics.metric_over_time``
    confidence : float, default 0.95
    ax : matplotlib Axes, optional
    table : the result of ``rk.metrics.metric_over_time`` for these settings, optional (computed when None)

    Returns
    -------
    (str, matplotlib Axes)

    Raises
    ------
    InputError
        As ``rk.metrics.metric_over_time``.

    Examples
    --------
    Six customers join in December 2021; one leaves in 2022, two in 2023 (a seventh joins in 2024, so 2023 is
    complete). 2023: 2 lost of 5, 2022: 1 of 6.

    >>> subs = pd.DataFrame({"customer_id": list("abcdefg"),
    ...                      "start_date": pd.to_datetime(["2021-12-01"] * 6 + ["2024-01-10"]),
    ...                      "end_date": pd.to_datetime(["2022-05-01", "2023-02-01", "2023-05-01"] + [None] * 4)})
    >>> dashboard_view(subs, "churn rate", "year")[0]
    'churn rate, everyone, 2023: 40.00% (95% interval 11.76% to 76.93%; 5 customers at the start); 2022: 16.67%, a change of +23.33 points (95% interval -25.37 to +62.71, approximate: the two periods share customers)'
    """
    table = metric_over_time(subscriptions, metric, time_unit=time_unit, segment=segment,
                             confidence=confidence) if table is None else table
    ax = plots.metric_over_time(table, ax=ax, title=f"{metric}, {_segment_label(segment)}, by {time_unit}")
    last = table.iloc[-1]
    level = f"{100 * confidence:g}%"
    head = f"{metric}, {_segment_label(segment)}, {last['period']}: "
    earlier = table.iloc[-1 - PER_YEAR[time_unit]] if len(table) > PER_YEAR[time_unit] else None
    if metric in ("churn rate", "retention rate"):
        if last["at_start"] == 0:
            return head + "no customers at the start of the period", ax
        text = (head + f"{last['value']:.2%} ({level} interval {last['ci_low']:.2%} to {last['ci_high']:.2%}; "
                f"{int(last['at_start']):,} customers at the start)")
        if earlier is not None and earlier["at_start"] > 0:
            events = (lambda row: row["lost"] if metric == "churn rate" else row["at_start"] - row["lost"])
            change = proportion_difference(int(events(last)), int(last["at_start"]), int(events(earlier)),
                                           int(earlier["at_start"]), confidence=confidence)
            text += (f"; {earlier['period']}: {earlier['value']:.2%}, a change of {100 * change.value:+.2f} points "
                     f"({level} interval {100 * change.ci[0]:+.2f} to {100 * change.ci[1]:+.2f}, approximate: the "
                     f"two periods share customers)")
        return text, ax
    text = head + f"{int(last['value']):,}"
    if earlier is not None:
        a, b = int(last["value"]), int(earlier["value"])
        text += f"; {earlier['period']}: {b:,}, a change of {a - b:+,}"
        if metric == "new customers":           # arrivals: Poisson counts, the difference's SE is sqrt(a + b)
            half = z_value(confidence) * math.sqrt(a + b)
            text += f" ({level} interval {a - b - half:+,.0f} to {a - b + half:+,.0f}, as Poisson counts)"
        else:
            text += " (every customer counted: no sampling interval)"
    return text, ax


def retention_dashboard(subscriptions: pd.DataFrame, segment_cols=("plan",), *, confidence: float = 0.95) -> Explorer:
    """Controls for metric, period and segment -> the metric over time, with the last period against a year before.

    Parameters
    ----------
    subscriptions : DataFrame as for ``rk.metrics.metric_over_time``
    segment_cols : columns whose values are offered as segments (besides everyone)
    confidence : float, default 0.95

    Returns
    -------
    Explorer

    Raises
    ------
    InputError
        For a segment column that is missing, and as ``rk.metrics.metric_over_time``.

    Examples
    --------
    >>> import retention_kit as rk
    >>> dash = retention_dashboard(rk.datasets.load_saas_subscriptions())
    >>> dash.controls["metric"].value = "new customers"
    >>> dash.label.value.startswith("<b>new customers, everyone, 2025Q4: ")
    True
    """
    if isinstance(segment_cols, str):
        raise InputError(f"segment_cols={segment_cols!r} is one string; it takes a sequence of column names. Fix: "
                         f"segment_cols=({segment_cols!r},).")
    require_columns(subscriptions, list(segment_cols), "subscriptions")
    segments = [(EVERYONE, EVERYONE)] + [(f"{c} = {v}", (c, v)) for c in segment_cols
                                         for v in sorted(subscriptions[c].dropna().unique(), key=str)]
    if len(segments) > 50:
        raise InputError(f"segment_cols={segment_cols!r} offer {len(segments) - 1} segments; a menu of more than 50 "
                         "cannot be read. Fix: pass columns with a few values each, such as ('plan',).")
    controls = dict(
        metric=w.Dropdown(options=list(OVER_TIME_METRICS), value="churn rate", description="metric", style=_STYLE),
        time_unit=w.ToggleButtons(options=["month", "quarter", "year"], value="quarter", description="period",
                                  style={**_STYLE, "button_width": "80px"}),
        segment=w.Dropdown(options=segments, value=EVERYONE, description="segment", style=_STYLE))
    tables = {}                                    # each setting is computed once, then only redrawn

    def view(ax, metric, time_unit, segment):
        segment = None if segment == EVERYONE else segment
        key = (metric, time_unit, segment)
        if key not in tables:
            tables[key] = metric_over_time(subscriptions, metric, time_unit=time_unit, segment=segment,
                                           confidence=confidence)
        return dashboard_view(subscriptions, metric, time_unit, segment, confidence=confidence, ax=ax,
                              table=tables[key])

    return Explorer(view, controls, title="Retention dashboard")
