"""Exercises of lesson 01 (Net Promoter Score)."""
from ..metrics import nps, nps_category, nps_difference, nps_sample_size, rate_ratio
from .data import load
from .engine import Exercise, Solution, register


def _wave(number, touchpoint=None):
    survey = load("telecom_survey")
    keep = survey["wave"] == number
    if touchpoint is not None:
        keep &= survey["touchpoint"] == touchpoint
    return survey.loc[keep, "nps_score"]


def _lowest_touchpoint_nps():
    survey = load("telecom_survey")
    by = {name: nps(group["nps_score"]) for name, group in survey[survey["wave"] == 1].groupby("touchpoint")}
    ranked = sorted(by, key=lambda name: by[name].value)
    low, runner_up = by[ranked[0]], by[ranked[1]]
    from ..datasets import planted_truth
    return Solution(low.value, dict(touchpoint=ranked[0], low=low.ci[0], high=low.ci[1], n=low.n,
                                    runner_up=ranked[1], runner_up_nps=runner_up.value,
                                    planted=planted_truth("telecom_survey")["nps"][1]))


def _sample_size():
    wave1 = nps(_wave(1))
    return Solution(nps_sample_size(4, p_promoters=wave1.p_promoters, p_detractors=wave1.p_detractors).value)


def _support_change():
    d = nps_difference(_wave(1, "support"), _wave(2, "support"))
    return Solution(d.significant, dict(change=d.value, low=d.ci[0], high=d.ci[1], p_value=d.p_value,
                                        n=d.n_before + d.n_after,
                                        verdict="excludes" if d.significant else "includes"))


def _promoter_passive_ratio():
    s = load("telecom_survey").dropna(subset=["nps_score"])
    table = s.groupby(nps_category(s["nps_score"]))["referrals"].agg(["size", "sum"])
    r = rate_ratio(int(table.loc["promoter", "sum"]), float(table.loc["promoter", "size"]),
                   int(table.loc["passive", "sum"]), float(table.loc["passive", "size"]))
    return Solution(r.value, dict(low=r.ci[0], high=r.ci[1]))


register(
    Exercise("01-lowest-touchpoint-nps", "the lowest NPS of any touchpoint in wave 1, in points",
             _lowest_touchpoint_nps,
             "{touchpoint!r} has the lowest wave-1 NPS, {answer:.2f} (95% interval {low:.1f} to {high:.1f}, {n} "
             "answers); {runner_up!r} is next at {runner_up_nps:.2f}. The simulator gave every touchpoint the same "
             "true NPS, the wave's {planted:.0f}: the lowest of four noisy estimates is low partly by chance. Before "
             "blaming a touchpoint, test the difference (rk.nps_difference).",
             "an NPS per touchpoint: split wave 1 by touchpoint and use rk.nps on each part", abs_tol=0.05),
    Exercise("01-sample-size", "responses needed for a 95% interval of +/- 4 points, at wave 1's shares",
             _sample_size,
             "{answer:,} responses: n = 1.96^2 (pP + pD - (pP - pD)^2) / 0.04^2. Halving the half-width needs four "
             "times the responses.",
             "the variance of one answer depends on the shares of promoters and detractors, which wave 1 estimates; "
             "rk.nps_sample_size inverts the standard error", kind="integer", rel_tol=0.01),
    Exercise("01-support-change-significant",
             "among customers surveyed after a support contact, is the change in NPS from wave 1 to wave 2 "
             "significant at the 95% level? (True/False)", _support_change,
             "the change is {change:+.1f} points with a 95% interval of {low:+.1f} to {high:+.1f} ({n} answers "
             "in all); it {verdict} 0 (p = {p_value:.3f}). A subgroup has fewer answers, so a larger rise can be "
             "less certain than the overall one.",
             "two independent waves of one touchpoint: rk.nps_difference compares them and says whether the "
             "interval excludes 0", kind="bool"),
    Exercise("01-promoter-passive-ratio", "referrals per promoter divided by referrals per passive",
             _promoter_passive_ratio,
             "promoters referred {answer:.2f} times as many new customers per respondent as passives (95% interval "
             "{low:.2f} to {high:.2f}). An association: it says whom to ask, not how many referrals a reward adds.",
             "a ratio of two rates (referrals per respondent) with an exact interval: rk.metrics.rate_ratio takes "
             "each group's referrals and respondents", abs_tol=0.01),
    Exercise("01-judge-programme", "what Kestrel can say about the feedback programme", lambda: Solution("c"),
             "a before-and-after comparison without a control group credits nothing; a randomized hold-out of the "
             "call-backs would.",
             "ask what else changed between March and September, and what comparison would rule it out",
             kind="choice",
             options={"a": "the rise is not distinguishable from zero, and even a significant rise would not show "
                           "that the programme caused it: prices, handsets, competitors and the season moved too.",
                      "b": "an interval that includes 0 does not show that nothing changed: it also includes "
                           "sizeable rises. Absence of evidence is not evidence of absence."}),
)
