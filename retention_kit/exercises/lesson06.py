"""Exercises of lesson 06 (customer retention cost)."""
from functools import lru_cache

from ..metrics import retention_cost, retention_rate
from .data import load
from .engine import Exercise, Solution, register


@lru_cache(maxsize=None)
def _crc_2025():
    retained = retention_rate(load("saas_subscriptions"), "2025-01-01", "2026-01-01").retained
    return retention_cost(load("retention_costs"), retained_customers=retained, period_start="2025-01-01",
                          period_end="2026-01-01")


def _crc():
    r = _crc_2025()
    return Solution(r.value, dict(total=r.total, retained=r.retained_customers))


def _largest():
    r = _crc_2025()
    return Solution(r.by_program.index[0], dict(spend=float(r.by_program.iloc[0])))


def _payback():
    subs = load("saas_subscriptions")
    kept = subs[(subs["start_date"] < "2025-01-01") & ~(subs["end_date"] < "2026-01-01")]
    return Solution(_crc_2025().value / (0.8 * kept["monthly_fee"].mean()))


register(
    Exercise("06-crc-2025", "retention cost per retained customer in 2025, in dollars", _crc,
             "${total:,.0f} of retention spend over {retained:,} retained customers: ${answer:,.2f} each.",
             "the numerator is 2025's retention spend, the denominator the customers retained over 2025 "
             "(rk.retention_rate gives them); rk.retention_cost divides", rel_tol=1e-4),
    Exercise("06-largest-program", "the program with the largest retention spend in 2025", _largest,
             "{answer!r} spent ${spend:,.0f} in 2025.",
             "the 2025 retention_cost result breaks the spend down by program", kind="choice"),
    Exercise("06-payback-months",
             "months of 80% gross margin on the average fee of customers retained over 2025 that repay the cost per "
             "retained customer", _payback,
             "{answer:.2f} months: the year's retention spend per retained customer is repaid by that many months of "
             "a retained customer's margin.",
             "divide the cost per retained customer by one month of margin: 80% of the mean monthly fee of the "
             "customers at the start of 2025 who were still customers at the start of 2026", rel_tol=1e-3),
)
