
import numpy as np
import pandas as pd
import pytest
from lifetimes import BetaGeoFitter, GammaGammaFitter
from scipy.optimize import approx_fprime

import retention_kit as rk
from retention_kit import clv
from retention_kit.validation import InputError


@pytest.fixture(scope="module")
def coffee_summary():
    return rk.rfm_summary(rk.datasets.load_coffee_transactions(), observation_period_end="2026-01-01")


@pytest.fixture(scope="module")
def fitted(coffee_summary):
    bg = clv.BetaGeo().fit(coffee_summary)
    with pytest.warns(rk.DataWarning, match="frequency 0"):
        gg = clv.GammaGamma().fit(coffee_summary)
    ref_bg = BetaGeoFitter().fit(coffee_summary["frequency"], coffee_summary["recency"], coffee_summary["T"])
    repeaters = coffee_summary[coffee_summary["frequency"] > 0]
    ref_gg = GammaGammaFitter().fit(repeaters["frequency"], repeaters["monetary_value"])
    return bg, gg, ref_bg, ref_gg


def test_formula_clv_closed_forms():
    # m = 100, r = 0.8, d = 0.1: 266.7 (first margin after a period), 366.7 (first margin now), 500 (undiscounted)
    def value(timing):
        return clv.formula_clv(100, retention=0.8, discount_rate=0.1, timing=timing).value
    assert value("end") == pytest.approx(800 / 3)
    assert value("start") == pytest.approx(1100 / 3)
    assert value("undiscounted") == pytest.approx(500)
    assert value("start") - value("end") == pytest.approx(100)       # they differ by the first margin, m
    # the closed forms are the sums of their series
    k = np.arange(0, 2000)
    assert value("end") == pytest.approx(np.sum(100 * 0.8 ** (k + 1) / 1.1 ** (k + 1)))
    assert value("start") == pytest.approx(np.sum(100 * 0.8 ** k / 1.1 ** k))


@pytest.mark.parametrize("timing", ["end", "start", "undiscounted"])
def test_formula_clv_over_a_horizon_is_the_partial_sum(timing):
    k = np.arange(36)
    per_period = 100 * 0.96 ** k / (1.01 ** k if timing != "undiscounted" else 1.0)
    expected = {"start": per_period.sum(), "undiscounted": per_period.sum(),
                "end": np.sum(100 * 0.96 ** (k + 1) / 1.01 ** (k + 1))}[timing]
    r = clv.formula_clv(100, retention=0.96, discount_rate=0.01, timing=timing, periods=36)
    assert r.value == pytest.approx(expected) and r.periods == 36
    with pytest.raises(InputError, match="retention=1.0 must be a finite number from 0 up to but not including 1"):
        clv.formula_clv(100, retention=1.0, discount_rate=0.1)
    with pytest.raises(InputError, match="timing='middle' must be one of 'end', 'start', 'undiscounted'"):
        clv.formula_clv(100, retention=0.5, discount_rate=0.1, timing="middle")
    with pytest.raises(InputError, match="discount_rate=nan must be a finite number"):
        clv.formula_clv(100, retention=0.5, discount_rate=float("nan"))


def test_agrees_with_lifetimes_to_1e_3_in_each_parameter(fitted):
    bg, gg, ref_bg, ref_gg = fitted
    assert np.max(np.abs(bg.params_ / ref_bg.params_[bg.params_.index] - 1)) < 1e-3
    assert np.max(np.abs(gg.params_ / ref_gg.params_[gg.params_.index] - 1)) < 1e-3


def test_predictions_agree_with_lifetimes(fitted, coffee_summary):
    bg, gg, ref_bg, ref_gg = fitted
    s = coffee_summary
    np.testing.assert_allclose(bg.p_alive(s), ref_bg.conditional_probability_alive(s["frequency"], s["recency"], s["T"]),
                               rtol=1e-5)
    np.testing.assert_allclose(bg.expected_purchases(s, horizon=90),
                               ref_bg.conditional_expected_number_of_purchases_up_to_time(
                                   90, s["frequency"], s["recency"], s["T"]), rtol=1e-5)
    np.testing.assert_allclose(bg.expected_purchases(s, horizon=1, time_unit="quarter"),     # 91.3125 days
                               ref_bg.conditional_expected_number_of_purchases_up_to_time(
                                   91.3125, s["frequency"], s["recency"], s["T"]), rtol=1e-5)
    np.testing.assert_allclose([bg.expected_purchases_new_customer(horizon=t).value for t in (30, 365)],
                               ref_bg.expected_number_of_purchases_up_to_time(np.array([30, 365])), rtol=1e-5)
    np.testing.assert_allclose(gg.expected_spend(s), ref_gg.conditional_expected_average_profit(s["frequency"],
                                                                                                s["monetary_value"]),
                               rtol=1e-5)


def test_clv_against_lifetimes_predictions_summed_by_hand(fitted, coffee_summary):
    bg, gg, ref_bg, ref_gg = fitted
    s = coffee_summary
    month = 365.25 / 12
    spend = ref_gg.conditional_expected_average_profit(s["frequency"], s["monetary_value"]).to_numpy()
    cumulative = [np.zeros(len(s))] + [ref_bg.conditional_expected_number_of_purchases_up_to_time(
        k * month, s["frequency"], s["recency"], s["T"]).to_numpy() for k in range(1, 7)]
    expected = sum(0.6 * spend * (cumulative[k] - cumulative[k - 1]) / 1.01 ** k for k in range(1, 7))
    ours = clv.customer_lifetime_value(bg, gg, s, horizon=6, time_unit="month", gross_margin=0.6, discount_rate=0.01)
    np.testing.assert_allclose(ours, expected, rtol=1e-4)


def test_a_model_remembers_its_time_unit(coffee_summary, fitted):
    bg, gg, *_ = fitted
    # the same customers with T and recency in weeks: BG/NBD is scale-free, so only alpha changes (divided by 7)
    in_weeks = coffee_summary.assign(recency=coffee_summary["recency"] / 7, T=coffee_summary["T"] / 7)
    in_weeks.attrs["time_unit"] = "week"
    weekly = clv.BetaGeo().fit(in_weeks)
    assert weekly.time_unit_ == "week" and weekly.params_["alpha"] == pytest.approx(bg.params_["alpha"] / 7, rel=1e-4)
    by_day = clv.customer_lifetime_value(bg, gg, coffee_summary, horizon=12, gross_margin=0.6, discount_rate=0.01)
    by_week = clv.customer_lifetime_value(weekly, gg, in_weeks, horizon=12, gross_margin=0.6, discount_rate=0.01)
    np.testing.assert_allclose(by_week, by_day, rtol=1e-3)          # not 4.3 or 30 times off: months are converted
    with pytest.raises(InputError, match="summary is in days but the model was fitted in weeks"):
        weekly.p_alive(coffee_summary)
    with pytest.raises(InputError, match="does not say its time unit"):
        clv.BetaGeo().fit(pd.DataFrame(coffee_summary.to_dict("list")))        # a table without attrs
    with pytest.raises(InputError, match="horizon=-5 must be a finite number of at least 0"):
        bg.expected_purchases(coffee_summary, horizon=-5)


def test_log_likelihood_is_the_sum_of_the_published_formula(fitted, coffee_summary):
    bg = fitted[0]
    r, alpha, a, b = bg.params_
    s = coffee_summary
    from scipy.special import betaln, gammaln
    x, tx, T = s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy()
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    first = np.exp(betaln(a, b + x) - betaln(a, b) + common - (r + x) * np.log(alpha + T))
    second = np.where(x > 0, np.exp(betaln(a + 1, b + np.maximum(x, 1) - 1) - betaln(a, b) + common
                                    - (r + x) * np.log(alpha + tx)), 0.0)
    assert bg.log_likelihood_ == pytest.approx(np.log(first + second).sum(), rel=1e-9)


def test_gradients_match_finite_differences(coffee_summary):
    s = coffee_summary
    d = clv.bgnbd._BGData(s["frequency"].to_numpy(), s["recency"].to_numpy() / 730, s["T"].to_numpy() / 730)
    for point in (np.log([0.5, 0.02, 0.7, 3.0]), np.log([1.5, 0.2, 2.0, 0.5])):
        fd = approx_fprime(point, lambda z: clv.bgnbd._bgnbd_nll(z, d, 0.01)[0], 1e-7)
        np.testing.assert_allclose(clv.bgnbd._bgnbd_nll(point, d, 0.01)[1], fd, atol=1e-5)
    r = s[s["frequency"] > 0]
    g = clv.gamma_gamma._GGData(r["frequency"].to_numpy(), r["monetary_value"].to_numpy())
    point = np.log([5.0, 3.0, 2.5])
    fd = approx_fprime(point, lambda z: clv.gamma_gamma._gg_nll(z, g, 0.0)[0], 1e-7)
    np.testing.assert_allclose(clv.gamma_gamma._gg_nll(point, g, 0.0)[1], fd, atol=1e-5)


@pytest.mark.parametrize("seed", [11, 12])
def test_recovers_planted_parameters_within_sampling_error(seed):
    # continuous purchase times (opening_hours=False) summarised by hour, so discretisation is negligible
    tx, truth = rk.datasets.make_transactions(30000, opening_hours=False, random_state=seed)
    summary = rk.rfm_summary(tx, time_unit="hour", observation_period_end=truth["end"])
    bg = clv.BetaGeo().fit(summary)
    estimate, se = bg.params_.copy(), bg.standard_errors_.copy()
    estimate["alpha"] /= 24          # hours -> days, the unit of the planted alpha
    se["alpha"] /= 24
    for name in ["r", "alpha", "a", "b"]:
        assert abs(estimate[name] - truth[name]) < 4 * se[name], (name, estimate[name], truth[name], se[name])
    with pytest.warns(rk.DataWarning, match="frequency 0"):
        gg = clv.GammaGamma().fit(summary)
    for name in ["p", "q", "v"]:
        assert abs(gg.params_[name] - truth[name]) < 4 * gg.standard_errors_[name]


def test_standard_errors_match_the_spread_of_repeated_fits():
    # the Hessian-based SE should describe how much estimates vary from sample to sample
    estimates, ses = [], []
    for seed in range(8):
        tx, truth = rk.datasets.make_transactions(4000, opening_hours=False, random_state=100 + seed)
        bg = clv.BetaGeo().fit(rk.rfm_summary(tx, time_unit="hour", observation_period_end=truth["end"]))
        estimates.append(bg.params_["r"])
        ses.append(bg.standard_errors_["r"])
    assert 0.5 < np.std(estimates, ddof=1) / np.mean(ses) < 2.0


def test_not_fitted_and_repr():
    model = clv.BetaGeo()
    assert "not fitted" in repr(model)
    with pytest.raises(clv.NotFittedError, match="fit"):
        model.p_alive(pd.DataFrame({"frequency": [1], "recency": [1], "T": [2]}))
    with pytest.raises(clv.NotFittedError, match="fit"):          # not an AttributeError on the time unit
        model.expected_purchases(pd.DataFrame({"frequency": [1], "recency": [1], "T": [2]}), horizon=3)
    fitted = clv.BetaGeo().fit(rk.rfm_summary(rk.datasets.load_coffee_transactions()))
    assert "r=" in repr(fitted) and "alpha=" in repr(fitted) and "customers" in repr(fitted) and "days" in repr(fitted)
    assert list(fitted.summary_table().columns) == ["estimate", "standard error", "95% low", "95% high"]
    table = fitted.summary_table(confidence=0.8)
    assert list(table.columns)[2:] == ["80% low", "80% high"]
    z = 1.2815515655446004   # the 90th percentile of the normal: an 80% interval, on the log scale
    assert table["80% low"].to_numpy() == pytest.approx(
        (fitted.params_ * np.exp(-z * fitted.standard_errors_ / fitted.params_)).to_numpy())


@pytest.mark.parametrize("change, fragment", [
    (lambda s: s.assign(frequency=[-1, 2, 0]), "frequency is negative"),
    (lambda s: s.assign(recency=[1, 50, 0]), "recency is greater than T"),
    (lambda s: s.assign(frequency=[1.5, 2, 0]), "not a whole number"),
    (lambda s: s.assign(recency=[1, 5, 3]), "recency is not 0 while frequency is 0"),
    (lambda s: s.drop(columns="T"), "no column 'T'"),
    (lambda s: s.assign(T=[10, None, 30]), "missing, infinite or non-numeric"),
])
def test_betageo_bad_input(change, fragment):
    s = pd.DataFrame({"frequency": [1, 2, 0], "recency": [1, 5, 0], "T": [10, 20, 30]}, index=["a", "b", "c"])
    with pytest.raises(InputError, match=fragment):
        clv.BetaGeo().fit(change(s), time_unit="day")


def test_gammagamma_excludes_zero_frequency_with_a_count_and_rejects_non_positive_spend(coffee_summary):
    n_zero = int((coffee_summary["frequency"] == 0).sum())
    with pytest.warns(rk.DataWarning, match=f"{n_zero} customer"):
        gg = clv.GammaGamma().fit(coffee_summary)
    assert gg.n_customers_ == len(coffee_summary) - n_zero
    bad = coffee_summary.copy()
    bad.iloc[np.flatnonzero(bad["frequency"] > 0)[0], bad.columns.get_loc("monetary_value")] = 0.0
    with pytest.raises(InputError, match="monetary_value must be positive"):
        clv.GammaGamma().fit(bad)


def test_non_convergence_raises_with_advice():
    # nobody ever buys again: the purchase rate is driven to zero and the estimates run off
    s = pd.DataFrame({"frequency": [0] * 50, "recency": [0] * 50, "T": np.linspace(10, 300, 50)})
    with pytest.raises(clv.ConvergenceError, match="penalizer"):
        clv.BetaGeo().fit(s, time_unit="day")


def test_penalizer_shrinks_and_validates(coffee_summary):
    plain = clv.BetaGeo().fit(coffee_summary)
    shrunk = clv.BetaGeo(penalizer=0.1).fit(coffee_summary)
    assert shrunk.params_["b"] < plain.params_["b"]
    with pytest.raises(InputError, match="penalizer=-1 must be a finite number of at least 0"):
        clv.BetaGeo(penalizer=-1)


def test_clv_arguments_are_checked(fitted, coffee_summary):
    bg, gg, *_ = fitted
    with pytest.raises(InputError, match="gross_margin=30 must be a finite number above 0 and at most 1"):
        clv.customer_lifetime_value(bg, gg, coffee_summary, gross_margin=30, discount_rate=0.01)
    with pytest.raises(InputError, match="horizon=2.7 must be a whole number of at least 1"):
        clv.customer_lifetime_value(bg, gg, coffee_summary, horizon=2.7, gross_margin=0.6, discount_rate=0.01)
    with pytest.raises(InputError, match="spend_model must be a fitted GammaGamma, got BetaGeo"):
        clv.customer_lifetime_value(bg, bg, coffee_summary, gross_margin=0.6, discount_rate=0.01)


def test_a_large_base_fitted_from_a_warm_start_agrees_with_lifetimes():
    # 40,000 customers: the kit first fits every 4th customer, then the whole base from that estimate
    summary = rk.rfm_summary(rk.datasets.make_transactions(40_000, random_state=8).data)
    repeaters = summary[summary["frequency"] > 0]
    bg = clv.BetaGeo().fit(summary)
    ref_bg = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    assert np.max(np.abs(bg.params_ / ref_bg.params_[bg.params_.index] - 1)) < 1e-4
    with pytest.warns(rk.DataWarning, match="frequency 0"):
        gg = clv.GammaGamma().fit(summary)
    ref_gg = GammaGammaFitter().fit(repeaters["frequency"], repeaters["monetary_value"])
    assert np.max(np.abs(gg.params_ / ref_gg.params_[gg.params_.index] - 1)) < 1e-4
