"""Customer lifetime value: closed-form formulas and the BG/NBD + Gamma-Gamma models.

Taught in ``notebooks/07_customer_lifetime_value.ipynb``.

* :func:`formula_clv`: the closed forms of a constant-retention customer;
* :class:`BetaGeo`: the BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005), fitted
  by maximum likelihood with analytic gradients;
* :class:`GammaGamma`: the Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005,
  "RFM and CLV: using iso-value curves"), also with analytic gradients;
* :func:`customer_lifetime_value`: discounted expected margin over a horizon.

Both fitters follow scikit-learn / lifelines: ``fit`` returns ``self``; fitted values end in an
underscore (``params_``, ``log_likelihood_``, ``standard_errors_``); using a model before
``fit`` raises :class:`NotFittedError`.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import digamma, expit, gammaln, hyp2f1

from .results import MetricResult
from .validation import InputError, _label, require_columns, require_frame

__all__ = ["formula_clv", "historical_clv", "BetaGeo", "GammaGamma", "customer_lifetime_value", "holdout_check",
           "NotFittedError", "ConvergenceError", "FORMULA_CLV_TIMING"]


class NotFittedError(RuntimeError):
    """A model was used before ``fit``."""


class ConvergenceError(RuntimeError):
    """Maximum likelihood did not converge; the message says what to try."""


# ------------------------------------------------------------------------------- formula CLV
FORMULA_CLV_TIMING = {
    "end": "m * r / (1 + d - r)   (first margin one period from now)",
    "start": "m * (1 + d) / (1 + d - r)   (first margin now, at t = 0)",
    "undiscounted": "m / (1 - r)   (no discounting, first margin now)",
}


def formula_clv(margin: float, retention: float, discount_rate: float = 0.0, *, timing: str = "end") -> MetricResult:
    """Lifetime value of a customer who brings ``margin`` per period and stays with probability ``retention``.

    Sums m r^t / (1 + d)^t over periods as a geometric series; the closed form depends on when
    the first margin arrives (``FORMULA_CLV_TIMING``):

    * ``"end"``: m r / (1 + d - r), the first margin after one period (the customer must be
      retained to pay it);
    * ``"start"``: m (1 + d) / (1 + d - r), the first margin now;
    * ``"undiscounted"``: m / (1 - r), the first margin now and d ignored.

    m = average order value x purchase frequency x gross margin, per period.

    Example
    -------
    >>> [round(formula_clv(100, 0.8, 0.1, timing=t).value, 1) for t in ("end", "start", "undiscounted")]
    [266.7, 366.7, 500.0]
    """
    if timing not in FORMULA_CLV_TIMING:
        raise InputError(f"timing={timing!r} is not known; choose one of {list(FORMULA_CLV_TIMING)}.")
    if not 0 <= retention < 1:
        raise InputError(f"retention={retention!r} must be a fraction in [0, 1) (80% is 0.8); at 1 the value is infinite.")
    if discount_rate < 0:
        raise InputError(f"discount_rate={discount_rate!r} must not be negative (10% is 0.1).")
    m, r, d = float(margin), float(retention), float(discount_rate)
    value = {"end": m * r / (1 + d - r), "start": m * (1 + d) / (1 + d - r), "undiscounted": m / (1 - r)}[timing]
    return MetricResult(name="Customer lifetime value (formula)", value=value, unit="currency",
                        formula=FORMULA_CLV_TIMING[timing],
                        parts=dict(margin_per_period=m, retention=r, discount_rate=d,
                                   expected_periods=1 / (1 - r)))


# ------------------------------------------------------------------------------- shared fitting
def _summary_arrays(summary, columns, name="summary"):
    require_frame(summary, name)
    require_columns(summary, columns, name, "pass a table from rk.rfm_summary")
    out = []
    for col in columns:
        values = pd.to_numeric(summary[col], errors="coerce")
        bad = summary.index[values.isna().to_numpy() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))]
        if len(bad):
            raise InputError(f"column {col!r} has missing or non-numeric values (first at customer {_label(bad[0])}); "
                             f"fix or remove those customers explicitly.")
        out.append(values.to_numpy(dtype=float))
    return out


def _first_bad(summary, mask) -> str:
    return _label(summary.index[np.flatnonzero(mask)[0]])


def _maximize(neg_ll_and_grad, x0, args, name, penalizer):
    """Minimise a mean negative log-likelihood in log-parameters; raise with advice if it fails."""
    with np.errstate(all="ignore"):
        result = minimize(neg_ll_and_grad, x0, args=args, jac=True, method="BFGS",
                          options={"gtol": 1e-8, "maxiter": 2000})
    advice = (f"Try: a small penalty (penalizer=0.001, then larger; now {penalizer}); a coarser time unit "
              f"(weeks instead of days: rfm_summary(..., time_unit='W')); or check that the summary holds repeat "
              f"purchases of many customers.")
    grad_ok = np.all(np.isfinite(result.jac)) and np.max(np.abs(result.jac)) < 1e-4
    if not (np.all(np.isfinite(result.x)) and np.isfinite(result.fun)) or not (result.success or grad_ok):
        raise ConvergenceError(f"{name} did not converge ({result.message}). {advice}")
    runaway = np.abs(result.x) > np.log(1e6)
    if runaway.any():
        raise ConvergenceError(f"{name} did not converge: a parameter ran off to "
                               f"{np.exp(result.x[runaway][0]):.3g} (the data cannot pin it down). {advice}")
    return result


def _hessian(grad, x, args, step=1e-5):
    """Hessian of a function by central differences of its analytic gradient."""
    k = len(x)
    h = np.zeros((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = step
        h[:, i] = (grad(x + e, *args) - grad(x - e, *args)) / (2 * step)
    return (h + h.T) / 2


def _standard_errors(params, grad, x, args, n_total):
    """Delta-method standard errors of exp(x) from the Hessian of the total negative log-likelihood."""
    try:
        cov_log = np.linalg.inv(_hessian(grad, x, args) * n_total)
        return pd.Series(params.to_numpy() * np.sqrt(np.clip(np.diag(cov_log), 0, None)), index=params.index)
    except np.linalg.LinAlgError:
        return pd.Series(np.nan, index=params.index)


class _Fitter:
    _param_names: tuple[str, ...] = ()

    def __init__(self, penalizer: float = 0.0):
        if penalizer < 0:
            raise InputError(f"penalizer={penalizer!r} must be zero or positive, for example 0.001.")
        self.penalizer = float(penalizer)

    def _check_fitted(self):
        if not hasattr(self, "params_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call .fit(summary) first, with a "
                                 f"table from rk.rfm_summary.")

    def __repr__(self) -> str:
        if not hasattr(self, "params_"):
            return f"{type(self).__name__}(penalizer={self.penalizer}) (not fitted)"
        params = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return (f"{type(self).__name__}({params}; fitted on {self.n_customers_:,} customers, "
                f"log-likelihood {self.log_likelihood_:,.2f})")

    def summary_table(self) -> pd.DataFrame:
        """Fitted parameters with standard errors and 95% intervals (normal approximation)."""
        self._check_fitted()
        se = self.standard_errors_
        return pd.DataFrame({"estimate": self.params_, "standard error": se,
                             "95% low": self.params_ - 1.96 * se, "95% high": self.params_ + 1.96 * se})


# ------------------------------------------------------------------------------- BG/NBD
def _bgnbd_ll(log_params, x, tx, T):
    """Log-likelihood of each customer under BG/NBD (plain form, used for reporting and prediction checks)."""
    r, alpha, a, b = np.exp(log_params)
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    A3 = -(r + x) * np.log(alpha + T)
    A4 = np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * np.log(alpha + tx)
    return A1 + A2 + A3 + np.where(x > 0, np.logaddexp(0.0, A4 - A3), 0.0)


class _Distinct:
    """A column as its distinct values and, for each row, the position of its value."""

    def __init__(self, values):
        self.values, self.index = np.unique(values, return_inverse=True)


class _BGData:
    """What the BG/NBD likelihood needs, arranged so special functions run on distinct values only.

    gammaln and digamma depend on the customer only through x (a few hundred distinct values);
    the logs depend on T and t_x (distinct days). Rows are weighted by how often they occur.
    """

    def __init__(self, x, tx, T):
        codes = [pd.factorize(col)[0].astype(np.int64) for col in (x, tx, T)]
        key = (codes[0] * (codes[1].max() + 1) + codes[1]) * (codes[2].max() + 1) + codes[2]
        _, first, counts = np.unique(key, return_index=True, return_counts=True)
        x, tx, T = x[first], tx[first], T[first]
        self.w = counts.astype(float)
        self.total = self.w.sum()
        self.X, self.Tx, self.TT = _Distinct(x), _Distinct(tx), _Distinct(T)
        self.x = x
        self.repeat = x > 0
        self.x_weight = np.bincount(self.X.index, weights=self.w)       # customers per distinct x
        self.repeat_w = self.w * self.repeat


def _bgnbd_nll(log_params, d: _BGData, penalizer):
    """Mean negative log-likelihood of BG/NBD and its gradient in log-parameters."""
    r, alpha, a, b = params = np.exp(log_params)
    ux = d.X.values
    # terms that depend on x only, summed with the number of customers at each x
    A12 = gammaln(r + ux) - gammaln(r) + r * np.log(alpha) + gammaln(a + b) + gammaln(b + ux) - gammaln(b) \
        - gammaln(a + b + ux)
    dig_abx = digamma(a + b + ux)
    g_r = digamma(r + ux) - digamma(r) + np.log(alpha)
    g_a = digamma(a + b) - dig_abx
    g_b = g_a + digamma(b + ux) - digamma(b)
    # per-row terms
    rx = r + d.x
    log_T, log_tx = np.log(alpha + d.TT.values)[d.TT.index], np.log(alpha + d.Tx.values)[d.Tx.index]
    bx1 = (b + np.maximum(ux, 1) - 1)[d.X.index]
    A3 = -rx * log_T
    z = np.log(a) - np.log(bx1) - rx * log_tx - A3
    w4 = d.repeat * expit(z)                      # share of the likelihood from "dropped out after t_x"
    ll = d.x_weight @ A12 + d.w @ A3 + d.repeat_w @ np.logaddexp(0.0, z)
    inv_T, inv_tx = 1 / (alpha + d.TT.values), 1 / (alpha + d.Tx.values)
    ww4 = d.w * w4
    d_r = d.x_weight @ g_r - d.w @ log_T - ww4 @ (log_tx - log_T)
    d_alpha = d.total * r / alpha - (d.w * rx) @ inv_T[d.TT.index] - (ww4 * rx) @ (inv_tx[d.Tx.index] - inv_T[d.TT.index])
    d_a = d.x_weight @ g_a + ww4.sum() / a
    d_b = d.x_weight @ g_b - ww4 @ (1 / bx1)
    grads = np.array([d_r, d_alpha, d_a, d_b]) / d.total
    value = -ll / d.total + penalizer * np.sum(params ** 2)
    return value, -(grads * params) + penalizer * 2 * params ** 2   # chain rule: d/dlog(p) = p d/dp


class BetaGeo(_Fitter):
    """The BG/NBD model of repeat purchasing, fitted by maximum likelihood.

    While active, a customer buys at rate lambda ~ Gamma(r, alpha); after each repeat purchase
    they become inactive with probability p ~ Beta(a, b). The likelihood of a customer with
    ``frequency`` x, ``recency`` t_x and age ``T`` is (Fader, Hardie & Lee 2005, eq. 6)

        L = B(a, b + x) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + T)^(r + x))
            + [x > 0] B(a + 1, b + x - 1) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + t_x)^(r + x)).

    Parameters are estimated in log space by BFGS with the analytic gradient, on time rescaled
    so that the oldest customer has T = 1 (``alpha`` is reported in the summary's own unit).
    ``penalizer`` adds ``penalizer * sum(params**2)`` (on the rescaled parameters) to the mean
    negative log-likelihood, as lifetimes does.

    Example
    -------
    >>> from retention_kit.datasets import make_transactions
    >>> from retention_kit.summaries import rfm_summary
    >>> tx, truth = make_transactions(2000, random_state=0)
    >>> model = BetaGeo().fit(rfm_summary(tx))
    >>> list(model.params_.index)
    ['r', 'alpha', 'a', 'b']
    """

    _param_names = ("r", "alpha", "a", "b")

    def fit(self, summary: pd.DataFrame, *, initial_params=None) -> "BetaGeo":
        """Fit to a summary with columns ``frequency``, ``recency`` and ``T`` (from rk.rfm_summary)."""
        x, tx, T = _summary_arrays(summary, ["frequency", "recency", "T"])
        self._validate(summary, x, tx, T)
        scale = 1.0 / T.max() if T.max() > 0 else 1.0
        x0 = np.log(initial_params) if initial_params is not None else np.full(4, np.log(0.1))
        if initial_params is not None:
            x0[1] = np.log(initial_params[1] * scale)
        args = (_BGData(x, tx * scale, T * scale), self.penalizer)
        result = _maximize(_bgnbd_nll, x0, args, "BG/NBD", self.penalizer)
        params = np.exp(result.x)
        params[1] /= scale
        self.params_ = pd.Series(params, index=list(self._param_names))
        self.n_customers_ = len(x)
        self.log_likelihood_ = float(_bgnbd_ll(np.log(params), x, tx, T).sum())   # in the summary's own units
        self.standard_errors_ = _standard_errors(self.params_, lambda z, *a: _bgnbd_nll(z, *a)[1], result.x,
                                                 args, len(x))   # log-scale SEs: the time scale cancels
        self.time_unit_ = summary.attrs.get("time_unit", "D")
        self.iterations_ = int(result.nit)
        return self

    @staticmethod
    def _validate(summary, x, tx, T):
        checks = [
            (x < 0, "frequency is negative", "frequency counts repeat purchases, 0 or more"),
            (x != np.round(x), "frequency is not a whole number", "frequency counts repeat purchase periods"),
            (tx < 0, "recency is negative", "recency is last minus first purchase time"),
            (tx > T, "recency is greater than T", "recency (last - first purchase) cannot exceed T (end - first)"),
            ((x == 0) & (tx != 0), "recency is not 0 while frequency is 0", "a customer with no repeat purchase "
                                                                           "has recency 0"),
        ]
        for mask, what, fix in checks:
            if mask.any():
                raise InputError(f"{int(mask.sum())} customer(s) where {what} (first: customer "
                                 f"{_first_bad(summary, mask)}). Fix: {fix}; build the summary with rk.rfm_summary.")

    def _history(self, summary):
        self._check_fitted()
        if summary is None:
            raise InputError("pass the customers' summary (frequency, recency, T) to predict for them.")
        x, tx, T = _summary_arrays(summary, ["frequency", "recency", "T"])
        self._validate(summary, x, tx, T)
        return x, tx, T

    def _dropout_odds(self, x, tx, T):
        r, alpha, a, b = self.params_
        odds = np.zeros_like(x, dtype=float)
        repeat = x > 0
        odds[repeat] = (a / (b + x[repeat] - 1)) * ((alpha + T[repeat]) / (alpha + tx[repeat])) ** (r + x[repeat])
        return odds

    def p_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(a customer is still active | x, t_x, T) = 1 / (1 + [x > 0] a/(b + x - 1) ((alpha + T)/(alpha + t_x))^(r + x))."""
        x, tx, T = self._history(summary)
        return pd.Series(1 / (1 + self._dropout_odds(x, tx, T)), index=summary.index, name="p_alive")

    def expected_purchases(self, t: float, summary: pd.DataFrame) -> pd.Series:
        """Expected repeat purchases in the next ``t`` time units, given each customer's history (eq. 10).

        E[Y(t) | x, t_x, T] = (a + b + x - 1)/(a - 1) * [1 - ((alpha + T)/(alpha + T + t))^(r + x)
        * 2F1(r + x, b + x; a + b + x - 1; t/(alpha + T + t))] / (1 + [x > 0] a/(b + x - 1)
        ((alpha + T)/(alpha + t_x))^(r + x)).
        """
        x, tx, T = self._history(summary)
        return pd.Series(self._expected_purchases(t, x, tx, T, self._dropout_odds(x, tx, T)), index=summary.index,
                         name="expected_purchases")

    def _expected_purchases(self, t, x, tx, T, dropout_odds):
        r, alpha, a, b = self.params_
        t = float(t)
        z = t / (alpha + T + t)
        numerator = (a + b + x - 1) / (a - 1) * (
            1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z))
        return numerator / (1 + dropout_odds)

    def expected_purchases_new_customer(self, t) -> np.ndarray | float:
        """Expected repeat purchases in (0, t] of a new customer (eq. 7):
        (a + b - 1)/(a - 1) [1 - (alpha/(alpha + t))^r 2F1(r, b; a + b - 1; t/(alpha + t))]."""
        self._check_fitted()
        r, alpha, a, b = self.params_
        t = np.asarray(t, dtype=float)
        out = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
        return float(out) if out.ndim == 0 else out


# ------------------------------------------------------------------------------- Gamma-Gamma
class _GGData:
    """Gamma-Gamma data: constant sums precomputed, gammaln/digamma on distinct frequencies only."""

    def __init__(self, x, m):
        self.X = _Distinct(x)
        self.x, self.xm = x, x * m
        self.n = float(len(x))
        self.x_count = np.bincount(self.X.index).astype(float)
        self.sum_x_log_mx = float(x @ (np.log(m) + np.log(x)))     # sum of x (ln m + ln x)
        self.sum_log_m = float(np.log(m).sum())


def _gg_nll(log_params, d: _GGData, penalizer):
    """Mean negative log-likelihood of Gamma-Gamma and its gradient in log-parameters.

    Per customer: lnG(px + q) - lnG(px) - lnG(q) + q ln v + (px - 1) ln m + px ln x - (px + q) ln(x m + v).
    """
    p, q, v = params = np.exp(log_params)
    ux = d.X.values
    pux = p * ux
    per_x = gammaln(pux + q) - gammaln(pux)
    dig_pxq, dig_px = digamma(pux + q), digamma(pux)
    px = p * d.x
    log_s = np.log(d.xm + v)
    ll = (d.x_count @ per_x + d.n * (q * np.log(v) - gammaln(q)) + p * d.sum_x_log_mx - d.sum_log_m
          - (px + q) @ log_s)
    d_p = d.x_count @ (ux * (dig_pxq - dig_px)) + d.sum_x_log_mx - d.x @ log_s
    d_q = d.x_count @ dig_pxq - d.n * digamma(q) + d.n * np.log(v) - log_s.sum()
    d_v = d.n * q / v - (px + q) @ (1 / (d.xm + v))
    grads = np.array([d_p, d_q, d_v]) / d.n
    return -ll / d.n + penalizer * np.sum(params ** 2), -(grads * params) + penalizer * 2 * params ** 2


class GammaGamma(_Fitter):
    """The Gamma-Gamma model of spend per purchase, fitted by maximum likelihood.

    Each purchase of a customer is worth z ~ Gamma(p, nu), and nu ~ Gamma(q, v) across
    customers, so a customer's mean spend is p / nu. For a customer with x repeat purchases of
    mean value m_x the log-likelihood is

        lnGamma(p x + q) - lnGamma(p x) - lnGamma(q) + q ln v + (p x - 1) ln m_x + p x ln x
        - (p x + q) ln(x m_x + v).

    Only customers with at least one repeat purchase carry information; others are excluded
    with a warning that says how many. The model assumes spend is independent of purchase
    frequency: check the correlation of ``frequency`` and ``monetary_value`` first.

    Example
    -------
    >>> from retention_kit.datasets import make_transactions
    >>> from retention_kit.summaries import rfm_summary
    >>> import warnings; warnings.simplefilter("ignore")
    >>> tx, truth = make_transactions(2000, random_state=0)
    >>> GammaGamma().fit(rfm_summary(tx)).params_.index.tolist()
    ['p', 'q', 'v']
    """

    _param_names = ("p", "q", "v")

    def fit(self, summary: pd.DataFrame, *, initial_params=None) -> "GammaGamma":
        """Fit to a summary with ``frequency`` and ``monetary_value`` (from rk.rfm_summary)."""
        x, m = _summary_arrays(summary, ["frequency", "monetary_value"])
        if (x < 0).any():
            raise InputError(f"frequency is negative for {int((x < 0).sum())} customer(s) (first: customer "
                             f"{_first_bad(summary, x < 0)}); build the summary with rk.rfm_summary.")
        repeat = x > 0
        excluded = int((~repeat).sum())
        if excluded:
            warnings.warn(f"GammaGamma: {excluded} customer(s) with frequency 0 have no repeat purchase to "
                          f"average and were excluded from the fit.", stacklevel=2)
        if not repeat.any():
            raise InputError("no customer has a repeat purchase (frequency > 0); Gamma-Gamma needs some.")
        bad = repeat & (m <= 0)
        if bad.any():
            raise InputError(f"monetary_value must be positive for customers with repeat purchases; "
                             f"{int(bad.sum())} are 0 or negative (first: customer {_first_bad(summary, bad)}). "
                             f"Fix: remove free orders from the log or those customers from the summary.")
        x0 = np.log(initial_params) if initial_params is not None else np.zeros(3)
        args = (_GGData(x[repeat], m[repeat]), self.penalizer)
        result = _maximize(_gg_nll, x0, args, "Gamma-Gamma", self.penalizer)
        self.params_ = pd.Series(np.exp(result.x), index=list(self._param_names))
        n = int(repeat.sum())
        self.n_customers_ = n
        self.excluded_ = excluded
        self.log_likelihood_ = float(-(result.fun - self.penalizer * np.sum(np.exp(result.x) ** 2)) * n)
        self.standard_errors_ = _standard_errors(self.params_, lambda z, *a: _gg_nll(z, *a)[1], result.x, args, n)
        self.iterations_ = int(result.nit)
        return self

    def expected_spend(self, summary: pd.DataFrame) -> pd.Series:
        """Expected value of a customer's future purchases: p (v + x m_x) / (p x + q - 1).

        A weighted average of the population mean p v / (q - 1) and the customer's own mean m_x,
        with weight p x / (p x + q - 1) on their own; x = 0 gives the population mean.
        """
        self._check_fitted()
        x, m = _summary_arrays(summary, ["frequency", "monetary_value"])
        p, q, v = self.params_
        if q <= 1:
            raise InputError(f"the fitted q = {q:.3g} is at most 1, so the population mean spend is infinite; "
                             f"refit with a penalizer.")
        return pd.Series(p * (v + x * m) / (p * x + q - 1), index=summary.index, name="expected_spend")


# ------------------------------------------------------------------------------- CLV
def customer_lifetime_value(purchases: BetaGeo, spend: GammaGamma, summary: pd.DataFrame, *, horizon: int = 12,
                            period_length: float, margin: float, discount_rate: float) -> pd.Series:
    """Discounted expected margin of each customer over the next ``horizon`` periods.

    CLV = sum over periods k = 1..horizon of margin * E[spend] * (E[Y(k L)] - E[Y((k - 1) L)])
    / (1 + discount_rate)^k, with L = ``period_length`` in the model's time unit (for a model
    fitted on days, a calendar month is 365.25 / 12 = 30.4375 days: ``rk.datasets.DAYS_PER_MONTH``).
    ``discount_rate`` is per period (1% a month is 0.01). ``margin`` is the gross margin as a
    fraction of spend.

    With ``period_length=30`` and ``margin=1`` this is lifetimes' ``customer_lifetime_value``
    with ``freq="D"``.
    """
    if int(horizon) < 1 or period_length <= 0:
        raise InputError(f"horizon={horizon!r} must be at least 1 period and period_length={period_length!r} positive.")
    if not 0 <= margin <= 1:
        raise InputError(f"margin={margin!r} must be a fraction of spend between 0 and 1 (a 30% margin is 0.3).")
    if discount_rate < 0:
        raise InputError(f"discount_rate={discount_rate!r} must not be negative (1% a period is 0.01).")
    value_per_purchase = margin * spend.expected_spend(summary).to_numpy()
    x, tx, T = purchases._history(summary)           # validated once for the whole horizon
    odds = purchases._dropout_odds(x, tx, T)
    total, previous = np.zeros(len(x)), 0.0
    for k in range(1, int(horizon) + 1):
        cumulative = purchases._expected_purchases(k * period_length, x, tx, T, odds)
        total += value_per_purchase * (cumulative - previous) / (1 + discount_rate) ** k
        previous = cumulative
    return pd.Series(total, index=summary.index, name="clv")


# ------------------------------------------------------------------------------- history and checks
def historical_clv(transactions: pd.DataFrame, *, gross_margin: float, customer_id_col: str = "customer_id",
                   datetime_col: str = "date", monetary_value_col: str = "amount", observation_end=None) -> pd.DataFrame:
    """Margin each customer has actually earned so far: the first level of lifetime value.

    margin = gross_margin x revenue; ``tenure_months`` = (observation_end - first purchase) in
    months of 30.4375 days; ``margin_per_month`` = margin / max(tenure, 1 month). Historical
    value rewards tenure: a loyal new customer ranks below an average old one, which is why it
    cannot replace a prediction. ``observation_end`` defaults to the day after the last purchase.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "amount": [10.0, 30.0, 5.0],
    ...                    "date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"])})
    >>> historical_clv(tx, gross_margin=0.5, observation_end="2025-03-02")["margin"].to_dict()
    {1: 20.0, 2: 2.5}
    """
    from .datasets.simulate import DAYS_PER_MONTH
    from .validation import as_timestamp, require_transactions
    if not 0 < gross_margin <= 1:
        raise InputError(f"gross_margin={gross_margin!r} must be a fraction of revenue (60% is 0.6).")
    tx = require_transactions(transactions, customer_id_col, datetime_col, monetary_value_col)
    end = (as_timestamp(observation_end, "observation_end") if observation_end is not None
           else tx[datetime_col].max().normalize() + pd.Timedelta(days=1))
    late = tx[datetime_col] >= end
    if late.any():
        warnings.warn(f"historical_clv: {int(late.sum())} purchase(s) at or after observation_end were excluded.",
                      stacklevel=2)
        tx = tx[~late]
    per = tx.groupby(customer_id_col).agg(first_purchase=(datetime_col, "min"), purchases=(datetime_col, "size"),
                                          revenue=(monetary_value_col, "sum"))
    per["margin"] = gross_margin * per["revenue"]
    per["tenure_months"] = (end - per["first_purchase"]) / pd.Timedelta(days=DAYS_PER_MONTH)
    per["margin_per_month"] = per["margin"] / per["tenure_months"].clip(lower=1.0)
    return per


def holdout_check(model: BetaGeo, split: pd.DataFrame, *, max_frequency: int = 10) -> pd.DataFrame:
    """Predicted vs actual holdout purchases, by number of repeat purchases in the calibration period.

    ``split`` comes from :func:`rk.summaries.calibration_holdout_summary`; ``model`` must be
    fitted on its ``_cal`` columns only. Customers with more than ``max_frequency`` calibration
    purchases are pooled in the last row. Columns: ``customers``, ``actual``, ``predicted`` (means).
    """
    require_columns(split, ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout"], "split",
                    "build it with rk.summaries.calibration_holdout_summary")
    calibration = split.rename(columns={"frequency_cal": "frequency", "recency_cal": "recency", "T_cal": "T"})
    predicted = model.expected_purchases(float(split["duration_holdout"].iloc[0]), calibration)
    bucket = split["frequency_cal"].clip(upper=max_frequency).astype(int).rename("frequency_cal")
    table = pd.DataFrame({"actual": split["frequency_holdout"], "predicted": predicted}).groupby(bucket).agg(
        customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean"))
    return table
