"""Exercises of lesson 04 (cohorts and survival)."""
from functools import lru_cache

import pandas as pd

from ..cohorts import average_retention, cohort_table
from .data import load
from .engine import Exercise, Solution, register


@lru_cache(maxsize=None)
def _cohorts():
    return cohort_table(load("coffee_transactions"))


def _fixed_month12():
    fixed, every = average_retention(_cohorts(), through_age=18), average_retention(_cohorts())
    return Solution(float(fixed.loc[12, "weighted"]),
                    dict(cohorts=int(fixed.loc[12, "cohorts"]), every=float(every.loc[12, "weighted"]),
                         every_cohorts=int(every.loc[12, "cohorts"])))


def _promo_extra_active6():
    table = _cohorts()
    promo = pd.Period("2024-11", "M")
    others = table.loc[(table.index.year == 2024) & (table.index != promo)]
    return Solution(int(table.loc[promo, 6] - others[6].median()),
                    dict(promo=int(table.loc[promo, 6]), typical=float(others[6].median()),
                         rate=float(table.loc[promo, 6] / table.loc[promo, 0]),
                         typical_rate=float((others[6] / others[0]).median())))


def _basic_months_apart():
    from ..survival import kaplan_meier, restricted_mean_difference, subscription_lifetimes
    subs = load("saas_subscriptions")
    basic = subs[subs["plan"] == "basic"].assign(resolved=lambda d: d["unresolved_tickets_90d"] == 0)
    curves = kaplan_meier(subscription_lifetimes(basic, observation_period_end="2026-01-01", time_unit="month"),
                          by="resolved")
    gap = restricted_mean_difference(curves[True], curves[False], horizon=24)
    return Solution(gap.value, dict(low=gap.ci[0], high=gap.ci[1], resolved=gap.rmst_a, unresolved=gap.rmst_b))


def _sbg_month36_from12():
    import numpy as np

    from ..clv import ShiftedBetaGeometric
    from ..survival import subscription_lifetimes
    lives = subscription_lifetimes(load("saas_subscriptions"), observation_period_end="2026-01-01", time_unit="month")
    cohort = lives[lives["start_date"].dt.year == 2022]
    after_term = np.array([(cohort["duration"] > k).sum() for k in range(3, 37)])
    model = ShiftedBetaGeometric().fit(after_term[:13])
    expected = float(after_term[0] * model.survival(33))
    projection = model.project(int(after_term[0]), 33, include_chance=True, random_state=0)
    held = projection.loc[13:]
    outside = int(((after_term[13:] < held["ci_low"]) | (after_term[13:] > held["ci_high"])).sum())
    eighteen = float(after_term[0] * ShiftedBetaGeometric().fit(after_term[:19]).survival(33))
    return Solution(expected, dict(observed=int(after_term[33]), eighteen=eighteen,
                                   low=float(projection.loc[33, "ci_low"]),
                                   high=float(projection.loc[33, "ci_high"]), outside=outside, held=len(held),
                                   verdict=("misses" if not projection.loc[33, "ci_low"] <= after_term[33]
                                            <= projection.loc[33, "ci_high"] else "covers")))


register(
    Exercise("04-fixed-cohorts-month12",
             "size-weighted retention at age 12 over the cohorts observed through age 18 (a fraction)", _fixed_month12,
             "{answer:.4f} over the same {cohorts} cohorts at every age, against {every:.4f} over the {every_cohorts} "
             "cohorts observable at age 12: the larger set includes the large promotion cohort, which retains far "
             "worse, so the two curves answer different questions.",
             "a fixed set of cohorts is the one observed through the last age you show (see through_age in "
             "rk.cohorts.average_retention)", abs_tol=1e-4, unit="fraction"),
    Exercise("04-promo-extra-active6",
             "members of the November 2024 cohort buying at age 6, minus the median other 2024 cohort",
             _promo_extra_active6,
             "{promo} promotion-cohort members bought at age 6, against {typical:.0f} in the median other 2024 "
             "cohort: {answer} more, at a rate of {rate:.0%} against a median {typical_rate:.0%}. A low rate on a large "
             "cohort can still keep more customers.",
             "counts, not rates: the cohort table holds how many members of each cohort bought at each age",
             kind="integer"),
    Exercise("04-basic-months-apart",
             "basic plan: 24-month restricted mean lifetime, all tickets resolved minus an unresolved ticket (months)",
             _basic_months_apart,
             "{answer:.2f} months (95% interval {low:.2f} to {high:.2f}): {resolved:.1f} against {unresolved:.1f} "
             "months within the first 24. An association within one plan, not the effect of resolving tickets.",
             "fit one Kaplan-Meier curve per support group on the basic subscribers only, then compare the areas "
             "under them to the same horizon (rk.survival.restricted_mean_difference)", abs_tol=0.01),
    Exercise("04-sbg-month36-from12",
             "2022 cohort: subscribers the sBG fitted on months 3 to 15 expects in month 36", _sbg_month36_from12,
             "{answer:.1f} expected, against {observed} observed and {eighteen:.0f} from the 18-month fit; its interval (parameters and chance) runs from "
             "{low:.0f} to {high:.0f} and {verdict} the observed count; it misses {outside} of the {held} held-back "
             "months. A projection 33 months out from 12 months of data leans on the model's tail.",
             "which model period is month 3, and which is month 36? How many counts do months 3 to 15 make? Then "
             "the model's survival, or its projection, at that period",
             abs_tol=0.5),
    Exercise("04-judge-promotion", "what the lesson says about repeating the launch promotion", lambda: Solution("c"),
             "judge an acquisition channel by the customers it adds and what they spend beyond a baseline, with an "
             "interval, then compare with its cost.",
             "ask what the business gains from a promotion: a rate, or customers and money? And check the rise of the "
             "curve against a fixed set of cohorts",
             kind="choice",
             options={"a": "a low retention rate on a cohort far larger than normal can still keep more customers "
                           "and bring more money than a normal month; count customers kept and spend added.",
                      "b": "the rise at age 14 is a composition effect: the promotion cohort stops being observable, "
                           "and on the same cohorts at both ages the curve does not jump."}),
)
