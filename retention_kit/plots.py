"""Every figure of the course. Each function takes ``ax=None`` (a new figure when None), draws
on it and returns the Axes. Nothing here computes a metric: pass the kit's results in.
Nothing here calls ``plt.show()`` or changes global settings.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from .metrics.survey import nps_category

__all__ = ["score_distribution", "nps_waves", "nps_interval_width", "rates_with_intervals", "rating_distribution", "churn_over_time",
           "compounding", "purchase_count_histogram", "repeat_probability", "spend_by_period", "cohort_heatmap",
           "retention_curves", "survival_curves", "predicted_vs_actual", "value_concentration", "formula_clv_bars",
           "CATEGORY_COLOURS"]

CATEGORY_COLOURS = {"detractor": "#d1495b", "passive": "#edae49", "promoter": "#00798c"}


def _axes(ax, size=(7, 4)):
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def score_distribution(scores, ax=None, title="How likely are you to recommend us? (0-10)"):
    """Bar chart of 0-10 answers, coloured detractor / passive / promoter."""
    ax = _axes(ax)
    counts = pd.Series(scores).dropna().astype(int).value_counts().reindex(range(11), fill_value=0)
    colours = [CATEGORY_COLOURS[c] for c in nps_category(np.arange(11))]
    ax.bar(counts.index, counts.to_numpy(), color=colours)
    ax.set(xticks=range(11), xlabel="score", ylabel="responses", title=title)
    ax.legend(handles=[Patch(color=c, label=name) for name, c in CATEGORY_COLOURS.items()], frameon=False,
              loc="upper left")
    return ax


def nps_waves(results: dict, ax=None, title="NPS by survey wave, with 95% intervals"):
    """Point and interval for each labelled NPS result (``{"wave 1": rk.nps(...), ...}``)."""
    ax = _axes(ax, (6, 3.5))
    labels = list(results)
    values = np.array([results[k].value for k in labels])
    low = values - np.array([results[k].ci[0] for k in labels])
    high = np.array([results[k].ci[1] for k in labels]) - values
    ax.errorbar(range(len(labels)), values, yerr=[low, high], fmt="o", capsize=6, color="#00798c")
    for i, v in enumerate(values):
        ax.annotate(f"{v:.1f}", (i, v), textcoords="offset points", xytext=(10, -4))
    ax.set(xticks=range(len(labels)), xticklabels=labels, ylabel="NPS (points)", title=title,
           xlim=(-0.5, len(labels) - 0.5))
    ax.axhline(0, color="grey", lw=0.8)
    return ax


def nps_interval_width(sizes, half_widths: dict, ax=None, title="Half-width of a 95% NPS interval"):
    """Lines of interval half-width against number of responses, one per labelled scenario."""
    ax = _axes(ax)
    for label, widths in half_widths.items():
        ax.plot(sizes, widths, label=label)
    ax.set(xscale="log", xlabel="responses (log scale)", ylabel="+/- NPS points", title=title)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    return ax


def rates_with_intervals(table: pd.DataFrame, value_col: str = "rate", low_col: str = "ci_low",
                         high_col: str = "ci_high", ax=None, *, title="", xlabel="", unit="fraction",
                         colour="#00798c"):
    """Horizontal bars of a rate per group with interval whiskers (``rk.csat_by``, ``rk.rate_by``).

    ``unit`` says how the columns are stored: "fraction" (0-1, as ``rate_by``) or "%" (0-100,
    as ``csat_by``); either way the axis shows percentages.
    """
    ax = _axes(ax, (7, 0.6 * len(table) + 1.5))
    scale = 100.0 if unit == "fraction" else 1.0
    labels = [", ".join(map(str, i)) if isinstance(i, tuple) else str(i) for i in table.index]
    values = scale * table[value_col].to_numpy(dtype=float)
    err = [values - scale * table[low_col].to_numpy(dtype=float), scale * table[high_col].to_numpy(dtype=float) - values]
    ax.barh(labels, values, xerr=err, color=colour, alpha=0.85, capsize=4)
    right = values + err[1]
    for y, (v, r) in enumerate(zip(values, right)):
        ax.text(r + 0.01 * right.max(), y, f" {v:.1f}%", va="center", ha="left")
    ax.set(title=title, xlabel=xlabel, xlim=(0, 1.15 * right.max()))
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    return ax


def rating_distribution(ratings, ax=None, *, scale=5, satisfied=(4, 5), title="Satisfaction ratings"):
    """Bar chart of 1..scale ratings, the satisfied ones highlighted."""
    ax = _axes(ax, (6, 3.5))
    counts = pd.Series(ratings).dropna().astype(int).value_counts().reindex(range(1, scale + 1), fill_value=0)
    ax.bar(counts.index, counts.to_numpy(),
           color=["#00798c" if k in satisfied else "#bbbbbb" for k in counts.index])
    ax.set(xticks=range(1, scale + 1), xlabel="rating", ylabel="responses", title=title)
    return ax


def churn_over_time(table: pd.DataFrame, ax=None, *, title="Monthly churn rate"):
    """Churn rate per period from ``rk.churn_by_period``."""
    ax = _axes(ax)
    ax.plot(table["period_start"], 100 * table["churn_rate"], marker="o", ms=3, color="#d1495b")
    ax.set(ylabel="churn rate", title=title, ylim=(0, None))
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.grid(alpha=0.3)
    return ax


def compounding(monthly_rate: float, cumulative: np.ndarray, ax=None, *, months=None):
    """Share of a starting cohort lost after each month: compounded (right) vs multiplied (wrong)."""
    ax = _axes(ax)
    months = np.arange(1, len(cumulative) + 1) if months is None else months
    ax.plot(months, 100 * np.asarray(cumulative), marker="o", label=f"compounded: 1 - (1 - {monthly_rate:g})^k")
    ax.plot(months, 100 * np.minimum(monthly_rate * months, 1), ls="--", label=f"multiplied: {monthly_rate:g} * k")
    ax.set(xlabel="months k", ylabel="share of the cohort lost", title="Monthly churn adds up by compounding")
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return ax


def purchase_count_histogram(counts: pd.Series, ax=None, *, clip_at=30, title="Purchases per customer"):
    """Customers by number of purchases (the last bar collects ``clip_at`` or more)."""
    ax = _axes(ax)
    clipped = np.minimum(np.asarray(counts), clip_at)
    dist = pd.Series(clipped).value_counts().sort_index()
    ax.bar(dist.index, dist.to_numpy(), color=["#edae49" if k == 1 else "#00798c" for k in dist.index])
    ax.set(xlabel=f"purchases in the period ({clip_at} = {clip_at} or more)", ylabel="customers", title=title)
    return ax


def repeat_probability(table: pd.DataFrame, ax=None, *, title="Chance of one more purchase, given k so far"):
    """``probability`` against ``purchases`` from ``rk.repeat_probability_by_count``."""
    ax = _axes(ax)
    ax.plot(table["purchases"], 100 * table["probability"], marker="o", color="#00798c")
    ax.set(xlabel="purchases so far (k)", ylabel="P(purchase k + 1)", title=title, ylim=(0, 100))
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.grid(alpha=0.3)
    return ax


def spend_by_period(by_period: pd.DataFrame, ax=None, *, title="Retention spend by program"):
    """Stacked bars of spend per period and program (``retention_cost(...).by_period``)."""
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


def cohort_heatmap(retention: pd.DataFrame, ax=None, *, title="Share of each cohort active, by age",
                   annotate=True):
    """Heatmap of ``cohort_retention(...)``: cells not yet observable stay blank, never 0."""
    ax = _axes(ax, (10, 0.32 * len(retention) + 1.8))
    values = np.ma.masked_invalid(100 * retention.to_numpy(dtype=float))
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad("white")
    image = ax.imshow(values, cmap=cmap, aspect="auto", vmin=0, vmax=np.nanmax(values[:, 1:]) if values.shape[1] > 1 else 100)
    ax.set(xticks=range(retention.shape[1]), yticks=range(len(retention)), title=title,
           xlabel="age (periods since first purchase)", ylabel="cohort")
    ax.set_yticklabels([str(i) for i in retention.index], fontsize="small")
    ax.set_xticklabels([str(c) for c in retention.columns], fontsize="small")
    if annotate:
        for (i, j), v in np.ndenumerate(values.filled(np.nan)):
            if np.isfinite(v) and j > 0:
                ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=6, color="white" if v < 30 else "black")
    ax.figure.colorbar(image, ax=ax, label="% of cohort active", format=PercentFormatter(100))
    return ax


def retention_curves(averages: pd.DataFrame, ax=None, *, title="Average retention by age: weighted vs simple"):
    """The ``weighted`` and ``simple`` columns of ``average_retention(...)`` against age."""
    ax = _axes(ax)
    ax.plot(averages.index, 100 * averages["weighted"], marker="o", ms=3, label="size-weighted (pooled customers)")
    ax.plot(averages.index, 100 * averages["simple"], marker="s", ms=3, ls="--", label="simple mean of cohorts")
    ax.set(xlabel="age (periods since first purchase)", ylabel="active", title=title, ylim=(0, None))
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return ax


def survival_curves(fitters: dict, ax=None, *, title="Share of subscribers still active", xlabel="months",
                    ci=True):
    """Kaplan-Meier curves (``rk.survival.kaplan_meier``) as steps, with confidence bands."""
    ax = _axes(ax)
    for label, fitter in fitters.items():
        sf = fitter.survival_function_.iloc[:, 0]
        line, = ax.step(sf.index, 100 * sf.to_numpy(), where="post", label=label)
        if ci:
            band = fitter.confidence_interval_survival_function_
            ax.fill_between(band.index, 100 * band.iloc[:, 0], 100 * band.iloc[:, 1], step="post", alpha=0.2,
                            color=line.get_color())
    ax.axhline(50, color="grey", lw=0.8, ls=":")
    ax.set(xlabel=xlabel, ylabel="still subscribed", title=title, ylim=(0, 101))
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return ax


def predicted_vs_actual(table: pd.DataFrame, ax=None, *, title="Holdout: predicted vs actual repeat purchases"):
    """Mean predicted and actual holdout purchases by calibration frequency (columns ``predicted``, ``actual``)."""
    ax = _axes(ax)
    ax.plot(table.index, table["actual"], marker="o", label="actual")
    ax.plot(table.index, table["predicted"], marker="s", ls="--", label="predicted by the model")
    ax.set(xlabel="repeat purchases in the calibration period", ylabel="mean purchases in the holdout", title=title)
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return ax


def value_concentration(values, ax=None, *, title="Share of total value from the top customers"):
    """Cumulative share of a value (CLV, revenue) against the share of customers, best first (a gains curve)."""
    ax = _axes(ax, (6, 4))
    v = np.sort(np.asarray(values, dtype=float))[::-1]
    share_customers = np.arange(1, len(v) + 1) / len(v)
    ax.plot(100 * share_customers, 100 * np.cumsum(v) / v.sum(), color="#00798c")
    ax.plot([0, 100], [0, 100], color="grey", ls=":", label="every customer alike")
    ax.set(xlabel="customers, ranked by value", ylabel="share of total value", title=title, xlim=(0, 100), ylim=(0, 101))
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return ax


def formula_clv_bars(values: dict, ax=None, *, title="Customer lifetime value by closed form"):
    """Bars of the CLV closed forms (``{"end": ..., "start": ..., "undiscounted": ...}``)."""
    ax = _axes(ax, (7, 3.4))
    labels = {"end": "first margin\nafter a period", "start": "first margin\nnow", "undiscounted": "undiscounted\nm / (1 - r)"}
    names = list(values)
    bars = ax.bar([labels.get(k, k) for k in names], [values[k] for k in names], color=["#00798c", "#edae49", "#d1495b"])
    for bar, key in zip(bars, names):
        ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height(), f"${values[key]:,.1f}", ha="center", va="bottom")
    ax.set(ylabel="lifetime value ($)", title=title)
    ax.set_ylim(0, 1.15 * max(values.values()))
    return ax
