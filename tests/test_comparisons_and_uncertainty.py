"""Comparisons of groups, survival summaries and the bootstrap, against published values, scipy and lifelines."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import retention_kit as rk
from retention_kit import InputError


# Newcombe (1998), Statistics in Medicine 17, Table II, method 10 (hybrid score interval), 95%
NEWCOMBE = [((56, 70, 48, 80), (0.0524, 0.3339)), ((9, 10, 3, 10), (0.1705, 0.8090)),
            ((6, 7, 2, 7), (0.0582, 0.8062)), ((5, 56, 0, 29), (-0.0381, 0.1926)),
            ((0, 10, 0, 20), (-0.1611, 0.2775)), ((0, 10, 0, 10), (-0.2775, 0.2775))]


@pytest.mark.parametrize("counts, published", NEWCOMBE)
def test_proportion_difference_matches_newcombe_s_published_table(counts, published):
    r = rk.metrics.proportion_difference(*counts)
    assert r.ci == pytest.approx(published, abs=1e-4)


def test_proportion_difference_test_is_the_chi_squared_test():
    k_a, n_a, k_b, n_b = 120, 400, 90, 410
    r = rk.metrics.proportion_difference(k_a, n_a, k_b, n_b)
    chi2, p, _, _ = stats.chi2_contingency([[k_a, n_a - k_a], [k_b, n_b - k_b]], correction=False)
    assert r.z ** 2 == pytest.approx(chi2) and r.p_value == pytest.approx(p)
    assert r.value == pytest.approx(k_a / n_a - k_b / n_b)
    with pytest.raises(InputError, match="successes_b=11 is more than its group's size 10"):
        rk.metrics.proportion_difference(1, 10, 11, 10)


@pytest.mark.parametrize("counts", [(30, 100.0, 10, 100.0), (12, 50.0, 40, 400.0), (0, 10.0, 5, 20.0)])
def test_rate_ratio_exact_interval_from_beta_quantiles(counts):
    a, ea, b, eb = counts
    r = rk.metrics.rate_ratio(a, ea, b, eb, confidence=0.9)
    n = a + b
    low = 0.0 if a == 0 else stats.beta.ppf(0.05, a, n - a + 1)          # Clopper-Pearson, computed directly
    high = 1.0 if a == n else stats.beta.ppf(0.95, a + 1, n - a)
    assert r.ci == pytest.approx((low / (1 - low) * eb / ea, high / (1 - high) * eb / ea))
    assert r.value == pytest.approx((a / ea) / (b / eb))


def test_correlation_against_scipy():
    rng = np.random.default_rng(4)
    x = rng.normal(size=200)
    y = 0.4 * x + rng.normal(size=200)
    r = rk.metrics.correlation(x, y, confidence=0.9)
    ref = stats.pearsonr(x, y)
    assert r.value == pytest.approx(ref.statistic)
    assert r.ci == pytest.approx(tuple(ref.confidence_interval(confidence_level=0.9)))
    assert rk.metrics.correlation(x, y, method="spearman").value == pytest.approx(stats.spearmanr(x, y).statistic)
    with pytest.raises(InputError, match="x has 3 values and y 4"):
        rk.metrics.correlation([1, 2, 3], [1, 2, 3, 4])


def test_bootstrap_of_a_mean_matches_the_normal_interval():
    rng = np.random.default_rng(7)
    data = pd.DataFrame({"spend": rng.gamma(2.0, 5.0, 2000)})
    r = rk.uncertainty.bootstrap(data, lambda d: d["spend"].mean(), n_resamples=2000, random_state=1)
    se = data["spend"].std() / math.sqrt(len(data))
    assert r.se == pytest.approx(se, rel=0.08)
    assert r.ci == pytest.approx((r.value - 1.96 * se, r.value + 1.96 * se), rel=0.01)
    again = rk.uncertainty.bootstrap(data, lambda d: d["spend"].mean(), n_resamples=2000, random_state=1)
    assert again.ci == r.ci                                                          # reproducible


def test_stratified_bootstrap_keeps_the_group_sizes():
    data = pd.DataFrame({"wave": [1] * 30 + [2] * 70, "y": np.arange(100.0)})
    r = rk.uncertainty.bootstrap(data, lambda d: (d["wave"] == 1).sum(), n_resamples=50, by="wave", random_state=0)
    assert r.ci == (30.0, 30.0) and r.se == 0.0
    with pytest.raises(InputError, match="no column 'region'"):
        rk.uncertainty.bootstrap(data, len, by="region")
    with pytest.raises(InputError, match="n_resamples=5 must be a whole number of at least 20"):
        rk.uncertainty.bootstrap(data, len, n_resamples=5)


def test_restricted_mean_without_censoring_is_the_mean_of_truncated_lifetimes():
    rng = np.random.default_rng(0)
    T = rng.exponential(10, 1500)
    fitter = rk.survival.kaplan_meier(pd.DataFrame({"duration": T, "churned": True}))["all"]
    r = rk.survival.restricted_mean(fitter, horizon=15)
    truncated = np.minimum(T, 15)
    assert r.value == pytest.approx(truncated.mean())
    assert r.se == pytest.approx(truncated.std() / math.sqrt(len(T)), rel=1e-6)   # Greenwood reduces to this


def test_restricted_mean_with_censoring_against_lifelines_and_the_bootstrap():
    from lifelines.utils import restricted_mean_survival_time
    subs = rk.datasets.load_saas_subscriptions()
    life = rk.survival.subscription_lifetimes(subs, observation_period_end="2026-01-01")
    fitter = rk.survival.kaplan_meier(life)["all"]
    r = rk.survival.restricted_mean(fitter, horizon=36)
    assert r.value == pytest.approx(restricted_mean_survival_time(fitter, t=36))
    boot = rk.uncertainty.bootstrap(
        life, lambda d: rk.survival.restricted_mean(rk.survival.kaplan_meier(d)["all"], horizon=36).value,
        n_resamples=300, random_state=2)
    assert r.se == pytest.approx(boot.se, rel=0.2)


def test_restricted_mean_difference_without_censoring_is_the_difference_of_truncated_means():
    rng = np.random.default_rng(5)
    a, b = rng.exponential(20, 800), rng.exponential(10, 600)
    fit = {name: rk.survival.kaplan_meier(pd.DataFrame({"duration": T, "churned": True}))["all"]
           for name, T in (("a", a), ("b", b))}
    r = rk.survival.restricted_mean_difference(fit["a"], fit["b"], horizon=24)
    ta, tb = np.minimum(a, 24), np.minimum(b, 24)
    assert r.value == pytest.approx(ta.mean() - tb.mean())
    se = math.sqrt(ta.var() / len(ta) + tb.var() / len(tb))          # Welch's standard error of two means
    assert r.se == pytest.approx(se, rel=1e-6)
    assert r.p_value == pytest.approx(2 * stats.norm.sf(abs(r.value) / se))
    with pytest.raises(InputError, match="horizon"):
        rk.survival.restricted_mean_difference(fit["a"], fit["b"], horizon=0)


def test_restricted_mean_difference_with_censoring_against_lifelines():
    from lifelines.utils import restricted_mean_survival_time
    subs = rk.datasets.load_saas_subscriptions()
    life = rk.survival.subscription_lifetimes(subs, observation_period_end="2026-01-01", time_unit="month")
    life["flag"] = life["unresolved_tickets_90d"] > 0
    curves = rk.survival.kaplan_meier(life, by="flag")
    r = rk.survival.restricted_mean_difference(curves[False], curves[True], horizon=36)
    assert r.value == pytest.approx(restricted_mean_survival_time(curves[False], t=36)
                                    - restricted_mean_survival_time(curves[True], t=36))


def test_discounted_value_without_censoring_is_the_mean_discounted_margin():
    rng = np.random.default_rng(3)
    T = rng.exponential(8, 1000)
    fitter = rk.survival.kaplan_meier(pd.DataFrame({"duration": T, "churned": True}))["all"]
    r = rk.survival.discounted_value(fitter, margin_per_period=20.0, discount_rate=0.01, periods=24)
    k = np.arange(24)
    per_customer = ((T[:, None] > k[None, :]) * 20.0 / 1.01 ** k).sum(axis=1)    # paid at the start of each period
    assert r.value == pytest.approx(per_customer.mean())
    assert r.se == pytest.approx(per_customer.std() / math.sqrt(len(T)), rel=1e-6)


def test_cox_recovers_the_planted_hazard_ratio_within_its_interval():
    subs, truth = rk.datasets.make_subscriptions(20000, random_state=31)
    life = rk.survival.subscription_lifetimes(subs, observation_period_end=truth["observed_until"])
    life["unresolved"] = life["unresolved_tickets_90d"] > 0
    table = rk.survival.cox(life, covariates=["unresolved"], strata="plan")
    row = table.loc["unresolved"]
    assert row["ci_low"] < truth["unresolved_hazard_ratio"] < row["ci_high"]
    assert table.attrs["confidence"] == 0.95
    with pytest.raises(InputError, match="'plan' must hold numbers"):
        rk.survival.cox(life, covariates=["plan"])


def test_revenue_retention_on_the_shipped_subscriptions():
    subs = rk.datasets.load_saas_subscriptions()
    r = rk.metrics.revenue_retention(subs, "2025-01-01", "2026-01-01")
    at_start = (subs["start_date"] < "2025-01-01") & ~(subs["end_date"] < "2025-01-01")
    lost = at_start & (subs["end_date"] < "2026-01-01")
    mrr = subs.loc[at_start, "monthly_fee"].sum()
    assert r.value == pytest.approx(1 - subs.loc[lost, "monthly_fee"].sum() / mrr)
    assert r.logo_retention == pytest.approx(rk.retention_rate(subs, "2025-01-01", "2026-01-01").value)
    assert r.value > r.logo_retention          # the customers kept pay more than the customers lost


def test_repeat_curve_carries_wilson_intervals():
    table = rk.repeat_probability_by_count(rk.datasets.load_coffee_transactions(), max_count=4, confidence=0.9)
    for row in table.itertuples():
        ref = stats.binomtest(int(row.went_on), int(row.customers)).proportion_ci(confidence_level=0.9,
                                                                                  method="wilson")
        assert (row.ci_low, row.ci_high) == pytest.approx((ref.low, ref.high))


def test_kaplan_meier_counts_each_row_once_when_the_index_repeats():
    life = pd.DataFrame({"duration": [1.0, 2.0, 3.0], "churned": [True, True, False]}, index=[0, 0, 1])
    assert rk.survival.kaplan_meier(life)["all"].durations.tolist() == [1.0, 2.0, 3.0]
    grouped = rk.survival.kaplan_meier(life.assign(g=["a", "a", "b"]), by="g")
    assert grouped["a"].durations.tolist() == [1.0, 2.0]


def test_a_cluster_of_early_dates_is_not_a_typo():
    subs = pd.DataFrame({"customer_id": [1, 2, 3], "start_date": ["2022-01-01"] * 3,
                         "end_date": ["2025-01-15", "2025-01-20", None]})
    assert rk.churn_rate(subs, "2025-01-01", "2025-02-01").lost == 2


def test_calibration_table_against_sorted_equal_bins_and_scipy_wilson():
    rng = np.random.default_rng(8)
    p = pd.Series(rng.uniform(size=1000), index=rng.permutation(1000))
    y = pd.Series(rng.uniform(size=1000) < p.to_numpy(), index=p.index)
    table = rk.metrics.calibration_table(p, y.sample(frac=1, random_state=1), bins=8)
    ordered = p.sort_values()
    for k, chunk in enumerate(np.array_split(ordered.index.to_numpy(), 8), start=1):     # 125 customers each
        row = table.loc[k]
        assert row["n"] == len(chunk)
        assert row["predicted"] == pytest.approx(p[chunk].mean())
        assert row["observed"] == pytest.approx(y[chunk].mean())
        wilson = stats.binomtest(int(y[chunk].sum()), len(chunk)).proportion_ci(method="wilson")
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((wilson.low, wilson.high))
    with pytest.raises(InputError, match="between 0 and 1"):
        rk.metrics.calibration_table(p * 2, y)
    with pytest.raises(InputError, match="same customers"):
        rk.metrics.calibration_table(p, y.iloc[:10])


def test_stratified_difference_hand_worked_and_single_stratum():
    t = pd.DataFrame({"successes_a": [30, 10], "n_a": [100, 300], "successes_b": [20, 5], "n_b": [100, 100]})
    # weights n_a n_b / N: 50 and 75; stratum differences 0.10 and 10/300 - 0.05
    expected = (50 * 0.10 + 75 * (10 / 300 - 0.05)) / 125
    r = rk.metrics.stratified_difference(t)
    assert r.value == pytest.approx(expected)
    assert r.crude == pytest.approx(40 / 400 - 25 / 200)
    one = rk.metrics.stratified_difference(t.iloc[:1])
    assert one.value == pytest.approx(0.10)
    with pytest.raises(InputError, match="empty group"):
        rk.metrics.stratified_difference(t.assign(n_b=[100, 0], successes_b=[20, 0]))
    with pytest.raises(InputError, match="successes_a"):
        rk.metrics.stratified_difference(t.drop(columns="successes_a"))


@pytest.mark.parametrize("design", ["few large strata", "many small strata"])
def test_stratified_difference_interval_covers_a_common_difference(design):
    # a difference of 0.10 in every stratum, baseline shares differing between strata: the 95% interval must
    # cover 0.10 about 95% of the time, whether the strata are few and large or many and sparse (Sato's variance)
    rng = np.random.default_rng(12)
    if design == "few large strata":
        n_a, n_b, base = np.array([200, 300, 150]), np.array([250, 100, 300]), np.array([0.1, 0.3, 0.5])
    else:
        n_a, n_b, base = np.full(60, 4), np.full(60, 5), rng.uniform(0.1, 0.6, 60)
    covered = 0
    for _ in range(1500):
        t = pd.DataFrame({"successes_a": rng.binomial(n_a, base + 0.1), "n_a": n_a,
                          "successes_b": rng.binomial(n_b, base), "n_b": n_b})
        low, high = rk.metrics.stratified_difference(t).ci
        covered += low <= 0.10 <= high
    assert 0.93 <= covered / 1500 <= 0.97
