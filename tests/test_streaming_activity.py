"""Lumen+ weekly activity: the table is what its docstring says, and the planted hazard is what generates churn."""

import numpy as np
import pandas as pd
import pytest

import retention_kit as rk
from retention_kit.datasets.streaming import PLAN_ORDER, make_streaming_activity

WEEK = pd.Timedelta(days=7)


@pytest.fixture(scope="module")
def world():
    return make_streaming_activity(4000, random_state=11)


@pytest.fixture(scope="module")
def derived(world):
    activity, truth = world
    return derived_signals(activity, truth["subscribers"])


def derived_signals(activity, subscribers):
    """The hazard's terms recomputed from the public table alone (what a student could do)."""
    a = activity.sort_values(["customer_id", "week"]).reset_index(drop=True)
    level = a["plan"].map({p: i for i, p in enumerate(PLAN_ORDER)})
    down = (level.groupby(a["customer_id"]).diff() < 0).astype(float)
    recent = down.groupby(a["customer_id"]).rolling(4, min_periods=1).max().reset_index(level=0, drop=True)
    start = a["customer_id"].map(subscribers.set_index("customer_id")["start_date"])
    end = a["customer_id"].map(subscribers.set_index("customer_id")["end_date"])
    terms = pd.DataFrame({"intercept": 1.0, "log1p_hours": np.log1p(a["hours_viewed"]),
                          "failed_payment": a["failed_payment"].astype(float),
                          "support_contacts": a["support_contacts"].astype(float), "recent_downgrade": recent,
                          "plan_basic": (a["plan"] == "basic").astype(float),
                          "plan_premium": (a["plan"] == "premium").astype(float),
                          "new_subscriber": np.exp(-((a["week"] - start) / WEEK) / 6.0)})
    cancelled_next = (end == a["week"] + WEEK).to_numpy()
    return a, terms, cancelled_next


def test_the_table_has_one_row_per_subscriber_and_week_subscribed(world):
    activity, truth = world
    subs = truth["subscribers"]
    assert list(activity.columns) == ["customer_id", "week", "plan", "hours_viewed", "sessions", "failed_payment",
                                      "support_contacts"]
    assert activity["failed_payment"].dtype == bool and activity["week"].dt.dayofweek.eq(0).all()
    assert not activity.duplicated(["customer_id", "week"]).any()
    g = activity.groupby("customer_id")["week"]
    span = (g.max() - g.min()) // WEEK + 1
    assert (span == g.size()).all()                                        # no week missing in between
    s = subs.set_index("customer_id")
    assert (g.min() == s["start_date"]).all()
    ended = s["end_date"].notna()
    assert (g.max()[ended] + WEEK == s.loc[ended, "end_date"]).all()     # rows cover [start_date, end_date)
    assert (g.max()[~ended] == truth["observed_until"] - WEEK).all()      # the active reach the last week
    assert truth["first_week"] == pd.Timestamp("2024-01-01") and truth["observed_until"] == pd.Timestamp("2025-12-29")
    first_plan = activity.sort_values("week").groupby("customer_id")["plan"].first()
    assert (first_plan == s["plan"]).all()


def test_subscribers_join_over_time_not_all_at_once(world):
    _, truth = world
    weeks = (truth["subscribers"]["start_date"] - truth["first_week"]) // WEEK
    assert (weeks == 0).mean() < 0.03
    assert weeks.quantile([0.25, 0.5, 0.75]).tolist() == pytest.approx([26, 52, 78], abs=4)   # uniform over 104


def test_plans_only_move_down_and_fees_follow_the_plan(world):
    activity, truth = world
    level = activity["plan"].map({p: i for i, p in enumerate(PLAN_ORDER)})
    assert (level.groupby(activity["customer_id"]).diff().dropna() <= 0).all()
    assert 0 < (level.groupby(activity["customer_id"]).diff() < 0).sum()
    fees = truth["subscribers"].groupby("plan")["monthly_fee"].unique().map(lambda f: f.tolist()).to_dict()
    assert fees == {"basic": [7.99], "standard": [12.99], "premium": [18.99]}


def test_the_documented_hazard_formula_is_the_one_that_generates(world, derived):
    activity, truth = world
    a, terms, _ = derived
    h = truth["hazard"]
    beta = np.array([h["intercept"], h["log1p_hours"], h["failed_payment"], h["support_contacts"],
                     h["recent_downgrade"], h["plan"]["basic"], h["plan"]["premium"], h["new_subscriber"]])
    assert beta.tolist() == [-4.4, -0.9, 5.0, 1.0, 0.8, 0.3, -0.3, 1.0]          # the docstring's numbers
    planted = 1 / (1 + np.exp(-terms.to_numpy() @ beta))
    weekly = truth["weekly"]
    assert weekly["customer_id"].equals(a["customer_id"]) and weekly["week"].equals(a["week"])   # row for row
    assert np.abs(weekly["hazard_next_week"].to_numpy() / planted - 1).max() < 1e-9


def test_cancellations_recover_the_planted_coefficients(world, derived):
    """A logistic regression of next-week cancellation on the hazard's terms, by Newton's method with the
    inverse Fisher information as its covariance: each planted coefficient within four standard errors."""
    activity, truth = world
    a, terms, y = derived
    keep = (a["week"] + WEEK < truth["observed_until"]).to_numpy()        # the next week is observed
    X, y = terms.to_numpy()[keep], y[keep].astype(float)
    beta = np.zeros(X.shape[1])
    for _ in range(30):
        p = 1 / (1 + np.exp(-X @ beta))
        info = X.T @ (X * (p * (1 - p))[:, None])
        beta = beta + np.linalg.solve(info, X.T @ (y - p))
    se = np.sqrt(np.diag(np.linalg.inv(info)))
    h = truth["hazard"]
    planted = np.array([h["intercept"], h["log1p_hours"], h["failed_payment"], h["support_contacts"],
                        h["recent_downgrade"], h["plan"]["basic"], h["plan"]["premium"], h["new_subscriber"]])
    z = (beta - planted) / se
    assert np.abs(z).max() < 4, dict(zip(terms.columns, np.round(beta, 3)))
    assert se.max() < 0.25                                                  # precise enough to mean something
    assert y.sum() > 1500


def test_the_signs_follow_the_planted_lead_times_after_the_onset_of_drift(world):
    activity, truth = world
    k = truth["weekly"]["drift_week"].to_numpy()
    lead = truth["lead_weeks"]
    assert lead == {"hours_viewed": 0, "sessions": 0, "plan": 3, "support_contacts": 6, "failed_payment": 7}
    failed = activity["failed_payment"].to_numpy()
    assert failed[k >= 7].mean() == pytest.approx(0.7, abs=0.03)
    assert failed[(k >= 0) & (k < 7)].mean() == pytest.approx(0.01, abs=0.005)
    assert failed[k < 0].mean() == pytest.approx(0.01, abs=0.002)
    support = activity["support_contacts"].to_numpy()
    assert support[k >= 6].mean() == pytest.approx(0.5, abs=0.04) and support[k < 6].mean() == pytest.approx(0.03, abs=0.005)
    usual = activity["customer_id"].map(truth["subscribers"].set_index("customer_id")["usual_hours"]).to_numpy()
    share = activity["hours_viewed"].to_numpy() / usual                   # noise has mean 1
    for stage in range(0, 6):
        assert share[k == stage].mean() == pytest.approx(1 - 0.12 * (stage + 1), abs=0.04)
    assert share[k < 0].mean() == pytest.approx(1.0, abs=0.01)


def test_4000_subscribers_over_two_years_give_a_weekly_table_of_the_expected_size():
    """About half cancel along the way, so the table holds fewer rows than 4,000 x 104 weeks."""
    activity, _ = make_streaming_activity(4000, random_state=0)
    assert 100_000 < len(activity) < 140_000


def test_a_seed_reproduces_the_table_and_another_changes_it():
    a, _ = make_streaming_activity(300, random_state=5)
    b, _ = make_streaming_activity(300, random_state=5)
    c, _ = make_streaming_activity(300, random_state=6)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_weeks_start_on_the_first_monday_and_end_before_the_end():
    activity, truth = make_streaming_activity(50, start="2025-01-01", end="2025-03-01", random_state=0)
    assert truth["first_week"] == pd.Timestamp("2025-01-06")                   # 1 January 2025 was a Wednesday
    assert activity["week"].max() == pd.Timestamp("2025-02-17")                 # the week to 23 February is whole
    assert truth["observed_until"] == pd.Timestamp("2025-02-24")


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_subscribers=0), "n_subscribers=0 must be a whole number of at least 1"),
    (dict(n_subscribers=2.5), "n_subscribers=2.5"),
    (dict(start="2025-01-01", end="2025-01-10"), "pass a period of at least two whole weeks"),
    (dict(start="2025-02-01", end="2025-01-01"), "period_end"),
    (dict(random_state=-1), "random_state=-1"),
])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(rk.InputError, match=message):
        make_streaming_activity(**{"n_subscribers": 10, **kwargs})
