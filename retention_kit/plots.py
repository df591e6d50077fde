"""Every figure of the course.

Each function takes its data first and everything else by keyword, with ``ax=None`` (a new
figure when None); it draws on the Axes and returns it. Nothing here computes a metric: pass the
kit's results in. Labels of intervals follow the ``confidence`` the results were computed at.
Nothing here calls ``plt.show()`` or changes global settings. seaborn draws the heatmap and the
histograms; matplotlib the rest.

Each function returns the Axes it drew on, and raises ``InputError`` for a table without the
columns it draws. Example, for all of them::

    >>> import retention_kit as rk
    >>> ax = rk.plots.rating_distribution([5, 4, 4, 2, 1])
    >>> [float(p.get_height()) for p in ax.patches]
    [1.0, 1.0, 0.0, 2.0, 1.0]
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from .metrics.nps import nps_category
from .validation import InputError, plural, require_columns

__all__ = ["score_distribution", "nps_waves", "nps_interval_width", "rates_with_intervals", "rating_distribution",
           "churn_over_time", "compounding", "purchase_count_histogram", "repeat_probability", "spend_by_period",
           "cohort_heatmap", "retention_curves", "survival_curves", "predicted_vs_actual", "value_concentration",
           "formula_clv_bars", "CATEGORY_COLOURS"]

CATEGORY_COLOURS = {"detractor": "#d1495b", "passive": "#edae49", "promoter": "#00798c"}
TEAL, ORANGE, RED = "#00798c", "#edae49", "#d1495b"


def _axes(ax, size=(7, 4)):
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _level(confidence) -> str:
    return f"{100 * confidence:g}%" if confidence else ""


def _columns(table, columns, name="table"):
    if not isinstance(table, pd.DataFrame):
        raise InputError(f"{name} must be a DataFrame from the kit, got {type(table).__name__}.")
    require_columns(table, columns, name, "pass the table the kit's function returns")


def score_distribution(scores, *, ax=None, title="How likely are you to recommend us? (0-10)"):
    """Bar chart of 0-10 answers, coloured detractor / passive / promoter (skipped answers left out).

    Parameters
    ----------
    scores : 0-10 scores (list, array or Series)
    ax : matplotlib Axes, optional
    title : str
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
    """
    ax = _axes(ax, (6, 3.5))
    labels = list(results)
    values = np.array([results[k].value for k in labels])
    low = values - np.array([results[k].ci[0] for k in labels])
    high = np.array([results[k].ci[1] for k in labels]) - values
    ax.errorbar(range(len(labels)), values, yerr=[low, high], fmt="o", capsize=6, color=TEAL)
    for i, v in enumerate(values):
        ax.annotate(f"{v:.1f}", (i, v), textcoords="offset points", xytext=(10, -4))
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
    """
    ax = _axes(ax)
    for label, widths in half_widths.items():
        ax.plot(sizes, widths, label=label)
    ax.set(xscale="log", xlabel="responses (log scale)", ylabel="+/- NPS points",
           title=title if title is not None else f"Half-width of a {_level(confidence)} NPS interval")
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
    """
    ax = _axes(ax, (6, 3.5))
    counts = pd.Series(np.asarray(ratings, dtype=float)).dropna().astype(int).value_counts().reindex(
        range(1, scale + 1), fill_value=0)
    ax.bar(counts.index, counts.to_numpy(), color=[TEAL if k in satisfied else "#bbbbbb" for k in counts.index])
    ax.set(xticks=range(1, scale + 1), xlabel="rating", ylabel="responses", title=title)
    return ax


def churn_over_time(table: pd.DataFrame, *, ax=None, title="Churn rate by period"):
    """Churn rate per period from ``rk.churn_by_period`` (periods with no rate left out).

    Parameters
    ----------
    table : DataFrame with ``period_start`` and ``churn_rate``
    ax : matplotlib Axes, optional
    title : str
    """
    _columns(table, ["period_start", "churn_rate"])
    ax = _axes(ax)
    ax.plot(table["period_start"], 100 * table["churn_rate"], marker="o", ms=3, color=RED)
    ax.set(ylabel="churn rate", title=title, ylim=(0, None))
    ax.yaxis.set_major_formatter(PercentFormatter(100))
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
    """
    ax = _axes(ax)
    k = np.arange(1, len(cumulative) + 1) if periods is None else np.asarray(periods)
    ax.plot(k, 100 * np.asarray(cumulative, dtype=float), marker="o", label=f"compounded: 1 - (1 - {rate:g})^k")
    ax.plot(k, 100 * np.minimum(rate * k, 1), ls="--", label=f"multiplied: {rate:g} x k")
    ax.set(xlabel=f"{plural(time_unit)} k", ylabel="share of the cohort lost",
           title=f"Churn per {time_unit} adds up by compounding")
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return ax


def purchase_count_histogram(counts: pd.Series, *, clip_at=30, ax=None, title="Purchases per customer"):
    """Customers by number of purchases (the last bar collects ``clip_at`` or more; one-time buyers in orange).

    Parameters
    ----------
    counts : purchases per customer (``rk.purchase_counts``)
    clip_at : int, default 30
    ax : matplotlib Axes, optional
    title : str
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


def repeat_probability(table: pd.DataFrame, *, ax=None, title="Chance of one more purchase, given k so far"):
    """``probability`` against ``purchases`` from ``rk.repeat_probability_by_count``.

    Parameters
    ----------
    table : DataFrame with ``purchases`` and ``probability``
    ax : matplotlib Axes, optional
    title : str
    """
    _columns(table, ["purchases", "probability"])
    ax = _axes(ax)
    ax.plot(table["purchases"], 100 * table["probability"], marker="o", color=TEAL)
    ax.set(xlabel="purchases so far (k)", ylabel="P(purchase k + 1)", title=title, ylim=(0, 100))
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
    ax.set(title=title, xlabel="age (periods since first purchase)", ylabel="cohort")
    ax.tick_params(labelsize="small")
    return ax


def retention_curves(averages: pd.DataFrame, *, ax=None, title="Average retention by age: weighted vs simple"):
    """The ``weighted`` and ``simple`` columns of ``rk.cohorts.average_retention(...)`` against age.

    Parameters
    ----------
    averages : DataFrame indexed by age with ``weighted`` and ``simple``
    ax : matplotlib Axes, optional
    title : str
    """
    _columns(averages, ["weighted", "simple"], "averages")
    ax = _axes(ax)
    ax.plot(averages.index, 100 * averages["weighted"], marker="o", ms=3, label="size-weighted (pooled customers)")
    ax.plot(averages.index, 100 * averages["simple"], marker="s", ms=3, ls="--", label="simple mean of cohorts")
    ax.set(xlabel="age (periods since first purchase)", ylabel="active", title=title, ylim=(0, None))
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


def predicted_vs_actual(table: pd.DataFrame, *, ax=None, title="Holdout: predicted vs actual repeat purchases"):
    """Mean predicted and actual holdout purchases by calibration frequency (``rk.clv.holdout_check``).

    Parameters
    ----------
    table : DataFrame with ``predicted`` and ``actual``
    ax : matplotlib Axes, optional
    title : str
    """
    _columns(table, ["predicted", "actual"])
    ax = _axes(ax)
    ax.plot(table.index, table["actual"], marker="o", label="actual")
    ax.plot(table.index, table["predicted"], marker="s", ls="--", label="predicted by the model")
    ax.set(xlabel="repeat purchases in the calibration period", ylabel="mean purchases in the holdout", title=title)
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
    """
    ax = _axes(ax, (7, 3.4))
    labels = {"end": "first margin\nafter a period", "start": "first margin\nnow", "undiscounted": "undiscounted\nm / (1 - r)"}
    names = list(values)
    bars = ax.bar([labels.get(k, k) for k in names], [values[k] for k in names], color=[TEAL, ORANGE, RED][:len(names)])
    for bar, key in zip(bars, names):
        ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height(), f"${values[key]:,.1f}", ha="center", va="bottom")
    ax.set(ylabel="lifetime value ($)", title=title)
    ax.set_ylim(0, 1.15 * max(values.values()))
    return ax
