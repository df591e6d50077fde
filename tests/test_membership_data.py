"""Marlow Market's membership simulator does what its docstring says: checked on the data, against the planted truth."""
import numpy as np
import pandas as pd
import pytest

import retention_kit as rk
from retention_kit.datasets.membership import MEMBERSHIP_EFFECTS, SEASON


@pytest.fixture(scope="module")
def simulated():
    return rk.datasets.make_membership_program(random_state=3)


def test_columns_rows_while_active_and_reproducible(simulated):
    data, truth = simulated
    assert list(data.columns) == ["customer_id", "month", "first_order", "join_month", "member", "orders", "spend",
                                  "free_shipping", "streaming", "early_deals"]
    assert data["month"].min() == pd.Timestamp("2024-01-01") and data["month"].max() == pd.Timestamp("2025-12-01")
    assert (data["month"].dt.day == 1).all() and (data["first_order"] < pd.Timestamp("2024-01-01")).all()
    # a lapsed customer never comes back: every customer's months run from January 2024 without a gap
    months = data.groupby("customer_id")["month"].agg(["min", "max", "size"])
    span = (months["max"].dt.year - 2024) * 12 + months["max"].dt.month
    assert (months["min"] == pd.Timestamp("2024-01-01")).all() and (span == months["size"]).all()
    again = rk.datasets.make_membership_program(random_state=np.random.default_rng(3)).data
    pd.testing.assert_frame_equal(again, data)
    assert truth["observed_until"] == pd.Timestamp("2026-01-01")


def test_members_join_in_the_join_window_and_only_members_use_benefits(simulated):
    data, _ = simulated
    joined = data.dropna(subset=["join_month"])
    assert joined["join_month"].between(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-06-01")).all()
    assert (data["member"] == (data["join_month"].notna() & (data["month"] >= data["join_month"]))).all()
    benefits = data[["free_shipping", "streaming", "early_deals"]]
    assert not benefits[~data["member"]].any().any()
    assert not data.loc[data["orders"] == 0, ["free_shipping", "early_deals"]].any().any()   # they need an order
    assert ((data["spend"] > 0) == (data["orders"] > 0)).all()
    # 30% of the customers active in January 2025 decided to join (a binomial share, 4 standard errors)
    active = data.loc[data["month"] == pd.Timestamp("2025-01-01"), "customer_id"]
    decided = rk.datasets.make_membership_program(random_state=3).truth["customers"].set_index("customer_id")["decided"]
    share = decided.reindex(active).mean()
    assert share == pytest.approx(0.3, abs=4 * np.sqrt(0.21 / len(active)))


def test_the_data_follow_the_planted_rates_and_hazards(simulated):
    data, truth = simulated
    members = truth["members"].set_index("customer_id")
    post = data[(data["month"] >= pd.Timestamp("2025-07-01")) & data["customer_id"].isin(members.index)]
    observed = post.groupby("customer_id")["orders"].mean()
    # observed orders per active month against the planted expectation with membership (Poisson: about 1% here)
    assert observed.sum() / members["orders_with"].reindex(observed.index).sum() == pytest.approx(1, abs=0.04)
    # retention June -> December 2025 against the planted probability with membership
    kept = members.index.isin(data.loc[data["month"] == pd.Timestamp("2025-12-01"), "customer_id"])
    assert kept.mean() == pytest.approx(members["retention_with"].mean(), abs=0.03)
    # the planted effects are the stated multiplier and hazard ratio, member by member
    assert np.allclose(members["orders_with"], MEMBERSHIP_EFFECTS["order_multiplier"] * members["orders_without"])
    assert truth["att_orders"] == pytest.approx(0.3 * members["orders_without"].mean())
    assert 0 < truth["att_retention"] < 0.15 and truth["att_spend"] > 0
    # the season: December against July, over the same customers of 2024 (no membership yet)
    y2024 = data[data["month"].dt.year == 2024]
    both = y2024.pivot_table(index="customer_id", columns=y2024["month"].dt.month, values="orders").dropna()
    assert both[12].mean() / both[7].mean() == pytest.approx(SEASON[11] / SEASON[6], rel=0.08)


def test_expected_rates_without_the_program_match_the_data(simulated):
    data, truth = simulated
    customers = truth["customers"].set_index("customer_id")
    pre = data[(data["month"] >= pd.Timestamp("2024-07-01")) & (data["month"] < pd.Timestamp("2025-01-01"))]
    observed = pre.groupby("customer_id")["orders"].mean()
    # expected pre-window orders against the data (no one is a member yet; Poisson noise about 1%)
    assert observed.sum() / customers["pre_rate"].reindex(observed.index).sum() == pytest.approx(1, abs=0.03)
    # without membership in the post window: the members' planted counterfactual, and the 8% growth times the trait
    members = truth["members"].set_index("customer_id")
    assert np.allclose(customers.loc[members.index, "post_rate_without"], members["orders_without"])
    k, u = truth["unobserved"], customers["u"]
    assert np.allclose(customers["post_rate_without"] / customers["pre_rate"], 1.08 * np.exp(k * u - k ** 2 / 2))


def test_selection_strength_drives_the_pre_join_gap():
    ratios = {}
    for selection in (0.0, 2.0):
        data, _ = rk.datasets.make_membership_program(6000, selection=selection, unobserved=0.0, random_state=5)
        pre = data[(data["month"] >= pd.Timestamp("2024-07-01")) & (data["month"] < pd.Timestamp("2025-01-01"))]
        active = data.loc[data["month"] == pd.Timestamp("2025-01-01"), "customer_id"]   # those who could join
        rate = pre.groupby("customer_id")["orders"].mean().reindex(active)
        member = data.groupby("customer_id")["join_month"].first().notna().reindex(rate.index)
        ratios[selection] = rate[member].mean() / rate[~member].mean()
    assert ratios[0.0] == pytest.approx(1.0, abs=0.15)      # joining at random: members like everyone else
    assert ratios[2.0] > 2.0                                # strong self-selection: members ordered more before


def test_benefit_usage_truth_matches_the_planted_probabilities(simulated):
    _, truth = simulated
    usage = truth["benefit_usage"]
    q = truth["usage"]["light"]["streaming"]
    assert usage.loc["light", "streaming"] == pytest.approx(1 - (1 - q) ** 6)      # streaming needs no order
    assert usage.loc["heavy", "free_shipping"] > usage.loc["light", "free_shipping"]
    assert usage.loc["light", "streaming"] > usage.loc["heavy", "streaming"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_customers=50), "n_customers=50 must be a whole number of at least 100"),
    (dict(selection=-1), "selection=-1 must be a finite number from 0 to 5"),
    (dict(unobserved=2), "unobserved=2 must be a finite number from 0 to 1"),
    (dict(random_state="7"), "random_state='7' must be None"),
])
def test_bad_input(kwargs, message):
    with pytest.raises(rk.InputError, match=message):
        rk.datasets.make_membership_program(**kwargs)
