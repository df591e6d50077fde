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
    year = _crc("2025-01-01", "2026-01-01")
    return Solution(r.per_retained_customer, dict(total=r.value, retained=r.retained_customers,
                                                  annual=year.per_retained_customer))


def _fastest_growing():
    costs = load("retention_costs")
    by_year = costs.assign(year=costs["date"].dt.year).pivot_table(index="program", columns="year", values="amount",
                                                                   aggfunc="sum")
    growth = by_year[2025] - by_year[2024]
    return Solution(growth.idxmax(), dict(growth=float(growth.max())))


def _payback():
    subs = load("saas_subscriptions")
    kept = subs[(subs["start_date"] < "2025-01-01") & ~(subs["end_date"] < "2026-01-01")]
    per_retained = _crc("2025-01-01", "2026-01-01").per_retained_customer
    basic_fee = float(subs.loc[subs["plan"] == "basic", "monthly_fee"].iloc[0])
    return Solution(per_retained / (0.8 * basic_fee), dict(average=per_retained / (0.8 * kept["monthly_fee"].mean())))


register(
    Exercise("06-crc-h1-2025", "cost per retained customer over the first half of 2025, in dollars", _crc_h1,
             "${total:,.0f} of retention spend over {retained:,} customers retained through the half-year: "
             "${answer:,.2f} each. Not half of the year's ${annual:,.2f}: the spend halves, but the customers retained "
             "over a half-year are more than over a whole year. A ratio depends on its period.",
             "the half-year is the period from 1 January to 1 July: the customers retained over it come from "
             "rk.retention_rate, and rk.retention_cost reports the ratio beside the total", rel_tol=1e-4),
    Exercise("06-fastest-growing-program", "the program whose spend grew most, in dollars, from 2024 to 2025",
             _fastest_growing,
             "{answer!r} spent ${growth:,.0f} more in 2025 than in 2024.",
             "sum the ledger by program and year (a pivot table with the year of each date), then subtract", kind="choice"),
    Exercise("06-payback-months",
             "months of 80% gross margin of a basic customer that equal the 2025 cost per retained customer", _payback,
             "{answer:.2f} months of a basic customer's margin, against {average:.2f} at the average fee: the same "
             "spend looks cheap or dear depending on whose margin it is set against. Either way a ratio, not a "
             "payback.",
             "one month of a basic customer's margin is 80% of the basic fee; the cost per retained customer is a "
             "part of rk.retention_cost's result", rel_tol=1e-3),
    Exercise("06-judge-payback", "the strongest objection to 'retention pays for itself within three months'",
             lambda: Solution("b"),
             "the ratio divides by every customer kept; a payback needs the customers the spend kept, which takes a "
             "control group.",
             "ask what the cost per retained customer divides by, and whether those customers needed the spend",
             kind="choice",
             options={"a": "the margin is an assumption, but with any margin the comparison still credits the "
                           "programs with customers who would have stayed anyway.",
                      "c": "the median fee changes the number, not the flaw: the ratio is not a cost per "
                           "customer saved."}),
    Exercise("06-judge-support", "what the lesson's numbers support about the support desk", lambda: Solution("c"),
             "the break-even per ticket, for the customers the budget can reach, leaves room if the tickets cause the "
             "losses; a randomized test of faster resolution is how to find out.",
             "separate what the budget could change (new customers' first 90 days) from what it could not, compare "
             "like with like (a ticket's cost with what resolving it saves), and remember what adjustment cannot do",
             kind="choice",
             options={"a": "the desk's budget pays for every ticket it handles, not for the open ones, and the losses "
                           "it is set against were mostly out of its reach: not like with like.",
                      "b": "adjusting for plan and tenure leaves an association: struggling customers may both raise "
                           "hard tickets and leave, so the hazard ratio is not the effect of resolving them."}),
)
