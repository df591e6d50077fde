"""Exercises of lesson 10 (predictive churn and campaign economics): Lumen+, the lesson's split, built once."""
from functools import lru_cache

from ..datasets import make_streaming_activity
from .engine import Exercise, Solution, register

# the lesson's calls: rk.datasets.make_streaming_activity(random_state=10) and its time split
ACTIVITY_SEED = 10
TRAIN_CUTOFF, TEST_CUTOFF = "2025-03-03", "2025-07-07"


@lru_cache(maxsize=None)
def _split():
    from .. import churn
    activity, truth = make_streaming_activity(random_state=ACTIVITY_SEED)
    return churn.time_split(activity, truth["subscribers"], train_cutoff=TRAIN_CUTOFF, test_cutoff=TEST_CUTOFF)


def _base_rate():
    y = _split().y_train
    return Solution(float(y.mean()), dict(churners=int(y.sum()), n=len(y)))


@lru_cache(maxsize=None)
def campaign_inputs():
    """The lesson's reachable test subscribers: P(churn) from the logistic model and the formula CLV of each."""
    import pandas as pd
    from .. import churn
    from ..clv import formula_clv
    activity, truth = make_streaming_activity(random_state=ACTIVITY_SEED)
    split = _split()
    model = churn.fit_churn_model(split.X_train, split.y_train, model="logistic", random_state=0)
    p = churn.predict_churn(model, split.X_test)
    retention = (1 - split.y_train.mean()) ** (365.25 / 12 / 7 / 8)
    cutoff = pd.Timestamp(TEST_CUTOFF)
    plan = activity[activity["week"] == cutoff - pd.Timedelta(weeks=1)].set_index("customer_id")["plan"]
    fee = plan.reindex(split.X_test.index).map({name: v[1] for name, v in truth["plans"].items()})
    clv = fee.map(lambda f: formula_clv(0.6 * f, retention=retention, discount_rate=0.01).value)
    ended = truth["subscribers"].set_index("customer_id")["end_date"].reindex(split.X_test.index)
    reachable = ~(ended == cutoff)
    return p[reachable], clv[reachable]


def _best_share_cheaper():
    from .. import churn
    p, clv = campaign_inputs()
    best = churn.best_share(churn.profit_curve(p, clv, incentive=3.0, contact_cost=0.25, acceptance_rate=0.3))
    at_six = churn.best_share(churn.profit_curve(p, clv, incentive=6.0, contact_cost=0.25, acceptance_rate=0.3))
    return Solution(best.value, dict(n=best.targeted, profit=best.expected_profit, six=at_six.value))


def _profit_one():
    from .. import churn
    value = churn.expected_campaign_profit(0.4, 150.0, incentive=6.0, contact_cost=0.25, acceptance_rate=0.3)
    return Solution(float(value), dict(kept=0.4 * 0.3 * (150.0 - 6.0), gift=0.6 * 6.0))


register(
    Exercise("10-base-rate-train", "share of the subscribers at risk on 2025-03-03 who cancelled within 8 weeks",
             _base_rate,
             "{churners:,} of {n:,} subscribers: {answer:.2%}. The base rate is what any ranking is measured against: "
             "a lift of 3 means three times this.",
             "the training labels say, for each subscriber at risk at the training cut-off, whether they cancelled "
             "within the horizon; the base rate is their mean", abs_tol=5e-4, unit="fraction"),
    Exercise("10-best-share-cheaper-offer", "the best share to target when the offer costs 3 dollars",
             _best_share_cheaper,
             "{answer:.1%} ({n:,} subscribers, an expected ${profit:,.0f}), against {six:.1%} at 6 dollars: a cheaper "
             "offer wastes less on those who would have stayed, so it pays further down the ranking.",
             "redo the profit curve of section 5 with the cheaper offer and find its best share; the share is a "
             "fraction of the reachable subscribers", abs_tol=5e-4, unit="fraction"),
    Exercise("10-profit-one-subscriber", "expected profit of targeting one subscriber, in dollars", _profit_one,
             "${kept:,.2f} expected from keeping a would-be canceller, minus ${gift:,.2f} of offers to a subscriber "
             "who would have stayed (60% of the time), minus the contact: ${answer:,.2f}.",
             "p times gamma times (CLV minus the offer), minus (1 - p) times the offer, minus the contact cost",
             abs_tol=0.005),
    Exercise("10-judge-leak", "the main problem of an AUC of 0.97 from a random split and last week's customer table",
             lambda: Solution("b"),
             "features from a table exported after the predictions would have been made carry the outcome; only "
             "features as of a cut-off and a later test cut-off measure prediction.",
             "ask when each feature was measured, relative to the moment of the prediction",
             kind="choice",
             options={"a": "a larger test share changes the variance of the AUC, not the leak: the features still "
                           "know the future.",
                      "c": "a simpler model learns the same leak: the problem is in the features, not in the model."}),
    Exercise("10-judge-campaign-credit", "what the fall from the predicted to the observed rate shows",
             lambda: Solution("b"),
             "a prediction is no control group: only a randomized hold-out of the targeted subscribers measures what "
             "the offer changed.",
             "ask what the targeted subscribers would have done without the offer, and what measures it",
             kind="choice",
             options={"a": "the predicted rate comes from a model fitted on other periods; it is not what this group "
                           "would have done this time without the offer.",
                      "c": "calibration on past data is an average over past subscribers; this group in this season "
                           "can differ, which only a control group shows."}),
)
