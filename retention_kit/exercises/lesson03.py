"""Exercises of lesson 03 (churn and retention)."""
from ..metrics import churn_rate, compound_churn, proportion_difference
from .data import load
from .engine import Exercise, Solution, register


def _q2():
    r = churn_rate(load("saas_subscriptions"), "2025-04-01", "2025-07-01")
    return Solution(r.value, dict(lost=r.lost, at_start=r.at_start))


def _enterprise_gap():
    subs = load("saas_subscriptions")
    enterprise = subs[subs["plan"] == "enterprise"]
    flag = enterprise["unresolved_tickets_90d"] > 0
    with_, without = (churn_rate(enterprise[f], "2025-01-01", "2026-01-01") for f in (flag, ~flag))
    gap = proportion_difference(with_.lost, with_.at_start, without.lost, without.at_start)
    return Solution(gap.value, dict(low=gap.ci[0], high=gap.ci[1], n=with_.at_start,
                                    verdict="excludes" if gap.ci[0] > 0 or gap.ci[1] < 0 else "includes"))


register(
    Exercise("03-churn-q2-2025", "churn rate of Tallyworks in Q2 2025 (a fraction)", _q2,
             "{lost:,} of the {at_start:,} customers at the start of the quarter (joined before 1 April, not gone) "
             "left before 1 July: {answer:.4f}.",
             "the quarter is the half-open period from 1 April to 1 July; rk.churn_rate takes its two ends",
             abs_tol=1e-4, unit="fraction"),
    Exercise("03-annual-from-monthly", "annual churn implied by 3% monthly churn (a fraction)",
             lambda: Solution(compound_churn(0.03, periods=12).value),
             "1 - 0.97^12 = {answer:.4f}, not 0.36: each month's churn applies to the customers still there.",
             "churn compounds: each month's rate applies to the customers still there; rk.compound_churn does the "
             "arithmetic", abs_tol=1e-4, unit="fraction"),
    Exercise("03-enterprise-gap",
             "2025 churn of enterprise customers with an unresolved ticket minus that of the others (a fraction)",
             _enterprise_gap,
             "{answer:+.3f}, with a 95% interval of {low:+.3f} to {high:+.3f} (only {n} flagged enterprise customers): "
             "it {verdict} 0, but it is wide, and a gap this size could be much smaller or twice as large.",
             "keep the enterprise customers, split them on unresolved_tickets_90d > 0, and compare the two shares "
             "lost with rk.metrics.proportion_difference (it takes the counts: lost and customers at the start)",
             abs_tol=1e-3, unit="fraction"),
    Exercise("03-judge-support", "what the lesson's numbers support about unresolved tickets", lambda: Solution("b"),
             "the comparison within plans and the Cox model set aside plan mix and tenure, but what remains is an "
             "association; a randomized test of faster resolution would show the effect.",
             "ask which confounders the lesson held fixed, and which explanations no comparison of groups can rule out",
             kind="choice",
             options={"a": "the numbers alone cannot show the tickets' effect: the hazard ratio is an association "
                           "adjusted for plan and tenure, and struggling customers may both raise hard tickets and "
                           "leave. Nor are unresolved tickets the same as too few agents.",
                      "c": "the gap holds within every plan, and the Cox model that accounts for plan finds it too: it is "
                           "not the plan mix."}),
)
