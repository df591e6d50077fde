"""A simulator of discrete purchase occasions (the BG/BB model), with planted truth."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import Integer, RandomState, Real, validate
from .simulate import Simulated

__all__ = ["make_occasions"]


@validate(n_customers=Integer(low=1), n_occasions=Integer(low=1), first_year=Integer(low=1900, high=2100),
          alpha=Real(low=0, closed="neither"), beta=Real(low=0, closed="neither"),
          gamma=Real(low=0, closed="neither"), delta=Real(low=0, closed="neither"), random_state=RandomState())
def make_occasions(n_customers: int = 5000, *, n_occasions: int = 6, first_year: int = 2019, alpha: float = 1.2,
                   beta: float = 0.8, gamma: float = 0.6, delta: float = 3.0, random_state=None) -> Simulated:
    """Yearly pre-orders of Harbor Coffee's holiday blend: one chance a year to buy, from the BG/BB model.

    Every customer pre-ordered for the first time in ``first_year`` (the cohort); the table holds
    the ``n_occasions`` yearly pre-orders that followed. Generative process (Fader, Hardie & Shang
    2010):

    * while active, a customer pre-orders at each occasion with their own probability
      p ~ Beta(alpha, beta);
    * at the start of each occasion an active customer becomes inactive for good with their own
      probability theta ~ Beta(gamma, delta), so pre-orders stop.

    Parameters
    ----------
    n_customers : int, default 5000
    n_occasions : int, default 6
    first_year : int, default 2019
    alpha, beta : float, the Beta distribution of the chance of buying at an occasion
    gamma, delta : float, the Beta distribution of the chance of leaving before an occasion
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    Simulated(data, truth). ``data``: one row per customer (index ``customer_id``), one column per
    year after ``first_year``, 1 if the customer pre-ordered. ``truth``: the four parameters,
    ``first_year``, and ``customers`` (``p``, ``theta`` and ``active_after``: still active at the
    next occasion, n + 1, what the BG/BB's P(alive) predicts).

    Raises
    ------
    InputError
        For counts that are not positive whole numbers or parameters that are not positive.

    Examples
    --------
    >>> data, truth = make_occasions(1000, random_state=0)
    >>> list(data.columns), bool(data.isin([0, 1]).all().all()), truth["alpha"]
    ([2020, 2021, 2022, 2023, 2024, 2025], True, 1.2)
    """
    rng = np.random.default_rng(random_state)
    p = rng.beta(alpha, beta, n_customers)
    theta = rng.beta(gamma, delta, n_customers)
    # occasions at which the customer is still active: they leave before occasion k with probability theta
    leaves_before = rng.geometric(theta)                    # first occasion (1, 2, ...) at which they are gone
    occasion = np.arange(1, n_occasions + 1)
    active = occasion[None, :] < leaves_before[:, None]
    bought = active & (rng.random((n_customers, n_occasions)) < p[:, None])
    ids = pd.Index([f"H{i:05d}" for i in range(1, n_customers + 1)], name="customer_id")
    data = pd.DataFrame(bought.astype(int), index=ids, columns=first_year + occasion)
    customers = pd.DataFrame({"p": p, "theta": theta, "active_after": leaves_before > n_occasions + 1}, index=ids)
    return Simulated(data, dict(alpha=alpha, beta=beta, gamma=gamma, delta=delta, first_year=first_year,
                                customers=customers))
