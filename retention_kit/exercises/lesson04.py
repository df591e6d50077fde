"""Exercises of lesson 04 (cohorts and survival)."""
from functools import lru_cache

from ..cohorts import average_retention, cohort_retention, cohort_table
from .data import load
from .engine import Exercise, Solution, register


@lru_cache(maxsize=None)
def _cohorts():
    return cohort_table(load("coffee_transactions"))


def _weighted_month3():
    averages = average_retention(_cohorts())
    return Solution(float(averages.loc[3, "weighted"]),
                    dict(cohorts=int(averages.loc[3, "cohorts"]), simple=float(averages.loc[3, "simple"])))


def _promo_month3():
    return Solution(float(cohort_retention(_cohorts()).loc["2024-11", 3]),
                    dict(weighted=float(average_retention(_cohorts()).loc[3, "weighted"])))


def _median_unresolved():
    from ..survival import kaplan_meier, median_lifetime, subscription_lifetimes
    subs = load("saas_subscriptions")
    lifetimes = subscription_lifetimes(subs.assign(unresolved=subs["unresolved_tickets_90d"] > 0),
                                       observation_period_end="2026-01-01")
    curves = kaplan_meier(lifetimes, by="unresolved")
    return Solution(median_lifetime(curves[True]).value, dict(resolved=median_lifetime(curves[False]).value))


register(
    Exercise("04-weighted-month3",
             "size-weighted share of Harbor Coffee members active 3 months after their first purchase (a fraction)",
             _weighted_month3,
             "{answer:.4f}: active customers at age 3 summed over the {cohorts} cohorts observable at that age, "
             "divided by their summed sizes; the simple mean of the cohorts gives {simple:.4f}.",
             "pool the cohorts: every customer counts once, so sum the active customers and the sizes before dividing "
             "(rk.cohorts.average_retention does both averages)", abs_tol=1e-4, unit="fraction"),
    Exercise("04-promo-month3", "share of the November 2024 (launch promotion) cohort active at age 3 (a fraction)",
             _promo_month3,
             "{answer:.4f} of the November 2024 cohort (mostly promotion members) bought in their fourth month, "
             "against {weighted:.4f} for members overall.",
             "divide each cohort's row by its size (rk.cohorts.cohort_retention) and read the November 2024 row at "
             "age 3", abs_tol=1e-4, unit="fraction"),
    Exercise("04-median-unresolved",
             "Kaplan-Meier median lifetime, in months, of subscribers left with an unresolved ticket",
             _median_unresolved,
             "{answer:.2f} months, against {resolved:.2f} for subscribers whose tickets were all resolved.",
             "group the lifetimes by a True/False column of unresolved tickets, fit a curve per group "
             "(rk.survival.kaplan_meier) and read the median of the True group (rk.survival.median_lifetime)",
             abs_tol=0.01),
)
