"""Simulated data for the rewards-app case study: Harbor Coffee's members, its offer portfolio and an event log of
offers (received, viewed, completed) and transactions, with one randomized send of offers and planted effects."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from ..validation import Integer, RandomState, validate

__all__ = ["make_rewards_program", "RewardsProgram", "OFFERS", "SEGMENTS"]

SEND = pd.Timestamp("2025-07-01")                   # the day of the randomized send
FIRST_JOIN, LAST_JOIN = pd.Timestamp("2024-01-01"), pd.Timestamp("2025-06-01")
OBSERVATION_END = pd.Timestamp("2025-08-01")         # exclusive
ACTIVE_DAYS, WINDOW_DAYS, GROSS_MARGIN = 60, 14, 0.6
SEGMENTS = ("budget", "new", "established")          # income < 50,000; else tenure < 365 days at the send; else
# offer_id: type, difficulty (dollars), reward (dollars), duration (days), channels
OFFERS = {"bogo_5": ("bogo", 5, 5, 7, "email,mobile,social"),
          "bogo_10": ("bogo", 10, 10, 5, "email,mobile,social,web"),
          "discount_7_3": ("discount", 7, 3, 7, "email,mobile,web"),
          "discount_20_5": ("discount", 20, 5, 10, "email,web"),
          "informational": ("informational", 0, 0, 4, "email,mobile,social")}
# planted: extra visits a day during the validity window, for a member who viewed the offer, by segment
_EXTRA = {"bogo_5": (0.08, 0.40, 0.02), "bogo_10": (0.03, 0.20, 0.01), "discount_7_3": (0.45, 0.08, 0.01),
          "discount_20_5": (0.06, 0.06, 0.03), "informational": (0.02, 0.06, 0.06)}


class RewardsProgram(NamedTuple):
    """The four tables of :func:`make_rewards_program`: ``profiles``, ``portfolio``, ``events``, ``assignments``.

    Parameters
    ----------
    profiles, portfolio, events, assignments : DataFrame

    Examples
    --------
    >>> RewardsProgram(*[pd.DataFrame()] * 4)._fields
    ('profiles', 'portfolio', 'events', 'assignments')
    """

    profiles: pd.DataFrame
    portfolio: pd.DataFrame
    events: pd.DataFrame
    assignments: pd.DataFrame


def _portfolio() -> pd.DataFrame:
    p = pd.DataFrame.from_dict(OFFERS, orient="index", columns=["offer_type", "difficulty", "reward", "duration_days",
                                                                "channels"])
    p.index.name = "offer_id"
    return p.astype({"difficulty": float, "reward": float, "duration_days": int})


def _visits(member, start, stop, rate, mean_amount, rng):
    """A Poisson process of visits for each member on [start, stop) days, with lognormal amounts."""
    k = rng.poisson(rate * np.clip(stop - start, 0, None))
    who = np.repeat(np.arange(len(member)), k)
    day = start[who] + rng.random(len(who)) * (stop - start)[who]
    amount = np.round(mean_amount[who] * np.exp(rng.normal(-0.08, 0.4, len(who))), 2)
    return who, day, np.maximum(amount, 1.5)


def _window_sum(who, day, amount, n, start, stop):
    inside = (day >= start) & (day < stop)
    return np.bincount(who[inside], weights=amount[inside], minlength=n)


@validate(n_members=Integer(low=600), random_state=RandomState())
def make_rewards_program(n_members: int = 24_000, *, random_state=None):
    """Harbor Coffee's rewards app: member profiles, an offer portfolio and an event log, with planted effects.

    Members join between 2024-01-01 and 2025-06-01. Each visits as a Poisson process (a rate of
    its own, heavier visitors in the long tail) with lognormal amounts, until a lapse time
    (exponential; heavier visitors lapse later); nobody's visiting changes with tenure. On
    2025-07-01 every member active in the 60 days before (at least one visit) is sent at random,
    with equal chances, one of the five offers of the portfolio or nothing (``"none"``). An offer
    is viewed with a chance set by its channels; a viewing member who has not lapsed makes extra
    visits during the validity window at a planted rate that depends on the offer and the
    member's segment (``SEGMENTS``: *budget* when income is under 50,000, else *new* when they
    joined less than 365 days before the send, else *established*). A BOGO or discount offer is
    completed, and its reward paid, when the member's spend within the validity window reaches
    the difficulty, viewed or not: a heavy visitor completes without changing anything.

    Parameters
    ----------
    n_members : int, default 24,000
    random_state : int or numpy Generator, optional

    Returns
    -------
    (data, truth)
        ``data``, a :class:`RewardsProgram` of four DataFrames:

        * ``profiles`` (one row per member, indexed by ``member_id``): ``age`` [years],
          ``income`` [dollars a year], ``member_since`` [date joined].
        * ``portfolio`` (indexed by ``offer_id``): ``offer_type`` ("bogo", "discount",
          "informational"), ``difficulty`` [dollars to spend within the window], ``reward``
          [dollars], ``duration_days``, ``channels`` (comma-separated).
        * ``events`` (one row per event, by date): ``member_id``, ``date`` (timestamp),
          ``event`` ("transaction", "offer received", "offer viewed", "offer completed"),
          ``offer_id`` (missing for transactions), ``amount`` [dollars, transactions only],
          ``reward`` [dollars paid, completions only].
        * ``assignments`` (the randomization's log, one row per member of the send, indexed by
          ``member_id``): ``date`` (the send, 2025-07-01) and ``arm`` (an offer_id or "none").

        ``truth``: ``send`` (the send's date), ``arm`` (Series by member of the test: offer_id or
        "none"), ``segment`` (Series), ``net_value`` and ``spend`` (DataFrames, test member x arm:
        each member's planted potential outcome under every arm, over the 14 days from the send;
        net value = 0.6 spend - reward paid), ``completed`` (test member x offer: would complete if
        sent it), ``completed_anyway`` (would reach the difficulty within the window with no offer),
        ``effects`` (segment x offer: mean planted net value minus "none", the test members' own
        effects), ``extra_visits`` (the planted rates above), ``visit_rate`` [visits a day] and
        ``lapse`` (date each member stops visiting) by member, ``gross_margin`` 0.6,
        ``window_days`` 14, ``tenure_effect`` 0 (visiting never changes with tenure).

    Raises
    ------
    InputError
        For fewer than 600 members (too few for a send of six arms in three segments).

    Examples
    --------
    >>> data, truth = make_rewards_program(2_000, random_state=1)
    >>> data.profiles.shape, data.portfolio.shape, sorted(data.events["event"].unique())[:2]
    ((2000, 3), (5, 5), ['offer completed', 'offer received'])
    >>> data.assignments["arm"].head(2).to_dict()
    {'M00002': 'discount_20_5', 'M00004': 'informational'}
    >>> data.events[data.events["event"] == "transaction"].columns.tolist()
    ['member_id', 'date', 'event', 'offer_id', 'amount', 'reward']
    """
    rng = np.random.default_rng(random_state)
    n = n_members
    ids = np.array([f"M{i:05d}" for i in range(1, n + 1)], dtype=object)
    span = (LAST_JOIN - FIRST_JOIN).days
    join = rng.random(n) * span                                           # days since FIRST_JOIN
    age = np.clip(np.round(18 + rng.gamma(3.0, 9.0, n)), 18, 90).astype(int)
    income = np.clip(np.round(np.exp(rng.normal(np.log(62_000) + 0.004 * (age - 40), 0.4, n)), -3), 20_000, 150_000)
    heavy = rng.gamma(1.5, 1 / 1.5, n)                                     # mean 1
    rate = 0.22 * heavy
    mean_amount = 6.5 + income / 25_000
    lapse = join + rng.exponential(400 * heavy ** 0.8 + 30)
    send, end = (SEND - FIRST_JOIN).days, (OBSERVATION_END - FIRST_JOIN).days
    start = np.floor(join)                       # visits start on the day joined, the day member_since records
    who, day, amount = _visits(ids, start, np.minimum(lapse, end), rate, mean_amount, rng)
    last_before = np.zeros(n, dtype=bool)
    last_before[who[(day >= send - ACTIVE_DAYS) & (day < send)]] = True
    test = np.flatnonzero(last_before & (join < send))
    segment = np.where(income < 50_000, "budget", np.where(send - np.floor(join) < 365, "new", "established"))
    seg_code = pd.Series(segment).map({s: i for i, s in enumerate(SEGMENTS)}).to_numpy()
    arms = ["none", *OFFERS]
    arm = rng.integers(0, len(arms), len(test))
    portfolio = _portfolio()
    active = lapse[test] > send
    base14 = _window_sum(who, day, amount, n, send, send + WINDOW_DAYS)[test]
    spend, net, completed, anyway, extra_rows = {"none": base14}, {"none": GROSS_MARGIN * base14}, {}, {}, {}
    for o, (kind, difficulty, reward, duration, channels) in OFFERS.items():
        p_view = 0.35 + sum(w for c, w in (("mobile", 0.2), ("social", 0.2), ("web", 0.1)) if c in channels)
        delay = rng.exponential(1.0, len(test))
        viewed = (rng.random(len(test)) < p_view) & (delay < duration)
        x_rate = np.array(_EXTRA[o])[seg_code[test]] * viewed * active
        x_who, x_day, x_amount = _visits(test, send + delay, np.full(len(test), send + duration, float), x_rate,
                                         mean_amount[test], rng)
        extra = np.bincount(x_who, weights=x_amount, minlength=len(test))
        valid = _window_sum(who, day, amount, n, send, send + duration)[test]
        anyway[o] = (valid >= difficulty) & (difficulty > 0)
        completed[o] = (valid + extra >= difficulty) & (difficulty > 0)
        spend[o] = base14 + extra
        net[o] = GROSS_MARGIN * spend[o] - reward * completed[o]
        extra_rows[o] = (x_who, x_day, x_amount, viewed, delay)
    tidx = pd.Index(ids[test], name="member_id")
    truth_seg = pd.Series(segment[test], index=tidx, name="segment")
    net_df = pd.DataFrame(net, index=tidx)
    effects = net_df[list(OFFERS)].sub(net_df["none"], axis=0).groupby(truth_seg).mean().reindex(list(SEGMENTS))

    # the event log (codes: 0 received, 1 viewed, 2 transaction, 3 completed): every transaction, plus the offers
    # of the assigned arm and their extra visits
    parts = [(who, day, np.full(len(who), 2), np.full(len(who), -1), amount)]
    for j, o in enumerate(OFFERS, start=1):
        x_who, x_day, x_amount, viewed, delay = extra_rows[o]
        mine = arm == j
        keep = mine[x_who]
        parts.append((test[x_who[keep]], x_day[keep], np.full(keep.sum(), 2), np.full(keep.sum(), -1), x_amount[keep]))
        parts.append((test[mine], np.full(mine.sum(), float(send)), np.full(mine.sum(), 0), np.full(mine.sum(), j - 1),
                      np.full(mine.sum(), np.nan)))
        seen = mine & viewed
        parts.append((test[seen], send + delay[seen], np.full(seen.sum(), 1), np.full(seen.sum(), j - 1),
                      np.full(seen.sum(), np.nan)))
    m, t, code, offer, money = (np.concatenate(c) for c in zip(*parts))
    # completions: the transaction at which the spend within the validity window reaches the difficulty
    arm_of = np.zeros(n, dtype=int)
    arm_of[test] = arm
    j = arm_of[m] - 1
    difficulty, duration = portfolio["difficulty"].to_numpy(), portfolio["duration_days"].to_numpy()
    counts = (code == 2) & (j >= 0)
    counts &= (t >= send) & (t < send + duration[np.maximum(j, 0)]) & (difficulty[np.maximum(j, 0)] > 0)
    c = np.flatnonzero(counts)
    c = c[np.lexsort((t[c], m[c]))]
    cum = pd.Series(money[c]).groupby(m[c]).cumsum().to_numpy()
    reached = c[cum >= difficulty[j[c]]]
    first = reached[np.unique(m[reached], return_index=True)[1]]
    m, t = np.r_[m, m[first]], np.r_[t, t[first]]
    code, offer = np.r_[code, np.full(len(first), 3)], np.r_[offer, j[first]]
    money = np.r_[money, portfolio["reward"].to_numpy()[j[first]]]
    keep = t < end
    order = np.lexsort((m[keep], code[keep], t[keep]))
    m, t, code, offer, money = (a[keep][order] for a in (m, t, code, offer, money))
    names = np.array(["offer received", "offer viewed", "transaction", "offer completed"], dtype=object)
    offer_names = np.array([*OFFERS, None], dtype=object)
    events = pd.DataFrame({"member_id": ids[m],
                           "date": pd.to_datetime(FIRST_JOIN.value + np.round(t * 86400).astype("int64") * 10**9),
                           "event": names[code], "offer_id": offer_names[offer],
                           "amount": np.where(code == 2, money, np.nan), "reward": np.where(code == 3, money, np.nan)})
    profiles = pd.DataFrame({"age": age, "income": income,
                             "member_since": (FIRST_JOIN + pd.to_timedelta(np.floor(join), unit="D")).normalize()},
                            index=pd.Index(ids, name="member_id"))
    assignments = pd.DataFrame({"date": SEND, "arm": np.array(arms, dtype=object)[arm]}, index=tidx)
    truth = dict(send=SEND, arm=assignments["arm"].copy(), segment=truth_seg,
                 net_value=net_df, spend=pd.DataFrame(spend, index=tidx),
                 completed=pd.DataFrame(completed, index=tidx), completed_anyway=pd.DataFrame(anyway, index=tidx),
                 effects=effects, extra_visits=pd.DataFrame(_EXTRA, index=list(SEGMENTS)),
                 visit_rate=pd.Series(rate, index=profiles.index, name="visit_rate"),
                 lapse=pd.Series(FIRST_JOIN + pd.to_timedelta(np.round(lapse * 86400), unit="s"), index=profiles.index,
                                 name="lapse"),
                 gross_margin=GROSS_MARGIN, window_days=WINDOW_DAYS, tenure_effect=0.0)
    return RewardsProgram(profiles, portfolio, events, assignments), truth
