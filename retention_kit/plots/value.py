"""Figures of purchases, spend and lifetime value (lessons 05 to 07).

Each function takes its data first and everything else by keyword, draws on ``ax`` (a new figure
when None) and returns it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from ..validation import plural
from ._common import ORANGE, RED, TEAL, _axes, _columns

__all__ = ["purchase_count_histogram", "repeat_probability", "spend_by_period", "predicted_vs_actual", "value_concentration", "formula_clv_bars"]


def purchase_count_histogram(counts: pd.Series, *, clip_at=30, ax=None, title="Purchases per customer"):
    """Customers by number of purchases (the last bar collects ``clip_at`` or more; one-time buyers in orange).

    Parameters
    ----------
    counts : purchases per customer (``rk.purchase_counts``)
    clip_at : int, default 30
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
    >>> ax = purchase_count_histogram(pd.Series([1, 1, 2]))
    >>> sorted(int(p.get_height()) for p in ax.patches if p.get_height())
    [1, 2]
    """
    import seaborn as sns
    ax = _axes(ax)
    clipped = pd.Series(np.minimum(np.asarray(counts), clip_at), name="purchases")
    sns.histplot(x=clipped, discrete=True, color=TEAL, alpha=1.0, edgecolor="white", ax=ax)
    for patch in ax.patches:
        if abs(patch.get_x() + patch.get_width() / 2 - 1) < 1e-9:
            patch.set_facecolor(ORANGE)
    ax.set(xlabel=f"purchases in the period ({clip_at} = {clip_at} or more)", ylabel="customers", title=title)
    return ax


def repeat_probability(table: pd.DataFrame, *, model: pd.DataFrame | None = None, ax=None,
                       title="Chance of one more purchase, given k so far", ylim=(0, 100)):
    """``probability`` against ``purchases`` from ``rk.repeat_probability_by_count``, with its intervals.

    Wilson intervals (``ci_low``, ``ci_high``) are drawn as error bars when the table has them; a
    model's curve (``rk.clv.model_repeat_curve``) is drawn over it as a dashed line with its
    interval as a band.

    Parameters
    ----------
    table : DataFrame with ``purchases`` and ``probability`` (and optionally ``ci_low``, ``ci_high``)
    model : DataFrame with ``purchases`` and ``probability`` (and optionally ``ci_low``, ``ci_high``), optional
    ax : matplotlib Axes, optional
    title : str
    ylim : (float, float), default (0, 100), in percent

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without the columns it draws.

    Examples
    --------
    >>> t = pd.DataFrame({"purchases": [1, 2], "probability": [0.4, 0.6]})
    >>> repeat_probability(t).lines[0].get_ydata().tolist()
    [40.0, 60.0]
    """
    _columns(table, ["purchases", "probability"])
    ax = _axes(ax)
    ax.plot(table["purchases"], 100 * table["probability"], marker="o", color=TEAL, label="observed")
    if {"ci_low", "ci_high"} <= set(table.columns):
        y = 100 * table["probability"]
        ax.errorbar(table["purchases"], y, yerr=[y - 100 * table["ci_low"], 100 * table["ci_high"] - y], fmt="none",
                    ecolor=TEAL, alpha=0.6, capsize=3)
    if model is not None:
        _columns(model, ["purchases", "probability"], "model")
        ax.plot(model["purchases"], 100 * model["probability"], ls="--", color=RED, label="model (no threshold)")
        if {"ci_low", "ci_high"} <= set(model.columns):
            ax.fill_between(model["purchases"], 100 * model["ci_low"], 100 * model["ci_high"], color=RED, alpha=0.15,
                            lw=0, label="model: interval from its parameters' uncertainty")
        ax.legend(frameon=False)
    ax.set(xlabel="purchases so far (k)", ylabel="P(purchase k + 1)", title=title, ylim=ylim)
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.grid(alpha=0.3)
    return ax


def spend_by_period(by_period: pd.DataFrame, *, ax=None, title="Retention spend by program"):
    """Stacked bars of spend per period and program (``rk.retention_cost(...).by_period``).

    Parameters
    ----------
    by_period : DataFrame, periods as rows and programs as columns
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
    >>> t = pd.DataFrame({"loyalty": [100.0], "support": [20.0]}, index=["2025Q1"])
    >>> [float(p.get_height()) for p in spend_by_period(t).patches]
    [100.0, 20.0]
    """
    _columns(by_period, [])
    ax = _axes(ax, (8, 4))
    bottom = np.zeros(len(by_period))
    labels = [str(p) for p in by_period.index]
    for program in by_period.columns:
        ax.bar(labels, by_period[program].to_numpy(), bottom=bottom, label=program)
        bottom += by_period[program].to_numpy()
    ax.set(ylabel="dollars", title=title)
    ax.yaxis.set_major_formatter(lambda v, _: f"${v / 1000:,.0f}k")
    ax.legend(frameon=False, fontsize="small", ncols=len(by_period.columns), loc="upper center",
              bbox_to_anchor=(0.5, -0.08))
    return ax


def predicted_vs_actual(table: pd.DataFrame, *, ax=None, title="Holdout: predicted vs actual repeat purchases"):
    """Mean predicted and actual holdout purchases by calibration frequency (``rk.clv.holdout_check``).

    Parameters
    ----------
    table : DataFrame with ``predicted`` and ``actual``
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
    >>> t = pd.DataFrame({"predicted": [0.5, 1.5], "actual": [0.4, 1.7]})
    >>> predicted_vs_actual(t).lines[0].get_ydata().tolist()
    [0.4, 1.7]
    """
    _columns(table, ["predicted", "actual"])
    ax = _axes(ax)
    ax.plot(table.index, table["actual"], marker="o", label="actual")
    ax.plot(table.index, table["predicted"], marker="s", ls="--", label="predicted by the model")
    unit = table.attrs.get("time_unit")
    what = f"purchase {plural(unit)}" if unit else "purchases"
    ax.set(xlabel=f"repeat {what} in the calibration period", ylabel=f"mean {what} in the holdout", title=title)
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return ax


def value_concentration(values, *, ax=None, title="Share of total value from the top customers"):
    """Cumulative share of a value (CLV, revenue) against the share of customers, best first (a gains curve).

    Parameters
    ----------
    values : one non-negative value per customer
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
    >>> ax = value_concentration([1.0, 3.0])
    >>> ax.lines[0].get_ydata().tolist()
    [75.0, 100.0]
    """
    ax = _axes(ax, (6, 4))
    v = np.sort(np.asarray(values, dtype=float))[::-1]
    share_customers = np.arange(1, len(v) + 1) / len(v)
    ax.plot(100 * share_customers, 100 * np.cumsum(v) / v.sum(), color=TEAL)
    ax.plot([0, 100], [0, 100], color="grey", ls=":", label="every customer alike")
    ax.set(xlabel="customers, ranked by value", ylabel="share of total value", title=title, xlim=(0, 100), ylim=(0, 101))
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return ax


def formula_clv_bars(values: dict, *, ax=None, title="Customer lifetime value by closed form"):
    """Bars of the CLV closed forms (``{"end": ..., "start": ..., "undiscounted": ...}``), each labelled with its value.

    Parameters
    ----------
    values : dict from a timing of ``rk.clv.FORMULA_CLV_TIMING`` to a value
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
    >>> ax = formula_clv_bars({"end": 266.7, "start": 366.7})
    >>> [t.get_text() for t in ax.texts]
    ['$266.7', '$366.7']
    """
    ax = _axes(ax, (7, 3.4))
    labels = {"end": "first margin\nafter a period", "start": "first margin\nnow", "undiscounted": "undiscounted\nm / (1 - r)"}
    names = list(values)
    bars = ax.bar([labels.get(k, k) for k in names], [values[k] for k in names], color=[TEAL, ORANGE, RED][:len(names)])
    for bar, key in zip(bars, names):
        ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height(), f"${values[key]:,.1f}", ha="center", va="bottom")
    ax.set(ylabel="lifetime value", title=title)
    ax.yaxis.set_major_formatter(lambda v, _: f"${v:,.0f}")
    ax.set_ylim(0, 1.15 * max(values.values()))
    return ax
