"""Figures of the real-data lesson (13): the proportional-hazards check, and a difference within strata."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from ..validation import InputError
from ._common import ORANGE, TEAL, _axes, _columns, _level

__all__ = ["log_minus_log", "stratified_differences"]


def _log_ticks(low: float, high: float) -> list[float]:
    """Round times from exp(low) to exp(high): 1, 2, 3, 5 per power of ten, fewer over a wide span (at most 8)."""
    t_low, t_high = math.exp(low), math.exp(high)
    for steps in ((1, 2, 3, 5), (1, 2, 5), (1,)):
        ticks = [m * 10.0 ** k for k in range(math.floor(math.log10(t_low)), math.floor(math.log10(t_high)) + 1)
                 for m in steps if t_low * (1 - 1e-9) <= m * 10.0 ** k <= t_high * (1 + 1e-9)]
        if len(ticks) <= 8:
            break
    return ticks or [t_low]


def log_minus_log(fitters: dict, *, ax=None, title="Proportional hazards? log(-log S) against log time",
                  xlabel: str | None = None):
    """log(-log S(t)) against log t for each Kaplan-Meier curve: parallel lines if the hazards are proportional.

    Under proportional hazards, h_g(t) = h_0(t) exp(b_g), so S_g(t) = S_0(t)^exp(b_g) and
    log(-log S_g(t)) = log(-log S_0(t)) + b_g: the groups' curves are the same curve shifted up or
    down. Curves that converge, diverge or cross show a hazard ratio that changes with time.
    Points where S is 0 or 1 (log undefined) and t = 0 are left out. The x ticks are round
    times (1, 2, 3, 5, 10, ...) within the times drawn, in the durations' unit.

    Parameters
    ----------
    fitters : dict from a group's value to a fitted KaplanMeierFitter (``rk.survival.kaplan_meier``)
    ax : matplotlib Axes, optional
    title : str
    xlabel : str, optional; default the durations' time unit, on a log scale

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For an empty dict or a curve with no point strictly between 0 and 1 after t = 0.

    Examples
    --------
    >>> import retention_kit as rk
    >>> life = pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "churned": True})
    >>> line = log_minus_log(rk.survival.kaplan_meier(life)).lines[0]
    >>> [round(float(v), 3) for v in line.get_ydata()]        # S = 0.75, 0.5, 0.25 at t = 1, 2, 3
    [-1.246, -0.367, 0.327]
    """
    if not isinstance(fitters, dict) or not fitters:
        raise InputError("fitters must be a non-empty dict of fitted Kaplan-Meier curves (rk.survival.kaplan_meier).")
    ax = _axes(ax)
    for name, fitter in fitters.items():
        sf = fitter.survival_function_.iloc[:, 0]
        keep = (sf.index > 0) & (sf > 0) & (sf < 1)
        if not keep.any():
            raise InputError(f"the curve of {name!r} has no point with 0 < S(t) < 1 after t = 0: nobody churned, or "
                             f"everyone at once; it has no slope to compare.")
        ax.step(np.log(sf.index[keep].to_numpy(dtype=float)), np.log(-np.log(sf[keep].to_numpy())), where="post",
                label=str(name))
    unit = getattr(next(iter(fitters.values())), "time_unit", None)
    ticks = _log_ticks(min(min(line.get_xdata()) for line in ax.lines[-len(fitters):]),
                       max(max(line.get_xdata()) for line in ax.lines[-len(fitters):]))
    ax.set_xticks(np.log(ticks), [f"{t:g}" for t in ticks])
    default = f"time ({unit}s, log scale)" if unit else "time (log scale)"
    ax.set(xlabel=xlabel if xlabel is not None else default, ylabel="log(-log S(t))", title=title)
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return ax


def stratified_differences(table: pd.DataFrame, *, pooled: dict | None = None, ax=None,
                           title="The difference within each stratum", xlabel="difference"):
    """A forest plot: each stratum's difference of two shares with its interval, and pooled estimates below.

    Each row of ``table`` is a point at its ``difference`` with a whisker from ``ci_low`` to
    ``ci_high``, in percentage points (a difference of fractions times 100); the marker's area
    grows with ``customers`` when that column is there (a legend shows the smallest and largest
    stratum's marker). ``pooled`` adds diamonds for summary
    estimates (``rk.metrics.stratified_difference``, or any result with ``value`` and ``ci``),
    under a line. A vertical line marks no difference.

    Parameters
    ----------
    table : DataFrame indexed by stratum (a tuple index is joined with ", "), with ``difference``,
        ``ci_low``, ``ci_high`` (fractions) and optionally ``customers``
    pooled : dict from a label to a result with ``value`` and ``ci``, optional
    ax : matplotlib Axes, optional
    title, xlabel : str
        The x label ends with the intervals' level, from ``table.attrs["confidence"]``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without the columns it draws, or an empty table.

    Examples
    --------
    >>> t = pd.DataFrame({"difference": [0.2, -0.05], "ci_low": [0.1, -0.15], "ci_high": [0.3, 0.05]},
    ...                  index=["a", "b"])
    >>> [round(float(x), 1) for x in stratified_differences(t).collections[0].get_offsets()[:, 0]]
    [20.0, -5.0]
    """
    _columns(table, ["difference", "ci_low", "ci_high"])
    if table.empty:
        raise InputError("table has no stratum to draw.")
    pooled = dict(pooled or {})
    rows = len(table) + len(pooled)
    ax = _axes(ax, (7, 0.35 * rows + 1.6))
    labels = [", ".join(map(str, i)) if isinstance(i, tuple) else str(i) for i in table.index]
    y = np.arange(len(table))[::-1] + len(pooled) + (1 if pooled else 0)
    values = 100 * table["difference"].to_numpy(dtype=float)
    low, high = 100 * table["ci_low"].to_numpy(dtype=float), 100 * table["ci_high"].to_numpy(dtype=float)
    if "customers" in table.columns:
        n = table["customers"].to_numpy(dtype=float)
        sizes = 15 + 150 * n / n.max()
    else:
        sizes = np.full(len(table), 40.0)
    ax.scatter(values, y, s=sizes, color=TEAL, zorder=3)
    if "customers" in table.columns:              # a legend for the marker's area: the smallest and largest strata
        handles = [Line2D([], [], ls="", marker="o", color=TEAL, markersize=math.sqrt(15 + 150 * count / n.max()),
                          label=f"{count:,} customers") for count in sorted({int(n.min()), int(n.max())})]
        ax.legend(handles=handles, title="marker area", frameon=False, loc="best", fontsize="small",
                  title_fontsize="small")
    ax.hlines(y, low, high, color=TEAL, lw=1.5)
    ticks, names = list(y), labels
    for i, (name, result) in enumerate(pooled.items()):
        yy = len(pooled) - 1 - i
        lo, hi = (100 * v for v in result.ci)
        ax.hlines(yy, lo, hi, color=ORANGE, lw=2)
        ax.scatter([100 * result.value], [yy], marker="D", s=70, color=ORANGE, zorder=3)
        ticks.append(yy)
        names = names + [str(name)]
    if pooled:
        ax.axhline(len(pooled), color="grey", lw=0.6)
    ax.axvline(0, color="grey", lw=0.8, ls="--")
    ax.set_yticks(ticks, names)
    level = _level(table.attrs.get("confidence"))
    ax.set(title=title, xlabel=f"{xlabel} ({level + ' ' if level else ''}intervals)", ylim=(-0.7, max(ticks) + 0.7))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+.0f} pts" if v else "0"))
    ax.grid(axis="x", alpha=0.3)
    return ax
