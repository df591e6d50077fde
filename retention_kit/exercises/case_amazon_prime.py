"""Exercises of the Amazon Prime case study (a membership customers choose to join): Marlow Market, built once."""
from functools import lru_cache

from .engine import Exercise, Solution, register

# the case study's call: rk.datasets.make_membership_program(random_state=PROGRAM_SEED)
PROGRAM_SEED = 2025


@lru_cache(maxsize=None)
def case_table():
    """The case study's customer table (Marlow Market, seed 2025)."""
    from ..datasets import make_membership_program
    from ..programs.membership import customer_table
    data, _ = make_membership_program(random_state=PROGRAM_SEED)
    return customer_table(data)


def _matched_did_spend():
    from ..programs.membership import diff_in_diff, strata_weights
    table = case_table()
    r = diff_in_diff(table, "spend", strata_weights(table))
    return Solution(r.value, dict(low=r.ci[0], high=r.ci[1]))


def _heavy_retention():
    from ..programs.membership import ipw_weights, naive_difference, propensity_scores, weighted_difference
    heavy = case_table()[case_table()["band"] == "heavy"]
    r = weighted_difference(heavy, "retention", ipw_weights(heavy, propensity_scores(heavy)))
    return Solution(r.value, dict(low=r.ci[0], high=r.ci[1], naive=naive_difference(heavy, "retention").value,
                                  n=len(heavy)))


def _overlap_spend():
    from ..programs.membership import ipw_weights, propensity_scores, weighted_difference
    table = case_table()
    e = propensity_scores(table)
    inside = weighted_difference(table, "spend", ipw_weights(table, e, common_support=True))
    every = weighted_difference(table, "spend", ipw_weights(table, e))
    return Solution(inside.value, dict(low=inside.ci[0], high=inside.ci[1], every=every.value,
                                       left=ipw_weights(table, e, common_support=True).attrs["outside_support"]))


def _clv_36():
    from ..programs.membership import clv_gap
    short = clv_gap(case_table(), adjust="ipw", horizon=36, n_resamples=None)
    lifetime = clv_gap(case_table(), adjust="ipw", n_resamples=None)
    return Solution(short.value, dict(lifetime=lifetime.value))


register(
    Exercise("prime-matched-did-spend",
             "the DiD of spend per active month against the non-members matched by strata (default 4 bins)",
             _matched_did_spend,
             "{answer:+.2f} dollars a month (95% interval {low:+.2f} to {high:+.2f}): the members' change in spend "
             "from July-December 2024 to 2025, minus the change of non-members with the same strata of pre-join "
             "orders, spend and tenure. It carries the bias of the unmeasured trait, as the orders estimate does.",
             "matching gives weights; a DiD takes them, and the outcome can be spend as well as orders",
             abs_tol=0.005),
    Exercise("prime-heavy-retention",
             "the propensity-weighted effect on retention among heavy buyers (propensity refitted within the band)",
             _heavy_retention,
             "{answer:+.4f} (retention {answer:+.2%}) among the {n:,} heavy buyers (95% interval {low:+.4f} to "
             "{high:+.4f}; naive gap {naive:+.4f}). Heavy buyers lapse rarely with or without the program, so there is less to gain, and "
             "the interval is wide: a segment's estimate rests on fewer customers.",
             "keep the rows of the heavy band first, then do there what section 4c does, with retention as the "
             "outcome", abs_tol=5e-4, unit="fraction"),
    Exercise("prime-overlap-ipw-spend",
             "the propensity-weighted effect on spend per active month, on the common support",
             _overlap_spend,
             "{answer:+.2f} dollars a month (95% interval {low:+.2f} to {high:+.2f}), leaving out the {left} "
             "member(s) whose propensity is above every non-member's; {every:+.2f} with them. A trimmed estimate "
             "is the effect on a slightly different group: report both.",
             "ipw_weights has an option that gives weight 0 to the members outside the overlap", abs_tol=0.005),
    Exercise("prime-caused-clv-36",
             "the caused CLV gap per member (propensity-weighted) counting only the first 36 months",
             _clv_36,
             "{answer:,.0f} dollars per member within 36 months, against {lifetime:,.0f} dollars over a lifetime: "
             "a large part of the lifetime figure comes from years after the six months that were observed.",
             "clv_gap has an argument for a horizon in months; the point estimate is enough (no bootstrap needed)",
             abs_tol=0.5),
    Exercise("prime-judge-did-all", "why the DiD against all non-members falls below the matched estimates",
             lambda: Solution("b"),
             "members were chosen on a high pre-window count, part of which was luck; their next months regress "
             "toward their usual rate, so their change understates the effect unless the comparison group had the "
             "same pre-window counts.",
             "ask what the members' pre-window count says about their usual order rate, given that they were "
             "selected on it", kind="choice",
             options={"a": "the planted effect does not fade over the months. The fall is in the members' own "
                           "counts: chosen on a high pre-window count, they drift back toward their usual rate.",
                      "c": "the pre and post windows are the same calendar months, so the season cancels."}),
    Exercise("prime-judge-claim", "which claim the weighted and matched estimates support", lambda: Solution("c"),
             "adjustment removes differences in what was measured before joining; an unmeasured reason to join that "
             "also drives orders stays in every estimate, and no interval widens for it. A randomized offer would "
             "settle it.",
             "ask what the weights balance, and what they cannot see", kind="choice",
             options={"a": "no observational estimate proves an effect: something unmeasured may still differ.",
                      "b": "the estimates disagree with the naive gap because they remove a known bias; agreeing "
                           "with each other within their intervals, they carry information."}),
)
