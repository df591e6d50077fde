"""Larkspur Hotels: guest stays with three planted segments, and a randomized test of retention offers.

A hotel chain in the course's fictional world (beside Harbor Coffee, Tallyworks and Kestrel
Mobile). Its guests travel for business, for leisure or with their family; the stays table does not
say which, the truth does, so a lesson can check that clustering finds the segments and that an
offer test measures the planted effects. numpy and pandas only (this module loads with the kit).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import InputError, Integer, RandomState, as_timestamp, label, preview, validate
from .simulate import Simulated

__all__ = ["make_hotel_stays", "make_offer_test", "SEGMENT_PARAMETERS", "OFFERS", "OFFER_RESPONSE_RATES",
           "OFFER_MARGIN", "OFFER_COST"]

SEGMENTS = ("business", "leisure", "family")
WEEKDAY_NIGHTS = (6, 0, 1, 2, 3)   # nights starting Sunday to Thursday (Monday = 0); Friday and Saturday are the weekend
SLACK_DAYS = 6                     # a stay may start up to 6 days after its slot opens, to fall on its check-in weekday

# per segment: repeat stays a year after the first, nights (uniform whole numbers, inclusive), check-in weekday
# (Monday = 0) probabilities, lead time Gamma(shape, mean) in days, party size = base + Poisson(extra), room rate
# per night lognormal (mean, sigma of its log), spa used with a probability (then Gamma(2) per night with that
# mean), restaurant Gamma(4) per person and night with that mean. Dollars.
SEGMENT_PARAMETERS = {
    "business": dict(repeat_stays_per_year=7.0, nights_low=1, nights_high=2,
                     checkin_weekday={6: 0.20, 0: 0.35, 1: 0.25, 2: 0.15, 3: 0.05}, lead_time_shape=2.0,
                     lead_time_mean=7.0, party_base=1, party_extra_mean=0.1, room_rate_mean=180.0, room_rate_sigma=0.2,
                     spa_probability=0.08, spa_per_night=25.0, restaurant_per_person_night=45.0),
    "leisure": dict(repeat_stays_per_year=1.0, nights_low=3, nights_high=5,
                    checkin_weekday={3: 0.35, 4: 0.55, 5: 0.10}, lead_time_shape=5.0, lead_time_mean=45.0,
                    party_base=2, party_extra_mean=0.15, room_rate_mean=150.0, room_rate_sigma=0.2,
                    spa_probability=0.75, spa_per_night=60.0, restaurant_per_person_night=30.0),
    "family": dict(repeat_stays_per_year=0.5, nights_low=4, nights_high=7,
                   checkin_weekday={4: 0.50, 5: 0.40, 6: 0.10}, lead_time_shape=6.0, lead_time_mean=90.0,
                   party_base=3, party_extra_mean=0.8, room_rate_mean=210.0, room_rate_sigma=0.2,
                   spa_probability=0.20, spa_per_night=30.0, restaurant_per_person_night=35.0),
}

OFFERS = ("room_upgrade", "spa", "family_package", "none")
# P(the guest books a stay within 90 days of the offer), by segment and offer; "none" is the control (no offer)
OFFER_RESPONSE_RATES = {
    "business": {"room_upgrade": 0.30, "spa": 0.11, "family_package": 0.10, "none": 0.10},
    "leisure": {"room_upgrade": 0.08, "spa": 0.25, "family_package": 0.06, "none": 0.04},
    "family": {"room_upgrade": 0.05, "spa": 0.10, "family_package": 0.28, "none": 0.03},
}
OFFER_MARGIN = {"room_upgrade": 220.0, "spa": 200.0, "family_package": 320.0, "none": 0.0}  # per booking, after the perk
OFFER_COST = {"room_upgrade": 10.0, "spa": 12.0, "family_package": 20.0, "none": 0.0}      # per guest offered


def _planted_values(offers) -> pd.DataFrame:
    """(rate - control rate) x margin - cost, per segment and offer: the value per guest offered."""
    rates = pd.DataFrame(OFFER_RESPONSE_RATES).T.loc[list(SEGMENTS), list(offers)]
    lift = rates.sub(pd.Series({s: OFFER_RESPONSE_RATES[s]["none"] for s in SEGMENTS}), axis=0)
    return (lift * pd.Series(OFFER_MARGIN)[list(offers)] - pd.Series(OFFER_COST)[list(offers)]).round(9)


def _check_shares(shares) -> np.ndarray:
    try:
        values = np.asarray(shares, dtype=float)
    except (TypeError, ValueError):
        values = None
    if values is None or values.shape != (3,) or not np.isfinite(values).all() or (values <= 0).any():
        raise InputError(f"shares={shares!r} must be three positive numbers, the shares of business, leisure and "
                         f"family guests, such as (0.45, 0.35, 0.20).")
    if abs(values.sum() - 1) > 1e-9:
        raise InputError(f"shares={shares!r} add up to {values.sum():g}, not 1; pass shares that add up to 1, such "
                         f"as (0.45, 0.35, 0.20).")
    return values


def _check_days(start, end) -> tuple[pd.Timestamp, pd.Timestamp, int]:
    ps, pe = as_timestamp(start, "start"), as_timestamp(end, "end")
    for name, ts in (("start", ps), ("end", pe)):
        if ts != ts.normalize():
            raise InputError(f"{name}={str(ts)!r} is not at midnight; pass a day such as '2025-01-01'.")
    span = (pe - ps).days
    if span < 14:
        raise InputError(f"end ({pe.date()}) must be at least 14 days after start ({ps.date()}), room for a first "
                         f"stay; for two years pass start='2024-01-01', end='2026-01-01'.")
    return ps, pe, span


def _param(name: str, segment: np.ndarray) -> np.ndarray:
    return np.array([SEGMENT_PARAMETERS[s][name] for s in SEGMENTS], dtype=float)[segment]


def _slots(rng, segment, span):
    """Non-overlapping slots of nights + 6 days: the first at the join, repeats placed uniformly after it."""
    n = len(segment)
    nights0 = rng.integers(_param("nights_low", segment).astype(int), _param("nights_high", segment).astype(int) + 1)
    slot0 = nights0 + SLACK_DAYS
    start0 = np.floor(rng.uniform(size=n) * (span - slot0 + 1)).astype(int)
    repeats = rng.poisson(_param("repeat_stays_per_year", segment) * (span - start0) / 365.25)
    owner = np.repeat(np.arange(n), repeats)
    nights = rng.integers(_param("nights_low", segment[owner]).astype(int),
                          _param("nights_high", segment[owner]).astype(int) + 1)
    slot = nights + SLACK_DAYS
    before = np.repeat(np.cumsum(repeats) - repeats, repeats)             # first row of each owner
    within = np.cumsum(slot) - (np.cumsum(slot) - slot)[before]          # slot days used up to and including this one
    room = span - start0 - slot0                                         # days after the first slot
    keep = within <= room[owner]                                         # only the repeats that fit before the end
    owner, nights, slot, within = owner[keep], nights[keep], slot[keep], within[keep]
    free = room - np.bincount(owner, weights=slot, minlength=n).astype(int)
    gap = np.floor(rng.uniform(size=len(owner)) * (free[owner] + 1)).astype(int)
    gap = gap[np.lexsort((gap, owner))]                                  # sorted within each owner
    opens = start0[owner] + slot0[owner] + gap + within - slot
    return (np.r_[np.arange(n), owner], np.r_[start0, opens], np.r_[nights0, nights],
            np.bincount(owner, minlength=n) + 1, start0)


@validate(n_guests=Integer(low=1, hint="It is a number of guests."), random_state=RandomState())
def make_hotel_stays(n_guests: int = 3000, *, start="2024-01-01", end="2026-01-01", shares=(0.45, 0.35, 0.20),
                     random_state=None) -> Simulated:
    """Stays of Larkspur Hotels' guests, from three planted segments: business, leisure and family.

    Generative process, per guest (parameters in ``SEGMENT_PARAMETERS``):

    * a segment, with probabilities ``shares`` (business, leisure, family);
    * a first stay at a uniform time in the period (guests join over time), then
      Poisson(``repeat_stays_per_year`` x years left in the period) repeat stays (7, 1 and 0.5 a
      year), placed uniformly after the first without overlapping: each stay holds a slot of
      nights + 6 days and checks in on the slot's first day with its drawn weekday (a repeat
      that would not fit before ``end`` is not drawn). Over the default two years a guest is observed one year on
      average, so the mean number of stays is about 1 + 7 = 8, 1 + 1 = 2 and 1 + 0.5 = 1.5;
    * per stay: ``nights`` uniform in 1-2, 3-5, 4-7; a check-in weekday (business Sunday to
      Thursday, leisure Thursday to Saturday, family Friday to Sunday) which fixes
      ``weekday_nights``, the nights that start Sunday to Thursday (weekend nights are Friday and
      Saturday); ``lead_time_days`` = round(Gamma), shape 2, 5, 6 and mean 7, 45, 90;
      ``party_size`` = 1, 2 and 3 plus Poisson(0.1, 0.15, 0.8);
    * spend: ``room_amount`` = nights x a lognormal rate per night (means 180, 150, 210);
      ``spa_amount`` = nights x Gamma(2) with means 25, 60, 30 when the spa is used (probability
      0.08, 0.75, 0.20), else 0; ``restaurant_amount`` = nights x party size x Gamma(4) with
      means 45, 30, 35; ``amount`` = their sum. Leisure guests spend on the spa, families in
      the restaurant.

    Every stay, check-out included, falls in [start, end). The truth also holds the planted
    offer test (see :func:`make_offer_test`).

    Parameters
    ----------
    n_guests : int, default 3000
    start, end : dates (days at midnight)
        Guests join in [start, end), at least 14 days apart; ``end`` is exclusive.
    shares : three positive numbers adding up to 1, default (0.45, 0.35, 0.20)
        The shares of business, leisure and family guests.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    Simulated(data, truth). ``data``: one row per stay, sorted by date, columns ``customer_id``
    (str), ``date`` (check-in day), ``nights``, ``weekday_nights``, ``lead_time_days``,
    ``party_size``, ``room_amount``, ``spa_amount``, ``restaurant_amount``, ``amount``.
    ``truth``: ``segment`` (a Series indexed by customer_id), ``guests`` (``segment``,
    ``join_date``, ``stays``, and ``years_observed``: the years the repeat stays were drawn for, that
    is, from the first stay's slot to ``end``), ``parameters`` (``SEGMENT_PARAMETERS`` as a table),
    ``shares``, ``start``, ``end``, and the offer test's ``response_rates``, ``margin``, ``cost``
    and ``expected_value`` (segment x offer), ``control`` ("none").

    Raises
    ------
    InputError
        For a number of guests that is not a positive whole number, shares that are not three
        positive numbers adding up to 1, dates that are not days or less than 14 days apart, or a
        bad ``random_state``.

    Examples
    --------
    >>> stays, truth = make_hotel_stays(300, random_state=1)
    >>> list(stays.columns)[:4], truth["segment"].value_counts().index.tolist()
    (['customer_id', 'date', 'nights', 'weekday_nights'], ['business', 'leisure', 'family'])
    >>> bool((stays["amount"] - stays[["room_amount", "spa_amount", "restaurant_amount"]].sum(axis=1)).abs().max() < 1e-9)
    True
    """
    p = _check_shares(shares)
    ps, pe, span = _check_days(start, end)
    rng = np.random.default_rng(random_state)
    segment = rng.choice(3, size=n_guests, p=p / p.sum())
    owner, opens, nights, stays, start0 = _slots(rng, segment, span)
    g = segment[owner]
    weekdays = [list(SEGMENT_PARAMETERS[s]["checkin_weekday"].items()) for s in SEGMENTS]
    cumulative = [np.cumsum([q for _, q in w]) for w in weekdays]
    u = rng.uniform(size=len(owner))
    wanted = np.empty(len(owner), dtype=int)
    for k, (w, c) in enumerate(zip(weekdays, cumulative)):
        here = g == k
        wanted[here] = np.array([d for d, _ in w])[np.minimum(np.searchsorted(c / c[-1], u[here], side="right"),
                                                                len(w) - 1)]
    day = opens + (wanted - (ps.weekday() + opens)) % 7                   # the first wanted weekday in the slot
    weekday = (ps.weekday() + day) % 7
    weekday_nights = sum(((j < nights) & np.isin((weekday + j) % 7, WEEKDAY_NIGHTS)).astype(int) for j in range(7))
    shape = _param("lead_time_shape", g)
    lead = np.round(rng.gamma(shape, _param("lead_time_mean", g) / shape)).astype(int)
    party = (_param("party_base", g) + rng.poisson(_param("party_extra_mean", g))).astype(int)
    sigma = _param("room_rate_sigma", g)
    rate = np.exp(rng.normal(np.log(_param("room_rate_mean", g)) - sigma ** 2 / 2, sigma))
    spa_used = rng.uniform(size=len(g)) < _param("spa_probability", g)
    spa = np.where(spa_used, nights * rng.gamma(2.0, _param("spa_per_night", g) / 2), 0.0)
    restaurant = nights * party * rng.gamma(4.0, _param("restaurant_per_person_night", g) / 4)
    room, spa, restaurant = np.round(nights * rate, 2), np.round(spa, 2), np.round(restaurant, 2)
    ids = np.array([f"G{i:05d}" for i in range(1, n_guests + 1)])
    data = pd.DataFrame({"customer_id": ids[owner], "date": ps + pd.to_timedelta(day, unit="D"), "nights": nights,
                         "weekday_nights": weekday_nights, "lead_time_days": lead, "party_size": party,
                         "room_amount": room, "spa_amount": spa, "restaurant_amount": restaurant,
                         "amount": np.round(room + spa + restaurant, 2)})
    data = data.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)
    names = np.array(SEGMENTS)[segment]
    index = pd.Index(ids, name="customer_id")
    first = data.groupby("customer_id")["date"].min().reindex(index)
    guests = pd.DataFrame({"segment": names, "join_date": first.to_numpy(), "stays": stays,
                           "years_observed": (span - start0) / 365.25}, index=index)
    truth = dict(segment=pd.Series(names, index=index, name="segment"), guests=guests,
                 parameters=pd.DataFrame(SEGMENT_PARAMETERS).T, shares=dict(zip(SEGMENTS, p.tolist())),
                 start=ps, end=pe, **_offer_truth(OFFERS))
    return Simulated(data, truth)


def _offer_truth(offers) -> dict:
    return dict(response_rates=pd.DataFrame(OFFER_RESPONSE_RATES).T.loc[list(SEGMENTS), list(offers)],
                margin={o: OFFER_MARGIN[o] for o in offers}, cost={o: OFFER_COST[o] for o in offers},
                expected_value=_planted_values(offers), control="none")


def _check_offers(offers) -> tuple:
    if isinstance(offers, str) or not hasattr(offers, "__iter__"):
        raise InputError(f"offers={offers!r} must be a list of offers from {list(OFFERS)}, such as "
                         f"('room_upgrade', 'none').")
    offers = tuple(offers)
    unknown = [o for o in offers if o not in OFFERS]
    if unknown:
        raise InputError(f"offers has unknown offer(s) {preview(unknown)}; the planted offers are {list(OFFERS)}.")
    if len(set(offers)) != len(offers):
        raise InputError(f"offers={offers!r} names an offer twice; name each once.")
    if "none" not in offers or len(offers) < 2:
        raise InputError(f"offers={offers!r} must include the control 'none' and at least one offer: without a "
                         f"control group the test measures no effect.")
    return offers


@validate(random_state=RandomState())
def make_offer_test(guests, truth: dict, *, offers=OFFERS, customer_id_col: str = "customer_id",
                    random_state=None) -> Simulated:
    """A randomized test of retention offers to Larkspur's guests: each guest gets one offer (or none).

    The offers are dealt at random, in equal numbers (a completely randomized design: arm sizes
    differ by at most one, and nothing about a guest decides the offer), so the arms differ only
    by chance and by the offer: a difference in booking rates between an offer and the control
    ``"none"`` is the offer's effect. A guest books a stay within 90 days (``accepted``) with the
    planted probability ``OFFER_RESPONSE_RATES[segment][offer]``; "none" gives the baseline.

    Planted money (dollars): a booking made with an offer earns ``OFFER_MARGIN`` (room_upgrade
    220, spa 200, family_package 320, after the perk), and every guest offered costs
    ``OFFER_COST`` (10, 12, 20: mailing and the voucher's handling). The planted value of an
    offer per guest offered is (rate - control rate) x margin - cost; for example a room upgrade
    to a business guest: (0.30 - 0.10) x 220 - 10 = 34.

    Parameters
    ----------
    guests : DataFrame (the stays table: each distinct ``customer_id_col`` is one guest) or a sequence of ids
    truth : dict, the truth of :func:`make_hotel_stays` (its ``segment``)
    offers : sequence from ``OFFERS``, default all four; must include the control "none"
    customer_id_col : str, default "customer_id"
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    Simulated(data, truth). ``data``: one row per guest, columns ``customer_id``, ``offer``,
    ``accepted`` (bool). ``truth``: ``segment`` of these guests, ``response_rates``, ``margin``,
    ``cost`` and ``expected_value`` (segment x offer), ``control`` ("none").

    Raises
    ------
    InputError
        For unknown or repeated offers, offers without "none", a truth without ``segment``, or
        guests it does not know.

    Examples
    --------
    >>> stays, truth = make_hotel_stays(400, random_state=2)
    >>> test, planted = make_offer_test(stays, truth, random_state=3)
    >>> test["offer"].value_counts().tolist(), float(planted["expected_value"].loc["business", "room_upgrade"])
    ([100, 100, 100, 100], 34.0)
    """
    offers = _check_offers(offers)
    if not isinstance(truth, dict) or not isinstance(truth.get("segment"), pd.Series):
        raise InputError("truth must be the truth dict of make_hotel_stays (with its 'segment' Series); pass "
                         "make_hotel_stays(...).truth.")
    if isinstance(guests, pd.DataFrame):
        if customer_id_col not in guests.columns:
            raise InputError(f"guests has no column {customer_id_col!r}; the columns present are "
                             f"{list(map(str, guests.columns))}. Fix: pass customer_id_col.")
        ids = pd.unique(guests[customer_id_col])
        try:
            ids = np.sort(ids)             # one row per guest, in the order of their ids
        except TypeError:
            pass
    elif isinstance(guests, (str, bytes)) or not hasattr(guests, "__iter__"):
        raise InputError(f"guests={guests!r} must be the stays table or a sequence of customer ids.")
    else:
        ids = pd.unique(pd.Series(list(guests), dtype=object))
    if len(ids) == 0:
        raise InputError("guests is empty; pass the stays table of make_hotel_stays.")
    known = pd.Index(ids).isin(truth["segment"].index)
    if not known.all():
        raise InputError(f"guests has {int((~known).sum())} id(s) the truth does not know: "
                         f"{preview(ids[~known])}; pass guests and truth from the same make_hotel_stays call.")
    rng = np.random.default_rng(random_state)
    arm = np.asarray(offers, dtype=object)[rng.permutation(np.arange(len(ids)) % len(offers))]
    segment = truth["segment"].reindex(ids)
    if not segment.isin(SEGMENTS).all():
        bad = segment[~segment.isin(SEGMENTS)]
        raise InputError(f"truth['segment'] has value(s) {preview(pd.unique(bad))}, not one of {list(SEGMENTS)} "
                         f"(first for guest {label(bad.index[0])}); pass the truth of make_hotel_stays.")
    rate = np.array([OFFER_RESPONSE_RATES[s][o] for s, o in zip(segment, arm)])
    data = pd.DataFrame({customer_id_col: ids, "offer": arm, "accepted": rng.uniform(size=len(ids)) < rate})
    return Simulated(data, dict(segment=segment, **_offer_truth(offers)))
