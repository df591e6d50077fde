"""Predictive churn: features that cannot see the future, honest labels and splits, models measured against the
planted hazard, evaluation checked against independent computations, and the campaign's arithmetic."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import mannwhitneyu, rankdata
from sklearn.metrics import roc_auc_score

import retention_kit as rk
from retention_kit.churn import (auc, best_share, churn_labels, early_warning, expected_campaign_profit,
                                 features_as_of, fit_churn_model, lift_table, permutation_importance_table,
                                 precision_at_k, predict_churn, profit_curve, time_split)
from retention_kit.churn.explorer import campaign_explorer, campaign_view
from retention_kit.clv import captured_share
from retention_kit.datasets.streaming import make_streaming_activity
from retention_kit.uncertainty import bootstrap

WEEK = pd.Timedelta(days=7)
CUTOFF = pd.Timestamp("2025-03-03")


@pytest.fixture(scope="module")
def world():
    return make_streaming_activity(4000, random_state=0)


def tiny_activity():
    weeks = pd.date_range("2025-01-06", periods=6, freq="7D")
    a = pd.DataFrame({"customer_id": "a", "week": weeks, "plan": ["premium"] * 3 + ["standard"] * 3,
                      "hours_viewed": [12.0, 10, 8, 6, 4, 2], "sessions": [6, 5, 4, 3, 2, 1],
                      "failed_payment": [False, True, False, False, True, True], "support_contacts": [0, 0, 1, 0, 2, 1]})
    b = pd.DataFrame({"customer_id": "b", "week": weeks[4:], "plan": "basic", "hours_viewed": [3.0, 5.0],
                      "sessions": [2, 4], "failed_payment": False, "support_contacts": 0})
    gone = pd.DataFrame({"customer_id": "c", "week": weeks[:2], "plan": "basic", "hours_viewed": [1.0, 1.0],
                         "sessions": [1, 1], "failed_payment": False, "support_contacts": 0})
    return pd.concat([a, b, gone], ignore_index=True)


# ------------------------------------------------------------------------------------------------ features
def test_features_worked_by_hand():
    x = features_as_of(tiny_activity(), "2025-02-17", window_weeks=(2, 4))
    assert x.index.tolist() == ["a", "b"]                       # c's last row is 4 weeks before: cancelled
    a, b = x.loc["a"], x.loc["b"]
    assert a["tenure_weeks"] == 6 and b["tenure_weeks"] == 2
    assert a["hours_recent"] == (4 + 2) / 2 and a["sessions_recent"] == 1.5
    assert a["hours_trend"] == 3 - (8 + 6) / 2                   # the 2 weeks before the last 2
    assert a["failed_payments"] == 2 and a["support_contacts"] == 3
    assert a["downgraded"] == 1                                  # premium -> standard in the week of 27 January
    assert (a["plan_standard"], a["plan_premium"]) == (1, 0)
    assert b["hours_recent"] == 4 and b["hours_trend"] == 0 and b["downgraded"] == 0     # no earlier weeks: 0
    assert (b["plan_standard"], b["plan_premium"]) == (0, 0)
    narrower = features_as_of(tiny_activity(), "2025-02-17", window_weeks=(1, 2))
    assert narrower.loc["a", "downgraded"] == 0                  # the downgrade is 3 weeks back


def test_features_ignore_every_row_from_the_cutoff_on(world):
    activity, _ = world
    before = features_as_of(activity, CUTOFF)
    future = activity["week"] >= CUTOFF
    changed = activity.copy()
    changed.loc[future, "hours_viewed"] = np.nan                 # not even read: missing values would be refused
    changed.loc[future, "failed_payment"] = ~changed.loc[future, "failed_payment"]
    changed.loc[future, "plan"] = "no such plan"
    changed.loc[future, "support_contacts"] = 99
    rng = np.random.default_rng(0)
    dropped = changed[~future | (rng.random(len(changed)) < 0.5)]     # and half the future rows deleted
    pd.testing.assert_frame_equal(features_as_of(dropped, CUTOFF), before)
    assert future.sum() > 40_000
    earlier = activity.copy()                                     # the test can fail: the past does move them
    earlier.loc[earlier["week"] == CUTOFF - WEEK, "hours_viewed"] += 1.0
    assert not features_as_of(earlier, CUTOFF)["hours_recent"].equals(before["hours_recent"])


def test_features_are_only_for_subscribers_active_at_the_cutoff(world):
    activity, truth = world
    x = features_as_of(activity, CUTOFF)
    s = truth["subscribers"].set_index("customer_id")
    active = s.index[(s["start_date"] < CUTOFF) & ~(s["end_date"] < CUTOFF)]
    assert x.index.equals(pd.Index(sorted(active), name="customer_id"))


@pytest.mark.parametrize("change, message", [
    (lambda a: a.assign(week=a["week"] + pd.Timedelta(days=1)), "must hold the Monday each week starts"),
    (lambda a: a.drop(index=3), "weeks without a row between a subscriber's first and last week"),
    (lambda a: pd.concat([a, a.iloc[[0]]]), r"1 repeated \(customer, week\) row"),
    (lambda a: a.assign(hours_viewed=a["hours_viewed"].where(a.index != 2)), "column 'hours_viewed' is empty in 1 row"),
    (lambda a: a.assign(support_contacts=-1), "column 'support_contacts' has 10 negative"),
    (lambda a: a.assign(failed_payment="no"), "column 'failed_payment' must hold True/False or 0/1"),
    (lambda a: a.assign(plan="gold"), "plans not in plan_order"),
    (lambda a: a.drop(columns="sessions"), "no column 'sessions'"),
])
def test_bad_activity_is_refused_with_the_column_and_the_fix(change, message):
    with pytest.raises(rk.InputError, match=message):
        features_as_of(change(tiny_activity()), "2025-02-17")


@pytest.mark.parametrize("cutoff, window, message", [
    ("2025-02-19", (4, 12), "cutoff='2025-02-19' is not a Monday.*'2025-02-17'"),
    ("2025-01-06", (4, 12), "no week before cutoff='2025-01-06'"),
    ("2025-06-02", (4, 12), "no subscriber has a row in the week before"),
    ("2025-02-17", (4, 4), r"window_weeks=\(4, 4\) must be two whole numbers"),
    ("2025-02-17", (2.5, 4), "window_weeks"),
])
def test_bad_cutoffs_and_windows_are_refused(cutoff, window, message):
    with pytest.raises(rk.InputError, match=message):
        features_as_of(tiny_activity(), cutoff, window_weeks=window)


# ------------------------------------------------------------------------------------------------ labels
def test_labels_worked_by_hand():
    subs = pd.DataFrame({"customer_id": list("abcdefgh"),
                         "start_date": pd.to_datetime(["2025-01-06"] * 6 + ["2025-03-03", "2025-03-04"]),
                         "end_date": pd.to_datetime(["2025-02-24", "2025-03-03", "2025-04-21", "2025-04-28",
                                                     "2025-04-27", None, None, None])})
    y = churn_labels(subs, "2025-03-03", horizon_weeks=8, observation_period_end="2025-06-01")
    # a left before; b leaves at the cut-off (in); c on the last day in; d on 28 April, the first instant after
    # [3 March, 28 April); e the day before; f stays; g and h join at or after the cut-off (not at risk)
    assert y.to_dict() == {"b": True, "c": True, "d": False, "e": True, "f": False}
    assert y.name == "churned" and y.attrs["horizon_weeks"] == 8


def test_labels_from_activity_agree_with_the_subscriptions(world):
    activity, truth = world
    from_subs = churn_labels(truth["subscribers"], CUTOFF, observation_period_end=truth["observed_until"])
    pd.testing.assert_series_equal(churn_labels(activity, CUTOFF), from_subs)
    assert 0.05 < from_subs.mean() < 0.2


def test_labels_refuse_a_horizon_past_the_end_of_the_data(world):
    activity, truth = world
    with pytest.raises(rk.InputError, match="after the data end.*would count as staying"):
        churn_labels(activity, "2025-11-17", horizon_weeks=8)
    with pytest.raises(rk.InputError, match="horizon_weeks=0"):
        churn_labels(activity, CUTOFF, horizon_weeks=0)
    with pytest.raises(rk.InputError, match="no subscriber was active at cutoff='2023-06-05'"):
        churn_labels(truth["subscribers"], "2023-06-05")
    with pytest.raises(rk.InputError, match="data has no column 'end_date', 'start_date'|no column 'week'"):
        churn_labels(activity.drop(columns="week"), CUTOFF)


# ------------------------------------------------------------------------------------------------ split and models
def test_time_split_refuses_a_test_period_the_training_labels_overlap(world):
    activity, truth = world
    with pytest.raises(rk.InputError, match=r"test_cutoff='2025-04-07' is before train_cutoff \+ horizon_weeks = "
                                            r"2025-04-28.*Fix: test_cutoff on or after '2025-04-28'"):
        time_split(activity, truth["subscribers"], train_cutoff=CUTOFF, test_cutoff="2025-04-07")
    split = time_split(activity, truth["subscribers"], train_cutoff=CUTOFF, test_cutoff="2025-04-28")
    assert split.y_train.attrs["cutoff"] == CUTOFF and split.X_test.attrs["cutoff"] == pd.Timestamp("2025-04-28")
    assert split.X_train.index.equals(split.y_train.index) and split.X_test.index.equals(split.y_test.index)


def stacked(activity, truth, cutoffs):
    """Features and one-week labels at several cut-offs, with the planted hazard of that week."""
    xs, ys, hs = [], [], []
    weekly = truth["weekly"]
    for c in cutoffs:
        x, y = features_as_of(activity, c), churn_labels(truth["subscribers"], c, horizon_weeks=1)
        h = weekly[weekly["week"] == c - WEEK].set_index("customer_id")["hazard_next_week"].reindex(x.index)
        key = [f"{i}@{c.date()}" for i in x.index]
        xs.append(x.set_axis(key)), ys.append(y.set_axis(key)), hs.append(h.set_axis(key))
    return pd.concat(xs), pd.concat(ys), pd.concat(hs)


@pytest.mark.parametrize("seed", [0, 1])
def test_models_come_within_four_points_of_the_oracle_auc(seed):
    """With a one-week horizon the planted hazard of the week is exactly P(churn | everything before the cut-off):
    no model can beat its AUC except by chance (beating it by more would mean a leak), and features close to the
    hazard's terms come near it (four-week means stand in for the last week's values, so not all the way)."""
    activity, truth = make_streaming_activity(4000, random_state=seed)
    x_train, y_train, _ = stacked(activity, truth, pd.date_range("2024-11-04", periods=10, freq="14D"))
    x_test, y_test, hazard = stacked(activity, truth, pd.date_range("2025-05-05", periods=10, freq="14D"))
    oracle = auc(y_test, hazard).value
    assert 0.88 < oracle < 0.95 and y_test.sum() > 200
    for model in ("logistic", "gradient_boosting"):
        score = auc(y_test, predict_churn(fit_churn_model(x_train, y_train, model=model), x_test)).value
        assert oracle - 0.04 < score < oracle + 0.01, (model, score, oracle)


def test_eight_week_models_rank_churners_well_above_chance(world):
    activity, truth = world
    split = time_split(activity, truth["subscribers"], train_cutoff=CUTOFF, test_cutoff="2025-07-07")
    for model in ("logistic", "gradient_boosting"):
        result = auc(split.y_test, predict_churn(fit_churn_model(split.X_train, split.y_train, model=model),
                                                 split.X_test))
        assert result.value > 0.68 and result.ci[0] > 0.6, (model, result.value)


def model_inputs():
    x = pd.DataFrame({"hours_recent": [1.0, 2, 8, 9, 1, 7], "plan_premium": [0.0, 1, 0, 1, 0, 0]},
                     index=list("abcdef"))
    return x, pd.Series([True, True, False, False, True, False], index=x.index, name="churned")


@pytest.mark.parametrize("change, message", [
    (lambda x, y: (x, y & False), "y holds only False for all 6 customers"),
    (lambda x, y: (x.assign(plan="basic"), y), "X column 'plan' is not numeric.*pd.get_dummies"),
    (lambda x, y: (x.assign(hours_recent=x["hours_recent"].where(x.index > "b")), y),
     "X column 'hours_recent' has 2 missing value"),
    (lambda x, y: (x.assign(churned=y.astype(float)), y), "column 'churned' named like the label"),
    (lambda x, y: (x.assign(churn_last_year=0.0), y), "column 'churn_last_year' named like the label"),
    (lambda x, y: (x.assign(flag=y.astype(float)), y), "column 'flag' equals the label in every row"),
    (lambda x, y: (x, y.iloc[:4]), "must be indexed by the same customers"),
])
def test_models_refuse_what_they_cannot_learn_from(change, message):
    x, y = change(*model_inputs())
    with pytest.raises(rk.InputError, match=message):
        fit_churn_model(x, y)


def test_model_options_and_prediction_columns_are_checked():
    x, y = model_inputs()
    with pytest.raises(rk.InputError, match="model='forest' must be one of 'logistic', 'gradient_boosting'"):
        fit_churn_model(x, y, model="forest")
    model = fit_churn_model(x, y)
    with pytest.raises(rk.InputError, match=r"missing \['plan_premium'\]"):
        predict_churn(model, x.drop(columns="plan_premium"))
    assert predict_churn(model, x[["plan_premium", "hours_recent"]]).equals(predict_churn(model, x))   # by name


# ------------------------------------------------------------------------------------------------ evaluation
def test_auc_is_the_mann_whitney_statistic_over_the_pairs():
    rng = np.random.default_rng(3)
    y = rng.random(300) < 0.3
    score = np.round(rng.normal(size=300) + y, 1)                  # rounded: ties count a half
    u = mannwhitneyu(score[y], score[~y]).statistic
    assert auc(y, score).value == pytest.approx(u / (y.sum() * (~y).sum()), abs=1e-12)
    assert auc(y, score).value == pytest.approx(roc_auc_score(y, score), abs=1e-12)


def test_delong_standard_error_from_its_pairwise_definition():
    rng = np.random.default_rng(4)
    y = rng.random(60) < 0.4
    score = rng.integers(0, 6, 60).astype(float) + y
    pos, neg = score[y], score[~y]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v, w = psi.mean(axis=1), psi.mean(axis=0)
    se = np.sqrt(v.var(ddof=1) / len(pos) + w.var(ddof=1) / len(neg))
    result = auc(y, score, confidence=0.9)
    assert result.se == pytest.approx(se, rel=1e-12)
    assert result.ci == pytest.approx((psi.mean() - 1.6448536 * se, psi.mean() + 1.6448536 * se), rel=1e-6)
    assert result.interval_label() == "90% interval"


def test_delong_standard_error_agrees_with_a_bootstrap_within_churners_and_stayers():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"y": rng.random(800) < 0.25})
    frame["score"] = rng.normal(size=800) + 0.9 * frame["y"]

    def mann_whitney_auc(d):                                             # U / (n1 n0) from the rank sum
        ranks, y = rankdata(d["score"]), d["y"].to_numpy()
        m, n = y.sum(), (~y).sum()
        return (ranks[y].sum() - m * (m + 1) / 2) / (m * n)

    boot = bootstrap(frame, mann_whitney_auc, by="y", n_resamples=1000, random_state=1)
    assert boot.value == pytest.approx(roc_auc_score(frame["y"], frame["score"]))
    assert auc(frame["y"], frame["score"]).se == pytest.approx(boot.se, rel=0.1)


def test_lift_and_gain_worked_by_hand():
    y = [True, True, False, True, False, False, False, True, False, False]
    score = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    t = lift_table(y, score, bins=5)
    assert t["customers"].tolist() == [2] * 5 and t["churners"].tolist() == [2, 1, 0, 1, 0]
    assert t["churn_rate"].tolist() == [1.0, 0.5, 0.0, 0.5, 0.0]
    assert t["lift"].tolist() == [2.5, 1.25, 0.0, 1.25, 0.0]                   # overall rate 0.4
    assert t["cumulative_gain"].tolist() == [0.5, 0.75, 0.75, 1.0, 1.0]


def test_gain_is_the_share_captured_by_the_top_of_the_ranking():
    rng = np.random.default_rng(6)
    y = pd.Series(rng.random(1000) < 0.2)
    score = pd.Series(np.round(rng.random(1000) + 0.3 * y, 2))               # ties, broken in index order by both
    t = lift_table(y, score, bins=4)
    for share, gain in zip(t["cumulative_share"], t["cumulative_gain"]):
        assert gain == pytest.approx(captured_share(score, y.astype(float), top=share).value, abs=1e-12)


def test_precision_at_k_worked_by_hand():
    y, score = [True, False, True, True, False], [0.9, 0.8, 0.8, 0.3, 0.1]
    top2 = precision_at_k(y, score, 2)                      # 0.9 and the first 0.8 in the order given
    assert (top2.value, top2.k, top2.churners, top2.base_rate) == (0.5, 2, 1, 0.6)
    assert precision_at_k(y, score, 3).value == pytest.approx(2 / 3)
    assert precision_at_k(y, score, 0.5).k == 3               # ceil(0.5 x 5)
    assert precision_at_k(y, score, 2, confidence=0.9).ci == pytest.approx(rk.proportion(1, 2, confidence=0.9).ci)
    for k in (0, 6, 1.0, 2.5, True, "2"):
        with pytest.raises(rk.InputError, match=r"k=.* must be a count of customers \(a whole number from 1 to 5\)"):
            precision_at_k(y, score, k)


@pytest.mark.parametrize("call, message", [
    (lambda: auc([True, False, False], [0.3, 0.2, 0.1]), "1 churner.*at least two of each"),
    (lambda: auc([True, True, False, False], [0.3, None, 0.2, 0.1]), "column 'score' is empty in 1 row"),
    (lambda: auc([True, "yes", False, False], [0.4, 0.3, 0.2, 0.1]), "column 'y' must hold True/False"),
    (lambda: auc(pd.Series([True, False], index=[1, 2]), pd.Series([0.1, 0.2], index=[2, 3])), "indexed by the same"),
    (lambda: auc([True, False], [0.1, 0.2, 0.3]), "must have the same"),
    (lambda: auc([True, True, False, False], [0.4, 0.3, 0.2, 0.1], confidence=95), "confidence=95"),
    (lambda: lift_table([True, False], [0.1, 0.2], bins=3), "bins=3 is more than the 2 customers"),
    (lambda: lift_table([False, False], [0.1, 0.2], bins=2), "y has no churner"),
    (lambda: early_warning(tiny_activity(), pd.DataFrame({"customer_id": ["a"], "start_date": ["2025-01-06"],
                                                          "end_date": [None]})), "2 customer.*not in subscribers"),
    (lambda: early_warning(tiny_activity(), pd.DataFrame({"customer_id": list("abc"), "start_date": "2025-01-06",
                                                          "end_date": None}), signals=[]), "signals is empty"),
    (lambda: early_warning(tiny_activity().assign(sessions=1), pd.DataFrame({
        "customer_id": list("abc"), "start_date": "2025-01-06", "end_date": [None, None, "2025-01-20"]}),
        signals=["sessions"], weeks_before=1, baseline_weeks=1), "signal 'sessions' does not vary among stayers"),
    (lambda: early_warning(tiny_activity(), pd.DataFrame({"customer_id": list("abc"), "start_date": "2025-01-06",
                                                          "end_date": None}), weeks_before=0), "weeks_before=0"),
])
def test_bad_evaluation_inputs_are_refused(call, message):
    with pytest.raises(rk.InputError, match=message):
        call()


def test_early_warning_worked_by_hand():
    weeks = pd.date_range("2025-01-06", periods=6, freq="7D")
    rows = [("A", w, 2.0) for w in weeks] + [("B", w, 4.0) for w in weeks] + \
        [("C", w, x) for w, x in zip(weeks[:4], [3.0, 3.0, 1.0, 0.0])]
    activity = pd.DataFrame(rows, columns=["customer_id", "week", "hours_viewed"])
    subs = pd.DataFrame({"customer_id": ["A", "B", "C"], "start_date": weeks[0],
                         "end_date": [pd.NaT, pd.NaT, weeks[4]]})
    table = early_warning(activity, subs, signals=["hours_viewed"], weeks_before=2, baseline_weeks=2)
    # stayers' weekly mean is 3 in weeks 1-4 (C counts as a stayer 3 and 4 weeks before its end); their
    # deviations -1, 1, 0, -1, 1, 0, -1, 1, -1, 1 have sd sqrt(8 / 9); C's baseline (k = 3, 4) is 0
    sd = np.sqrt(8 / 9)
    assert table["hours_viewed"].to_dict() == pytest.approx({2: -2 / sd, 1: -3 / sd})
    assert table.attrs["first_week"] == {"hours_viewed": 2} and table.attrs["churners"] == 1
    assert early_warning(activity, subs, signals=["hours_viewed"], weeks_before=2, baseline_weeks=2,
                         threshold=2.5).attrs["first_week"] == {"hours_viewed": 1}


@pytest.mark.parametrize("seed", [0, 3])
def test_early_warning_recovers_the_planted_order_of_the_signs(seed):
    activity, truth = make_streaming_activity(4000, random_state=seed)
    lead = truth["lead_weeks"]                    # weeks after the onset of drift: viewing 0, plan 3, support 6, ...
    assert lead["hours_viewed"] < lead["plan"] < lead["support_contacts"] < lead["failed_payment"]
    table = early_warning(activity, truth["subscribers"])
    first = table.attrs["first_week"]
    assert first["hours_viewed"] >= first["downgraded"] >= max(first["failed_payment"], first["support_contacts"])
    assert first["hours_viewed"] >= max(first["failed_payment"], first["support_contacts"]) + 2
    assert (table["hours_viewed"] < 0).all() and table.loc[1, "failed_payment"] > 2
    assert table.attrs["churners"] > 500


def test_permutation_importance_finds_the_signal_and_shrugs_at_noise():
    rng = np.random.default_rng(7)
    x = pd.DataFrame({"signal": rng.normal(size=2000), "weak": rng.normal(size=2000), "noise": rng.normal(size=2000)})
    y = pd.Series(x["signal"] + 0.3 * x["weak"] + rng.normal(size=2000) > 1.2, name="churned")
    model = fit_churn_model(x, y)
    table = permutation_importance_table(model, x, y, n_repeats=20, random_state=0)
    assert table.index.tolist() == ["signal", "weak", "noise"] and abs(table.loc["noise", "importance_mean"]) < 0.005
    score = predict_churn(model, x)
    drops = [roc_auc_score(y, score) - roc_auc_score(y, predict_churn(model, x.assign(signal=rng.permutation(
        x["signal"].to_numpy())))) for _ in range(40)]                       # the same measure, shuffled by hand
    spread = table.loc["signal", "importance_sd"] * np.sqrt(1 / 20 + 1 / 40)  # sd of the difference of two means
    assert table.loc["signal", "importance_mean"] == pytest.approx(np.mean(drops), abs=4 * spread)
    assert 4 * spread < 0.04
    assert table.attrs["auc"] == pytest.approx(roc_auc_score(y, score))
    with pytest.raises(rk.InputError, match="but the model was fitted on"):
        permutation_importance_table(model, x[["signal", "weak"]], y)


# ------------------------------------------------------------------------------------------------ campaign
def test_expected_profit_worked_by_hand():
    assert expected_campaign_profit(0.3, 200, incentive=10, contact_cost=1, acceptance_rate=0.5) == pytest.approx(20.5)
    p = pd.Series([0.3, 0.8, 0.0], index=["x", "y", "z"])
    profit = expected_campaign_profit(p, pd.Series([200.0, 50.0, 90.0], index=["z", "y", "x"]).reindex(["y", "z", "x"]),
                                      incentive=10, contact_cost=1, acceptance_rate=0.5)
    # x: 0.3 x 0.5 x 80 - 7 - 1 = 4; y: 0.8 x 0.5 x 40 - 2 - 1 = 13; z: -10 - 1 = -11
    assert profit.to_dict() == pytest.approx({"x": 4.0, "y": 13.0, "z": -11.0})


def test_an_incentive_above_clv_is_computed_as_a_loss_with_a_warning():
    p = pd.Series([0.5, 0.5, 0.5])
    with pytest.warns(rk.DataWarning, match=r"exceeds the CLV of 2 customer\(s\), so the offer loses money"):
        profit = expected_campaign_profit(p, pd.Series([5.0, 8.0, 100.0]), incentive=10, contact_cost=0,
                                          acceptance_rate=1.0)
    assert profit.tolist() == pytest.approx([0.5 * -5 - 5, 0.5 * -2 - 5, 0.5 * 90 - 5])


def test_the_best_share_is_the_brute_force_maximum():
    rng = np.random.default_rng(8)
    p = pd.Series(rng.beta(1, 6, 500))
    clv = pd.Series(rng.gamma(2, 60, 500) + 20)
    curve = profit_curve(p, clv, incentive=15, contact_cost=2, acceptance_rate=0.3)
    ranked = sorted(range(500), key=lambda i: -p[i])
    totals = [0.0]
    for i in ranked:                                                          # the formula, customer by customer
        totals.append(totals[-1] + p[i] * 0.3 * (clv[i] - 15) - (1 - p[i]) * 15 - 2)
    assert curve["expected_profit"].to_numpy() == pytest.approx(totals)
    best = best_share(curve)
    assert best.targeted == int(np.argmax(totals)) and best.expected_profit == pytest.approx(max(totals))
    assert best.value == best.targeted / 500 and best.p_churn == p[ranked[best.targeted - 1]]
    assert 0 < best.targeted < 500


@pytest.mark.parametrize("call, message", [
    (lambda: expected_campaign_profit(pd.Series([0.2, 1.5]), 100.0, incentive=1, contact_cost=1, acceptance_rate=0.5),
     "p_churn must hold probabilities from 0 to 1; 1 value"),
    (lambda: expected_campaign_profit(0.2, 100.0, incentive=-1, contact_cost=1, acceptance_rate=0.5), "incentive=-1"),
    (lambda: expected_campaign_profit(0.2, 100.0, incentive=1, contact_cost=1, acceptance_rate=1.5),
     "acceptance_rate=1.5"),
    (lambda: expected_campaign_profit(pd.Series([0.2]), pd.Series([1.0], index=[7]), incentive=1, contact_cost=1,
                                      acceptance_rate=0.5), "indexed by the same customers"),
    (lambda: expected_campaign_profit(pd.Series([0.2, 0.3]), pd.Series([1.0, 2.0], index=[5, 6]), incentive=1,
                                      contact_cost=1, acceptance_rate=0.5), "indexed by the same customers"),
    (lambda: profit_curve(pd.Series([0.2, None]), 10.0, incentive=1, contact_cost=1, acceptance_rate=0.5),
     "column 'p_churn' is empty in 1 row"),
    (lambda: best_share(pd.DataFrame({"share": [0.1]})), "curve must be the DataFrame profit_curve returns"),
])
def test_bad_campaign_inputs_are_refused(call, message):
    with pytest.raises(rk.InputError, match=message):
        call()


def test_campaign_view_reports_the_kit_s_numbers():
    p = pd.Series([0.6, 0.3, 0.1, 0.3])
    clv = pd.Series([100.0, 100.0, 100.0, 5.0])
    with pytest.warns(rk.DataWarning, match="1 customer"):
        text, ax = campaign_view(p, clv, 0.3, 10, contact_cost=1, acceptance_rate=0.5)
    # targeted: p >= 0.3, three subscribers; costs 1 + 10 (p 0.5 + 1 - p): 8 + 9.5 + 9.5; profits
    # 0.6 x 0.5 x 90 - 4 - 1 = 22, 0.3 x 0.5 x 90 - 7 - 1 = 5.5 and 0.3 x 0.5 x (5 - 10) - 7 - 1 = -8.75
    assert "3 of 4 subscribers (75.0%)" in text and "expected cost $27 ($3 contacts, $24 incentives)" in text
    assert "expected profit $19" in text and "loses money on 1 targeted subscriber" in text
    assert ax.lines[-1].get_xdata().tolist() == [75.0] and ax.lines[-1].get_ydata().tolist() == [18.75]


def test_the_campaign_explorer_answers_a_move_with_the_profit_curve(world):
    """What a move shows; how fast it shows it is measured in benchmarks/bench_widgets.py, not here."""
    activity, truth = world
    subs = truth["subscribers"].set_index("customer_id")
    p = pd.Series(np.random.default_rng(9).beta(1, 8, len(subs)), index=subs.index)
    clv = subs["monthly_fee"] * 10                                          # all 4,000 subscribers
    explorer = campaign_explorer(p, clv, contact_cost=1.0, acceptance_rate=0.3)
    explorer.controls["incentive"].value = 20.0
    expected = profit_curve(p, clv, incentive=20.0, contact_cost=1.0, acceptance_rate=0.3)
    n = int((p >= 0.2).sum())
    assert f"{n:,} of {len(p):,} subscribers" in explorer.label.value
    assert f"expected profit {'-' if expected['expected_profit'][n] < 0 else ''}&#36;" \
           f"{abs(expected['expected_profit'][n]):,.0f}" in explorer.label.value
