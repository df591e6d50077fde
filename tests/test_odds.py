"""The pooled (Mantel-Haenszel) odds ratio against statsmodels' StratifiedTable and a hand-worked table, and the
property that makes it worth reporting: sampling the outcome at a different rate leaves it unchanged."""
import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from statsmodels.stats.contingency_tables import StratifiedTable

import retention_kit as rk
from retention_kit.metrics.odds import stratified_odds_ratio


def as_tables(strata):
    """statsmodels' layout: one 2x2 table per stratum, rows the groups, columns success / failure."""
    return [np.array([[r.successes_a, r.n_a - r.successes_a], [r.successes_b, r.n_b - r.successes_b]], dtype=float)
            for r in strata.itertuples()]


def test_worked_by_hand():
    # stratum 1: a d / N = 30 * 80 / 200 = 12, b c / N = 70 * 20 / 200 = 7; stratum 2: 10 * 95 / 200, 90 * 5 / 200
    strata = pd.DataFrame({"successes_a": [30, 10], "n_a": [100, 100], "successes_b": [20, 5], "n_b": [100, 100]})
    result = rk.metrics.stratified_odds_ratio(strata)
    assert result.value == pytest.approx((12 + 4.75) / (7 + 2.25), rel=1e-12)
    assert result.crude == pytest.approx((40 * 175) / (160 * 25), rel=1e-12)
    assert result.strata == 2 and result.unit == "ratio"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_against_statsmodels_stratified_table(seed):
    rng = np.random.default_rng(seed)
    n_a, n_b = rng.integers(5, 200, 8), rng.integers(5, 200, 8)
    strata = pd.DataFrame({"successes_a": rng.binomial(n_a, 0.3), "n_a": n_a,
                           "successes_b": rng.binomial(n_b, 0.2), "n_b": n_b})
    reference = StratifiedTable(as_tables(strata))
    for confidence in (0.95, 0.9):
        result = stratified_odds_ratio(strata, confidence=confidence)
        assert result.value == pytest.approx(reference.oddsratio_pooled, rel=1e-12)
        assert result.se == pytest.approx(reference.logodds_pooled_se, rel=1e-12)
        assert result.ci == pytest.approx(reference.oddsratio_pooled_confint(alpha=1 - confidence), rel=1e-10)
    z = np.log(reference.oddsratio_pooled) / reference.logodds_pooled_se
    assert result.p_value == pytest.approx(2 * norm.sf(abs(z)), rel=1e-9)
    assert result.z == pytest.approx(np.log(reference.oddsratio_pooled) / reference.logodds_pooled_se, rel=1e-12)


def test_sampling_successes_at_another_rate_leaves_a_common_ratio_unchanged():
    # every stratum's odds ratio is 2; keeping a quarter of the successes divides each group's odds by 4, so each
    # stratum's ratio, and the pooled one (a weighted mean of them), stays 2, while the difference of shares shrinks
    strata = pd.DataFrame({"successes_a": [40, 80, 120], "n_a": [200, 240, 280],
                           "successes_b": [20, 40, 60], "n_b": [180, 200, 220]})
    thinned = strata.assign(successes_a=strata["successes_a"] // 4, successes_b=strata["successes_b"] // 4,
                            n_a=strata["n_a"] - strata["successes_a"] + strata["successes_a"] // 4,
                            n_b=strata["n_b"] - strata["successes_b"] + strata["successes_b"] // 4)
    assert stratified_odds_ratio(strata).value == pytest.approx(2.0, rel=1e-12)
    assert stratified_odds_ratio(thinned).value == pytest.approx(2.0, rel=1e-12)
    difference = rk.metrics.stratified_difference
    assert difference(thinned).value < 0.5 * difference(strata).value


@pytest.mark.parametrize("strata, message", [
    (pd.DataFrame({"successes_a": [3], "n_a": [10], "successes_b": [2]}), "n_b"),
    (pd.DataFrame({"successes_a": [12], "n_a": [10], "successes_b": [2], "n_b": [10]}), "not whole numbers"),
    (pd.DataFrame({"successes_a": [1.5], "n_a": [10], "successes_b": [2], "n_b": [10]}), "not whole numbers"),
    (pd.DataFrame({"successes_a": [0], "n_a": [0], "successes_b": [2], "n_b": [10]}), "empty group"),
    (pd.DataFrame({"successes_a": [0, 0], "n_a": [10, 5], "successes_b": [2, 1], "n_b": [10, 5]}), "0 or infinite"),
])
def test_what_has_no_pooled_ratio_is_refused(strata, message):
    with pytest.raises(rk.InputError, match=message):
        stratified_odds_ratio(strata)
