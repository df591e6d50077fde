import numpy as np
import pandas as pd
import pytest

import retention_kit as rk
from retention_kit.validation import InputError


@pytest.fixture
def subs():
    # hand-worked period: January 2025, [2025-01-01, 2025-02-01)
    return pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "e", "f", "g"],
        "start_date": pd.to_datetime(["2024-01-01", "2024-05-01", "2024-12-31", "2025-01-05", "2025-01-10",
                                      "2023-01-01", "2025-02-01"]),
        "end_date": pd.to_datetime(["2025-01-20", None, "2025-02-01", "2025-01-25", None, "2025-01-01", None]),
    })
    # Every event at t belongs to the period when 2025-01-01 <= t < 2025-02-01.
    # a: there at the start, ends in January: lost. b: there, stays. c: there, ends on 1 February (next period): stays.
    # d: joins and leaves in January (new_lost). e: joins, stays. f: ends on 1 January, an event of January: there
    # at the start (joined before, not ended before) and lost. g: joins on 1 February: not in this period at all.


def test_churn_hand_worked(subs):
    r = rk.churn_rate(subs, "2025-01-01", "2025-02-01")
    assert (r.at_start, r.lost, r.new, r.new_lost, r.at_end) == (4, 2, 2, 1, 3)   # S {a,b,c,f}, E {b,c,e}
    assert r.value == pytest.approx(2 / 4)
    assert any("joined and left" in n for n in r.notes)


def test_alternative_denominators(subs):
    avg = rk.churn_rate(subs, "2025-01-01", "2025-02-01", denominator="average")
    assert avg.value == pytest.approx(3 / ((4 + 3) / 2))      # all 3 lost (a, f, d) over the mean of S=4, E=3
    wide = rk.churn_rate(subs, "2025-01-01", "2025-02-01", denominator="start_plus_new")
    assert wide.value == pytest.approx(3 / (4 + 2))
    with pytest.raises(InputError, match="denominator"):
        rk.churn_rate(subs, "2025-01-01", "2025-02-01", denominator="end")


def test_retention_is_e_minus_n_over_s(subs):
    r = rk.retention_rate(subs, "2025-01-01", "2025-02-01")
    # E = {b, c, e} = 3, N = new still there at the end = {e} = 1, S = 4
    assert (r.at_end, r.new_active_at_end, r.at_start) == (3, 1, 4)
    assert r.value == pytest.approx(2 / 4) and r.retained == 2


def test_consecutive_periods_chain(subs):
    # the customers at the end of January are the customers at the start of February
    january = rk.churn_rate(subs, "2025-01-01", "2025-02-01")
    february = rk.churn_rate(subs, "2025-02-01", "2025-03-01")
    assert january.at_end == february.at_start == 3 and february.new == 1     # g joins in February


def brute_force(subs, ps, pe):
    """Reference: one customer at a time, straight from the definitions (an event at t is in [ps, pe))."""
    ps, pe = pd.Timestamp(ps), pd.Timestamp(pe)
    s = lost = e = n_active = 0
    for _, row in subs.iterrows():
        ended = pd.notna(row.end_date)
        there_at = lambda t: row.start_date < t and not (ended and row.end_date < t)   # noqa: E731
        s += there_at(ps)
        lost += there_at(ps) and ended and ps <= row.end_date < pe
        e += there_at(pe)
        n_active += (ps <= row.start_date < pe) and there_at(pe)
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
    early = rk.churn_by_period(subs, "2021-11-01", "2022-03-01")       # the first customers join on 1 January 2022
    assert early["churn_rate"].isna().tolist() == [True, True, True, False]
    quarters = rk.churn_by_period(subs, "2024-01-01", "2025-01-01", time_unit="quarter")
    assert quarters["lost"].tolist() == [rk.churn_rate(subs, a, b).lost for a, b in
                                         [("2024-01-01", "2024-04-01"), ("2024-04-01", "2024-07-01"),
                                          ("2024-07-01", "2024-10-01"), ("2024-10-01", "2025-01-01")]]
    with pytest.raises(InputError, match="not the start of a month.*2024-01-01 or 2024-02-01"):
        rk.churn_by_period(subs, "2024-01-15", "2025-01-01")


def test_compounding_examples():
    assert rk.compound_churn(0.05, periods=12).value == pytest.approx(0.4596, abs=5e-5)   # 46.0% a year, not 60%
    assert rk.periodic_churn(rk.compound_churn(0.05, periods=12).value, periods=12).value == pytest.approx(0.05)
    assert rk.expected_lifetime(0.05).value == pytest.approx(20.0)
    assert rk.compound_churn(0.1, periods=2).value == pytest.approx(0.19)
    with pytest.raises(InputError, match="rate=5 must be a finite number from 0 to 1"):
        rk.compound_churn(5, periods=12)


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
    (lambda d: d.assign(start_date=["2024-01-01", "not a date"] + ["2024-01-01"] * 5), "not an ISO 8601 date.*'not a date'"),
    (lambda d: d.iloc[:0], "empty"),
])
def test_bad_subscription_tables(subs, mutate, fragment):
    with pytest.raises(InputError, match=fragment):
        rk.churn_rate(mutate(subs), "2025-01-01", "2025-02-01")


def test_bad_periods(subs):
    with pytest.raises(InputError, match="not after period_start"):
        rk.churn_rate(subs, "2025-02-01", "2025-01-01")
    with pytest.raises(InputError, match="no customer was a customer at period_start"):
        rk.churn_rate(subs, "2020-01-01", "2020-02-01")
    with pytest.raises(InputError, match="period_start='someday' is not an ISO 8601 date"):
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
    with pytest.raises(InputError, match="'plan' is empty in 4000 row"):
        rk.churn_rate_by(subs.assign(plan=None), "plan", "2025-01-01", "2026-01-01")
