"""Diagnostics of the purchase models and intervals on predictions, against simulation, lifetimes and hand counts."""
import numpy as np
import pandas as pd
import pytest
from lifetimes import BetaGeoFitter
from scipy import stats

import retention_kit as rk
from retention_kit import clv
from retention_kit.validation import InputError


@pytest.fixture(scope="module")
def coffee():
    tx = rk.datasets.load_coffee_transactions()
    summary = rk.rfm_summary(tx, observation_period_end="2026-01-01")
    return tx, summary, clv.BetaGeo().fit(summary)


def simulate_bgnbd(params, T, rng, drop_at_zero=False):
    """Repeat purchases by age T under the BG/NBD story (drop-out after a purchase), or MBG/NBD (also at time 0)."""
    r, alpha, a, b = params
    lam = rng.gamma(r, 1 / alpha, len(T))
    p = rng.beta(a, b, len(T))
    purchases = rng.poisson(lam * T)
    before_drop = rng.geometric(p) - (1 if drop_at_zero else 0)    # purchases until (and including) the last one
    return np.minimum(purchases, before_drop)


def test_period_transactions_match_the_model_s_story_simulated(coffee):
    _, summary, model = coffee
    table = clv.period_transactions(model, summary, max_frequency=7)
    rng = np.random.default_rng(0)
    T = np.tile(summary["T"].to_numpy(), 50)                         # 50 simulated copies of the customer base
    simulated = np.bincount(np.minimum(simulate_bgnbd(model.params_, T, rng), 7), minlength=8) / 50
    np.testing.assert_allclose(table["model"], simulated, rtol=0.03, atol=3)
    assert table["actual"].tolist() == np.bincount(summary["frequency"].clip(upper=7).astype(int)).tolist()
    assert table["model"].sum() == pytest.approx(len(summary))


def test_period_transactions_by_hand_for_one_customer_age():
    # one customer of age t: P(X = 0) = (alpha/(alpha+t))^r B(a, b)/B(a, b) = (alpha/(alpha+t))^r under BG/NBD
    summary = pd.DataFrame({"frequency": [0.0, 2.0], "recency": [0.0, 10.0], "T": [30.0, 30.0]})
    model = clv.BetaGeo().fit(rk.rfm_summary(rk.datasets.make_transactions(1500, random_state=0).data))
    summary.attrs["time_unit"] = "day"
    r, alpha, a, b = model.params_
    table = clv.period_transactions(model, summary, max_frequency=3)
    assert table.loc[0, "model"] == pytest.approx(2 * (alpha / (alpha + 30)) ** r)
    assert table["actual"].tolist() == [1, 0, 1, 0]


def test_frequency_recency_matrix_against_lifetimes(coffee):
    _, summary, model = coffee
    matrix = clv.frequency_recency_matrix(model, T=700, max_frequency=8, n_recency=8)
    reference = BetaGeoFitter()
    reference.params_ = model.params_.copy()
    for x in (1, 4, 8):
        for tx in matrix.columns[matrix.columns >= x]:
            assert matrix.loc[x, tx] == pytest.approx(np.ravel(reference.conditional_probability_alive(x, tx, 700))[0],
                                                      rel=1e-6)
    assert matrix.loc[0, 0] == 1.0 and matrix.loc[0, 100:].isna().all() and np.isnan(matrix.loc[5, 0])
    expected = clv.frequency_recency_matrix(model, T=700, max_frequency=3, n_recency=3, horizon=30)
    assert expected.loc[2, 350] == pytest.approx(
        np.ravel(reference.conditional_expected_number_of_purchases_up_to_time(30, 2, 350, 700))[0], rel=1e-6)


def test_transactions_over_time_by_hand():
    tx = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2, 3],
                       "date": pd.to_datetime(["2025-01-01 08:00", "2025-01-01 15:00", "2025-01-09 09:00",
                                               "2025-01-06 09:00", "2025-01-20 09:00", "2025-01-15 09:00"]),
                       "amount": 1.0})
    model = clv.BetaGeo().fit(rk.rfm_summary(rk.datasets.make_transactions(1500, random_state=0).data))
    table = clv.transactions_over_time(model, tx, time_unit="week", observation_period_end="2025-01-22")
    # weeks start on Monday: 2025-01-06, -13, -20; customer 1 repeats on Jan 9, customer 2 on Jan 20 (same-day
    # purchases count once, as in rfm_summary)
    assert table.index.tolist() == pd.to_datetime(["2025-01-06", "2025-01-13", "2025-01-20", "2025-01-22"]).tolist()
    assert table["actual_cumulative"].tolist() == [0, 1, 1, 2]
    assert table["actual"].tolist() == [0, 1, 0, 1]
    # expected: each customer's E[X(days observed since the first purchase day)], from the model's scalar formula
    first = {1: "2025-01-01", 2: "2025-01-06", 3: "2025-01-15"}
    for end, value in table["model_cumulative"].items():
        last_day = end - pd.Timedelta(days=1)
        ages = [(last_day - pd.Timestamp(day)).days for day in first.values() if pd.Timestamp(day) <= last_day]
        by_formula = sum(model.expected_purchases_new_customer(horizon=age).value for age in ages if age > 0)
        assert value == pytest.approx(by_formula, rel=1e-9)


def test_compare_models_reports_fit_and_holdout(coffee):
    tx, _, _ = coffee
    split = rk.calibration_holdout_summary(tx, calibration_period_end="2025-07-01", observation_period_end="2026-01-01")
    table = clv.compare_models(split, {"BG/NBD": clv.BetaGeo()})
    row = table.loc["BG/NBD"]
    calibration = split.rename(columns={"frequency_cal": "frequency", "recency_cal": "recency", "T_cal": "T"})
    reference = BetaGeoFitter().fit(calibration["frequency"], calibration["recency"], calibration["T"])
    r, alpha, a, b = (reference.params_[k] for k in ("r", "alpha", "a", "b"))
    x, t_x, T = (calibration[c].to_numpy() for c in ("frequency", "recency", "T"))
    from scipy.special import betaln, gammaln
    # the published BG/NBD likelihood (Fader, Hardie & Lee 2005, eq. 6) at lifetimes' estimates
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    ll = np.log(np.exp(common - (r + x) * np.log(alpha + T)) + (x > 0) * np.exp(
        gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a + 1, b + np.maximum(x, 1) - 1) - betaln(a, b)
        - (r + x) * np.log(alpha + t_x)))
    assert row["log_likelihood"] == pytest.approx(ll.sum(), rel=1e-6)
    assert row["AIC"] == pytest.approx(8 - 2 * ll.sum(), rel=1e-6)
    assert row["BIC"] == pytest.approx(4 * np.log(len(split)) - 2 * ll.sum(), rel=1e-6)
    predicted = reference.conditional_expected_number_of_purchases_up_to_time(
        split["duration_holdout"].iloc[0], x, t_x, T)
    assert row["holdout_predicted"] == pytest.approx(predicted.sum(), rel=1e-4)
    assert row["holdout_mae"] == pytest.approx(np.abs(predicted - split["frequency_holdout"]).mean(), rel=1e-4)
    assert row["holdout_actual"] == split["frequency_holdout"].sum()


def test_prediction_interval_covers_the_planted_value():
    planted = dict(r=0.5, alpha=12.0, a=0.6, b=4.5)           # the simulator's defaults
    truth = clv.BetaGeo().fit(rk.rfm_summary(rk.datasets.make_transactions(300, random_state=0).data))
    truth = truth.with_params([planted[k] for k in ("r", "alpha", "a", "b")])
    true_value = truth.expected_purchases_new_customer(horizon=365).value
    covered = []
    for seed in range(30):
        tx = rk.datasets.make_transactions(1500, opening_hours=False, random_state=100 + seed).data
        model = clv.BetaGeo().fit(rk.rfm_summary(tx, time_unit="hour"))
        result = clv.prediction_interval(model, "expected_purchases_new_customer", horizon=365, time_unit="day",
                                         n_draws=300, confidence=0.9, random_state=seed)
        covered.append(result.ci[0] <= true_value <= result.ci[1])
    # 90% intervals: 30 replicates cover the truth 27 times on average; below 22 has probability < 1%
    assert sum(covered) >= 22


def test_prediction_interval_agrees_with_the_delta_method(coffee):
    _, summary, model = coffee
    rows = summary.iloc[[0, 2, 5]]
    table = clv.prediction_interval(model, "p_alive", rows, n_draws=4000, random_state=0)
    # delta method: var(f) = g' Cov(log params) g, g the gradient of f in the log-parameters (finite differences)
    log_p, cov = np.log(model.params_.to_numpy()), model.log_covariance_.to_numpy()
    base = model.p_alive(rows).to_numpy()
    grad = np.column_stack([(model.with_params(np.exp(log_p + h)).p_alive(rows).to_numpy() - base) / 1e-6
                            for h in np.eye(4) * 1e-6])
    half_width = stats.norm.ppf(0.975) * np.sqrt(np.einsum("ij,jk,ik->i", grad, cov, grad))
    np.testing.assert_allclose((table["ci_high"] - table["ci_low"]) / 2, half_width, rtol=0.1)
    assert table.attrs["confidence"] == 0.95


def test_prediction_interval_refuses_what_is_not_a_prediction(coffee):
    _, summary, model = coffee
    with pytest.raises(InputError, match="method='fit' is not a prediction of BetaGeo; choose one of"):
        clv.prediction_interval(model, "fit", summary)
    with pytest.raises(InputError, match="one number per customer or per period"):
        clv.prediction_interval(model, "purchase_path", summary, periods=2)
    with pytest.raises(InputError, match="model must be a fitted model of rk.clv"):
        clv.prediction_interval("BetaGeo", "p_alive", summary)
    with pytest.raises(InputError, match="model must be a fitted rk.clv.BetaGeo, ParetoNBD or ModifiedBetaGeo"):
        clv.period_transactions(clv.GammaGamma(), summary)


def simulate_pareto_nbd(params, T, rng):
    """Repeat purchases by age T under Pareto/NBD: Poisson purchases until an exponential lifetime."""
    r, alpha, s, beta = params
    lam, mu = rng.gamma(r, 1 / alpha, len(T)), rng.gamma(s, 1 / beta, len(T))
    return rng.poisson(lam * np.minimum(rng.exponential(1 / mu), T))


@pytest.mark.parametrize("kind", ["ParetoNBD", "ModifiedBetaGeo"])
def test_period_transactions_of_the_other_models_match_their_stories_simulated(coffee, kind):
    _, summary, _ = coffee
    model = getattr(clv, kind)().fit(summary)
    table = clv.period_transactions(model, summary, max_frequency=7)
    rng = np.random.default_rng(1)
    T = np.tile(summary["T"].to_numpy(), 50)
    counts = (simulate_pareto_nbd(model.params_, T, rng) if kind == "ParetoNBD"
              else simulate_bgnbd(model.params_, T, rng, drop_at_zero=True))
    simulated = np.bincount(np.minimum(counts, 7), minlength=8) / 50
    np.testing.assert_allclose(table["model"], simulated, rtol=0.03, atol=3)


def test_every_purchase_model_plugs_into_clv_holdout_and_diagnostics(coffee):
    tx, summary, _ = coffee
    split = rk.calibration_holdout_summary(tx, calibration_period_end="2025-07-01", observation_period_end="2026-01-01")
    table = clv.compare_models(split)
    assert list(table.index) == ["BG/NBD", "Pareto/NBD", "MBG/NBD"]
    assert (table["holdout_actual"] == split["frequency_holdout"].sum()).all()
    with pytest.warns(rk.DataWarning, match="frequency 0"):
        spend = clv.GammaGamma().fit(summary)
    month = 365.25 / 12
    for model in (clv.ParetoNBD().fit(summary), clv.ModifiedBetaGeo().fit(summary)):
        # CLV by hand from the model's own cumulative expectations at month ends
        cumulative = [np.zeros(len(summary))] + [model.expected_purchases(summary, horizon=k * month).to_numpy()
                                                 for k in range(1, 4)]
        by_hand = sum(0.6 * spend.expected_spend(summary).to_numpy() * (cumulative[k] - cumulative[k - 1]) / 1.01 ** k
                      for k in range(1, 4))
        clv_kit = clv.customer_lifetime_value(model, spend, summary, horizon=3, gross_margin=0.6, discount_rate=0.01)
        np.testing.assert_allclose(clv_kit, by_hand, rtol=1e-9)
        over_time = clv.transactions_over_time(model, tx, time_unit="month")
        assert over_time["model_cumulative"].is_monotonic_increasing
