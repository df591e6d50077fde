"""Repeat purchases in a transaction log (lesson ``05_repeat_purchase_rate``).

Periods here are half-open, [period_start, period_end): for the calendar year 2025 pass
``"2025-01-01", "2026-01-01"``, so a purchase at any time on 31 December counts.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..results import MetricResult
from ..validation import InputError, as_timestamp, require_period, require_transactions

__all__ = ["repeat_purchase_rate", "purchase_counts", "first_window_counts", "repeat_probability_by_count"]


def _in_period(transactions, period_start, period_end, customer_id_col, datetime_col):
    ps, pe = require_period(period_start, period_end)
    tx = require_transactions(transactions, customer_id_col, datetime_col)
    dates = tx[datetime_col]
    inside = tx[(dates >= ps) & (dates < pe)]
    return ps, pe, inside


def purchase_counts(transactions: pd.DataFrame, period_start, period_end, *, customer_id_col: str = "customer_id",
                    datetime_col: str = "date") -> pd.Series:
    """Number of purchases each customer made in [period_start, period_end).

    Returns a Series indexed by customer id (customers with no purchase in the period are absent).

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "date": pd.to_datetime(["2025-01-02", "2025-03-01", "2025-02-01"])})
    >>> purchase_counts(tx, "2025-01-01", "2026-01-01").to_dict()
    {1: 2, 2: 1}
    """
    _, _, inside = _in_period(transactions, period_start, period_end, customer_id_col, datetime_col)
    return inside.groupby(customer_id_col).size().rename("purchases")


def repeat_purchase_rate(transactions: pd.DataFrame, period_start, period_end, *,
                         customer_id_col: str = "customer_id", datetime_col: str = "date",
                         min_purchases: int = 2) -> MetricResult:
    """Share of a period's customers who bought at least twice in it.

    repeat purchase rate = customers with >= ``min_purchases`` purchases in [period_start,
    period_end) / customers with >= 1 purchase in it. Each row of ``transactions`` is one
    purchase (an order, not an order line).

    Returns
    -------
    MetricResult with ``value`` (a fraction), ``customers``, ``repeat_customers``,
    ``purchases`` and ``purchases_per_customer``.

    Raises
    ------
    InputError for missing columns or dates, a reversed period, or a period with no purchase.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3], "date": pd.to_datetime(
    ...     ["2025-01-02", "2025-03-01", "2025-02-01", "2025-05-05"])})
    >>> round(repeat_purchase_rate(tx, "2025-01-01", "2026-01-01").value, 4)
    0.3333
    """
    if min_purchases < 2:
        raise InputError(f"min_purchases={min_purchases!r} must be at least 2 (a repeat is a second purchase).")
    ps, pe, inside = _in_period(transactions, period_start, period_end, customer_id_col, datetime_col)
    if len(inside) == 0:
        raise InputError(f"no purchase falls in [{ps.date()}, {pe.date()}); the log runs from "
                         f"{transactions[datetime_col].min()} to {transactions[datetime_col].max()}. "
                         f"Choose a period inside it.")
    counts = inside.groupby(customer_id_col).size()
    customers, repeaters = len(counts), int((counts >= min_purchases).sum())
    return MetricResult(
        name=f"Repeat purchase rate {ps.date()} to {pe.date()}", value=repeaters / customers, unit="fraction",
        formula=f"customers with >= {min_purchases} purchases / customers with >= 1 purchase, same period",
        parts=dict(customers=customers, repeat_customers=repeaters, purchases=len(inside),
                   purchases_per_customer=len(inside) / customers))


def first_window_counts(transactions: pd.DataFrame, *, window_days: int = 365, observation_end=None,
                        customer_id_col: str = "customer_id", datetime_col: str = "date") -> pd.Series:
    """Purchases each customer made in the first ``window_days`` after their first purchase.

    Only customers whose whole window is observed (first purchase + window <= observation_end,
    default the last purchase in the log) are included, so late joiners do not look disloyal
    merely for lack of time. Returns a Series indexed by customer id.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "date": pd.to_datetime(["2024-01-01", "2024-01-20", "2024-12-30"])})
    >>> first_window_counts(tx, window_days=30, observation_end="2025-01-01").to_dict()
    {1: 2}
    """
    tx = require_transactions(transactions, customer_id_col, datetime_col)
    end = as_timestamp(observation_end, "observation_end") if observation_end is not None else tx[datetime_col].max()
    if window_days <= 0:
        raise InputError(f"window_days={window_days!r} must be a positive number of days.")
    first = tx.groupby(customer_id_col)[datetime_col].transform("min")
    window = pd.Timedelta(days=window_days)
    eligible = first + window <= end
    if not eligible.any():
        raise InputError(f"no customer has a full {window_days}-day window before {end.date()}; "
                         f"shorten window_days or pass a later observation_end.")
    in_window = tx[eligible & (tx[datetime_col] < first + window)]
    return in_window.groupby(customer_id_col).size().rename("purchases")


def repeat_probability_by_count(transactions: pd.DataFrame, *, window_days: int = 365, max_count: int = 15,
                                observation_end=None, customer_id_col: str = "customer_id",
                                datetime_col: str = "date") -> pd.DataFrame:
    """Probability of making purchase k+1 given k purchases, within each customer's first ``window_days``.

    Uses :func:`first_window_counts` (customers with a fully observed window only). For each k:
    ``customers`` = customers with at least k purchases in their window; ``went_on`` = those
    with at least k+1; ``probability`` = went_on / customers.

    A rising curve does not show that the k-th purchase *causes* loyalty: customers who buy
    often and stay long are simply the ones who reach high k (selection).

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 2], "date": pd.to_datetime(
    ...     ["2024-01-01", "2024-02-01", "2024-03-01", "2024-01-05"])})
    >>> t = repeat_probability_by_count(tx, window_days=40, max_count=2, observation_end="2025-01-01")
    >>> t["probability"].tolist()   # customer 1 buys twice in 40 days, customer 2 once
    [0.5, 0.0]
    """
    if max_count < 1:
        raise InputError(f"max_count={max_count!r} must be at least 1.")
    counts = first_window_counts(transactions, window_days=window_days, observation_end=observation_end,
                                 customer_id_col=customer_id_col, datetime_col=datetime_col).to_numpy()
    k = np.arange(1, max_count + 1)
    reached = (counts[None, :] >= k[:, None]).sum(axis=1)
    went_on = (counts[None, :] >= k[:, None] + 1).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        prob = np.where(reached > 0, went_on / np.maximum(reached, 1), np.nan)
    return pd.DataFrame({"purchases": k, "customers": reached, "went_on": went_on, "probability": prob})
