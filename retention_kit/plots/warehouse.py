"""Figures of lesson 08: what the quality checks found, and how far the raw exports put each metric off."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, NullFormatter

from ..validation import InputError
from ._common import ORANGE, RED, TEAL, _axes, _columns

__all__ = ["quality_findings", "raw_vs_clean"]


def quality_findings(report: pd.DataFrame, *, ax=None, title="What the quality checks found"):
    """Horizontal bars of findings per export and fault, on a log scale (one fault can flag every row).

    Parameters
    ----------
    report : DataFrame from ``rk.warehouse.quality_report`` (``table``, ``fault``; one row per finding)
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without ``table`` and ``fault``.

    Examples
    --------
    >>> r = pd.DataFrame({"table": ["crm", "crm", "usage"], "fault": ["id_format", "id_format", "orphan"]})
    >>> [float(p.get_width()) for p in quality_findings(r).patches]
    [1.0, 2.0]
    """
    _columns(report, ["table", "fault"], "report")
    counts = report.groupby(["table", "fault"]).size().sort_index(ascending=False)
    ax = _axes(ax, size=(7, max(2.0, 0.32 * len(counts) + 1)))
    labels = [f"{table}: {fault.replace('_', ' ')}" for table, fault in counts.index]
    ax.barh(labels, counts.to_numpy(), color=TEAL)
    for y, n in enumerate(counts.to_numpy()):
        ax.annotate(f"{n:,}", (n, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    if len(counts):
        ax.set_xscale("log")
        ax.set_xlim(0.8, counts.max() * 4)
    ax.set(xlabel="rows flagged (log scale)", title=title)
    return ax


def raw_vs_clean(table: pd.DataFrame, *, ax=None, title="Each metric from the raw exports, relative to the single view"):
    """Bars of raw value / single-view value per metric, from 1 (no error) on a log scale, coloured by the error.

    Parameters
    ----------
    table : DataFrame indexed by metric with columns ``raw`` and ``single view`` (numbers)
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without the two columns, or a single-view value of zero or less (no ratio).
        A raw value of 0 is drawn at 1/1000 and labelled "x0 (no match)".

    Examples
    --------
    >>> t = pd.DataFrame({"raw": [200.0, 10.0], "single view": [2.0, 10.0]}, index=["revenue", "customers"])
    >>> [round(float(p.get_x() + p.get_width()), 2) for p in raw_vs_clean(t).patches]
    [100.0, 1.0]
    """
    _columns(table, ["raw", "single view"])
    clean = table["single view"].astype(float)
    if (clean <= 0).any():
        raise InputError(f"table has a single-view value of {clean[clean <= 0].iloc[0]} for "
                         f"{clean[clean <= 0].index[0]!r}: a ratio needs positive values. Plot such a metric "
                         "(an NPS below zero) as a difference instead.")
    ratio = table["raw"].astype(float) / clean
    shown = ratio.clip(lower=1e-3)          # a raw value of 0 (a join that matched nothing) drawn at 1/1000
    ax = _axes(ax, size=(7, max(2.0, 0.4 * len(ratio) + 1)))
    kinds = ["no error (within 0.5%)", "off by less than 10%", "off by 10% or more"]
    kind = [0 if np.isclose(r, 1, rtol=0.005) else (2 if abs(np.log(r)) > np.log(1.1) else 1) for r in shown]
    colours = [(TEAL, ORANGE, RED)[k] for k in kind]
    # bars grow from 1 (no error) to the ratio: right for too high, left for too low
    names = [str(i) for i in ratio.index]
    ax.barh(names, shown.to_numpy() - 1, left=1, color=colours)
    ax.scatter(shown.to_numpy(), names, color=colours, s=24, zorder=3)       # visible where the bar is a sliver
    for y, (r, x) in enumerate(zip(ratio.to_numpy(), shown.to_numpy())):
        note = "x0 (no match)" if r == 0 else f"x{r:,.3g}"
        # too high: beside the bar's end; too low: just left of the line at 1, where the label has room
        ax.annotate(note, (x if x >= 1 else 1, y), xytext=(3 if x >= 1 else -3, 0), textcoords="offset points",
                    va="center", ha="left" if x >= 1 else "right", fontsize=8)
    handles = [Patch(color=(TEAL, ORANGE, RED)[k], label=kinds[k]) for k in sorted(set(kind))]
    ax.set_xscale("log")
    # plain tick labels: the default log labels are typeset as mathematics, which costs an explorer a tenth of a second
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.axvline(1, color="black", lw=0.8)
    ax.set_xlim(min(0.5, shown.min() / 8), max(2.0, shown.max() * 4))
    ax.invert_yaxis()
    ax.legend(handles=handles, frameon=False, fontsize=8, loc="lower right")
    ax.set(xlabel="raw / single view (log scale; 1 = no error)", title=title)
    return ax
