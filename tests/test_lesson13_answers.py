"""Lesson 13's expected answers against independent computations: plain pandas and numpy on the shipped CSV file,
lifelines and scikit-learn directly; never the kit's own function for the same thing."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from retention_kit import exercises

CSV = Path(__file__).resolve().parents[1] / "datasets" / "telco_customer_churn.csv"


@pytest.fixture(scope="module")
def telco():
    table = pd.read_csv(CSV).set_index("customerID")
    table["Churn"] = table["Churn"] == "Yes"
    return table


def km_at(durations, events, t):
    """The product-limit estimate by hand: prod over event times u <= t of (1 - deaths(u) / at risk(u))."""
    survival = 1.0
    for u in np.unique(durations[events & (durations <= t)]):
        survival *= 1 - np.sum(events & (durations == u)) / np.sum(durations >= u)
    return survival


def test_km_month_to_month_12(telco):
    m2m = telco[telco["Contract"] == "Month-to-month"]
    expected = km_at(m2m["tenure"].to_numpy(), m2m["Churn"].to_numpy(), 12)
    assert exercises.expected_answer("13-km-month-to-month-12") == pytest.approx(expected, rel=1e-12)


def test_support_gap_dsl_is_the_mantel_haenszel_difference_by_hand(telco):
    dsl = telco[telco["InternetService"] == "DSL"].copy()
    dsl["band"] = np.select([dsl["tenure"] <= 12, dsl["tenure"] <= 24, dsl["tenure"] <= 48], [0, 1, 2], 3)
    numerator = weights = 0.0
    for _, stratum in dsl.groupby(["Contract", "band"]):
        without, with_ = stratum[stratum["TechSupport"] == "No"], stratum[stratum["TechSupport"] == "Yes"]
        n_a, n_b = len(without), len(with_)
        if n_a == 0 or n_b == 0:
            continue
        total = n_a + n_b
        numerator += (without["Churn"].sum() * n_b - with_["Churn"].sum() * n_a) / total
        weights += n_a * n_b / total
    assert exercises.expected_answer("13-support-gap-dsl") == pytest.approx(numerator / weights, rel=1e-12)


def test_cox_support_fiber_from_lifelines_directly(telco):
    from lifelines import CoxPHFitter
    fiber = telco[telco["InternetService"] == "Fiber optic"]
    frame = pd.DataFrame({"tenure": fiber["tenure"], "churn": fiber["Churn"].astype(int),
                          "support": (fiber["TechSupport"] == "Yes").astype(int), "contract": fiber["Contract"]})
    model = CoxPHFitter().fit(frame, duration_col="tenure", event_col="churn", strata=["contract"])
    assert exercises.expected_answer("13-cox-support-fiber") == pytest.approx(model.hazard_ratios_["support"], rel=1e-9)


def campaign_by_hand(telco):
    """The lesson's model and CLV with scikit-learn, pandas and lifelines directly."""
    from lifelines import KaplanMeierFitter
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from retention_kit.exercises.lesson13 import CATEGORICAL, NUMERIC, SPLIT_SEED, TEST_SHARE
    train, test = train_test_split(telco, test_size=TEST_SHARE, stratify=telco["Churn"], random_state=SPLIT_SEED)
    encode = lambda t: pd.get_dummies(t[CATEGORICAL], drop_first=True, dtype=float).join(t[NUMERIC].astype(float))  # noqa: E731
    X_train, X_test = encode(train), encode(test)
    assert list(X_train.columns) == list(X_test.columns)              # every category is in both parts
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(X_train.to_numpy(),
                                                                                    train["Churn"].to_numpy())
    p = pd.Series(model.predict_proba(X_test.to_numpy())[:, 1], index=test.index)
    m2m = telco[telco["Contract"] == "Month-to-month"]
    s24 = KaplanMeierFitter().fit(m2m["tenure"], m2m["Churn"]).survival_function_at_times(24).iloc[0]
    q = s24 ** (1 / 24) / 1.01
    clv = 0.5 * test["MonthlyCharges"] * sum(q ** t for t in range(1, 25))
    return p, clv


def test_campaign_inputs_are_the_model_and_clv_rebuilt_by_hand(telco):
    from retention_kit.exercises.lesson13 import campaign_inputs
    p, clv = campaign_inputs()
    p_hand, clv_hand = campaign_by_hand(telco)
    assert p.index.equals(p_hand.index) and clv.index.equals(clv_hand.index)
    assert np.allclose(p, p_hand, atol=1e-9) and np.allclose(clv, clv_hand, rtol=1e-12)


def test_best_share_low_acceptance_by_brute_force(telco):
    p, clv = campaign_by_hand(telco)
    order = np.argsort(-p.to_numpy(), kind="stable")
    pp, value = p.to_numpy()[order], clv.to_numpy()[order]
    profit = np.r_[0, np.cumsum(pp * 0.15 * (value - 50.0) - (1 - pp) * 50.0 - 5.0)]
    assert exercises.expected_answer("13-best-share-low-acceptance") == pytest.approx(np.argmax(profit) / len(pp),
                                                                                      abs=1e-12)


def test_cached_inputs_are_handed_out_as_copies():
    from retention_kit.exercises.lesson13 import _split, campaign_inputs
    p, clv = campaign_inputs()
    p[:] = 0.0
    clv[:] = -1.0
    train, _ = _split()
    train["Churn"] = False
    p_again, clv_again = campaign_inputs()
    assert p_again.max() > 0.5 and clv_again.min() > 0 and _split()[0]["Churn"].any()


@pytest.mark.parametrize("exercise_id, letter", [("13-judge-support", "d"), ("13-judge-snapshot-rate", "c")])
def test_judgement_answers(exercise_id, letter):
    assert exercises.expected_answer(exercise_id) == letter
    options = exercises.exercises()[exercise_id].options
    assert letter not in options and set(options) | {letter} == set("abcd")   # every other option has feedback


def test_every_lesson13_exercise_is_checked_here():
    checked = {"13-km-month-to-month-12", "13-support-gap-dsl", "13-cox-support-fiber", "13-best-share-low-acceptance",
               "13-judge-support", "13-judge-snapshot-rate"}
    assert {i for i in exercises.exercises() if i.startswith("13-")} == checked
