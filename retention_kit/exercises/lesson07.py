"""Exercises of lesson 07 (customer lifetime value)."""
import warnings

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
    r = correlation(repeat["frequency_cal"], repeat["monetary_value_cal"], method="spearman")
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
    history = historical_clv(tx[tx["date"] < "2025-07-01"], gross_margin=GROSS_MARGIN)["margin"]
    by_history = captured_share(history.reindex(calibration.index), outcome, top=0.2)
    return Solution(captured_share(predicted, outcome, top=0.2).value, dict(historical=by_history.value))


register(
    Exercise("07-formula-start",
             "CLV with the first margin now: $23.20 a month of margin, 96% monthly retention, 1% monthly discount",
             _formula_start,
             "m (1 + d) / (1 + d - r) = 23.20 x 1.01 / 0.05 = {answer:,.2f} dollars; with the first margin after a "
             "month it is {end:,.2f}, exactly m less.",
             "the first margin arrives now, so the series starts at t = 0: pick the matching timing of "
             "rk.clv.formula_clv", rel_tol=1e-4),
    Exercise("07-gg-check-calibration",
             "Spearman correlation of frequency_cal and monetary_value_cal among calibration-period repeat members",
             _gg_check,
             "{answer:+.3f} (95% interval {low:+.3f} to {high:+.3f}, {n:,} members): the interval {verdict} 0. "
             "Detectable or not, a correlation this weak cannot distort Gamma-Gamma's spend estimates much; a "
             "strong one would rule the model out.",
             "keep the members with frequency_cal > 0 and give the two columns to rk.metrics.correlation, asking for "
             "the rank (Spearman) method", abs_tol=1e-3),
    Exercise("07-captured-top20",
             "share of the July-December margin captured by the top 20% by predicted CLV (a fraction)",
             _captured_top20,
             "the top fifth by predicted CLV brought {answer:.1%} of the second-half margin; the top fifth by "
             "historical CLV {historical:.1%}.",
             "the targeting table of the lesson has the predicted CLV and the holdout margin of every member; "
             "rk.clv.captured_share takes a score, an outcome and the share targeted", abs_tol=1e-3, unit="fraction"),
    Exercise("07-judge-offer", "what a comparison of the top CLV decile with the average member shows",
             lambda: Solution("c"),
             "the top decile was chosen for its expected margin; only a randomized control group within it measures "
             "what the offer added.",
             "ask whether the top decile would have brought more margin than average without the offer",
             kind="choice",
             options={"a": "the top decile was chosen because it was expected to bring the most margin: it would "
                           "have brought more than average without any offer.",
                      "b": "the total is known within a few per cent and the predicted ranking beats the historical "
                           "one on a holdout; uncertainty is no excuse here."}),
)
