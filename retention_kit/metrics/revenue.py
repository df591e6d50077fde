"""Revenue retention of subscription customers: the money kept, not the customers counted."""
from __future__ import annotations

import pandas as pd

from ..results import MetricResult
from ..validation import (InputError, require_columns, require_complete, require_nonnegative, require_numeric,
                          require_period, require_subscriptions)
from .churn import _counts

__all__ = ["revenue_retention"]


def revenue_retention(subscriptions: pd.DataFrame, period_start, period_end, *, fee_col: str = "monthly_fee",
                      customer_id_col: str = "customer_id", start_col: str = "start_date",
                      end_col: str = "end_date") -> MetricResult:
    """Gross revenue retention: the recurring revenue of the customers at the start still billed at the end.

    GRR = (recurring revenue at the start from the customers there at the start, minus what the
    customers lost in the period paid) / recurring revenue at the start, with each customer's fee
    from ``fee_col`` (monthly recurring revenue, MRR). Customers on expensive plans weigh more than
    in the logo (customer-count) retention of :func:`retention_rate`, which the result reports beside
    it. In general GRR also subtracts the downgrades (contraction) of the customers kept, and is at
    most 100%; net revenue retention (NRR) adds their upgrades (expansion) as well. With one fixed
    fee per customer, as in the table this function takes, there are neither, and NRR equals GRR.

    Parameters
    ----------
    subscriptions : DataFrame, one row per customer, with a recurring fee
    period_start, period_end : dates, the half-open period
    fee_col : str, default "monthly_fee"
    customer_id_col, start_col, end_col : str

    Returns
    -------
    MetricResult (kind ``"revenue_retention"``), ``value`` a fraction, with parts ``mrr_at_start``,
    ``mrr_lost``, ``mrr_retained`` and ``logo_retention``.

    Raises
    ------
    InputError
        As :func:`retention_rate`, and for a missing, negative or non-numeric fee.

    Examples
    --------
    >>> subs = pd.DataFrame({"customer_id": [1, 2, 3], "monthly_fee": [29.0, 29.0, 499.0],
    ...                      "start_date": pd.to_datetime(["2024-01-01"] * 3),
    ...                      "end_date": pd.to_datetime(["2025-01-15", "2025-01-20", None])})
    >>> r = revenue_retention(subs, "2025-01-01", "2025-02-01")
    >>> round(r.value, 4), round(r.logo_retention, 4)   # 499 / 557 of the revenue, 1 of 3 customers
    (0.8959, 0.3333)
    """
    table = require_subscriptions(subscriptions, customer_id_col=customer_id_col, start_col=start_col,
                                  end_col=end_col)
    require_columns(subscriptions, [fee_col], "subscriptions")
    fees = require_numeric(subscriptions[fee_col], fee_col)
    require_complete(fees, fee_col, "every customer needs a fee; fill it (0 for a free plan).")
    require_nonnegative(fees, fee_col, "correct the fee")
    ps, pe = require_period(period_start, period_end, table.zone)
    masks = _counts(table, ps, pe)
    fee = fees.to_numpy()
    at_start = float(fee[masks["at_start"]].sum())
    if at_start <= 0:
        raise InputError(f"the customers at period_start {ps} pay no recurring revenue, so no share of it can be "
                         f"kept; choose a later period.")
    lost = float(fee[masks["lost"]].sum())
    logo = 1 - masks["lost"].sum() / masks["at_start"].sum()
    return MetricResult(kind="revenue_retention", name=f"Gross revenue retention [{ps.date()}, {pe.date()})",
                        value=(at_start - lost) / at_start, unit="fraction",
                        formula="(MRR at the start - MRR of the customers lost) / MRR at the start",
                        parts=dict(mrr_at_start=at_start, mrr_lost=lost, mrr_retained=at_start - lost,
                                   logo_retention=float(logo)))
