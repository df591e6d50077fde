"""Figures of a randomized rollout (the Spotify playlists case study): listening by arm on a log scale, lifts with
their intervals beside the planted values, and two arms' retention curves with the area between them.

Each function takes what the kit computed first and everything else by keyword, draws on ``ax`` (a new figure
when None) and returns it. Nothing here computes a metric.
"""
from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator, PercentFormatter

from ..results import MetricResult
from ..validation import InputError, as_flag, plural
from ._common import ORANGE, RED, TEAL, _axes, _columns, _level

__all__ = ["listening_distribution", "lift_estimates", "retention_gap"]


def listening_distribution(per_subscriber: pd.DataFrame, *, metric: str = "minutes", treated_col: str = "treated",
                           bins: int = 40, ax=None, title="Listening per subscriber, by arm (log scale)"):
    """Histograms of a per-subscriber measure for each arm on a logarithmic axis, with each arm's mean and median.

    Parameters
    ----------
    per_subscriber : DataFrame from ``rk.programs.rollout.listening_per_subscriber``
    metric : str, default "minutes"
    treated_col : str, default "treated"
    bins : int, default 40, logarithmically spaced from the smallest positive value to the largest
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without the columns it draws, or without a positive value.

    Examples
    --------
    >>> d = pd.DataFrame({"minutes": [10.0, 100.0, 1000.0, 20.0], "treated": [True, True, False, False]})
    >>> sorted(line.get_label() for line in listening_distribution(d).lines)[:2]
    ['control mean', 'control median']
    """
    _columns(per_subscriber, [metric, treated_col], "per_subscriber")
    values = per_subscriber[metric].to_numpy(dtype=float)
    positive = values[values > 0]
    if not len(positive):
        raise InputError(f"column {metric!r} has no positive value to draw on a log scale.")
    treated = as_flag(per_subscriber[treated_col], treated_col).to_numpy(dtype=bool)
    ax = _axes(ax)
    edges = np.geomspace(positive.min(), positive.max(), bins + 1)
    for flag, name, colour in ((False, "control", "grey"), (True, "treated", TEAL)):
        arm = values[treated == flag]
        zeros = int((arm <= 0).sum())            # a log axis has no 0: say how many are not drawn
        ax.hist(arm[arm > 0], bins=edges, histtype="step", lw=1.6, color=colour,
                label=f"{name} ({len(arm):,}" + (f"; {zeros:,} at 0, not drawn)" if zeros else ")"))
        ax.axvline(arm.mean(), color=colour, ls="--", lw=1.2, label=f"{name} mean")
        ax.axvline(np.median(arm), color=colour, ls=":", lw=1.2, label=f"{name} median")
    ax.set_xscale("log")
    ax.set(xlabel=f"{metric.replace('_', ' ')} a week (log scale)", ylabel="subscribers", title=title)
    ax.legend(frameon=False, fontsize="small", ncol=2)
    return ax


def lift_estimates(estimates: dict, *, planted: dict | None = None, ax=None, title="Lift of the treated arm"):
    """A forest plot of relative lifts (fractions, drawn in percent) with their intervals, and planted values.

    Parameters
    ----------
    estimates : dict from a label to a MetricResult with a fraction ``value`` and ``ci`` (``engagement_lift``)
    planted : dict from some of the labels to the true lift (a fraction), drawn as open diamonds
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For an empty dict or a value that is not a result with an interval.

    Examples
    --------
    >>> r = MetricResult("engagement_lift", "lift", 0.1, "fraction", "", ci=(0.05, 0.15), confidence=0.95)
    >>> [round(float(x), 6) for x in lift_estimates({"mean": r}).lines[0].get_xdata()]
    [10.0]
    """
    if not isinstance(estimates, dict) or not estimates:
        raise InputError("estimates must be a dict from a label to a result with an interval, such as "
                         "{'mean': engagement_lift(...)}.")
    bad = [k for k, v in estimates.items() if not isinstance(v, MetricResult) or v.ci is None]
    if bad:
        raise InputError(f"estimates[{bad[0]!r}] is not a result with an interval (a MetricResult with ci).")
    ax = _axes(ax, (7, 0.45 * len(estimates) + 1.5))
    labels = list(estimates)
    y = np.arange(len(labels))[::-1]
    x = np.array([100 * estimates[k].value for k in labels])
    low = np.array([100 * estimates[k].ci[0] for k in labels])
    high = np.array([100 * estimates[k].ci[1] for k in labels])
    ax.plot(x, y, "o", color=TEAL, label="estimate")
    level = _level(next(iter(estimates.values())).confidence)
    ax.errorbar(x, y, xerr=[x - low, high - x], fmt="none", ecolor=TEAL, capsize=3, label=f"{level} interval".strip())
    if planted:
        known = [(i, label) for i, label in enumerate(labels) if label in planted]
        ax.plot([100 * planted[label] for _, label in known], [y[i] for i, _ in known], "D", color=RED, ms=7,
                fillstyle="none", label="planted")
    ax.axvline(0, color="grey", ls=":")
    ax.set_yticks(y, labels)
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    ax.set(xlabel="treated over control, minus 1", title=title)
    ax.legend(frameon=False, fontsize="small")
    ax.grid(axis="x", alpha=0.3)
    return ax


def retention_gap(fitter_treated, fitter_control, *, horizon: float | None = None, ax=None,
                  title="Still subscribed, by arm", labels=("with playlists (treated)", "control")):
    """Two arms' Kaplan-Meier curves with their bands, and the area between them up to ``horizon`` shaded.

    The shaded area is the difference of restricted mean lifetimes to the horizon; the vertical gap at the
    dotted line is the difference in the share still subscribed there.

    Parameters
    ----------
    fitter_treated, fitter_control : fitted curves from ``rk.survival.kaplan_meier``
    horizon : float, optional, in the curves' time unit
    ax : matplotlib Axes, optional
    title : str
    labels : (str, str), default ("with playlists (treated)", "control"), the arms' names in the legend

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For an object that is not a fitted curve, a horizon that is not a positive number, or labels that are
        not two strings.

    Examples
    --------
    >>> import retention_kit as rk
    >>> f = rk.survival.kaplan_meier(pd.DataFrame({"duration": [1.0, 2.0], "churned": [True, True]}))["all"]
    >>> retention_gap(f, f).lines[0].get_ydata().tolist()
    [100.0, 50.0, 0.0]
    """
    for name, f in (("fitter_treated", fitter_treated), ("fitter_control", fitter_control)):
        if not hasattr(f, "survival_function_at_times"):
            raise InputError(f"{name} must be a fitted curve from rk.survival.kaplan_meier, got {type(f).__name__}.")
    if horizon is not None and not (isinstance(horizon, numbers.Real) and not isinstance(horizon, (bool, np.bool_))
                                    and np.isfinite(horizon) and horizon > 0):
        raise InputError(f"horizon={horizon!r} must be a positive number of periods.")
    if isinstance(labels, str) or len(labels) != 2 or not all(isinstance(x, str) for x in labels):
        raise InputError(f"labels={labels!r} must be two names, the treated arm's and the control arm's.")
    ax = _axes(ax)
    for fitter, name, colour in ((fitter_treated, labels[0], TEAL), (fitter_control, labels[1], ORANGE)):
        sf = fitter.survival_function_.iloc[:, 0]
        ax.step(sf.index, 100 * sf.to_numpy(), where="post", color=colour, label=name)
        band = fitter.confidence_interval_survival_function_
        if len(band) > 400:          # thousands of event times: the band on a grid of 400 draws alike, faster
            grid = np.linspace(band.index.min(), band.index.max(), 400)
            band = band.iloc[np.searchsorted(band.index.to_numpy(), grid, side="right") - 1].set_axis(grid)
        ax.fill_between(band.index, 100 * band.iloc[:, 0], 100 * band.iloc[:, 1], step="post", alpha=0.15,
                        color=colour)
    if horizon is not None:
        grid = np.linspace(0, float(horizon), 400)
        st = 100 * fitter_treated.survival_function_at_times(grid).to_numpy()
        sc = 100 * fitter_control.survival_function_at_times(grid).to_numpy()
        ax.fill_between(grid, sc, st, facecolor="none", edgecolor="0.2", hatch="////", lw=0, zorder=3,
                        label="area between (restricted mean)")      # hatched: it shows over the bands
        ax.axvline(horizon, color="grey", ls=":", lw=1)
    unit = getattr(fitter_treated, "time_unit", None)
    low = min(float(fitter_treated.survival_function_.min().iloc[0]), float(fitter_control.survival_function_.min().iloc[0]))
    ax.set(xlabel=f"{plural(unit)} after the rollout" if unit else "time", ylabel="still subscribed", title=title,
           ylim=(max(0.0, 100 * low - 8), 101))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    ax.legend(frameon=False, fontsize="small", loc="lower left")
    ax.grid(alpha=0.3)
    return ax
