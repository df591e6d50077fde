"""Figures of churn, cohorts and survival (lessons 03 and 04).

Each function takes its data first and everything else by keyword, draws on ``ax`` (a new figure
when None) and returns it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator, PercentFormatter

from ..validation import plural
from ._common import RED, TEAL, _axes, _columns, _level

__all__ = ["churn_over_time", "compounding", "cohort_heatmap", "retention_curves", "survival_curves"]


def _age_label(table) -> str:
    unit = table.attrs.get("time_unit")
    return f"age ({plural(unit) if unit else 'periods'} since first purchase)"


def churn_over_time(table: pd.DataFrame, *, ax=None, title="Churn rate by period"):
    """Churn rate per period from ``rk.churn_by_period`` (periods with no rate left out).

    Parameters
    ----------
    table : DataFrame with ``period_start`` and ``churn_rate``
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
    >>> t = pd.DataFrame({"period_start": pd.to_datetime(["2025-01-01", "2025-02-01"]), "churn_rate": [0.05, 0.04]})
    >>> churn_over_time(t).lines[0].get_ydata().tolist()
    [5.0, 4.0]
    """
    _columns(table, ["period_start", "churn_rate"])
    ax = _axes(ax)
    ax.plot(table["period_start"], 100 * table["churn_rate"], marker="o", ms=3, color=RED)
    ax.set(ylabel="churn rate", title=title, ylim=(0, None))
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.grid(alpha=0.3)
    return ax


def metric_over_time(table: pd.DataFrame, *, ax=None, title=None):
    """One metric per period from ``rk.metrics.metric_over_time``: a line, with its interval as a band for rates.

    Parameters
    ----------
    table : DataFrame with ``period_start``, ``value``, ``ci_low``, ``ci_high`` and ``attrs["metric"]``
    ax : matplotlib Axes, optional
    title : str, optional
        The metric's name by default.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without the columns it draws.

    Examples
    --------
    >>> t = pd.DataFrame({"period_start": pd.to_datetime(["2025-01-01", "2025-04-01"]), "value": [0.1, 0.08],
    ...                   "ci_low": [0.08, 0.06], "ci_high": [0.12, 0.1]})
    >>> t.attrs.update(metric="churn rate", confidence=0.95)
    >>> ax = metric_over_time(t)
    >>> ax.lines[0].get_ydata().tolist(), len(ax.collections), ax.get_title()
    ([10.0, 8.0], 1, 'churn rate')
    """
    _columns(table, ["period_start", "value", "ci_low", "ci_high"])
    ax = _axes(ax)
    metric = table.attrs.get("metric", "value")
    is_rate = bool(table["ci_low"].notna().any())
    scale = 100 if is_rate else 1
    ax.plot(table["period_start"], scale * table["value"], marker="o", ms=3, color=RED if "churn" in metric else TEAL)
    if is_rate:
        ax.fill_between(table["period_start"], scale * table["ci_low"], scale * table["ci_high"], alpha=0.2,
                        color=RED if "churn" in metric else TEAL, lw=0,
                        label=f"{_level(table.attrs.get('confidence', 0.95))} interval")
        ax.yaxis.set_major_formatter(PercentFormatter(100))
        ax.legend(frameon=False, loc="best")
    ax.set(ylabel=metric, title=metric if title is None else title, ylim=(0, None))
    ax.grid(alpha=0.3)
    return ax


def compounding(rate: float, cumulative, *, periods=None, time_unit: str = "month", ax=None):
    """Share of a starting cohort lost after each period: compounded (right) against multiplied (wrong).

    Parameters
    ----------
    rate : float, churn per period
    cumulative : churn after 1, 2, ... periods (from ``rk.compound_churn``)
    periods : the period numbers, default 1..len(cumulative)
    time_unit : str, for the labels (default "month")
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    Nothing of its own.

    Examples
    --------
    >>> ax = compounding(0.05, [0.05, 0.0975])
    >>> ax.lines[1].get_ydata().tolist()   # the mistake, 0.05 k
    [5.0, 10.0]
    """
    ax = _axes(ax)
    k = np.arange(1, len(cumulative) + 1) if periods is None else np.asarray(periods)
    ax.plot(k, 100 * np.asarray(cumulative, dtype=float), marker="o", label=f"compounded: 1 - (1 - {rate:g})^k")
    ax.plot(k, 100 * np.minimum(rate * k, 1), ls="--", label=f"multiplied: {rate:g} x k")
    ax.set(xlabel=f"{plural(time_unit)} k", ylabel="share of the cohort lost",
           title=f"Churn per {time_unit} adds up by compounding")
    ax.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return ax


def cohort_heatmap(retention: pd.DataFrame, *, annotate: bool = True, ax=None,
                   title="Share of each cohort active, by age"):
    """Heatmap of ``rk.cohorts.cohort_retention(...)``: cells not yet observable stay blank, never 0.

    Parameters
    ----------
    retention : DataFrame of fractions, cohorts as rows and ages as columns (NaN where unobservable)
    annotate : bool, default True
        Write the percentage in each cell after age 0.
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
    >>> r = pd.DataFrame({0: [1.0, 1.0], 1: [0.5, np.nan]}, index=["2025-01", "2025-02"])
    >>> sorted(t.get_text() for t in cohort_heatmap(r).texts if t.get_text())
    ['50']
    """
    import seaborn as sns
    _columns(retention, [0], "retention")
    ax = _axes(ax, (10, 0.32 * len(retention) + 1.8))
    values = 100 * retention.to_numpy(dtype=float)
    after_first = values[:, 1:]
    top = np.nanmax(after_first) if after_first.size and np.isfinite(after_first).any() else 100
    labels = np.where(np.isfinite(values), np.char.mod("%.0f", np.nan_to_num(values)), "")
    labels[:, 0] = ""
    frame = pd.DataFrame(values, index=[str(i) for i in retention.index], columns=[str(c) for c in retention.columns])
    sns.heatmap(frame, mask=~np.isfinite(values), cmap="viridis", vmin=0, vmax=top, annot=labels if annotate else False,
                fmt="", annot_kws={"fontsize": 6}, cbar_kws={"label": "% of cohort active", "format": PercentFormatter(100)},
                ax=ax)
    ax.set(title=title, xlabel=_age_label(retention), ylabel="cohort")
    ax.tick_params(labelsize="small")
    return ax


def retention_curves(averages: pd.DataFrame, *, ax=None, title="Average retention by age: weighted vs simple"):
    """The ``weighted`` and ``simple`` columns of ``rk.cohorts.average_retention(...)`` against age.

    Parameters
    ----------
    averages : DataFrame indexed by age with ``weighted`` and ``simple``
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
    >>> a = pd.DataFrame({"weighted": [1.0, 0.4], "simple": [1.0, 0.5]})
    >>> retention_curves(a).lines[1].get_ydata().tolist()
    [100.0, 50.0]
    """
    _columns(averages, ["weighted", "simple"], "averages")
    ax = _axes(ax)
    ax.plot(averages.index, 100 * averages["weighted"], marker="o", ms=3, label="size-weighted (pooled customers)")
    ax.plot(averages.index, 100 * averages["simple"], marker="s", ms=3, ls="--", label="simple mean of cohorts")
    ax.set(xlabel=_age_label(averages), ylabel="active", title=title, ylim=(0, None))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return ax


def survival_curves(fitters: dict, *, show_intervals: bool = True, ax=None, title="Share of subscribers still active",
                    xlabel: str | None = None):
    """Kaplan-Meier curves (``rk.survival.kaplan_meier``) as steps, with their confidence bands.

    Parameters
    ----------
    fitters : dict from a group's value to a fitted KaplanMeierFitter
    show_intervals : bool, default True
        Shade each curve's interval (its level is in the legend).
    ax : matplotlib Axes, optional
    title : str
    xlabel : str, optional; default the durations' time unit

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    Nothing of its own.

    Examples
    --------
    >>> import retention_kit as rk
    >>> life = pd.DataFrame({"duration": [1.0, 2.0], "churned": [True, True]})
    >>> survival_curves(rk.survival.kaplan_meier(life)).lines[0].get_ydata().tolist()
    [100.0, 50.0, 0.0]
    """
    ax = _axes(ax)
    first = next(iter(fitters.values()))
    for label, fitter in fitters.items():
        sf = fitter.survival_function_.iloc[:, 0]
        line, = ax.step(sf.index, 100 * sf.to_numpy(), where="post", label=str(label))
        if show_intervals:
            band = fitter.confidence_interval_survival_function_
            ax.fill_between(band.index, 100 * band.iloc[:, 0], 100 * band.iloc[:, 1], step="post", alpha=0.2,
                            color=line.get_color())
    if show_intervals:
        ax.fill_between([], [], [], color="grey", alpha=0.2, label=f"{_level(1 - first.alpha)} intervals")
    unit = getattr(first, "time_unit", None)
    ax.axhline(50, color="grey", lw=0.8, ls=":")
    ax.set(xlabel=xlabel if xlabel is not None else (plural(unit) if unit else "time"), ylabel="still subscribed",
           title=title, ylim=(0, 101))
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return ax
