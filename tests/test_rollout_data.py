"""The playlist rollout simulator: its tables are consistent, its draws reproducible, and the truth it reports is what
generated the data (checked with lifelines' Cox model and Kaplan-Meier curves, and plain pandas)."""
import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, KaplanMeierFitter

import retention_kit as rk
from retention_kit.datasets.playlists import planted_retention, planted_value


@pytest.fixture(scope="module")
def rollout():
    return rk.datasets.make_playlist_rollout(30_000, random_state=4)


def test_shape_columns_and_reproducibility(rollout):
    (subs, listening), truth = rollout
    assert list(subs.columns) == ["customer_id", "start_date", "tenure_months", "listener", "treated", "rollout_date",
                                  "end_date"]
    assert list(listening.columns) == ["customer_id", "week", "days", "sessions", "minutes", "playlist_minutes"]
    assert subs["customer_id"].is_unique and set(listening["customer_id"]) == set(subs["customer_id"])
    assert (listening["week"].dt.dayofweek == 0).all() and listening["week"].min() == pd.Timestamp("2025-02-03")
    again = rk.datasets.make_playlist_rollout(500, random_state=9)
    assert again[0].listening.equals(rk.datasets.make_playlist_rollout(500, random_state=9)[0].listening)
    assert subs["treated"].mean() == pytest.approx(0.5, abs=0.02)
    assert (subs["listener"] == "new").mean() == pytest.approx(0.3, abs=0.02)
    with pytest.raises(rk.InputError, match="n_subscribers"):
        rk.datasets.make_playlist_rollout(10)
    for seed in (1046, 1051):                 # seeds whose draws hold a cancellation centuries after the rollout
        subs_far = rk.datasets.make_playlist_rollout(random_state=seed)[0].subscribers
        assert subs_far["end_date"].max() < pd.Timestamp("2025-09-01")


def test_tenure_and_cancellations_are_consistent(rollout):
    (subs, listening), truth = rollout
    tenure = (subs["rollout_date"] - subs["start_date"]).dt.days / (365.25 / 12)
    assert ((subs["listener"] == "new") == (tenure < 6)).all()
    assert (subs["tenure_months"] == np.floor(tenure)).all()
    ended = subs.dropna(subset=["end_date"])
    assert (ended["end_date"] > ended["rollout_date"]).all() and (ended["end_date"] < truth["observation_period_end"]).all()
    # a row per week subscribed: the last week of a cancelled subscriber is the week of the cancellation, part-time
    last = listening.groupby("customer_id").agg(week=("week", "max"), days=("days", "last"))
    weeks_in = (ended.set_index("customer_id")["end_date"] - pd.Timestamp("2025-03-03")) / pd.Timedelta(weeks=1)
    assert (last.loc[weeks_in.index, "week"] == pd.Timestamp("2025-03-03")
            + pd.to_timedelta(7 * np.floor(weeks_in.to_numpy()), unit="D")).all()
    assert np.allclose(last.loc[weeks_in.index, "days"], 7 * (weeks_in - np.floor(weeks_in)), atol=1e-4)
    assert (listening["playlist_minutes"] <= listening["minutes"]).all()
    # nobody listens before joining: a pre-period week holds the days from the start date to the week's end
    pre = listening[listening["week"] < "2025-03-03"].merge(subs[["customer_id", "start_date"]], on="customer_id")
    by_hand = ((pre["week"] + pd.Timedelta(days=7) - pre["start_date"]).dt.days).clip(upper=7)
    assert (pre["days"] == by_hand).all() and (pre["days"] > 0).all()
    late = subs.loc[subs["start_date"] > "2025-02-03", "customer_id"]
    assert len(late) > 50 and pre["customer_id"].isin(late).any()
    assert (listening[listening["customer_id"].isin(late)].groupby("customer_id")["week"].min()
            == subs.set_index("customer_id").loc[late, "start_date"].dt.to_period("W-SUN").dt.start_time).all()
    control = listening["customer_id"].isin(subs.loc[~subs["treated"], "customer_id"])
    assert (listening.loc[control | (listening["week"] < "2025-03-03"), "playlist_minutes"] == 0).all()


def test_the_planted_hazard_ratios_and_listening_generated_the_data(rollout):
    (subs, listening), truth = rollout
    life = rk.survival.subscription_lifetimes(subs, observation_period_end="2025-09-01", start_col="rollout_date",
                                              time_unit="week")
    for group, ratio in truth["hazard_ratio"].items():
        chosen = life[life["listener"] == group]
        cox = CoxPHFitter().fit(pd.DataFrame({"T": chosen["duration"], "E": chosen["churned"],
                                              "treated": chosen["treated"].astype(float)}), "T", "E")
        # tolerance: 4 standard errors of the log hazard ratio (this seed's long-time draw sits 3.6 away)
        assert abs(cox.params_["treated"] - np.log(ratio)) < 4 * cox.standard_errors_["treated"]
        planted = planted_retention(truth, 26).loc[group]
        for arm, flag in (("treated", True), ("control", False)):
            km = KaplanMeierFitter().fit(chosen.loc[chosen["treated"] == flag, "duration"],
                                         chosen.loc[chosen["treated"] == flag, "churned"])
            assert float(km.survival_function_at_times(26).iloc[0]) == pytest.approx(planted[f"retained_{arm}"], abs=0.02)
    # before the rollout, each subscriber listens their usual minutes a week on average (no arm differs)
    pre = listening[listening["week"] < "2025-03-03"].groupby("customer_id")[["minutes", "days"]].sum()
    before = pre["minutes"] / (pre["days"] / 7)
    usual = truth["subscribers"]["usual_minutes"]
    assert before.mean() == pytest.approx(usual.mean(), rel=0.03)


def test_planted_retention_by_hand():
    truth = {"subscribers": pd.DataFrame({"listener": ["a", "a"], "hazard_control": [0.1, 0.2],
                                          "hazard_treated": [0.05, 0.1]})}
    table = planted_retention(truth, 10)
    expected_control = (np.exp(-1) + np.exp(-2)) / 2
    assert table.loc["a", "retained_control"] == pytest.approx(expected_control)
    assert table.loc["a", "rmst_treated"] == pytest.approx(((1 - np.exp(-0.5)) / 0.05 + (1 - np.exp(-1)) / 0.1) / 2)
    assert planted_retention(truth, 10, by=None).index.tolist() == ["all"]
    with pytest.raises(rk.InputError, match="horizon"):
        planted_retention(truth, 0)


def test_no_part_of_the_planted_retention_effect_passes_through_listening(rollout):
    """The hazards are set before any listening is drawn: treated over control is the planted ratio exactly, for
    every subscriber, whatever their extra minutes."""
    (subs, listening), truth = rollout
    t = truth["subscribers"]
    ratio = t["hazard_treated"] / t["hazard_control"]
    assert np.allclose(ratio, t["listener"].map(truth["hazard_ratio"]))
    assert truth["hazard_ratio_through_listening"] == {"new": 1.0, "long-time": 1.0}


def test_planted_value_by_hand():
    truth = {"subscribers": pd.DataFrame({"listener": ["a", "a"], "hazard_control": [0.1, 0.2],
                                          "hazard_treated": [0.05, 0.1]})}
    m, d, w, tau = 4.0, 0.01, 2.0, 6.0

    def one(lc, lt, lasts):
        value = lambda lam: m * (1 + d) / (1 + d - np.exp(-lam * w)) / (1 + d) ** (tau / w)   # noqa: E731
        within = m / w * ((1 - np.exp(-lt * tau)) / lt - (1 - np.exp(-lc * tau)) / lc)
        return within + (value(lt) if lasts else value(lc)) * np.exp(-lt * tau) - value(lc) * np.exp(-lc * tau)

    for effect, lasts in (("stops", False), ("persists", True)):
        got = planted_value(truth, tau, margin_per_period=m, discount_rate=d, weeks_per_period=w, effect=effect, per=1)
        assert got.loc["a"] == pytest.approx((one(0.1, 0.05, lasts) + one(0.2, 0.1, lasts)) / 2)
    assert planted_value(truth, tau, margin_per_period=m, discount_rate=d, weeks_per_period=w,
                         by=None).index.tolist() == ["all"]
    with pytest.raises(rk.InputError, match="effect"):
        planted_value(truth, tau, margin_per_period=m, discount_rate=d, weeks_per_period=w, effect="fades")
    with pytest.raises(rk.InputError, match="discount_rate"):
        planted_value(truth, tau, margin_per_period=m, discount_rate=-0.1, weeks_per_period=w)
