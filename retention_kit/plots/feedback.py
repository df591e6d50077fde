"""Figures of customer feedback loops (lesson 11): themes against known labels, drivers of a score, service
times, items over time with the fixes, and estimates of a gap with their intervals.

Each function takes a table or results the kit computed first and everything else by keyword, draws on ``ax``
(a new figure when None) and returns it. Nothing here computes a metric: pass the kit's results in.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..results import MetricResult
from ..validation import InputError
from ._common import ORANGE, RED, TEAL, _axes, _columns, _level

__all__ = ["theme_crosstab", "theme_drivers", "service_levels", "items_over_time", "gap_estimates", "fix_event_study"]

THEME_COLOURS = [TEAL, ORANGE, RED, "#30638e", "#6a4c93", "#8d6e63", "#2a9d8f", "#999999"]


def theme_crosstab(crosstab: pd.DataFrame, *, row_names=None, ax=None, title="Found themes against known labels"):
    """Each found theme's items by known label, as shares of the row (``theme_agreement(...).crosstab``).

    A found theme that is one known label has one dark cell in its row; a theme spread over a row
    mixes labels.

    Parameters
    ----------
    crosstab : DataFrame of counts, found themes (rows) x known labels (columns)
    row_names : dict, optional, a label per found theme (such as ``"0: invoice, charged"``)
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For something that is not a table of non-negative counts.

    Examples
    --------
    >>> t = pd.DataFrame({"billing": [9, 1], "sync": [1, 9]}, index=[0, 1])
    >>> theme_crosstab(t).images[0].get_array().tolist()
    [[90.0, 10.0], [10.0, 90.0]]
    """
    if not isinstance(crosstab, pd.DataFrame) or crosstab.empty or (crosstab.to_numpy() < 0).any():
        raise InputError("crosstab must be a table of counts, found themes x known labels, such as "
                         "theme_agreement(...).crosstab.")
    shares = 100 * crosstab.div(crosstab.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
    rows = [(row_names or {}).get(i, str(i)) for i in shares.index]
    ax = _axes(ax, (7, 0.4 * len(shares) + 1.6))
    values = shares.to_numpy(dtype=float)
    # imshow and a text per cell: the same picture as seaborn's annotated heatmap at a third of the time
    ax.imshow(values, cmap="Blues", vmin=0, vmax=100, aspect="auto")
    for (r, c), v in np.ndenumerate(values):
        ax.text(c, r, f"{v:.0f}", ha="center", va="center", fontsize="small", color="white" if v > 60 else "black")
    ax.set_xticks(np.arange(values.shape[1]), [str(c) for c in shares.columns], rotation=30, ha="right")
    ax.set_yticks(np.arange(values.shape[0]), rows)
    ax.set(title=title, xlabel=f"{crosstab.columns.name or 'known label'} (% of the row)",
           ylabel=crosstab.index.name or "found theme")
    return ax


def theme_drivers(table: pd.DataFrame, *, planted=None, planted_label: str = "planted", ax=None, title=None):
    """Each theme's difference in score (raised minus not) with its interval, and the planted value when known.

    Draws ``rk.feedback.theme_drivers`` (``difference``) or ``rk.feedback.adjusted_drivers``
    (``effect``): a dot and a bar per theme, a line at zero (no difference), crosses at the
    ``planted`` values.

    Parameters
    ----------
    table : DataFrame indexed by theme with ``difference`` or ``effect``, ``ci_low`` and ``ci_high``
    planted : dict, optional, the true value per theme, on the scale of the estimates
    planted_label : str, default "planted", the legend's name for the crosses
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without those columns.

    Examples
    --------
    >>> t = pd.DataFrame({"difference": [-2.0, 0.1], "ci_low": [-2.5, -0.3], "ci_high": [-1.5, 0.5]},
    ...                  index=["sync", "login"])
    >>> theme_drivers(t).lines[0].get_xdata().tolist()
    [-2.0, 0.1]
    """
    column = "effect" if isinstance(table, pd.DataFrame) and "effect" in table.columns else "difference"
    _columns(table, [column, "ci_low", "ci_high"])
    ax = _axes(ax, (7, 0.45 * len(table) + 1.4))
    y = np.arange(len(table))
    x = table[column].to_numpy(dtype=float)
    level = _level(table.attrs.get("confidence"))
    ax.plot(x, y, "o", color=TEAL, label="estimate")
    ax.errorbar(x, y, xerr=[x - table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float) - x], fmt="none",
                ecolor=TEAL, capsize=3, label=f"{level} interval".strip())
    if planted is not None:
        ax.plot([planted.get(t, np.nan) for t in table.index], y, "x", color=RED, ms=8, mew=2, label=planted_label)
    ax.axvline(0, color="grey", ls=":")
    ax.set_yticks(y, [str(t) for t in table.index])
    score = table.attrs.get("score_col", "score")
    score = score.upper() if str(score).lower() in ("nps", "csat") else score
    unit = "NPS points" if table.attrs.get("metric") == "nps" else f"mean {score}"
    what = "others alike held fixed" if column == "effect" else "raised minus not raised"
    ax.set(xlabel=f"difference in {unit} ({what})", title=title or f"Themes and {score}")
    ax.legend(frameon=False, fontsize="small")
    ax.grid(axis="x", alpha=0.3)
    return ax


def service_levels(table: pd.DataFrame, *, measure: str = "resolution", ax=None, title=None):
    """Median time to first response or to resolution per group, with intervals, beside the resolved items' median
    and mean.

    The bar is the Kaplan-Meier median (open items counted as still waiting); a median not reached
    (infinite: fewer than half the items were done by the end) draws no bar but the words "median
    not reached". For resolution, a dot marks the median of the resolved items alone (the open
    ones dropped: too short) and a diamond their mean (pulled up by a few long waits).

    Parameters
    ----------
    table : DataFrame from ``rk.feedback.service_times``
    measure : "resolution" (days, default) or "first_response" (hours)
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For another measure or a table without its columns.

    Examples
    --------
    >>> t = pd.DataFrame({"resolution_days": [2.0, 6.0], "resolution_low": [1.5, 5.0], "resolution_high": [2.5, 7.0],
    ...                   "mean_days_resolved": [3.0, 11.0]}, index=["billing", "sync"])
    >>> [float(p.get_width()) for p in service_levels(t).patches]
    [2.0, 6.0]
    """
    units = {"resolution": ("resolution_days", "days"), "first_response": ("first_response_hours", "hours")}
    if measure not in units:
        raise InputError(f"measure={measure!r} must be one of 'resolution', 'first_response'.")
    column, unit = units[measure]
    low, high = column.rsplit("_", 1)[0] + "_low", column.rsplit("_", 1)[0] + "_high"
    _columns(table, [column, low, high])
    ax = _axes(ax, (7, 0.45 * len(table) + 1.4))
    y = np.arange(len(table))
    median = table[column].to_numpy(float)
    reached = np.isfinite(median)
    ax.barh(y, np.where(reached, median, 0.0), color=TEAL, alpha=0.8, label="median (open items counted)")
    lows, highs = table[low].to_numpy(float)[reached], table[high].to_numpy(float)[reached]
    upper = np.where(np.isfinite(highs), highs, median[reached])           # an open-ended interval: no upper whisker
    ax.errorbar(median[reached], y[reached], xerr=[median[reached] - lows, upper - median[reached]], fmt="none",
                ecolor="black", capsize=3, label=f"{_level(table.attrs.get('confidence'))} interval".strip())
    if measure == "resolution" and "median_days_resolved" in table.columns:
        ax.plot(table["median_days_resolved"].to_numpy(float), y, "o", color=ORANGE, mec="black",
                label="median of the resolved only")
    if measure == "resolution" and "mean_days_resolved" in table.columns:
        ax.plot(table["mean_days_resolved"].to_numpy(float), y, "D", color=RED, label="mean of the resolved only")
    for row in y[~reached]:
        ax.annotate("median not reached", (0, row), xytext=(4, 0), textcoords="offset points", va="center",
                    fontsize="small")
    ax.set_yticks(y, [str(t) for t in table.index])
    ax.set(xlabel=f"time to {measure.replace('_', ' ')} ({unit})", title=title or f"Time to {measure.replace('_', ' ')}")
    ax.legend(frameon=False, fontsize="small")
    ax.grid(axis="x", alpha=0.3)
    return ax


def items_over_time(counts: pd.DataFrame, *, fixes=None, ax=None, title="Items per period, by theme"):
    """Items per period for each theme (``rk.feedback.item_counts``), with a dashed line at each fix.

    Parameters
    ----------
    counts : DataFrame indexed by period start, one column per theme
    fixes : dict, optional, from theme to the fix's date (or to (date, anything))
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table not indexed by dates, or a fix of a theme the table does not have.

    Examples
    --------
    >>> c = pd.DataFrame({"sync": [10, 4], "login": [8, 7]}, index=pd.to_datetime(["2025-01-01", "2025-02-01"]))
    >>> ax = items_over_time(c, fixes={"sync": "2025-01-15"})
    >>> ax.lines[0].get_ydata().tolist(), len(ax.lines)
    ([10, 4], 3)
    """
    if not isinstance(counts, pd.DataFrame) or not isinstance(counts.index, pd.DatetimeIndex):
        raise InputError("counts must be a DataFrame indexed by the periods' first days, such as item_counts(...).")
    fixes = dict(fixes or {})
    unknown = [t for t in fixes if t not in counts.columns]
    if unknown:
        raise InputError(f"fixes names theme(s) {unknown} that counts has no column for ({list(counts.columns)}).")
    ax = _axes(ax, (8, 4))
    colours = {t: THEME_COLOURS[i % len(THEME_COLOURS)] for i, t in enumerate(counts.columns)}
    for theme in counts.columns:
        ax.plot(counts.index, counts[theme].to_numpy(), "o-", ms=3, color=colours[theme], label=str(theme),
                lw=2.2 if theme in fixes else 1.2)
    for theme, when in fixes.items():
        day = pd.Timestamp(when[0] if isinstance(when, (tuple, list)) else when)
        ax.axvline(day, color=colours[theme], ls="--", lw=1)
        ax.annotate(f"{theme} fix", (day, ax.get_ylim()[1]), xytext=(3, -12), textcoords="offset points",
                    color=colours[theme], fontsize="small")
    unit = counts.attrs.get("time_unit", "period")
    ax.set(ylabel=f"items per {unit}", title=title, ylim=(0, None))
    ax.legend(frameon=False, fontsize="small", ncol=3)
    ax.grid(alpha=0.3)
    return ax


def gap_estimates(estimates: dict, *, planted=None, ax=None, title="Estimates with their intervals"):
    """Several estimates of one quantity, each with its interval, in percentage points, and the planted value.

    Parameters
    ----------
    estimates : dict from a label to a MetricResult with a fraction ``value`` and ``ci``
    planted : float, optional, the true value (a fraction)
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For an empty dict or a value that is not a result with an interval.

    Examples
    --------
    >>> from retention_kit.metrics import proportion_difference
    >>> ax = gap_estimates({"naive": proportion_difference(60, 100, 40, 100)}, planted=0.1)
    >>> [round(float(x), 6) for x in ax.lines[0].get_xdata()]
    [20.0]
    """
    if not isinstance(estimates, dict) or not estimates:
        raise InputError("estimates must be a dict from a label to a result with an interval, such as "
                         "{'naive': loop_gap(...)}.")
    bad = [k for k, v in estimates.items() if not isinstance(v, MetricResult) or v.ci is None]
    if bad:
        raise InputError(f"estimates[{bad[0]!r}] is not a result with an interval (a MetricResult with ci).")
    ax = _axes(ax, (7, 0.5 * len(estimates) + 1.5))
    labels = list(estimates)
    y = np.arange(len(labels))[::-1]
    x = np.array([100 * estimates[k].value for k in labels])
    low = np.array([100 * estimates[k].ci[0] for k in labels])
    high = np.array([100 * estimates[k].ci[1] for k in labels])
    level = _level(next(iter(estimates.values())).confidence)
    ax.plot(x, y, "o", color=TEAL, label="estimate")
    ax.errorbar(x, y, xerr=[x - low, high - x], fmt="none", ecolor=TEAL, capsize=3, label=f"{level} interval".strip())
    if planted is not None:
        ax.axvline(100 * planted, color=RED, ls="--", label="planted")
    ax.axvline(0, color="grey", ls=":")
    ax.set_yticks(y, labels)
    ax.set(xlabel="percentage points", title=title)
    ax.legend(frameon=False, fontsize="small")
    ax.grid(axis="x", alpha=0.3)
    return ax


def fix_event_study(table: pd.DataFrame, *, planted=None, ax=None, title=None):
    """A fixed theme against its comparison, period by period around the fix (``rk.feedback.fix_event_study``).

    A dot and its interval per period (the change of the theme's items relative to the
    comparison's since the reference period, in percent), an open circle at the reference (0 by
    definition), a dashed line where the fix shipped, a dotted line at no change and, when given,
    the planted change after the fix as a red line.

    Parameters
    ----------
    table : DataFrame from ``rk.feedback.fix_event_study``
    planted : float, optional, the true change after the fix (a fraction: -0.45 for 45% fewer)
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without the columns it draws.

    Examples
    --------
    >>> t = pd.DataFrame({"change": [0.1, 0.0, -0.4], "change_low": [-0.2, np.nan, -0.6],
    ...                   "change_high": [0.5, np.nan, -0.1]}, index=pd.Index([-2, -1, 0], name="period"))
    >>> [float(x) for x in fix_event_study(t).lines[0].get_ydata()]
    [10.0, -40.0]
    """
    _columns(table, ["change", "change_low", "change_high"])
    ax = _axes(ax, (7, 3.5))
    k = table.index.to_numpy(dtype=float)
    value = 100 * table["change"].to_numpy(float)
    low, high = 100 * table["change_low"].to_numpy(float), 100 * table["change_high"].to_numpy(float)
    has = np.isfinite(low) & np.isfinite(high)
    level = _level(table.attrs.get("confidence"))
    ax.plot(k[has], value[has], "o", color=TEAL, label="estimate")
    ax.errorbar(k[has], value[has], yerr=[(value - low)[has], (high - value)[has]], fmt="none", ecolor=TEAL, capsize=3,
                label=f"{level} interval".strip())
    ax.plot(k[~has], value[~has], "o", mfc="white", color=TEAL, label="reference (0 by definition)")
    ax.axvline(-0.5, color="grey", ls="--", lw=1)
    ax.axhline(0, color="grey", ls=":")
    if planted is not None:
        after = k[k >= 0]
        ax.plot([-0.5, after.max() + 0.5] if len(after) else [], [100 * planted] * (2 if len(after) else 0), "-",
                color=RED, lw=1.5, label="planted")
    theme = table.attrs.get("theme", "the theme")
    days = table.attrs.get("period_days")
    unit = "months" if days is not None and abs(days - 365.25 / 12) < 1e-9 else "periods"
    ax.set(xlabel=f"{unit} from the fix (the fix ships at the dashed line)",
           ylabel="change against the comparison (%)", title=title or f"{theme}: items against the comparison themes")
    ax.set_xticks(k)
    ax.legend(frameon=False, fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    return ax
