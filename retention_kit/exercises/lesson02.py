"""Exercises of lesson 02 (customer satisfaction)."""
from ..metrics import csat, proportion_difference
from .data import load
from .engine import Exercise, Solution, register


def _difference(a, b) -> Solution:
    gap = proportion_difference(*a, *b)
    return Solution(gap.value, dict(low=gap.ci[0], high=gap.ci[1], p_value=gap.p_value, n=a[1] + b[1],
                                    verdict="excludes" if gap.significant else "includes"))


def _support_change():
    s = load("telecom_survey")
    support = s[s["touchpoint"] == "support"]
    w1, w2 = (csat(support.loc[support["wave"] == w, "csat"]) for w in (1, 2))
    solution = _difference((w2.satisfied, w2.n), (w1.satisfied, w1.n))
    solution.facts["conclusion"] = ("the survey shows that support's CSAT changed" if solution.facts["verdict"] ==
                                    "excludes" else "the survey cannot say whether support's CSAT changed")
    return solution


def _support_renewal_gap():
    s = load("telecom_survey").dropna(subset=["csat"])
    s = s[s["touchpoint"] == "support"]
    happy, unhappy = s[s["csat"] >= 4], s[s["csat"] <= 2]
    return _difference((int(happy["renewed"].sum()), len(happy)), (int(unhappy["renewed"].sum()), len(unhappy)))


register(
    Exercise("02-support-change", "support's CSAT in wave 2 minus wave 1 (a difference of fractions)", _support_change,
             "{answer:+.3f}, with a 95% interval of {low:+.3f} to {high:+.3f} (p = {p_value:.2f}): the interval "
             "{verdict} 0, so {conclusion} between the waves.",
             "compute each wave's CSAT for the support touchpoint, then compare the two shares of satisfied "
             "ratings with rk.metrics.proportion_difference (it takes the counts)", abs_tol=1e-3, unit="fraction"),
    Exercise("02-support-renewal-gap",
             "among support ratings, renewal rate of the satisfied (4-5) minus the dissatisfied (1-2), a fraction",
             _support_renewal_gap,
             "{answer:+.3f}, with a 95% interval of {low:+.3f} to {high:+.3f} ({n} customers): a subgroup has fewer "
             "customers and a wider interval than the whole survey. Still an association, like the overall gap.",
             "keep the support ratings, split them into satisfied (4-5) and dissatisfied (1-2), and compare the "
             "shares renewed with rk.metrics.proportion_difference", abs_tol=1e-3, unit="fraction"),
    Exercise("02-judge-support", "what the lesson's numbers say about funding better support", lambda: Solution("a"),
             "both gaps are real associations; what a fix is worth needs a randomized test measured on renewals.",
             "ask who comes to support, which way the arrow between rating and renewal could point, and how far a "
             "fix would move a rating",
             kind="choice",
             options={"b": "the renewal gap is an association between groups of customers, not the effect of "
                           "raising anyone's satisfaction: touchpoints were random, the ratings were not; and a fix "
                           "moves ratings a step, not all to 4-5.",
                      "c": "the difference between support and billing was tested directly, and its interval "
                           "excludes 0: chance does not explain it."}),
)
