"""The MBG/NBD model against lifetimes' ModifiedBetaGeoFitter (same fit, same predictions), the likelihood and
the expectations written from the model's assumptions and integrated numerically, finite-difference gradients,
and parameters planted in customers simulated here."""
import numpy as np
import pandas as pd
import pytest
from lifetimes import ModifiedBetaGeoFitter
from lifetimes.datasets import load_cdnow_summary
from scipy import integrate, special
from scipy.optimize import approx_fprime

import retention_kit as rk
from retention_kit.clv import ConvergenceError, NotFittedError
from retention_kit.clv.bgnbd import _BGData
from retention_kit.clv.mbgnbd import ModifiedBetaGeo, _mbgnbd_nll
from retention_kit.validation import InputError


def simulate(n, r, alpha, a, b, horizon, rng):
    """Customers of the MBG/NBD model joining uniformly over ``horizon`` (continuous time): after the first
    purchase and after each repeat purchase the customer leaves with probability p; while active, purchases
    arrive at rate lambda."""
    lam, p = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    T = rng.uniform(0, horizon, n)
    x, tx, now = np.zeros(n), np.zeros(n), np.zeros(n)
    active = rng.random(n) >= p                               # the drop-out right after the first purchase
    while active.any():
        now[active] += rng.exponential(1 / lam[active])
        active &= now <= T
        x[active] += 1
        tx[active] = now[active]
        active &= rng.random(n) >= p                          # the drop-out after each repeat purchase
    summary = pd.DataFrame({"frequency": x, "recency": tx, "T": T})
    summary.attrs["time_unit"] = "day"
    return summary


@pytest.fixture(scope="module")
def coffee():
    return rk.rfm_summary(rk.datasets.load_coffee_transactions(), observation_period_end="2026-01-01")


@pytest.fixture(scope="module")
def cdnow():
    return load_cdnow_summary()[["frequency", "recency", "T"]]        # weeks; no attrs: pass time_unit


@pytest.fixture(scope="module", params=["cdnow", "coffee"])
def fitted(request, coffee, cdnow):
    summary, unit = (cdnow, "week") if request.param == "cdnow" else (coffee, None)
    ours = ModifiedBetaGeo().fit(summary, time_unit=unit)
    ref = ModifiedBetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    return summary, ours, ref


@pytest.fixture(scope="module")
def long_histories():
    # up to x = 500 repeat purchases and T = 1500 days: frequent buyers who rarely leave
    summary = simulate(3000, r=3.0, alpha=8.0, a=0.9, b=60.0, horizon=1500, rng=np.random.default_rng(5))
    return summary[summary["frequency"] <= 500]


def test_parameters_and_standard_errors_agree_with_lifetimes(fitted):
    summary, ours, ref = fitted
    np.testing.assert_allclose(ours.params_, ref.params_[ours.params_.index], rtol=1e-3)
    np.testing.assert_allclose(ours.standard_errors_, ref.standard_errors_[ours.params_.index], rtol=1e-3)
    # lifetimes reports the log-likelihood on time divided by the largest T; the likelihood is a density in
    # the x purchase times, so in the data's own unit it is that + sum(x) log(scale)
    scale = ref._scale
    assert ours.log_likelihood_ == pytest.approx(-ref._negative_log_likelihood_ * len(summary)
                                                 + summary["frequency"].sum() * np.log(scale), rel=1e-6)


def test_predictions_agree_with_lifetimes_at_the_same_parameters(fitted):
    summary, ours, ref = fitted
    model = ours.with_params(ref.params_[ours.params_.index])
    assert model.params_["a"] < 1                             # both data sets: the a < 1 case, E[1/p] infinite
    f, rec, T = summary["frequency"], summary["recency"], summary["T"]
    # the brief asks 1e-3; at equal parameters they agree far closer
    np.testing.assert_allclose(model.p_alive(summary), ref.conditional_probability_alive(f, rec, T), rtol=1e-6)
    for horizon in (1, 10, 52, 365):
        np.testing.assert_allclose(model.expected_purchases(summary, horizon=horizon),
                                   ref.conditional_expected_number_of_purchases_up_to_time(horizon, f, rec, T),
                                   rtol=1e-6)
        assert model.expected_purchases_new_customer(horizon=horizon).value == pytest.approx(
            ref.expected_number_of_purchases_up_to_time(horizon), rel=1e-6)
    unit, length = ("year", 365.25 / 7) if model.time_unit_ == "week" else ("month", 365.25 / 12)
    path = model.purchase_path(summary, periods=3, time_unit=unit)
    for k in (1, 2, 3):
        np.testing.assert_allclose(path[k], ref.conditional_expected_number_of_purchases_up_to_time(
            k * length, f, rec, T), rtol=1e-6)


def test_the_likelihood_is_the_integral_of_the_model_over_lambda_and_p():
    # the model from its assumptions, for one customer with rate lambda and drop-out chance p: still active at T
    # (kept at time 0 and after each of x purchases; no purchase in (t_x, T]), or gone right after the purchase
    # at t_x (time 0 when x = 0). Both parts factor into an integral over lambda times one over p.
    def brute_force(x, tx, T, r, alpha, a, b):
        def over_lambda(end):
            return integrate.quad(lambda lam: lam ** x * np.exp(-lam * end) * gamma_density(lam, r, alpha),
                                  0, np.inf, epsabs=0, epsrel=1e-10)[0]

        def over_p(f):
            return integrate.quad(f, 0, 1, weight="alg", wvar=(a - 1, b - 1), epsabs=0,
                                  epsrel=1e-10)[0] / special.beta(a, b)
        return (over_p(lambda p: (1 - p) ** (x + 1)) * over_lambda(T)
                + over_p(lambda p: p * (1 - p) ** x) * over_lambda(tx))

    for params in ([0.8, 5.0, 0.7, 2.5], [2.0, 12.0, 1.6, 0.9]):
        for x, tx, T in [(0, 0.0, 20.0), (0, 0.0, 0.0), (1, 3.0, 10.0), (4, 17.5, 30.0), (12, 29.0, 30.0)]:
            data = _BGData(np.array([x], float), np.array([tx]), np.array([T]))
            assert np.exp(-_mbgnbd_nll(np.log(params), data, 0.0)[0]) == pytest.approx(
                brute_force(x, tx, T, *params), rel=1e-7)


def gamma_density(lam, r, alpha):
    """Gamma(shape r, rate alpha) density, written out (scipy.stats' pdf is slow inside nested quad)."""
    return np.exp(r * np.log(alpha) + (r - 1) * np.log(lam) - alpha * lam - special.gammaln(r))


def over_lambda_and_p(f, r, alpha, a, b):
    """E[f(lambda, p)] for lambda ~ Gamma(r, rate alpha), p ~ Beta(a, b), by nested numerical integration (the
    Beta density's p^(a-1) (1-p)^(b-1) as quad's algebraic weight, exact at the singular ends)."""
    def over_lambda(p):
        return integrate.quad(lambda lam: f(lam, p) * gamma_density(lam, r, alpha), 0, np.inf,
                              epsabs=0, epsrel=1e-11)[0]
    return integrate.quad(over_lambda, 0, 1, weight="alg", wvar=(a - 1, b - 1), epsabs=0,
                          epsrel=1e-10)[0] / special.beta(a, b)


def bought(lam, p, t):
    """Expected purchases in t of an active customer with rate lam who leaves after a purchase with chance p: the
    Poisson purchases up to the first one after which they leave, lam E[min(t, Exp(lam p))]."""
    return -np.expm1(-lam * p * t) / p if p > 0 else lam * t


def active_purchases(t, x, T, r, alpha, a, b):
    """E[(1 - exp(-lambda p t)) / p | active at T] by numerical integration over p ~ Beta(a, b + x + 1), the
    posterior of an active customer; over lambda ~ Gamma(r + x, alpha + T) in closed form, E[exp(-lambda p t)] =
    (1 + p t/(alpha + T))^-(r + x). p = u^(1/a) takes out the p^(a - 1) singularity; the integral is split where
    the integrand turns (p t/(alpha + T) = 1/(r + x)) and around the posterior's mean."""
    s, R, bb = t / (alpha + T), r + x, b + x + 1
    log_norm = np.log(a) + special.betaln(a, bb)

    def integrand(u):
        p = u ** (1 / a)
        h = -np.expm1(-R * np.log1p(p * s)) / p if p > 0 else R * s
        return h * np.exp((bb - 1) * np.log1p(-p) - log_norm)
    mean = a / (a + bb)
    knots = sorted({0.0, 1.0, *np.clip(np.array([1 / (R * s), mean / 10, mean, 10 * mean]) ** a, 0, 1)})
    return sum(integrate.quad(integrand, lo, hi, epsabs=0, epsrel=1e-12, limit=200)[0]
               for lo, hi in zip(knots[:-1], knots[1:]))


def brute_expectation(t, x, tx, T, r, alpha, a, b):
    """E[repeat purchases in (T, T + t] | x, t_x, T] and P(active at T | x, t_x, T) from the model's assumptions:
    active at T (kept at time 0 and after each of x purchases, none in (t_x, T]) or gone right after the purchase
    at t_x; an active customer buys until the purchase after which they leave, E = (1 - exp(-lambda p t)) / p."""
    def active_weight(lam, p):
        return (1 - p) ** (x + 1) * lam ** x * np.exp(-lam * T)
    active = over_lambda_and_p(active_weight, r, alpha, a, b)
    gone = over_lambda_and_p(lambda lam, p: p * (1 - p) ** x * lam ** x * np.exp(-lam * tx), r, alpha, a, b)
    future = over_lambda_and_p(lambda lam, p: active_weight(lam, p) * bought(lam, p, t), r, alpha, a, b)
    return future / (active + gone), active / (active + gone)


@pytest.mark.parametrize("a", [0.6, 1.0, 2.5])
def test_expectations_are_the_integrals_of_the_model_also_for_a_up_to_1(a, coffee):
    r, alpha, b = 0.9, 6.0, 3.0
    model = ModifiedBetaGeo().fit(coffee).with_params([r, alpha, a, b])
    history = pd.DataFrame({"frequency": [0, 3], "recency": [0.0, 12.0], "T": [20.0, 25.0]})
    for t in (2.0, 40.0):
        expected, alive = zip(*(brute_expectation(t, x, tx, T, r, alpha, a, b) for x, tx, T in history.to_numpy()))
        np.testing.assert_allclose(model.expected_purchases(history, horizon=t, time_unit="day"), expected, rtol=1e-6)
        np.testing.assert_allclose(model.p_alive(history), alive, rtol=1e-6)
        # a new customer: kept at time 0 with chance 1 - p, then (1 - exp(-lambda p t)) / p
        new = over_lambda_and_p(lambda lam, p: (1 - p) * bought(lam, p, t), r, alpha, a, b)
        assert model.expected_purchases_new_customer(horizon=t, time_unit="day").value == pytest.approx(new, rel=1e-6)


def test_gradients_match_finite_differences(coffee, long_histories):
    for s, span in ((coffee, 730.0), (long_histories, 1500.0)):
        d = _BGData(s["frequency"].to_numpy(), s["recency"].to_numpy() / span, s["T"].to_numpy() / span)
        for point in (np.log([0.5, 0.02, 0.7, 3.0]), np.log([1.5, 0.2, 2.0, 0.5]), np.log([3.0, 0.01, 0.9, 60.0])):
            fd = approx_fprime(point, lambda z: _mbgnbd_nll(z, d, 0.01)[0], 1e-7)
            np.testing.assert_allclose(_mbgnbd_nll(point, d, 0.01)[1], fd, atol=2e-5)


def test_planted_parameters_are_recovered_from_simulated_customers():
    truth = {"r": 0.7, "alpha": 9.0, "a": 0.8, "b": 2.5}           # alpha in days; a < 1 as fits of real data give
    summary = simulate(30000, **truth, horizon=730, rng=np.random.default_rng(11))
    model = ModifiedBetaGeo().fit(summary)
    for name, value in truth.items():
        assert abs(model.params_[name] - value) < 3 * model.standard_errors_[name], (name, model.params_[name])


def test_long_histories_fit_and_predict_finitely_and_match_the_integral(long_histories):
    s = long_histories
    assert s["frequency"].max() > 400 and s["T"].max() > 1400
    model = ModifiedBetaGeo().fit(s)
    assert np.all(np.isfinite(model.params_)) and np.all(np.isfinite(model.standard_errors_))
    alive = model.p_alive(s)
    assert alive.between(0, 1).all()
    for horizon in (1, 365, 3650):
        assert np.isfinite(model.expected_purchases(s, horizon=horizon)).all()
    assert np.isfinite(model.purchase_path(s, periods=24, time_unit="month").to_numpy()).all()
    assert np.isfinite(model.expected_purchases_new_customer(horizon=3650).value)
    # the longest histories against the expectation integrated over p, E over lambda ~ Gamma(r + x, alpha + T) in
    # closed form: E[exp(-lambda p t)] = (1 + p t/(alpha + T))^-(r + x)
    r, alpha, a, b = model.params_
    top = s.nlargest(3, "frequency")
    for horizon in (30.0, 3650.0):
        for x, tx, T in top[["frequency", "recency", "T"]].to_numpy():
            alive_part = active_purchases(horizon, x, T, r, alpha, a, b)
            log_odds = np.log(a / (b + x)) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
            want = alive_part / (1 + np.exp(log_odds))
            got = model.expected_purchases(pd.DataFrame({"frequency": [x], "recency": [tx], "T": [T]}),
                                           horizon=horizon, time_unit="day").iloc[0]
            assert got == pytest.approx(want, rel=1e-7)


def test_identical_customers_weigh_as_their_count(long_histories):
    # rows are compressed into (distinct history, count): three copies of every customer is the same likelihood
    # three times over, so the same estimate, 3 x the log-likelihood and standard errors / sqrt(3)
    one = ModifiedBetaGeo().fit(long_histories)
    three = ModifiedBetaGeo().fit(pd.concat([long_histories] * 3).reset_index(drop=True), time_unit="day")
    np.testing.assert_allclose(three.params_, one.params_, rtol=1e-5)
    assert three.log_likelihood_ == pytest.approx(3 * one.log_likelihood_, rel=1e-9)
    np.testing.assert_allclose(three.standard_errors_ * np.sqrt(3), one.standard_errors_, rtol=1e-3)
    # and the compressed likelihood is the mean of each customer's, written out from the published formula
    r, alpha, a, b = one.params_
    x, tx, T = (long_histories[c].to_numpy() for c in ("frequency", "recency", "T"))
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) - special.betaln(a, b)
    active = special.betaln(a, b + x + 1) + common - (r + x) * np.log(alpha + T)
    gone = special.betaln(a + 1, b + x) + common - (r + x) * np.log(alpha + tx)
    assert one.log_likelihood_ == pytest.approx(np.logaddexp(active, gone).sum(), rel=1e-10)


@pytest.mark.parametrize("change, fragment", [
    (lambda s: s.assign(frequency=[-1, 2, 0]), "frequency is negative"),
    (lambda s: s.assign(recency=[1, 50, 0]), "recency is greater than T"),
    (lambda s: s.assign(frequency=[1.5, 2, 0]), "not a whole number"),
    (lambda s: s.assign(recency=[1, 5, 3]), "recency is not 0 while frequency is 0"),
    (lambda s: s.drop(columns="T"), "no column 'T'"),
    (lambda s: s.assign(T=[10, None, 30]), "missing, infinite or non-numeric"),
    (lambda s: s.assign(T=[0, 0, 0], recency=[0, 0, 0]), "every customer has T = 0"),
])
def test_bad_input_is_refused_with_the_fix(change, fragment):
    s = pd.DataFrame({"frequency": [1, 2, 0], "recency": [1, 5, 0], "T": [10, 20, 30]}, index=["a", "b", "c"])
    with pytest.raises(InputError, match=fragment):
        ModifiedBetaGeo().fit(change(s), time_unit="day")


def test_arguments_units_and_state_are_checked(coffee):
    history = pd.DataFrame({"frequency": [1], "recency": [1], "T": [2]})
    model = ModifiedBetaGeo()
    for call in (lambda: model.p_alive(history), lambda: model.expected_purchases(history, horizon=5),
                 lambda: model.purchase_path(history, periods=2), lambda: model.expected_purchases_new_customer(horizon=5)):
        with pytest.raises(NotFittedError, match="not fitted yet"):
            call()
    with pytest.raises(InputError, match="does not say its time unit"):
        model.fit(pd.DataFrame(coffee.to_dict("list")))
    with pytest.raises(InputError, match="initial_params"):
        model.fit(coffee, initial_params=[1, 2, 3])
    fitted = ModifiedBetaGeo().fit(coffee)
    weekly = coffee.assign(recency=coffee["recency"] / 7, T=coffee["T"] / 7)
    weekly.attrs["time_unit"] = "week"
    with pytest.raises(InputError, match="summary is in weeks but the model was fitted in days"):
        fitted.p_alive(weekly)
    with pytest.raises(InputError, match="horizon=-5 must be a finite number of at least 0"):
        fitted.expected_purchases(coffee, horizon=-5)
    with pytest.raises(InputError, match="periods"):
        fitted.purchase_path(coffee, periods=0)
    # MBG/NBD is scale-free: the same customers in weeks give alpha / 7 and the same predictions per day
    by_week = ModifiedBetaGeo().fit(weekly)
    assert by_week.params_["alpha"] == pytest.approx(fitted.params_["alpha"] / 7, rel=1e-4)
    np.testing.assert_allclose(by_week.expected_purchases(weekly, horizon=90, time_unit="day"),
                               fitted.expected_purchases(coffee, horizon=90), rtol=1e-4)


def test_nobody_buying_again_is_a_convergence_error_with_advice():
    s = pd.DataFrame({"frequency": [0] * 50, "recency": [0] * 50, "T": np.linspace(10, 300, 50)})
    with pytest.raises(ConvergenceError, match="penalizer"):
        ModifiedBetaGeo().fit(s, time_unit="day")


@pytest.mark.parametrize("params, x, tx, T, horizon", [
    ([0.7, 9.0, 1 + 1e-7, 2.5], 3, 40.0, 100.0, 365.0),           # a at the removable singularity a = 1
    ([0.7, 9.0, 1 - 3e-6, 2.5], 0, 0.0, 0.0, 0.001),               # ... with a tiny horizon
    ([0.7, 0.05, 0.5, 3000.0], 1, 0.5, 1.0, 2000.0),               # z = t/(alpha + T + t) near 1, large b
    ([700.0, 9.0, 0.8, 2.5], 5, 50.0, 60.0, 10.0),                 # r far above a + b: alternating series
    ([3.0, 8.0, 0.9, 60.0], 2000, 1400.0, 1500.0, 3650.0),         # r + x in the thousands
])
def test_expected_purchases_where_the_hypergeometric_function_is_hard(params, x, tx, T, horizon, coffee):
    model = ModifiedBetaGeo().fit(coffee).with_params(params)
    r, alpha, a, b = params
    alive_part = active_purchases(horizon, x, T, r, alpha, a, b)
    want = alive_part / (1 + a / (b + x) * np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + tx))))
    got = model.expected_purchases(pd.DataFrame({"frequency": [x], "recency": [tx], "T": [T]}), horizon=horizon,
                                   time_unit="day").iloc[0]
    assert got == pytest.approx(want, rel=1e-7)
