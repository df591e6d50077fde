"""Uplift, targeting policies and upsell (rk.experiments): hand-worked cases, statsmodels, brute force, and the
planted truth of the Lumen+ offer test recovered."""
import functools
import math

import numpy as np
import pandas as pd
import pytest

import retention_kit as rk
from retention_kit import experiments as ex
from retention_kit.datasets import make_add_on_holdings, make_retention_offer_test, make_weekly_churn

FEATURES = ["tenure_months", "monthly_fee", "hours_last_month", "hours_trend", "failed_payment", "support_contacts",
            "used_discount_before"]


@functools.cache
def offer_test(seed):
    test, truth = make_retention_offer_test(40_000, random_state=seed)
    train = np.random.default_rng(seed + 100).random(len(test)) < 0.5
    return test, truth, train


# --- the simulator -------------------------------------------------------------------------------------------------
def test_each_planted_type_retains_at_its_planted_rates_in_each_arm():
    test, truth, _ = offer_test(1)
    rates = test.assign(type=truth["type"]).groupby(["type", "treated"])["retained"].agg(["mean", "size"])
    for kind, (p_control, p_treatment) in truth["types"].items():
        for treated, p in ((False, p_control), (True, p_treatment)):
            mean, n = rates.loc[(kind, treated)]
            assert abs(mean - p) < 4 * math.sqrt(p * (1 - p) / n) + 1e-9, (kind, treated, mean, p)
    assert set(truth["type"].value_counts(normalize=True).round(1).index) == set(truth["types"])
    assert make_retention_offer_test(500, random_state=3)[0].equals(make_retention_offer_test(500, random_state=3)[0])


def test_the_test_recovers_the_planted_average_effect():
    test, truth, _ = offer_test(2)
    t = test["treated"]
    r = ex.two_proportion_test(int(test.loc[t, "retained"].sum()), int(t.sum()), int(test.loc[~t, "retained"].sum()),
                               int((~t).sum()))
    assert r.ci[0] <= truth["uplift"].mean() <= r.ci[1]


# --- uplift by segment -----------------------------------------------------------------------------------------------
def test_uplift_by_segment_agrees_with_statsmodels_newcombe():
    from statsmodels.stats.proportion import confint_proportions_2indep
    test, _, _ = offer_test(1)
    table = ex.uplift_by_segment(test, "used_discount_before")
    for segment, row in table.iterrows():
        part = test[test["used_discount_before"] == segment]
        k_t, n_t = int(part.loc[part.treated, "retained"].sum()), int(part.treated.sum())
        k_c, n_c = int(part.loc[~part.treated, "retained"].sum()), int((~part.treated).sum())
        assert (row["n_treated"], row["n_control"]) == (n_t, n_c)
        assert row["uplift"] == pytest.approx(k_t / n_t - k_c / n_c)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(confint_proportions_2indep(k_t, n_t, k_c, n_c,
                                                                                           method="newcomb"))


def test_uplift_by_segment_recovers_planted_segment_effects():
    test, truth, _ = offer_test(3)
    frame = test.assign(type=truth["type"])
    table = ex.uplift_by_segment(frame, "type")
    for kind, (p_control, p_treatment) in truth["types"].items():
        assert table.loc[kind, "ci_low"] <= p_treatment - p_control <= table.loc[kind, "ci_high"], kind


def test_a_segment_without_treated_customers_is_refused_by_name():
    t = pd.DataFrame({"plan": ["a", "a", "b", "b"], "treated": [1, 0, 0, 0], "retained": [1, 0, 1, 0]})
    with pytest.raises(rk.InputError, match=r"segment 'b'.*0 treated"):
        ex.uplift_by_segment(t, "plan")
    with pytest.raises(rk.InputError, match="'retained'"):
        ex.uplift_by_segment(t.assign(retained=["yes", "no", "yes", "no"]), "plan")


# --- uplift models ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ex.METHODS)
@pytest.mark.parametrize("seed", [0, 1])
def test_uplift_models_rank_the_planted_persuadables_first_and_beat_targeting_by_risk(method, seed):
    test, truth, train = offer_test(seed)
    tr, te = test[train], test[~train]
    model = ex.fit_uplift(tr[FEATURES].astype(float), tr["treated"], tr["retained"], method=method, model="logistic",
                          random_state=0)
    uplift = ex.predict_uplift(model, te[FEATURES].astype(float))
    planted = truth["uplift"][te.index]
    by_type = uplift.groupby(truth["type"][te.index]).mean()
    assert by_type.idxmax() == "persuadable" and by_type.idxmin() == "do-not-disturb"
    assert np.corrcoef(uplift, planted)[0, 1] > 0.35                        # measured 0.45-0.49 on these seeds
    control = tr[~tr["treated"]]
    risk = rk.churn.predict_churn(rk.churn.fit_churn_model(control[FEATURES].astype(float),
                                                           (~control["retained"]).rename("churned"), random_state=0),
                                  te[FEATURES].astype(float))
    q_model = ex.qini_coefficient(uplift, te["treated"], te["retained"]).value
    q_risk = ex.qini_coefficient(risk, te["treated"], te["retained"]).value
    q_true = ex.qini_coefficient(planted, te["treated"], te["retained"]).value
    assert q_risk < q_model < q_true * 1.1


def test_class_transformation_weights_unequal_arms():
    """With one binary feature and 30% treated, 2 P(z) - 1 must still equal each group's treated-minus-control rate."""
    rng = np.random.default_rng(5)
    n = 60_000
    x = rng.random(n) < 0.5
    treated = rng.random(n) < 0.3
    retained = rng.random(n) < np.where(x, np.where(treated, 0.8, 0.4), np.where(treated, 0.5, 0.6))
    X = pd.DataFrame({"x": x.astype(float)})
    model = ex.fit_uplift(X, pd.Series(treated), pd.Series(retained), method="class_transformation", model="logistic")
    uplift = ex.predict_uplift(model, pd.DataFrame({"x": [0.0, 1.0]}))
    observed = [retained[(x == v) & treated].mean() - retained[(x == v) & ~treated].mean() for v in (False, True)]
    assert uplift.tolist() == pytest.approx(observed, abs=0.01)
    assert uplift.tolist() == pytest.approx([-0.1, 0.4], abs=0.03)              # the planted effects


def test_uplift_models_refuse_bad_input():
    X = pd.DataFrame({"x": [0.0, 1.0, 0.0, 1.0]})
    with pytest.raises(rk.InputError, match="treated arm"):
        ex.fit_uplift(X, pd.Series([0, 0, 0, 0]), pd.Series([1, 0, 1, 0]))
    with pytest.raises(rk.InputError, match="control arm"):
        ex.fit_uplift(X, pd.Series([1, 1, 1, 1]), pd.Series([1, 0, 1, 0]))
    with pytest.raises(rk.InputError, match="'x'.*missing"):
        ex.fit_uplift(X.assign(x=[0.0, None, 1.0, 1.0]), pd.Series([1, 0, 1, 0]), pd.Series([1, 0, 1, 0]))
    with pytest.raises(rk.InputError, match="method='t-learner'"):
        ex.fit_uplift(X, pd.Series([1, 0, 1, 0]), pd.Series([1, 0, 1, 0]), method="t-learner")
    model = ex.fit_uplift(X, pd.Series([1, 0, 1, 0]), pd.Series([1, 0, 0, 1]), model="logistic")
    with pytest.raises(rk.InputError, match="columns the model was fitted on"):
        ex.predict_uplift(model, X.rename(columns={"x": "y"}))


# --- Qini and the money of a policy ------------------------------------------------------------------------------------
def test_qini_and_uplift_curves_against_their_definitions_by_brute_force():
    rng = np.random.default_rng(0)
    score, treated, outcome = pd.Series(rng.random(60)), pd.Series(rng.random(60) < 0.4), pd.Series(rng.random(60) < 0.5)
    curve, uplift = ex.qini_curve(score, treated, outcome), ex.uplift_curve(score, treated, outcome)
    order = score.sort_values(ascending=False).index
    for k in range(1, 61):
        top = order[:k]
        t, y = treated[top], outcome[top]
        n_t, n_c = t.sum(), (~t).sum()
        expected = (y & t).sum() - (y & ~t).sum() * n_t / n_c if n_t and n_c else 0.0
        assert curve["incremental"].iloc[k] == pytest.approx(expected)
        all_offered = k * (y[t].mean() - y[~t].mean()) if n_t and n_c else 0.0
        assert uplift["incremental"].iloc[k] == pytest.approx(all_offered)
    assert curve["random"].iloc[-1] == pytest.approx(curve["incremental"].iloc[-1])


def test_policy_value_hand_worked_and_its_interval_covers_the_planted_value():
    s, t, y = pd.Series([4, 3, 2, 1]), pd.Series([1, 0, 1, 0]), pd.Series([1, 1, 0, 1])
    # all four: v_T = (100 - 10 - 1, 0 - 1) for the treated, v_C = (100, 100) for the control: 4 (44 - 100);
    # se = 4 sqrt(var(89, -1) / 2 + 0) = 4 sqrt(4050 / 2) = 180
    result = ex.policy_value(s, t, y, clv=100.0, discount=10.0, contact_cost=1.0, share=1.0)
    assert result.value == pytest.approx(-224.0)
    assert result.ci == pytest.approx((-224 - 1.959964 * 180, -224 + 1.959964 * 180), rel=1e-6)
    assert math.isnan(ex.policy_value(s, t, y, clv=100.0, discount=10.0, share=0.5).value)   # one per arm: no variance
    covered = 0
    for seed in range(6):
        test, truth, _ = offer_test(seed) if seed < 4 else (make_retention_offer_test(40_000, random_state=seed)
                                                           + (None,))
        planted = truth["uplift"]
        estimate = ex.policy_value(planted, test["treated"], test["retained"], clv=test["clv"],
                                   discount=truth["discount"], contact_cost=0.5, share=0.3)
        top = planted.sort_values(ascending=False, kind="stable").index[:estimate.parts["targeted"]]
        p0, p1 = truth["p_control"][top], truth["p_treatment"][top]
        value = (p1 * (test["clv"][top] - truth["discount"][top]) - 0.5 - p0 * test["clv"][top]).sum()
        covered += estimate.ci[0] <= value <= estimate.ci[1]
    assert covered >= 5                                                    # a 95% interval, six tests


def test_policy_curve_is_policy_value_share_by_share():
    test, truth, _ = offer_test(0)
    curve = ex.policy_curve(truth["uplift"], test["treated"], test["retained"], clv=test["clv"],
                            discount=truth["discount"], shares=[0.2, 1.0])
    one = ex.policy_value(truth["uplift"], test["treated"], test["retained"], clv=test["clv"],
                          discount=truth["discount"], share=0.2)
    assert curve.loc[0.2, "value"] == pytest.approx(one.value) and curve["targeted"].tolist() == [8_000, 40_000]
    everyone = test["retained"] * (test["clv"] - truth["discount"] * test["treated"])
    full = len(test) * (everyone[test.treated].mean() - everyone[~test.treated].mean())
    assert curve.loc[1.0, "value"] == pytest.approx(full)


def test_policy_value_refuses_missing_money():
    s, t, y = pd.Series([4, 3, 2, 1]), pd.Series([1, 0, 1, 0]), pd.Series([1, 1, 0, 1])
    with pytest.raises(rk.InputError, match="clv"):
        ex.policy_value(s, t, y, clv=pd.Series([1.0, 2.0, None, 4.0]), discount=1.0, share=0.5)
    with pytest.raises(rk.InputError, match="share"):
        ex.policy_value(s, t, y, clv=1.0, discount=1.0, share=1.5)


# --- upsell and cross-sell -------------------------------------------------------------------------------------------
def test_product_affinity_agrees_with_statsmodels_and_recovers_the_planted_pairs():
    from statsmodels.stats.proportion import confint_proportions_2indep
    holdings, truth = make_add_on_holdings(40_000, random_state=4)
    table = ex.product_affinity(holdings)
    for (a, b), (p_given, p_not) in truth["p_given"].items():
        row = table.loc[(a, b)]
        n_ab, n_a = int((holdings[a] & holdings[b]).sum()), int(holdings[a].sum())
        n_nab, n_na = int((~holdings[a] & holdings[b]).sum()), int((~holdings[a]).sum())
        assert row["lift"] == pytest.approx((n_ab / n_a) / holdings[b].mean())
        low, high = confint_proportions_2indep(n_ab, n_a, n_nab, n_na, method="log", compare="ratio")
        assert (row["ratio_low"], row["ratio_high"]) == pytest.approx((low, high), rel=1e-6)
        assert row["ratio_low"] <= p_given / p_not <= row["ratio_high"], (a, b)
        assert row["confidence_low"] <= p_given <= row["confidence_high"], (a, b)
        assert row["lift"] == pytest.approx(truth["lift"][(a, b)], abs=0.1)
    planted = {("kids", "extra_screen"), ("extra_screen", "kids"), ("sports", "4k"), ("4k", "sports")}
    assert set(table.index[:4]) == planted                                  # the planted pairs lead, both ways
    assert table.loc[("music", "sports"), "ratio_low"] <= 1 <= table.loc[("music", "sports"), "ratio_high"]


def test_product_affinity_refuses_a_product_nobody_holds():
    with pytest.raises(rk.InputError, match="'b' is held by 0"):
        ex.product_affinity(pd.DataFrame({"a": [1, 0, 1], "b": [0, 0, 0]}))
    with pytest.raises(rk.InputError, match="two"):
        ex.product_affinity(pd.DataFrame({"a": [1, 0, 1]}))


def test_upsell_value_hand_worked():
    # CLV "start" = m (1 + d) / (1 + d - r): 0.6 x 18 x 1.01 / 0.06 - 0.6 x 13 x 1.01 / 0.06
    assert ex.upsell_value(13, 18, margin=0.6, retention=0.95, discount_rate=0.01).value == pytest.approx(50.5)
    after = 0.6 * 18 * 1.01 / (1.01 - 0.96) - 0.6 * 13 * 1.01 / 0.06
    assert ex.upsell_value(13, 18, margin=0.6, retention=0.95, retention_after=0.96,
                           discount_rate=0.01).value == pytest.approx(after)
    with pytest.raises(rk.InputError, match="retention_after"):
        ex.upsell_value(13, 18, margin=0.6, retention=0.95, retention_after=1.0)


# --- monitoring data and the explorer --------------------------------------------------------------------------------
def test_weekly_churn_plants_the_effect_in_the_action_group_only():
    weekly = make_weekly_churn(52, 30, subscribers=200_000, random_state=0)
    rate = weekly.groupby(["group", "after_rollout"])[["cancelled", "at_risk"]].sum()
    rate = rate["cancelled"] / rate["at_risk"]
    did = (rate["action", True] - rate["action", False]) - (rate["holdout", True] - rate["holdout", False])
    assert did == pytest.approx(-0.003, abs=0.0008)
    table = ex.control_limits(weekly.loc[weekly.group == "holdout", "cancelled"],
                              weekly.loc[weekly.group == "holdout", "at_risk"], baseline_periods=30)
    assert len(table) == 52


def test_experiment_view_reports_the_power_of_statsmodels_and_the_runs_it_draws():
    from statsmodels.stats.proportion import power_proportions_2indep
    from retention_kit.experiments.explorer import experiment_view, simulate_experiments
    text, _ = experiment_view(1_200, 0.2, 0.04, random_state=3)
    power = power_proportions_2indep(0.04, 0.2, 1_200, alternative="two-sided").power
    assert f"power {power:.0%}" in text
    runs = simulate_experiments(1_200, 0.2, 0.04, random_state=3)
    found = int(((runs.ci_low > 0) | (runs.ci_high < 0)).sum())
    assert f"{found} excluded 0" in text
    many = simulate_experiments(1_200, 0.2, 0.04, experiments=2_000, random_state=1)
    assert ((many.ci_low > 0) | (many.ci_high < 0)).mean() == pytest.approx(power, abs=0.035)
    assert ((many.ci_low <= 0.04) & (0.04 <= many.ci_high)).mean() == pytest.approx(0.95, abs=0.015)
    with pytest.raises(rk.InputError, match="not a rate"):
        experiment_view(100, 0.9, 0.15)


def test_compare_policies_covers_the_planted_difference_and_is_zero_for_one_score():
    covered = 0
    for seed in range(4):
        test, truth, train = offer_test(seed)
        te = test[~train]
        planted = truth["uplift"][te.index]
        risk = 1 - truth["p_control"][te.index] + np.random.default_rng(seed).normal(0, 0.01, len(te))
        diff = ex.compare_policies(planted, risk, te["treated"], te["retained"], clv=te["clv"],
                                   discount=truth["discount"][te.index], share=0.2, contact_cost=0.5, n_boot=400)
        values = []
        for score in (planted, risk):
            top = score.sort_values(ascending=False, kind="stable").index[:diff.parts["targeted"]]
            p0, p1, clv = truth["p_control"][top], truth["p_treatment"][top], te["clv"][top]
            values.append((p1 * (clv - truth["discount"][top]) - 0.5 - p0 * clv).sum())
        covered += diff.ci[0] <= values[0] - values[1] <= diff.ci[1]
        assert diff.value == pytest.approx(diff.parts["value_a"] - diff.parts["value_b"])
    assert covered >= 3
    same = ex.compare_policies(planted, planted, te["treated"], te["retained"], clv=te["clv"], discount=0.0, share=0.3,
                               n_boot=200)
    assert same.value == 0 and same.ci == (0.0, 0.0) and same.parts["overlap"] == same.parts["targeted"]
    with pytest.raises(rk.InputError, match="same customers"):
        ex.compare_policies(planted, planted.iloc[::-1], te["treated"], te["retained"], clv=1.0, discount=0.0, share=0.3)


def test_heterogeneity_agrees_with_statsmodels_meta_analysis_and_sees_the_planted_segments():
    from statsmodels.stats.meta_analysis import combine_effects
    test, truth, _ = offer_test(1)
    for by, differs in (("used_discount_before", True), ("digit", False)):
        frame = test.assign(digit=test.index.str[-1])
        table = ex.uplift_by_segment(frame, by)
        q = ex.heterogeneity_test(table)
        variance = (table.rate_treated * (1 - table.rate_treated) / table.n_treated
                    + table.rate_control * (1 - table.rate_control) / table.n_control)
        reference = combine_effects(table["uplift"].to_numpy(), variance.to_numpy())
        assert q.value == pytest.approx(reference.q) and q.parts["df"] == len(table) - 1
        assert q.parts["pooled"] == pytest.approx(reference.mean_effect_fe)
        assert (q.parts["p_value"] < 0.001) == differs          # planted: discount users differ; id digits do not
    with pytest.raises(rk.InputError, match="at least two"):
        ex.heterogeneity_test(table.iloc[:1])


def test_a_missing_segment_label_is_refused_not_dropped():
    t = pd.DataFrame({"plan": ["a", None, "a", "b"], "treated": [1, 0, 0, 1], "retained": [1, 0, 1, 0]})
    with pytest.raises(rk.InputError, match=r"'plan' has 1 missing"):
        ex.uplift_by_segment(t, "plan")


def test_expected_offer_value_is_uplift_times_clv_minus_the_discounts_used():
    test, truth, train = offer_test(0)
    tr, te = test[train], test[~train]
    X, Xe = tr[FEATURES].astype(float), te[FEATURES].astype(float)
    model = ex.fit_uplift(X, tr["treated"], tr["retained"], model="logistic")
    value = ex.expected_offer_value(model, Xe, clv=te["clv"], discount=truth["discount"][te.index], contact_cost=0.5)
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    arms = [make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X[m], tr["retained"][m])
            for m in (tr["treated"], ~tr["treated"])]
    p_t, p_c = (a.predict_proba(Xe)[:, 1] for a in arms)
    by_hand = (p_t - p_c) * te["clv"] - p_t * truth["discount"][te.index] - 0.5
    assert value.to_numpy() == pytest.approx(by_hand.to_numpy(), abs=1e-9)
    planted = truth["uplift"][te.index] * te["clv"] - truth["p_treatment"][te.index] * truth["discount"][te.index] - 0.5
    assert np.corrcoef(value, planted)[0, 1] > 0.35
    transformed = ex.fit_uplift(X, tr["treated"], tr["retained"], method="class_transformation", model="logistic")
    with pytest.raises(rk.InputError, match="two-model"):
        ex.expected_offer_value(transformed, Xe, clv=100.0, discount=5.0)


def test_runs_are_counted_from_the_end_of_the_baseline_and_baseline_signals_reported():
    # ten baseline periods, the last five below the centre; then seven more below: no run of eight after the baseline
    k = [12] * 5 + [8] * 5 + [8] * 7
    table = ex.control_limits(k, [100] * len(k), baseline_periods=10)
    assert not table["run"].any()
    longer = ex.control_limits(k + [8], [100] * (len(k) + 1), baseline_periods=10)
    assert longer["run"].tolist()[-1] and longer["run"].sum() == 1
    assert table.attrs["baseline_signals"] == 0
    # a baseline that changed state (10% then 2% of 1,000): p0 = 4.67%, limits +/- 2.0 points: all 12 outside
    shifted = ex.control_limits([100] * 4 + [20] * 8 + [60] * 3, [1000] * 15, baseline_periods=12)
    assert shifted.attrs["baseline_signals"] == 12
