import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import retention_kit as rk
from retention_kit.validation import InputError


def scores(promoters, passives, detractors):
    return [10] * promoters + [8] * passives + [3] * detractors


def test_nps_published_example():
    # 250 promoters, 675 passives, 75 detractors: the worked example of the course brief
    r = rk.nps(scores(250, 675, 75))
    assert r.value == pytest.approx(17.5)
    assert r.se == pytest.approx(1.72, abs=0.005)
    assert r.ci[0] == pytest.approx(14.1, abs=0.05) and r.ci[1] == pytest.approx(20.9, abs=0.05)
    assert (r.n, r.promoters, r.passives, r.detractors) == (1000, 250, 675, 75)
    assert (r.p_promoters, r.p_passives, r.p_detractors) == (0.25, 0.675, 0.075)


def test_nps_standard_error_equals_mean_of_plus_minus_100_coding():
    # independent route: NPS is the mean of x in {+100, 0, -100}; its SE is std(x) / sqrt(n)
    rng = np.random.default_rng(3)
    s = rng.integers(0, 11, 537)
    x = np.where(s >= 9, 100.0, np.where(s <= 6, -100.0, 0.0))
    r = rk.nps(s)
    assert r.value == pytest.approx(x.mean())
    assert r.se == pytest.approx(x.std(ddof=0) / math.sqrt(len(x)))


def test_nps_category_boundaries():
    r = rk.nps([0, 6, 7, 8, 9, 10])
    assert (r.detractors, r.passives, r.promoters) == (2, 2, 2)
    assert r.value == 0


def test_nps_counts_skipped_answers_apart():
    r = rk.nps(pd.Series([10, None, 9, np.nan, 3]))
    assert r.n == 3 and r.missing == 2
    assert "missing" in repr(r)
    assert r.value == pytest.approx(100 * (2 - 1) / 3)


def test_nps_interval_clipped_to_range():
    r = rk.nps([10] * 5)
    assert r.value == 100 and r.ci == (100.0, 100.0)


def test_small_surveys_say_their_interval_is_unreliable():
    # ten promoters: an interval of zero width, which the result must flag
    small = rk.nps([10] * 10)
    assert small.ci == (100.0, 100.0)
    assert len(small.notes) == 1 and "unreliable" in small.notes[0] and "note:" in repr(small)
    # the flag is earned: with 10 answers from a population of NPS 20 the "95%" interval covers
    # 20 clearly less often than 95% of the time (counted here from exact multinomial probabilities)
    p = (0.5, 0.2, 0.3)
    coverage = 0.0
    for k in range(11):
        for j in range(11 - k):
            prob = stats.multinomial.pmf([k, j, 10 - k - j], 10, p)
            lo, hi = rk.metrics.nps_from_shares(k / 10, (10 - k - j) / 10, 10).ci
            coverage += prob * (lo <= 20 <= hi)
    assert coverage < 0.93
    assert rk.nps(scores(250, 675, 75)).notes == ()
    # many answers but few detractors: the same approximation fails in the tail
    assert "only 3 detractors" in rk.nps(scores(500, 500, 3)).notes[0]
    assert rk.nps(scores(500, 500, 5)).notes == ()


@pytest.mark.parametrize("bad, fragment", [
    ([10, 11], "between 0 and 10"),
    ([10, -1], "between 0 and 10"),
    ([7.5, 9], "whole numbers"),
    (["nine", 9], "must hold numbers"),
    ([], "empty"),
    ([None, np.nan], "no answers"),
])
def test_nps_rejects_bad_scores(bad, fragment):
    with pytest.raises(InputError, match=fragment):
        rk.nps(bad)


def test_nps_rejects_a_table():
    with pytest.raises(InputError, match="one column"):
        rk.nps(pd.DataFrame({"score": [9, 10]}))


def test_nps_difference_combines_standard_errors():
    a, b = scores(250, 675, 75), scores(300, 600, 100)
    d = rk.nps_difference(a, b)
    ra, rb = rk.nps(a), rk.nps(b)
    assert d.value == pytest.approx(rb.value - ra.value)
    assert d.se == pytest.approx(math.hypot(ra.se, rb.se))
    assert d.p_value == pytest.approx(2 * stats.norm.sf(abs(d.value) / d.se))
    assert d.significant == (d.ci[0] > 0 or d.ci[1] < 0)


def test_nps_sample_size_worst_case_and_example():
    assert rk.nps_sample_size(5).value == math.ceil(1.959963984540054 ** 2 / 0.05 ** 2)  # 1537
    # 30% promoters, 20% detractors, +/- 3 points: variance 0.5 - 0.01 = 0.49
    assert rk.nps_sample_size(3, p_promoters=0.3, p_detractors=0.2).value == math.ceil(
        1.959963984540054 ** 2 * 0.49 / 0.03 ** 2)
    with pytest.raises(InputError, match="half_width=0 must be a finite number above 0"):
        rk.nps_sample_size(0)
    with pytest.raises(InputError, match="exceeds 1"):
        rk.nps_sample_size(5, p_promoters=0.7, p_detractors=0.6)


def test_nps_sample_size_delivers_the_half_width():
    n = rk.nps_sample_size(4, p_promoters=0.35, p_detractors=0.15).value
    half = lambda m: (lambda r: (r.ci[1] - r.ci[0]) / 2)(rk.metrics.nps_from_shares(0.35, 0.15, m))   # noqa: E731
    assert half(n) <= 4 < half(n - 1)


def test_nps_from_shares_by_hand_at_90_percent():
    r = rk.metrics.nps_from_shares(0.25, 0.075, 1000, confidence=0.9)
    se = 100 * math.sqrt((0.25 + 0.075 - 0.175 ** 2) / 1000)
    z = stats.norm.ppf(0.95)
    assert (r.value, r.se) == pytest.approx((17.5, se))
    assert r.ci == pytest.approx((17.5 - z * se, 17.5 + z * se))
    assert "90% interval" in repr(r)


def test_csat_top_two_box_against_scipy_wilson_and_t_interval():
    ratings = [5, 4, 4, 3, 2, 5, 1, 4, 5, 3]
    r = rk.csat(ratings)
    assert r.value == pytest.approx(60.0)
    ci = stats.binomtest(6, 10).proportion_ci(confidence_level=0.95, method="wilson")
    assert r.ci == pytest.approx((100 * ci.low, 100 * ci.high))
    t = stats.t.interval(0.95, 9, loc=np.mean(ratings), scale=stats.sem(ratings))
    assert r.mean_rating == pytest.approx(3.6) and r.mean_ci == pytest.approx(t)


def test_csat_other_scale_and_definition():
    r = rk.csat([7, 6, 5, 1], scale=7, satisfied=(6, 7))
    assert r.value == 50.0
    assert rk.csat([5, 4, 3], satisfied=(5,)).value == pytest.approx(100 / 3)


@pytest.mark.parametrize("bad, kwargs, fragment", [
    ([5, 6], {}, "between 1 and 5"),
    ([0, 4], {}, "between 1 and 5"),
    ([4.5], {}, "whole numbers"),
    ([4, 5], {"satisfied": (6,)}, "satisfied"),
    ([4, 5], {"scale": 1}, "scale"),
])
def test_csat_rejects_bad_input(bad, kwargs, fragment):
    with pytest.raises(InputError, match=fragment):
        rk.csat(bad, **kwargs)


def test_csat_by_groups_sorted_and_counts_missing():
    df = pd.DataFrame({"tp": ["a", "a", "b", "b", "b"], "csat": [5, np.nan, 1, 2, 4]})
    t = rk.csat_by(df, "tp")
    assert list(t.index) == ["b", "a"]
    assert t.loc["b", "csat"] == pytest.approx(100 / 3) and t.loc["a", "missing"] == 1
    with pytest.raises(InputError, match="no column 'rating'.*columns present"):
        rk.csat_by(df, "tp", rating_col="rating")
    with pytest.raises(InputError, match="'tp' is empty in 1 row.*vanish"):
        rk.csat_by(pd.DataFrame({"tp": ["a", None], "csat": [4, 5]}), "tp")


def test_nps_sample_size_for_change_hand_worked_and_by_simulation():
    # sigma^2 = 100^2 * (0.3 + 0.25 - 0.05^2) = 5475; n = (1.95996 + 0.84162)^2 * 2 * 5475 / 8^2
    z = 1.959963984540054 + 0.8416212335729143
    assert rk.nps_sample_size_for_change(8, p_promoters=0.3, p_detractors=0.25).value == math.ceil(z ** 2 * 2 * 5475 / 64)
    # simulation: with that n per wave and a true change of 8 points, about 80% of surveys detect it
    n = rk.nps_sample_size_for_change(8, p_promoters=0.3, p_detractors=0.25).value
    rng = np.random.default_rng(0)
    before = rng.multinomial(n, [0.3, 0.45, 0.25], size=4000)
    after = rng.multinomial(n, [0.34, 0.45, 0.21], size=4000)  # same variance: pP + pD and pP - pD shift
    def nps_se(counts):
        p, d = counts[:, 0] / n, counts[:, 2] / n
        return 100 * (p - d), 100 * np.sqrt((p + d - (p - d) ** 2) / n)
    (v1, s1), (v2, s2) = nps_se(before), nps_se(after)
    power = np.mean(np.abs(v2 - v1) / np.hypot(s1, s2) > 1.959963984540054)
    assert power == pytest.approx(0.8, abs=0.03)
    with pytest.raises(InputError, match="power"):
        rk.nps_sample_size_for_change(5, power=1.2)


def test_wilson_interval_against_scipy_and_rate_by():
    for k, n in [(0, 7), (8, 10), (55, 60), (300, 1000)]:
        ref = stats.binomtest(k, n).proportion_ci(confidence_level=0.9, method="wilson")
        assert rk.proportion(k, n, confidence=0.9).ci == pytest.approx((ref.low, ref.high))
    df = pd.DataFrame({"g": ["a"] * 10 + ["b"] * 4, "y": [True] * 8 + [False] * 2 + [True, False, False, False]})
    t = rk.rate_by(df, "g", "y")
    assert t.loc["a", ["n", "events"]].tolist() == [10, 8] and t.loc["b", "rate"] == 0.25
    assert (t.loc["a", "ci_low"], t.loc["a", "ci_high"]) == pytest.approx(rk.proportion(8, 10).ci)
    assert t.attrs["confidence"] == 0.95
    with pytest.raises(InputError, match="True/False"):
        rk.rate_by(df.assign(y="yes"), "g", "y")
    yes_no = rk.rate_by(df.assign(y=df["y"].map({True: "Yes", False: "No"})), "g", "y",
                        flag_values={"Yes": True, "No": False})
    pd.testing.assert_frame_equal(yes_no, t)
    with pytest.raises(InputError, match="'g' is empty in 1 row"):
        rk.rate_by(df.assign(g=[None] + ["a"] * 13), "g", "y")
