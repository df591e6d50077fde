"""The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves").

Taught in ``notebooks/07_customer_lifetime_value.ipynb``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import digamma, gammaln

from ..validation import InputError, warn_data
from .fitting import Distinct, Fitter, first_bad, summary_arrays

__all__ = ["GammaGamma"]


class _GGData:
    """Gamma-Gamma data: constant sums precomputed, gammaln/digamma on distinct frequencies only."""

    def __init__(self, x, m):
        self.X = Distinct(x)
        self.x, self.xm = x, x * m
        self.n = float(len(x))
        self.x_count = np.bincount(self.X.index).astype(float)
        log_m = np.log(m)
        self.sum_x_log_mx = float(x @ log_m + self.x_count @ (self.X.values * np.log(self.X.values)))   # x (ln m + ln x)
        self.sum_log_m = float(log_m.sum())


def _gg_nll(log_params, d: _GGData, penalizer):
    """Mean negative log-likelihood of Gamma-Gamma and its gradient in log-parameters.

    Per customer: lnG(px + q) - lnG(px) - lnG(q) + q ln v + (px - 1) ln m + px ln x - (px + q) ln(x m + v).
    """
    p, q, v = params = np.exp(log_params)
    ux = d.X.values
    pux = p * ux
    per_x = gammaln(pux + q) - gammaln(pux)
    dig_pxq, dig_px = digamma(pux + q), digamma(pux)
    spent = d.xm + v
    log_s, inv_s = np.log(spent), 1 / spent
    x_log_s, sum_log_s = d.x @ log_s, log_s.sum()           # sums over customers, each needed twice below
    ll = (d.x_count @ per_x + d.n * (q * np.log(v) - gammaln(q)) + p * d.sum_x_log_mx - d.sum_log_m
          - p * x_log_s - q * sum_log_s)
    d_p = d.x_count @ (ux * (dig_pxq - dig_px)) + d.sum_x_log_mx - x_log_s
    d_q = d.x_count @ dig_pxq - d.n * digamma(q) + d.n * np.log(v) - sum_log_s
    d_v = d.n * q / v - p * (d.x @ inv_s) - q * inv_s.sum()
    grads = np.array([d_p, d_q, d_v]) / d.n
    return -ll / d.n + penalizer * np.sum(params ** 2), -(grads * params) + penalizer * 2 * params ** 2


class GammaGamma(Fitter):
    """The Gamma-Gamma model of spend per purchase, fitted by maximum likelihood.

    Each purchase of a customer is worth z ~ Gamma(p, nu), and nu ~ Gamma(q, v) across
    customers, so a customer's mean spend is p / nu. For a customer with x repeat purchases of
    mean value m_x the log-likelihood is

        lnGamma(p x + q) - lnGamma(p x) - lnGamma(q) + q ln v + (p x - 1) ln m_x + p x ln x
        - (p x + q) ln(x m_x + v).

    Only customers with at least one repeat purchase carry information; the others are left out
    of the fit with a :class:`~retention_kit.DataWarning` that says how many. The model assumes
    spend is independent of purchase frequency: check the correlation of ``frequency`` and
    ``monetary_value`` among repeat customers first. Spend has no time unit, so neither has the model.

    Parameters
    ----------
    penalizer : float, default 0

    Attributes
    ----------
    params_ : Series (p, q, v)
    standard_errors_ : Series
    log_likelihood_ : float
    n_customers_ : int
        Customers the fit used (those with a repeat purchase).

    Examples
    --------
    >>> from retention_kit.datasets import make_transactions
    >>> from retention_kit.summaries import rfm_summary
    >>> import warnings; warnings.simplefilter("ignore")
    >>> tx, truth = make_transactions(2000, random_state=0)
    >>> GammaGamma().fit(rfm_summary(tx)).params_.index.tolist()
    ['p', 'q', 'v']
    """

    _param_names = ("p", "q", "v")
    time_unit_ = None

    def fit(self, summary: pd.DataFrame, *, initial_params=None) -> "GammaGamma":
        """Fit to a summary with ``frequency`` and ``monetary_value`` (from :func:`rk.rfm_summary`).

        Parameters
        ----------
        summary : DataFrame, one row per customer
        initial_params : three positive numbers (p, q, v), optional

        Returns
        -------
        self

        Raises
        ------
        InputError
            For missing columns or values, negative frequencies, no repeat customer, or a
            non-positive ``monetary_value`` of a repeat customer.
        ConvergenceError
            When the estimate does not converge or is not determined by the data.
        """
        x, m = summary_arrays(summary, ["frequency", "monetary_value"])
        if (x < 0).any():
            raise InputError(f"frequency is negative for {int((x < 0).sum())} customer(s) (first: customer "
                             f"{first_bad(summary, x < 0)}); build the summary with rk.rfm_summary.")
        repeat = x > 0
        if not repeat.any():
            raise InputError("no customer has a repeat purchase (frequency > 0); Gamma-Gamma needs some.")
        bad = repeat & (m <= 0)
        if bad.any():
            raise InputError(f"monetary_value must be positive for customers with repeat purchases; "
                             f"{int(bad.sum())} are 0 or negative (first: customer {first_bad(summary, bad)}). "
                             f"Fix: remove free orders from the log or those customers from the summary.")
        x0 = self._start(initial_params)
        args = (_GGData(x[repeat], m[repeat]), self.penalizer)
        rows = self._warm_rows(int(repeat.sum()))
        warm = None if rows is None else (_GGData(x[repeat][rows], m[repeat][rows]), self.penalizer)
        result = self._maximize(_gg_nll, x0, args, "Gamma-Gamma", warm_args=warm, warm_curvature=False)
        n = int(repeat.sum())
        params = pd.Series(np.exp(result.x), index=list(self._param_names))
        errors = self._standard_errors(params, lambda z, *a: _gg_nll(z, *a)[1], result.x, args, n, "Gamma-Gamma")
        excluded = int((~repeat).sum())
        if excluded:
            warn_data(f"GammaGamma: {excluded} customer(s) with frequency 0 have no repeat purchase to average and "
                      f"were left out of the fit ({n} used).")
        self.params_, self.standard_errors_ = params, errors
        self.n_customers_ = n
        self.log_likelihood_ = float(-(result.fun - self.penalizer * np.sum(params.to_numpy() ** 2)) * n)
        self.iterations_ = int(result.nit)
        return self

    def expected_spend(self, summary: pd.DataFrame) -> pd.Series:
        """Expected value of a customer's future purchases: p (v + x m_x) / (p x + q - 1).

        A weighted average of the population mean p v / (q - 1) and the customer's own mean m_x,
        with weight p x / (p x + q - 1) on their own; x = 0 gives the population mean.

        Parameters
        ----------
        summary : DataFrame with ``frequency`` and ``monetary_value``

        Returns
        -------
        Series ``expected_spend`` indexed like ``summary``.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        InputError
            For missing values, or a fitted q at most 1 (an infinite population mean).
        """
        self._check_fitted()
        x, m = summary_arrays(summary, ["frequency", "monetary_value"])
        p, q, v = self.params_
        if q <= 1:
            raise InputError(f"the fitted q = {q:.3g} is at most 1, so the population mean spend is infinite; "
                             f"refit with a penalizer.")
        return pd.Series(p * (v + x * m) / (p * x + q - 1), index=summary.index, name="expected_spend")
