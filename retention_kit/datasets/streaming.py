"""Lumen+, a video streaming service: weekly viewing of subscribers, with planted early-warning signs of churn.

A simulator with planted truth, in the pattern of :mod:`retention_kit.datasets.simulate`: the lesson on
predictive churn builds features from these weeks, fits models, and checks them against the hazard that
generated the cancellations. numpy and pandas only.
"""
from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from ..validation import InputError, Integer, RandomState, require_period, validate
from .simulate import Simulated

__all__ = ["make_streaming_activity", "STREAMING_PLANS", "PLAN_ORDER", "STREAMING_HAZARD", "STREAMING_DRIFT"]

STREAMING_PLANS = {  # plan: (share of new subscribers, monthly fee in dollars, viewing multiplier)
    "basic": (0.45, 7.99, 0.8),
    "standard": (0.35, 12.99, 1.0),
    "premium": (0.20, 18.99, 1.3),
}
PLAN_ORDER = tuple(STREAMING_PLANS)        # lowest to highest: a move to the left is a downgrade

STREAMING_HAZARD = {  # logit of the weekly cancellation hazard, from the signals of the week before
    "intercept": -4.4,
    "log1p_hours": -0.9,            # per unit of log(1 + hours viewed)
    "failed_payment": 5.0,          # a failed payment that week
    "support_contacts": 1.0,        # per support contact that week
    "recent_downgrade": 0.8,        # a downgrade in that week or the 3 before it
    "plan": {"basic": 0.3, "standard": 0.0, "premium": -0.3},
    "new_subscriber": 1.0,          # times exp(-tenure / new_subscriber_weeks)
    "new_subscriber_weeks": 6.0,
}

STREAMING_DRIFT = {  # the latent disengagement that precedes most cancellations
    "onset_probability": 0.012,     # per week, for a settled subscriber
    "recovery_probability": 0.02,   # per week, for a drifting one (back to settled)
    "viewing_decline": 0.12,        # viewing falls to max(floor, 1 - decline * (k + 1)) of usual, k weeks after onset
    "viewing_floor": 0.1,
    "lead_weeks": {"hours_viewed": 0, "sessions": 0, "plan": 3, "support_contacts": 6, "failed_payment": 7},
    "downgrade_probability": (0.002, 0.15),     # per week: settled, drifting from lead_weeks["plan"] on
    "support_rate": (0.03, 0.5),               # Poisson mean per week: settled, drifting from lead_weeks on
    "failed_payment_probability": (0.01, 0.7), # per week: settled, drifting from lead_weeks on
    "hours_per_session": 1.6,
}


def _first_monday(ts: pd.Timestamp) -> pd.Timestamp:
    day = ts.normalize() + pd.Timedelta(days=int(ts != ts.normalize()))    # the first midnight at or after ts
    return day + pd.Timedelta(days=(7 - day.dayofweek) % 7)


def _hazard(hours, failed, support, recent_down, plan, tenure):
    h = STREAMING_HAZARD
    plan_effect = np.array([h["plan"][p] for p in PLAN_ORDER])[plan]
    logit = (h["intercept"] + h["log1p_hours"] * np.log1p(hours) + h["failed_payment"] * failed
             + h["support_contacts"] * support + h["recent_downgrade"] * recent_down + plan_effect
             + h["new_subscriber"] * np.exp(-tenure / h["new_subscriber_weeks"]))
    return 1 / (1 + np.exp(-logit))


@validate(n_subscribers=Integer(low=1, hint="It is a number of subscribers."), random_state=RandomState())
def make_streaming_activity(n_subscribers: int = 4000, *, start="2024-01-01", end="2026-01-01",
                            random_state=None) -> Simulated:
    """Weekly activity of the subscribers of Lumen+, a video streaming service, with a planted churn hazard.

    Weeks start on Monday: the first week is the first Monday on or after ``start``, the last the
    last whole week before ``end`` (exclusive). Generative process, vectorized over subscribers,
    week by week:

    * subscriber i joins in a uniform week j_i (not all at once) on a plan of ``STREAMING_PLANS``
      (basic 45% at $7.99 a month, standard 35% at $12.99, premium 20% at $18.99), with usual
      viewing u_i ~ Gamma(2, scale 4) hours a week times the plan's viewing multiplier;
    * a latent engagement state: each week a settled subscriber starts to drift away with
      probability 0.012 (``STREAMING_DRIFT``); a drifting one recovers with probability 0.02.
      k weeks after the onset of drift (planted lead times from the onset, ``lead_weeks``):
      viewing falls from k = 0 to max(0.1, 1 - 0.12 (k + 1)) of usual; from k = 3 a downgrade to
      the next lower plan has probability 0.15 a week (0.002 when settled); from k = 6 support
      contacts are Poisson(0.5) a week (0.03); from k = 7 a payment fails with probability 0.7 a
      week (0.01);
    * hours_t = u_i x viewing share x Gamma(4, scale 1/4) noise, to 0.1 h; sessions are
      1 + Poisson(hours / 1.6) in a week with viewing, else 0;
    * the weekly cancellation hazard, from the signals of the week before (``STREAMING_HAZARD``):

      logit(h_t) = -4.4 - 0.9 log(1 + hours_{t-1}) + 5.0 failed_payment_{t-1}
      + 1.0 support_contacts_{t-1} + 0.8 downgrade_in_weeks_{t-4..t-1} + plan effect
      (basic +0.3, standard 0, premium -0.3) + 1.0 exp(-tenure_{t-1} / 6 weeks);

    * a cancellation at the start of week t ends the subscriber's rows: they have rows for the
      weeks [start_date, end_date), and ``end_date`` is the Monday of the first week without one.

    A drifting subscriber mostly cancels soon after the payments fail (median about 8 weeks from
    the onset), so before a cancellation viewing declines first (about 7 to 9 weeks before),
    downgrades follow (about 5), and failed payments and support contacts rise in the last 1 to 3
    weeks. About half of the cancellations come with no drift at all (a failed card, a light
    viewer, a new subscriber): the hazard is never zero.

    Parameters
    ----------
    n_subscribers : int, default 4000
    start, end : dates
        Subscribers join in the weeks of [start, end); nothing from ``end`` on is observed.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    Simulated(data, truth). ``data``: one row per subscriber and week subscribed, sorted by
    customer and week, columns ``customer_id`` (str), ``week`` (the Monday, a Timestamp),
    ``plan`` (that week's plan), ``hours_viewed``, ``sessions``, ``failed_payment`` (bool),
    ``support_contacts``. ``truth``: ``subscribers`` (``customer_id``, ``start_date``,
    ``end_date`` (NaT while active), ``plan`` and ``monthly_fee`` at the start, ``usual_hours``,
    ``drift_onset`` (the week drift last began, NaT if never)); ``weekly``, aligned row for row
    with ``data``: ``hazard_next_week`` (the planted probability of cancelling at the start of the
    next week, from this week's signals) and ``drift_week`` (k, or -1 when settled); the
    coefficients ``hazard``, the ``drift`` process and its ``lead_weeks``, ``plans``,
    ``observed_until`` (exclusive) and ``time_unit="week"``.

    Raises
    ------
    InputError
        For a count that is not a positive whole number, a reversed period or one without two
        whole weeks, or a bad ``random_state``.

    Examples
    --------
    >>> activity, truth = make_streaming_activity(200, random_state=1)
    >>> list(activity.columns)
    ['customer_id', 'week', 'plan', 'hours_viewed', 'sessions', 'failed_payment', 'support_contacts']
    >>> activity["week"].dt.dayofweek.unique().tolist(), truth["hazard"]["failed_payment"]
    ([0], 5.0)
    """
    ps, pe = require_period(start, end)
    first = _first_monday(ps)
    n_weeks = int((pe - first) // pd.Timedelta(days=7))
    if n_weeks < 2:
        raise InputError(f"start={start!r} and end={end!r} hold {max(n_weeks, 0)} whole week(s) from Monday "
                         f"{first.date()}; pass a period of at least two whole weeks.")
    rng = np.random.default_rng(random_state)
    n, d = n_subscribers, STREAMING_DRIFT
    shares = np.array([v[0] for v in STREAMING_PLANS.values()])
    join = rng.integers(0, n_weeks, n)
    plan0 = rng.choice(len(PLAN_ORDER), size=n, p=shares)
    usual = rng.gamma(2.0, 4.0, n) * np.array([v[2] for v in STREAMING_PLANS.values()])[plan0]
    plan, stage = plan0.copy(), np.full(n, -1)
    ended, onset, last_down = np.full(n, -1), np.full(n, -1), np.full(n, -10**6)
    hazard_next = np.zeros(n)
    pieces = []
    for t in range(n_weeks):
        cancel = (join < t) & (ended < 0) & (rng.random(n) < hazard_next)
        ended[cancel] = t
        active = (join <= t) & (ended < 0)
        existing = active & (join < t)
        drifting = existing & (stage >= 0)
        recover = drifting & (rng.random(n) < d["recovery_probability"])
        begin = existing & (stage < 0) & (rng.random(n) < d["onset_probability"])
        stage[drifting] += 1
        stage[recover] = -1
        stage[begin], onset[begin] = 0, t
        k = stage
        share = np.where(k >= 0, np.maximum(d["viewing_floor"], 1 - d["viewing_decline"] * (k + 1)), 1.0)
        hours = np.round(usual * share * rng.gamma(4.0, 0.25, n), 1)
        sessions = np.where(hours > 0, 1 + rng.poisson(hours / d["hours_per_session"]), 0)
        lead = d["lead_weeks"]
        p_down = np.where(k >= lead["plan"], d["downgrade_probability"][1], d["downgrade_probability"][0])
        down = existing & (plan > 0) & (rng.random(n) < p_down)
        plan[down] -= 1
        last_down[down] = t
        support = rng.poisson(np.where(k >= lead["support_contacts"], d["support_rate"][1], d["support_rate"][0]))
        failed = rng.random(n) < np.where(k >= lead["failed_payment"], d["failed_payment_probability"][1],
                                          d["failed_payment_probability"][0])
        hazard_next = _hazard(hours, failed, support, (t - last_down) < 4, plan, (t - join).astype(float))
        idx = np.flatnonzero(active)
        pieces.append((idx, np.full(len(idx), t), plan[idx], hours[idx], sessions[idx], failed[idx], support[idx],
                       hazard_next[idx], k[idx]))
    cols = [np.concatenate(parts) for parts in zip(*pieces)]
    order = np.lexsort((cols[1], cols[0]))
    who, week_no, plan_no, hours, sessions, failed, support, hazard, kk = (c[order] for c in cols)
    ids = np.array([f"L{i:05d}" for i in range(1, n + 1)])
    weeks = first + pd.to_timedelta(7 * week_no, unit="D")
    data = pd.DataFrame({"customer_id": ids[who], "week": weeks, "plan": np.array(PLAN_ORDER)[plan_no],
                         "hours_viewed": hours, "sessions": sessions.astype(np.int64), "failed_payment": failed,
                         "support_contacts": support.astype(np.int64)})
    weekly = pd.DataFrame({"customer_id": data["customer_id"], "week": weeks, "hazard_next_week": hazard,
                           "drift_week": kk.astype(np.int64)})

    def monday(numbers):
        return pd.Series(first + pd.to_timedelta(7 * numbers, unit="D")).where(numbers >= 0)

    subscribers = pd.DataFrame({
        "customer_id": ids, "start_date": monday(join), "end_date": monday(ended),
        "plan": np.array(PLAN_ORDER)[plan0], "monthly_fee": np.array([v[1] for v in STREAMING_PLANS.values()])[plan0],
        "usual_hours": usual, "drift_onset": monday(onset)})
    truth = dict(subscribers=subscribers, weekly=weekly, hazard=copy.deepcopy(STREAMING_HAZARD),
                 drift=copy.deepcopy(STREAMING_DRIFT), lead_weeks=dict(STREAMING_DRIFT["lead_weeks"]),
                 plans=dict(STREAMING_PLANS), observed_until=first + pd.Timedelta(days=7 * n_weeks),
                 first_week=first, time_unit="week")
    return Simulated(data, truth)
