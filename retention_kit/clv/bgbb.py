"""The BG/BB model of repeat transactions at discrete occasions (an annual donation drive, a yearly event).

After a first transaction (occasion 0) a customer is observed at occasions 1..n. While active, they transact at
each occasion with probability p ~ Beta(alpha, beta); at the beginning of each occasion an active customer becomes
inactive for good with probability theta ~ Beta(gamma, delta), so P(active at occasion t) = (1 - theta)^t.
Occasions are the model's unit: there is no calendar length to convert, so ``time_unit_`` is None and every
horizon is a whole number of occasions (``occasions=``, ``periods=``).

Reference: Fader, Hardie & Shang (2010), Marketing Science 29(6), 1086-1108.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, gammaln

from ..results import MetricResult
from ..validation import InputError, Integer, check, label, require_columns, require_frame
from .fitting import Fitter, NotFittedError

__all__ = ["BetaGeoBetaBinom", "bgbb_summary"]

_COLUMNS = ["frequency", "recency", "n_periods"]
_HINT = ("pass x, t_x and n per customer (or per pattern, with weights) as lifetimes' BetaGeoBetaBinomFitter takes "
         "them (load_donations calls n 'periods': rename it to 'n_periods'), or build them with bgbb_summary")


class _Patterns:
    """Distinct histories (x, t_x, n) with their weights, and the distinct (x, n) pairs whose sums over drop-out
    occasions m = t_x..n-1 are accumulated from m = n - 1 downwards (one pass serves every t_x)."""

    def __init__(self, x, tx, n, w):
        keys = np.column_stack([x, tx, n]).astype(np.int64)
        unique, inverse = np.unique(keys, axis=0, return_inverse=True)
        self.inverse = inverse.ravel()
        self.w = np.bincount(self.inverse, weights=w)
        self.total = float(self.w.sum())
        self.x, self.tx, self.n = (unique[:, k].astype(float) for k in range(3))
        pairs, pair = np.unique(unique[:, [0, 2]], axis=0, return_inverse=True)
        self.pair = pair.ravel()
        self.px, self.pn = pairs[:, 0].astype(float), pairs[:, 1].astype(float)
        self.reads = [np.flatnonzero((self.tx == m) & (self.tx < self.n)) for m in range(int(self.n.max()))]


def _log_likelihood(log_params, d: _Patterns):
    """log L of each pattern (Fader, Hardie & Shang 2010, eq. 5) and its gradient (4 x patterns) in the parameters.
    Every sum is taken in logs, so hundreds of occasions neither overflow nor underflow."""
    alpha, beta, gamma, delta = np.exp(log_params)
    const = betaln(alpha, beta) + betaln(gamma, delta)
    alive = betaln(alpha + d.x, beta + d.n - d.x) + betaln(gamma, delta + d.n)       # active through occasion n
    dead, g_dead = np.full(len(d.x), -np.inf), np.zeros((4, len(d.x)))   # inactive from occasion m + 1, m >= t_x
    acc, g_acc = np.full(len(d.px), -np.inf), np.zeros((4, len(d.px)))
    dig_ax = digamma(alpha + d.px)
    for m in range(len(d.reads) - 1, -1, -1):
        on = np.flatnonzero((d.px <= m) & (m < d.pn))
        if len(on):
            term = betaln(alpha + d.px[on], beta + m - d.px[on]) + betaln(gamma + 1, delta + m)
            total = np.logaddexp(acc[on], term)
            keep, new = np.exp(acc[on] - total), np.exp(term - total)     # running weighted mean of the gradients
            dig_abm, dig_gd1m = digamma(alpha + beta + m), digamma(gamma + delta + 1 + m)
            g_term = np.array([dig_ax[on] - dig_abm, digamma(beta + m - d.px[on]) - dig_abm,
                               np.full(len(on), digamma(gamma + 1) - dig_gd1m),
                               np.full(len(on), digamma(delta + m) - dig_gd1m)])
            g_acc[:, on], acc[on] = keep * g_acc[:, on] + new * g_term, total
        read = d.reads[m]
        dead[read], g_dead[:, read] = acc[d.pair[read]], g_acc[:, d.pair[read]]
    log_l = np.logaddexp(alive, dead)
    share = np.exp(alive - log_l)
    dig_abn, dig_gdn = digamma(alpha + beta + d.n), digamma(gamma + delta + d.n)
    g_alive = np.array([digamma(alpha + d.x) - dig_abn, digamma(beta + d.n - d.x) - dig_abn,
                        digamma(gamma) - dig_gdn, digamma(delta + d.n) - dig_gdn])
    base = np.array([digamma(alpha) - digamma(alpha + beta), digamma(beta) - digamma(alpha + beta),
                     digamma(gamma) - digamma(gamma + delta), digamma(delta) - digamma(gamma + delta)])
    return log_l - const, share * g_alive + (1 - share) * g_dead - base[:, None]


def _bgbb_nll(log_params, d: _Patterns, penalizer):
    """Mean negative log-likelihood of BG/BB over customers and its gradient in log-parameters."""
    log_l, grad = _log_likelihood(log_params, d)
    params = np.exp(log_params)
    value = -(d.w @ log_l) / d.total + penalizer * np.sum(params ** 2)
    return value, -(grad @ d.w) / d.total * params + penalizer * 2 * params ** 2   # d/dlog(p) = p d/dp


def _whole(summary, col, low=0):
    """A column as whole numbers of at least ``low``; an InputError names the column, value, row and fix."""
    values = pd.to_numeric(summary[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values) | (values < low) | (values != np.round(values))
    if bad.any():
        i = np.flatnonzero(bad)[0]
        raise InputError(f"column {col!r} has {label(summary[col].iloc[i])} at row {label(summary.index[i])} "
                         f"({int(bad.sum())} such row(s)); it must hold whole numbers of at least {low}. Fix: correct "
                         f"or remove those rows; {_HINT}.")
    return values


def _histories(summary, weights: bool = False):
    """x, t_x, n (and the weights, 1 without a weights column) of a summary, checked against each other."""
    require_frame(summary, "summary")
    require_columns(summary, _COLUMNS, "summary", _HINT)
    x, tx, n = (_whole(summary, col) for col in _COLUMNS)
    rules = [(tx > n, "recency", "above n_periods", "recency is the occasion of the last transaction, 1..n_periods"),
             (x > tx, "frequency", "above recency", "x transactions need at least x occasions, so x <= t_x"),
             ((x == 0) != (tx == 0), "recency", "inconsistent with frequency",
              "recency is 0 exactly when frequency is 0 (no repeat transaction)")]
    for mask, col, what, fix in rules:
        if mask.any():
            i = np.flatnonzero(mask)[0]
            raise InputError(f"column {col!r} has {label(summary[col].iloc[i])} at row {label(summary.index[i])}, "
                             f"{what} (frequency={x[i]:g}, recency={tx[i]:g}, n_periods={n[i]:g}; {int(mask.sum())} "
                             f"such row(s)). Fix: {fix}.")
    w = _whole(summary, "weights", low=1) if weights and "weights" in summary.columns else np.ones(len(x))
    return x, tx, n, w


def _future(gamma, delta, n_values, occasions):
    """log sum_{k=1}^{K} B(gamma, delta + n + k) / B(gamma, delta) for K = 1..occasions, one row per n."""
    terms = betaln(gamma, delta + n_values[:, None] + np.arange(1, occasions + 1)) - betaln(gamma, delta)
    return np.logaddexp.accumulate(terms, axis=1)


class BetaGeoBetaBinom(Fitter):
    """The BG/BB model of repeat transactions at discrete occasions, fitted by maximum likelihood.

    While active a customer transacts at each occasion with probability p ~ Beta(alpha, beta); at the beginning
    of each occasion an active customer becomes inactive for good with probability theta ~ Beta(gamma, delta).
    A customer with x repeat transactions in n occasions, the last at occasion t_x, has likelihood
    (Fader, Hardie & Shang 2010, eq. 5)

        L = B(alpha + x, beta + n - x)/B(alpha, beta) B(gamma, delta + n)/B(gamma, delta)
            + sum_{i=0}^{n-t_x-1} B(alpha + x, beta + t_x - x + i)/B(alpha, beta)
                                  B(gamma + 1, delta + t_x + i)/B(gamma, delta).

    Estimated in log-parameters by BFGS with the analytic gradient, every sum in logs (hundreds of occasions are
    fine); ``penalizer`` adds ``penalizer * sum(params**2)`` to the mean negative log-likelihood, as lifetimes does.
    Occasions are the unit: ``time_unit_`` is None, horizons are whole numbers of occasions.

    Parameters
    ----------
    penalizer : float, default 0

    Attributes
    ----------
    params_ : Series (alpha, beta, gamma, delta)
    standard_errors_ : Series
    log_likelihood_ : float
    n_customers_ : int, the total weight
    time_unit_ : None
    iterations_ : int

    Examples
    --------
    The 11,104 first-time donors of 1995 of Fader, Hardie & Shang (2010), over 6 annual drives:

    >>> patterns = [(0, 0)] + [(x, t) for x in range(1, 7) for t in range(x, 7)]       # (frequency, recency)
    >>> donors = pd.DataFrame(patterns, columns=["frequency", "recency"]).assign(n_periods=6, weights=[3464, 1091,
    ...     277, 129, 78, 119, 129, 613, 255, 155, 173, 234, 322, 181, 225, 357, 240, 284, 512, 335, 728, 1203])
    >>> model = BetaGeoBetaBinom().fit(donors)
    >>> model.params_.round(3).tolist(), round(model.log_likelihood_, 1)
    ([1.204, 0.75, 0.657, 2.783], -33225.6)
    >>> round(float(model.expected_purchases_new_customer(occasions=6)), 2)   # per donor; observed: 2.22
    2.22
    """

    _param_names = ("alpha", "beta", "gamma", "delta")
    _advice = "starting values (initial_params=(1, 1, 1, 1) is the default; try others); "

    def _check_fitted(self):
        if not hasattr(self, "params_"):
            raise NotFittedError("this BetaGeoBetaBinom is not fitted yet; call .fit(summary) first, with columns "
                                 "frequency, recency and n_periods (see rk.clv.bgbb_summary).")

    def __repr__(self) -> str:   # the base's, with the unit: "...; fitted on 11,104 customers, time in occasions, ..."
        return super().__repr__().replace(" customers, log-likelihood", " customers, time in occasions, log-likelihood")

    def fit(self, summary: pd.DataFrame, *, initial_params=None) -> "BetaGeoBetaBinom":
        """Fit to a table of histories with columns ``frequency``, ``recency``, ``n_periods`` and optional ``weights``.

        Parameters
        ----------
        summary : DataFrame, one row per customer or per pattern
            ``frequency`` x (repeat transactions in n occasions), ``recency`` t_x (the occasion of the last one,
            0 if none), ``n_periods`` n (occasions observed) and ``weights`` (customers with that pattern; 1 each
            without the column), whole numbers with 0 <= x <= t_x <= n and x = 0 exactly when t_x = 0.
        initial_params : four positive numbers (alpha, beta, gamma, delta), optional (default 1 each)

        Returns
        -------
        self

        Raises
        ------
        InputError
            For missing columns, values that are not whole numbers, impossible histories (recency above n_periods,
            frequency above recency, recency 0 with frequency above 0), weights below 1, or every n_periods 0.
        ConvergenceError
            When the estimate does not converge, runs off, or is not determined by the data.
        """
        x, tx, n, w = _histories(summary, weights=True)
        if n.max() == 0:
            raise InputError("every row has n_periods = 0: no occasion was observed after the first transaction, so "
                             "there is nothing to fit. Fix: include customers observed for at least one occasion.")
        d = _Patterns(x, tx, n, w)
        args = (d, self.penalizer)
        result = self._maximize(_bgbb_nll, self._start((1.0,) * 4 if initial_params is None else initial_params), args,
                                "BG/BB")
        params = pd.Series(np.exp(result.x), index=list(self._param_names))
        self.standard_errors_ = self._standard_errors(params, lambda z, *a: _bgbb_nll(z, *a)[1], result.x, args,
                                                      d.total, "BG/BB")
        self.params_, self.n_customers_, self.time_unit_, self.iterations_ = params, int(d.total), None, result.nit
        self.log_likelihood_ = float(d.w @ _log_likelihood(result.x, d)[0])
        return self

    def _rows(self, summary):
        """x, t_x, n and log L of each row of a summary."""
        self._check_fitted()
        x, tx, n, _ = _histories(summary)
        d = _Patterns(x, tx, n, np.ones(len(x)))
        return x, tx, n, _log_likelihood(np.log(self.params_.to_numpy()), d)[0][d.inverse]

    def _path(self, summary, occasions):
        """E[transactions in occasions n+1..n+k | x, t_x, n] for k = 1..occasions (rows x occasions)."""
        x, tx, n, log_l = self._rows(summary)
        alpha, beta, gamma, delta = self.params_
        n_values, at = np.unique(n, return_inverse=True)
        future = _future(gamma, delta, n_values, occasions)[at.ravel()]
        return np.exp(betaln(alpha + x + 1, beta + n - x) - betaln(alpha, beta) - log_l)[:, None] * np.exp(future)

    def p_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(active at occasion n + 1 | x, t_x, n): the chance a customer is still active at the next occasion (eq. 11).

        P = B(alpha + x, beta + n - x)/B(alpha, beta) B(gamma, delta + n + 1)/B(gamma, delta) / L(x, t_x, n).

        Parameters
        ----------
        summary : DataFrame with ``frequency``, ``recency``, ``n_periods``

        Returns
        -------
        Series ``p_alive`` indexed like ``summary``.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        InputError
            For missing columns or impossible histories.
        """
        x, tx, n, log_l = self._rows(summary)
        alpha, beta, gamma, delta = self.params_
        log_p = (betaln(alpha + x, beta + n - x) - betaln(alpha, beta) + betaln(gamma, delta + n + 1)
                 - betaln(gamma, delta) - log_l)
        return pd.Series(np.exp(log_p), index=summary.index, name="p_alive")

    def expected_purchases(self, summary: pd.DataFrame, *, occasions: int) -> pd.Series:
        """Expected transactions in the next ``occasions`` occasions (n + 1..n + n*), given each history (eq. 13).

        E[X(n, n + n*) | x, t_x, n] = B(alpha + x + 1, beta + n - x)/B(alpha, beta) / L(x, t_x, n)
        sum_{k=1}^{n*} B(gamma, delta + n + k)/B(gamma, delta): the paper's closed form (which divides by
        gamma - 1) before the sum is taken, so it holds at gamma = 1 too.

        Parameters
        ----------
        summary : DataFrame with ``frequency``, ``recency``, ``n_periods``
        occasions : int, n*, 0 or more

        Returns
        -------
        Series ``expected_purchases`` indexed like ``summary``.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        InputError
            For occasions that are not a whole number of at least 0, or impossible histories.
        """
        occasions = check("occasions", occasions, Integer(low=0, hint="Occasions are counted: 10 for ten drives."))
        return pd.Series(self._path(summary, max(occasions, 1))[:, -1] * (occasions > 0), index=summary.index,
                         name="expected_purchases")

    def purchase_path(self, summary: pd.DataFrame, *, periods: int) -> pd.DataFrame:
        """Cumulative expected transactions over the next 1, 2, ..., ``periods`` occasions, given each history.

        Column k is :meth:`expected_purchases` with ``occasions=k``; differences are per-occasion expectations.

        Parameters
        ----------
        summary : DataFrame with ``frequency``, ``recency``, ``n_periods``
        periods : int, at least 1, in occasions

        Returns
        -------
        DataFrame indexed like ``summary``, columns 1..periods.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        InputError
            For periods that are not a whole number of at least 1, or impossible histories.
        """
        periods = check("periods", periods, Integer(low=1, hint="Periods are occasions: 10 for ten drives."))
        return pd.DataFrame(self._path(summary, periods), index=summary.index,
                            columns=pd.RangeIndex(1, periods + 1, name="period"))

    def expected_purchases_new_customer(self, *, occasions: int) -> MetricResult:
        """Expected transactions at occasions 1..n of a customer just acquired at occasion 0 (eq. 7).

        E[X(n)] = alpha/(alpha + beta) sum_{t=1}^{n} B(gamma, delta + t)/B(gamma, delta)
        = alpha/(alpha + beta) delta/(gamma - 1) [1 - Gamma(gamma + delta) Gamma(1 + delta + n)
        / (Gamma(gamma + delta + n) Gamma(1 + delta))].

        Parameters
        ----------
        occasions : int, n, 0 or more

        Returns
        -------
        MetricResult (kind ``"expected_purchases"``).

        Raises
        ------
        NotFittedError
            Before ``fit``.
        InputError
            For occasions that are not a whole number of at least 0.
        """
        self._check_fitted()
        n = check("occasions", occasions, Integer(low=0, hint="Occasions are counted: 6 for six drives."))
        alpha, beta, gamma, delta = self.params_
        value = alpha / (alpha + beta) * float(np.exp(_future(gamma, delta, np.zeros(1), n)[0, -1])) if n else 0.0
        return MetricResult(kind="expected_purchases", name=f"Expected transactions of a new customer in {n} "
                            f"occasion(s)", value=value, unit="", parts=dict(occasions=n),
                            formula="alpha/(alpha + beta) sum_{t=1}^{n} B(gamma, delta + t)/B(gamma, delta)")

    def purchase_count_probabilities(self, *, occasions: int) -> pd.Series:
        """P(X(n) = x), x = 0..n: the chance a customer just acquired transacts at x of the next n occasions (eq. 8).

        P(X(n) = x) = C(n, x) B(alpha + x, beta + n - x)/B(alpha, beta) B(gamma, delta + n)/B(gamma, delta)
        + sum_{i=x}^{n-1} C(i, x) B(alpha + x, beta + i - x)/B(alpha, beta) B(gamma + 1, delta + i)/B(gamma, delta).
        Times a cohort's size: the customers expected at each x, to lay over the observed counts.

        Parameters
        ----------
        occasions : int, n, 0 or more

        Returns
        -------
        Series ``probability`` indexed by x = 0..n; it sums to 1.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        InputError
            For occasions that are not a whole number of at least 0.
        """
        self._check_fitted()
        n = check("occasions", occasions, Integer(low=0, hint="Occasions are counted: 6 for six drives."))
        alpha, beta, gamma, delta = self.params_
        x = np.arange(n + 1, dtype=float)     # log C(i, x) B(alpha + x, beta + i - x) below, i = n then i < n
        log_p = gammaln(n + 1) - gammaln(x + 1) - gammaln(n - x + 1) + betaln(alpha + x, beta + n - x) \
            + betaln(gamma, delta + n)
        for i in range(n):                      # inactive from occasion i + 1: x of the first i occasions
            xi = x[:i + 1]
            term = (gammaln(i + 1) - gammaln(xi + 1) - gammaln(i - xi + 1) + betaln(alpha + xi, beta + i - xi)
                    + betaln(gamma + 1, delta + i))
            log_p[:i + 1] = np.logaddexp(log_p[:i + 1], term)
        log_p -= betaln(alpha, beta) + betaln(gamma, delta)
        return pd.Series(np.exp(log_p), index=pd.RangeIndex(n + 1, name="x"), name="probability")


def bgbb_summary(occasions_frame: pd.DataFrame) -> pd.DataFrame:
    """The BG/BB summary (frequency, recency, n_periods, weights) of a per-customer table of 0/1 occasions.

    Rows are customers, columns the occasions after the first transaction, in order (1 = transacted); a customer
    observed for fewer occasions (acquired later) has missing values after the last one observed. x counts the 1s,
    t_x is the position of the last 1 (0 if none), n the occasions observed; ``weights`` counts the customers of
    each (x, t_x, n).

    Parameters
    ----------
    occasions_frame : DataFrame of 0/1 (or True/False), one row per customer, one column per occasion

    Returns
    -------
    DataFrame with ``frequency``, ``recency``, ``n_periods`` and ``weights``, for :meth:`BetaGeoBetaBinom.fit`.

    Raises
    ------
    InputError
        For values other than 0/1, or an observed occasion after a missing one.

    Examples
    --------
    >>> drives = pd.DataFrame({"1996": [1, 1, 0, 0], "1997": [0, 1, 1, 0], "1998": [1, 1, None, 0]})
    >>> bgbb_summary(drives)          # the third donor was acquired a year later: observed at 2 occasions
       frequency  recency  n_periods  weights
    0          0        0          3        1
    1          1        2          2        1
    2          2        3          3        1
    3          3        3          3        1
    """
    require_frame(occasions_frame, "occasions_frame")
    values = occasions_frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    seen, n = ~np.isnan(values), (~np.isnan(values)).sum(axis=1)     # observed occasions come first
    not_01 = (seen & ~np.isin(values, [0, 1])) | (~seen & ~occasions_frame.isna().to_numpy())
    after_gap = seen & (np.arange(values.shape[1]) >= n[:, None])
    for bad, what in ((not_01, "; occasions must be 1 (transacted) or 0 (did not)"),
                      (after_gap, ", an observed occasion after a missing one")):
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise InputError(f"column {label(occasions_frame.columns[c])} has {label(occasions_frame.iat[r, c])} at "
                             f"row {label(occasions_frame.index[r])}{what}. Fix: write 1 or 0 for every observed "
                             f"occasion; leave missing only those after a customer's observation ends.")
    ones = np.nan_to_num(values) == 1
    tx = np.where(ones.any(axis=1), values.shape[1] - np.argmax(ones[:, ::-1], axis=1), 0)
    return pd.DataFrame({"frequency": ones.sum(axis=1), "recency": tx, "n_periods": n}).groupby(
        _COLUMNS).size().rename("weights").reset_index()
