import numpy as np
import pandas as pd
import pytest

import retention_kit as rk
from retention_kit.validation import InputError


@pytest.fixture
def subs():
    # hand-worked period: January 2025, (2025-01-01, 2025-02-01]
    return pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "e", "f", "g"],
        "start_date": pd.to_datetime(["2024-01-01", "2024-05-01", "2024-12-31", "2025-01-05", "2025-01-10",
                                      "2023-01-01", "2025-02-01"]),
        "end_date": pd.to_datetime(["2025-01-20", None, "2025-02-01", "2025-01-25", None, "2025-01-01", None]),
    })
    # a: at start, lost. b: at start, stays. c: at start, ends on period_end -> lost.
    # d: joins and leaves inside. e: joins, stays. f: ended exactly at period_start -> not at start.
    # g: joins at period_end -> new, active at end.


def test_churn_hand_worked(subs):
    r = rk.churn_rate(subs, "2025-01-01", "2025-02-01")
    assert (r.at_start, r.lost, r.new, r.new_lost, r.at_end) == (3, 2, 3, 1, 3)
    assert r.value == pytest.approx(2 / 3)
    assert any("joined and left" in n for n in r.notes)


def test_alternative_denominators(subs):
    avg = rk.churn_rate(subs, "2025-01-01", "2025-02-01", denominator="average")
    assert avg.value == pytest.approx(3 / ((3 + 3) / 2))      # all 3 lost over mean of S=3, E=3
    wide = rk.churn_rate(subs, "2025-01-01", "2025-02-01", denominator="start_plus_new")
    assert wide.value == pytest.approx(3 / (3 + 3))
    with pytest.raises(InputError, match="denominator"):
        rk.churn_rate(subs, "2025-01-01", "2025-02-01", denominator="end")


def test_retention_is_e_minus_n_over_s(subs):
    r = rk.retention_rate(subs, "2025-01-01", "2025-02-01")
    # E = {b, e, g} = 3, N = new still active at end = {e, g} = 2, S = 3
    assert (r.at_end, r.new_active_at_end, r.at_start) == (3, 2, 3)
    assert r.value == pytest.approx(1 / 3) and r.retained == 1


def brute_force(subs, ps, pe):
    """Reference: one customer at a time, straight from the definitions."""
    ps, pe = pd.Timestamp(ps), pd.Timestamp(pe)
    s = lost = e = n_active = 0
    for _, row in subs.iterrows():
        end = row.end_date if pd.notna(row.end_date) else pd.Timestamp.max
        active_start = row.start_date <= ps < end
        active_end = row.start_date <= pe < end
        s += active_start
        lost += active_start and ps < end <= pe
        e += active_end
        n_active += (ps < row.start_date <= pe) and active_end
    return lost / s, (e - n_active) / s


def test_matches_brute_force_and_retention_plus_churn_is_one():
    subs = rk.datasets.make_subscriptions(600, random_state=5).data
    for ps, pe in [("2023-01-01", "2023-02-01"), ("2024-03-15", "2024-09-30"), ("2025-01-01", "2026-01-01")]:
        churn, retention = brute_force(subs, ps, pe)
        c, r = rk.churn_rate(subs, ps, pe), rk.retention_rate(subs, ps, pe)
        assert c.value == pytest.approx(churn) and r.value == pytest.approx(retention)
        assert c.value + r.value == pytest.approx(1.0)


def test_churn_by_period_agrees_with_churn_rate():
    subs = rk.datasets.load_saas_subscriptions()
    table = rk.churn_by_period(subs, "2024-01-01", "2025-01-01")
    assert len(table) == 12
    march = table.iloc[2]
    assert march.churn_rate == pytest.approx(rk.churn_rate(subs, "2024-03-01", "2024-04-01").value)
    early = rk.churn_by_period(subs, "2021-11-01", "2022-02-01")
    assert early["churn_rate"].isna().tolist() == [True, True, False]


def test_compounding_examples():
    assert rk.compound_churn(0.05, 12) == pytest.approx(0.4596, abs=5e-5)   # 46.0% a year, not 60%
    assert rk.periodic_churn(rk.compound_churn(0.05, 12), 12) == pytest.approx(0.05)
    assert rk.expected_lifetime(0.05) == pytest.approx(20.0)
    np.testing.assert_allclose(rk.compound_churn(0.1, np.array([1, 2])), [0.1, 0.19])
    with pytest.raises(InputError, match="between 0 and 1"):
        rk.compound_churn(5, 12)


def test_planted_monthly_churn_is_recovered():
    sim = rk.datasets.make_subscriptions(20000, random_state=11)
    subs, truth = sim
    # exposure after the minimum term, in months, and churn events: hazard estimate = events / exposure
    end = subs["end_date"].fillna(truth["observed_until"])
    after_term = subs["start_date"] + pd.Timedelta(days=truth["minimum_term_days"])
    exposure = ((end - after_term).dt.days.clip(lower=0)) / truth["days_per_month"]
    for plan in ["basic", "pro"]:
        m = (subs["plan"] == plan) & (subs["unresolved_tickets_90d"] == 0)
        hazard = subs.loc[m, "end_date"].notna().sum() / exposure[m].sum()
        expected = -np.log(1 - truth["monthly_churn"][(plan, False)])
        assert hazard == pytest.approx(expected, rel=0.08)
    m = (subs["plan"] == "basic")
    with_ = m & (subs["unresolved_tickets_90d"] > 0)
    ratio = (subs.loc[with_, "end_date"].notna().sum() / exposure[with_].sum()) / (
        subs.loc[m & ~with_, "end_date"].notna().sum() / exposure[m & ~with_].sum())
    assert ratio == pytest.approx(truth["unresolved_hazard_ratio"], rel=0.1)


@pytest.mark.parametrize("mutate, fragment", [
    (lambda d: d.drop(columns="end_date"), "no column 'end_date'.*columns present"),
    (lambda d: d.assign(end_date=pd.to_datetime(["2023-01-01"] + [None] * 6)), "before 'start_date'.*row 0"),
    (lambda d: d.assign(customer_id=["a"] * 7), "repeated values"),
    (lambda d: d.assign(start_date=["2024-01-01", "not a date"] + ["2024-01-01"] * 5), "not dates.*'not a date'"),
    (lambda d: d.iloc[:0], "empty"),
])
def test_bad_subscription_tables(subs, mutate, fragment):
    with pytest.raises(InputError, match=fragment):
        rk.churn_rate(mutate(subs), "2025-01-01", "2025-02-01")


def test_bad_periods(subs):
    with pytest.raises(InputError, match="not after period_start"):
        rk.churn_rate(subs, "2025-02-01", "2025-01-01")
    with pytest.raises(InputError, match="no customer was active"):
        rk.churn_rate(subs, "2020-01-01", "2020-02-01")
    with pytest.raises(InputError, match="not a date"):
        rk.retention_rate(subs, "someday", "2025-02-01")


def test_churn_rate_by_matches_churn_rate_on_each_group():
    subs = rk.datasets.load_saas_subscriptions()
    table = rk.churn_rate_by(subs, "plan", "2025-01-01", "2026-01-01")
    for plan in ["basic", "pro", "enterprise"]:
        r = rk.churn_rate(subs[subs["plan"] == plan], "2025-01-01", "2026-01-01")
        assert (table.loc[plan, "at_start"], table.loc[plan, "lost"]) == (r.at_start, r.lost)
        assert table.loc[plan, "ci_low"] < r.value < table.loc[plan, "ci_high"]
    two = rk.churn_rate_by(subs.assign(flag=subs["unresolved_tickets_90d"] > 0), ["plan", "flag"],
                           "2025-01-01", "2026-01-01")
    assert two["at_start"].sum() == rk.churn_rate(subs, "2025-01-01", "2026-01-01").at_start
    with pytest.raises(InputError, match="missing value"):
        rk.churn_rate_by(subs.assign(plan=None), "plan", "2025-01-01", "2026-01-01")
