"""Repeat purchases in a transaction log (lesson ``05_repeat_purchase_rate``).

Periods are half-open, [period_start, period_end): for the calendar year 2025 pass
``"2025-01-01", "2026-01-01"``, so a purchase at any time on 31 December counts. Each row of a
log is one purchase (an order, not an order line); see :func:`retention_kit.validation.require_transactions`
for the checks every log passes (refunds and exact duplicate rows are refused).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..results import MetricResult
from ..validation import (Confidence, InputError, Integer, Real, convert_length, require_period, require_time_unit,
                          require_transactions, validate)
from .rates import proportion

__all__ = ["repeat_purchase_rate", "purchase_counts", "first_window_counts", "first_window_totals",
           "repeat_probability_by_count"]


def _in_period(transactions, period_start, period_end, customer_id_col, datetime_col, monetary_value_col,
               check_repeated_rows=True):
    log = require_transactions(transactions, customer_id_col=customer_id_col, datetime_col=datetime_col,
                               monetary_value_col=monetary_value_col, check_repeated_rows=check_repeated_rows)
    ps, pe = require_period(period_start, period_end, log.zone)
    inside = log.frame[((log.dates >= ps) & (log.dates < pe)).to_numpy()]
    return ps, pe, log, inside


def purchase_counts(transactions: pd.DataFrame, period_start, period_end, *, customer_id_col: str = "customer_id",
                    datetime_col: str = "date", monetary_value_col: str | None = "amount",
                    check_repeated_rows: bool = True) -> pd.Series:
    """Number of purchases each customer made in [period_start, period_end).

    Parameters
    ----------
    transactions : DataFrame, one row per purchase
        Or the same log in another engine: a Polars DataFrame or LazyFrame, a DuckDB relation, a
        PySpark DataFrame, or a Parquet path or glob (see :mod:`retention_kit.engines`).
    period_start, period_end : dates, the half-open period
    customer_id_col, datetime_col, monetary_value_col : str
        Column names; ``monetary_value_col=None`` for a log without amounts (amounts are checked
        so that a refund row is not counted as a purchase).
    check_repeated_rows : bool, default True
        As :func:`retention_kit.rfm_summary`: ``False`` skips the count of repeated rows (they are
        counted as purchases either way).

    Returns
    -------
    Series ``purchases`` indexed by customer id; customers with no purchase in the period are absent.
    From an engine: a table of its kind with the id and ``purchases`` (a Parquet path: this Series).

    Raises
    ------
    InputError
        For a log that fails the checks of ``require_transactions`` or a period that is empty.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "date": pd.to_datetime(["2025-01-02", "2025-03-01", "2025-02-01"]),
    ...                    "amount": [4.0, 5.0, 6.0]})
    >>> purchase_counts(tx, "2025-01-01", "2026-01-01").to_dict()
    {1: 2, 2: 1}
    """
    if not isinstance(transactions, pd.DataFrame):                  # Polars, DuckDB, Spark, Parquet, or refused
        from ..engines import engine_input, engine_purchase_counts
        return engine_purchase_counts(engine_input(transactions, "transactions"), period_start, period_end,
                                      customer_id_col=customer_id_col, datetime_col=datetime_col,
                                      monetary_value_col=monetary_value_col, check_repeated_rows=check_repeated_rows)
    _, _, _, inside = _in_period(transactions, period_start, period_end, customer_id_col, datetime_col,
                                 monetary_value_col, check_repeated_rows)
    return inside.groupby(customer_id_col).size().rename("purchases")


@validate(min_purchases=Integer(low=2, hint="A repeat is a second purchase."), confidence=Confidence())
def repeat_purchase_rate(transactions: pd.DataFrame, period_start, period_end, *,
                         customer_id_col: str = "customer_id", datetime_col: str = "date",
                         monetary_value_col: str | None = "amount", min_purchases: int = 2,
                         confidence: float = 0.95, check_repeated_rows: bool = True) -> MetricResult:
    """Share of a period's customers who bought at least twice in it, with its interval.

    repeat purchase rate = customers with >= ``min_purchases`` purchases in [period_start,
    period_end) / customers with >= 1 purchase in it.

    Parameters
    ----------
    transactions : DataFrame, one row per purchase
        Or the same log in another engine: a Polars DataFrame or LazyFrame, a DuckDB relation, a
        PySpark DataFrame, or a Parquet path or glob (see :mod:`retention_kit.engines`).
    period_start, period_end : dates, the half-open period
    customer_id_col, datetime_col, monetary_value_col : str
        Column names; ``monetary_value_col=None`` for a log without amounts.
    min_purchases : int, default 2
    confidence : float, default 0.95
    check_repeated_rows : bool, default True
        As :func:`~retention_kit.rfm_summary`: ``False`` skips the count of repeated rows, a
        whole group-by in an engine (the rows are kept either way).

    Returns
    -------
    MetricResult (kind ``"repeat_purchase_rate"``) with ``value`` (a fraction), a Wilson ``ci``,
    and parts ``customers``, ``repeat_customers``, ``purchases``, ``purchases_per_customer``.

    Raises
    ------
    InputError
        For a log that fails the checks, a reversed period, or a period with no purchase.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3], "date": pd.to_datetime(
    ...     ["2025-01-02", "2025-03-01", "2025-02-01", "2025-05-05"]), "amount": [4.0, 5.0, 6.0, 3.0]})
    >>> round(repeat_purchase_rate(tx, "2025-01-01", "2026-01-01").value, 4)
    0.3333
    """
    if not isinstance(transactions, pd.DataFrame):                  # Polars, DuckDB, Spark, Parquet, or refused
        from ..engines import engine_input, engine_repeat_purchase_rate
        return engine_repeat_purchase_rate(engine_input(transactions, "transactions"), period_start, period_end,
                                           customer_id_col=customer_id_col, datetime_col=datetime_col,
                                           monetary_value_col=monetary_value_col, min_purchases=min_purchases,
                                           confidence=confidence, check_repeated_rows=check_repeated_rows)
    ps, pe, log, inside = _in_period(transactions, period_start, period_end, customer_id_col, datetime_col,
                                     monetary_value_col, check_repeated_rows)
    if len(inside) == 0:
        raise InputError(f"no purchase falls in [{ps}, {pe}); the log runs from {log.dates.min()} to "
                         f"{log.dates.max()}. Choose a period inside it.")
    counts = inside.groupby(customer_id_col).size()
    customers, repeaters = len(counts), int((counts >= min_purchases).sum())
    interval = proportion(repeaters, customers, confidence=confidence)
    return MetricResult(
        kind="repeat_purchase_rate", name=f"Repeat purchase rate [{ps.date()}, {pe.date()})",
        value=repeaters / customers, unit="fraction",
        formula=f"customers with >= {min_purchases} purchases / customers with >= 1 purchase, same period",
        parts=dict(customers=customers, repeat_customers=repeaters, purchases=len(inside),
                   purchases_per_customer=len(inside) / customers),
        se=interval.se, ci=interval.ci, confidence=confidence)


@validate(window=Real(low=0, closed="neither"))
def first_window_counts(transactions: pd.DataFrame, *, window: float = 365, time_unit: str = "day",
                        observation_period_end=None, customer_id_col: str = "customer_id",
                        datetime_col: str = "date", monetary_value_col: str | None = "amount") -> pd.Series:
    """Purchases each customer made in the first ``window`` after their first purchase.

    Only customers whose whole window is observed (first purchase + window <=
    ``observation_period_end``) are counted, so late joiners do not look disloyal merely for
    lack of time. The window is [first purchase, first purchase + window).

    Parameters
    ----------
    transactions : DataFrame, one row per purchase
    window : float, default 365
        The window's length in ``time_unit`` (a month is 30.4375 days).
    time_unit : str, default "day"
    observation_period_end : date, optional
        The first instant not observed; default midnight after the day of the last purchase.
    customer_id_col, datetime_col, monetary_value_col : str

    Returns
    -------
    Series ``purchases`` indexed by customer id (eligible customers only).

    Raises
    ------
    InputError
        For a log that fails the checks, a window that is not positive, or no eligible customer.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "date": pd.to_datetime(["2024-01-01", "2024-01-20", "2024-12-30"]),
    ...                    "amount": [3.0, 4.0, 5.0]})
    >>> first_window_counts(tx, window=30, observation_period_end="2025-01-01").to_dict()
    {1: 2}
    """
    return first_window_totals(transactions, window=window, time_unit=time_unit,
                               observation_period_end=observation_period_end, customer_id_col=customer_id_col,
                               datetime_col=datetime_col, monetary_value_col=monetary_value_col)["purchases"]


@validate(window=Real(low=0, closed="neither"))
def first_window_totals(transactions: pd.DataFrame, *, window: float = 365, time_unit: str = "day",
                        observation_period_end=None, customer_id_col: str = "customer_id",
                        datetime_col: str = "date", monetary_value_col: str | None = "amount") -> pd.DataFrame:
    """Each customer's first purchase, and their purchases and spend in the first ``window`` after it.

    The window is [first purchase, first purchase + window); only customers whose whole window is
    observed (first purchase + window <= ``observation_period_end``) are in the result, so late
    joiners are not compared on a shorter window. Spend = sum of ``monetary_value_col`` in the
    window: the same window for every customer, so cohorts and acquisition channels compare fairly.

    Parameters
    ----------
    transactions : DataFrame, one row per purchase
    window : float, default 365
        The window's length in ``time_unit`` (a month is 30.4375 days).
    time_unit : str, default "day"
    observation_period_end : date, optional
        The first instant not observed; default midnight after the day of the last purchase.
    customer_id_col, datetime_col, monetary_value_col : str
        ``monetary_value_col=None`` for a log without amounts (no ``spend`` column then).

    Returns
    -------
    DataFrame indexed by customer id (eligible customers only) with ``first_purchase``,
    ``purchases`` (the first one included) and ``spend``.

    Raises
    ------
    InputError
        For a log that fails the checks, a window that is not positive, or no eligible customer.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 2], "date": pd.to_datetime(
    ...     ["2024-01-01", "2024-01-20", "2024-03-01", "2024-12-30"]), "amount": [3.0, 4.0, 9.0, 5.0]})
    >>> first_window_totals(tx, window=30, observation_period_end="2025-01-01").to_dict("index")
    {1: {'first_purchase': Timestamp('2024-01-01 00:00:00'), 'purchases': 2, 'spend': 7.0}}
    """
    time_unit = require_time_unit(time_unit)
    log = require_transactions(transactions, customer_id_col=customer_id_col, datetime_col=datetime_col,
                               monetary_value_col=monetary_value_col)
    end = (log.timestamp(observation_period_end, "observation_period_end") if observation_period_end is not None
           else log.default_end())
    dates = log.dates
    first = dates.groupby(log.frame[customer_id_col]).transform("min")
    length = pd.Timedelta(days=convert_length(window, time_unit, "day"))
    eligible = (first + length <= end).to_numpy()
    if not eligible.any():
        raise InputError(f"no customer has a whole window of {window:g} {time_unit}(s) before {end}; shorten the "
                         f"window or pass a later observation_period_end.")
    keep = eligible & (dates < first + length).to_numpy()
    frame = pd.DataFrame({"first_purchase": first[keep].to_numpy(), "purchases": 1}, index=log.frame.index[keep])
    if monetary_value_col is not None:
        frame["spend"] = log.frame.loc[keep, monetary_value_col].to_numpy(dtype=float)
    grouped = frame.groupby(log.frame.loc[keep, customer_id_col].to_numpy())
    out = grouped.agg(first_purchase=("first_purchase", "first"), purchases=("purchases", "sum"),
                      **({"spend": ("spend", "sum")} if monetary_value_col is not None else {}))
    out.index.name = customer_id_col
    return out


@validate(max_count=Integer(low=1), confidence=Confidence())
def repeat_probability_by_count(transactions: pd.DataFrame, *, window: float = 365, time_unit: str = "day",
                                max_count: int = 15, observation_period_end=None,
                                customer_id_col: str = "customer_id", datetime_col: str = "date",
                                monetary_value_col: str | None = "amount", confidence: float = 0.95) -> pd.DataFrame:
    """Probability of making purchase k+1 given k purchases, within each customer's first ``window``.

    Uses :func:`first_window_counts` (customers with a fully observed window only). For each k:
    ``customers`` = customers with at least k purchases in their window; ``went_on`` = those
    with at least k+1; ``probability`` = went_on / customers.

    A rising curve does not show that the k-th purchase *causes* loyalty: customers who buy
    often and stay long are simply the ones who reach high k (selection).

    Parameters
    ----------
    transactions : DataFrame, one row per purchase
    window, time_unit, observation_period_end : as in :func:`first_window_counts`
    max_count : int, default 15
    customer_id_col, datetime_col, monetary_value_col : str
    confidence : float, default 0.95

    Returns
    -------
    DataFrame with columns ``purchases`` (k), ``customers``, ``went_on``, ``probability``
    (NaN where no customer reached k), and its Wilson interval ``ci_low``, ``ci_high``;
    ``attrs["confidence"]``.

    Raises
    ------
    InputError
        As :func:`first_window_counts`, and for ``max_count`` below 1.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 2], "date": pd.to_datetime(
    ...     ["2024-01-01", "2024-02-01", "2024-03-01", "2024-01-05"]), "amount": [3.0, 3.0, 3.0, 4.0]})
    >>> t = repeat_probability_by_count(tx, window=40, max_count=2, observation_period_end="2025-01-01")
    >>> t["probability"].tolist()   # customer 1 buys twice in 40 days, customer 2 once
    [0.5, 0.0]
    """
    counts = first_window_counts(transactions, window=window, time_unit=time_unit,
                                 observation_period_end=observation_period_end, customer_id_col=customer_id_col,
                                 datetime_col=datetime_col, monetary_value_col=monetary_value_col).to_numpy()
    k = np.arange(1, max_count + 1)
    reached = (counts[None, :] >= k[:, None]).sum(axis=1)
    went_on = (counts[None, :] >= k[:, None] + 1).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        prob = np.where(reached > 0, went_on / np.maximum(reached, 1), np.nan)
    bounds = [proportion(int(g), int(n), confidence=confidence).ci if n else (np.nan, np.nan)
              for g, n in zip(went_on, reached)]
    table = pd.DataFrame({"purchases": k, "customers": reached, "went_on": went_on, "probability": prob,
                          "ci_low": [b[0] for b in bounds], "ci_high": [b[1] for b in bounds]})
    table.attrs["confidence"] = confidence
    return table
