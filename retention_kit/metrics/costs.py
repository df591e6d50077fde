"""Customer retention cost (lesson ``06_customer_retention_cost``)."""
from __future__ import annotations

import pandas as pd

from ..results import MetricResult
from ..validation import (_label, InputError, as_datetime, require_columns, require_frame, require_nonnegative,
                          require_numeric, require_period)

__all__ = ["retention_cost"]


def retention_cost(costs: pd.DataFrame, *, retained_customers: int, period_start=None, period_end=None,
                   program_col: str = "program", date_col: str = "date", amount_col: str = "amount",
                   freq: str = "Q") -> MetricResult:
    """Retention spend in a period, by program and by sub-period, and per retained customer.

    cost per retained customer = total retention spend in [period_start, period_end) /
    ``retained_customers`` (customers at the start of the period still customers at its end,
    for example ``retention_rate(...).retained``). Acquisition spend does not belong in
    ``costs``: it buys new customers, not retained ones.

    Parameters
    ----------
    costs : DataFrame, a ledger with one row per cost item: program, date and amount.
    retained_customers : int, the customers retained over the same period.
    period_start, period_end : optional dates, half-open [start, end); default the whole ledger.
    freq : pandas period alias for the ``by_period`` table: "M", "Q" (default) or "Y".

    Returns
    -------
    MetricResult with ``value`` (currency per retained customer), ``total``, ``items``,
    ``retained_customers``, ``by_program`` (Series) and ``by_period`` (programs as columns).

    Raises
    ------
    InputError for missing columns, non-numeric or negative amounts, an empty ledger or period,
    or a retained-customer count that is not a positive whole number.

    Example
    -------
    >>> ledger = pd.DataFrame({"program": ["loyalty", "support", "loyalty"], "amount": [100.0, 50.0, 150.0],
    ...                        "date": pd.to_datetime(["2025-01-10", "2025-02-01", "2025-04-01"])})
    >>> r = retention_cost(ledger, retained_customers=30)
    >>> r.value, r.total, r.by_program.to_dict()
    (10.0, 300.0, {'loyalty': 250.0, 'support': 50.0})
    """
    require_frame(costs, "costs")
    require_columns(costs, [program_col, date_col, amount_col], "costs")
    if isinstance(retained_customers, bool) or not float(retained_customers).is_integer() or retained_customers <= 0:
        raise InputError(f"retained_customers={retained_customers!r} must be a positive whole number of customers; "
                         f"compute it with rk.retention_rate(...).retained for the same period.")
    ledger = pd.DataFrame({"program": costs[program_col], "date": as_datetime(costs[date_col], date_col),
                           "amount": require_numeric(costs[amount_col], amount_col)})
    for col, name in (("amount", amount_col), ("date", date_col), ("program", program_col)):
        if ledger[col].isna().any():
            row = ledger.index[ledger[col].isna()][0]
            raise InputError(f"column {name!r} is empty in {int(ledger[col].isna().sum())} row(s) (first: row {_label(row)}); "
                             f"fill them so that no cost is dropped.")
    require_nonnegative(ledger["amount"], amount_col)
    if period_start is not None or period_end is not None:
        ps, pe = require_period(period_start if period_start is not None else ledger["date"].min(),
                                period_end if period_end is not None else ledger["date"].max() + pd.Timedelta(days=1))
        ledger = ledger[(ledger["date"] >= ps) & (ledger["date"] < pe)]
        if ledger.empty:
            raise InputError(f"no cost falls in [{ps.date()}, {pe.date()}); choose a period inside the ledger.")
        label = f"{ps.date()} to {pe.date()}"
    else:
        label = f"{ledger['date'].min().date()} to {ledger['date'].max().date()}"
    total = float(ledger["amount"].sum())
    by_program = ledger.groupby("program")["amount"].sum().sort_values(ascending=False).rename(amount_col)
    by_period = (ledger.assign(period=ledger["date"].dt.to_period(freq))
                 .pivot_table(index="period", columns="program", values="amount", aggfunc="sum", fill_value=0.0))
    return MetricResult(
        name=f"Retention cost per retained customer, {label}", value=total / int(retained_customers),
        unit="currency", formula="total retention spend / customers retained over the same period",
        parts=dict(total=total, items=len(ledger), retained_customers=int(retained_customers),
                   by_program=by_program, by_period=by_period))
