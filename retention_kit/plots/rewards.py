"""Figures of the rewards-app case study: each offer's effect by segment, completions against completions caused,
visits and spend by month in the program, and the value of offer policies.

Each function takes a table (or results) the kit computed first and everything else by keyword, draws on ``ax`` (a
new figure when None) and returns it. Nothing here computes: pass the kit's tables in.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, PercentFormatter

from ..results import MetricResult
from ..validation import InputError
from ._common import ORANGE, RED, TEAL, _axes, _columns, _level

__all__ = ["offer_effects", "completion_bars", "tenure_curves", "policy_bars"]


def _dollars(value, _position=None) -> str:
    """A dollar tick: whole dollars plain, others with cents (per-member values are small)."""
    text = f"{abs(value):,.0f}" if abs(value - round(value)) < 1e-9 else f"{abs(value):,.2f}"
    return ("-" if value < 0 else "") + "$" + text


def _label(index) -> str:
    return " / ".join(map(str, index)) if isinstance(index, tuple) else str(index)


def offer_effects(table: pd.DataFrame, *, planted=None, chosen=None, ax=None,
                  title="Each offer's effect, against sending nothing"):
    """Each offer's effect (by segment when the table has one) as a dot with its interval; planted and chosen marked.

    Parameters
    ----------
    table : DataFrame from ``rk.programs.rewards.offer_effects`` (``effect``, ``ci_low``, ``ci_high``; indexed by
        offer, or by (segment, offer))
    planted : Series indexed like ``table``, optional, the simulator's true effect (a diamond)
    chosen : dict from segment to arm, optional; the chosen offers are drawn larger, in orange, and a segment
        whose choice is "none" says so in its heading. With ``ci_low_adjusted`` and ``ci_high_adjusted``
        columns (``adjust_effects``), the simultaneous intervals are drawn dotted under each interval
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without the columns it draws.

    Examples
    --------
    >>> t = pd.DataFrame({"effect": [2.0, -1.0], "ci_low": [1.0, -2.0], "ci_high": [3.0, 0.0]},
    ...                  index=pd.Index(["bogo_5", "info"], name="offer"))
    >>> [float(x) for x in offer_effects(t).collections[1].get_offsets()[:, 0]]     # the dots
    [2.0, -1.0]
    """
    _columns(table, ["effect", "ci_low", "ci_high"])
    ax = _axes(ax, size=(7, 0.32 * len(table) + 1.4))
    y = np.arange(len(table))[::-1].astype(float)
    if table.index.nlevels > 1:                     # a gap between segments
        segment = table.index.get_level_values(0)
        y -= 1.0 * pd.Series(pd.factorize(segment)[0]).to_numpy()
        y -= y.min()
    picked = np.zeros(len(table), dtype=bool)
    if chosen is not None:
        picked = np.array([chosen.get(i[0]) == i[-1] for i in table.index] if table.index.nlevels > 1
                          else [i in set(chosen.values()) for i in table.index])
    effect = table["effect"].to_numpy(float)
    colours = np.where(picked, ORANGE, np.where(effect >= 0, TEAL, RED))
    level = _level(table.attrs.get("confidence", 0.95))
    ax.hlines(y, table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float), colors=colours,
              lw=np.where(picked, 3.5, 1.5))
    ax.scatter(effect, y, c=colours, s=np.where(picked, 55, 22), zorder=3)
    ax.plot([], [], color="dimgrey", lw=1.5, label=f"{level} interval")     # the legend's entry, in a neutral colour
    both = {"ci_low_adjusted", "ci_high_adjusted"} <= set(table.columns)
    if both:
        ax.hlines(y - 0.28, table["ci_low_adjusted"].to_numpy(float), table["ci_high_adjusted"].to_numpy(float),
                  colors="darkgrey", lw=1, linestyles=":",
                  label=f"{level} interval adjusted for {len(table)} comparisons (Bonferroni)")
    if planted is not None:
        ax.plot(pd.Series(planted).reindex(table.index).to_numpy(float), y, "D", color="black", ms=5,
                fillstyle="none", label="planted")
    ax.axvline(0, color="grey", lw=0.8)
    grouped = table.index.nlevels > 1               # offers as tick labels, each segment's name above its group
    ax.set_yticks(y, [str(i[-1]) if grouped else _label(i) for i in table.index],
                  fontsize="small" if len(table) > 10 else None)
    if grouped:
        for name in pd.unique(segment):
            note = " (chosen: none)" if chosen is not None and chosen.get(name) == "none" else ""
            ax.text(0.01, y[np.asarray(segment == name)].max() + 0.6, f"{name}{note}", transform=ax.get_yaxis_transform(),
                    fontweight="bold", fontsize="small", va="center")
        ax.set_ylim(-0.7, y.max() + (2.6 if both else 1.1))       # room for the legend above the first group
    ax.set(xlabel=f"{table.attrs.get('outcome', 'net value').replace('_', ' ')} per member, offer minus none",
           title=title)
    if table.attrs.get("outcome", "net_value") in ("net_value", "spend", "reward"):
        ax.xaxis.set_major_formatter(FuncFormatter(_dollars))
    ax.legend(frameon=False, fontsize="small", loc="upper right" if both else "best")
    return ax


def completion_bars(table: pd.DataFrame, *, ax=None, title="Completed, and what would have happened anyway"):
    """Per offer: the share of its members who completed it, beside the share who would have anyway.

    Parameters
    ----------
    table : DataFrame from ``rk.programs.rewards.completion_vs_effect`` (``completed``, ``anyway``, ``ci_low``,
        ``ci_high``)
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without the columns it draws.

    Examples
    --------
    >>> t = pd.DataFrame({"completed": [0.7], "anyway": [0.6], "ci_low": [0.05], "ci_high": [0.15]}, index=["bogo_5"])
    >>> [round(float(p.get_height()), 3) for p in completion_bars(t).patches]
    [70.0, 60.0]
    """
    _columns(table, ["completed", "anyway", "ci_low", "ci_high"])
    ax = _axes(ax, size=(7, 3.8))
    x = np.arange(len(table))
    ax.bar(x - 0.2, 100 * table["completed"], width=0.4, color=ORANGE, label="completed (members sent the offer)")
    ax.bar(x + 0.2, 100 * table["anyway"], width=0.4, color="grey", alpha=0.7,
           label="would have completed anyway (control's spend)")
    for xi, (_, row) in zip(x, table.iterrows()):
        ax.annotate(f"caused {100 * (row['completed'] - row['anyway']):+.0f} pts\n"
                    f"({100 * row['ci_low']:+.0f} to {100 * row['ci_high']:+.0f})", (xi, 100 * row["completed"]),
                    xytext=(0, 4), textcoords="offset points", ha="center", fontsize="x-small")
    ax.set_xticks(x, [str(i) for i in table.index])
    ax.yaxis.set_major_formatter(PercentFormatter())
    ax.set(ylabel="share of members", ylim=(0, 100 * max(table["completed"].max(), table["anyway"].max()) + 20),
           title=title)
    ax.legend(frameon=False, fontsize="small", loc="upper right")
    return ax


def tenure_curves(curves: dict, *, ylabel: str = "spend a month", ax=None,
                  title="Spend a month, by month in the program"):
    """One line per curve: a column of ``rk.programs.rewards.spend_by_tenure`` by month since joining.

    Parameters
    ----------
    curves : dict from a label to a Series indexed by ``month`` (0 = the first), e.g.
        ``spend_by_tenure(...)["spend_per_active"]``
    ylabel : str, default "spend a month" (dollar ticks when it names spend)
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For an empty dict or curves that are not Series.

    Examples
    --------
    >>> t = pd.Series([20.0, 24.0], index=pd.RangeIndex(2, name="month"))
    >>> [float(v) for v in tenure_curves({"everyone": t}).lines[0].get_ydata()]
    [20.0, 24.0]
    """
    if not isinstance(curves, dict) or not curves or not all(isinstance(c, pd.Series) for c in curves.values()):
        raise InputError("curves must be a dict from a label to a Series by month, e.g. {'everyone': "
                         "spend_by_tenure(...)['spend_per_active']}.")
    ax = _axes(ax, size=(7, 3.8))
    for colour, (name, curve) in zip([TEAL, ORANGE, RED, "#30638e", "#6a4c93"], curves.items()):
        ax.plot(curve.index + 1, curve.to_numpy(float), "o-", color=colour, ms=3, lw=1.6, label=name)
    if "spend" in ylabel:
        ax.yaxis.set_major_formatter(FuncFormatter(_dollars))
    ax.set(xlabel="month in the program (1 = the first)", ylabel=ylabel, title=title)
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize="small")
    return ax


def policy_bars(results: dict, *, planted=None, ax=None, title="What each policy is worth per member"):
    """Each policy's value per member (MetricResults of ``offer_policy_value``) as a bar with its interval.

    Parameters
    ----------
    results : dict from a label to a MetricResult with ``value`` and ``ci``
    planted : dict from the same labels to the planted values, optional (diamonds)
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For an empty dict or values that are not MetricResults with an interval.

    Examples
    --------
    >>> r = MetricResult(kind="x", name="x", value=2.0, unit="currency", formula="", ci=(1.0, 3.0), confidence=0.95)
    >>> [float(p.get_width()) for p in policy_bars({"personalized": r}).patches]
    [2.0]
    """
    if not isinstance(results, dict) or not results or not all(isinstance(r, MetricResult) and r.ci
                                                               for r in results.values()):
        raise InputError("results must be a dict from a label to a MetricResult with an interval (offer_policy_value).")
    ax = _axes(ax, size=(7, 0.5 * len(results) + 1.4))
    y = np.arange(len(results))[::-1]
    value = np.array([r.value for r in results.values()])
    low, high = np.array([r.ci[0] for r in results.values()]), np.array([r.ci[1] for r in results.values()])
    ax.barh(y, value, color=[TEAL if v >= 0 else RED for v in value], alpha=0.8, height=0.6)
    level = _level(next(iter(results.values())).confidence)
    ax.errorbar(value, y, xerr=[value - low, high - value], fmt="none", ecolor="black", capsize=3, lw=1,
                label=f"{level} interval")
    if planted is not None:
        ax.plot([planted.get(k, np.nan) for k in results], y, "D", color="black", ms=6, fillstyle="none",
                label="planted")
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(y, list(results))
    ax.xaxis.set_major_formatter(FuncFormatter(_dollars))
    ax.set(xlabel="net value per member", title=title)
    ax.legend(frameon=False, fontsize="small", loc="best")
    return ax
