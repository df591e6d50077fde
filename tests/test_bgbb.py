"""The BG/BB model against the paper it comes from (Fader, Hardie & Shang 2010: the donations data, their
estimates and log-likelihood), lifetimes' BetaGeoBetaBinomFitter, the model's story summed over every drop-out
occasion and every path and integrated numerically, finite differences, and planted parameters."""
import itertools

import numpy as np
import pandas as pd
import pytest
from lifetimes import BetaGeoBetaBinomFitter
from lifetimes.datasets import load_donations
from scipy import integrate
from scipy.optimize import approx_fprime
from scipy.special import beta as beta_function

from retention_kit.clv import NotFittedError, bgbb
from retention_kit.clv.bgbb import BetaGeoBetaBinom, bgbb_summary
from retention_kit.validation import InputError


@pytest.fixture(scope="module")
def donations():
    return load_donations().rename(columns={"periods": "n_periods"})


@pytest.fixture(scope="module")
def fitted(donations):
    d = donations
    ref = BetaGeoBetaBinomFitter().fit(d["frequency"], d["recency"], d["n_periods"], weights=d["weights"])
    return BetaGeoBetaBinom().fit(d), ref


def expectation(f, a, b, g, d):
    """E[f(p, theta)] for p ~ Beta(a, b), theta ~ Beta(g, d), by nested adaptive quadrature (the Beta densities'
    endpoint singularities handled by quad's algebraic weight)."""
    def inner(theta):
        return integrate.quad(lambda p: f(p, theta), 0, 1, weight="alg", wvar=(a - 1, b - 1), epsabs=0,
                              epsrel=1e-11)[0]
    outer = integrate.quad(inner, 0, 1, weight="alg", wvar=(g - 1, d - 1), epsabs=0, epsrel=1e-11)[0]
    return outer / (beta_function(a, b) * beta_function(g, d))


def story_likelihood(x, tx, n):
    """P(one history with x transactions, the last at occasion t_x, in occasions 1..n | p, theta): at the beginning
    of each occasion an active customer becomes inactive with probability theta (inactive from occasion tau on,
    P(tau) = theta (1 - theta)^(tau - 1)); while active they transact with probability p."""
    def f(p, theta):
        total = (1 - theta) ** n * p ** x * (1 - p) ** (n - x)            # still active at occasion n
        for tau in range(1, n + 1):                                        # every possible drop-out occasion
            if tau - 1 >= tx:                                              # active at every transaction
                total += theta * (1 - theta) ** (tau - 1) * p ** x * (1 - p) ** (tau - 1 - x)
        return total
    return f


def test_the_paper_s_estimates_and_log_likelihood(fitted):
    model, _ = fitted
    # Fader, Hardie & Shang (2010), section 4: alpha = 1.204, beta = 0.750, gamma = 0.657, delta = 2.783, LL = -33,225.6
    assert model.params_.round(3).tolist() == [1.204, 0.750, 0.657, 2.783]
    assert round(model.log_likelihood_, 1) == -33225.6
    assert model.n_customers_ == 11104 and model.time_unit_ is None
    assert "11,104 customers, time in occasions" in repr(model)


def test_agrees_with_lifetimes_in_parameters_and_predictions(fitted, donations):
    model, ref = fitted
    f, r, n = donations["frequency"], donations["recency"], donations["n_periods"]
    assert np.max(np.abs(model.params_ / ref.params_[model.params_.index] - 1)) < 1e-3
    assert model.log_likelihood_ == pytest.approx(-ref._negative_log_likelihood_ * 11104, rel=1e-6)
    expected_x = ref.expected_number_of_transactions_in_first_n_periods(6)["model"]
    for ours, rtol in ((model, 1e-3), (model.with_params(ref.params_[list(model._param_names)]), 1e-8)):
        np.testing.assert_allclose(ours.expected_purchases(donations, occasions=10),
                                   ref.conditional_expected_number_of_purchases_up_to_time(10, f, r, n), rtol=rtol)
        np.testing.assert_allclose(ours.p_alive(donations), ref.conditional_probability_alive(1, f, r, n), rtol=rtol)
        np.testing.assert_allclose(ours.purchase_count_probabilities(occasions=6) * 11104, expected_x, rtol=rtol)
        assert float(ours.expected_purchases_new_customer(occasions=6)) == pytest.approx(
            (expected_x.index.to_numpy() * expected_x).sum() / 11104, rel=rtol)
        path = ours.purchase_path(donations, periods=10)
        for k in (1, 4, 10):
            np.testing.assert_allclose(path[k], ref.conditional_expected_number_of_purchases_up_to_time(k, f, r, n),
                                       rtol=rtol)


def test_likelihood_and_predictions_are_integrals_of_the_model_s_story(fitted, donations):
    model, _ = fitted
    a, b, g, d = model.params_
    brute = sum(w * np.log(expectation(story_likelihood(x, tx, n), a, b, g, d))
                for x, tx, n, w in donations[["frequency", "recency", "n_periods", "weights"]].to_numpy())
    assert model.log_likelihood_ == pytest.approx(brute, rel=1e-9)
    # longer histories, at other parameters (one below 1): P(active at n + 1) and expected transactions in 5 more
    planted = model.with_params([0.8, 2.5, 1.7, 0.6])
    a, b, g, d = planted.params_
    histories = pd.DataFrame({"frequency": [0, 1, 3, 3, 12], "recency": [0, 9, 4, 12, 12], "n_periods": 12})
    alive = planted.p_alive(histories)
    future = planted.expected_purchases(histories, occasions=5)
    for i, (x, tx, n) in enumerate(histories.to_numpy()):
        likelihood = expectation(story_likelihood(x, tx, n), a, b, g, d)
        alive_next = expectation(lambda p, th: (1 - th) ** (n + 1) * p ** x * (1 - p) ** (n - x), a, b, g, d)
        buys = expectation(lambda p, th: sum((1 - th) ** (n + k) * p for k in range(1, 6)) * p ** x
                           * (1 - p) ** (n - x), a, b, g, d)
        assert alive.iloc[i] == pytest.approx(alive_next / likelihood, rel=1e-8)
        assert future.iloc[i] == pytest.approx(buys / likelihood, rel=1e-8)


def test_count_probabilities_are_the_sum_over_every_path(fitted):
    model, _ = fitted
    a, b, g, d = model.params_
    n = 6
    paths = np.array(list(itertools.product([0, 1], repeat=n)))              # all 2^6 transaction patterns
    ones = paths.sum(axis=1)
    last = np.where(ones > 0, n - np.argmax(paths[:, ::-1], axis=1), 0)

    def path_probabilities(p, theta):
        prob = (1 - theta) ** n * p ** ones * (1 - p) ** (n - ones)
        for tau in range(1, n + 1):                                            # inactive from occasion tau on
            active = last <= tau - 1                                           # active at every transaction
            prob = prob + np.where(active, theta * (1 - theta) ** (tau - 1) * p ** ones
                                   * (1 - p) ** np.where(active, tau - 1 - ones, 0), 0.0)
        return prob
    assert expectation(lambda p, th: path_probabilities(p, th).sum(), a, b, g, d) == pytest.approx(1, rel=1e-9)
    brute = [expectation(lambda p, th, x=x: path_probabilities(p, th)[ones == x].sum(), a, b, g, d)
             for x in range(n + 1)]
    probabilities = model.purchase_count_probabilities(occasions=n)
    assert list(probabilities.index) == list(range(n + 1))
    np.testing.assert_allclose(probabilities, brute, rtol=1e-8)
    assert probabilities.sum() == pytest.approx(1, abs=1e-12)
    long = model.purchase_count_probabilities(occasions=200)
    assert np.all(np.isfinite(long)) and long.sum() == pytest.approx(1, abs=1e-10)
    assert model.purchase_count_probabilities(occasions=0).tolist() == [1.0]


def test_weighted_fit_equals_the_fit_on_expanded_rows(fitted, donations):
    model, _ = fitted
    rows = donations.loc[donations.index.repeat(donations["weights"])].drop(columns="weights")
    rows = rows.sample(frac=1, random_state=3).reset_index(drop=True)        # one row per donor, shuffled
    expanded = BetaGeoBetaBinom().fit(rows)
    np.testing.assert_allclose(expanded.params_, model.params_, rtol=1e-6)
    np.testing.assert_allclose(expanded.standard_errors_, model.standard_errors_, rtol=1e-4)
    assert expanded.log_likelihood_ == pytest.approx(model.log_likelihood_, rel=1e-10)
    assert expanded.n_customers_ == model.n_customers_


def simulate(alpha, beta, gamma, delta, n_periods, rng):
    """0/1 occasions of donors from the model's story; missing after each donor's last observed occasion."""
    size, longest = len(n_periods), int(n_periods.max())
    p, theta = rng.beta(alpha, beta, size), rng.beta(gamma, delta, size)
    inactive_from = rng.geometric(theta)                                      # P(tau) = theta (1 - theta)^(tau - 1)
    occasion = np.arange(1, longest + 1)
    buys = (rng.random((size, longest)) < p[:, None]) & (occasion < inactive_from[:, None])
    return pd.DataFrame(np.where(occasion <= n_periods[:, None], buys.astype(float), np.nan))


def test_the_gradient_is_the_finite_difference_of_the_likelihood(donations):
    rng = np.random.default_rng(4)
    frame = simulate(0.9, 1.5, 0.7, 2.0, rng.integers(0, 15, 400), rng)
    for summary in (donations, bgbb_summary(frame)):
        data = bgbb._Patterns(*(summary[c].to_numpy(float) for c in ["frequency", "recency", "n_periods", "weights"]))
        for point in (np.log([1.2, 0.75, 0.66, 2.8]), np.log([0.3, 4.0, 2.5, 0.4])):
            fd = approx_fprime(point, lambda z: bgbb._bgbb_nll(z, data, 0.01)[0], 1e-7)
            np.testing.assert_allclose(bgbb._bgbb_nll(point, data, 0.01)[1], fd, atol=1e-6)


def test_planted_parameters_are_recovered_from_simulated_donors():
    rng = np.random.default_rng(2010)
    truth = np.array([0.9, 1.6, 0.8, 3.5])
    n_periods = rng.integers(1, 16, 20000)                                    # cohorts acquired over 15 drives
    frame = simulate(*truth, n_periods, rng)
    summary = bgbb_summary(frame)
    # the summary against x, t_x and n read directly off the simulated table
    ones = frame.to_numpy() == 1
    direct = pd.DataFrame({"frequency": ones.sum(axis=1),
                           "recency": [max(np.flatnonzero(row) + 1, default=0) for row in ones],
                           "n_periods": n_periods}).value_counts().sort_index()
    assert summary.set_index(["frequency", "recency", "n_periods"])["weights"].to_dict() == direct.to_dict()
    model = BetaGeoBetaBinom().fit(summary)
    assert model.n_customers_ == 20000
    assert np.all(np.abs(model.params_.to_numpy() - truth) < 3 * model.standard_errors_.to_numpy()), (
        model.params_, model.standard_errors_)


def test_two_hundred_occasions_fit_without_overflow():
    rng = np.random.default_rng(9)
    truth = np.array([1.5, 3.0, 0.6, 8.0])
    model = BetaGeoBetaBinom().fit(bgbb_summary(simulate(*truth, np.full(3000, 200), rng)))
    assert np.all(np.isfinite(model.params_)) and np.isfinite(model.log_likelihood_)
    assert np.all(np.abs(model.params_.to_numpy() - truth) < 4 * model.standard_errors_.to_numpy())
    heavy = pd.DataFrame({"frequency": [0, 1, 100, 200], "recency": [0, 1, 190, 200], "n_periods": 200})
    for values in (model.p_alive(heavy), model.expected_purchases(heavy, occasions=300)):
        assert np.all(np.isfinite(values)) and np.all(values >= 0)


def test_bad_input_is_refused_with_the_column_and_the_fix(donations):
    good = pd.DataFrame({"frequency": [0, 2, 1], "recency": [0, 3, 2], "n_periods": [6, 6, 6]}, index=[7, 8, 9])
    cases = [({"n_periods": [6, 2, 6]}, r"column 'recency' has 3 at row 8, above n_periods.*Fix"),
             ({"frequency": [0, 4, 1]}, r"column 'frequency' has 4 at row 8, above recency.*Fix"),
             ({"recency": [1, 3, 2]}, r"column 'recency' has 1 at row 7, inconsistent with frequency.*Fix"),
             ({"frequency": [0, 1.5, 1]}, r"column 'frequency' has 1.5 at row 8.*whole numbers.*Fix"),
             ({"frequency": [0, np.nan, 1]}, r"column 'frequency' has nan at row 8"),
             ({"n_periods": [6, -1, 6]}, r"column 'n_periods' has -1 at row 8"),
             ({"weights": [1, 0, 3]}, r"column 'weights' has 0 at row 8.*at least 1")]
    for change, message in cases:
        with pytest.raises(InputError, match=message):
            BetaGeoBetaBinom().fit(good.assign(**change))
    with pytest.raises(InputError, match="no column 'n_periods'.*rename it to 'n_periods'"):
        BetaGeoBetaBinom().fit(load_donations())
    with pytest.raises(InputError, match="n_periods = 0"):
        BetaGeoBetaBinom().fit(pd.DataFrame({"frequency": [0], "recency": [0], "n_periods": [0]}))
    model = BetaGeoBetaBinom()
    for call in (lambda: model.p_alive(good), lambda: model.expected_purchases_new_customer(occasions=3),
                 lambda: model.purchase_count_probabilities(occasions=3), lambda: model.purchase_path(good, periods=2)):
        with pytest.raises(NotFittedError, match="not fitted yet"):
            call()
    model.fit(donations)
    with pytest.raises(InputError, match="occasions=2.5 must be a whole number"):
        model.expected_purchases(good, occasions=2.5)
    with pytest.raises(InputError, match="periods=0 must be a whole number of at least 1"):
        model.purchase_path(good, periods=0)
    with pytest.raises(InputError, match="occasions=-1"):
        model.purchase_count_probabilities(occasions=-1)
    assert model.expected_purchases(good, occasions=0).tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(InputError, match="column 'b' has 2 at row 1.*1 \\(transacted\\) or 0"):
        bgbb_summary(pd.DataFrame({"a": [1, 0], "b": [0, 2]}))
    with pytest.raises(InputError, match="column 'b' has 1 at row 0, an observed occasion after a missing one"):
        bgbb_summary(pd.DataFrame({"a": [np.nan, 0], "b": [1, 0]}))
