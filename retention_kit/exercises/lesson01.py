"""Exercises of lesson 01 (Net Promoter Score)."""
from ..metrics import nps, nps_category, nps_difference, nps_sample_size
from .data import load
from .engine import Exercise, Solution, register


def _wave(number):
    survey = load("telecom_survey")
    return survey.loc[survey["wave"] == number, "nps_score"]


def _nps_wave2():
    r = nps(_wave(2))
    return Solution(r.value, dict(n=r.n, missing=r.missing))


def _sample_size():
    wave1 = nps(_wave(1))
    return Solution(nps_sample_size(3, p_promoters=wave1.p_promoters, p_detractors=wave1.p_detractors).value)


def _significant():
    d = nps_difference(_wave(1), _wave(2))
    return Solution(d.significant, dict(change=d.value, low=d.ci[0], high=d.ci[1], p_value=d.p_value,
                                        verdict="excludes" if d.significant else "includes"))


def _referral_share():
    s = load("telecom_survey").dropna(subset=["nps_score"])
    table = s.groupby(nps_category(s["nps_score"]))["referrals"].agg(["size", "sum"])
    return Solution(float(table.loc["promoter", "sum"] / table["sum"].sum()),
                    dict(respondents=float(table.loc["promoter", "size"] / table["size"].sum())))


register(
    Exercise("01-nps-wave2", "NPS of survey wave 2, in points", _nps_wave2,
             "wave 2 has NPS {answer:.2f}: promoters minus detractors, as a share of the {n:,} answers (the {missing} "
             "skipped answers are not in the denominator).",
             "select wave 2's scores and pass them to rk.nps; read the value of the result", abs_tol=0.05),
    Exercise("01-sample-size", "responses needed for a 95% interval of +/- 3 points, at wave 1's shares", _sample_size,
             "{answer:,} responses: n = 1.96^2 (pP + pD - (pP - pD)^2) / 0.03^2. Halving the half-width needs four "
             "times the responses.",
             "the variance of one answer depends on the shares of promoters and detractors: take them from wave 1's "
             "rk.nps result and give them to rk.nps_sample_size", kind="integer", rel_tol=0.01),
    Exercise("01-change-significant", "is the change from wave 1 to wave 2 significant at the 95% level? (True/False)",
             _significant,
             "the change is {change:+.1f} points with a 95% interval of {low:+.1f} to {high:+.1f}; it {verdict} 0 "
             "(p = {p_value:.3f}).",
             "two independent waves: rk.nps_difference compares them and says whether the interval excludes 0",
             kind="bool"),
    Exercise("01-referral-share", "share of all referrals made by promoters (a fraction)", _referral_share,
             "promoters make {answer:.1%} of referrals while being {respondents:.1%} of respondents: that is why the "
             "telecom rewards promoters for referrals.",
             "classify each answer (rk.nps_category), total the referrals of each category, and divide the "
             "promoters' total by the grand total", abs_tol=0.002, unit="fraction"),
)
