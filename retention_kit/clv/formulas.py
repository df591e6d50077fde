"""Lifetime value without a model of purchasing: the closed forms and what customers earned so far.

Taught in ``notebooks/07_customer_lifetime_value.ipynb``.
"""
from __future__ import annotations

import pandas as pd

from ..results import MetricResult
from ..validation import (Integer, Options, Real, convert_length, plural, require_time_unit, require_transactions,
                          validate, warn_data)

__all__ = ["formula_clv", "historical_clv", "FORMULA_CLV_TIMING"]

FORMULA_CLV_TIMING = {
    "end": "m * r / (1 + d - r)   (first margin one period from now)",
    "start": "m * (1 + d) / (1 + d - r)   (first margin now, at t = 0)",
    "undiscounted": "m / (1 - r)   (no discounting, first margin now)",
}


@validate(margin_per_period=Real(hint="It is money per period, such as 100."),
          retention=Real(0, 1, closed="left", hint="Write 80% as 0.8; at 1 the value is infinite."),
          discount_rate=Real(low=0, hint="It is per period: 10% is 0.1."), timing=Options(*FORMULA_CLV_TIMING),
          periods=Integer(low=1, none=True, hint="A whole number of periods, or None for no limit."))
def formula_clv(margin_per_period: float, *, retention: float, discount_rate: float = 0.0,
                timing: str = "end", periods: int | None = None) -> MetricResult:
    """Lifetime value of a customer who brings ``margin_per_period`` each period and stays with probability ``retention``.

    Sums m r^t / (1 + d)^t over periods as a geometric series; the closed form depends on when
    the first margin arrives (``FORMULA_CLV_TIMING``):

    * ``"end"``: m r / (1 + d - r), the first margin after one period (the customer must be
      retained to pay it);
    * ``"start"``: m (1 + d) / (1 + d - r), the first margin now;
    * ``"undiscounted"``: m / (1 - r), the first margin now and d ignored.

    The forms differ by exactly m ("start" - "end" = m: the first margin), and their ratio is
    (1 + d) / r. m = average order value x purchase frequency x gross margin, per period.

    With ``periods=T`` only T margins are counted (a horizon, to compare with a value summed over
    T periods of a survival curve): the infinite form times (1 - q^T), q = r / (1 + d)
    (q = r undiscounted).

    Parameters
    ----------
    margin_per_period : float
        m, money per period (a margin, not revenue).
    retention : float
        r, the chance of staying each period, in [0, 1).
    discount_rate : float, default 0
        d, per period.
    timing : "end" (default), "start" or "undiscounted"
    periods : int, optional
        Count only this many margins; default all (an infinite horizon).

    Returns
    -------
    MetricResult (kind ``"formula_clv"``, currency) with parts ``margin_per_period``,
    ``retention``, ``discount_rate``, ``expected_periods`` = 1 / (1 - r) and, with a horizon, ``periods``.

    Raises
    ------
    InputError
        For a retention outside [0, 1), a negative or missing discount rate, a margin that is not
        a finite number, or an unknown timing.

    Examples
    --------
    >>> [round(formula_clv(100, retention=0.8, discount_rate=0.1, timing=t).value, 1) for t in FORMULA_CLV_TIMING]
    [266.7, 366.7, 500.0]
    >>> round(formula_clv(100, retention=0.8, timing="undiscounted", periods=2).value, 1)   # 100 + 80
    180.0
    """
    m, r, d = margin_per_period, retention, discount_rate
    value = {"end": m * r / (1 + d - r), "start": m * (1 + d) / (1 + d - r), "undiscounted": m / (1 - r)}[timing]
    if periods is not None:
        value *= 1 - (r if timing == "undiscounted" else r / (1 + d)) ** periods
    return MetricResult(kind="formula_clv", name="Customer lifetime value (formula)", value=value, unit="currency",
                        formula=FORMULA_CLV_TIMING[timing],
                        parts=dict(margin_per_period=m, retention=r, discount_rate=d, expected_periods=1 / (1 - r),
                                   **({} if periods is None else {"periods": periods})))


@validate(gross_margin=Real(0, 1, closed="right", hint="It is a fraction of revenue: 60% is 0.6."))
def historical_clv(transactions: pd.DataFrame, *, gross_margin: float, customer_id_col: str = "customer_id",
                   datetime_col: str = "date", monetary_value_col: str = "amount", observation_period_end=None,
                   time_unit: str = "month") -> pd.DataFrame:
    """Margin each customer has actually earned so far: the first level of lifetime value.

    margin = gross_margin x revenue; tenure = observation_period_end - first purchase, in
    ``time_unit``; margin per period = margin / max(tenure, 1). Historical value rewards tenure: a
    loyal new customer ranks below an average old one, which is why it cannot replace a prediction.

    Parameters
    ----------
    transactions : DataFrame, one row per purchase
    gross_margin : float
        The share of revenue that is margin, in (0, 1].
    customer_id_col, datetime_col, monetary_value_col : str
    observation_period_end : date, optional
        The first instant not observed; default midnight after the day of the last purchase.
        Purchases at or after it are left out with a :class:`~retention_kit.DataWarning`.
    time_unit : str, default "month"

    Returns
    -------
    DataFrame indexed by customer id: ``first_purchase``, ``purchases``, ``revenue``, ``margin``,
    ``tenure_<unit>s`` and ``margin_per_<unit>`` (``tenure_months``, ``margin_per_month`` by default).

    Raises
    ------
    InputError
        For a log that fails the checks or a gross margin outside (0, 1].

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "amount": [10.0, 30.0, 5.0],
    ...                    "date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"])})
    >>> historical_clv(tx, gross_margin=0.5, observation_period_end="2025-03-02")["margin"].to_dict()
    {1: 20.0, 2: 2.5}
    """
    time_unit = require_time_unit(time_unit)
    log = require_transactions(transactions, customer_id_col=customer_id_col, datetime_col=datetime_col,
                               monetary_value_col=monetary_value_col)
    end = (log.timestamp(observation_period_end, "observation_period_end") if observation_period_end is not None
           else log.default_end())
    frame = log.frame
    late = (log.dates >= end).to_numpy()
    if late.any():
        warn_data(f"historical_clv: {int(late.sum())} purchase(s) at or after observation_period_end ({end}) were "
                  f"left out.")
        frame = frame[~late]
    per = frame.groupby(customer_id_col).agg(first_purchase=(datetime_col, "min"), purchases=(datetime_col, "size"),
                                             revenue=(monetary_value_col, "sum"))
    per["margin"] = gross_margin * per["revenue"]
    tenure = f"tenure_{plural(time_unit)}"
    per[tenure] = (end - per["first_purchase"]) / pd.Timedelta(days=convert_length(1, time_unit, "day"))
    per[f"margin_per_{time_unit}"] = per["margin"] / per[tenure].clip(lower=1.0)
    return per
