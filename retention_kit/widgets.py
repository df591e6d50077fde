"""Interactive explorers for live demos: thin ipywidgets layers over tested functions.

Each explorer has a pure ``*_view`` function (numbers in, text and figure out) that tests and
benchmarks call directly, and a ``*_explorer`` that only adds sliders.
"""
from __future__ import annotations

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np

from . import plots
from .clv import FORMULA_CLV_TIMING, formula_clv
from .metrics import compound_churn, expected_lifetime, nps_interval
from .survival import kaplan_meier, median_lifetime

__all__ = ["nps_interval_view", "nps_interval_explorer", "churn_compounding_view", "churn_compounding_explorer",
           "formula_clv_view", "formula_clv_explorer", "survival_view", "survival_explorer"]

SLIDER_STYLE = dict(continuous_update=False, style={"description_width": "initial"})
SIZES = np.unique(np.round(np.logspace(np.log10(50), np.log10(20000), 60)).astype(int))


def nps_interval_view(n: int, p_promoters: float, p_detractors: float, confidence: float = 0.95, ax=None):
    """Text and plot for one setting of the NPS interval explorer; returns (text, ax)."""
    p_detractors = min(p_detractors, 1 - p_promoters)
    value, se, (low, high) = nps_interval(p_promoters, p_detractors, n, confidence)
    half = [(hi - lo) / 2 for _, _, (lo, hi) in (nps_interval(p_promoters, p_detractors, int(m), confidence)
                                                  for m in SIZES)]
    ax = plots.nps_interval_width(SIZES, {f"promoters {p_promoters:.0%}, detractors {p_detractors:.0%}": half}, ax=ax)
    ax.axvline(n, color="grey", ls=":")
    ax.plot([n], [(high - low) / 2], "o", color="#d1495b")
    text = (f"NPS {value:.1f}, standard error {se:.2f}, {confidence:.0%} interval {low:.1f} to {high:.1f} "
            f"(+/- {(high - low) / 2:.1f} points with {n:,} responses)")
    return text, ax


def churn_compounding_view(monthly_rate: float, months: int = 12, ax=None):
    """Text and plot for one setting of the churn explorer; returns (text, ax)."""
    k = np.arange(1, months + 1)
    cumulative = compound_churn(monthly_rate, k)
    ax = plots.compounding(monthly_rate, cumulative, ax=ax, months=k)
    life = expected_lifetime(monthly_rate)
    text = (f"{monthly_rate:.1%} a month is {compound_churn(monthly_rate, 12):.1%} a year (not "
            f"{min(12 * monthly_rate, 1):.0%}); expected lifetime {life:.1f} months")
    return text, ax


def _explorer(view, **sliders):
    out = w.Output()
    label = w.HTML()

    def update(**kwargs):
        with out:
            out.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
            text, _ = view(ax=ax, **kwargs)
            label.value = f"<b>{text}</b>"
            plt.show(fig)
            plt.close(fig)

    controls = w.interactive(update, **sliders)
    controls.update()
    return w.VBox([w.HBox(list(controls.children[:-1])), label, out])


def nps_interval_explorer():
    """Sliders for responses and true shares -> width of the NPS confidence interval."""
    return _explorer(nps_interval_view,
                     n=w.IntSlider(400, min=50, max=20000, step=50, description="responses", **SLIDER_STYLE),
                     p_promoters=w.FloatSlider(0.30, min=0, max=1, step=0.01, description="promoters", **SLIDER_STYLE),
                     p_detractors=w.FloatSlider(0.25, min=0, max=1, step=0.01, description="detractors", **SLIDER_STYLE))


def churn_compounding_explorer():
    """Slider for monthly churn -> annual churn and expected lifetime."""
    return _explorer(churn_compounding_view,
                     monthly_rate=w.FloatSlider(0.05, min=0.005, max=0.3, step=0.005, readout_format=".1%",
                                                description="monthly churn", **SLIDER_STYLE),
                     months=w.IntSlider(24, min=6, max=60, step=6, description="months", **SLIDER_STYLE))


def formula_clv_view(margin: float, retention: float, discount_rate: float, ax=None):
    """Text and plot for the formula-CLV explorer: the three closed forms and the discounted margins."""
    values = {timing: formula_clv(margin, retention, discount_rate, timing=timing).value for timing in FORMULA_CLV_TIMING}
    ax = plots.formula_clv_bars(values, ax=ax)
    text = (f"margin ${margin:,.0f} a period, retention {retention:.0%}, discount {discount_rate:.0%}: CLV "
            f"${values['end']:,.1f} (first margin after a period), ${values['start']:,.1f} (first margin now), "
            f"${values['undiscounted']:,.1f} undiscounted; expected lifetime {1 / (1 - retention):.1f} periods")
    return text, ax


def formula_clv_explorer():
    """Sliders for margin, retention and discount rate -> lifetime value by each closed form."""
    return _explorer(formula_clv_view,
                     margin=w.FloatSlider(100, min=10, max=500, step=10, description="margin per period ($)", **SLIDER_STYLE),
                     retention=w.FloatSlider(0.8, min=0.0, max=0.98, step=0.01, description="retention", **SLIDER_STYLE),
                     discount_rate=w.FloatSlider(0.1, min=0.0, max=0.3, step=0.01, description="discount rate", **SLIDER_STYLE))


def survival_view(lifetimes, by: str, show_intervals: bool = True, ax=None):
    """Text and plot for the survival explorer: Kaplan-Meier curves of the groups of ``by``."""
    fitters = kaplan_meier(lifetimes, by=None if by == "everyone" else by)
    ax = plots.survival_curves(fitters, ax=ax, ci=show_intervals, title=f"Still subscribed, by {by}")
    medians = ", ".join(f"{label} {median_lifetime(f).value:.1f}" for label, f in fitters.items())
    return f"median lifetime in months: {medians}", ax


def survival_explorer(lifetimes, groups=("everyone", "plan", "support")):
    """Dropdown of grouping columns -> Kaplan-Meier curves with intervals and median lifetimes."""
    return _explorer(lambda ax, **kw: survival_view(lifetimes, ax=ax, **kw),
                     by=w.Dropdown(options=list(groups), value=groups[0], description="group by"),
                     show_intervals=w.Checkbox(True, description="95% intervals"))
