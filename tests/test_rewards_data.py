"""The rewards-app simulator (rk.datasets.make_rewards_program): its tables agree with each other and with the
planted truth, the send is randomized, and the planted mechanics (completion, survivorship) hold."""
import functools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import retention_kit as rk
from retention_kit.datasets.rewards import OFFERS, SEGMENTS


@functools.cache
def program(seed, n=12_000):
    return rk.datasets.make_rewards_program(n, random_state=seed)


def test_tables_have_the_documented_shape_and_are_reproducible():
    data, truth = program(1)
    assert list(data.profiles.columns) == ["age", "income", "member_since"]
    assert list(data.portfolio.index) == list(OFFERS) and set(data.portfolio["offer_type"]) == {"bogo", "discount",
                                                                                               "informational"}
    assert list(data.events.columns) == ["member_id", "date", "event", "offer_id", "amount", "reward"]
    assert data.events["date"].is_monotonic_increasing
    assert set(data.assignments["arm"]) == {"none", *OFFERS} and (data.assignments["date"] == truth["send"]).all()
    again, _ = rk.datasets.make_rewards_program(800, random_state=3)
    assert again.events.equals(rk.datasets.make_rewards_program(800, random_state=3)[0].events)


def test_no_event_before_joining_and_amounts_only_on_transactions():
    data, _ = program(1)
    joined = data.events["member_id"].map(data.profiles["member_since"])
    assert (data.events["date"] >= joined).all()
    tx = data.events["event"] == "transaction"
    assert data.events.loc[tx, "amount"].gt(0).all() and data.events.loc[~tx, "amount"].isna().all()
    assert data.events.loc[data.events["event"] != "offer completed", "reward"].isna().all()


def test_the_send_is_randomized_equal_arms_and_independent_of_segment():
    data, truth = program(2)
    counts = data.assignments["arm"].value_counts()
    assert stats.chisquare(counts).pvalue > 0.001
    table = pd.crosstab(truth["segment"], data.assignments["arm"])
    assert stats.chi2_contingency(table).pvalue > 0.001
    received = data.events[data.events["event"] == "offer received"].set_index("member_id")["offer_id"]
    sent = data.assignments.loc[data.assignments["arm"] != "none", "arm"]
    assert received.sort_index().equals(sent.sort_index().rename("offer_id"))


def test_a_completion_is_the_transaction_that_reaches_the_difficulty_within_the_window():
    data, truth = program(3)
    e = data.events
    for offer in ("bogo_5", "discount_20_5"):
        spec = data.portfolio.loc[offer]
        members = data.assignments.index[data.assignments["arm"] == offer]
        end = truth["send"] + pd.Timedelta(days=int(spec["duration_days"]))
        tx = e[(e["event"] == "transaction") & e["member_id"].isin(members) & (e["date"] >= truth["send"])
               & (e["date"] < end)]
        reached = tx.groupby("member_id")["amount"].sum().reindex(members, fill_value=0) >= spec["difficulty"]
        done = e[(e["event"] == "offer completed") & (e["offer_id"] == offer)]
        assert set(done["member_id"]) == set(members[reached.to_numpy()])
        assert (done["reward"] == spec["reward"]).all()
        assert truth["completed"].loc[members, offer].equals(reached.rename(offer))


def test_the_observed_outcome_is_the_planted_potential_outcome_of_the_assigned_arm():
    data, truth = program(4)
    out = rk.programs.rewards.offer_outcomes(data.assignments, data.events, data.portfolio)
    planted = np.array([truth["net_value"].at[m, a] for m, a in data.assignments["arm"].items()])
    assert np.allclose(out["net_value"].to_numpy(), planted)
    spend = np.array([truth["spend"].at[m, a] for m, a in data.assignments["arm"].items()])
    assert np.allclose(out["spend"].to_numpy(), spend)


def test_completed_anyway_is_the_control_spend_reaching_the_difficulty():
    data, truth = program(5)
    control = data.assignments.index[data.assignments["arm"] == "none"]
    e = data.events
    spec = data.portfolio.loc["discount_7_3"]
    tx = e[(e["event"] == "transaction") & e["member_id"].isin(control) & (e["date"] >= truth["send"])
           & (e["date"] < truth["send"] + pd.Timedelta(days=7))]
    spend = tx.groupby("member_id")["amount"].sum().reindex(control, fill_value=0)
    assert truth["completed_anyway"].loc[control, "discount_7_3"].equals((spend >= spec["difficulty"]).rename(
        "discount_7_3"))


def test_planted_effects_have_the_designed_signs():
    """The design: a small discount pays for budget members, the cheap BOGO for new members, and every offer with a
    reward loses net value on established members (they would have bought anyway)."""
    for seed in (6, 7):
        effects = program(seed)[1]["effects"]
        assert list(effects.index) == list(SEGMENTS)
        assert effects.loc["budget"].idxmax() == "discount_7_3" and effects.loc["new"].idxmax() == "bogo_5"
        assert (effects.loc["established", ["bogo_5", "bogo_10", "discount_7_3", "discount_20_5"]] < 0).all()
        assert effects.loc["budget", "discount_7_3"] > 2 and effects.loc["new", "bogo_5"] > 2


def test_visit_rates_do_not_change_with_tenure_so_survivors_spend_the_same():
    """Planted tenure effect 0: members still visiting after a year visit at the same rate in month 1 and 12."""
    data, truth = program(8, 20_000)
    assert truth["tenure_effect"] == 0
    tx = data.events[data.events["event"] == "transaction"]
    since = tx["member_id"].map(data.profiles["member_since"])
    month = np.floor((tx["date"] - since).dt.days / rk.DAYS["month"])
    early = data.profiles.index[data.profiles["member_since"] < pd.Timestamp("2024-05-01")]
    stayers = np.intersect1d(tx.loc[month.between(12, 14), "member_id"].unique(), early)
    visits = tx[tx["member_id"].isin(stayers)].groupby(month[tx["member_id"].isin(stayers)]).size()
    first, twelfth = visits.loc[0], visits.loc[11]
    assert abs(np.log(twelfth / first)) < 3 * np.sqrt(1 / first + 1 / twelfth) + 0.05
    heavy = truth["visit_rate"][stayers].mean()
    assert heavy > 1.2 * truth["visit_rate"].mean()        # the stayers are the heavy visitors


def test_visits_start_on_the_day_recorded_as_joined():
    """member_since is the day joined: the join day has a full day of visiting, as the next day has (counts over all
    members, a Poisson noise of about 2%; before the fix the join day had half a day, a ratio near 0.5)."""
    data, _ = program(9, 20_000)
    tx = data.events[data.events["event"] == "transaction"]
    day = (tx["date"] - tx["member_id"].map(data.profiles["member_since"])).dt.days
    counts = day.value_counts()
    assert 0.9 < counts[0] / counts[1] < 1.1


def test_bad_sizes_are_refused():
    with pytest.raises(rk.InputError, match="n_members"):
        rk.datasets.make_rewards_program(10)
