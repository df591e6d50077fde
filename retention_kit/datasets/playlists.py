"""Cadence, a music streaming service (fictional): a randomized rollout of personalized playlists, with planted
effects on listening and on cancellations that differ between new and long-time listeners.

The Spotify playlists case study reads it. The data are simulated: they are shaped like a rollout of
personalized playlists built from listening history, never any company's own data. numpy and pandas only.
"""
from __future__ import annotations

import copy
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..validation import Integer, RandomState, validate

__all__ = ["make_playlist_rollout", "planted_retention", "planted_value", "PlaylistRollout", "PLAYLIST_LIFT", "PLAYLIST_HAZARD_RATIO",
           "PLAYLIST_SHARE", "NEW_LISTENER_MONTHS"]

ROLLOUT_DATE = pd.Timestamp("2025-03-03")             # a Monday
WEEKS_BEFORE, WEEKS_AFTER = 4, 26
NEW_LISTENER_MONTHS = 6                               # tenure at the rollout below this: a new listener
GROUPS = ("new", "long-time")
PLAYLIST_LIFT = {"new": {"sessions": 0.08, "minutes": 0.12},          # planted relative lift of the treated arm
                 "long-time": {"sessions": 0.03, "minutes": 0.04}}
PLAYLIST_HAZARD_RATIO = {"new": 0.75, "long-time": 0.95}             # treated over control cancellation hazard
PLAYLIST_SHARE = {"new": 0.30, "long-time": 0.22}                    # a typical treated listener's share from playlists
_BASE_HAZARD = {"new": 0.016, "long-time": 0.005}                    # weekly cancellation hazard, control, average
_USUAL_MINUTES = {"new": 240.0, "long-time": 300.0}                  # median usual minutes a week
_NEW_SHARE, _SPREAD, _LISTENING_HAZARD, _APPETITE_HAZARD = 0.3, 1.2, 0.25, 0.3
_DAYS_PER_MONTH = 365.25 / 12


class PlaylistRollout(NamedTuple):
    """The rollout's two tables; unpacks as ``subscribers, listening = data``.

    Parameters
    ----------
    subscribers : DataFrame, one row per subscriber
    listening : DataFrame, one row per subscriber and week subscribed

    Examples
    --------
    >>> data, truth = make_playlist_rollout(300, random_state=0)
    >>> len(data.subscribers), sorted(data.subscribers["listener"].unique())
    (300, ['long-time', 'new'])
    """

    subscribers: pd.DataFrame
    listening: pd.DataFrame


def _expit(x):
    return 1 / (1 + np.exp(-x))


@validate(n_subscribers=Integer(low=100, hint="It is a number of subscribers."), random_state=RandomState())
def make_playlist_rollout(n_subscribers: int = 20_000, *, random_state=None):
    """Cadence's randomized rollout of personalized playlists: listening, and cancellations for 26 weeks.

    Generative process (time in weeks from the rollout, Monday 2025-03-03; observed until
    2025-09-01, exclusive, 26 weeks later), for every subscriber active at the rollout:

    * tenure: 30% are *new listeners* (joined less than 6 months before, uniformly), the others
      joined 6 months + Gamma(1.5, scale 14 months) before (``NEW_LISTENER_MONTHS``);
    * usual listening u_i = median x exp(1.2 z_i), z_i ~ N(0, 1) (heavy-tailed), median 240 minutes a week
      for new and 300 for long-time listeners, in sessions of about 32 minutes; a discovery appetite
      a_i = 0.4 z_i + sqrt(0.84) N(0, 1);
    * a random half (each subscriber independently, p = 0.5) gets personalized playlists (``treated``);
    * each week: sessions ~ Poisson(u_i / minutes per session x Gamma(8, 1/8) x (1 + l_s) x days / 7),
      minutes = the sum of Gamma(2)-distributed session lengths, with l_s and l_m the planted lifts of
      the treated arm after the rollout (``PLAYLIST_LIFT``: new +8% sessions and +12% minutes,
      long-time +3% and +4%; 0 before the rollout and in the control arm), so that
      E[minutes] = u_i (1 + l_m); playlist minutes (treated, after the rollout) are a Beta-distributed
      share of the week's minutes around s_i = expit(logit(``PLAYLIST_SHARE``) + 0.7 a_i) (new 0.30,
      long-time 0.22): most of them replace listening that would have happened anyway;
    * the cancellation hazard is constant in time: lambda_i = base x exp(-0.3 z_i - 0.3 a_i) / c
      (base 1.6% a week for new, 0.5% for long-time listeners; c makes the group's mean the base),
      times the planted hazard ratio for the treated (``PLAYLIST_HAZARD_RATIO``: new 0.75,
      long-time 0.95); the cancellation instant is Exponential(lambda_i) weeks after the rollout.
      Heavy and curious listeners cancel less in both arms: an association the test does not need.
      The hazard depends on usual listening and appetite, never on the extra minutes the playlists bring:
      none of the retention effect passes through listening (``truth["hazard_ratio_through_listening"]``, 1).

    Parameters
    ----------
    n_subscribers : int, default 20,000
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    (data, truth)
        ``data``: a :class:`PlaylistRollout`. ``data.subscribers``, one row per subscriber:
        ``customer_id`` (str), ``start_date`` (joined), ``tenure_months`` (whole months at the
        rollout), ``listener`` ("new" or "long-time"), ``treated`` (bool), ``rollout_date``,
        ``end_date`` (the cancellation instant, NaT if none before 2025-09-01). ``data.listening``,
        one row per subscriber and week subscribed from 4 weeks before the rollout, sorted by
        customer and week: ``customer_id``, ``week`` (the Monday), ``days`` (days subscribed in the
        week: 7 but in the week of joining or of a cancellation; a subscriber who joined less than 4 weeks
        before the rollout has fewer, shorter pre-period weeks), ``sessions``, ``minutes``, ``playlist_minutes``
        (0 before the rollout and in the control arm).
        ``truth``: ``subscribers`` (indexed by ``customer_id``: ``usual_minutes`` [a week], ``appetite``,
        ``playlist_share`` s_i, ``hazard_control`` and ``hazard_treated`` [a week]), the planted
        ``lift``, ``hazard_ratio``, ``hazard_ratio_through_listening`` (1: no mediation), ``playlist_share``,
        ``rollout_date``, ``observation_period_end``,
        ``new_listener_months`` and ``time_unit="week"``.

    Raises
    ------
    InputError
        For fewer than 100 subscribers or a bad ``random_state``.

    Examples
    --------
    >>> data, truth = make_playlist_rollout(500, random_state=1)
    >>> list(data.listening.columns)
    ['customer_id', 'week', 'days', 'sessions', 'minutes', 'playlist_minutes']
    >>> data.subscribers.shape, truth["hazard_ratio"]["new"]
    ((500, 7), 0.75)
    """
    rng = np.random.default_rng(random_state)
    n = n_subscribers
    new = rng.random(n) < _NEW_SHARE
    group = np.where(new, "new", "long-time")
    boundary = int(np.ceil(NEW_LISTENER_MONTHS * _DAYS_PER_MONTH))          # the first whole day of 6 months
    tenure_days = np.where(new, rng.integers(1, boundary, n),
                           boundary + np.floor(rng.gamma(1.5, 14.0, n) * _DAYS_PER_MONTH))
    start = ROLLOUT_DATE - pd.to_timedelta(tenure_days, unit="D")
    tenure_months = ((ROLLOUT_DATE - start).days // _DAYS_PER_MONTH).astype(int)
    z = rng.normal(size=n)
    appetite = 0.4 * z + np.sqrt(0.84) * rng.normal(size=n)
    usual = np.where(new, _USUAL_MINUTES["new"], _USUAL_MINUTES["long-time"]) * np.exp(_SPREAD * z)
    per_session = np.exp(np.log(32.0) + 0.3 * rng.normal(size=n))
    treated = rng.random(n) < 0.5
    lift_s = np.where(new, PLAYLIST_LIFT["new"]["sessions"], PLAYLIST_LIFT["long-time"]["sessions"])
    lift_m = np.where(new, PLAYLIST_LIFT["new"]["minutes"], PLAYLIST_LIFT["long-time"]["minutes"])
    share = _expit(np.log(np.where(new, PLAYLIST_SHARE["new"], PLAYLIST_SHARE["long-time"])
                          / (1 - np.where(new, PLAYLIST_SHARE["new"], PLAYLIST_SHARE["long-time"]))) + 0.7 * appetite)
    risk = -_LISTENING_HAZARD * _SPREAD * z - _APPETITE_HAZARD * appetite
    spread = (_LISTENING_HAZARD * _SPREAD) ** 2 + _APPETITE_HAZARD ** 2 + 2 * _LISTENING_HAZARD * _SPREAD \
        * _APPETITE_HAZARD * 0.4
    hazard_c = np.where(new, _BASE_HAZARD["new"], _BASE_HAZARD["long-time"]) * np.exp(risk - spread / 2)
    hazard_t = hazard_c * np.where(new, PLAYLIST_HAZARD_RATIO["new"], PLAYLIST_HAZARD_RATIO["long-time"])
    cancel = rng.exponential(1.0, n) / np.where(treated, hazard_t, hazard_c)      # weeks after the rollout

    weeks = np.arange(-WEEKS_BEFORE, WEEKS_AFTER)
    days = 7 * np.clip(cancel[:, None] - np.maximum(weeks, 0)[None, :], 0, 1)
    before = weeks < 0          # days subscribed in each pre-period week: none before the day the subscriber joined
    days[:, before] = np.clip(tenure_days[:, None] - 7.0 * (-weeks[before] - 1)[None, :], 0, 7)
    who, col = np.nonzero(days > 0)
    week_no, d = weeks[col], days[who, col]
    on = treated[who] & (week_no >= 0)
    rate = usual[who] / per_session[who] * rng.gamma(8.0, 1 / 8, len(who)) * np.where(on, 1 + lift_s[who], 1.0)
    sessions = rng.poisson(rate * d / 7)
    length = per_session[who] * np.where(on, (1 + lift_m[who]) / (1 + lift_s[who]), 1.0)
    minutes = np.where(sessions > 0, rng.gamma(np.maximum(2.0 * sessions, 1e-9), length / 2.0), 0.0)
    part = rng.beta(20 * share[who], 20 * (1 - share[who]))
    playlist = np.where(on, minutes * part, 0.0)

    ids = np.array([f"C{i:05d}" for i in range(1, n + 1)])
    end = WEEKS_AFTER
    within = np.where(cancel < end, cancel, 0.0)       # a cancellation centuries away is no timestamp: only those seen
    ended = pd.Series(ROLLOUT_DATE + pd.to_timedelta(np.round(within * 7 * 86400), unit="s")).where(cancel < end)
    subscribers = pd.DataFrame({"customer_id": ids, "start_date": start, "tenure_months": tenure_months,
                                "listener": group, "treated": treated, "rollout_date": ROLLOUT_DATE,
                                "end_date": ended})
    listening = pd.DataFrame({"customer_id": ids[who], "week": ROLLOUT_DATE + pd.to_timedelta(7 * week_no, unit="D"),
                              "days": d, "sessions": sessions.astype(np.int64),
                              "minutes": np.round(minutes, 1), "playlist_minutes": np.round(playlist, 1)})
    truth_subscribers = pd.DataFrame({"listener": group, "treated": treated, "usual_minutes": usual,
                                      "appetite": appetite, "playlist_share": share, "hazard_control": hazard_c,
                                      "hazard_treated": hazard_t}, index=pd.Index(ids, name="customer_id"))
    truth = dict(subscribers=truth_subscribers, lift=copy.deepcopy(PLAYLIST_LIFT),
                 hazard_ratio=dict(PLAYLIST_HAZARD_RATIO),
                 hazard_ratio_through_listening={g: 1.0 for g in GROUPS}, playlist_share=dict(PLAYLIST_SHARE),
                 rollout_date=ROLLOUT_DATE, observation_period_end=ROLLOUT_DATE + pd.Timedelta(weeks=end),
                 new_listener_months=NEW_LISTENER_MONTHS, time_unit="week")
    return PlaylistRollout(subscribers, listening), truth


def planted_retention(truth: dict, horizon: float, *, by: str | None = "listener") -> pd.DataFrame:
    """The planted share still subscribed at ``horizon`` weeks and restricted mean lifetime, by arm.

    With each subscriber's planted hazard lambda (a week), S_i(t) = exp(-lambda t) and
    RMST_i(tau) = (1 - exp(-lambda tau)) / lambda; a group's planted values are the means over its
    subscribers of both arms' values (every subscriber, as if all were treated, and as if none were).

    Parameters
    ----------
    truth : dict from :func:`make_playlist_rollout`
    horizon : float, weeks after the rollout
    by : str or None, default "listener"; None for everyone

    Returns
    -------
    DataFrame indexed by group ("all" without ``by``): ``retained_control``, ``retained_treated``,
    ``retained_difference``, ``rmst_control``, ``rmst_treated``, ``rmst_difference``.

    Raises
    ------
    InputError
        For a horizon that is not a positive number.

    Examples
    --------
    >>> data, truth = make_playlist_rollout(2_000, random_state=0)
    >>> t = planted_retention(truth, 26)
    >>> bool(t.loc["new", "retained_difference"] > t.loc["long-time", "retained_difference"] > 0)
    True
    """
    from ..validation import Real, check
    tau = check("horizon", horizon, Real(low=0, closed="neither"))
    subs = truth["subscribers"]
    values = {}
    for arm in ("control", "treated"):
        rate = subs[f"hazard_{arm}"]
        values[f"retained_{arm}"] = np.exp(-rate * tau)
        values[f"rmst_{arm}"] = (1 - np.exp(-rate * tau)) / rate
    table = pd.DataFrame(values, index=subs.index)
    keys = subs[by] if by is not None else pd.Series("all", index=subs.index)
    out = table.groupby(keys).mean()
    out["retained_difference"] = out["retained_treated"] - out["retained_control"]
    out["rmst_difference"] = out["rmst_treated"] - out["rmst_control"]
    out.index.name = by
    return out[["retained_control", "retained_treated", "retained_difference", "rmst_control", "rmst_treated",
                "rmst_difference"]]


def planted_value(truth: dict, horizon: float, *, margin_per_period: float, discount_rate: float,
                  weeks_per_period: float, effect: str = "stops", per: float = 10_000,
                  by: str | None = "listener") -> pd.Series:
    """The planted value of the rollout per ``per`` subscribers, from each subscriber's planted hazards.

    The simulator's hazards are constant in time, so the planted world continues beyond the data. For a
    subscriber with weekly hazards lambda_C and lambda_T, margin m a period of w weeks and discount rate d a period:
    within the horizon, m / w (RMST_T(tau) - RMST_C(tau)) (undiscounted); beyond it, V S_T(tau) - V_C S_C(tau),
    with V_X = m (1 + d) / (1 + d - r_X) / (1 + d)^(tau / w), r_X = exp(-lambda_X w) (a formula CLV paid at the
    start of each period, discounted back to the rollout) and V = V_C if the effect stops at the horizon, V_T if
    it lasts. A group's value is the mean over its subscribers (both arms), times ``per``.

    Parameters
    ----------
    truth : dict from :func:`make_playlist_rollout`
    horizon : float, weeks after the rollout
    margin_per_period : float, m
    discount_rate : float, d, per period (0 or more)
    weeks_per_period : float, w, such as 365.25 / 12 / 7 for a month
    effect : "stops" (default) or "persists"
    per : float, default 10,000
    by : str or None, default "listener"; None for everyone

    Returns
    -------
    Series indexed by group ("all" without ``by``): the planted value per ``per`` subscribers.

    Raises
    ------
    InputError
        For a horizon, period or ``per`` that is not positive, a negative discount rate, or an unknown ``effect``.

    Examples
    --------
    >>> truth = {"subscribers": pd.DataFrame({"listener": ["a"], "hazard_control": [0.1], "hazard_treated": [0.1]})}
    >>> float(planted_value(truth, 5, margin_per_period=1.0, discount_rate=0.0, weeks_per_period=1.0).iloc[0])
    0.0
    """
    from ..validation import Options, Real, check
    tau = check("horizon", horizon, Real(low=0, closed="neither"))
    m = check("margin_per_period", margin_per_period, Real())
    d = check("discount_rate", discount_rate, Real(low=0))
    w = check("weeks_per_period", weeks_per_period, Real(low=0, closed="neither"))
    effect = check("effect", effect, Options("stops", "persists"))
    per = check("per", per, Real(low=0, closed="neither"))
    subs = truth["subscribers"]
    lam_c, lam_t = subs["hazard_control"].to_numpy(), subs["hazard_treated"].to_numpy()
    value_at = {name: m * (1 + d) / (1 + d - np.exp(-lam * w)) / (1 + d) ** (tau / w)
                for name, lam in (("control", lam_c), ("treated", lam_t))}
    v_treated = value_at["treated"] if effect == "persists" else value_at["control"]
    within = m / w * ((1 - np.exp(-lam_t * tau)) / lam_t - (1 - np.exp(-lam_c * tau)) / lam_c)
    beyond = v_treated * np.exp(-lam_t * tau) - value_at["control"] * np.exp(-lam_c * tau)
    keys = subs[by] if by is not None else pd.Series("all", index=subs.index)
    out = (per * pd.Series(within + beyond, index=subs.index)).groupby(keys).mean()
    out.index.name = by
    return out.rename(f"planted value per {per:,.0f} (effect {effect})")
