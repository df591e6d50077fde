"""Exercises of lesson 06 (customer retention cost)."""
from functools import lru_cache

from ..metrics import retention_cost, retention_rate
from .data import load
from .engine import Exercise, Solution, register


@lru_cache(maxsize=None)
def _crc(period_start, period_end):
    retained = retention_rate(load("saas_subscriptions"), period_start, period_end).retained
    return retention_cost(load("retention_costs"), retained_customers=retained, period_start=period_start,
                          period_end=period_end)


def _crc_h1():
    r = _crc("2025-01-01", "2025-07-01")
    return Solution(r.per_retained_customer, dict(total=r.value, retained=r.retained_customers))


def _fastest_growing():
    costs = load("retention_costs")
    by_year = costs.assign(year=costs["date"].dt.year).pivot_table(index="program", columns="year", values="amount",
                                                                   aggfunc="sum")
    growth = by_year[2025] - by_year[2024]
    return Solution(growth.idxmax(), dict(growth=float(growth.max())))


def _payback():
    subs = load("saas_subscriptions")
    kept = subs[(subs["start_date"] < "2025-01-01") & ~(subs["end_date"] < "2026-01-01")]
    return Solution(_crc("2025-01-01", "2026-01-01").per_retained_customer / (0.8 * kept["monthly_fee"].mean()))


register(
    Exercise("06-crc-h1-2025", "cost per retained customer over the first half of 2025, in dollars", _crc_h1,
             "${total:,.0f} of retention spend over {retained:,} customers retained through the half-year: "
             "${answer:,.2f} each.",
             "the half-year is the period from 1 January to 1 July: the customers retained over it come from "
             "rk.retention_rate, and rk.retention_cost reports the ratio beside the total", rel_tol=1e-4),
    Exercise("06-fastest-growing-program", "the program whose spend grew most, in dollars, from 2024 to 2025",
             _fastest_growing,
             "{answer!r} spent ${growth:,.0f} more in 2025 than in 2024.",
             "sum the ledger by program and year (a pivot table with the year of each date), then subtract", kind="choice"),
    Exercise("06-payback-months",
             "months of 80% gross margin on the average fee of customers retained over 2025 that equal the cost per "
             "retained customer", _payback,
             "{answer:.2f} months of a retained customer's margin equal the year's retention spend per retained "
             "customer: a ratio, not a payback.",
             "divide the cost per retained customer by one month of margin: 80% of the mean monthly fee of the "
             "customers at the start of 2025 who were still customers at the start of 2026", rel_tol=1e-3),
    Exercise("06-judge-payback", "the strongest objection to 'retention pays for itself within three months'",
             lambda: Solution("b"),
             "the ratio divides by every customer kept; a payback needs the customers the spend kept, which takes a "
             "control group.",
             "ask what the cost per retained customer divides by, and whether those customers needed the spend",
             kind="choice",
             options={"a": "the margin is an assumption, but with any margin the comparison still credits the "
                           "programs with customers who would have stayed anyway.",
                      "c": "the median fee changes the number a little, not the flaw: the ratio is not a cost per "
                           "customer saved."}),
    Exercise("06-judge-support", "what the lesson's numbers support about the support desk", lambda: Solution("b"),
             "a year of the 2025 excess losses was probably worth less than the budget and out of its reach; over new "
             "customers' lifetimes the stake per ticket is large if the tickets cause the losses, which a "
             "randomized test can show.",
             "separate what the budget could change (new customers' first 90 days) from what it could not, and "
             "remember that a gap between groups is an association",
             kind="choice",
             options={"a": "that compares the whole desk's budget with losses it could not have changed, valued at "
                           "the wrong customer, and assumes the tickets cause the churn.",
                      "c": "worth less than the budget in one year is not the same as no effect, and it ignores the "
                           "new customers the budget can still reach."}),
)
