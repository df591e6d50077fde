"""Figures of the lesson on a data-driven customer-success team: how far ahead an early-warning list warns, and
how the kit's summaries grow with the customer base.

Each function takes a table the kit computed first and everything else by keyword, draws on ``ax`` (a new
figure when None) and returns it. Nothing here computes a metric: pass the kit's tables in.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from ..validation import InputError
from ._common import ORANGE, RED, TEAL, _axes, _columns

__all__ = ["lead_times", "scale_timings"]

_METHOD_COLOURS = [TEAL, ORANGE, RED, "#7b4fa0"]


def _warned_share(lead: np.ndarray, weeks: np.ndarray) -> np.ndarray:
    """Share of all churners (NaN = never warned) warned at least w weeks ahead, for each w."""
    return np.array([(lead >= w).sum() / len(lead) for w in weeks]) if len(lead) else np.zeros(len(weeks))


def lead_times(table: pd.DataFrame, *, planted=None, ax=None,
               title="How far ahead churners were flagged"):
    """Share of churners flagged at least w weeks before they cancelled, for w = 1 ... the look-back.

    With ``planted``, two more lines describe the churners with a planted warning only (those with a
    value): the share of them flagged at least w weeks ahead (dotted), and the share whose planted
    warning had begun at least w weeks before the cancellation (dashed). Compare the dotted line with
    the dashed one: both describe the same churners. A flag can precede the planted onset (a
    subscriber risky before the drift), so the dotted line is not bounded by the dashed one.

    Parameters
    ----------
    table : DataFrame from ``rk.churn.flag_lead_times`` (``lead_weeks``, NaN for never flagged;
        ``attrs["lookback_weeks"]`` and ``attrs["threshold"]``)
    planted : Series of weeks indexed like ``table``, optional
        A simulator's planted warning (weeks from its onset to the cancellation, NaN when none).
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without ``lead_weeks``, or ``planted`` not indexed like it.

    Examples
    --------
    >>> t = pd.DataFrame({"lead_weeks": [1.0, 3.0, None, 4.0]})
    >>> t.attrs.update(lookback_weeks=4, threshold=0.2)
    >>> lead_times(t).lines[0].get_ydata().tolist()          # 3 of 4 at least 1 week ahead, 2 of 4 at least 3
    [75.0, 50.0, 50.0, 25.0]
    >>> ax = lead_times(t, planted=pd.Series([2.0, 4.0, None, None]))      # the first two drifted
    >>> ax.lines[1].get_ydata().tolist(), ax.lines[2].get_ydata().tolist()  # dashed, dotted
    ([100.0, 100.0, 50.0, 50.0], [100.0, 50.0, 50.0, 0.0])
    """
    _columns(table, ["lead_weeks"])
    lookback = int(table.attrs.get("lookback_weeks", np.nanmax(table["lead_weeks"].to_numpy(), initial=1)))
    weeks = np.arange(1, lookback + 1)
    ax = _axes(ax, (7, 3.6))
    flag = f" (p_churn >= {table.attrs['threshold']:.0%})" if "threshold" in table.attrs else ""
    lead = table["lead_weeks"].to_numpy(dtype=float)
    ax.plot(weeks, 100 * _warned_share(lead, weeks), "o-", color=TEAL, ms=4, label=f"flagged{flag}: all churners")
    if planted is not None:
        if not isinstance(planted, pd.Series) or not planted.index.equals(table.index):
            raise InputError("planted must be a Series indexed like the table (one value per churner, NaN when "
                             "nothing was planted); reindex it: planted.reindex(table.index).")
        onset = planted.to_numpy(dtype=float)
        drifting = ~np.isnan(onset)
        ax.plot(weeks, 100 * _warned_share(onset[drifting], weeks), "--", color=ORANGE,
                label="planted: drift had begun at least w weeks before (drifting churners)")
        ax.plot(weeks, 100 * _warned_share(lead[drifting], weeks), "o:", color=ORANGE, ms=3,
                label=f"flagged{flag}: drifting churners only")
    # room above 100% for the legend, so that it never hides a line whatever the threshold
    ax.set(xlabel="w, weeks before the cancellation", ylabel="churners", title=title, ylim=(0, 101 + 9 * len(ax.lines)),
           xticks=weeks, yticks=np.arange(0, 101, 20))
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.legend(frameon=False, fontsize="small", loc="upper left", ncols=1)
    ax.grid(alpha=0.3)
    return ax


def scale_timings(timings: pd.DataFrame, *, value: str = "seconds", ax=None,
                  title="Time of each summary as the customer base grows"):
    """Time (or memory) against the number of customers, both on log scales, one line per summary and method.

    On log-log axes a time that grows as n^b is a straight line of slope b: parallel lines grow
    alike, and a line steeper than another grows faster. Each method has a colour (in the order
    the table lists them), each summary a marker and a line style; the legend names the methods
    and the summaries once each. Rows whose ``value`` is missing (Spark's memory is its JVM's, not
    measured) are not drawn.

    Parameters
    ----------
    timings : DataFrame with ``summary``, ``method``, ``customers`` and ``value`` (``load_scale_timings()``)
    value : str, default "seconds"; ``"peak_memory_mb"`` draws memory instead
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without those columns, or values that are not positive (no logarithm).

    Examples
    --------
    >>> t = pd.DataFrame({"summary": "rfm_summary", "method": ["kit", "kit", "SQL", "SQL"],
    ...                   "customers": [10, 100, 10, 100], "seconds": [0.1, 1.0, 0.2, 0.5]})
    >>> [line.get_ydata().tolist() for line in scale_timings(t).lines]
    [[0.2, 0.5], [0.1, 1.0]]
    """
    _columns(timings, ["summary", "method", "customers", value], "timings")
    drawn = timings[timings[value].notna()]
    if not (drawn[value] > 0).all() or not (drawn["customers"] > 0).all():
        raise InputError(f"timings[{value!r}] and timings['customers'] must be positive to be drawn on log scales; "
                         "drop the rows that are not.")
    ax = _axes(ax, (7.5, 4.2))
    styles = {"rfm_summary": "o-", "cohort_table": "s--"}
    methods = list(dict.fromkeys(timings["method"]))              # a method keeps its colour in every figure
    for (summary, method), group in drawn.groupby(["summary", "method"], sort=True):
        group = group.sort_values("customers")
        ax.plot(group["customers"].to_numpy(), group[value].to_numpy(), styles.get(summary, "^-"),
                color=_METHOD_COLOURS[methods.index(method) % len(_METHOD_COLOURS)], ms=4,
                label=f"{summary}: {method}")
    ax.set(xscale="log", yscale="log", xlabel="customers", title=title,
           ylabel="seconds" if value == "seconds" else value.replace("_", " "))
    from matplotlib.lines import Line2D
    keys = [Line2D([], [], color=_METHOD_COLOURS[i % len(_METHOD_COLOURS)], lw=2, label=str(m))
            for i, m in enumerate(methods)]
    keys += [Line2D([], [], color="grey", marker=styles.get(sm, "^-")[0], ls=styles.get(sm, "^-")[1:], ms=4,
                    label=str(sm)) for sm in dict.fromkeys(timings["summary"])]
    ax.legend(handles=keys, frameon=False, fontsize="small")
    ax.grid(alpha=0.3, which="both")
    return ax
