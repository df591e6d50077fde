"""The MBG/NBD model of repeat purchasing (Batislam, Denizel & Filiztekin 2007), fitted by maximum likelihood.

BG/NBD lets a customer drop out only after a repeat purchase, so a customer who never bought again
is certainly still active. MBG/NBD adds a drop-out chance right after the first purchase (time 0),
so such a customer may be gone too, and one who has been silent for long probably is.

References: Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of models for
customer base analysis", International Journal of Research in Marketing 24(3); Wagner & Hoppe (2008),
"Erratum on the MBG/NBD model", International Journal of Research in Marketing 25(3).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, expit, exprel, gammaln, hyp2f1

from ..results import MetricResult
from ..validation import plural
from .bgnbd import _BGData
from .purchases import PurchaseModel

__all__ = ["ModifiedBetaGeo"]


def _mbgnbd_nll(log_params, d: _BGData, penalizer):
    """Mean negative log-likelihood of MBG/NBD and its gradient in log-parameters.

    log L = A1 + A2 + A3 + log(1 + exp(A4)) with, for every x (0 included),
    A1 + A2 = log Gamma(r + x) - log Gamma(r) + r log(alpha) + log B(a, b + x + 1) - log B(a, b),
    A3 = -(r + x) log(alpha + T), A4 = log(a / (b + x)) + (r + x) log((alpha + T)/(alpha + t_x)).
    """
    r, alpha, a, b = params = np.exp(log_params)
    ux = d.X.values
    # terms that depend on x only, summed with the number of customers at each x
    A12 = gammaln(r + ux) - gammaln(r) + r * np.log(alpha) + gammaln(a + b) + gammaln(b + ux + 1) - gammaln(b) \
        - gammaln(a + b + ux + 1)
    g_r = digamma(r + ux) - digamma(r) + np.log(alpha)
    g_a = digamma(a + b) - digamma(a + b + ux + 1)
    g_b = g_a + digamma(b + ux + 1) - digamma(b)
    # per-row terms
    rx = r + d.x
    log_T, log_tx = np.log(alpha + d.TT.values)[d.TT.index], np.log(alpha + d.Tx.values)[d.Tx.index]
    bx = (b + ux)[d.X.index]
    A3 = -rx * log_T
    z = np.log(a) - np.log(bx) - rx * log_tx - A3
    ww4 = d.w * expit(z)                  # customers times the share of "dropped out after t_x" in their likelihood
    ll = d.x_weight @ A12 + d.w @ A3 + d.w @ np.logaddexp(0.0, z)
    inv_T, inv_tx = (1 / (alpha + d.TT.values))[d.TT.index], (1 / (alpha + d.Tx.values))[d.Tx.index]
    d_r = d.x_weight @ g_r - d.w @ log_T - ww4 @ (log_tx - log_T)
    d_alpha = d.total * r / alpha - (d.w * rx) @ inv_T - (ww4 * rx) @ (inv_tx - inv_T)
    d_a = d.x_weight @ g_a + ww4.sum() / a
    d_b = d.x_weight @ g_b - ww4 @ (1 / bx)
    grads = np.array([d_r, d_alpha, d_a, d_b]) / d.total
    value = -ll / d.total + penalizer * np.sum(params ** 2)
    return value, -(grads * params) + penalizer * 2 * params ** 2   # chain rule: d/dlog(p) = p d/dp


_NEAR_ONE = 1e-3      # within this of a = 1 the closed form cancels: interpolate across the removable singularity


def _series_form(log_keep, z, x, r, a, b):
    """(a + b + x)/(a - 1) [1 - (1 - z)^(a - 1) 2F1(a + b - r, a - 1; a + b + x; z)] by its power series, z <= 1/2.

    2F1(A, a - 1; C; z) = 1 + (a - 1) S with S = sum_k>=1 (A)_k (a)_(k-1) z^k / ((C)_k k!), so the factor
    a - 1 cancels exactly. NaN where the series does not settle or its terms cancel (A far below 0).
    """
    c = a + b + x
    term = (a + b - r) * z / c
    total, biggest = term.copy(), np.abs(term)
    for k in range(1, 1000):
        term = term * (a + b - r + k) * (a + k - 1) * z / ((c + k) * (k + 1))
        total += term
        biggest = np.maximum(biggest, np.abs(term))
        if not np.any(np.abs(term) > 1e-17 * np.abs(total)):
            break
    eps_log = (a - 1) * log_keep
    value = c * (-log_keep * exprel(eps_log) - np.exp(eps_log) * total)
    precise = (np.abs(term) <= 1e-17 * np.abs(total)) & (c * np.exp(eps_log) * biggest * 1e-16 < 1e-10 * value)
    return np.where(precise, value, np.nan)


def _closed_form(log_keep, z, x, r, a, b):
    """The same by scipy's 2F1, in the form whose 2F1 stays bounded as z -> 1 (its c - a - b > 0)."""
    euler = a - 1 <= r + x                    # Euler's form; else the original one, 1 - (1 - z)^(r + x) 2F1(...)
    power = np.where(euler, a - 1, r + x)
    f = np.empty(x.shape)
    f[euler] = hyp2f1(a + b - r, a - 1, a + b + x[euler], z[euler])
    f[~euler] = hyp2f1(r + x[~euler], b + x[~euler] + 1, a + b + x[~euler], z[~euler])
    return (a + b + x) / (a - 1) * (-np.expm1(power * log_keep) - np.exp(power * log_keep) * (f - 1))


def _by_integration(t, x, base, r, a, b):
    """The same by numerical integration over u = log p (the last resort, where scipy's 2F1 fails: z near 1 with
    parameters in the hundreds); E over lambda in closed form, E[exp(-lambda p t)] = (1 + p t/base)^-(r + x).
    Below u0 the integrand is R s p^a / B(a, bb) to a relative 1e-9, integrated exactly (a small a makes it long)."""
    import warnings

    from scipy.integrate import IntegrationWarning, quad
    out = np.empty(len(x))
    for i, (xi, bi) in enumerate(zip(x, base)):
        s, R, bb = t / bi, r + xi, b + xi + 1
        log_norm = betaln(a, bb)

        def integrand(u):             # (1 - (1 + p s)^-R) / p * Beta(a, bb) density * dp/du, p = exp(u)
            p = np.exp(u)
            return np.exp(np.log(-np.expm1(-R * np.log1p(p * s))) + (a - 1) * u + (bb - 1) * np.log1p(-p) - log_norm)
        u0 = np.log(1e-9 / max(R * s, bb))
        mean, sd = a / (a + bb), np.sqrt(a * bb / ((a + bb) ** 2 * (a + bb + 1)))
        knots = np.log([1 / (R * s), max(mean - 6 * sd, mean / 100), mean, min(mean + 6 * sd, (1 + mean) / 2)])
        knots = np.unique(np.clip(knots, u0, -1e-12))
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", IntegrationWarning)
            out[i] = np.exp(np.log(R * s) + a * u0 - np.log(a) - log_norm) + sum(
                quad(integrand, lo, hi, epsabs=0, epsrel=1e-11, limit=200)[0]
                for lo, hi in zip(np.append(u0, knots), np.append(knots, 0.0)) if hi > lo)
    return out


def _alive_purchases(t, x, base, r, a, b):
    """E[(1 - exp(-lambda p t)) / p] for lambda ~ Gamma(r + x, rate base), p ~ Beta(a, b + x + 1).

    The repeat purchases expected in (0, t] from an active customer (each purchase ends the activity
    with chance p): (a + b + x)/(a - 1) [1 - (base/(base + t))^(r + x) 2F1(r + x, b + x + 1; a + b + x; z)],
    z = t/(base + t). Euler's transformation turns the hypergeometric term into
    (1 - z)^(a - 1) 2F1(a + b - r, a - 1; a + b + x; z), whose parameters do not grow with x, so long
    histories neither overflow nor lose precision. The expectation is analytic in a > 0, and so is the
    closed form (a = 1 is removable), which therefore also holds for a < 1, where E[1/p] is infinite.
    Short horizons (z <= 1/2) are summed as a series free of the a - 1 cancellation; longer ones use
    scipy's 2F1, interpolated across a = 1. A value outside the bounds h(1) <= E[h(p)] <= h(0) of the
    decreasing h(p) = (1 - (1 + p t/base)^-(r + x)) / p is integrated numerically instead.
    """
    x = np.atleast_1d(np.asarray(x, dtype=float))
    x, base = np.broadcast_arrays(x, np.atleast_1d(np.asarray(base, dtype=float)))
    log_keep = -np.log1p(t / base)                                      # log(1 - z)
    z = -np.expm1(log_keep)
    out = np.full(x.shape, np.nan)
    with np.errstate(all="ignore"):
        short = np.flatnonzero(z <= 0.5)
        if len(short):
            out[short] = _series_form(log_keep[short], z[short], x[short], r, a, b)
        rest = np.flatnonzero(~np.isfinite(out))
        if len(rest):
            args = log_keep[rest], z[rest], x[rest], r
            if abs(a - 1) >= _NEAR_ONE:
                out[rest] = _closed_form(*args, a, b)
            else:                     # cubic through a = 1 +- h, 1 +- h/3, where the cancellation is mild
                nodes = 1 + _NEAR_ONE * np.array([-1, -1 / 3, 1 / 3, 1])
                out[rest] = sum(np.prod([(a - m) / (n - m) for m in nodes if m != n]) * _closed_form(*args, n, b)
                                for n in nodes)
        h_1, h_0 = -np.expm1(-(r + x) * np.log1p(t / base)), (r + x) * (t / base)   # h(p) at p = 1 and p -> 0
        failed = ~((out >= h_1 * (1 - 1e-9)) & (out <= h_0 * (1 + 1e-9)))
        if failed.any():
            pairs, where = np.unique(np.column_stack([x[failed], base[failed]]), axis=0, return_inverse=True)
            out[failed] = _by_integration(t, pairs[:, 0], pairs[:, 1], r, a, b)[where.ravel()]
    return out


class ModifiedBetaGeo(PurchaseModel):
    """The MBG/NBD model of repeat purchasing, fitted by maximum likelihood.

    While active, a customer buys at rate lambda ~ Gamma(r, alpha). Right after the first purchase
    (time 0) and after each repeat purchase they become inactive with probability p ~ Beta(a, b),
    so unlike BG/NBD a customer with no repeat purchase may be inactive too. The likelihood of a
    customer with ``frequency`` x, ``recency`` t_x and age ``T`` is, for every x including 0,

        L = B(a, b + x + 1) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + T)^(r + x))
            + B(a + 1, b + x) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + t_x)^(r + x)).

    Fitting, ``penalizer`` and the time unit work as in :class:`BetaGeo` (BFGS in log-parameters with
    the analytic gradient, on time rescaled so that the oldest customer has T = 1). The expectations
    hold for every a > 0: with a <= 1 (common in practice) E[1/p] is infinite, but the purchases
    expected in a finite horizon are not.

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
    >>> summary = rfm_summary(tx)
    >>> model = ModifiedBetaGeo().fit(summary)
    >>> list(model.params_.index), model.time_unit_
    (['r', 'alpha', 'a', 'b'], 'day')
    >>> never_again = summary[summary["frequency"] == 0]
    >>> bool((model.p_alive(never_again) < 1).all())     # BG/NBD would say 1: they cannot have dropped out
    True
    """

    _param_names = ("r", "alpha", "a", "b")
    _label = "MBG/NBD"

    def fit(self, summary: pd.DataFrame, *, time_unit: str | None = None, initial_params=None) -> "ModifiedBetaGeo":
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

        Examples
        --------
        >>> import retention_kit as rk
        >>> summary = rk.rfm_summary(rk.datasets.load_coffee_transactions(), observation_period_end="2026-01-01")
        >>> ModifiedBetaGeo().fit(summary).params_.round(3).tolist()
        [0.646, 16.327, 0.747, 4.518]
        """
        result, x, scale, _ = self._fit_summary(summary, time_unit, initial_params, _mbgnbd_nll, _BGData)
        # in the model's own unit: rescaling time by `scale` multiplies each customer's likelihood by scale^-x
        penalty = self.penalizer * np.sum(np.exp(result.x) ** 2)
        self.log_likelihood_ = float(-(result.fun - penalty) * len(x) + np.log(scale) * x.sum())
        return self

    # ---------------------------------------------------------------- predictions
    def _alive(self, x, tx, T):
        r, alpha, a, b = self.params_
        log_odds = np.log(a) - np.log(b + x) + (r + x) * np.log1p((T - tx) / (alpha + tx))   # P(inactive)/P(active)
        return expit(-log_odds)

    def _cumulative(self, t, x, T, alive):
        r, alpha, a, b = self.params_
        return alive * _alive_purchases(t, x, alpha + T, r, a, b)

    def p_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(still active | x, t_x, T) = 1 / (1 + a/(b + x) ((alpha + T)/(alpha + t_x))^(r + x)), for every x.

        Computed on the log-odds scale, so long histories (large x, long silences) give 0 or 1, never
        an overflow.

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
        """Expected repeat purchases in the next ``horizon``, given each customer's history (Wagner & Hoppe 2008).

        E[Y(t) | x, t_x, T] = (a + b + x)/(a - 1) [1 - ((alpha + T)/(alpha + T + t))^(r + x)
        2F1(r + x, b + x + 1; a + b + x; t/(alpha + T + t))] * P(alive | x, t_x, T),

        evaluated through Euler's transformation of the 2F1 (stable for large x) and for every a > 0.

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

        Examples
        --------
        >>> import retention_kit as rk
        >>> summary = rk.rfm_summary(rk.datasets.load_coffee_transactions(), observation_period_end="2026-01-01")
        >>> model = ModifiedBetaGeo().fit(summary)
        >>> round(float(model.expected_purchases(summary, horizon=1, time_unit="month").sum()))
        1290
        """
        return self._expected_series(summary, horizon, time_unit)

    def expected_purchases_new_customer(self, *, horizon: float, time_unit: str | None = None) -> MetricResult:
        """Expected repeat purchases in (0, horizon] of a customer who has just made a first purchase.

        E[X(t)] = b/(a - 1) [1 - (alpha/(alpha + t))^r 2F1(r, b + 1; a + b; t/(alpha + t))]
        (evaluated through Euler's transformation, for every a > 0).

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

        Examples
        --------
        >>> import retention_kit as rk
        >>> summary = rk.rfm_summary(rk.datasets.load_coffee_transactions(), observation_period_end="2026-01-01")
        >>> model = ModifiedBetaGeo().fit(summary)
        >>> round(model.expected_purchases_new_customer(horizon=1, time_unit="year").value, 2)
        5.86
        """
        self._check_fitted()
        t = self._horizon(horizon, time_unit)
        r, alpha, a, b = self.params_
        value = b / (a + b) * _alive_purchases(t, 0.0, alpha, r, a, b)[0] # P(not gone at time 0) * E[... | active]
        return MetricResult(kind="expected_purchases", name=f"Expected repeat purchases of a new customer in {t:g} "
                                                            f"{plural(self.time_unit_)}", value=float(value), unit="",
                            formula="b/(a - 1) [1 - (alpha/(alpha + t))^r 2F1(r, b + 1; a + b; t/(alpha + t))]",
                            parts=dict(t=t))
