"""Figures of survey metrics: NPS and CSAT (lessons 01 and 02).

Each function takes its data first and everything else by keyword, draws on ``ax`` (a new figure
when None) and returns it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator, PercentFormatter

from ..metrics.nps import nps_category
from ..validation import InputError
from ._common import CATEGORY_COLOURS, TEAL, _axes, _columns, _level

__all__ = ["score_distribution", "nps_waves", "nps_interval_width", "rates_with_intervals", "rating_distribution"]


def score_distribution(scores, *, ax=None, title="How likely are you to recommend us? (0-10)"):
    """Bar chart of 0-10 answers, coloured detractor / passive / promoter (skipped answers left out).

    Parameters
    ----------
    scores : 0-10 scores (list, array or Series)
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    Nothing of its own.

    Examples
    --------
    >>> ax = score_distribution([10, 9, 3, None])
    >>> [int(p.get_height()) for p in ax.patches][3], [int(p.get_height()) for p in ax.patches][9:]
    (1, [1, 1])
    """
    ax = _axes(ax)
    counts = pd.Series(np.asarray(scores, dtype=float)).dropna().astype(int).value_counts().reindex(range(11), fill_value=0)
    colours = [CATEGORY_COLOURS[c] for c in nps_category(np.arange(11))]
    ax.bar(counts.index, counts.to_numpy(), color=colours)
    ax.set(xticks=range(11), xlabel="score", ylabel="responses", title=title)
    ax.legend(handles=[Patch(color=c, label=name) for name, c in CATEGORY_COLOURS.items()], frameon=False,
              loc="upper left")
    return ax


def nps_waves(results: dict, *, ax=None, title=None):
    """Point and interval for each labelled NPS result (``{"wave 1": rk.nps(...), ...}``).

    Parameters
    ----------
    results : dict from a label to a result of ``rk.nps``
    ax : matplotlib Axes, optional
    title : str, optional; default names the results' confidence level

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    Nothing of its own.

    Examples
    --------
    >>> import retention_kit as rk
    >>> nps_waves({"wave 1": rk.nps([10, 9, 3, 8]), "wave 2": rk.nps([10, 9, 9, 8])}).get_title()
    'NPS by survey wave, with 95% intervals'
    """
    ax = _axes(ax, (6, 3.5))
    labels = list(results)
    values = np.array([results[k].value for k in labels])
    low = values - np.array([results[k].ci[0] for k in labels])
    high = np.array([results[k].ci[1] for k in labels]) - values
    ax.errorbar(range(len(labels)), values, yerr=[low, high], fmt="o", capsize=6, color=TEAL)
    for i, v in enumerate(values):
        ax.annotate(f"{v:.2f}", (i, v), textcoords="offset points", xytext=(10, -4))
    level = _level(results[labels[0]].confidence)
    ax.set(xticks=range(len(labels)), xticklabels=labels, ylabel="NPS (points)",
           title=title if title is not None else f"NPS by survey wave, with {level} intervals",
           xlim=(-0.5, len(labels) - 0.5))
    ax.axhline(0, color="grey", lw=0.8)
    return ax


def nps_interval_width(sizes, half_widths: dict, *, confidence: float = 0.95, ax=None, title=None):
    """Lines of interval half-width against the number of responses (log scale), one per labelled scenario.

    Parameters
    ----------
    sizes : numbers of responses
    half_widths : dict from a label to the half-widths at ``sizes``
    confidence : float, the level the half-widths were computed at (for the title)
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    Nothing of its own.

    Examples
    --------
    >>> ax = nps_interval_width([100, 1000], {"worst case": [9.8, 3.1]})
    >>> ax.lines[0].get_ydata().tolist(), ax.get_title()
    ([9.8, 3.1], 'Half-width of a 95% NPS interval')
    """
    ax = _axes(ax)
    for label, widths in half_widths.items():
        ax.plot(sizes, widths, label=label)
    ax.set(xscale="log", xlabel="responses (log scale)", ylabel="+/- NPS points",
           title=title if title is not None else f"Half-width of a {_level(confidence)} NPS interval")
    # powers of ten written as plain numbers (1,000), no minor ticks: easier to read, and a third faster to
    # redraw in an explorer (matplotlib's default log ticks are typeset and rebuilt at every draw)
    low, high = np.log10(np.min(sizes)), np.log10(np.max(sizes))
    ticks = 10.0 ** np.arange(np.ceil(low), np.floor(high) + 1)
    ax.xaxis.set_major_locator(FixedLocator(ticks if len(ticks) >= 2 else [np.min(sizes), np.max(sizes)]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:,.0f}"))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    return ax


def rates_with_intervals(table: pd.DataFrame, *, value_col: str = "rate", low_col: str = "ci_low",
                         high_col: str = "ci_high", unit: str = "fraction", ax=None, title: str = "",
                         xlabel: str = "", colour: str = TEAL):
    """Horizontal bars of a rate per group with interval whiskers (``rk.rate_by``, ``rk.csat_by``, ``rk.churn_rate_by``).

    Parameters
    ----------
    table : DataFrame indexed by group, with the value and interval columns
    value_col, low_col, high_col : str
    unit : "fraction" (0-1, as ``rate_by``) or "%" (0-100, as ``csat_by``); the axis shows percent
    ax : matplotlib Axes, optional
    title, xlabel : str
        The x label ends with the intervals' level, read from ``table.attrs["confidence"]``.
    colour : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without the columns it draws.

    Examples
    --------
    >>> table = pd.DataFrame({"rate": [0.2], "ci_low": [0.1], "ci_high": [0.3]}, index=["basic"])
    >>> [float(p.get_width()) for p in rates_with_intervals(table).patches]
    [20.0]
    """
    _columns(table, [value_col, low_col, high_col])
    if unit not in ("fraction", "%"):
        raise InputError(f"unit={unit!r} must be 'fraction' (values from 0 to 1) or '%' (0 to 100).")
    ax = _axes(ax, (7, 0.6 * len(table) + 1.5))
    scale = 100.0 if unit == "fraction" else 1.0
    labels = [", ".join(map(str, i)) if isinstance(i, tuple) else str(i) for i in table.index]
    values = scale * table[value_col].to_numpy(dtype=float)
    err = [values - scale * table[low_col].to_numpy(dtype=float), scale * table[high_col].to_numpy(dtype=float) - values]
    ax.barh(labels, values, xerr=err, color=colour, alpha=0.85, capsize=4)
    right = values + err[1]
    for y, (v, r) in enumerate(zip(values, right)):
        ax.text(r + 0.01 * right.max(), y, f" {v:.1f}%", va="center", ha="left")
    level = _level(table.attrs.get("confidence"))
    whiskers = f"whiskers: {level} intervals" if level else "whiskers: intervals"
    ax.set(title=title, xlabel=f"{xlabel} ({whiskers})" if xlabel else whiskers, xlim=(0, 1.15 * right.max()))
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    return ax


def rating_distribution(ratings, *, scale=5, satisfied=(4, 5), ax=None, title="Satisfaction ratings"):
    """Bar chart of 1..scale ratings, the satisfied ones highlighted (skipped ratings left out).

    Parameters
    ----------
    ratings : whole ratings from 1 to ``scale``
    scale : int, default 5
    satisfied : ratings to highlight, default (4, 5)
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    Nothing of its own.

    Examples
    --------
    >>> ax = rating_distribution([5, 4, 4, 1])
    >>> [int(p.get_height()) for p in ax.patches]
    [1, 0, 0, 2, 1]
    """
    ax = _axes(ax, (6, 3.5))
    counts = pd.Series(np.asarray(ratings, dtype=float)).dropna().astype(int).value_counts().reindex(
        range(1, scale + 1), fill_value=0)
    ax.bar(counts.index, counts.to_numpy(), color=[TEAL if k in satisfied else "#bbbbbb" for k in counts.index])
    ax.set(xticks=range(1, scale + 1), xlabel="rating", ylabel="responses", title=title)
    return ax
