"""Exercises of lesson 12 (data-driven actions): the Lumen+ offer test, its evaluation half, add-ons, weekly churn."""
from functools import lru_cache

import numpy as np

from ..datasets import make_add_on_holdings, make_retention_offer_test, make_weekly_churn
from .engine import Exercise, Solution, register

# the lesson's calls: the test, add-ons and weekly churn with random_state=12, the evaluation half drawn with seed 12
SEED = 12
FEATURES = ["tenure_months", "monthly_fee", "hours_last_month", "hours_trend", "failed_payment", "support_contacts",
            "used_discount_before"]


@lru_cache(maxsize=None)
def offer_test():
    """The lesson's test, its planted truth, and the training and evaluation halves (a random 50/50 split)."""
    test, truth = make_retention_offer_test(random_state=SEED)
    evaluation = np.random.default_rng(SEED).random(len(test)) < 0.5
    return test, truth, test[~evaluation], test[evaluation]


@lru_cache(maxsize=None)
def two_model_uplift():
    """The lesson's two-model uplift (logistic regressions) on the evaluation half."""
    from .. import experiments as ex
    _, _, train, evaluation = offer_test()
    model = ex.fit_uplift(train[FEATURES].astype(float), train["treated"], train["retained"], method="two_model",
                          model="logistic")
    return ex.predict_uplift(model, evaluation[FEATURES].astype(float))


def _sample_size():
    from ..experiments import sample_size_two_proportions
    n = sample_size_two_proportions(0.64, 0.67)
    return Solution(n.value, dict(total=n.parts["total"]))


def _uplift_discount_users():
    from ..experiments import uplift_by_segment
    test = offer_test()[0]
    row = uplift_by_segment(test, "used_discount_before").loc[True]
    return Solution(float(row["uplift"]), dict(points=100 * row["uplift"], low=100 * row["ci_low"],
                                               high=100 * row["ci_high"], n=int(row["n_treated"] + row["n_control"])))


def _uplift_top_20():
    from ..experiments import uplift_curve
    evaluation = offer_test()[3]
    curve = uplift_curve(two_model_uplift(), evaluation["treated"], evaluation["retained"])
    k = int(round(0.2 * len(evaluation)))
    return Solution(float(curve["incremental"].iloc[k]), dict(k=k, all=float(curve["incremental"].iloc[-1]),
                                                              n=len(evaluation)))


def _upsell():
    from ..experiments import upsell_value
    value = upsell_value(8, 18, margin=0.6, retention=0.95, discount_rate=0.01)
    return Solution(value.value, dict(before=value.parts["clv_before"], after=value.parts["clv_after"]))


def _lift():
    from ..experiments import product_affinity
    holdings, _ = make_add_on_holdings(random_state=SEED)
    row = product_affinity(holdings).loc[("kids", "extra_screen")]
    return Solution(float(row["lift"]), dict(confidence=row["confidence"], base=float(holdings["extra_screen"].mean())))


def _holdout_effect():
    from ..experiments import two_proportion_test
    weekly = make_weekly_churn(random_state=SEED)
    after = weekly[weekly["after_rollout"]].groupby("group")[["cancelled", "at_risk"]].sum()
    share = after.loc["action", "at_risk"] / after["at_risk"].sum()
    r = two_proportion_test(int(after.loc["action", "cancelled"]), int(after.loc["action", "at_risk"]),
                            int(after.loc["holdout", "cancelled"]), int(after.loc["holdout", "at_risk"]),
                            allocation=0.9)
    return Solution(r.value, dict(points=100 * r.value, low=100 * r.ci[0], high=100 * r.ci[1], share=share))


register(
    Exercise("12-sample-size", "customers per arm to detect retention rising from 64% to 67%, power 80%, 95% confidence",
             _sample_size,
             "{answer:,} customers in each arm ({total:,} in all): three points on a base of 64% is a small effect, and "
             "the size grows with 1 / effect squared.",
             "the size formula needs both arms' rates, the power and the confidence; the kit's function for planning "
             "a two-proportion test gives the control arm's size (by hand, z-values rounded to two decimals land a few "
             "customers lower)", kind="integer", abs_tol=8),
    Exercise("12-uplift-discount-users", "the offer's effect on retention among subscribers who used a discount before",
             _uplift_discount_users,
             "{points:+.1f} points ({low:+.1f} to {high:+.1f}, {n:,} subscribers): treated minus control within the "
             "segment, which the randomization makes comparable.",
             "a segment's uplift is the retention of its treated subscribers minus that of its control subscribers, "
             "over all its subscribers (not an unweighted average of section 3's tenure rows); the kit computes it per "
             "segment with an interval", abs_tol=5e-4, unit="fraction"),
    Exercise("12-uplift-top-20", "extra subscribers retained if the top 20% of the evaluation half by uplift all got "
             "the offer", _uplift_top_20,
             "about {answer:,.0f} extra subscribers kept among the top {k:,}, against {all:,.0f} if all {n:,} were "
             "offered: most of the gain sits at the top of the ranking.",
             "the uplift curve multiplies, for each number targeted, the measured uplift among them (treated rate minus "
             "control rate) by how many they are; take its row at 20% of the evaluation half", abs_tol=0.5),
    Exercise("12-upsell-basic-to-premium", "the CLV gained when a basic subscriber (8 dollars) upgrades to premium (18)",
             _upsell,
             "${after:,.2f} - ${before:,.2f} = ${answer:,.2f}, with the retention unchanged: the cautious assumption.",
             "the value of an upsell is the lifetime value after it minus before it, with the lesson's margin, "
             "retention and discount rate", abs_tol=0.005),
    Exercise("12-lift-kids-screen", "the lift of 'holds kids' -> 'holds extra_screen'", _lift,
             "{confidence:.1%} of kids holders have an extra screen, against {base:.1%} of all subscribers: a lift of "
             "{answer:.2f}.",
             "lift divides the share of the first add-on's holders who hold the second by the share of everyone who "
             "holds the second", abs_tol=0.005),
    Exercise("12-holdout-effect", "the action's effect on weekly churn after the rollout, action group minus holdout",
             _holdout_effect,
             "{points:+.2f} points a week ({low:+.2f} to {high:+.2f}): the holdout was drawn at random, so this "
             "difference is the action's effect; the before-and-after of the action group alone also contains the "
             "season.",
             "compare the two groups in the weeks after the rollout, with the planned share of 90% in the action "
             "group", abs_tol=5e-5, unit="fraction"),
    Exercise("12-judge-risk-targeting", "why sending the offer to the riskiest 30% is not the best use of it",
             lambda: Solution("c"),
             "the offer pays where it changes the outcome: the riskiest include lost causes whom it does not move, "
             "and the best use of the budget targets the largest uplift times the value saved.",
             "ask what the offer changes for each kind of subscriber, and which kind the riskiest are",
             kind="choice",
             options={"a": "the risk model may be well calibrated; even a perfect churn probability says who will "
                           "leave, not whom the offer keeps.",
                      "b": "the discount's cost matters, but the ranking is the problem: a cheaper offer sent to lost "
                           "causes still keeps none of them."}),
    Exercise("12-judge-control-chart", "what supports crediting the action with the signals after the rollout",
             lambda: Solution("b"),
             "only the randomized holdout shows what the same weeks looked like without the action; the chart shows "
             "that something changed, not what.",
             "ask what else changed in the same weeks, and which series shows it",
             kind="choice",
             options={"a": "the fall after the rollout also contains the season, a price change or a new show: a "
                           "before-and-after without a control group credits the action with all of it.",
                      "c": "a longer run of signals is more certain that the rate changed, no more certain of why."}),
)
