"""Randomized tests: the result of a two-arm test and the size a test needs, against independent references."""
import numpy as np
import pytest
from scipy import stats

import retention_kit as rk
from retention_kit.experiments import power_two_proportions, sample_size_two_proportions, two_proportion_test


def simulated_power(p_control, p_treatment, n_control, n_treatment, *, trials=20_000, seed=0):
    """Share of simulated tests whose pooled two-sided z-test (written here in numpy) rejects at 5%."""
    rng = np.random.default_rng(seed)
    k_c, k_t = rng.binomial(n_control, p_control, trials), rng.binomial(n_treatment, p_treatment, trials)
    pooled = (k_c + k_t) / (n_control + n_treatment)
    z = (k_t / n_treatment - k_c / n_control) / np.sqrt(pooled * (1 - pooled) * (1 / n_control + 1 / n_treatment))
    return np.mean(np.abs(z) > stats.norm.ppf(0.975))


@pytest.mark.parametrize("p_control, p_treatment, ratio", [(0.10, 0.15, 1.0), (0.30, 0.25, 1.0), (0.20, 0.26, 2.0)])
def test_the_sample_size_gives_the_power_asked_for_in_simulated_tests(p_control, p_treatment, ratio):
    size = sample_size_two_proportions(p_control, p_treatment, power=0.8, ratio=ratio)
    achieved = simulated_power(p_control, p_treatment, size.value, size.n_treatment)
    assert achieved == pytest.approx(0.80, abs=0.015)       # 20,000 trials: the simulation's sd is 0.003


def test_the_textbook_case_and_the_power_at_that_size():
    # 10% against 15%, two-sided 5%, power 80%: 686 per arm without continuity correction (Fleiss et al. 2003)
    assert sample_size_two_proportions(0.10, 0.15).value == 686
    assert power_two_proportions(0.10, 0.15, 686).value >= 0.80 > power_two_proportions(0.10, 0.15, 685).value
    assert power_two_proportions(0.10, 0.15, 686).value == pytest.approx(simulated_power(0.10, 0.15, 686, 686),
                                                                       abs=0.015)


def test_the_effect_and_its_test_agree_with_a_chi_square_on_the_table():
    result = two_proportion_test(60, 500, 40, 500)
    chi2, p, _, _ = stats.chi2_contingency([[60, 440], [40, 460]], correction=False)
    assert result.value == pytest.approx(60 / 500 - 40 / 500)
    assert result.p_value == pytest.approx(p) and result.z ** 2 == pytest.approx(chi2)
    assert result.relative_lift == pytest.approx(0.5) and result.ci[0] < result.value < result.ci[1]


def test_a_sample_ratio_mismatch_is_reported_and_the_effect_still_computed():
    with pytest.warns(rk.DataWarning, match="5,300 and 4,700 customers, 53.0% in treatment against the planned 50%"):
        result = two_proportion_test(800, 5300, 650, 4700)
    assert result.allocation_p_value < 0.001 and result.value == pytest.approx(800 / 5300 - 650 / 4700)
    planned = two_proportion_test(800, 5300, 650, 4700, allocation=0.53)        # a 53/47 plan: no warning
    assert planned.allocation_p_value > 0.5


@pytest.mark.parametrize("call, message", [
    (lambda: two_proportion_test(0, 0, 5, 100), r"n_treatment=0 must be .*An arm without customers tests nothing"),
    (lambda: two_proportion_test(5, 100, 101, 100), "successes_b=101 is more than its group's size 100"),
    (lambda: two_proportion_test(5, 100, 5, 100, allocation=1.0), "allocation=1.0 must lie strictly between 0 and 1"),
    (lambda: sample_size_two_proportions(0.1, 0.1), "p_treatment=0.1 equals p_control: there is no effect"),
    (lambda: sample_size_two_proportions(0.1, 0.2, ratio=0), "ratio=0 must be"),
    (lambda: sample_size_two_proportions(0.1, 0.2, power=1), "power=1 must be"),
    (lambda: power_two_proportions(0.0, 1.0, 100), "shares of exactly 0 or 1 leave no variation"),
])
def test_bad_input_is_refused_with_the_argument_named(call, message):
    with pytest.raises(rk.InputError, match=message):
        call()


def test_control_limits_worked_by_hand():
    from retention_kit.experiments import control_limits
    table = control_limits([10, 12, 8, 10, 30, 44], [100, 100, 100, 100, 100, 400], baseline_periods=4)
    # p0 = 40/400 = 0.1; limits 0.1 +/- 3 sqrt(0.1 x 0.9 / n): 0.01 to 0.19 at n = 100, 0.055 to 0.145 at n = 400
    assert table["centre"].eq(0.1).all()
    assert table[["lower", "upper"]].iloc[0].tolist() == pytest.approx([0.01, 0.19])
    assert table[["lower", "upper"]].iloc[5].tolist() == pytest.approx([0.055, 0.145])
    assert table["signal"].tolist() == [False, False, False, False, True, False]
    assert not table.loc[table["baseline"], "outside"].any()


def test_a_stable_rate_crosses_its_limits_as_often_as_the_binomial_says():
    """Periods from a steady 5% churn: the share outside the limits matches the exact binomial tail (scipy)."""
    from retention_kit.experiments import control_limits
    rng = np.random.default_rng(3)
    n = np.full(4200, 400)
    table = control_limits(rng.binomial(n, 0.05), n, baseline_periods=200)
    watched = table[~table["baseline"]]
    lower, upper = watched["lower"].iloc[0], watched["upper"].iloc[0]
    expected = stats.binom.cdf(np.ceil(lower * 400) - 1, 400, 0.05) + stats.binom.sf(np.floor(upper * 400), 400, 0.05)
    assert watched["outside"].mean() == pytest.approx(expected, abs=4 * np.sqrt(expected / len(watched)))


def test_a_small_shift_is_caught_by_the_run_rule():
    from retention_kit.experiments import control_limits
    rates = [10, 10, 10, 10] + [11] * 9                          # 11% after a 10% baseline: inside the limits
    table = control_limits(rates, [100] * len(rates), baseline_periods=4)
    assert not table["outside"].any()
    assert table["run"].tolist() == [False] * 11 + [True] * 2        # the 8th and 9th periods above the line


@pytest.mark.parametrize("args, message", [
    (([1, 2, 3], [10, 10, 10], 3), r"has 3 periods, no more than baseline_periods=3: nothing is left to monitor"),
    (([1, 2, 3], [10, 10], 2), "successes has 3 periods and n 2"),
    (([1, 20, 3], [10, 10, 10], 2), "has 20 successes of 10 customers"),
])
def test_control_limits_refuse_bad_series(args, message):
    from retention_kit.experiments import control_limits
    with pytest.raises(rk.InputError, match=message):
        control_limits(args[0], args[1], baseline_periods=args[2])


@pytest.mark.parametrize("k_t,n_t,k_c,n_c", [(120, 1000, 90, 1000), (31, 250, 52, 400), (7, 40, 2, 38), (0, 60, 3, 60)])
def test_the_test_agrees_with_statsmodels(k_t, n_t, k_c, n_c):
    """statsmodels' z-test (pooled variance) and its Newcombe interval for a difference of two proportions."""
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest
    result = two_proportion_test(k_t, n_t, k_c, n_c, allocation=n_t / (n_t + n_c))
    z, p_value = proportions_ztest([k_t, k_c], [n_t, n_c])
    low, high = confint_proportions_2indep(k_t, n_t, k_c, n_c, method="newcomb", compare="diff")
    assert result.value == pytest.approx(k_t / n_t - k_c / n_c)
    assert result.parts["z"] == pytest.approx(z) and result.parts["p_value"] == pytest.approx(p_value)
    assert result.ci == pytest.approx((low, high))


@pytest.mark.parametrize("p_control,p_treatment,ratio,power", [(0.10, 0.15, 1, 0.8), (0.30, 0.25, 1, 0.9),
                                                                (0.05, 0.08, 2, 0.8), (0.60, 0.70, 0.5, 0.8)])
def test_the_size_and_the_power_agree_with_statsmodels(p_control, p_treatment, ratio, power):
    """statsmodels' normal-approximation size and power. Its sample 1 is our treatment arm and its ratio is
    n_2 / n_1, the inverse of ours (treatment over control)."""
    from statsmodels.stats.proportion import power_proportions_2indep, samplesize_proportions_2indep_onetail
    n = sample_size_two_proportions(p_control, p_treatment, power=power, ratio=ratio)
    n_treatment = samplesize_proportions_2indep_onetail(p_treatment - p_control, p_control, power, ratio=1 / ratio,
                                                        alternative="two-sided")
    assert n.value == pytest.approx(n_treatment / ratio, abs=1.0)          # ours is rounded up to a whole customer
    achieved = power_two_proportions(p_control, p_treatment, n.value, ratio=ratio).value
    reference = power_proportions_2indep(p_treatment - p_control, p_control, ratio * n.value, ratio=1 / ratio,
                                         alternative="two-sided").power
    assert achieved == pytest.approx(reference, abs=1e-3)
