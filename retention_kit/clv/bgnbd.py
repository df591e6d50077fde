"""The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005), fitted by maximum likelihood.

Taught in ``notebooks/07_customer_lifetime_value.ipynb``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import gammaln, hyp2f1

from ..results import MetricResult
from ..validation import plural
from .fitting import Distinct
from .purchases import PurchaseModel

__all__ = ["BetaGeo"]


class _BGData:
    """What the BG/NBD likelihood needs, arranged so special functions run on distinct values only.

    gammaln and digamma depend on the customer only through x (a few hundred distinct values);
    the logs depend on T and t_x (distinct periods). Rows are weighted by how often they occur.
    Terms that involve T alone are summed per distinct T once (``T_w``, ``T_wx``), so each
    evaluation loops over rows only for customers with a repeat purchase (``rep_*``).
    """

    def __init__(self, x, tx, T):
        codes = [pd.factorize(col)[0].astype(np.int64) for col in (x, tx, T)]
        key = (codes[0] * (codes[1].max() + 1) + codes[1]) * (codes[2].max() + 1) + codes[2]
        _, first, counts = np.unique(key, return_index=True, return_counts=True)
        x, tx, T = x[first], tx[first], T[first]
        self.w = counts.astype(float)
        self.total = self.w.sum()
        self.X, self.Tx, self.TT = Distinct(x), Distinct(tx), Distinct(T)
        self.x = x
        self.repeat = x > 0
        self.x_weight = np.bincount(self.X.index, weights=self.w)       # customers per distinct x
        self.repeat_w = self.w * self.repeat
        n_T = len(self.TT.values)
        self.T_w = np.bincount(self.TT.index, weights=self.w, minlength=n_T)             # customers per distinct T
        self.T_wx = np.bincount(self.TT.index, weights=self.w * x, minlength=n_T)        # their repeat purchases
        rep = np.flatnonzero(self.repeat)
        self.rep_x, self.rep_w = x[rep], self.w[rep]
        self.rep_X, self.rep_Tx, self.rep_TT = self.X.index[rep], self.Tx.index[rep], self.TT.index[rep]


def _bgnbd_nll(log_params, d: _BGData, penalizer):
    """Mean negative log-likelihood of BG/NBD and its gradient in log-parameters."""
    from scipy.special import digamma
    r, alpha, a, b = params = np.exp(log_params)
    ux = d.X.values
    # terms that depend on x only, summed with the number of customers at each x
    A12 = gammaln(r + ux) - gammaln(r) + r * np.log(alpha) + gammaln(a + b) + gammaln(b + ux) - gammaln(b) \
        - gammaln(a + b + ux)
    dig_abx = digamma(a + b + ux)
    g_r = digamma(r + ux) - digamma(r) + np.log(alpha)
    g_a = digamma(a + b) - dig_abx
    g_b = g_a + digamma(b + ux) - digamma(b)
    # -(r + x) log(alpha + T), summed per distinct T
    log_T, inv_T = np.log(alpha + d.TT.values), 1 / (alpha + d.TT.values)
    log_tx, inv_tx = np.log(alpha + d.Tx.values), 1 / (alpha + d.Tx.values)
    rx_T = r * d.T_w + d.T_wx
    ll = d.x_weight @ A12 - log_T @ rx_T
    d_r = d.x_weight @ g_r - log_T @ d.T_w
    d_alpha = d.total * r / alpha - inv_T @ rx_T
    # customers with a repeat purchase: the term "dropped out after t_x", log(1 + e^z)
    rx = r + d.rep_x
    gap = log_tx[d.rep_Tx] - log_T[d.rep_TT]
    z = np.log(a) - np.log(b + np.maximum(ux, 1) - 1)[d.rep_X] - rx * gap
    # log(1 + e^z) without overflow, and e^z / (1 + e^z); exponents kept above -600 so that no value falls in the
    # subnormal range, where arithmetic is many times slower (what is cut off is below 1e-260 of the total)
    softplus = np.maximum(z, 0.0) + np.log(1 + np.exp(-np.minimum(np.abs(z), 600.0)))
    ll += d.rep_w @ softplus
    ww4 = d.rep_w * np.exp(np.maximum(z - softplus, -600.0))     # customers times the share from dropping out
    d_r -= ww4 @ gap
    d_alpha -= (ww4 * rx) @ (inv_tx[d.rep_Tx] - inv_T[d.rep_TT])
    d_a = d.x_weight @ g_a + ww4.sum() / a
    d_b = d.x_weight @ g_b - ww4 @ (1 / (b + np.maximum(ux, 1) - 1))[d.rep_X]
    grads = np.array([d_r, d_alpha, d_a, d_b]) / d.total
    value = -ll / d.total + penalizer * np.sum(params ** 2)
    return value, -(grads * params) + penalizer * 2 * params ** 2   # chain rule: d/dlog(p) = p d/dp


class BetaGeo(PurchaseModel):
    """The BG/NBD model of repeat purchasing, fitted by maximum likelihood.

    While active, a customer buys at rate lambda ~ Gamma(r, alpha); after each repeat purchase
    they become inactive with probability p ~ Beta(a, b). The likelihood of a customer with
    ``frequency`` x, ``recency`` t_x and age ``T`` is (Fader, Hardie & Lee 2005, eq. 6)

        L = B(a, b + x) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + T)^(r + x))
            + [x > 0] B(a + 1, b + x - 1) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + t_x)^(r + x)).

    Parameters are estimated in log space by BFGS with the analytic gradient, on time rescaled
    so that the oldest customer has T = 1 (``alpha`` is reported in the model's time unit).
    ``penalizer`` adds ``penalizer * sum(params**2)`` (on the rescaled parameters) to the mean
    negative log-likelihood, as lifetimes does.

    The model remembers the time unit of the summary it was fitted on (``time_unit_``): a
    prediction horizon given in another unit is converted (a month is 30.4375 days), and a
    summary built in another unit is refused.

    Parameters
    ----------
    penalizer : float, default 0

    Attributes
    ----------
    params_ : Series (r, alpha, a, b)
    standard_errors_ : Series
    log_likelihood_ : float
    n_customers_ : int
    time_unit_ : str
    iterations_ : int

    Examples
    --------
    >>> from retention_kit.datasets import make_transactions
    >>> from retention_kit.summaries import rfm_summary
    >>> tx, truth = make_transactions(2000, random_state=0)
    >>> model = BetaGeo().fit(rfm_summary(tx))
    >>> list(model.params_.index), model.time_unit_
    (['r', 'alpha', 'a', 'b'], 'day')
    """

    _param_names = ("r", "alpha", "a", "b")
    _label = "BG/NBD"

    def fit(self, summary: pd.DataFrame, *, time_unit: str | None = None, initial_params=None) -> "BetaGeo":
        """Fit to a summary with columns ``frequency``, ``recency`` and ``T`` (from :func:`rk.rfm_summary`).

        Parameters
        ----------
        summary : DataFrame, one row per customer
        time_unit : str, optional
            The unit of ``recency`` and ``T``; default what ``rk.rfm_summary`` recorded in
            ``summary.attrs``. Required for a summary built by other means.
        initial_params : four positive numbers (r, alpha, a, b), optional
            Starting values (alpha in ``time_unit``); default 0.1 each on the rescaled time.

        Returns
        -------
        self

        Raises
        ------
        InputError
            For a summary with missing columns or values, impossible histories (recency above T,
            fractional frequency...), no time unit, every T = 0, or bad initial values.
        ConvergenceError
            When the estimate does not converge, does not move, runs off, or is not determined by
            the data.
        """
        result, x, scale, _ = self._fit_summary(summary, time_unit, initial_params, _bgnbd_nll, _BGData)
        # in the model's own unit: rescaling time by `scale` multiplies each customer's likelihood by scale^-x
        penalty = self.penalizer * np.sum(np.exp(result.x) ** 2)
        self.log_likelihood_ = float(-(result.fun - penalty) * len(x) + np.log(scale) * x.sum())
        return self

    # ---------------------------------------------------------------- predictions
    def _alive(self, x, tx, T):
        r, alpha, a, b = self.params_
        odds = np.zeros_like(x, dtype=float)
        repeat = x > 0
        odds[repeat] = (a / (b + x[repeat] - 1)) * ((alpha + T[repeat]) / (alpha + tx[repeat])) ** (r + x[repeat])
        return 1 / (1 + odds)

    def _cumulative(self, t, x, T, alive):
        r, alpha, a, b = self.params_
        z = t / (alpha + T + t)
        numerator = (a + b + x - 1) / (a - 1) * (
            1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z))
        return numerator * alive

    def p_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(still active | x, t_x, T) = 1 / (1 + [x > 0] a/(b + x - 1) ((alpha + T)/(alpha + t_x))^(r + x)).

        Parameters
        ----------
        summary : DataFrame with ``frequency``, ``recency``, ``T`` in the model's time unit

        Returns
        -------
        Series ``p_alive`` indexed like ``summary``.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        InputError
            For a summary in another time unit, or with impossible histories.
        """
        return self._p_alive_series(summary)

    def expected_purchases(self, summary: pd.DataFrame, *, horizon: float, time_unit: str | None = None) -> pd.Series:
        """Expected repeat purchases in the next ``horizon``, given each customer's history (eq. 10).

        E[Y(t) | x, t_x, T] = (a + b + x - 1)/(a - 1) [1 - ((alpha + T)/(alpha + T + t))^(r + x)
        2F1(r + x, b + x; a + b + x - 1; t/(alpha + T + t))] / (1 + [x > 0] a/(b + x - 1)
        ((alpha + T)/(alpha + t_x))^(r + x)).

        Parameters
        ----------
        summary : DataFrame with ``frequency``, ``recency``, ``T`` in the model's time unit
        horizon : float, 0 or more
        time_unit : str, optional
            The unit of ``horizon``; default the model's. Converted (a month is 30.4375 days).

        Returns
        -------
        Series ``expected_purchases`` indexed like ``summary``.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        InputError
            For a negative horizon, an unknown unit, or a summary in another time unit.
        """
        return self._expected_series(summary, horizon, time_unit)

    def expected_purchases_new_customer(self, *, horizon: float, time_unit: str | None = None) -> MetricResult:
        """Expected repeat purchases in (0, horizon] of a customer who has just made a first purchase (eq. 7).

        E[X(t)] = (a + b - 1)/(a - 1) [1 - (alpha/(alpha + t))^r 2F1(r, b; a + b - 1; t/(alpha + t))].

        Parameters
        ----------
        horizon : float, 0 or more
        time_unit : str, optional; default the model's unit

        Returns
        -------
        MetricResult (kind ``"expected_purchases"``).

        Raises
        ------
        NotFittedError
            Before ``fit``.
        InputError
            For a negative horizon or an unknown unit.
        """
        self._check_fitted()
        t = self._horizon(horizon, time_unit)
        r, alpha, a, b = self.params_
        value = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
        return MetricResult(kind="expected_purchases", name=f"Expected repeat purchases of a new customer in {t:g} "
                                                            f"{plural(self.time_unit_)}", value=float(value), unit="",
                            formula="(a + b - 1)/(a - 1) [1 - (alpha/(alpha + t))^r 2F1(r, b; a + b - 1; t/(alpha + t))]",
                            parts=dict(t=t))
