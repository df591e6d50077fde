"""What a retention campaign is expected to earn: per customer, and over the share of customers targeted.

The expected profit of contacting a customer with a retention offer (Verbeke, Dejaeger, Martens, Hur &
Baesens 2012, "New insights into churn prediction in the telecommunication sector: a profit driven data
mining approach", European Journal of Operational Research 218):

    profit = p gamma (CLV - d) - (1 - p) d - f

p the churn probability, gamma the chance a churner accepts the offer and stays, d the incentive, f the cost
of a contact. Two assumptions carry it: the offer changes nothing for non-churners (they take the incentive
and would have stayed anyway), and gamma is the same for everyone. **High risk is not the same as
persuadable**: who is moved by an offer (the uplift) can only be learned from an experiment with a control
group, not from a churn score.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..results import MetricResult
from ..validation import InputError, Probability, Real, label, require_complete, require_numeric, validate, warn_data

__all__ = ["expected_campaign_profit", "profit_curve", "best_share"]

_COST = Real(low=0)


def _values(values, name: str, index=None) -> pd.Series:
    if np.ndim(values) == 0:
        if isinstance(values, (bool, np.bool_)) or not isinstance(values, (int, float, np.number)):
            raise InputError(f"{name}={label(values)} must be a number or a Series of numbers, one per customer.")
        values = pd.Series([float(values)]) if index is None else pd.Series(float(values), index=index)
    elif not isinstance(values, pd.Series):
        values = pd.Series(np.asarray(values)) if index is None or len(values) != len(index) \
            else pd.Series(np.asarray(values), index=index)
    series = require_numeric(values, name)
    require_complete(series, name, "give every customer a value, or drop those customers explicitly.")
    return series


def _inputs(p_churn, clv):
    p = _values(p_churn, "p_churn")
    outside = (p < 0) | (p > 1)
    if outside.any():
        raise InputError(f"p_churn must hold probabilities from 0 to 1; {int(outside.sum())} value(s) are outside "
                         f"(first: {label(p[outside].iloc[0])} for {label(p.index[outside][0])}). Fix: pass "
                         f"predicted probabilities (predict_churn), not scores or percentages.")
    if isinstance(clv, pd.Series) and isinstance(p_churn, pd.Series):
        if len(clv) != len(p) or not clv.index.sort_values().equals(p.index.sort_values()):
            raise InputError("p_churn and clv must be indexed by the same customers; align them first "
                             "(clv.reindex(p_churn.index)).")
        clv = clv.reindex(p.index)
    value = _values(clv, "clv", p.index)
    if len(value) != len(p):
        raise InputError(f"clv has {len(value)} values and p_churn {len(p)}; pass one CLV per customer or one for all.")
    return p, pd.Series(value.to_numpy(), index=p.index)


def _profit(p, clv, incentive, contact_cost, acceptance_rate):
    return p * acceptance_rate * (clv - incentive) - (1 - p) * incentive - contact_cost


@validate(incentive=_COST, contact_cost=_COST, acceptance_rate=Probability())
def expected_campaign_profit(p_churn, clv, *, incentive: float, contact_cost: float, acceptance_rate: float):
    """Expected profit of targeting each customer with a retention offer: p gamma (CLV - d) - (1 - p) d - f.

    A churner (probability p) accepts the offer with probability gamma (``acceptance_rate``),
    stays, and brings CLV minus the incentive d; every non-churner takes the incentive and would
    have stayed anyway; every contact costs f (Verbeke et al. 2012). The formula assumes the offer
    changes nothing for non-churners and that gamma is the same for everyone. High risk is not
    the same as persuadable: who responds to an offer (uplift) needs an experiment.
    Where d > CLV the offer loses money even on a churner it keeps: the profit is computed, and a
    DataWarning says on how many customers.

    Parameters
    ----------
    p_churn : float or Series of churn probabilities, one per customer
    clv : float (one for all) or Series of lifetime values indexed like ``p_churn``
    incentive : float, d, the offer's cost to the company per customer who takes it
    contact_cost : float, f, per customer contacted
    acceptance_rate : float, gamma, the share of churners who accept and stay

    Returns
    -------
    float for a single customer given as numbers; otherwise a Series indexed like ``p_churn``,
    named ``"expected_profit"``.

    Raises
    ------
    InputError
        For probabilities outside [0, 1], missing values, negative costs, or misaligned inputs.

    Examples
    --------
    >>> expected_campaign_profit(0.3, 200, incentive=10, contact_cost=1, acceptance_rate=0.5)   # 28.5 - 7 - 1
    20.5
    """
    single = np.ndim(p_churn) == 0 and np.ndim(clv) == 0
    p, value = _inputs(p_churn, clv)
    losing = (value < incentive).to_numpy()
    if losing.any():
        warn_data(f"expected_campaign_profit: the incentive ({incentive:g}) exceeds the CLV of {int(losing.sum())} "
                  f"customer(s), so the offer loses money on them even when it keeps them; their (negative) expected "
                  f"profit is computed and kept. Leave them out of the campaign, or offer less.")
    profit = _profit(p, value, incentive, contact_cost, acceptance_rate).rename("expected_profit")
    return float(profit.iloc[0]) if single else profit


@validate(incentive=_COST, contact_cost=_COST, acceptance_rate=Probability())
def profit_curve(p_churn, clv, *, incentive: float, contact_cost: float, acceptance_rate: float) -> pd.DataFrame:
    """Cumulative expected profit of targeting the riskiest customers first, over the share targeted.

    Customers are sorted by p_churn, highest first (ties in the order given); targeting the first
    n earns sum over them of p gamma (CLV - d) - (1 - p) d - f (see
    :func:`expected_campaign_profit`, and its assumptions: the offer changes nothing for
    non-churners, gamma is the same for everyone, and risk is not persuadability). This is the
    best share *of a ranking by risk*; ranking by the expected profit itself would pick another
    set when CLV varies.

    Parameters
    ----------
    p_churn : Series of churn probabilities, one per customer
    clv : float or Series indexed like ``p_churn``
    incentive, contact_cost, acceptance_rate : float
        d, f and gamma, as in :func:`expected_campaign_profit`.

    Returns
    -------
    DataFrame with one row per number targeted, 0 to n: ``targeted``, ``share``, ``p_churn``
    (of the last customer targeted; NaN for none), ``expected_retained`` (sum of p gamma),
    ``expected_cost`` (contacts plus incentives), ``expected_profit`` (cumulative).

    Raises
    ------
    InputError
        As :func:`expected_campaign_profit`.

    Examples
    --------
    >>> curve = profit_curve(pd.Series([0.1, 0.6, 0.3]), 100.0, incentive=10, contact_cost=1, acceptance_rate=0.5)
    >>> curve["expected_profit"].round(2).tolist()     # 0; 22 (p = 0.6: 27 - 4 - 1); + 5.5 (0.3); - 5.5 (0.1)
    [0.0, 22.0, 27.5, 22.0]
    """
    p, value = _inputs(p_churn, clv)
    profit = expected_campaign_profit(p, value, incentive=incentive, contact_cost=contact_cost,
                                      acceptance_rate=acceptance_rate).to_numpy()
    order = np.argsort(-p.to_numpy(), kind="stable")
    ps = p.to_numpy()[order]
    n = len(ps)
    cost = contact_cost + incentive * (ps * acceptance_rate + 1 - ps)
    curve = pd.DataFrame({
        "targeted": np.arange(n + 1), "share": np.arange(n + 1) / n, "p_churn": np.r_[np.nan, ps],
        "expected_retained": np.r_[0.0, np.cumsum(ps * acceptance_rate)],
        "expected_cost": np.r_[0.0, np.cumsum(cost)],
        "expected_profit": np.r_[0.0, np.cumsum(profit[order])]})
    curve.attrs.update(incentive=incentive, contact_cost=contact_cost, acceptance_rate=acceptance_rate)
    return curve


def best_share(curve: pd.DataFrame) -> MetricResult:
    """The share of customers (riskiest first) at which a profit curve is highest.

    best = argmax over n of the cumulative expected profit (the smallest n when several tie;
    0 customers when no campaign beats doing nothing).

    Parameters
    ----------
    curve : DataFrame from :func:`profit_curve`

    Returns
    -------
    MetricResult (kind ``"best_share"``, a fraction) with parts ``targeted``,
    ``expected_profit`` and ``p_churn`` (the lowest churn probability targeted: the threshold).

    Raises
    ------
    InputError
        For a table that is not a profit curve.

    Examples
    --------
    >>> curve = profit_curve(pd.Series([0.1, 0.6, 0.3]), 100.0, incentive=10, contact_cost=1, acceptance_rate=0.5)
    >>> r = best_share(curve)
    >>> round(r.value, 4), r.targeted, r.expected_profit, r.p_churn
    (0.6667, 2, 27.5, 0.3)
    """
    needed = ["targeted", "share", "p_churn", "expected_profit"]
    if not isinstance(curve, pd.DataFrame) or not set(needed) <= set(curve.columns):
        raise InputError(f"curve must be the DataFrame profit_curve returns (columns {needed}), got "
                         f"{type(curve).__name__}.")
    best = int(np.argmax(curve["expected_profit"].to_numpy()))
    row = curve.iloc[best]
    return MetricResult(kind="best_share", name="Most profitable share to target", value=float(row["share"]),
                        unit="fraction", formula="argmax over n of the cumulative sum of p gamma (CLV - d) - (1 - p) d - f, "
                                                 "customers sorted by p, highest first",
                        parts=dict(targeted=int(row["targeted"]), expected_profit=float(row["expected_profit"]),
                                   p_churn=float(row["p_churn"])),
                        notes=("assumes the offer changes nothing for non-churners and one acceptance rate for all; "
                               "risk is not persuadability (uplift needs an experiment)",))
