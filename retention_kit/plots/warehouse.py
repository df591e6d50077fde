"""Figures of lesson 08: what the quality checks found, and how far the raw exports put each metric off."""
from __future__ import annotations

import numpy as np
import pandas as pd
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
    """Bars of raw value / single-view value per metric, on a log scale around 1 (no error).

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
        A raw value of 0 is drawn at 1/1000 and labelled x0.

    Examples
    --------
    >>> t = pd.DataFrame({"raw": [200.0, 10.0], "single view": [2.0, 10.0]}, index=["revenue", "customers"])
    >>> [round(float(p.get_width()), 2) for p in raw_vs_clean(t).patches]
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
    colours = [TEAL if np.isclose(r, 1, rtol=0.005) else (RED if abs(np.log(r)) > np.log(1.1) else ORANGE)
               for r in shown]
    ax.barh([str(i) for i in ratio.index], shown.to_numpy(), color=colours)
    for y, (r, x) in enumerate(zip(ratio.to_numpy(), shown.to_numpy())):
        ax.annotate(f"x{r:,.3g}", (x, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_xscale("log")
    # plain tick labels: the default log labels are typeset as mathematics, which costs an explorer a tenth of a second
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.axvline(1, color="black", lw=0.8)
    ax.set_xlim(min(0.5, shown.min() / 2), max(2.0, shown.max() * 4))
    ax.invert_yaxis()
    ax.set(xlabel="raw / single view (log scale; 1 = no error)", title=title)
    return ax
