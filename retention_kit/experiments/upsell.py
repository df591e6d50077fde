"""Upsell and cross-sell: which products go together (co-occurrence with lift), and what an accepted upsell is worth.

A pair that goes together is an association: it says where an offer might land, not that offering
the second product to a holder of the first will sell it (only a randomized test of the offer says
that, as for any action). Taught in lesson 12.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..metrics.rates import proportion, z_value
from ..results import MetricResult
from ..validation import Confidence, InputError, Probability, Real, as_flag, label, require_frame, validate

__all__ = ["product_affinity", "upsell_value"]


@validate(confidence=Confidence(), min_support=Probability("The least share of customers holding both, e.g. 0.01."))
def product_affinity(holdings: pd.DataFrame, *, min_support: float = 0.0, confidence: float = 0.95) -> pd.DataFrame:
    """For each ordered pair of products (A, B): how much more often holders of A hold B.

    With N customers, n_A holding A, n_B holding B and n_AB both:
    support = n_AB / N; confidence = P(B | A) = n_AB / n_A (with a Wilson interval);
    lift = P(B | A) / P(B) = n_AB N / (n_A n_B) (1 when A and B are independent);
    ratio = P(B | A) / P(B | not A), with the log (Katz) interval
    exp(ln ratio +/- z sqrt(1/n_AB - 1/n_A + 1/n_(not A)B - 1/n_(not A))). The ratio compares holders
    of A with the customers who do not hold A, so its interval answers "is the affinity more than
    chance?"; lift is the field's usual summary.

    Parameters
    ----------
    holdings : DataFrame of True/False (or 0/1), one row per customer, one column per product
    min_support : float, default 0, pairs held together by fewer customers are left out (and counted
        in ``attrs["left_out"]``)
    confidence : float, default 0.95

    Returns
    -------
    DataFrame indexed by (``antecedent``, ``consequent``), sorted by lift: ``both``, ``support``,
    ``confidence``, ``confidence_low``, ``confidence_high``, ``lift``, ``ratio``, ``ratio_low``,
    ``ratio_high``.

    Raises
    ------
    InputError
        For fewer than two product columns, values that are not True/False, or a product nobody
        holds (or everybody holds: then nothing can be compared).

    Examples
    --------
    >>> h = pd.DataFrame({"a": [1, 1, 1, 0, 0, 0, 1, 0], "b": [1, 1, 0, 0, 0, 1, 1, 0]})
    >>> t = product_affinity(h)
    >>> round(float(t.loc[("a", "b"), "lift"]), 3), round(float(t.loc[("a", "b"), "ratio"]), 3)   # 0.75/0.5, 0.75/0.25
    (1.5, 3.0)
    """
    holdings = require_frame(holdings, "holdings")
    if holdings.shape[1] < 2:
        raise InputError(f"holdings has {holdings.shape[1]} product column(s): pairs need at least two.")
    flags = pd.DataFrame({c: as_flag(holdings[c], str(c)) for c in holdings.columns}).to_numpy()
    n = len(flags)
    held = flags.sum(axis=0)
    for c, k in zip(holdings.columns, held):
        if k == 0 or k == n:
            raise InputError(f"product {label(c)} is held by {int(k)} of {n:,} customers: with "
                             f"{'nobody' if k == 0 else 'everybody'} holding it there is nothing to compare. Fix: "
                             f"drop the column.")
    both = flags.T.astype(int) @ flags.astype(int)
    z, rows, left_out = z_value(confidence), [], 0
    for i, a in enumerate(holdings.columns):
        for j, b in enumerate(holdings.columns):
            if i == j:
                continue
            n_ab, n_a, n_b = int(both[i, j]), int(held[i]), int(held[j])
            if n_ab / n < min_support:
                left_out += 1
                continue
            conf = proportion(n_ab, n_a, confidence=confidence)
            n_not_a, n_not_a_b = n - n_a, n_b - n_ab
            ratio = (n_ab / n_a) / (n_not_a_b / n_not_a) if n_not_a_b else math.inf
            if n_ab and n_not_a_b:
                half = z * math.sqrt(1 / n_ab - 1 / n_a + 1 / n_not_a_b - 1 / n_not_a)
                r_low, r_high = ratio * math.exp(-half), ratio * math.exp(half)
            else:
                r_low, r_high = np.nan, np.nan
            rows.append(dict(antecedent=a, consequent=b, both=n_ab, support=n_ab / n, confidence=conf.value,
                             confidence_low=conf.ci[0], confidence_high=conf.ci[1], lift=n_ab * n / (n_a * n_b),
                             ratio=ratio, ratio_low=r_low, ratio_high=r_high))
    table = pd.DataFrame(rows, columns=["antecedent", "consequent", "both", "support", "confidence", "confidence_low",
                                        "confidence_high", "lift", "ratio", "ratio_low", "ratio_high"])
    table = table.set_index(["antecedent", "consequent"]).sort_values("lift", ascending=False)
    table.attrs.update(confidence=confidence, customers=n, left_out=left_out)
    return table


@validate(fee_before=Real(low=0), fee_after=Real(low=0), margin=Probability("The margin as a share of the fee, "
                                                                              "e.g. 0.6."),
          retention=Real(low=0, high=1, closed="left"), discount_rate=Real(low=0))
def upsell_value(fee_before: float, fee_after: float, *, margin: float, retention: float,
                 retention_after: float | None = None, discount_rate: float = 0.0) -> MetricResult:
    """What an accepted upsell is worth: the customer's lifetime value after it minus before it.

    With the formula CLV of :func:`rk.clv.formula_clv` ("start" timing, the first margin now),
    CLV = m (1 + d) / (1 + d - r) with m = margin x fee: value = CLV(fee_after, r_after) - CLV(fee_before, r).
    ``retention_after`` defaults to ``retention``: that the upsell changes nothing but the fee is
    the cautious assumption; customers who upgrade may stay longer, but an observed gap between
    upgraders and others is an association (they were more engaged already) unless a randomized
    test measured it.

    Parameters
    ----------
    fee_before, fee_after : float, dollars per period
    margin : float in [0, 1], the share of the fee that is margin
    retention : float in [0, 1), r per period before the upsell
    retention_after : float in [0, 1), optional, r after it (default: unchanged)
    discount_rate : float, default 0, d per period

    Returns
    -------
    MetricResult (kind ``"upsell_value"``, currency) with parts ``clv_before``, ``clv_after``.

    Raises
    ------
    InputError
        For negative fees, a margin outside [0, 1], or a retention outside [0, 1).

    Examples
    --------
    >>> round(upsell_value(8, 13, margin=0.6, retention=0.95, discount_rate=0.01).value, 2)   # 0.6 x 5 x 1.01 / 0.06
    50.5
    """
    from ..clv.formulas import formula_clv
    after = retention if retention_after is None else retention_after
    if not 0 <= after < 1:
        raise InputError(f"retention_after={after!r} must be in [0, 1): a share of customers staying each period.")
    before_value = formula_clv(margin * fee_before, retention=retention, discount_rate=discount_rate, timing="start")
    after_value = formula_clv(margin * fee_after, retention=after, discount_rate=discount_rate, timing="start")
    return MetricResult(kind="upsell_value", name="Value of an accepted upsell",
                        value=after_value.value - before_value.value, unit="currency",
                        formula="m_after (1 + d) / (1 + d - r_after) - m_before (1 + d) / (1 + d - r)",
                        parts=dict(clv_before=before_value.value, clv_after=after_value.value))
