"""Exercises of lesson 07 (customer lifetime value)."""
import warnings

import pandas as pd

from ..clv import BetaGeo, GammaGamma, captured_share, customer_lifetime_value, formula_clv, historical_clv
from ..metrics import correlation
from ..summaries import calibration_holdout_summary
from ..validation import DataWarning
from .data import load
from .engine import Exercise, Solution, register

GROSS_MARGIN = 0.60


def _split():
    return calibration_holdout_summary(load("coffee_transactions"), calibration_period_end="2025-07-01",
                                       observation_period_end="2026-01-01")


def _formula_start():
    return Solution(formula_clv(23.20, retention=0.96, discount_rate=0.01, timing="start").value,
                    dict(end=formula_clv(23.20, retention=0.96, discount_rate=0.01, timing="end").value))


def _gg_check():
    split = _split()
    repeat = split[split["frequency_cal"] > 0]
    r = correlation(repeat["frequency_cal"], repeat["monetary_value_cal"])
    return Solution(r.value, dict(low=r.ci[0], high=r.ci[1], n=len(repeat),
                                  verdict="includes" if r.ci[0] <= 0 <= r.ci[1] else "excludes"))


def _captured_top20():
    tx = load("coffee_transactions")
    split = _split()
    calibration = split.rename(columns={"frequency_cal": "frequency", "recency_cal": "recency", "T_cal": "T",
                                        "monetary_value_cal": "monetary_value"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)      # members without a repeat purchase, reported in the lesson
        purchases, spend = BetaGeo().fit(calibration), GammaGamma().fit(calibration)
    predicted = customer_lifetime_value(purchases, spend, calibration, horizon=6, time_unit="month",
                                        gross_margin=GROSS_MARGIN, discount_rate=0.01)
    after = tx[tx["date"] >= "2025-07-01"]
    outcome = (GROSS_MARGIN * after.groupby("customer_id")["amount"].sum()).reindex(calibration.index, fill_value=0.0)
    before = tx[(tx["date"] >= "2025-01-01") & (tx["date"] < "2025-07-01")]
    recent = historical_clv(before, gross_margin=GROSS_MARGIN)["margin"].reindex(calibration.index, fill_value=0.0)
    by_model, by_recency = captured_share(predicted, outcome, top=0.2), captured_share(recent, outcome, top=0.2)
    at_tenth = captured_share(predicted, outcome, top=0.1).value - captured_share(recent, outcome, top=0.1).value
    return Solution(by_model.value - by_recency.value, dict(model=by_model.value, recent=by_recency.value,
                                                            at_tenth=at_tenth))


def _bgbb_lapsed():
    from ..clv import BetaGeoBetaBinom, bgbb_summary
    from ..datasets import make_occasions
    preorders, _ = make_occasions(5000, random_state=7)
    model = BetaGeoBetaBinom().fit(bgbb_summary(preorders))
    history = pd.DataFrame({"frequency": [2, 2], "recency": [3, 6], "n_periods": [6, 6]})
    expected = model.expected_purchases(history, occasions=5).to_numpy()
    return Solution(float(expected[0]), dict(recent=float(expected[1])))


register(
    Exercise("07-formula-start",
             "CLV with the first margin now: $23.20 a month of margin, 96% monthly retention, 1% monthly discount",
             _formula_start,
             "m (1 + d) / (1 + d - r) = 23.20 x 1.01 / 0.05 = {answer:,.2f} dollars; with the first margin after a "
             "month it is {end:,.2f}, exactly m less.",
             "the first margin arrives now, so the series starts at t = 0: pick the matching timing of "
             "rk.clv.formula_clv", rel_tol=1e-4),
    Exercise("07-gg-check-calibration",
             "Pearson correlation of frequency_cal and monetary_value_cal among calibration-period repeat members",
             _gg_check,
             "{answer:+.3f} (95% interval {low:+.3f} to {high:+.3f}, {n:,} members): the interval {verdict} 0, so "
             "the calibration data, like the full data, give no sign against Gamma-Gamma's assumption.",
             "only members with a repeat purchase have an average spend; rk.metrics.correlation gives the "
             "correlation with its interval", abs_tol=1e-3),
    Exercise("07-captured-top20",
             "captured share of the July-December margin, top 20%: predicted CLV ranking minus recent-margin ranking",
             _captured_top20,
             "{answer:+.3f}: the top fifth by predicted CLV brought {model:.1%} of the second-half margin, the top fifth "
             "by recent margin {recent:.1%}; at the top tenth the gap was {at_tenth:+.3f}. Whether the model is worth its "
             "trouble depends on how deep the campaign goes.",
             "the same holdout test as the lesson's, with a fifth of the members targeted by each ranking "
             "(rk.clv.captured_share)", abs_tol=1e-3, unit="fraction"),
    Exercise("07-bgbb-lapsed",
             "holiday-blend pre-orders expected in 2026-2030 from a customer with 2 pre-orders, the last in 2022",
             _bgbb_lapsed,
             "{answer:.2f} pre-orders in the next five years, against {recent:.2f} for a customer with the same two "
             "pre-orders whose last was in 2025: three silent years are evidence of having left.",
             "the BG/BB model of the lesson, fitted on the same pre-orders, gives the expected transactions of a "
             "history over the next occasions; frequency counts the pre-orders after the first one, recency the "
             "occasion of the last one since 2019 (2020 is occasion 1); 2026-2030 is five occasions",
             abs_tol=1e-3),
    Exercise("07-judge-offer", "what a comparison of the top CLV decile with the average member shows",
             lambda: Solution("c"),
             "the top decile was chosen for its expected margin; only a randomized control group within it measures "
             "what the offer added.",
             "ask what each comparison would show if the offer did nothing at all",
             kind="choice",
             options={"a": "a before-and-after comparison has no control: the season, members' own trends and "
                           "regression from a good spell all move margin.",
                      "b": "the second decile was ranked lower because it was expected to bring less: the gap is the "
                           "ranking again, not the offer."}),
)
