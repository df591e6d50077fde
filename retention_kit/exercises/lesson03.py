"""Exercises of lesson 03 (churn and retention)."""
from ..metrics import churn_rate, compound_churn
from .data import load
from .engine import Exercise, Solution, register


def _q1():
    r = churn_rate(load("saas_subscriptions"), "2025-01-01", "2025-04-01")
    return Solution(r.value, dict(lost=r.lost, at_start=r.at_start))


def _support_ratio():
    subs = load("saas_subscriptions")
    flag = subs["unresolved_tickets_90d"] > 0
    with_, without = (churn_rate(subs[f], "2025-01-01", "2026-01-01").value for f in (flag, ~flag))
    return Solution(with_ / without, dict(with_=with_, without=without))


register(
    Exercise("03-churn-q1-2025", "churn rate of Tallyworks in Q1 2025 (a fraction)", _q1,
             "{lost:,} of the {at_start:,} customers at the start of the quarter (joined before 1 January, not gone) "
             "left before 1 April: {answer:.4f}.",
             "the quarter is the half-open period from 1 January to 1 April; rk.churn_rate takes its two ends",
             abs_tol=1e-4, unit="fraction"),
    Exercise("03-annual-from-monthly", "annual churn implied by 3% monthly churn (a fraction)",
             lambda: Solution(compound_churn(0.03, periods=12).value),
             "1 - 0.97^12 = {answer:.4f}, not 0.36: each month's churn applies to the customers still there.",
             "churn compounds: each month's rate applies to the customers still there; rk.compound_churn does the "
             "arithmetic", abs_tol=1e-4, unit="fraction"),
    Exercise("03-support-ratio", "2025 churn of customers with an unresolved ticket divided by churn of those without",
             _support_ratio,
             "{with_:.3f} against {without:.3f}: customers left with an unresolved ticket churned {answer:.2f} times as "
             "often. A ratio between groups, not yet the effect of the ticket.",
             "split the customers on whether unresolved_tickets_90d is above 0 and compute each group's 2025 churn "
             "rate", rel_tol=0.01),
)
