"""Marlow Market, an online retailer that launches a paid membership: monthly histories with planted effects.

A simulator with planted truth, in the pattern of :mod:`retention_kit.datasets.simulate`: customers
choose to join, and heavier buyers join more (how much more is the ``selection`` argument), so members
differ from non-members before they join. The membership's effects on order frequency and on the
monthly lapse hazard are planted, so the Amazon Prime case study can set the naive member gap beside
estimates that account for self-selection and check each against the truth. numpy and pandas only.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import Integer, RandomState, Real, validate
from .simulate import Simulated

__all__ = ["make_membership_program", "MEMBERSHIP_WINDOWS", "MEMBERSHIP_EFFECTS", "MEMBERSHIP_USAGE", "BENEFITS",
           "FREQUENCY_BANDS"]

START = pd.Timestamp("2024-01-01")
N_MONTHS = 24
MEMBERSHIP_WINDOWS = {  # half-open [start, end), calendar months; the program launches on 2025-01-01
    "pre": ("2024-07-01", "2025-01-01"),     # pre-join behaviour, the same months for everyone
    "join": ("2025-01-01", "2025-07-01"),    # members join in one of these months
    "post": ("2025-07-01", "2026-01-01"),    # outcomes, the same calendar months as the pre window a year later
}
MEMBERSHIP_EFFECTS = {"order_multiplier": 1.3,   # a member's order rate, times the rate without membership
                      "hazard_ratio": 0.6}       # a member's monthly lapse hazard, times the hazard without
SEASON = np.array([0.85, 0.9, 1.0, 1.0, 1.0, 1.0, 0.95, 0.95, 1.0, 1.05, 1.25, 1.45])   # January to December
TREND_2025 = 1.08                                # every customer orders 8% more in 2025 (the market grew)
JOIN_SCORE = {"log_orders": 0.8, "log_spend": 0.4, "log_tenure": 0.2, "unobserved": 0.5}
MEMBER_SHARE = 0.3                               # of the customers active in January 2025 decide to join
FREQUENCY_BANDS = {"light": (0.0, 1.0), "regular": (1.0, 3.0), "heavy": (3.0, np.inf)}   # orders a month, pre window
BENEFITS = ("free_shipping", "streaming", "early_deals")
MEMBERSHIP_USAGE = {  # monthly probability: free shipping and early deals per month with an order, streaming per month
    "light": {"free_shipping": 0.25, "streaming": 0.25, "early_deals": 0.05},
    "regular": {"free_shipping": 0.4, "streaming": 0.12, "early_deals": 0.12},
    "heavy": {"free_shipping": 0.6, "streaming": 0.06, "early_deals": 0.25},
}


def _z(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


def _intercept(score: np.ndarray, share: float) -> float:
    """The join logit's intercept that makes the mean probability equal ``share`` (bisection)."""
    low, high = -20.0, 20.0
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if np.mean(1 / (1 + np.exp(-(mid + score)))) < share else (low, mid)
    return (low + high) / 2


def _band(orders_per_month: np.ndarray) -> np.ndarray:
    """The index of each customer's band in ``FREQUENCY_BANDS``."""
    edges = [lo for lo, _ in FREQUENCY_BANDS.values()][1:]
    return np.searchsorted(edges, orders_per_month, side="right")


@validate(n_customers=Integer(low=100, hint="It is a number of customers; the join model needs at least 100."),
          selection=Real(0, 5), unobserved=Real(0, 1), random_state=RandomState())
def make_membership_program(n_customers: int = 10000, *, selection: float = 1.0, unobserved: float = 0.1,
                            random_state=None) -> Simulated:
    """Monthly histories of Marlow Market's customers, 2024-2025, with a membership launched in January 2025.

    Marlow Market is an online retailer of the course's fictional world. Its membership (free shipping,
    a video streaming service, early access to deals) launches on 2025-01-01; customers decide
    themselves whether to join. Generative process, vectorized over customers, month by month:

    * customer i first ordered 1 to 72 months before 2024-01 and has an order rate
      lambda_i ~ Gamma(1.5, scale 0.8) a month, an average order value v_i ~ LogNormal(log 40, 0.35)
      dollars and an unobserved trait u_i ~ N(0, 1) (a life event: a move, a new baby);
    * orders in month t ~ Poisson(lambda_i s_t g_t M_it), with a seasonal profile s (``SEASON``,
      December 1.45), g_t = 1.08 exp(k u_i - k^2 / 2) in 2025 (market growth, and the trait with
      strength k = ``unobserved``; 1 in 2024) and M_it = 1.3 while a member (planted); spend is the
      sum of the orders' values, Gamma(4 orders, scale v_i / 4);
    * after each month an active customer lapses (never comes back) with hazard
      h_it = min(0.3, 0.03 lambda_i^(-1/2) (1 + exp(-tenure / 12))) times 0.6 while a member
      (planted): heavy buyers and long-standing customers lapse less;
    * the customers active in January 2025 decide to join with
      logit P = a + selection x (0.8 z(log(1 + orders)) + 0.4 z(log(1 + spend)) + 0.2 z(log tenure))
      + 0.5 u_i, from the pre window July-December 2024 (orders and spend per month, tenure in months
      at its end; z standardizes over these customers), a chosen so that 30% decide to join; a
      decider joins in a uniform month of January-June 2025, if still active then. ``selection=0``
      is joining at random apart from u; 2 is strong self-selection;
    * a member's benefits, each month (``MEMBERSHIP_USAGE``, by the pre-window frequency band light
      < 1 order a month <= regular < 3 <= heavy): free shipping and early deals with probability q in
      a month with an order, streaming with probability q.

    Parameters
    ----------
    n_customers : int, default 10000
    selection : float, default 1.0
        How strongly pre-join behaviour drives joining (0 to 5).
    unobserved : float, default 0.1
        k, the strength of the unobserved trait on 2025 orders (0 to 1): it drives joining too, so no
        adjustment on observed behaviour removes the bias it makes.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    Simulated(data, truth). ``data``: one row per customer and month while active (a lapsed customer
    has no rows from the month after the last), sorted by customer and month: ``customer_id`` (str),
    ``month`` (the first day, a Timestamp), ``first_order`` (the month of the first order ever),
    ``join_month`` (NaT for a non-member), ``member`` (a member that month), ``orders`` (count),
    ``spend`` (dollars), ``free_shipping``, ``streaming``, ``early_deals`` (bool: the benefit used that
    month; False for non-members). ``truth``: ``windows`` (``MEMBERSHIP_WINDOWS``), ``effects``,
    ``selection``, ``unobserved``, ``join_score``, ``join_intercept``, ``usage``, ``bands``,
    ``observed_until`` ("2026-01-01", exclusive), and for the members active in June 2025 (the case
    study's population): ``members`` (one row each: ``customer_id``, ``orders_without``,
    ``orders_with`` (expected orders a month in the post window), ``spend_without``, ``spend_with``,
    ``retention_without``, ``retention_with`` (probability of being active in December 2025),
    ``band``), and their means ``att_orders``, ``att_spend``, ``att_retention`` (the planted effects
    on the members), ``benefit_usage`` (by band and benefit, the expected share of the members active
    all of July-December 2025 who use the benefit at least once then) and ``customers``
    (``customer_id``, ``lambda``, ``aov``, ``u``, ``decided``, and ``pre_rate`` and
    ``post_rate_without``: the expected orders a month in the pre window and, without membership, in
    the post window; their difference is a customer's change had nobody joined).

    Raises
    ------
    InputError
        For fewer than 100 customers, a selection outside [0, 5], an unobserved strength outside
        [0, 1], or a bad ``random_state``.

    Examples
    --------
    >>> data, truth = make_membership_program(2000, random_state=1)
    >>> list(data.columns)[:7]
    ['customer_id', 'month', 'first_order', 'join_month', 'member', 'orders', 'spend']
    >>> truth["effects"]["order_multiplier"], round(float(truth["att_orders"]), 2) > 0
    (1.3, True)
    """
    rng = np.random.default_rng(random_state)
    n, k = n_customers, unobserved
    tenure0 = rng.integers(1, 73, n)
    lam, aov, u = rng.gamma(1.5, 0.8, n), np.exp(rng.normal(np.log(40), 0.35, n)), rng.normal(0, 1, n)
    months = pd.date_range(START, periods=N_MONTHS, freq="MS")
    growth = np.where(np.arange(N_MONTHS)[:, None] >= 12, TREND_2025 * np.exp(k * u - k ** 2 / 2), 1.0)   # (t, i)
    rate0 = lam * SEASON[months.month.to_numpy() - 1][:, None] * growth
    hazard0 = np.minimum(0.3, 0.03 * lam ** -0.5 * (1 + np.exp(-(tenure0 + np.arange(N_MONTHS)[:, None]) / 12)))
    mult, hr = MEMBERSHIP_EFFECTS["order_multiplier"], MEMBERSHIP_EFFECTS["hazard_ratio"]
    active, join = np.ones(n, bool), np.full(n, -1)
    decided, band = np.zeros(n, bool), np.zeros(n, int)
    q_table = np.array([[MEMBERSHIP_USAGE[b][name] for b in FREQUENCY_BANDS] for name in BENEFITS])   # (benefit, band)
    alpha = np.nan
    orders, spend = np.zeros((N_MONTHS, n)), np.zeros((N_MONTHS, n))
    alive, usage = np.zeros((N_MONTHS, n), bool), np.zeros((len(BENEFITS), N_MONTHS, n), bool)
    for t in range(N_MONTHS):
        if t == 12:                      # the launch: customers active now decide, on the pre window
            pre = slice(6, 12)
            f, s = orders[pre].sum(0) / 6, spend[pre].sum(0) / 6
            e, score = active.copy(), np.zeros(n)
            score[e] = selection * (JOIN_SCORE["log_orders"] * _z(np.log1p(f[e])) + JOIN_SCORE["log_spend"]
                                    * _z(np.log1p(s[e])) + JOIN_SCORE["log_tenure"] * _z(np.log(tenure0[e] + 12.0)))
            score[e] += JOIN_SCORE["unobserved"] * u[e]
            alpha = _intercept(score[e], MEMBER_SHARE)
            decided = e & (rng.random(n) < 1 / (1 + np.exp(-(alpha + score))))
            planned = np.where(decided, 12 + rng.integers(0, 6, n), -1)
            band = _band(f)
        if 12 <= t < 18:
            join = np.where(active & (planned == t), t, join)
        member = (join >= 0) & (join <= t)
        alive[t] = active
        rate = rate0[t] * np.where(member, mult, 1.0)
        orders[t] = np.where(active, rng.poisson(rate), 0)
        spend[t] = np.where(orders[t] > 0, rng.gamma(np.maximum(4 * orders[t], 1e-9), aov / 4), 0.0)
        draw = rng.random((len(BENEFITS), n)) < q_table[:, band]
        usage[:, t] = draw & member & active & np.array([orders[t] > 0, np.ones(n, bool), orders[t] > 0])
        active = active & (rng.random(n) >= hazard0[t] * np.where(member, hr, 1.0))
    t_idx, i_idx = np.nonzero(alive)
    order = np.lexsort((t_idx, i_idx))
    t_idx, i_idx = t_idx[order], i_idx[order]
    ids = np.char.add("M", np.char.zfill(np.arange(1, n + 1).astype(str), 5)).astype(object)
    first_order = pd.DatetimeIndex([START - pd.DateOffset(months=m) for m in range(73)])[tenure0]
    join_month = pd.DatetimeIndex(np.where(join >= 0, months.to_numpy()[np.maximum(join, 0)], np.datetime64("NaT")))
    data = pd.DataFrame({"customer_id": ids[i_idx], "month": months[t_idx], "first_order": first_order[i_idx],
                         "join_month": join_month[i_idx], "member": (join[i_idx] >= 0) & (join[i_idx] <= t_idx),
                         "orders": orders[t_idx, i_idx].astype(int), "spend": np.round(spend[t_idx, i_idx], 2),
                         **{name: usage[j, t_idx, i_idx] for j, name in enumerate(BENEFITS)}})
    # the truth, for the members active in June 2025 (month 17): the post window is months 18-23
    population = (join >= 0) & alive[17]
    post = slice(18, 24)
    without = rate0[post].mean(0)
    survive0 = np.prod(1 - hazard0[17:23], axis=0)
    survive1 = np.prod(1 - hazard0[17:23] * hr, axis=0)
    members = pd.DataFrame({"customer_id": ids, "orders_without": without, "orders_with": mult * without,
                            "spend_without": without * aov, "spend_with": mult * without * aov,
                            "retention_without": survive0, "retention_with": survive1,
                            "band": np.array(list(FREQUENCY_BANDS))[band]})[population]
    stayed = population & alive[18:24].all(0)
    p_order = 1 - np.exp(-mult * rate0[post])                                     # (6, i): a month with an order
    used = {}
    for name, needs_order in zip(BENEFITS, (True, False, True)):
        q = q_table[BENEFITS.index(name), band]
        p = q * p_order if needs_order else np.broadcast_to(q, p_order.shape)
        used[name] = 1 - np.prod(1 - p, axis=0)
    names = np.array(list(FREQUENCY_BANDS))[band]
    usage_truth = pd.DataFrame(used)[stayed].groupby(names[stayed]).mean().reindex(list(FREQUENCY_BANDS))
    truth = dict(windows=dict(MEMBERSHIP_WINDOWS), effects=dict(MEMBERSHIP_EFFECTS), selection=selection,
                 unobserved=unobserved, join_score=dict(JOIN_SCORE), join_intercept=float(alpha),
                 usage={b: dict(v) for b, v in MEMBERSHIP_USAGE.items()}, bands=dict(FREQUENCY_BANDS),
                 observed_until=pd.Timestamp("2026-01-01"), members=members.reset_index(drop=True),
                 att_orders=float((members["orders_with"] - members["orders_without"]).mean()),
                 att_spend=float((members["spend_with"] - members["spend_without"]).mean()),
                 att_retention=float((members["retention_with"] - members["retention_without"]).mean()),
                 benefit_usage=usage_truth,
                 customers=pd.DataFrame({"customer_id": ids, "lambda": lam, "aov": aov, "u": u, "decided": decided,
                                         "pre_rate": rate0[6:12].mean(0), "post_rate_without": without}))
    return Simulated(data, truth)
