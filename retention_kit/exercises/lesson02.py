"""Exercises of lesson 02 (customer satisfaction)."""
from ..metrics import csat, csat_by
from .data import load
from .engine import Exercise, Solution, register


def _overall():
    r = csat(load("telecom_survey")["csat"])
    return Solution(r.value, dict(n=r.n))


def _lowest():
    table = csat_by(load("telecom_survey"), "touchpoint")
    return Solution(table.index[0], dict(csat=table["csat"].iloc[0]))


def _renewal_gap():
    s = load("telecom_survey").dropna(subset=["csat"])
    return Solution(float(100 * (s.loc[s["csat"] >= 4, "renewed"].mean() - s.loc[s["csat"] <= 2, "renewed"].mean())))


register(
    Exercise("02-csat-overall", "CSAT (top-2-box, percent) over both waves", _overall,
             "CSAT is {answer:.2f}%: ratings of 4 or 5 over all {n:,} ratings given.",
             "CSAT counts the satisfied share of the ratings given; rk.csat computes it from the whole column",
             abs_tol=0.05),
    Exercise("02-lowest-touchpoint", "the touchpoint with the lowest CSAT", _lowest,
             "{answer!r} has the lowest CSAT ({csat:.1f}%).",
             "compute CSAT per touchpoint (rk.csat_by) and look at the order of its rows", kind="choice"),
    Exercise("02-renewal-gap",
             "renewal rate of satisfied (4-5) minus dissatisfied (1-2) customers, in percentage points", _renewal_gap,
             "satisfied customers renewed {answer:.1f} percentage points more often. A gap between groups is an "
             "association: it would be the value of raising satisfaction only if satisfaction drives renewal.",
             "the mean of a True/False column is a share: take the 'renewed' share of each group of ratings, subtract, "
             "and express in percentage points", abs_tol=0.05),
)
