"""The Pareto/NBD model (rk.clv.ParetoNBD) against lifetimes' ParetoNBDFitter and the estimates Fader, Hardie & Lee
(2005) publish for CDNOW, the likelihood written from the model's assumptions and integrated numerically over
(lambda, mu), the closed form at alpha = beta, planted parameters, and finite differences of the gradient."""
import math

import numpy as np
import pandas as pd
import pytest
from lifetimes import ParetoNBDFitter
from lifetimes.datasets import load_cdnow_summary
from scipy import integrate
from scipy.optimize import approx_fprime

from retention_kit.clv import ConvergenceError, NotFittedError
from retention_kit.clv import pareto_nbd
from retention_kit.clv.pareto_nbd import ParetoNBD
from retention_kit.validation import InputError


def simulate(n, r, alpha, s, beta, years, seed):
    """Customers of the model, drawn with numpy: they join uniformly over ``years`` (T in days), buy at rate
    lambda ~ Gamma(r, alpha) while alive, and die after an exponential lifetime of rate mu ~ Gamma(s, beta)."""
    rng = np.random.default_rng(seed)
    T = rng.uniform(0, 365 * years, n)
    lam, mu = rng.gamma(r, 1 / alpha, n), rng.gamma(s, 1 / beta, n)
    active = np.minimum(rng.exponential(1 / mu), T)
    x = rng.poisson(lam * active)
    last = active * rng.uniform(size=n) ** (1 / np.maximum(x, 1))        # the latest of x uniform purchase times
    return pd.DataFrame({"frequency": x.astype(float), "recency": np.where(x > 0, last, 0.0), "T": T})


@pytest.fixture(scope="module")
def cdnow():
    return load_cdnow_summary()[["frequency", "recency", "T"]]              # 2,357 customers, weeks


@pytest.fixture(scope="module")
def fitted(cdnow):
    kit = ParetoNBD().fit(cdnow, time_unit="week")
    # lifetimes' default tolerance (1e-4) stops Nelder-Mead about 1e-4 short; 1e-8 reaches the optimum
    ref = ParetoNBDFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"], initial_params=[1, 1, 1, 1],
                                tol=1e-8)
    return kit, ref


@pytest.fixture(scope="module")
def long_histories():
    # alpha = beta planted, T up to 1500 days, frequencies in the hundreds
    summary = simulate(3000, 1.5, 8.0, 0.7, 8.0, 1500 / 365, seed=5)
    return summary, ParetoNBD().fit(summary, time_unit="day")


def test_cdnow_estimates_agree_with_lifetimes_and_the_paper(fitted, cdnow):
    kit, ref = fitted
    assert np.max(np.abs(kit.params_ / ref.params_[kit.params_.index] - 1)) < 1e-3
    # Fader, Hardie & Lee (2005), "Counting your customers the easy way", Pareto/NBD on CDNOW
    published = pd.Series({"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669})
    assert np.max(np.abs(kit.params_ / published - 1)) < 1e-3
    assert round(kit.log_likelihood_, 1) == -9595.0
    f, r, T = (cdnow[c].to_numpy() for c in ["frequency", "recency", "T"])
    ll_lifetimes = ParetoNBDFitter._conditional_log_likelihood(kit.params_.to_numpy(), f, r, T).sum()
    assert kit.log_likelihood_ == pytest.approx(ll_lifetimes, rel=1e-10)
    at_theirs = ParetoNBDFitter._conditional_log_likelihood(ref.params_[kit.params_.index].to_numpy(), f, r, T).sum()
    assert kit.log_likelihood_ >= at_theirs - 1e-6                 # the kit's optimum is at least as high
    assert kit.standard_errors_.gt(0).all() and kit.time_unit_ == "week" and kit.n_customers_ == 2357


def test_predictions_agree_with_lifetimes_at_the_same_parameters(fitted, cdnow):
    kit, ref = fitted
    ref.params_ = kit.params_.copy()
    f, r, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    np.testing.assert_allclose(kit.p_alive(cdnow), ref.conditional_probability_alive(f, r, T), rtol=1e-7)
    np.testing.assert_allclose(kit.expected_purchases(cdnow, horizon=39),
                               ref.conditional_expected_number_of_purchases_up_to_time(39, f, r, T), rtol=1e-7)
    np.testing.assert_allclose(kit.expected_purchases(cdnow, horizon=1, time_unit="quarter"),      # 91.3125 days
                               ref.conditional_expected_number_of_purchases_up_to_time(91.3125 / 7, f, r, T),
                               rtol=1e-7)
    path = kit.purchase_path(cdnow.iloc[:50], periods=3, time_unit="month")
    for k in (1, 2, 3):
        np.testing.assert_allclose(path[k], ref.conditional_expected_number_of_purchases_up_to_time(
            k * 30.4375 / 7, f[:50], r[:50], T[:50]), rtol=1e-7)
    np.testing.assert_allclose([kit.expected_purchases_new_customer(horizon=t).value for t in (10, 39, 78)],
                               ref.expected_number_of_purchases_up_to_time(np.array([10, 39, 78])), rtol=1e-9)


def likelihood_from_the_assumptions(r, alpha, s, beta, x, tx, T):
    """int int L(lambda, mu) Gamma(lambda; r, alpha) Gamma(mu; s, beta), with L: x purchases of a Poisson process
    at rate lambda, the last at tx, then alive at T (rate mu exponential lifetime) or dead at some tau in (tx, T]."""
    log_prior = r * math.log(alpha) - math.lgamma(r) + s * math.log(beta) - math.lgamma(s)

    def integrand(mu, lam):
        alive = math.exp(-(lam + mu) * T)
        died = mu / (lam + mu) * (math.exp(-(lam + mu) * tx) - alive)
        return (alive + died) * math.exp((x + r - 1) * math.log(lam) - alpha * lam + (s - 1) * math.log(mu)
                                         - beta * mu + log_prior)
    return math.log(integrate.dblquad(integrand, 0, np.inf, 0, np.inf, epsabs=0, epsrel=1e-9)[0])


@pytest.mark.parametrize("params, x, tx, T", [
    ((0.55, 10.58, 0.61, 11.67), 0, 0.0, 38.86),
    ((0.55, 10.58, 0.61, 11.67), 2, 30.43, 38.86),
    ((0.55, 10.58, 0.61, 11.67), 7, 35.0, 38.0),
    ((1.5, 8.0, 2.0, 8.0), 5, 10.0, 30.0),                      # alpha == beta
    ((0.8, 3.0, 0.4, 30.0), 20, 15.0, 40.0),                    # alpha far below beta
    ((0.8, 30.0, 0.4, 3.0), 20, 15.0, 40.0),                    # and far above
])
def test_likelihood_is_the_double_integral_of_the_model(params, x, tx, T):
    ours = pareto_nbd._pareto_ll(np.array(params), np.array([x], float), np.array([tx]), np.array([T]))[0]
    assert ours == pytest.approx(likelihood_from_the_assumptions(*params, x, tx, T), abs=1e-8)


def test_the_integral_has_its_closed_form_when_alpha_equals_beta():
    # alpha = beta: I = [(alpha + tx)^-k - (alpha + T)^-k] / k, k = r + s + x (the hypergeometric term is 1)
    r, a, s = 0.9, 20.0, 0.7
    x = np.array([0, 1, 3, 10, 60, 200, 500, 500, 500.0])
    tx = np.array([0, 5, 100, 300, 700, 1000, 1499, 1200, 20.0])
    T = np.array([1.0, 30, 400, 1100, 1400, 1500, 1500, 1500, 1500])
    k = r + s + x
    closed = -k * np.log(a + tx) + np.log(-np.expm1(k * np.log((a + tx) / (a + T)))) - np.log(k)
    np.testing.assert_allclose(pareto_nbd._dropout_integral((r, a, s, a), x, tx, T)[0], closed, rtol=1e-12)
    np.testing.assert_allclose(pareto_nbd._dropout_integral((r, a, s, a * (1 + 1e-9)), x, tx, T)[0], closed,
                               rtol=1e-8)


def test_gradient_matches_finite_differences(cdnow, long_histories):
    for summary in (cdnow, long_histories[0]):
        x, tx, T = (summary[c].to_numpy(float) for c in ["frequency", "recency", "T"])
        d = pareto_nbd._ParetoData(x, tx / T.max(), T / T.max())
        for point in ([0.55, 0.27, 0.6, 0.3], [1.5, 0.01, 0.7, 0.01], [0.5, 0.3, 0.7, 0.3], [2.0, 0.02, 0.3, 3.0],
                      [0.3, 3.0, 5.0, 0.01]):                   # the optimum, alpha == beta twice, far apart
            z = np.log(point)
            fd = approx_fprime(z, lambda v: pareto_nbd._pareto_nll(v, d, 0.01)[0], 1e-7)
            np.testing.assert_allclose(pareto_nbd._pareto_nll(z, d, 0.01)[1], fd, atol=1e-5 * max(1, np.abs(fd).max()))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planted_parameters_are_recovered_from_customers_joining_over_two_years(seed):
    truth = pd.Series({"r": 0.6, "alpha": 25.0, "s": 0.7, "beta": 120.0})
    model = ParetoNBD().fit(simulate(6000, *truth, years=2, seed=seed), time_unit="day")
    assert (np.abs(model.params_ - truth) < 3 * model.standard_errors_).all(), (model.params_, model.standard_errors_)


def test_long_histories_with_alpha_close_to_beta_fit_and_predict(long_histories):
    summary, model = long_histories
    assert summary["frequency"].max() > 400 and summary["T"].max() > 1490
    truth = pd.Series({"r": 1.5, "alpha": 8.0, "s": 0.7, "beta": 8.0})
    assert (np.abs(model.params_ - truth) < 3 * model.standard_errors_).all()
    x, tx, T = (summary[c].to_numpy() for c in ["frequency", "recency", "T"])
    by_lifetimes = ParetoNBDFitter._conditional_log_likelihood(model.params_.to_numpy(), x, tx, T).sum()
    assert model.log_likelihood_ == pytest.approx(by_lifetimes, rel=1e-10)
    alive = model.p_alive(summary)
    assert alive.between(0, 1).all()
    path = model.purchase_path(summary, periods=12, time_unit="month")
    assert np.isfinite(path.to_numpy()).all() and (path.diff(axis=1).iloc[:, 1:] >= 0).all().all()
    # at alpha exactly beta, P(alive) from the closed form of the integral
    r, a, s, _ = model.params_
    equal = model.with_params([r, a, s, a])
    k = r + s + x
    with np.errstate(divide="ignore"):
        log_I = -k * np.log(a + tx) + np.log(-np.expm1(k * np.log((a + tx) / (a + T)))) - np.log(k)
    expected = 1 / (1 + np.exp(np.log(s) + (r + x) * np.log(a + T) + s * np.log(a + T) + log_I))
    np.testing.assert_allclose(equal.p_alive(summary), expected, rtol=1e-9)


def test_compressed_rows_give_the_fit_on_the_expanded_rows(cdnow):
    x, tx, T = (cdnow[c].to_numpy(float) for c in ["frequency", "recency", "T"])
    d = pareto_nbd._ParetoData(x, tx / T.max(), T / T.max())
    assert len(d.x) < 0.5 * len(x)                                        # 2,357 customers, fewer distinct rows
    params = np.array([0.55, 0.27, 0.6, 0.3])
    per_customer = pareto_nbd._pareto_ll(params, x, tx / T.max(), T / T.max())   # every row, one at a time
    assert pareto_nbd._pareto_nll(np.log(params), d, 0.0)[0] == pytest.approx(-per_customer.mean(), rel=1e-12)
    once = ParetoNBD().fit(cdnow, time_unit="week")
    twice = ParetoNBD().fit(pd.concat([cdnow, cdnow.iloc[::-1]]), time_unit="week")
    np.testing.assert_allclose(twice.params_, once.params_, rtol=1e-6)
    assert twice.log_likelihood_ == pytest.approx(2 * once.log_likelihood_, rel=1e-10)
    assert twice.n_customers_ == 2 * once.n_customers_


def test_s_equal_to_one_uses_the_limit(fitted, cdnow):
    kit = fitted[0]
    r, alpha, _, beta = kit.params_
    one = kit.with_params([r, alpha, 1.0, beta])
    x, T, t = cdnow["frequency"], cdnow["T"], 39.0
    limit = (r + x) * (beta + T) / (alpha + T) * np.log((beta + T + t) / (beta + T)) * one.p_alive(cdnow)
    np.testing.assert_allclose(one.expected_purchases(cdnow, horizon=t), limit, rtol=1e-12)
    assert one.expected_purchases_new_customer(horizon=t).value == pytest.approx(r * beta / alpha * np.log1p(t / beta))
    # next to s = 1 the general formula (lifetimes evaluates it as written) and no cancellation
    ref = ParetoNBDFitter()
    for s in (1 - 1e-3, 1 + 1e-3):
        near = kit.with_params([r, alpha, s, beta])
        ref.params_ = near.params_.copy()
        np.testing.assert_allclose(near.expected_purchases(cdnow, horizon=t), ref.
                                   conditional_expected_number_of_purchases_up_to_time(t, x, cdnow["recency"], T),
                                   rtol=1e-7)
    tiny = kit.with_params([r, alpha, 1 + 1e-12, beta]).expected_purchases(cdnow, horizon=t)
    np.testing.assert_allclose(tiny, limit, rtol=1e-9)


def test_scale_free_in_the_time_unit(fitted, cdnow):
    in_days = cdnow.assign(recency=cdnow["recency"] * 7, T=cdnow["T"] * 7)
    daily, weekly = ParetoNBD().fit(in_days, time_unit="day"), fitted[0]
    np.testing.assert_allclose(daily.params_[["alpha", "beta"]], 7 * weekly.params_[["alpha", "beta"]], rtol=1e-5)
    np.testing.assert_allclose(daily.params_[["r", "s"]], weekly.params_[["r", "s"]], rtol=1e-5)
    np.testing.assert_allclose(daily.expected_purchases(in_days, horizon=6, time_unit="week"),
                               weekly.expected_purchases(cdnow, horizon=6), rtol=1e-4)
    in_days.attrs["time_unit"] = "day"
    with pytest.raises(InputError, match="summary is in days but the model was fitted in weeks"):
        weekly.p_alive(in_days)


def test_penalizer_is_lifetimes_penalty_per_customer(cdnow):
    kit = ParetoNBD(penalizer=0.01).fit(cdnow, time_unit="week")
    ref = ParetoNBDFitter(penalizer_coef=0.01 * len(cdnow)).fit(cdnow["frequency"], cdnow["recency"], cdnow["T"],
                                                                initial_params=[1, 1, 1, 1], tol=1e-8)
    np.testing.assert_allclose(kit.params_, ref.params_[kit.params_.index], rtol=1e-5)
    with pytest.raises(InputError, match="penalizer=-1 must be a finite number of at least 0"):
        ParetoNBD(penalizer=-1)


def test_non_convergence_raises_with_advice():
    # nobody ever buys again: the purchase rate is driven to zero and the estimates run off
    s = pd.DataFrame({"frequency": [0] * 50, "recency": [0] * 50, "T": np.linspace(10, 300, 50)})
    with pytest.raises(ConvergenceError, match="ran off.*penalizer"):
        ParetoNBD().fit(s, time_unit="day")


@pytest.mark.parametrize("change, fragment", [
    (lambda s: s.assign(frequency=[-1, 2, 0]), "frequency is negative"),
    (lambda s: s.assign(recency=[1, 50, 0]), "recency is greater than T"),
    (lambda s: s.assign(frequency=[1.5, 2, 0]), "not a whole number"),
    (lambda s: s.drop(columns="T"), "no column 'T'"),
])
def test_bad_input_is_refused(change, fragment):
    s = pd.DataFrame({"frequency": [1, 2, 0], "recency": [1, 5, 0], "T": [10, 20, 30]}, index=["a", "b", "c"])
    with pytest.raises(InputError, match=fragment):
        ParetoNBD().fit(change(s), time_unit="day")


def test_missing_time_unit_not_fitted_and_bad_horizon(fitted, cdnow):
    with pytest.raises(InputError, match="does not say its time unit"):
        ParetoNBD().fit(cdnow)
    for call in (lambda m: m.p_alive(cdnow), lambda m: m.expected_purchases(cdnow, horizon=5),
                 lambda m: m.expected_purchases_new_customer(horizon=5), lambda m: m.purchase_path(cdnow, periods=2)):
        with pytest.raises(NotFittedError, match="not fitted yet"):
            call(ParetoNBD())
    with pytest.raises(InputError, match="horizon=-5 must be a finite number of at least 0"):
        fitted[0].expected_purchases(cdnow, horizon=-5)
    with pytest.raises(InputError, match="periods"):
        fitted[0].purchase_path(cdnow, periods=0)
