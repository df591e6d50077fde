import numpy as np
import pandas as pd
import pytest
from scipy import stats

import retention_kit as rk
from retention_kit import survival
from retention_kit.validation import InputError

# a small hand-worked example: durations in months, churned (1) or still active (0)
HAND = pd.DataFrame({"duration": [2, 3, 3, 5, 6, 7, 8, 8, 10, 12],
                     "churned": [1, 1, 0, 1, 0, 1, 1, 0, 1, 0],
                     "group": ["a", "b", "a", "a", "b", "b", "a", "b", "a", "b"]})


def test_kaplan_meier_matches_the_product_limit_by_hand():
    km = survival.kaplan_meier(HAND)["all"]
    # at risk / churned: t=2: 10/1, t=3: 9/1, t=5: 7/1, t=7: 5/1, t=8: 4/1, t=10: 2/1
    expected = {2: 9 / 10, 3: 9 / 10 * 8 / 9, 5: 0.8 * 6 / 7, 7: 0.8 * 6 / 7 * 4 / 5, 8: 0.8 * 6 / 7 * 4 / 5 * 3 / 4,
                10: 0.8 * 6 / 7 * 4 / 5 * 3 / 4 * 1 / 2}
    for t, s in expected.items():
        assert km.survival_function_at_times(t).iloc[0] == pytest.approx(s)
    assert survival.median_lifetime(km).value == 8             # first t with S(t) <= 0.5: S(7) = 0.549, S(8) = 0.411


def test_logrank_matches_the_hand_computation():
    observed_minus_expected, variance = 0.0, 0.0
    for t in sorted(HAND.loc[HAND["churned"] == 1, "duration"].unique()):
        at_risk = HAND[HAND["duration"] >= t]
        d = ((at_risk["duration"] == t) & (at_risk["churned"] == 1))
        n, n_a, deaths, d_a = len(at_risk), (at_risk["group"] == "a").sum(), d.sum(), (d & (at_risk["group"] == "a")).sum()
        observed_minus_expected += d_a - deaths * n_a / n
        if n > 1:
            variance += deaths * (n_a / n) * (1 - n_a / n) * (n - deaths) / (n - 1)
    chi2 = observed_minus_expected ** 2 / variance
    result = survival.logrank(HAND, "group")
    assert result.value == pytest.approx(chi2)
    assert result.p_value == pytest.approx(stats.chi2.sf(chi2, 1))


def test_subscription_lifetimes_hand_worked_and_censoring():
    subs = pd.DataFrame({"start_date": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-03-01"]),
                         "end_date": pd.to_datetime(["2025-01-31", "2025-06-01", None])})
    life = survival.subscription_lifetimes(subs, observation_period_end="2025-04-01", time_unit="day")
    assert life["duration"].tolist() == [30.0, 90.0, 31.0]       # the June end is after observation: censored
    assert life["churned"].tolist() == [True, False, False]
    assert life.attrs["time_unit"] == "day"
    assert "duration" not in subs.columns                          # the caller's table is left alone
    in_months = survival.subscription_lifetimes(subs, observation_period_end="2025-04-01")
    assert in_months["duration"].tolist() == pytest.approx([30 / 30.4375, 90 / 30.4375, 31 / 30.4375])
    ends_at_the_end = survival.subscription_lifetimes(subs.iloc[:2], observation_period_end="2025-01-31",
                                                      time_unit="day")
    assert ends_at_the_end["churned"].tolist() == [False, False]   # an end on the (exclusive) end is not seen yet
    assert ends_at_the_end["duration"].tolist() == [30.0, 30.0]
    with pytest.raises(InputError, match="start at or after observation_period_end"):
        survival.subscription_lifetimes(subs, observation_period_end="2025-02-01")
    with pytest.raises(InputError, match="before 'start_date'"):
        survival.subscription_lifetimes(subs.assign(end_date=pd.to_datetime(["2024-01-01", None, None])),
                                        observation_period_end="2025-04-01")


def test_survival_recovers_the_planted_monthly_churn():
    subs, truth = rk.datasets.make_subscriptions(20000, random_state=21)
    life = survival.subscription_lifetimes(subs, observation_period_end=truth["observed_until"])
    basic = life[(life["plan"] == "basic") & (life["unresolved_tickets_90d"] == 0)]
    churn = survival.churn_by_age(survival.kaplan_meier(basic)["all"], np.arange(4, 20))
    assert churn.mean() == pytest.approx(truth["monthly_churn"][("basic", False)], abs=0.004)


def test_median_not_reached_is_reported_as_such():
    life = pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "churned": [True, False, False, False]})
    life.attrs["time_unit"] = "month"
    result = survival.median_lifetime(survival.kaplan_meier(life)["all"])
    assert np.isinf(result.value) and "not reached within 4 months" in result.notes[0]
    assert "not reached" in repr(result) and "inf" not in repr(result).split("\n")[0]


def test_groups_are_keyed_by_their_value_and_flags_are_strict():
    curves = survival.kaplan_meier(HAND.assign(flag=HAND["group"] == "a"), by="flag")
    assert set(curves) == {True, False}
    assert curves[True].event_observed.sum() == 4
    yes_no = HAND.assign(churned=HAND["churned"].map({1: "Yes", 0: "No"}))
    with pytest.raises(InputError, match="True/False or 0/1; found 'Yes', 'No'"):
        survival.kaplan_meier(yes_no)
    mapped = survival.kaplan_meier(yes_no, flag_values={"Yes": True, "No": False})["all"]
    assert mapped.survival_function_at_times(10).iloc[0] == pytest.approx(
        survival.kaplan_meier(HAND)["all"].survival_function_at_times(10).iloc[0])
    with pytest.raises(InputError, match="'group' is empty in 1 row"):
        survival.kaplan_meier(HAND.assign(group=[None] + ["a"] * 9), by="group")


def test_logrank_needs_two_groups():
    with pytest.raises(InputError, match="single group"):
        survival.logrank(HAND.assign(group="a"), "group")
