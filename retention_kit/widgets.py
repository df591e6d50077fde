"""Interactive explorers for live demos: thin ipywidgets layers over tested functions.

Each explorer has a pure ``*_view`` function (numbers in, text and figure out) that tests and
benchmarks call directly, and a ``*_explorer`` that only adds controls. An explorer is an
:class:`~retention_kit.explorer.Explorer`: a live widget that also carries a static view of its
starting state (the figure and the text as HTML), which JupyterLab shows where there is no kernel
(a saved notebook, the course site) and which the live widget replaces when the cell runs.
"""
from __future__ import annotations

import math

import ipywidgets as w
import numpy as np

from . import plots
from .explorer import Explorer
from .results import money_text
from .clv import FORMULA_CLV_TIMING, formula_clv
from .metrics import compound_churn, expected_lifetime, nps_from_shares
from .survival import kaplan_meier, median_lifetime
from .validation import Confidence, check, plural

__all__ = ["nps_interval_view", "nps_interval_explorer", "churn_compounding_view",
           "churn_compounding_explorer", "formula_clv_view", "formula_clv_explorer", "survival_view",
           "survival_explorer"]

SIZES = np.unique(np.round(np.logspace(np.log10(50), np.log10(20000), 60)).astype(int))
_STYLE = {"description_width": "150px"}
_LAYOUT = dict(width="460px")


def nps_interval_view(n: float, p_promoters: float, p_detractors: float, *, confidence: float = 0.95, ax=None):
    """Text and plot for one setting of the NPS interval explorer; returns (text, ax).

    Parameters
    ----------
    n : number of responses (rounded to a whole number)
    p_promoters, p_detractors : float
        True shares; detractors are capped at 1 - promoters.
    confidence : float, default 0.95
    ax : matplotlib Axes, optional

    Returns
    -------
    (str, matplotlib Axes)

    Raises
    ------
    InputError
        For shares outside [0, 1] or n below 1.

    Examples
    --------
    >>> text, ax = nps_interval_view(1000, 0.25, 0.075)
    >>> text
    'NPS 17.5, standard error 1.72, 95% interval 14.1 to 20.9 (+/- 3.4 points with 1,000 responses)'
    """
    n = int(round(n))
    capped = p_detractors > 1 - p_promoters
    p_detractors = min(p_detractors, 1 - p_promoters)
    result = nps_from_shares(p_promoters, p_detractors, n, confidence=confidence)
    low, high = result.ci
    half = [(r.ci[1] - r.ci[0]) / 2 for r in (nps_from_shares(p_promoters, p_detractors, int(m), confidence=confidence)
                                              for m in SIZES)]
    ax = plots.nps_interval_width(SIZES, {f"promoters {p_promoters:.0%}, detractors {p_detractors:.0%}": half},
                                  confidence=confidence, ax=ax)
    ax.axvline(n, color="grey", ls=":")
    ax.plot([n], [(high - low) / 2], "o", color=plots.RED)
    text = (f"NPS {result.value:.1f}, standard error {result.se:.2f}, {100 * confidence:g}% interval {low:.1f} to "
            f"{high:.1f} (+/- {(high - low) / 2:.1f} points with {n:,} responses)")
    if capped:
        text += f"; detractors capped at {p_detractors:.0%}, so that the shares add to at most 100%"
    if result.notes:                 # too few answers, promoters or detractors: say so beside the interval
        text += f"; caution, {result.notes[0].split(':')[0]}: too few for this interval to be trusted"
    return text, ax


def nps_interval_explorer(*, confidence: float = 0.95) -> Explorer:
    """Controls for responses (a logarithmic slider, like the plot) and true shares -> width of the NPS interval.

    Parameters
    ----------
    confidence : float, default 0.95

    Returns
    -------
    Explorer

    Raises
    ------
    InputError
        For a confidence outside (0, 1).

    Examples
    --------
    >>> explorer = nps_interval_explorer()
    >>> explorer.controls["n"].value = 5000
    >>> "5,000 responses" in explorer.label.value
    True
    """
    confidence = check("confidence", confidence, Confidence())
    controls = dict(
        n=w.FloatLogSlider(400, base=10, min=math.log10(50), max=math.log10(20000), step=0.01, readout_format=",.0f",
                           description="responses", continuous_update=False, style=_STYLE, layout=_LAYOUT),
        p_promoters=w.FloatSlider(0.30, min=0, max=1, step=0.01, readout_format=".0%", description="promoters (share)",
                                  continuous_update=False, style=_STYLE, layout=_LAYOUT),
        p_detractors=w.FloatSlider(0.25, min=0, max=1, step=0.01, readout_format=".0%",
                                   description="detractors (share)", continuous_update=False, style=_STYLE,
                                   layout=_LAYOUT))
    return Explorer(lambda ax, **v: nps_interval_view(**v, confidence=confidence, ax=ax), controls,
                    title="NPS interval explorer")


def churn_compounding_view(monthly_rate: float, months: int = 12, *, ax=None):
    """Text and plot for one setting of the churn explorer; returns (text, ax).

    Parameters
    ----------
    monthly_rate : float, churn per month
    months : int, months to plot
    ax : matplotlib Axes, optional

    Returns
    -------
    (str, matplotlib Axes)

    Raises
    ------
    InputError
        For a rate outside (0, 1] or months below 1.

    Examples
    --------
    >>> churn_compounding_view(0.05, 12)[0]
    '5.0% a month is 46.0% a year, not 12 x 5.0% = 60%; expected lifetime 20.0 months'
    """
    k = np.arange(1, int(months) + 1)
    cumulative = [compound_churn(monthly_rate, periods=int(m)).value for m in k]
    ax = plots.compounding(monthly_rate, cumulative, periods=k, ax=ax)
    life = expected_lifetime(monthly_rate).value
    text = (f"{monthly_rate:.1%} a month is {compound_churn(monthly_rate, periods=12).value:.1%} a year, not "
            f"12 x {monthly_rate:.1%} = {12 * monthly_rate:.0%}; expected lifetime {life:.1f} months")
    return text, ax


def churn_compounding_explorer() -> Explorer:
    """Controls for monthly churn and the months shown -> annual churn and expected lifetime.

    Returns
    -------
    Explorer

    Raises
    ------
    Nothing.

    Examples
    --------
    >>> explorer = churn_compounding_explorer()
    >>> explorer.controls["monthly_rate"].value = 0.1
    >>> "10.0% a month" in explorer.label.value
    True
    """
    controls = dict(
        monthly_rate=w.FloatSlider(0.05, min=0.005, max=0.3, step=0.005, readout_format=".1%",
                                   description="churn per month", continuous_update=False, style=_STYLE,
                                   layout=_LAYOUT),
        months=w.IntSlider(24, min=6, max=60, step=6, description="months shown", continuous_update=False,
                           style=_STYLE, layout=_LAYOUT))
    return Explorer(churn_compounding_view, controls, title="Churn compounding explorer")


def formula_clv_view(margin_per_period: float, retention: float, discount_rate: float, *, ax=None):
    """Text and plot for the formula-CLV explorer: the three closed forms; returns (text, ax).

    Parameters
    ----------
    margin_per_period, retention, discount_rate : as in ``rk.clv.formula_clv``
    ax : matplotlib Axes, optional

    Returns
    -------
    (str, matplotlib Axes)

    Raises
    ------
    InputError
        For a retention outside [0, 1) or a negative discount rate.

    Examples
    --------
    >>> formula_clv_view(100, 0.8, 0.1)[0]
    'margin $100 a period, retention 80%, discount 10%: CLV $266.7 (first margin after a period), $366.7 (first margin now), $500.0 undiscounted; expected lifetime 5.0 periods'
    """
    values = {timing: formula_clv(margin_per_period, retention=retention, discount_rate=discount_rate,
                                  timing=timing).value for timing in FORMULA_CLV_TIMING}
    ax = plots.formula_clv_bars(values, ax=ax)
    text = (f"margin {money_text(margin_per_period)} a period, retention {retention:.0%}, discount {discount_rate:.0%}: CLV "
            f"{money_text(values['end'], 1)} (first margin after a period), {money_text(values['start'], 1)} (first margin now), "
            f"{money_text(values['undiscounted'], 1)} undiscounted; expected lifetime {1 / (1 - retention):.1f} periods")
    if retention == 0:
        text += " (no one renews: a customer pays once, now, so only the forms with the first margin now count it)"
    return text, ax


def formula_clv_explorer() -> Explorer:
    """Controls for margin, retention and discount rate -> lifetime value by each closed form.

    Returns
    -------
    Explorer

    Raises
    ------
    Nothing.

    Examples
    --------
    >>> explorer = formula_clv_explorer()
    >>> explorer.controls["retention"].value = 0.9
    >>> "retention 90%" in explorer.label.value
    True
    """
    controls = dict(
        margin_per_period=w.FloatSlider(100, min=10, max=500, step=10, readout_format="$,.0f",
                                        description="margin per period", continuous_update=False, style=_STYLE,
                                        layout=_LAYOUT),
        retention=w.FloatSlider(0.8, min=0.0, max=0.98, step=0.01, readout_format=".0%", description="retention",
                                continuous_update=False, style=_STYLE, layout=_LAYOUT),
        discount_rate=w.FloatSlider(0.1, min=0.0, max=0.3, step=0.01, readout_format=".0%",
                                    description="discount rate", continuous_update=False, style=_STYLE,
                                    layout=_LAYOUT))
    return Explorer(formula_clv_view, controls, title="Formula CLV explorer")


def survival_view(lifetimes, by: str, show_intervals: bool = True, *, confidence: float = 0.95, ax=None,
                  fitters=None):
    """Text and plot for the survival explorer: Kaplan-Meier curves of the groups of ``by``; returns (text, ax).

    Parameters
    ----------
    lifetimes : DataFrame from ``rk.survival.subscription_lifetimes``
    by : str, a column of ``lifetimes``, or "everyone"
    show_intervals : bool, default True
    confidence : float, default 0.95
    ax : matplotlib Axes, optional
    fitters : dict from ``rk.survival.kaplan_meier`` for this ``by`` and ``confidence``, optional
        Curves already fitted (the explorer fits each grouping once); fitted here when not given.

    Returns
    -------
    (str, matplotlib Axes)

    Raises
    ------
    InputError
        As ``rk.survival.kaplan_meier``.

    Examples
    --------
    >>> import pandas as pd
    >>> life = pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "churned": [True, True, False, False],
    ...                      "plan": ["a", "a", "b", "b"]})
    >>> survival_view(life, "plan")[0]
    'median lifetime: a 1, b not reached within 4'
    """
    if fitters is None:
        fitters = kaplan_meier(lifetimes, by=None if by == "everyone" else by, confidence=confidence)
    title = "Still subscribed, everyone" if by == "everyone" else f"Still subscribed, by {by}"
    ax = plots.survival_curves(fitters, show_intervals=show_intervals, ax=ax, title=title)
    unit = lifetimes.attrs.get("time_unit")
    medians = []
    for label, fitter in fitters.items():
        median = median_lifetime(fitter)
        if math.isfinite(median.value):
            medians.append(f"{label} {median.value:.3g}")
        else:
            medians.append(f"{label} not reached within {median.longest_observed:.3g}")
    return f"median lifetime{f' in {plural(unit)}' if unit else ''}: {', '.join(medians)}", ax


def survival_explorer(lifetimes, groups=("everyone", "plan", "support"), *, confidence: float = 0.95) -> Explorer:
    """A menu of grouping columns -> Kaplan-Meier curves with intervals and median lifetimes.

    Parameters
    ----------
    lifetimes : DataFrame from ``rk.survival.subscription_lifetimes``
    groups : column names of ``lifetimes`` to offer, and "everyone"
    confidence : float, default 0.95

    Returns
    -------
    Explorer

    Raises
    ------
    InputError
        For a group that is not a column, or bad lifetimes.

    Examples
    --------
    >>> import pandas as pd
    >>> life = pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "churned": [True, True, True, False],
    ...                      "plan": ["a", "a", "b", "b"]})
    >>> explorer = survival_explorer(life, groups=("everyone", "plan"))
    >>> explorer.controls["by"].value = "plan"
    >>> "a 1, b 3" in explorer.label.value
    True
    """
    from .validation import InputError, require_columns
    require_columns(lifetimes, [g for g in groups if g != "everyone"], "lifetimes")
    confidence = check("confidence", confidence, Confidence())
    if not groups:
        raise InputError("groups is empty; pass the columns to group by, such as ('everyone', 'plan').")
    controls = dict(by=w.Dropdown(options=list(groups), value=groups[0], description="group by", style=_STYLE,
                                  layout=_LAYOUT),
                    show_intervals=w.Checkbox(True, description=f"{100 * confidence:g}% intervals", style=_STYLE))
    # every grouping fitted once, up front: a move of the menu then only redraws
    fitted = {g: kaplan_meier(lifetimes, by=None if g == "everyone" else g, confidence=confidence) for g in groups}

    def view(ax, by, show_intervals):
        return survival_view(lifetimes, by, show_intervals, confidence=confidence, ax=ax, fitters=fitted[by])

    return Explorer(view, controls, title="Survival explorer")
