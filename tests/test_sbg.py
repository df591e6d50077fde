"""The shifted-beta-geometric model against the paper it comes from (Fader & Hardie 2007, Table 1 and the
estimates they report), a brute-force sum, the likelihood written out, and planted parameters."""
import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from retention_kit.clv import NotFittedError, ShiftedBetaGeometric
from retention_kit.validation import InputError

# Fader & Hardie (2007), "How to project customer retention", Table 1: customers of a 1,000-customer cohort
# still active at the start of years 0-12. The paper fits years 0-7 and reports these estimates.
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]


@pytest.mark.parametrize("counts,alpha,beta", [(REGULAR, 0.704, 1.182), (HIGH_END, 0.668, 3.806)])
def test_the_paper_s_estimates_from_its_first_seven_years(counts, alpha, beta):
    model = ShiftedBetaGeometric().fit(counts[:8])
    assert model.params_.round(3).tolist() == [alpha, beta]


def test_the_projection_covers_the_years_the_paper_held_back():
    projection = ShiftedBetaGeometric().fit(REGULAR[:8]).project(1000, 12)
    held_back = projection.loc[8:12]
    assert ((held_back["ci_low"] <= REGULAR[8:]) & (np.array(REGULAR[8:]) <= held_back["ci_high"])).all()
    assert np.abs(held_back["expected"] / REGULAR[8:] - 1).max() < 0.03        # within 3% five years out


def test_the_likelihood_is_the_sum_over_customers_written_out():
    counts = np.array(REGULAR[:8], dtype=float)
    model = ShiftedBetaGeometric().fit(counts)
    a, b = model.params_

    def p_leave(t):                                    # P(T = t) as an integral over theta ~ Beta(a, b)
        return integrate.quad(lambda th: th * (1 - th) ** (t - 1) * stats.beta.pdf(th, a, b), 0, 1)[0]
    survive = integrate.quad(lambda th: (1 - th) ** 7 * stats.beta.pdf(th, a, b), 0, 1)[0]
    ll = sum((counts[t - 1] - counts[t]) * np.log(p_leave(t)) for t in range(1, 8)) + counts[7] * np.log(survive)
    assert model.log_likelihood_ == pytest.approx(ll, rel=1e-6)


def test_several_cohorts_fit_jointly_as_their_customers_would():
    joint = ShiftedBetaGeometric().fit([REGULAR[:8], HIGH_END[:5]])
    rows = []
    for counts in (REGULAR[:8], HIGH_END[:5]):
        for t in range(1, len(counts)):
            rows += [(t, True)] * (counts[t - 1] - counts[t])
        rows += [(len(counts) - 1, False)] * counts[-1]
    per_customer = ShiftedBetaGeometric().fit_customers(pd.DataFrame(rows, columns=["periods", "churned"]))
    assert per_customer.params_.to_numpy() == pytest.approx(joint.params_.to_numpy(), rel=1e-6)
    assert per_customer.log_likelihood_ == pytest.approx(joint.log_likelihood_, rel=1e-9)


def test_planted_parameters_are_recovered_from_customers_joining_over_time():
    rng = np.random.default_rng(7)
    alpha, beta, n = 1.3, 4.0, 20000
    theta = rng.beta(alpha, beta, n)
    leaves_in = rng.geometric(theta)                      # the period in which each customer would leave
    observed = rng.integers(1, 25, n)                     # periods each customer can be followed (joined later)
    life = pd.DataFrame({"periods": np.minimum(leaves_in, observed), "churned": leaves_in <= observed})
    model = ShiftedBetaGeometric().fit_customers(life)
    assert np.all(np.abs(model.params_.to_numpy() - [alpha, beta]) < 4 * model.standard_errors_.to_numpy())


def test_retention_rises_and_survival_is_its_product():
    model = ShiftedBetaGeometric().fit(HIGH_END[:8])
    rates = model.retention_rate(np.arange(1, 13))
    assert np.all(np.diff(rates) > 0)                     # heterogeneity: the likely leavers go first
    assert model.survival(12) == pytest.approx(np.prod(rates))


def test_derl_is_the_discounted_sum_of_survival():
    model = ShiftedBetaGeometric().fit(REGULAR[:8])
    d, k = 0.1, np.arange(0, 4000)
    for renewals in (0, 1, 4, 10):
        n = renewals + 1
        brute = np.sum(model.survival(n + k) / model.survival(n - 1) / (1 + d) ** k)
        assert model.derl(renewals, discount_rate=d) == pytest.approx(brute, rel=1e-9)
    assert np.all(np.diff(model.derl(np.arange(10), discount_rate=d)) > 0)   # a long-tenured customer is worth more


def test_bad_input_is_refused_with_the_fix():
    with pytest.raises(InputError, match="rises at period 2"):
        ShiftedBetaGeometric().fit([1000, 600, 650])
    with pytest.raises(InputError, match="at least two numbers"):
        ShiftedBetaGeometric().fit([1000])
    with pytest.raises(InputError, match="whole numbers"):
        ShiftedBetaGeometric().fit([1000, 600.5])
    with pytest.raises(InputError, match=r"active\[1\]"):
        ShiftedBetaGeometric().fit([[1000, 600], [10, 20]])
    with pytest.raises(InputError, match="churned customer has periods = 0"):
        ShiftedBetaGeometric().fit_customers(pd.DataFrame({"periods": [0, 2], "churned": [True, False]}))
    with pytest.raises(NotFittedError, match="fit"):
        ShiftedBetaGeometric().survival(3)
    with pytest.raises(InputError, match="discount_rate"):
        ShiftedBetaGeometric().fit(REGULAR[:8]).derl(1, discount_rate=0)


def test_the_interval_with_chance_covers_cohorts_drawn_from_planted_parameters():
    rng = np.random.default_rng(11)
    covered, covered_mean_only = 0, 0
    for _ in range(40):
        theta = rng.beta(1.0, 3.0, 1000)
        leaves_in = rng.geometric(theta)                          # the period in which each customer leaves
        active = [(leaves_in > t).sum() for t in range(13)]      # active at the start of periods 0..12
        model = ShiftedBetaGeometric().fit(active[:8])
        with_chance = model.project(1000, 12, include_chance=True, n_draws=300, random_state=1).loc[12]
        mean_only = model.project(1000, 12, n_draws=300, random_state=1).loc[12]
        covered += with_chance["ci_low"] <= active[12] <= with_chance["ci_high"]
        covered_mean_only += mean_only["ci_low"] <= active[12] <= mean_only["ci_high"]
    assert covered >= 34                     # 95% intervals: below 34 of 40 has probability about 1%
    assert covered >= covered_mean_only      # the cohort's own chance variation widens the interval
    with pytest.raises(InputError, match="cohort_size=10.5 must be a whole number"):
        ShiftedBetaGeometric().fit(REGULAR[:8]).project(10.5, 3, include_chance=True)
