"""Simulators with planted truth: every lesson can show that a method recovers what was planted.

All share one fictional world: *Harbor Coffee* (a coffee chain with a rewards app),
*Tallyworks* (a software-as-a-service company) and *Kestrel Mobile* (a telecom). Each
``make_*`` takes ``random_state`` (an int, a ``numpy.random.Generator`` or None) and returns
a :class:`Simulated` pair ``(data, truth)``: the table, and a dict of the parameters and
latent per-customer values that generated it.
"""
from __future__ import annotations

from typing import NamedTuple

from statistics import NormalDist

import numpy as np
import pandas as pd

from ..metrics.nps import nps_category
from ..validation import (DAYS_PER_MONTH, Flag, InputError, Integer, Probability, RandomState, Real, require_period,
                          validate)

__all__ = ["Simulated", "make_transactions", "make_subscriptions", "make_survey", "make_retention_costs"]

MINIMUM_TERM_DAYS = 90
OPENING_MINUTES = (6 * 60 + 30, 20 * 60)  # purchases happen between 06:30 and 20:00


class Simulated(NamedTuple):
    """A simulated table and the truth planted in it; unpacks as ``data, truth = make_...()``.

    Parameters
    ----------
    data : DataFrame
    truth : dict

    Examples
    --------
    >>> data, truth = make_survey(20, random_state=0)
    >>> len(data), sorted(truth)[:2]
    (40, ['csat_top2', 'nps'])
    """

    data: pd.DataFrame
    truth: dict


_POSITIVE = Real(low=0, closed="neither")
_CUSTOMERS = Integer(low=1, hint="It is a number of customers.")


@validate(n_customers=_CUSTOMERS, r=_POSITIVE, alpha=_POSITIVE, a=_POSITIVE, b=_POSITIVE, p=_POSITIVE, q=_POSITIVE,
          v=_POSITIVE, opening_hours=Flag(), random_state=RandomState())
def make_transactions(n_customers: int = 3000, *, start="2024-01-01", end="2026-01-01", r: float = 0.5,
                      alpha: float = 12.0, a: float = 0.6, b: float = 4.5, p: float = 6.0, q: float = 4.0,
                      v: float = 3.0, promotion: dict | None = None, opening_hours: bool = True,
                      random_state=None) -> Simulated:
    """Purchases of a coffee chain's rewards members, from the BG/NBD and Gamma-Gamma models.

    Generative process (Fader, Hardie & Lee 2005; time in days):

    * customer i joins at a uniform time in [start, end) with a first purchase; T_i = end - join;
    * while alive, repeat purchases arrive as a Poisson process with rate lambda_i ~ Gamma(r, rate=alpha);
    * after each repeat purchase the customer drops out with probability p_i ~ Beta(a, b);
    * each purchase is worth z ~ Gamma(p, rate=nu_i) with nu_i ~ Gamma(q, rate=v), so the
      customer's mean spend is p / nu_i (Gamma-Gamma).

    ``promotion`` adds a burst of customers acquired by a promotion: a dict with ``start`` and
    ``end`` (the window in which they join, uniformly), ``n_customers`` and their own BG/NBD
    parameters ``r``, ``alpha``, ``a``, ``b`` (spend follows the same Gamma-Gamma). Their
    ``segment`` in the truth is ``"promotion"``, the others' ``"regular"``.

    With ``opening_hours=True`` (the default) the day of each purchase comes from the model and
    its time of day is uniform within opening hours 06:30-20:00; with ``opening_hours=False``
    purchases keep the model's continuous times (to the minute), which a parameter-recovery
    check needs: summarising by day merges same-day purchases and biases the estimates.

    Parameters
    ----------
    n_customers : int, default 3000
    start, end : dates
        Customers join in [start, end); the log is observed until ``end`` (exclusive).
    r, alpha, a, b : float
        BG/NBD parameters (``alpha`` in days).
    p, q, v : float
        Gamma-Gamma parameters.
    promotion : dict, optional
    opening_hours : bool, default True
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    Simulated(data, truth). ``data``: one row per purchase, sorted by date, columns
    ``customer_id`` (int), ``date`` (timestamp to the minute), ``amount`` (dollars, 2 decimals).
    ``truth``: the parameters, ``time_unit="day"``, and ``customers``, a DataFrame with each
    customer's ``join_date``, ``purchase_rate`` (per day), ``dropout_probability``,
    ``mean_spend`` and ``alive_at_end``.

    Raises
    ------
    InputError
        For a count that is not a positive whole number, parameters that are not positive, a
        reversed period, a promotion window outside it, or a bad ``random_state``.

    Examples
    --------
    >>> tx, truth = make_transactions(200, random_state=1)
    >>> list(tx.columns), truth["r"]
    (['customer_id', 'date', 'amount'], 0.5)
    """
    ps, pe = require_period(start, end)
    rng = np.random.default_rng(random_state)
    n = n_customers
    span = (pe - ps) / pd.Timedelta(days=1)
    lam = rng.gamma(r, 1 / alpha, n)
    p_drop = rng.beta(a, b, n)
    nu = rng.gamma(q, 1 / v, n)
    join = rng.uniform(0, span, n)
    segment = np.zeros(n, dtype=int)
    if promotion is not None:
        promo = _check_promotion(promotion, ps, pe)
        m = promo["n_customers"]
        lam = np.r_[lam, rng.gamma(promo["r"], 1 / promo["alpha"], m)]
        p_drop = np.r_[p_drop, rng.beta(promo["a"], promo["b"], m)]
        nu = np.r_[nu, rng.gamma(q, 1 / v, m)]
        window = ((promo["start"] - ps) / pd.Timedelta(days=1), (promo["end"] - ps) / pd.Timedelta(days=1))
        join = np.r_[join, rng.uniform(*window, m)]
        segment = np.r_[segment, np.ones(m, dtype=int)]
        n += m
    horizon = span - join
    repeats_until_dropout = rng.geometric(p_drop)           # the last repeat purchase before dropping out
    events_if_alive = rng.poisson(lam * horizon)             # repeat purchases in (join, end) had they stayed
    kept = np.minimum(events_if_alive, repeats_until_dropout)
    owner = np.repeat(np.arange(n), events_if_alive)
    offsets = rng.uniform(0, 1, len(owner)) * horizon[owner]
    order = np.lexsort((offsets, owner))
    owner, offsets = owner[order], offsets[order]
    rank = np.arange(len(owner)) - np.repeat(np.cumsum(events_if_alive) - events_if_alive, events_if_alive)
    keep = rank < kept[owner]
    customer = np.r_[np.arange(n), owner[keep]]
    days = np.r_[join, join[owner[keep]] + offsets[keep]]
    amount = np.round(rng.gamma(p, 1 / nu[customer]), 2)
    if opening_hours:
        minute_of_day = rng.integers(OPENING_MINUTES[0], OPENING_MINUTES[1], len(days))
        dates = ps + pd.to_timedelta(np.floor(days) * 1440 + minute_of_day, unit="min")
    else:
        dates = ps + pd.to_timedelta(np.round(days * 1440), unit="min")
    data = (pd.DataFrame({"customer_id": customer + 1, "date": dates, "amount": amount})
            .sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True))
    customers = pd.DataFrame({
        "customer_id": np.arange(1, n + 1),
        "join_date": dates[:n],
        "purchase_rate": lam, "dropout_probability": p_drop, "mean_spend": p / nu,
        "alive_at_end": repeats_until_dropout > events_if_alive,
        "segment": np.where(segment == 1, "promotion", "regular"),
    })
    truth = dict(r=r, alpha=alpha, a=a, b=b, p=p, q=q, v=v, time_unit="day", start=ps, end=pe,
                 n_customers=n, promotion=promotion, customers=customers)
    return Simulated(data, truth)


def _check_promotion(promotion: dict, start: pd.Timestamp, end: pd.Timestamp) -> dict:
    needed = ["start", "end", "n_customers", "r", "alpha", "a", "b"]
    if not isinstance(promotion, dict):
        raise InputError(f"promotion must be a dict with keys {needed}, got {type(promotion).__name__}.")
    missing = [k for k in needed if k not in promotion]
    if missing:
        raise InputError(f"promotion is missing {missing}; it needs {needed}.")
    ps, pe = require_period(promotion["start"], promotion["end"])
    if ps < start or pe > end:
        raise InputError(f"the promotion window {ps.date()} to {pe.date()} must lie inside {start.date()} to {end.date()}.")
    checked = {k: _POSITIVE(f"promotion[{k!r}]", promotion[k]) for k in ("r", "alpha", "a", "b")}
    return {**promotion, **checked, "start": ps, "end": pe,
            "n_customers": _CUSTOMERS("promotion['n_customers']", promotion["n_customers"])}


PLANS = {  # share of new customers, monthly fee (dollars), monthly churn probability with good support
    "basic": (0.50, 29.0, 0.040),
    "pro": (0.35, 99.0, 0.025),
    "enterprise": (0.15, 499.0, 0.012),
}


@validate(n_customers=_CUSTOMERS, tickets_per_90d=_POSITIVE, p_unresolved=Probability(),
          unresolved_hazard_ratio=_POSITIVE, random_state=RandomState())
def make_subscriptions(n_customers: int = 4000, *, start="2022-01-01", end="2026-01-01",
                       tickets_per_90d: float = 1.2, p_unresolved: float = 0.25,
                       unresolved_hazard_ratio: float = 2.5, random_state=None) -> Simulated:
    """Subscribers of a software company, some of whom leave for lack of support.

    Generative process:

    * customers join at uniform times in [start, end) on plans ``PLANS`` (basic / pro /
      enterprise) with the listed shares, fees and monthly churn probabilities;
    * every plan has a minimum term of 90 days, in which the customer opens
      Poisson(``tickets_per_90d``) support tickets, each left unresolved with probability
      ``p_unresolved``;
    * after the minimum term, a customer with an unresolved ticket churns at
      ``unresolved_hazard_ratio`` times the plan's monthly hazard (hazard = -ln(1 - monthly
      churn probability)); lifetimes beyond the term are exponential in months of 30.4375
      days, rounded up to whole days;
    * an end date before ``end`` is recorded; later ones are not yet known (the customer is
      still active and ``end_date`` is empty).

    Parameters
    ----------
    n_customers : int, default 4000
    start, end : dates
        Customers join in [start, end); end dates from ``end`` on are not yet known.
    tickets_per_90d : float, default 1.2
    p_unresolved : float, default 0.25
    unresolved_hazard_ratio : float, default 2.5
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    Simulated(data, truth). ``data`` columns: ``customer_id`` (str), ``plan``,
    ``monthly_fee``, ``start_date``, ``end_date`` (NaT while active), ``tickets_90d``,
    ``unresolved_tickets_90d``. ``truth``: ``monthly_churn`` after the minimum term by
    (plan, has an unresolved ticket), the parameters, and ``observed_until``.

    Raises
    ------
    InputError
        For a count that is not a positive whole number, rates that are not positive, a share
        outside [0, 1], a reversed period, or a bad ``random_state``.

    Examples
    --------
    >>> subs, truth = make_subscriptions(100, random_state=0)
    >>> round(truth["monthly_churn"][("basic", True)], 4)   # 1 - (1 - 0.04) ** 2.5
    0.097
    """
    ps, pe = require_period(start, end)
    rng = np.random.default_rng(random_state)
    n = n_customers
    names = list(PLANS)
    shares = np.array([PLANS[k][0] for k in names])
    plan_idx = rng.choice(len(names), size=n, p=shares / shares.sum())
    fee = np.array([PLANS[k][1] for k in names])[plan_idx]
    base_hazard = -np.log1p(-np.array([PLANS[k][2] for k in names]))[plan_idx]   # per month
    span = (pe - ps) / pd.Timedelta(days=1)
    join_day = np.floor(rng.uniform(0, span, n))
    # support tickets in the first 90 days (the minimum term, so every customer lives through it)
    tickets = rng.poisson(tickets_per_90d, n)
    unresolved = rng.binomial(tickets, p_unresolved)
    hazard = base_hazard * np.where(unresolved > 0, unresolved_hazard_ratio, 1.0)
    life_days = MINIMUM_TERM_DAYS + np.ceil(rng.exponential(1.0, n) / hazard * DAYS_PER_MONTH)
    start_dates = ps + pd.to_timedelta(join_day, unit="D")
    end_dates = start_dates + pd.to_timedelta(life_days, unit="D")
    end_dates = end_dates.where(end_dates < pe)
    data = pd.DataFrame({
        "customer_id": [f"S{i:05d}" for i in range(1, n + 1)],
        "plan": pd.Categorical(np.array(names)[plan_idx], categories=names),
        "monthly_fee": fee, "start_date": start_dates, "end_date": end_dates,
        "tickets_90d": tickets, "unresolved_tickets_90d": unresolved,
    }).sort_values(["start_date", "customer_id"], kind="stable").reset_index(drop=True)
    monthly = {(k, flag): float(1 - (1 - PLANS[k][2]) ** (unresolved_hazard_ratio if flag else 1.0))
               for k in names for flag in (False, True)}
    truth = dict(monthly_churn=monthly, unresolved_hazard_ratio=unresolved_hazard_ratio,
                 tickets_per_90d=tickets_per_90d, p_unresolved=p_unresolved, plans=dict(PLANS),
                 observed_until=pe, days_per_month=DAYS_PER_MONTH,
                 minimum_term_days=MINIMUM_TERM_DAYS,
                 customers=pd.DataFrame({"customer_id": [f"S{i:05d}" for i in range(1, n + 1)],
                                         "lifetime_days": life_days}))
    return Simulated(data, truth)


SCORE_PROBABILITIES = {  # P(score = 0..10) in each survey wave; wave 2 follows a feedback programme
    1: np.array([2, 1, 1, 2, 3, 6, 10, 20, 25, 15, 15], dtype=float) / 100,
    2: np.array([2, 1, 1, 2, 2, 5, 8, 20, 25, 16, 18], dtype=float) / 100,
}
TOUCHPOINT_EFFECT = {"onboarding": 0.3, "billing": -0.1, "support": -0.6, "app": 0.2}
TOUCHPOINT_SHARE = {"onboarding": 0.2, "billing": 0.25, "support": 0.3, "app": 0.25}
REFERRAL_RATE = {"promoter": 0.5, "passive": 0.12, "detractor": 0.03}  # referrals in the next 6 months


@validate(n_per_wave=Integer(low=1), missing_share=Probability(), renewal_intercept=Real(), renewal_slope=Real(),
          random_state=RandomState())
def make_survey(n_per_wave: int = 1000, *, waves=(1, 2), missing_share: float = 0.03,
                renewal_intercept: float = 1.0, renewal_slope: float = 0.8, random_state=None) -> Simulated:
    """A telecom's relationship survey: NPS, CSAT after a touchpoint, and what customers did next.

    Generative process, per response:

    * ``nps_score`` (0-10) is drawn from ``SCORE_PROBABILITIES[wave]``;
    * the customer last dealt with a touchpoint (``TOUCHPOINT_SHARE``) and rated it
      ``csat`` = clip(round(1 + 0.4 * nps_score + TOUCHPOINT_EFFECT[touchpoint] + e), 1, 5),
      e ~ Normal(0, 0.7); so P(csat >= 4) = Phi((0.4 * score + effect - 2.5) / 0.7);
    * ``renewed`` (contract renewed at the next renewal) ~ Bernoulli(logistic(
      renewal_intercept + renewal_slope * (csat - 3)));
    * ``referrals`` in the next six months ~ Poisson(``REFERRAL_RATE`` of the NPS category);
    * a share ``missing_share`` of NPS answers and, independently, of CSAT answers is left blank.

    Parameters
    ----------
    n_per_wave : int, default 1000
    waves : tuple of wave numbers from ``SCORE_PROBABILITIES``, default (1, 2)
    missing_share : float, default 0.03
    renewal_intercept, renewal_slope : float
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    Simulated(data, truth). ``data`` columns: ``response_id``, ``customer_id``, ``wave``,
    ``date``, ``touchpoint``, ``nps_score``, ``csat`` (both float, NaN when skipped),
    ``renewed`` (bool), ``referrals`` (int). ``truth``: the true NPS of each wave, the true
    CSAT (top-2-box, percent) of each touchpoint in each wave, and the renewal probability by
    CSAT rating.

    Raises
    ------
    InputError
        For a count that is not a positive whole number, an unknown wave, a share outside
        [0, 1], or a bad ``random_state``.

    Examples
    --------
    >>> survey, truth = make_survey(50, random_state=0)
    >>> truth["nps"]
    {1: 5.0, 2: 13.0}
    """
    unknown = [w for w in np.atleast_1d(waves).tolist() if w not in SCORE_PROBABILITIES]
    if unknown:
        raise InputError(f"waves {unknown} are not defined; choose from {list(SCORE_PROBABILITIES)}.")
    rng = np.random.default_rng(random_state)
    n = n_per_wave
    tps = list(TOUCHPOINT_SHARE)
    frames = []
    for w in waves:
        score = rng.choice(11, size=n, p=SCORE_PROBABILITIES[w])
        tp = rng.choice(len(tps), size=n, p=np.array([TOUCHPOINT_SHARE[t] for t in tps]))
        effect = np.array([TOUCHPOINT_EFFECT[t] for t in tps])[tp]
        rating = np.clip(np.round(1 + 0.4 * score + effect + rng.normal(0, 0.7, n)), 1, 5)
        renew_p = 1 / (1 + np.exp(-(renewal_intercept + renewal_slope * (rating - 3))))
        category = nps_category(score)
        referrals = rng.poisson(np.vectorize(REFERRAL_RATE.get)(category))
        month = 3 if w == 1 else 9
        frames.append(pd.DataFrame({
            "wave": w,
            "date": pd.Timestamp(2025, month, 1) + pd.to_timedelta(rng.integers(0, 28, n), unit="D"),
            "touchpoint": np.array(tps)[tp],
            "nps_score": np.where(rng.uniform(size=n) < missing_share, np.nan, score),
            "csat": np.where(rng.uniform(size=n) < missing_share, np.nan, rating),
            "renewed": rng.uniform(size=n) < renew_p,
            "referrals": referrals,
        }))
    data = pd.concat(frames, ignore_index=True)
    data.insert(0, "customer_id", [f"K{i:06d}" for i in rng.permutation(900000)[:len(data)] + 100000])
    data.insert(0, "response_id", np.arange(1, len(data) + 1))
    true_nps = {w: round(100 * float(SCORE_PROBABILITIES[w][9:].sum() - SCORE_PROBABILITIES[w][:7].sum()), 10)
                for w in waves}
    normal_cdf = np.vectorize(NormalDist().cdf)
    p_sat = {(w, t): round(100 * float(np.sum(SCORE_PROBABILITIES[w] * normal_cdf(
        (0.4 * np.arange(11) + TOUCHPOINT_EFFECT[t] - 2.5) / 0.7))), 10) for w in waves for t in tps}
    renewal = {k: float(1 / (1 + np.exp(-(renewal_intercept + renewal_slope * (k - 3))))) for k in range(1, 6)}
    truth = dict(nps=true_nps, csat_top2=p_sat, renewal_probability=renewal,
                 score_probabilities={w: SCORE_PROBABILITIES[w].copy() for w in waves},
                 touchpoint_effect=dict(TOUCHPOINT_EFFECT), referral_rate=dict(REFERRAL_RATE))
    return Simulated(data, truth)


COST_PROGRAMS = {  # program: list of (item, mean monthly amount, relative sd, probability the item occurs in a month)
    "customer success": [("success managers' salaries", 19500.0, 0.0, 1.0), ("health-score software", 1200.0, 0.0, 1.0)],
    "loyalty program": [("annual-plan discounts", 5200.0, 0.15, 1.0), ("referral credits", 1400.0, 0.35, 1.0)],
    "win-back campaigns": [("email platform", 450.0, 0.0, 1.0), ("win-back offer credits", 3800.0, 0.3, 1 / 3)],
    "support": [("retention share of support desk", 8800.0, 0.1, 1.0)],
}


@validate(random_state=RandomState())
def make_retention_costs(*, start="2024-01-01", end="2026-01-01", random_state=None) -> Simulated:
    """A software company's ledger of retention spend: one row per cost item per month.

    Each item of ``COST_PROGRAMS`` occurs in a month with its probability, dated on a uniform
    day of the month, with amount Normal(mean, relative sd * mean) rounded to cents and floored
    at zero. Acquisition spend (ads, sales) is not in the ledger.

    Parameters
    ----------
    start, end : dates
        Whole months in [start, end).
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    Simulated(data, truth). ``data`` columns: ``date``, ``program``, ``item``, ``amount``
    (dollars). ``truth``: ``expected_monthly`` spend by program.

    Raises
    ------
    InputError
        For a reversed period or a bad ``random_state``.

    Examples
    --------
    >>> costs, truth = make_retention_costs(random_state=0)
    >>> truth["expected_monthly"]["support"]
    8800.0
    """
    ps, pe = require_period(start, end)
    rng = np.random.default_rng(random_state)
    rows = []
    for month in pd.date_range(ps, pe, freq="MS", inclusive="left"):
        days = month.days_in_month
        for program, items in COST_PROGRAMS.items():
            for item, mean, rel_sd, prob in items:
                if rng.uniform() >= prob:
                    continue
                amount = max(round(float(rng.normal(mean, rel_sd * mean)), 2), 0.0)
                rows.append((month + pd.Timedelta(days=int(rng.integers(0, days))), program, item, amount))
    data = pd.DataFrame(rows, columns=["date", "program", "item", "amount"])
    expected = {prog: float(sum(mean * prob for _, mean, _, prob in items)) for prog, items in COST_PROGRAMS.items()}
    return Simulated(data, dict(expected_monthly=expected, programs={k: list(v) for k, v in COST_PROGRAMS.items()}))
