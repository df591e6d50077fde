"""Figures of data-driven actions (lesson 12): uplift by segment, Qini curves, the money of a targeting policy,
and the intervals of repeated experiments.

Each function takes a table the kit computed first and everything else by keyword, draws on ``ax`` (a new
figure when None) and returns it. Nothing here computes: pass the kit's tables in.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator, PercentFormatter

from ..validation import InputError
from ._common import ORANGE, RED, TEAL, _axes, _columns, _level
from .churn import _dollars

__all__ = ["uplift_bars", "qini_curves", "policy_values", "experiment_intervals"]

_COLOURS = [TEAL, ORANGE, RED, "#30638e", "#6a4c93"]


def _curves(curves, columns, name):
    if not isinstance(curves, dict) or not curves:
        raise InputError(f"{name} must be a dict from a label to a table of the kit, e.g. {{'by uplift': table}}; got "
                         f"{type(curves).__name__}.")
    for label, table in curves.items():
        _columns(table, columns, f"{name}[{label!r}]")


def uplift_bars(table: pd.DataFrame, *, planted=None, ax=None, title="The offer's effect by segment"):
    """Each segment's uplift (treated minus control, in points) with its interval, and the planted value if known.

    Parameters
    ----------
    table : DataFrame from ``rk.experiments.uplift_by_segment`` (``uplift``, ``ci_low``, ``ci_high``)
    planted : Series indexed like ``table``, optional, the simulator's true uplift (drawn as a diamond)
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
    >>> t = pd.DataFrame({"uplift": [0.1, -0.05], "ci_low": [0.05, -0.1], "ci_high": [0.15, 0.0]}, index=["a", "b"])
    >>> [round(float(p.get_width()), 2) for p in uplift_bars(t).patches]
    [10.0, -5.0]
    """
    _columns(table, ["uplift", "ci_low", "ci_high"])
    ax = _axes(ax, size=(7, 0.5 * len(table) + 1.4))
    y = np.arange(len(table))[::-1]
    value = 100 * table["uplift"].to_numpy()
    colours = [TEAL if v >= 0 else RED for v in value]
    ax.barh(y, value, color=colours, alpha=0.8, height=0.6)
    ax.errorbar(value, y, xerr=[value - 100 * table["ci_low"].to_numpy(), 100 * table["ci_high"].to_numpy() - value],
                fmt="none", ecolor="black", capsize=3, lw=1,
                label=f"{_level(table.attrs.get('confidence', 0.95))} interval")
    if planted is not None:
        ax.plot(100 * pd.Series(planted).reindex(table.index).to_numpy(), y, "D", color="black", ms=6,
                fillstyle="none", label="planted")
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(y, [" / ".join(map(str, i)) if isinstance(i, tuple) else str(i) for i in table.index])
    ax.set(xlabel="retained with the offer minus without (points)", title=title)
    ax.legend(frameon=False, fontsize="small", loc="best")
    return ax


def qini_curves(curves: dict, *, ax=None, title="Extra customers retained, targeting the top first",
                ylabel="extra customers retained"):
    """One curve per score (of ``qini_curve`` or ``uplift_curve``), and the random line.

    Parameters
    ----------
    curves : dict from a label to a DataFrame of ``rk.experiments.qini_curve`` or ``uplift_curve``
        (``share``, ``incremental``, ``random``), all on the same customers
    ax : matplotlib Axes, optional
    title : str
    ylabel : str, default "extra customers retained" (for Qini curves: "extra retained among the
        offered")

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For an empty dict or tables without the columns drawn.

    Examples
    --------
    >>> q = pd.DataFrame({"share": [0, 0.5, 1], "incremental": [0, 3, 4], "random": [0, 2, 4]})
    >>> [line.get_label() for line in qini_curves({"by uplift": q}).get_legend().get_lines()]
    ['by uplift', 'random order']
    """
    _curves(curves, ["share", "incremental", "random"], "curves")
    ax = _axes(ax, size=(7, 4))
    for colour, (label, table) in zip(_COLOURS, curves.items()):
        ax.plot(100 * table["share"], table["incremental"], color=colour, lw=1.8, label=label)
    first = next(iter(curves.values()))
    ax.plot(100 * first["share"], first["random"], color="grey", ls="--", lw=1, label="random order")
    ax.axhline(0, color="grey", lw=0.6)
    ax.xaxis.set_major_formatter(PercentFormatter())
    ax.set(xlabel="customers targeted, highest score first", ylabel=ylabel, title=title)
    ax.legend(frameon=False, fontsize="small")
    return ax


def policy_values(curves: dict, *, planted=None, ax=None, title="What targeting is worth, by share targeted"):
    """The estimated value of targeting the top share by each score, with intervals, and the planted value if known.

    Parameters
    ----------
    curves : dict from a label to a DataFrame of ``rk.experiments.policy_curve`` (indexed by share,
        ``value``, ``ci_low``, ``ci_high``)
    planted : dict from the same labels to Series indexed by share, optional (dotted lines)
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For an empty dict or tables without the columns drawn.

    Examples
    --------
    >>> c = pd.DataFrame({"value": [10.0, 5.0], "ci_low": [2.0, -3.0], "ci_high": [18.0, 13.0]}, index=[0.5, 1.0])
    >>> [round(float(v), 1) for v in policy_values({"by uplift": c}).lines[0].get_ydata()]
    [10.0, 5.0]
    """
    _curves(curves, ["value", "ci_low", "ci_high"], "curves")
    ax = _axes(ax, size=(7, 4))
    for colour, (label, table) in zip(_COLOURS, curves.items()):
        share = 100 * table.index.to_numpy(dtype=float)
        ax.plot(share, table["value"], "o-", color=colour, ms=3, lw=1.5, label=f"{label} (estimated)")
        ax.fill_between(share, table["ci_low"], table["ci_high"], color=colour, alpha=0.15)
        if planted is not None and label in planted:
            truth = pd.Series(planted[label])
            ax.plot(100 * truth.index.to_numpy(dtype=float), truth.to_numpy(), ":", color=colour, lw=1.5,
                    label=f"{label} (planted)")
    ax.axhline(0, color="grey", lw=0.8)
    ax.xaxis.set_major_formatter(PercentFormatter())
    ax.yaxis.set_major_formatter(_dollars)
    ax.set(xlabel="customers targeted, highest score first", ylabel="value against offering nobody", title=title)
    ax.legend(frameon=False, fontsize="small")
    return ax


def experiment_intervals(table: pd.DataFrame, *, effect: float, ax=None, title="The same test, run by each class"):
    """Repeated experiments' intervals for the effect, against the true effect and zero.

    Parameters
    ----------
    table : DataFrame with ``estimate``, ``ci_low``, ``ci_high`` (fractions), one row per experiment
    effect : float, the true effect (a fraction)
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
    >>> t = pd.DataFrame({"estimate": [0.05, 0.01], "ci_low": [0.02, -0.02], "ci_high": [0.08, 0.04]})
    >>> len(experiment_intervals(t, effect=0.03).collections) >= 1
    True
    """
    _columns(table, ["estimate", "ci_low", "ci_high"])
    ax = _axes(ax, size=(7, 3.6))
    y = np.arange(1, len(table) + 1)
    low, high = 100 * table["ci_low"].to_numpy(), 100 * table["ci_high"].to_numpy()
    found = (low > 0) | (high < 0)
    colours = np.where(found, TEAL, "grey")
    ax.hlines(y, low, high, colors=colours, lw=2)
    ax.scatter(100 * table["estimate"].to_numpy(), y, c=colours, s=14, zorder=3)
    ax.axvline(100 * effect, color=ORANGE, lw=1.5, label="true effect")
    ax.axvline(0, color="black", lw=0.8, ls="--", label="no effect")
    ax.set(xlabel="treated minus control (points)", ylabel="experiment", ylim=(0, len(table) + 3), title=title)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(frameon=False, fontsize="small", loc="upper right", ncol=2)
    return ax
