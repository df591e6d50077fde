"""The campaign explorer: a churn-probability threshold and an incentive -> who is targeted, the cost and the
expected profit, on the profit curve. A pure view (tested, benchmarked) and a thin layer of controls."""
from __future__ import annotations

import ipywidgets as w
import numpy as np
import pandas as pd

from ..explorer import Explorer
from ..plots.churn import profit_curve as plot_profit_curve
from ..results import money_text
from ..validation import Probability, Real, check
from .campaign import _inputs, best_share, profit_curve

__all__ = ["campaign_view", "campaign_explorer"]

_STYLE = {"description_width": "150px"}
_LAYOUT = dict(width="460px")


def _dollars(value: float) -> str:
    return ("-" if value < 0 else "") + money_text(abs(value))


class _Campaign:
    """Customers sorted once, riskiest first: each setting is then a cumulative sum and a binary search."""

    def __init__(self, p: pd.Series, clv: pd.Series):
        order = np.argsort(-p.to_numpy(), kind="stable")
        self.p, self.clv = p.to_numpy()[order], clv.to_numpy()[order]
        self.ascending = self.p[::-1]

    def curve(self, incentive, contact_cost, acceptance_rate) -> pd.DataFrame:
        p, n = self.p, len(self.p)
        cost = contact_cost + incentive * (p * acceptance_rate + 1 - p)
        profit = p * acceptance_rate * (self.clv - incentive) - (1 - p) * incentive - contact_cost
        return pd.DataFrame({"targeted": np.arange(n + 1), "share": np.arange(n + 1) / n, "p_churn": np.r_[np.nan, p],
                             "expected_cost": np.r_[0.0, np.cumsum(cost)],
                             "expected_profit": np.r_[0.0, np.cumsum(profit)]})

    def targeted(self, threshold) -> int:
        return len(self.p) - int(np.searchsorted(self.ascending, threshold, side="left"))   # p >= threshold


def _view(campaign: _Campaign, threshold, incentive, contact_cost, acceptance_rate, ax):
    curve = campaign.curve(incentive, contact_cost, acceptance_rate)
    best = best_share(curve)
    n, total = campaign.targeted(threshold), len(campaign.p)
    row = curve.iloc[n]
    ax = plot_profit_curve(curve, best=best, ax=ax)
    ax.plot([100 * row["share"]], [row["expected_profit"]], "s", color="black", ms=7, label="your threshold",
            fillstyle="none", mew=1.5)
    ax.legend(frameon=False, fontsize="small")
    # show the part of the curve where the decision is: up to three times the larger of the two shares
    right = min(100.0, max(20.0, 300 * max(best.value, row["share"])))
    shown = curve.loc[100 * curve["share"] <= right, "expected_profit"]
    pad = 0.08 * max(shown.max() - shown.min(), 1.0)
    ax.set(xlim=(0, right), ylim=(shown.min() - pad, shown.max() + pad))
    contacts = n * contact_cost
    text = (f"target p(churn) >= {threshold:.0%}: {n:,} of {total:,} subscribers ({row['share']:.1%}); expected cost "
            f"{_dollars(row['expected_cost'])} ({_dollars(contacts)} contacts, {_dollars(row['expected_cost'] - contacts)}"
            f" incentives); expected profit {_dollars(row['expected_profit'])}. Best at this incentive: "
            f"{_dollars(best.expected_profit)} targeting the top {best.value:.1%}")
    losing = int((campaign.clv[:n] < incentive).sum())
    if losing:
        text += f"; the offer loses money on {losing:,} targeted subscriber(s) whose CLV is below the incentive"
    return text, ax


def campaign_view(p_churn, clv, threshold: float, incentive: float, *, contact_cost: float = 1.0,
                  acceptance_rate: float = 0.3, ax=None):
    """Text and plot for one setting of the campaign explorer: target everyone with p_churn >= threshold.

    Expected cost = sum over the targeted of f + d (p gamma + 1 - p) (contacts, and incentives
    taken by retained churners and by every non-churner); expected profit = sum of
    p gamma (CLV - d) - (1 - p) d - f (``rk.churn.expected_campaign_profit``, with its
    assumptions: the offer changes nothing for non-churners, gamma is the same for all, and
    risk is not persuadability). The square is the threshold's point on the profit curve, the
    dot the most profitable share.

    Parameters
    ----------
    p_churn : Series of churn probabilities, one per subscriber
    clv : float or Series indexed like ``p_churn``
    threshold : float, the lowest churn probability targeted
    incentive : float, d, in dollars
    contact_cost : float, f, default 1.0
    acceptance_rate : float, gamma, default 0.3
    ax : matplotlib Axes, optional

    Returns
    -------
    (str, matplotlib Axes)

    Raises
    ------
    InputError
        For probabilities outside [0, 1], negative costs, or misaligned inputs.

    Examples
    --------
    >>> p = pd.Series([0.6, 0.3, 0.1]); text, ax = campaign_view(p, 100.0, 0.25, 10, contact_cost=1, acceptance_rate=0.5)
    >>> print(text)       # cost 1 + 10 (0.3 + 0.4) and 1 + 10 (0.15 + 0.7); profit 22 + 5.5
    target p(churn) >= 25%: 2 of 3 subscribers (66.7%); expected cost $18 ($2 contacts, $16 incentives); expected profit $28. Best at this incentive: $28 targeting the top 66.7%
    """
    threshold = check("threshold", threshold, Probability())
    # checks the inputs (and warns of an incentive above a CLV) as the kit's own profit curve does
    profit_curve(p_churn, clv, incentive=incentive, contact_cost=contact_cost, acceptance_rate=acceptance_rate)
    p, value = _inputs(p_churn, clv)
    return _view(_Campaign(p, value), threshold, incentive, contact_cost, acceptance_rate, ax)


def campaign_explorer(p_churn, clv, *, contact_cost: float = 1.0, acceptance_rate: float = 0.3,
                      incentive: float = 10.0, max_incentive: float = 50.0) -> Explorer:
    """A threshold slider and an incentive slider -> who is targeted, the cost and the expected profit.

    The subscribers are sorted once; each move is a cumulative sum over them, a binary search for
    the threshold, and a redraw. An incentive above a targeted subscriber's CLV is reported in the
    text (not as a warning on every move).

    Parameters
    ----------
    p_churn : Series of churn probabilities, one per subscriber
    clv : float or Series indexed like ``p_churn``
    contact_cost : float, default 1.0
    acceptance_rate : float, default 0.3
    incentive : float, default 10.0, the incentive at the start
    max_incentive : float, default 50.0, the slider's end

    Returns
    -------
    Explorer

    Raises
    ------
    InputError
        For bad inputs, as :func:`campaign_view`.

    Examples
    --------
    >>> p = pd.Series(np.linspace(0.01, 0.6, 200)); explorer = campaign_explorer(p, 120.0)
    >>> explorer.controls["threshold"].value = 0.5
    >>> "subscribers" in explorer.label.value and "expected profit" in explorer.label.value
    True
    """
    contact_cost = check("contact_cost", contact_cost, Real(low=0))
    acceptance_rate = check("acceptance_rate", acceptance_rate, Probability())
    max_incentive = check("max_incentive", max_incentive, Real(low=0, closed="neither"))
    incentive = check("incentive", incentive, Real(0, max_incentive))
    campaign = _Campaign(*_inputs(p_churn, clv))
    controls = dict(
        threshold=w.FloatSlider(0.2, min=0.0, max=1.0, step=0.01, readout_format=".0%", continuous_update=False,
                                description="risk threshold", style=_STYLE, layout=_LAYOUT),
        incentive=w.FloatSlider(incentive, min=0.0, max=max_incentive, step=max_incentive / 100, readout_format="$,.2f",
                                continuous_update=False, description="incentive", style=_STYLE, layout=_LAYOUT))

    def view(ax, threshold, incentive):
        return _view(campaign, threshold, incentive, contact_cost, acceptance_rate, ax)

    return Explorer(view, controls, title="Retention campaign explorer", margins=dict(left=0.15))
