"""Simulated data for the lesson on data-driven actions (Lumen+): a randomized test of a retention offer with
planted uplift types, add-on holdings with planted affinities, and weekly churn around the rollout of an action."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import Integer, Probability, Real, validate

__all__ = ["make_retention_offer_test", "make_add_on_holdings", "make_weekly_churn", "UPLIFT_TYPES", "ADD_ONS"]

# the four kinds of customer an offer meets: P(retained) without the offer, with it
UPLIFT_TYPES = {"persuadable": (0.35, 0.85), "sure thing": (0.96, 0.96), "lost cause": (0.12, 0.12),
                "do-not-disturb": (0.90, 0.55)}
_PLANS = {"basic": 8.0, "standard": 13.0, "premium": 18.0}
_MARGIN, _MONTHLY_RETENTION, _DISCOUNT_RATE = 0.6, 0.95, 0.01
ADD_ONS = ("sports", "kids", "4k", "extra_screen", "music")


def _clv(fee):
    """Formula CLV of a retained subscriber: margin m = 0.6 fee a month, r = 0.95, i = 1% a month."""
    return _MARGIN * fee * (1 + _DISCOUNT_RATE) / (1 + _DISCOUNT_RATE - _MONTHLY_RETENTION)


@validate(n_customers=Integer(low=100), allocation=Probability("The share of customers the test offers the "
                                                                 "discount to, 0.5 for equal arms."))
def make_retention_offer_test(n_customers: int = 20_000, *, allocation: float = 0.5, random_state=None):
    """A randomized test of Lumen+'s retention offer (a month at half price), with planted uplift types.

    Each subscriber is one of four types, drawn from their features (a multinomial logit):
    *persuadables* stay only if offered (P(retained) 0.35 without, 0.85 with the offer), *sure
    things* stay either way (0.96), *lost causes* leave either way (0.12), and *do-not-disturbs*
    stay unless reminded (0.90 without, 0.55 with: the offer prompts them to look at what they pay).
    A share ``allocation`` of the subscribers, drawn at random, gets the offer; ``retained`` says
    whether each was still a subscriber 60 days later. Every retained subscriber who got the offer
    used the discount, half a month's fee.

    Parameters
    ----------
    n_customers : int, default 20,000
    allocation : float, default 0.5, the share offered the discount
    random_state : int or numpy Generator, optional

    Returns
    -------
    (test, truth)
        ``test``: one row per subscriber, indexed by ``customer_id``: ``tenure_months``, ``plan``,
        ``monthly_fee`` [dollars], ``hours_last_month``, ``hours_trend`` (last month's hours over
        the three months before, minus 1), ``failed_payment`` (in the last 3 months), ``support_contacts``
        (last 3 months), ``used_discount_before``, ``clv`` [dollars: formula CLV of a retained
        subscriber, 0.6 fee a month at 95% monthly retention and 1% a month discounting], ``treated``,
        ``retained``.
        ``truth``: ``type`` (Series by customer), ``p_control`` and ``p_treatment`` (each customer's
        planted P(retained)), ``uplift`` (their difference), ``types`` (the table above),
        ``discount`` (the offer's cost per retained treated subscriber, a Series) and ``allocation``.

    Raises
    ------
    InputError
        For fewer than 100 customers or an allocation outside [0, 1].

    Examples
    --------
    >>> test, truth = make_retention_offer_test(2_000, random_state=1)
    >>> test.shape, round(float(test["treated"].mean()), 2), sorted(truth["types"])
    ((2000, 11), 0.5, ['do-not-disturb', 'lost cause', 'persuadable', 'sure thing'])
    """
    rng = np.random.default_rng(random_state)
    n = n_customers
    plan = rng.choice(list(_PLANS), size=n, p=[0.4, 0.4, 0.2])
    fee = pd.Series(plan).map(_PLANS).to_numpy()
    tenure = np.minimum(1 + rng.gamma(1.6, 9.0, size=n).astype(int), 72)
    engagement = rng.normal(size=n)                                     # latent: how much they watch
    hours = np.round(np.exp(2.3 + 0.55 * engagement + rng.normal(0, 0.25, n)), 1)
    trend = np.round(np.clip(0.15 * engagement + rng.normal(0, 0.2, n), -0.9, 1.5), 2)
    failed = rng.random(n) < 1 / (1 + np.exp(2.6 + 0.5 * engagement))
    contacts = rng.poisson(np.exp(-1.0 - 0.3 * engagement))
    price_sensitive = rng.random(n) < np.where(plan == "basic", 0.5, 0.3)
    used_discount = rng.random(n) < np.where(price_sensitive, 0.85, 0.08)
    long_tenure = tenure >= 24
    logits = np.column_stack([
        -1.0 + 3.0 * price_sensitive - 0.5 * np.abs(engagement) + 0.4 * (trend < -0.1),    # persuadable
        0.9 + 1.3 * engagement - 0.6 * price_sensitive,                                    # sure thing
        -1.2 - 1.5 * engagement + 1.6 * failed + 0.4 * contacts,                           # lost cause
        -1.6 + 3.0 * long_tenure - 0.6 * engagement - 1.5 * price_sensitive,               # do-not-disturb
    ])
    prob = np.exp(logits - logits.max(axis=1, keepdims=True))
    prob /= prob.sum(axis=1, keepdims=True)
    names = np.array(list(UPLIFT_TYPES))
    kind = names[(prob.cumsum(axis=1) > rng.random(n)[:, None]).argmax(axis=1)]
    p0 = pd.Series(kind).map({k: v[0] for k, v in UPLIFT_TYPES.items()}).to_numpy()
    p1 = pd.Series(kind).map({k: v[1] for k, v in UPLIFT_TYPES.items()}).to_numpy()
    treated = rng.random(n) < allocation
    retained = rng.random(n) < np.where(treated, p1, p0)
    index = pd.Index([f"L{i:05d}" for i in range(1, n + 1)], name="customer_id")
    test = pd.DataFrame({"tenure_months": tenure, "plan": pd.Categorical(plan, categories=list(_PLANS)),
                         "monthly_fee": fee, "hours_last_month": hours, "hours_trend": trend,
                         "failed_payment": failed, "support_contacts": contacts,
                         "used_discount_before": used_discount, "clv": np.round(_clv(fee), 2),
                         "treated": treated, "retained": retained}, index=index)
    truth = dict(type=pd.Series(kind, index=index, name="type"), p_control=pd.Series(p0, index=index),
                 p_treatment=pd.Series(p1, index=index), uplift=pd.Series(p1 - p0, index=index, name="uplift"),
                 types=dict(UPLIFT_TYPES), discount=pd.Series(fee / 2, index=index, name="discount"),
                 allocation=allocation)
    return test, truth


# planted affinities: P(holds the second | holds the first) is raised by these log-odds
_PAIRS = {("kids", "extra_screen"): 1.6, ("sports", "4k"): 1.3, ("music", "sports"): 0.0}
_BASE_SHARE = {"sports": 0.18, "kids": 0.22, "4k": 0.12, "extra_screen": 0.15, "music": 0.10}


@validate(n_customers=Integer(low=10))
def make_add_on_holdings(n_customers: int = 20_000, *, random_state=None):
    """Which of Lumen+'s five add-ons each subscriber holds, with planted affinities between pairs.

    ``sports``, ``kids`` and ``music`` are drawn independently at their base shares; ``4k`` and
    ``extra_screen`` have a log-odds raised by 1.3 for sports holders and 1.6 for kids holders
    (families share the account; sports fans want the picture). Music is independent of everything:
    its lift with sports is 1 by construction.

    Parameters
    ----------
    n_customers : int, default 20,000
    random_state : int or numpy Generator, optional

    Returns
    -------
    (holdings, truth)
        ``holdings``: a bool DataFrame indexed by ``customer_id``, one column per add-on.
        ``truth``: ``pairs`` (the planted log-odds by pair), ``base_share`` (of the drawn-first
        add-ons and of the others among non-holders), ``share`` (each add-on's planted share),
        ``p_given`` (dict from (first, second) to the planted P(second | first) and P(second | not
        first)) and ``lift`` (the planted lift of every ordered pair; 1 for independent pairs, and
        lift is symmetric).

    Raises
    ------
    InputError
        For fewer than 10 customers.

    Examples
    --------
    >>> holdings, truth = make_add_on_holdings(1_000, random_state=0)
    >>> list(holdings.columns), holdings.shape
    (['sports', 'kids', '4k', 'extra_screen', 'music'], (1000, 5))
    """
    rng = np.random.default_rng(random_state)
    n = n_customers
    logit = lambda p: np.log(p / (1 - p))                             # noqa: E731
    expit = lambda x: 1 / (1 + np.exp(-x))                            # noqa: E731
    held = {name: rng.random(n) < _BASE_SHARE[name] for name in ("sports", "kids", "music")}
    held["4k"] = rng.random(n) < expit(logit(_BASE_SHARE["4k"]) + _PAIRS[("sports", "4k")] * held["sports"])
    held["extra_screen"] = rng.random(n) < expit(logit(_BASE_SHARE["extra_screen"])
                                                 + _PAIRS[("kids", "extra_screen")] * held["kids"])
    index = pd.Index([f"L{i:05d}" for i in range(1, n + 1)], name="customer_id")
    holdings = pd.DataFrame({name: held[name] for name in ADD_ONS}, index=index)
    p_given = {("kids", "extra_screen"): (float(expit(logit(0.15) + 1.6)), 0.15),
               ("sports", "4k"): (float(expit(logit(0.12) + 1.3)), 0.12), ("music", "sports"): (0.18, 0.18)}
    share = dict(_BASE_SHARE)
    for (first, second), (given, not_given) in list(p_given.items())[:2]:
        share[second] = _BASE_SHARE[first] * given + (1 - _BASE_SHARE[first]) * not_given
    lift = {(a, b): 1.0 for a in ADD_ONS for b in ADD_ONS if a != b}
    for (first, second), (given, _) in list(p_given.items())[:2]:
        lift[(first, second)] = lift[(second, first)] = given / share[second]
    return holdings, dict(pairs=dict(_PAIRS), base_share=dict(_BASE_SHARE), share=share, p_given=p_given, lift=lift)


@validate(weeks=Integer(low=4), rollout_week=Integer(low=2), subscribers=Integer(low=100),
          holdout_share=Probability("The share kept out of the action to measure it, e.g. 0.1."),
          base_rate=Probability("The weekly churn rate before the action, e.g. 0.013."), effect=Real(),
          season=Real(low=0))
def make_weekly_churn(weeks: int = 52, rollout_week: int = 30, *, subscribers: int = 20_000, holdout_share: float = 0.1,
                      base_rate: float = 0.013, effect: float = -0.003, season: float = 0.002, random_state=None):
    """Weekly cancellations of Lumen+ around the rollout of an action, with a randomized holdout.

    Each week, the subscribers at risk (kept near ``subscribers`` by new sign-ups) cancel at the
    weekly rate ``base_rate + season x sin(2 pi week / 52)``; from ``rollout_week`` on, the
    subscribers in the action's group cancel at that rate plus ``effect`` (negative: fewer
    cancellations). A share ``holdout_share``, drawn at random, never gets the action.

    Parameters
    ----------
    weeks : int, default 52
    rollout_week : int, default 30, the first week of the action (0-based)
    subscribers : int, default 20,000, at risk each week
    holdout_share : float, default 0.1
    base_rate : float, default 0.013 a week (about 5% a month)
    effect : float, default -0.003 a week, the planted change in the action group's rate
    season : float, default 0.002, the amplitude of the yearly wave that both groups share
    random_state : int or numpy Generator, optional

    Returns
    -------
    DataFrame, one row per week and group (``action``, ``holdout``): ``week`` (a Monday, from
    2025-01-06), ``group``, ``at_risk``, ``cancelled``, ``after_rollout`` (bool), ``true_rate``.

    Raises
    ------
    InputError
        For fewer than 4 weeks, a rollout before week 2, rates outside [0, 1] or a negative season.

    Examples
    --------
    >>> weekly = make_weekly_churn(10, 6, random_state=0)
    >>> weekly.shape, sorted(weekly["group"].unique())
    ((20, 6), ['action', 'holdout'])
    """
    rng = np.random.default_rng(random_state)
    week = np.arange(weeks)
    season_rate = base_rate + season * np.sin(2 * np.pi * week / 52)
    rows = []
    for group, share in (("action", 1 - holdout_share), ("holdout", holdout_share)):
        at_risk = rng.poisson(subscribers * share, size=weeks)
        after = week >= rollout_week
        rate = np.clip(season_rate + (effect * after if group == "action" else 0.0), 0.0, 1.0)
        rows.append(pd.DataFrame({"week": pd.Timestamp("2025-01-06") + pd.to_timedelta(7 * week, unit="D"),
                                  "group": group, "at_risk": at_risk, "cancelled": rng.binomial(at_risk, rate),
                                  "after_rollout": after, "true_rate": rate}))
    return pd.concat(rows, ignore_index=True)
