"""Exercises of lesson 07 (customer lifetime value)."""
import warnings
from functools import lru_cache

from ..clv import BetaGeo, GammaGamma, customer_lifetime_value, formula_clv, holdout_check
from ..summaries import calibration_holdout_summary, rfm_summary
from ..validation import DataWarning
from .data import load
from .engine import Exercise, Solution, register


@lru_cache(maxsize=None)
def _clv_12m():
    summary = rfm_summary(load("coffee_transactions"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)      # customers without a repeat purchase, reported in the lesson
        purchases, spend = BetaGeo().fit(summary), GammaGamma().fit(summary)
    return customer_lifetime_value(purchases, spend, summary, horizon=12, time_unit="month", gross_margin=0.6,
                                   discount_rate=0.01)


def _formula_start():
    return Solution(formula_clv(23.20, retention=0.96, discount_rate=0.01, timing="start").value,
                    dict(end=formula_clv(23.20, retention=0.96, discount_rate=0.01, timing="end").value))


def _holdout_ratio():
    split = calibration_holdout_summary(load("coffee_transactions"), calibration_period_end="2025-07-01",
                                        observation_period_end="2026-01-01")
    model = BetaGeo().fit(split.rename(columns={"frequency_cal": "frequency", "recency_cal": "recency", "T_cal": "T"}))
    table = holdout_check(model, split)
    predicted = float((table["predicted"] * table["customers"]).sum())
    actual = float((table["actual"] * table["customers"]).sum())
    return Solution(predicted / actual, dict(predicted=predicted, actual=actual))


def _top_decile():
    value = _clv_12m().sort_values(ascending=False)
    return Solution(float(value.iloc[: len(value) // 10].sum() / value.sum()))


register(
    Exercise("07-formula-start",
             "CLV with the first margin now: $23.20 a month of margin, 96% monthly retention, 1% monthly discount",
             _formula_start,
             "m (1 + d) / (1 + d - r) = 23.20 x 1.01 / 0.05 = {answer:,.2f} dollars; with the first margin after a "
             "month it is {end:,.2f}, exactly m less.",
             "the first margin arrives now, so the series starts at t = 0: pick the matching timing of "
             "rk.clv.formula_clv", rel_tol=1e-4),
    Exercise("07-holdout-ratio",
             "total predicted holdout repeat purchase days divided by total actual ones (BG/NBD fitted on the "
             "calibration period)",
             _holdout_ratio,
             "the model predicted {predicted:,.0f} repeat purchase days in the holdout half-year, and {actual:,.0f} "
             "happened: a ratio of {answer:.3f}.",
             "the holdout table holds means per group: weight each by its number of customers before summing",
             rel_tol=1e-3),
    Exercise("07-top-decile-share",
             "share of the total predicted 12-month CLV held by the top 10% of members (a fraction)", _top_decile,
             "the top tenth of members hold {answer:.1%} of the predicted value.",
             "rank members by predicted CLV, keep the first tenth, and divide their total by everyone's",
             abs_tol=1e-3, unit="fraction"),
)
