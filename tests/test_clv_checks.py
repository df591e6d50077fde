"""The kit's checks of a fitted purchase model and of targeting, and the intervals on CLV: against lifetimes,
against simulations with planted parameters, against refits on resampled customers, and hand-worked values."""
import warnings

import numpy as np
import pandas as pd
import pytest
from lifetimes import BetaGeoFitter
from scipy import stats

import retention_kit as rk
from retention_kit import clv
from retention_kit.validation import InputError


@pytest.fixture(scope="module")
def simulated():
    tx, truth = rk.datasets.make_transactions(6000, opening_hours=False, random_state=11)
    summary = rk.rfm_summary(tx, time_unit="hour", observation_period_end=truth["end"])
    return tx, truth, summary, clv.BetaGeo().fit(summary)


def test_purchase_count_probabilities_match_lifetimes(simulated):
    *_, model = simulated
    r, alpha, a, b = model.params_
    reference = BetaGeoFitter()
    reference.params_ = pd.Series({"r": r, "alpha": alpha, "a": a, "b": b})
    ours = clv.purchase_count_probabilities(model, horizon=365, time_unit="day", max_count=30)
    theirs = [reference.probability_of_n_purchases_up_to_time(365 * 24, n) for n in range(31)]
    assert ours.to_numpy() == pytest.approx(np.asarray(theirs, dtype=float), rel=1e-8, abs=1e-12)
    assert clv.purchase_count_probabilities(model, horizon=365, time_unit="day", max_count=3000).sum() == \
        pytest.approx(1.0, abs=1e-9)


def test_model_repeat_curve_at_the_planted_parameters_matches_a_simulation(simulated):
    tx, truth, _, model = simulated
    planted = model.with_params([truth["r"], truth["alpha"] * 24, truth["a"], truth["b"]])   # alpha: days -> hours
    observed = rk.metrics.repeat_probability_by_count(tx, window=365, time_unit="day", max_count=10,
                                                      observation_period_end=truth["end"])
    curve = clv.model_repeat_curve(planted, window=365, time_unit="day", max_count=10, observed=observed, n_draws=0)
    assert curve["observed"].tolist() == observed["probability"].tolist()
    # the simulation draws each customer's purchases from the planted model: every point within 3.5 standard errors
    assert (curve["z"].abs() < 3.5).all(), curve
    assert abs(curve["z"].mean()) < 1.5
    assert curve.attrs["chi_squared"] == pytest.approx(float((curve["z"] ** 2).sum()))
    assert curve.attrs["p_value"] == pytest.approx(stats.chi2.sf(curve.attrs["chi_squared"], 10))
    assert curve.attrs["p_value"] > 0.001


def test_model_repeat_curve_interval_covers_the_estimate_and_checks_its_input(simulated):
    *_, model = simulated
    curve = clv.model_repeat_curve(model, window=365, time_unit="day", max_count=6, n_draws=200, random_state=0)
    assert ((curve["ci_low"] <= curve["probability"]) & (curve["probability"] <= curve["ci_high"])).all()
    with pytest.raises(InputError, match="observed.*purchases"):
        clv.model_repeat_curve(model, window=365, time_unit="day", observed=pd.DataFrame({"k": [1]}), n_draws=0)
    with pytest.raises(InputError, match="model must be a fitted rk.clv.BetaGeo"):
        clv.model_repeat_curve("model", window=365)


def test_log_covariance_matches_lifetimes_variance_matrix():
    summary = rk.rfm_summary(rk.datasets.load_coffee_transactions(), observation_period_end="2026-01-01")
    ours = clv.BetaGeo().fit(summary)
    reference = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    p = ours.params_.to_numpy()
    covariance = np.diag(p) @ ours.log_covariance_.to_numpy() @ np.diag(p)        # delta method back to params
    theirs = reference.variance_matrix_.loc[list(ours.params_.index), list(ours.params_.index)].to_numpy()
    assert np.diag(covariance) == pytest.approx(np.diag(theirs), rel=0.05)
    draws = ours.parameter_draws(4000, random_state=3)
    assert np.log(draws).std().to_numpy() == pytest.approx(np.sqrt(np.diag(ours.log_covariance_)), rel=0.05)
    with pytest.raises(InputError, match="params=.*4 positive numbers"):
        ours.with_params([1.0, 2.0])


def test_clv_interval_agrees_with_refits_on_resampled_customers():
    tx, _ = rk.datasets.make_transactions(1500, random_state=5)
    summary = rk.rfm_summary(tx)

    def fit(s):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rk.DataWarning)
            return clv.BetaGeo().fit(s), clv.GammaGamma().fit(s)

    bg, gg = fit(summary)
    result = clv.clv_interval(bg, gg, summary, gross_margin=0.6, discount_rate=0.01, n_draws=300, random_state=1)
    point = clv.customer_lifetime_value(bg, gg, summary, gross_margin=0.6, discount_rate=0.01)
    assert result.value == pytest.approx(point.sum())
    assert result.customers["clv"].tolist() == pytest.approx(point.tolist())
    assert (result.customers["ci_low"] <= result.customers["ci_high"]).all()
    # the sampling spread of the fitted models' total prediction for these customers, by refitting on bootstrap samples
    rng = np.random.default_rng(2)
    totals = []
    for _ in range(40):
        sample = summary.iloc[rng.integers(0, len(summary), len(summary))].reset_index(drop=True)
        b, g = fit(sample)
        totals.append(clv.customer_lifetime_value(b, g, summary, gross_margin=0.6, discount_rate=0.01).sum())
    assert result.se == pytest.approx(np.std(totals, ddof=1), rel=0.4)


def test_captured_share_hand_worked_and_against_a_sort():
    score = pd.Series([5.0, 1.0, 3.0, 2.0], index=list("abcd"))
    outcome = pd.Series([10.0, 0.0, 30.0, 60.0], index=list("dcba"))[list("abcd")]   # same customers, other order
    r = clv.captured_share(score, outcome.sample(frac=1, random_state=0), top=0.5)
    assert r.value == pytest.approx((outcome["a"] + outcome["c"]) / outcome.sum())
    assert (r.targeted, r.customers) == (2, 4)
    rng = np.random.default_rng(4)
    s, y = pd.Series(rng.normal(size=1000)), pd.Series(rng.exponential(size=1000))
    top = s.sort_values(ascending=False).index[:100]
    assert clv.captured_share(s, y, top=0.1).value == pytest.approx(y[top].sum() / y.sum())
    with pytest.raises(InputError, match="same customers"):
        clv.captured_share(s, y.iloc[:10])
    with pytest.raises(InputError, match="missing"):
        clv.captured_share(s.where(s > 0), y)
