"""Immediate feedback on exercises: ``rk.check(exercise_id, answer)``.

Every expected answer is computed here from the shipped data with the kit's own tested
functions (never typed in), so a change in the data changes the answer with it.

>>> check("03-annual-from-monthly", None)
… 03-annual-from-monthly: not answered yet. Replace None with your answer and run the cell again.
  Hint: compound, do not multiply: 1 - (1 - monthly) ** 12.
"""
from __future__ import annotations

import html
import math
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import numpy as np
import pandas as pd

from . import datasets
from .clv import BetaGeo, GammaGamma, customer_lifetime_value, formula_clv, holdout_check
from .cohorts import average_retention, cohort_retention, cohort_table
from .datasets.simulate import DAYS_PER_MONTH
from .summaries import calibration_holdout_summary, rfm_summary
from .survival import kaplan_meier, median_lifetime, subscription_lifetimes
from .metrics import (churn_rate, compound_churn, csat, csat_by, nps, nps_category, nps_difference, nps_sample_size,
                      first_window_counts, purchase_counts, repeat_purchase_rate, retention_cost,
                      retention_rate)
from .results import MetricResult

__all__ = ["check", "Feedback", "EXERCISES", "expected_answer"]


@dataclass(frozen=True)
class Feedback:
    """The verdict of :func:`check`: ``correct`` is True, False, or None when unanswered."""

    exercise_id: str
    correct: bool | None
    message: str

    def __bool__(self) -> bool:
        return bool(self.correct)

    def __repr__(self) -> str:
        mark = {True: "✔", False: "✘", None: "…"}[self.correct]
        return f"{mark} {self.exercise_id}: {self.message}"

    def _repr_html_(self) -> str:
        colour = {True: "#1a7f37", False: "#cf222e", None: "#9a6700"}[self.correct]
        lines = html.escape(repr(self)).replace("\n", "<br>")
        return f"<div style='border-left:4px solid {colour};padding:4px 8px'>{lines}</div>"


@dataclass(frozen=True)
class Exercise:
    lesson: str
    question: str
    expected: Callable[[], Any]
    why: Callable[[Any], str]
    hint: str
    kind: str = "number"          # number, integer, choice or bool
    abs_tol: float = 0.0
    rel_tol: float = 0.0
    unit: str = ""                # "fraction" enables the percentage-instead-of-fraction hint


# ---------------------------------------------------------------- data used by the exercises
@lru_cache(maxsize=None)
def _load(name: str) -> pd.DataFrame:
    """A shipped data set, loaded once per session (``"telecom_survey"`` -> ``load_telecom_survey()``)."""
    return getattr(datasets, f"load_{name}")()


def _survey():
    return _load("telecom_survey")


def _subs():
    return _load("saas_subscriptions")


def _coffee():
    return _load("coffee_transactions")


def _costs():
    return _load("retention_costs")


def _wave(w):
    s = _survey()
    return s.loc[s["wave"] == w, "nps_score"]


def _referrals_by_category():
    s = _survey().dropna(subset=["nps_score"])
    return s.groupby(nps_category(s["nps_score"]))["referrals"].agg(["size", "sum"])


def _referral_share_promoters():
    by = _referrals_by_category()["sum"]
    return float(by["promoter"] / by.sum())


def _renewal_gap():
    s = _survey().dropna(subset=["csat"])
    return float(100 * (s.loc[s["csat"] >= 4, "renewed"].mean() - s.loc[s["csat"] <= 2, "renewed"].mean()))


def _churn_2025_by_support():
    subs = _subs()
    flag = subs["unresolved_tickets_90d"] > 0
    with_, without = (churn_rate(subs[f], "2025-01-01", "2026-01-01") for f in (flag, ~flag))
    return with_, without


def _retained_2025():
    return retention_rate(_subs(), "2025-01-01", "2026-01-01")


def _crc_2025():
    return retention_cost(_costs(), retained_customers=_retained_2025().retained,
                          period_start="2025-01-01", period_end="2026-01-01")


def _payback_months():
    subs = _subs()
    active = subs[(subs["start_date"] <= "2025-01-01") & ~(subs["end_date"] <= "2026-01-01")]
    return _crc_2025().value / (0.8 * active["monthly_fee"].mean())


def _rate_ratio_six_or_more():
    """Planted purchase rate of customers reaching 6+ first-year purchases over that of the others."""
    counts = first_window_counts(_coffee(), window_days=365)
    rate = datasets.planted_truth("coffee_transactions")["customers"].set_index("customer_id")["purchase_rate"]
    reached = rate[counts.index[counts >= 6]].mean()
    return float(reached / rate[counts.index[counts < 6]].mean())


@lru_cache(maxsize=None)
def _coffee_cohorts():
    return cohort_table(_coffee())


def _subscriber_lifetimes():
    subs = _subs()
    return subscription_lifetimes(subs.assign(unresolved=subs["unresolved_tickets_90d"] > 0),
                                  observation_end="2026-01-01")


@lru_cache(maxsize=None)
def _coffee_models():
    summary = rfm_summary(_coffee(), observation_period_end="2025-12-31")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        purchases, spend = BetaGeo().fit(summary), GammaGamma().fit(summary)
    value = customer_lifetime_value(purchases, spend, summary, horizon=12, period_length=DAYS_PER_MONTH,
                                    margin=0.6, discount_rate=0.01)
    return summary, purchases, spend, value


@lru_cache(maxsize=None)
def _holdout_totals():
    split = calibration_holdout_summary(_coffee(), calibration_end="2025-06-30", observation_end="2025-12-31")
    model = BetaGeo().fit(split.rename(columns={"frequency_cal": "frequency", "recency_cal": "recency", "T_cal": "T"}))
    check = holdout_check(model, split)
    return float((check["predicted"] * check["customers"]).sum()), float((check["actual"] * check["customers"]).sum())


def _top_decile_share():
    value = _coffee_models()[3].sort_values(ascending=False)
    return float(value.iloc[: len(value) // 10].sum() / value.sum())


def _counts_2025():
    return purchase_counts(_coffee(), "2025-01-01", "2026-01-01")


EXERCISES: dict[str, Exercise] = {
    "00-warm-up": Exercise(
        "00", "how many customers are in the Tallyworks subscriptions table?", lambda: len(_subs()),
        lambda e: f"{e:,} rows, one per customer: len(subs) or subs.shape[0].",
        "load it with rk.datasets.load_saas_subscriptions() and count the rows with len(...)", kind="integer"),
    "01-nps-wave2": Exercise(
        "01", "NPS of survey wave 2, in points", lambda: nps(_wave(2)).value,
        lambda e: f"wave 2 has NPS {e:.2f}: promoters minus detractors, as a share of the {nps(_wave(2)).n} "
                  f"answers (the {nps(_wave(2)).missing} skipped answers are not in the denominator).",
        "rk.nps(survey.loc[survey['wave'] == 2, 'nps_score']).value", abs_tol=0.05),
    "01-sample-size": Exercise(
        "01", "responses needed for a 95% interval of +/- 3 points, at wave 1's shares",
        lambda: nps_sample_size(3, p_promoters=nps(_wave(1)).p_promoters, p_detractors=nps(_wave(1)).p_detractors),
        lambda e: f"{e:,} responses: n = 1.96^2 * (pP + pD - (pP - pD)^2) / 0.03^2. Halving the margin "
                  f"needs four times the responses.",
        "rk.nps_sample_size(3, p_promoters=..., p_detractors=...) with the shares of rk.nps(wave 1)",
        kind="integer", rel_tol=0.01),
    "01-change-significant": Exercise(
        "01", "is the change from wave 1 to wave 2 significant at the 95% level? (True/False)",
        lambda: nps_difference(_wave(1), _wave(2)).significant,
        lambda e: (lambda d: f"the change is {d.value:+.1f} points with a 95% interval of {d.ci[0]:+.1f} to "
                             f"{d.ci[1]:+.1f}; it {'excludes' if e else 'includes'} 0 (p = {d.p_value:.3f}).")(
            nps_difference(_wave(1), _wave(2))),
        "rk.nps_difference(wave1_scores, wave2_scores).significant", kind="bool"),
    "01-referral-share": Exercise(
        "01", "share of all referrals made by promoters (a fraction)", _referral_share_promoters,
        lambda e: (lambda t: f"promoters make {100 * e:.1f}% of referrals while being "
                             f"{100 * t.loc['promoter', 'size'] / t['size'].sum():.1f}% of respondents: that is why "
                             f"the telecom rewards promoters for referrals.")(_referrals_by_category()),
        "group by NPS category (rk.metrics.nps_category or pd.cut), sum 'referrals', divide by the total",
        abs_tol=0.002, unit="fraction"),
    "02-csat-overall": Exercise(
        "02", "CSAT (top-2-box, percent) over both waves", lambda: csat(_survey()["csat"]).value,
        lambda e: f"CSAT is {e:.2f}%: ratings of 4 or 5 over all {csat(_survey()['csat']).n} ratings given.",
        "rk.csat(survey['csat']).value", abs_tol=0.05),
    "02-lowest-touchpoint": Exercise(
        "02", "the touchpoint with the lowest CSAT", lambda: csat_by(_survey(), "touchpoint").index[0],
        lambda e: f"{e!r} has the lowest CSAT ({csat_by(_survey(), 'touchpoint')['csat'].iloc[0]:.1f}%).",
        "rk.csat_by(survey, 'touchpoint') is sorted from lowest to highest", kind="choice"),
    "02-renewal-gap": Exercise(
        "02", "renewal rate of satisfied (4-5) minus dissatisfied (1-2) customers, in percentage points",
        _renewal_gap,
        lambda e: f"satisfied customers renew {e:.1f} percentage points more often: the business case for "
                  f"fixing the worst touchpoint.",
        "survey.loc[survey['csat'] >= 4, 'renewed'].mean() minus the same for csat <= 2, times 100",
        abs_tol=0.05),
    "03-churn-q1-2025": Exercise(
        "03", "churn rate of Tallyworks in Q1 2025 (a fraction)",
        lambda: churn_rate(_subs(), "2025-01-01", "2025-04-01").value,
        lambda e: (lambda r: f"{r.lost} of the {r.at_start} customers active on 1 January left by 1 April: "
                             f"{e:.4f}.")(churn_rate(_subs(), "2025-01-01", "2025-04-01")),
        "rk.churn_rate(subs, '2025-01-01', '2025-04-01').value", abs_tol=1e-4, unit="fraction"),
    "03-annual-from-monthly": Exercise(
        "03", "annual churn implied by 3% monthly churn (a fraction)", lambda: compound_churn(0.03, 12),
        lambda e: f"1 - 0.97^12 = {e:.4f}, not {12 * 0.03:.2f}: each month's churn applies to the customers still there.",
        "compound, do not multiply: 1 - (1 - monthly) ** 12.", abs_tol=1e-4, unit="fraction"),
    "03-support-ratio": Exercise(
        "03", "2025 churn of customers with an unresolved ticket divided by churn of those without",
        lambda: (lambda w: w[0].value / w[1].value)(_churn_2025_by_support()),
        lambda e: (lambda w: f"{w[0].value:.3f} vs {w[1].value:.3f}: customers left with an unresolved ticket "
                             f"churn {e:.2f} times as often.")(_churn_2025_by_support()),
        "split subs on subs['unresolved_tickets_90d'] > 0 and call rk.churn_rate on each part", rel_tol=0.01),
    "04-weighted-month3": Exercise(
        "04", "size-weighted share of Harbor Coffee members active 3 months after their first purchase (a fraction)",
        lambda: float(average_retention(_coffee_cohorts()).loc[3, "weighted"]),
        lambda e: (lambda a: f"{e:.4f}: active customers at age 3 summed over the {int(a.loc[3, 'cohorts'])} cohorts "
                             f"observable at that age, divided by their summed sizes; the simple mean of the cohorts "
                             f"gives {a.loc[3, 'simple']:.4f}.")(average_retention(_coffee_cohorts())),
        "rk.cohorts.average_retention(rk.cohort_table(tx)).loc[3, 'weighted']", abs_tol=1e-4, unit="fraction"),
    "04-promo-month3": Exercise(
        "04", "share of the November 2024 (launch promotion) cohort active at age 3 (a fraction)",
        lambda: float(cohort_retention(_coffee_cohorts()).loc["2024-11", 3]),
        lambda e: f"{e:.4f} of the November 2024 cohort (mostly promotion members) bought in their fourth month, against "
                  f"{float(average_retention(_coffee_cohorts()).loc[3, 'weighted']):.4f} for members overall.",
        "rk.cohorts.cohort_retention(table).loc['2024-11', 3]", abs_tol=1e-4, unit="fraction"),
    "04-median-unresolved": Exercise(
        "04", "Kaplan-Meier median lifetime, in months, of subscribers left with an unresolved ticket",
        lambda: median_lifetime(kaplan_meier(_subscriber_lifetimes(), by="unresolved")["True"]).value,
        lambda e: (lambda k: f"{e:.2f} months, against {median_lifetime(k['False']).value:.2f} for subscribers "
                             f"whose tickets were all resolved.")(kaplan_meier(_subscriber_lifetimes(), by="unresolved")),
        "fit rk.survival.kaplan_meier(lifetimes, by=...) on a True/False column of unresolved tickets and read "
        "rk.survival.median_lifetime(...) of the True group", abs_tol=0.01),
    "05-rpr-2025": Exercise(
        "05", "Harbor Coffee's repeat purchase rate in 2025 (a fraction)",
        lambda: repeat_purchase_rate(_coffee(), "2025-01-01", "2026-01-01").value,
        lambda e: (lambda r: f"{r.repeat_customers:,} of {r.customers:,} customers who bought in 2025 bought "
                             f"again in 2025: {e:.4f}.")(repeat_purchase_rate(_coffee(), "2025-01-01", "2026-01-01")),
        "rk.repeat_purchase_rate(tx, '2025-01-01', '2026-01-01').value", abs_tol=1e-4, unit="fraction"),
    "05-more-than-five": Exercise(
        "05", "share of 2025's customers who made more than five purchases in 2025 (a fraction)",
        lambda: float((_counts_2025() > 5).mean()),
        lambda e: f"{100 * e:.1f}% of 2025's customers bought more than five times.",
        "(rk.purchase_counts(tx, '2025-01-01', '2026-01-01') > 5).mean()", abs_tol=1e-4, unit="fraction"),
    "05-selection": Exercise(
        "05", "planted purchase rate of customers with 6+ purchases in their first year, divided by that of the rest",
        _rate_ratio_six_or_more,
        lambda e: f"customers who reached six purchases were buying {e:.1f} times as often *from the start*: the "
                  f"simulation gives each customer a fixed rate, so no purchase changed anyone's behaviour. Reaching "
                  f"k purchases selects the frequent buyers; it does not make them loyal.",
        "counts = rk.metrics.first_window_counts(tx); look up 'purchase_rate' in the planted truth for customers "
        "with counts >= 6 and < 6, and divide the two means", rel_tol=0.01),
    "07-formula-start": Exercise(
        "07", "CLV with the first margin now: $23.20 a month of margin, 96% monthly retention, 1% monthly discount",
        lambda: formula_clv(23.20, 0.96, 0.01, timing="start").value,
        lambda e: f"m (1 + d) / (1 + d - r) = 23.20 x 1.01 / 0.05 = ${e:,.2f}; with the first margin after a month "
                  f"it is ${formula_clv(23.20, 0.96, 0.01, timing='end').value:,.2f}.",
        "rk.clv.formula_clv(23.20, 0.96, 0.01, timing='start').value", rel_tol=1e-4),
    "07-holdout-ratio": Exercise(
        "07", "total predicted holdout purchases divided by total actual ones (BG/NBD fitted on the calibration period)",
        lambda: (lambda t: t[0] / t[1])(_holdout_totals()),
        lambda e: (lambda t: f"the model predicted {t[0]:,.0f} repeat purchases in the holdout half-year, and "
                             f"{t[1]:,.0f} happened: a ratio of {e:.3f}.")(_holdout_totals()),
        "multiply the 'predicted' and 'actual' means of rk.clv.holdout_check(model, split) by 'customers', sum, divide",
        rel_tol=1e-3),
    "07-top-decile-share": Exercise(
        "07", "share of the total predicted 12-month CLV held by the top 10% of members (a fraction)",
        _top_decile_share,
        lambda e: f"the top tenth of members hold {e:.1%} of the predicted value: the case for targeting them "
                  f"with personalized offers.",
        "sort the CLV Series descending, sum its first len(clv) // 10 values, divide by the total",
        abs_tol=1e-3, unit="fraction"),
    "06-crc-2025": Exercise(
        "06", "retention cost per retained customer in 2025, in dollars", lambda: _crc_2025().value,
        lambda e: (lambda r: f"${r.total:,.0f} of retention spend over {r.retained_customers:,} retained customers: "
                             f"${e:,.2f} each.")(_crc_2025()),
        "rk.retention_cost(costs, retained_customers=rk.retention_rate(subs, ...).retained, "
        "period_start='2025-01-01', period_end='2026-01-01')", rel_tol=1e-4),
    "06-largest-program": Exercise(
        "06", "the program with the largest retention spend in 2025", lambda: _crc_2025().by_program.index[0],
        lambda e: f"{e!r} spent ${_crc_2025().by_program.iloc[0]:,.0f} in 2025.",
        "look at .by_program of the 2025 retention_cost result", kind="choice"),
    "06-payback-months": Exercise(
        "06", "months of 80% gross margin on the average fee of customers active all of 2025 that repay the "
              "cost per retained customer", _payback_months,
        lambda e: f"{e:.2f} months: the yearly retention spend per retained customer is repaid within "
                  f"{math.ceil(e)} month(s) of margin.",
        "cost per retained customer / (0.8 * mean monthly_fee of customers active on 2025-01-01 who did not leave "
        "by 2026-01-01)", rel_tol=1e-3),
}


@lru_cache(maxsize=None)
def expected_answer(exercise_id: str):
    """The expected answer of an exercise, computed from the shipped data."""
    value = EXERCISES[exercise_id].expected()
    return float(value) if isinstance(value, (np.floating, MetricResult)) else value


def _close(answer: float, expected: float, ex: Exercise) -> bool:
    return math.isclose(answer, expected, rel_tol=ex.rel_tol, abs_tol=ex.abs_tol)


def check(exercise_id: str, answer: Any) -> Feedback:
    """Check an exercise answer and explain the verdict.

    Returns a :class:`Feedback` that shows ✔ with a short why, ✘ with a hint, or … when the
    answer is still ``None``. Numbers are compared with a tolerance suited to the question; a
    :class:`MetricResult` counts as its value.
    """
    if exercise_id not in EXERCISES:
        known = ", ".join(sorted(EXERCISES))
        return Feedback(exercise_id, False, f"there is no exercise with this id; the ids are: {known}.")
    ex = EXERCISES[exercise_id]
    if answer is None:
        return Feedback(exercise_id, None, "not answered yet. Replace None with your answer and run the cell again."
                                           f"\n  Hint: {ex.hint}")
    expected = expected_answer(exercise_id)
    if isinstance(answer, MetricResult):
        answer = answer.value
    if ex.kind == "bool":
        if not isinstance(answer, (bool, np.bool_)):
            return Feedback(exercise_id, False, f"answer True or False, not {answer!r}.")
        ok = bool(answer) == bool(expected)
    elif ex.kind == "choice":
        ok = str(answer).strip().lower() == str(expected).lower()
    else:
        try:
            value = float(answer)
        except (TypeError, ValueError):
            return Feedback(exercise_id, False, f"answer a number, not {answer!r}.\n  Hint: {ex.hint}")
        ok = _close(value, float(expected), ex)
        if not ok and ex.unit == "fraction" and _close(value / 100, float(expected), ex):
            return Feedback(exercise_id, False, f"{value:g} looks like a percentage; this exercise asks for a "
                                                f"fraction (divide by 100).")
    if ok:
        return Feedback(exercise_id, True, "correct. " + ex.why(expected))
    return Feedback(exercise_id, False, f"{answer!r} is not it yet.\n  Hint: {ex.hint}")
