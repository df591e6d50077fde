"""Figures of churn prediction (the lesson on predictive churn): calibration, gain, campaign profit, early
warning signs and feature importance.

Each function takes a table the kit computed first and everything else by keyword, draws on ``ax`` (a new
figure when None) and returns it. Nothing here computes: pass the kit's tables in.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from ..validation import InputError
from ._common import ORANGE, RED, TEAL, _axes, _columns, _level

__all__ = ["calibration", "lift_gain", "profit_curve", "early_warning", "feature_importance", "control_chart"]

_SIGNAL_COLOURS = [TEAL, ORANGE, RED, "#30638e", "#6a4c93", "#8d6e63"]


def _dollars(value, _position=None) -> str:
    sign, value = ("-" if value < 0 else ""), abs(value)
    return f"{sign}${value / 1000:,.0f}k" if value >= 10_000 else f"{sign}${value:,.0f}"


def _percent_ticks(value, _position=None) -> str:
    """A share as a percentage with as few decimals as the tick needs (2.25% stays 2.25%, 2.5% stays 2.5%)."""
    text = f"{100 * value:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def calibration(table: pd.DataFrame, *, confidence=None, ax=None, title="Predicted against observed churn"):
    """Mean predicted probability against the observed share, per bin (``rk.metrics.calibration_table``).

    Each bin is a point with its interval as a vertical bar; the diagonal is a perfectly calibrated
    model. The label gives the interval's level, which is the table's (``attrs["confidence"]``).

    Parameters
    ----------
    table : DataFrame with ``predicted``, ``observed``, ``ci_low``, ``ci_high``
    confidence : float, optional
        The level of the table's intervals, if it does not carry it; refused if it differs.
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without those columns, or a ``confidence`` other than the table's.

    Examples
    --------
    >>> t = pd.DataFrame({"predicted": [0.1, 0.5], "observed": [0.12, 0.4], "ci_low": [0.08, 0.3],
    ...                   "ci_high": [0.17, 0.5]})
    >>> calibration(t, confidence=0.95).lines[1].get_ydata().tolist()
    [12.0, 40.0]
    """
    _columns(table, ["predicted", "observed", "ci_low", "ci_high"])
    level = table.attrs.get("confidence")
    if confidence is not None and level is not None and not np.isclose(confidence, level):
        raise InputError(f"confidence={confidence!r} but the table's intervals are at {level!r}; recompute the table "
                         f"with calibration_table(..., confidence={confidence!r}), or leave confidence out.")
    level = level if level is not None else confidence
    ax = _axes(ax, (5.5, 5))
    x, y = 100 * table["predicted"].to_numpy(), 100 * table["observed"].to_numpy()
    top = max(float(np.max(x)), float(np.max(100 * table["ci_high"]))) * 1.05
    ax.plot([0, top], [0, top], color="grey", ls=":", label="perfectly calibrated")
    ax.plot(x, y, "o", color=TEAL, label="model, by bin")
    ax.errorbar(x, y, yerr=[y - 100 * table["ci_low"].to_numpy(), 100 * table["ci_high"].to_numpy() - y], fmt="none",
                ecolor=TEAL, alpha=0.6, capsize=3, label=f"{_level(level)} interval".strip())
    ax.set(xlabel="mean predicted churn probability", ylabel="observed churn", title=title, xlim=(0, top),
           ylim=(0, top))
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return ax


def lift_gain(table: pd.DataFrame, *, ax=None, title="Cumulative gain: churners captured"):
    """The gain curve of ``rk.churn.lift_table``: share of churners captured against share of customers targeted.

    The curve starts at (0, 0); the diagonal is a random ranking (targeting 10% finds 10% of the
    churners). The lift of the first bin is written beside its point.

    Parameters
    ----------
    table : DataFrame with ``cumulative_share``, ``cumulative_gain`` and ``lift``
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without those columns.

    Examples
    --------
    >>> t = pd.DataFrame({"cumulative_share": [0.5, 1.0], "cumulative_gain": [0.8, 1.0], "lift": [1.6, 0.4]})
    >>> lift_gain(t).lines[0].get_ydata().tolist()
    [0.0, 80.0, 100.0]
    """
    _columns(table, ["cumulative_share", "cumulative_gain", "lift"])
    ax = _axes(ax, (6, 4.5))
    x = np.r_[0.0, 100 * table["cumulative_share"].to_numpy()]
    y = np.r_[0.0, 100 * table["cumulative_gain"].to_numpy()]
    ax.plot(x, y, marker="o", ms=4, color=TEAL, label="model")
    ax.plot([0, 100], [0, 100], color="grey", ls=":", label="random ranking")
    ax.annotate(f"lift {table['lift'].iloc[0]:.1f}x", (x[1], y[1]), xytext=(8, -12), textcoords="offset points")
    ax.set(xlabel="customers targeted, riskiest first", ylabel="churners captured", title=title, xlim=(0, 100),
           ylim=(0, 101))
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.legend(frameon=False, loc="lower right")
    ax.grid(alpha=0.3)
    return ax


def profit_curve(curve: pd.DataFrame, *, best=None, ax=None, title="Expected campaign profit by share targeted"):
    """Cumulative expected profit of ``rk.churn.profit_curve`` against the share targeted, riskiest first.

    Parameters
    ----------
    curve : DataFrame with ``share`` and ``expected_profit``
    best : MetricResult from ``rk.churn.best_share``, optional; marked with a dot and a line
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without those columns, or a ``best`` that is not a result of ``best_share``.

    Examples
    --------
    >>> c = pd.DataFrame({"share": [0.0, 0.5, 1.0], "expected_profit": [0.0, 22.0, 15.0]})
    >>> profit_curve(c).lines[0].get_ydata().tolist()
    [0.0, 22.0, 15.0]
    """
    _columns(curve, ["share", "expected_profit"], "curve")
    ax = _axes(ax)
    x = 100 * curve["share"].to_numpy()
    ax.plot(x, curve["expected_profit"].to_numpy(), color=TEAL, label="expected profit")
    ax.axhline(0, color="grey", lw=0.8)
    if best is not None:
        if getattr(best, "kind", None) != "best_share":
            raise InputError(f"best must be the result of best_share(curve), got {type(best).__name__}.")
        ax.plot([100 * best.value], [best.expected_profit], "o", color=RED,
                label=f"best: top {best.value:.1%}, ${best.expected_profit:,.0f}")
        ax.axvline(100 * best.value, color=RED, ls=":", lw=1)
    ax.set(xlabel="customers targeted, riskiest first", ylabel="expected profit", title=title, xlim=(0, 100))
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    ax.yaxis.set_major_formatter(_dollars)
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return ax


def early_warning(table: pd.DataFrame, *, ax=None, title="Signals of churners before they cancel"):
    """Departure of each signal from its baseline by weeks before cancelling (``rk.churn.early_warning``).

    Time runs left to right towards the cancellation. The band is +/- the table's threshold; a
    dot marks the first week of each signal's sustained departure (``attrs["first_week"]``).

    Parameters
    ----------
    table : DataFrame indexed by weeks before cancelling, one column per signal
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without signals.

    Examples
    --------
    >>> t = pd.DataFrame({"hours_viewed": [-0.1, -0.3, -0.5]}, index=pd.Index([3, 2, 1], name="weeks_before"))
    >>> t.attrs.update(threshold=0.2, first_week={"hours_viewed": 2})
    >>> early_warning(t).lines[0].get_ydata().tolist()
    [-0.1, -0.3, -0.5]
    """
    _columns(table, [])
    if table.shape[1] == 0:
        raise InputError("table has no signal columns; pass the table rk.churn.early_warning returns.")
    ax = _axes(ax)
    threshold = table.attrs.get("threshold")
    first = table.attrs.get("first_week", {})
    weeks = np.asarray(table.index, dtype=int)
    for i, signal in enumerate(table.columns):
        colour = _SIGNAL_COLOURS[i % len(_SIGNAL_COLOURS)]
        ax.plot(weeks, table[signal].to_numpy(), marker="o", ms=3, color=colour, label=str(signal))
    for i, signal in enumerate(table.columns):
        week = first.get(signal)
        if week is not None and week in set(weeks):
            ax.plot([week], [table[signal].to_numpy()[list(weeks).index(week)]], "o", ms=9, mfc="none",
                    color=_SIGNAL_COLOURS[i % len(_SIGNAL_COLOURS)])
    if threshold:
        ax.axhspan(-threshold, threshold, color="grey", alpha=0.15, lw=0, label=f"within {threshold:g} sd of baseline")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlim(weeks.max() + 0.5, weeks.min() - 0.5)
    ax.set(xlabel="weeks before cancelling (circled: first week of a sustained departure)",
           ylabel="departure from baseline (sd)", title=title)
    ax.legend(frameon=False, fontsize="small")
    ax.grid(alpha=0.3)
    return ax


def feature_importance(table: pd.DataFrame, *, ax=None, title="Drop in AUC when a feature is shuffled"):
    """Permutation importance (``rk.churn.permutation_importance_table``): bars with their spread, largest on top.

    Parameters
    ----------
    table : DataFrame indexed by feature with ``importance_mean`` and ``importance_sd``
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without those columns.

    Examples
    --------
    >>> t = pd.DataFrame({"importance_mean": [0.10, 0.02], "importance_sd": [0.01, 0.005]}, index=["hours", "plan"])
    >>> [round(float(p.get_width()), 2) for p in feature_importance(t).patches]
    [0.02, 0.1]
    """
    _columns(table, ["importance_mean", "importance_sd"])
    ax = _axes(ax, (6, max(2.5, 0.4 * len(table) + 1)))
    ordered = table.sort_values("importance_mean")
    ax.barh([str(i) for i in ordered.index], ordered["importance_mean"].to_numpy(),
            xerr=ordered["importance_sd"].to_numpy(), color=TEAL, capsize=3)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set(xlabel="drop in AUC (bars: standard deviation over shuffles)", title=title)
    ax.grid(alpha=0.3, axis="x")
    return ax


def control_chart(table: pd.DataFrame, *, ax=None, title="The rate by period against its control limits",
                  ylabel="rate"):
    """A p-chart: each period's rate, the centre line and limits of the baseline, signals in red.

    Parameters
    ----------
    table : DataFrame from ``rk.experiments.control_limits`` (``rate``, ``centre``, ``lower``,
        ``upper``, ``baseline``, ``signal``)
    ax : matplotlib Axes, optional
    title : str
    ylabel : str, default "rate"

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without the columns it draws.

    Examples
    --------
    >>> from retention_kit.experiments import control_limits
    >>> ax = control_chart(control_limits([10, 12, 8, 10, 30], [100] * 5, baseline_periods=4))
    >>> [round(float(y), 2) for y in ax.lines[0].get_ydata()]
    [0.1, 0.12, 0.08, 0.1, 0.3]
    """
    _columns(table, ["rate", "centre", "lower", "upper", "baseline", "signal"])
    ax = _axes(ax, size=(8, 3.6))
    x = np.arange(len(table))
    ax.plot(x, table["rate"].to_numpy(), "o-", color=TEAL, ms=4, lw=1, label="rate")
    ax.plot(x, table["centre"].to_numpy(), color="black", lw=0.8, label="baseline rate")
    ax.step(x, table["upper"].to_numpy(), where="mid", color=ORANGE, lw=1,
            label=f"control limits ({table.attrs.get('sigmas', 3):g} sigma)")
    ax.step(x, table["lower"].to_numpy(), where="mid", color=ORANGE, lw=1)
    signal = table["signal"].to_numpy()
    ax.plot(x[signal], table["rate"].to_numpy()[signal], "o", color=RED, ms=7, label="signal")
    baseline = int(table["baseline"].sum())
    ax.axvspan(-0.5, baseline - 0.5, color="grey", alpha=0.12, label="baseline")
    step = max(1, len(table) // 12)
    ax.set_xticks(x[::step], [str(i) for i in table.index[::step]], rotation=30, ha="right")
    ax.yaxis.set_major_formatter(_percent_ticks)
    ax.set(ylabel=ylabel, title=title)
    ax.legend(frameon=False, fontsize="small", loc="best")
    return ax
