"""Figures of the Amazon Prime case study (a membership customers choose to join): they draw what they are given."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import InputError
from ._common import ORANGE, RED, TEAL, _axes, _columns, _level

__all__ = ["group_trends", "estimate_intervals", "propensity_overlap", "benefit_usage", "selection_curves"]

_GREY = "#6c757d"
_PLANTED = "#6f42c1"
_BENEFIT_COLOURS = {"free_shipping": TEAL, "streaming": ORANGE, "early_deals": RED}


def group_trends(monthly: pd.DataFrame, *, windows: dict | None = None, ax=None, ylabel="orders per active customer",
                 title="Members and non-members, month by month"):
    """Members' and non-members' mean per month (``monthly_means``), with the analysis windows shaded.

    Parameters
    ----------
    monthly : DataFrame indexed by month with columns ``members`` and ``non-members``
    windows : dict of (start, end) pairs, optional (``pre``, ``join``, ``post``), shaded and labelled
    ax : matplotlib Axes, optional
    ylabel, title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without the two columns.

    Examples
    --------
    >>> m = pd.DataFrame({"members": [2.0, 3.0], "non-members": [1.0, 1.0]},
    ...                  index=pd.to_datetime(["2025-01-01", "2025-02-01"]))
    >>> group_trends(m).lines[0].get_ydata().tolist()
    [2.0, 3.0]
    """
    _columns(monthly, ["members", "non-members"], "monthly")
    ax = _axes(ax, (8, 3.8))
    ax.plot(monthly.index, monthly["members"].to_numpy(), "o-", ms=3, color=TEAL, label="members (joined in 2025)")
    ax.plot(monthly.index, monthly["non-members"].to_numpy(), "o-", ms=3, color=_GREY, label="non-members")
    for (name, (start, end)), colour in zip((windows or {}).items(), ("#dde8f0", "#f3e3c3", "#d7ece3")):
        ax.axvspan(pd.Timestamp(start), pd.Timestamp(end), color=colour, alpha=0.6, lw=0, zorder=0)
        ax.annotate(f"{name} window", (pd.Timestamp(start), 1), xycoords=("data", "axes fraction"),
                    xytext=(3, -12), textcoords="offset points", fontsize="small", color="black")
    ax.set(ylabel=ylabel, title=title, ylim=(0, None))
    ax.legend(fontsize="small", loc="best", framealpha=0.9)           # framed: a line may pass behind it
    ax.grid(alpha=0.3)
    return ax


def estimate_intervals(table: pd.DataFrame, *, planted=None, ax=None, xlabel="effect on members",
                       title="Estimates of the membership's effect"):
    """Each method's estimate with its interval (a table from ``membership.estimates``), and the planted value.

    Rows whose name starts with "naive" are marked in red: the gap that self-selection inflates.

    Parameters
    ----------
    table : DataFrame indexed by method with ``estimate``, ``ci_low``, ``ci_high``; ``attrs["confidence"]``
    planted : float, optional, the simulator's true effect
    ax : matplotlib Axes, optional
    xlabel, title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without the columns it draws.

    Examples
    --------
    >>> t = pd.DataFrame({"estimate": [1.7, 0.8], "ci_low": [1.6, 0.7], "ci_high": [1.8, 0.9]}, index=["naive", "ipw"])
    >>> [line.get_xdata().tolist() for line in estimate_intervals(t, planted=0.75).lines[:2]]
    [[1.7, 0.8], [1.7]]
    """
    _columns(table, ["estimate", "ci_low", "ci_high"])
    ax = _axes(ax, (7, 0.45 * len(table) + 1.6))
    y = np.arange(len(table))[::-1]
    x = table["estimate"].to_numpy(float)
    low, high = table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float)
    naive = np.array([str(name).startswith("naive") for name in table.index])
    level = _level(table.attrs.get("confidence"))
    ax.plot(x, y, "o", color=TEAL, label="estimate", zorder=3)
    ax.plot(x[naive], y[naive], "o", color=RED, label="naive gap (self-selection included)" if naive.any() else None,
            zorder=3)
    ax.errorbar(x, y, xerr=[x - low, high - x], fmt="none", ecolor=_GREY, capsize=3, label=f"{level} interval".strip())
    if planted is not None:
        ax.axvline(planted, color="black", ls="--", lw=1.2, label="planted effect")
    ax.axvline(0, color="grey", ls=":", lw=1)
    ax.set_yticks(y, [str(i) for i in table.index])
    ax.set(xlabel=xlabel, title=title, ylim=(-0.6, len(table) - 0.4))
    ax.legend(frameon=False, fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    ax.grid(axis="x", alpha=0.3)
    return ax


def propensity_overlap(propensity: pd.Series, member: pd.Series, *, bins: int = 30, ax=None,
                       title="Propensity to join: members against non-members"):
    """Histograms (as densities) of the propensity for members and non-members: where do they overlap?

    Parameters
    ----------
    propensity : Series of probabilities
    member : Series of bool, aligned with ``propensity``
    bins : int, default 30
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For misaligned series or probabilities outside [0, 1].

    Examples
    --------
    >>> ax = propensity_overlap(pd.Series([0.2, 0.6, 0.7]), pd.Series([False, True, True]), bins=2)
    >>> len(ax.patches)
    4
    """
    if not isinstance(propensity, pd.Series) or not isinstance(member, pd.Series) \
            or not propensity.index.equals(member.index):
        raise InputError("propensity and member must be Series with the same index (from the same table).")
    e = propensity.to_numpy(float)
    if np.isnan(e).any() or (e < 0).any() or (e > 1).any():
        raise InputError("propensity must hold probabilities from 0 to 1.")
    m = member.to_numpy(bool)
    ax = _axes(ax, (7, 3.4))
    edges = np.linspace(0, 1, bins + 1)
    ax.hist(e[~m], bins=edges, density=True, color=_GREY, alpha=0.55, label="non-members")
    ax.hist(e[m], bins=edges, density=True, color=TEAL, alpha=0.55, label="members")
    ax.set(xlabel="propensity to join (from pre-join orders, spend and tenure)", ylabel="density", title=title)
    ax.legend(frameon=False, fontsize="small")
    return ax


def benefit_usage(usage: pd.DataFrame, *, planted: pd.DataFrame | None = None, ax=None,
                  title="Which benefit each segment uses"):
    """Grouped bars: the share of members using each benefit, by segment, with intervals (``benefit_usage``).

    Parameters
    ----------
    usage : DataFrame with a (segment, benefit) index and ``share``, ``ci_low``, ``ci_high`` (fractions)
    planted : DataFrame, optional, segments by benefits (the simulator's expected shares), drawn as
        purple diamonds (not black ticks, which would read as the intervals' caps)
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without the columns or the two-level index.

    Examples
    --------
    >>> idx = pd.MultiIndex.from_tuples([("light", "streaming"), ("heavy", "streaming")])
    >>> u = pd.DataFrame({"share": [0.8, 0.3], "ci_low": [0.7, 0.2], "ci_high": [0.9, 0.4]}, index=idx)
    >>> [round(float(p.get_height()), 6) for p in benefit_usage(u).patches]
    [80.0, 30.0]
    """
    _columns(usage, ["share", "ci_low", "ci_high"], "usage")
    if usage.index.nlevels != 2:
        raise InputError("usage must have a (segment, benefit) index, as benefit_usage(...) returns.")
    segments = list(dict.fromkeys(usage.index.get_level_values(0)))
    benefits = list(dict.fromkeys(usage.index.get_level_values(1)))
    ax = _axes(ax, (7.5, 3.8))
    width = 0.8 / len(benefits)
    for j, benefit in enumerate(benefits):
        rows = usage.xs(benefit, level=1).reindex(segments)
        x = np.arange(len(segments)) + (j - (len(benefits) - 1) / 2) * width
        share = 100 * rows["share"].to_numpy(float)
        err = [share - 100 * rows["ci_low"].to_numpy(float), 100 * rows["ci_high"].to_numpy(float) - share]
        ax.bar(x, share, width * 0.95, yerr=err, capsize=3, color=_BENEFIT_COLOURS.get(benefit, _GREY), alpha=0.85,
               label=str(benefit).replace("_", " "))
        if planted is not None and benefit in planted.columns:
            ax.plot(x, 100 * planted[benefit].reindex(segments).to_numpy(float), "D", color=_PLANTED, ms=6,
                    mec="white", mew=0.8, ls="none", zorder=4, label="planted" if j == 0 else None)
    ax.set_xticks(np.arange(len(segments)), segments)
    level = _level(usage.attrs.get("confidence"))
    ax.set(ylabel=f"% of members using it ({level} intervals)".replace(" ( intervals)", ""), ylim=(0, 105),
           title=title)
    ax.legend(frameon=False, fontsize="small", ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.1))
    return ax


def selection_curves(curves: pd.DataFrame, *, current: float | None = None, band: tuple | None = None, ax=None,
                     title="The member gap as self-selection strengthens"):
    """Each method's estimate of the effect on orders against the strength of selection, and the planted effect.

    Parameters
    ----------
    curves : DataFrame indexed by selection strength with a ``planted`` column and one column per method
        (other columns, such as ``pre_ratio``, are not drawn)
    current : float, optional, the setting to mark
    band : (low column, high column), optional, an interval of the weighting estimate, shaded
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without ``planted`` and ``naive``, or without the band's columns.

    Examples
    --------
    >>> c = pd.DataFrame({"naive": [0.9, 1.6], "planted": [0.7, 0.7]}, index=[0.0, 1.0])
    >>> selection_curves(c, current=1.0).lines[0].get_ydata().tolist()
    [0.9, 1.6]
    """
    _columns(curves, ["naive", "planted", *(band or ())], "curves")
    ax = _axes(ax, (7, 3.6))
    if band is not None:
        ax.fill_between(curves.index.to_numpy(float), curves[band[0]].to_numpy(float),
                        curves[band[1]].to_numpy(float), color=TEAL, alpha=0.18, lw=0,
                        label="weighting: 95% interval (noise only)")
    styles = {"naive": (RED, "-"), "DiD vs all non-members": (ORANGE, "-"), "DiD vs matched non-members": (TEAL, "-"),
              "inverse-propensity weighting": (TEAL, "--")}
    x = curves.index.to_numpy(float)
    for name in [c for c in curves.columns if c in styles] + ["planted"]:
        colour, ls = styles.get(name, ("black", ":"))
        ax.plot(x, curves[name].to_numpy(float), ls, color=colour, lw=2 if name != "planted" else 1.5, label=name)
    if current is not None:
        ax.axvline(current, color="grey", lw=0.8)
        ax.plot([current] * 2, curves.loc[current, ["naive", "planted"]].to_numpy(float), "o", color="black", ms=5)
    ax.set(xlabel="selection strength (how much pre-join behaviour drives joining)",
           ylabel="effect on orders a month", title=title,
           ylim=(0, 1.1 * float(np.nanmax(curves[[c for c in curves.columns if c in styles or c == "planted"]]))))
    ax.legend(frameon=False, fontsize="small", loc="upper left")
    ax.grid(alpha=0.3)
    return ax
