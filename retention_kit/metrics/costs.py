"""Customer retention cost (lesson ``06_customer_retention_cost``)."""
from __future__ import annotations

import pandas as pd

from ..results import MetricResult
from ..validation import (PANDAS_PERIOD, InputError, Integer, as_datetime, require_columns, require_complete, require_frame,
                          warn_duplicate_rows, require_no_isolated_dates, require_nonnegative, require_numeric,
                          require_period, require_time_unit, validate)

__all__ = ["retention_cost"]


@validate(retained_customers=Integer(low=1, hint="Compute it with rk.retention_rate(...).retained for the same period."))
def retention_cost(costs: pd.DataFrame, *, retained_customers: int, period_start=None, period_end=None,
                   program_col: str = "program", datetime_col: str = "date", monetary_value_col: str = "amount",
                   time_unit: str = "quarter") -> MetricResult:
    """Customer retention cost: the retention spend of a period, by program and calendar period, and per retained customer.

    customer retention cost (CRC) = total retention spend in [period_start, period_end): everything
    spent to keep existing customers. Beside it, as a ratio, cost per retained customer = CRC /
    ``retained_customers`` (customers at the start of the period still customers at its end,
    ``retention_rate(...).retained``). The ratio credits the spend with every customer kept, most
    of whom would have stayed anyway: it is not the cost of a customer *saved*. Acquisition spend
    does not belong in ``costs``: it buys new customers, not retained ones.

    Parameters
    ----------
    costs : DataFrame
        A ledger with one row per cost item: program, date and amount (not negative).
    retained_customers : int
        The customers retained over the same period, at least 1.
    period_start, period_end : dates, optional
        The half-open period; default the whole ledger.
    program_col, datetime_col, monetary_value_col : str
        Column names (defaults ``program``, ``date``, ``amount``).
    time_unit : str, default "quarter"
        The calendar periods of the ``by_period`` table: "day", "week", "month", "quarter" or "year".

    Returns
    -------
    MetricResult (kind ``"retention_cost"``) with ``value`` the total spend (currency) and parts
    ``per_retained_customer``, ``retained_customers``, ``items``, ``by_program`` (Series, largest
    first) and ``by_period`` (calendar periods as rows, programs as columns).

    Raises
    ------
    InputError
        For missing columns or values, non-numeric or negative amounts, repeated rows, an empty
        ledger or period, or a retained-customer count that is not a positive whole number.

    Examples
    --------
    >>> ledger = pd.DataFrame({"program": ["loyalty", "support", "loyalty"], "amount": [100.0, 50.0, 150.0],
    ...                        "date": pd.to_datetime(["2025-01-10", "2025-02-01", "2025-04-01"])})
    >>> r = retention_cost(ledger, retained_customers=30)
    >>> r.value, r.per_retained_customer, r.by_program.to_dict()
    (300.0, 10.0, {'loyalty': 250.0, 'support': 50.0})
    """
    time_unit = require_time_unit(time_unit, allowed=tuple(PANDAS_PERIOD))
    require_frame(costs, "costs")
    require_columns(costs, [program_col, datetime_col, monetary_value_col], "costs")
    for col in (program_col, datetime_col):
        require_complete(costs[col], col, "fill them so that no cost is dropped.")
    dates, zone = as_datetime(costs[datetime_col], datetime_col)
    require_no_isolated_dates(dates, datetime_col)
    amounts = require_numeric(costs[monetary_value_col], monetary_value_col)
    require_complete(amounts, monetary_value_col, "fill them so that no cost is dropped.")
    require_nonnegative(amounts, monetary_value_col, "record credits and reversals against the item they correct")
    warn_duplicate_rows(costs, "costs")
    ledger = pd.DataFrame({"program": costs[program_col], "date": dates, "amount": amounts})
    if period_start is not None or period_end is not None:
        ps, pe = require_period(period_start if period_start is not None else ledger["date"].min(),
                                period_end if period_end is not None else ledger["date"].max() + pd.Timedelta(days=1),
                                zone)
        ledger = ledger[(ledger["date"] >= ps) & (ledger["date"] < pe)]
        if ledger.empty:
            raise InputError(f"no cost falls in [{ps}, {pe}); choose a period inside the ledger.")
        label = f"[{ps.date()}, {pe.date()})"
    else:
        label = f"{ledger['date'].min().date()} to {ledger['date'].max().date()}"
    total = float(ledger["amount"].sum())
    by_program = ledger.groupby("program")["amount"].sum().sort_values(ascending=False).rename(monetary_value_col)
    by_period = (ledger.assign(period=ledger["date"].dt.to_period(PANDAS_PERIOD[time_unit]))
                 .pivot_table(index="period", columns="program", values="amount", aggfunc="sum", fill_value=0.0))
    return MetricResult(
        kind="retention_cost", name=f"Customer retention cost, {label}", value=total, unit="currency",
        formula="total retention spend in the period;  per retained customer = total / customers retained",
        parts=dict(per_retained_customer=total / retained_customers, retained_customers=retained_customers,
                   items=len(ledger), by_program=by_program, by_period=by_period))
