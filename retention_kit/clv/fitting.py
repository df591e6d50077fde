"""What every maximum-likelihood fitter of the kit shares: checks, the optimiser, standard errors,
and the time unit a model is fitted in.

Fitters follow scikit-learn and lifelines: ``fit`` returns ``self``; fitted values end in an
underscore (``params_``, ``log_likelihood_``, ``standard_errors_``, ``time_unit_``); using a
model before ``fit`` raises :class:`NotFittedError`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import (DAYS, Confidence, InputError, Integer, Real, check, label, require_columns, require_frame,
                          require_time_unit, validate)

# Fitter, summary_arrays, first_bad and Distinct are the building blocks of the models in this package,
# not part of the kit's public API.
__all__ = ["NotFittedError", "ConvergenceError"]


class NotFittedError(RuntimeError):
    """A model was used before ``fit``.

    Examples
    --------
    >>> import pandas as pd
    >>> from retention_kit.clv import BetaGeo
    >>> BetaGeo().p_alive(pd.DataFrame({"frequency": [1], "recency": [1], "T": [2]}))
    Traceback (most recent call last):
    ...
    retention_kit.clv.NotFittedError: this BetaGeo is not fitted yet; call .fit(summary) first, with a table from rk.rfm_summary.
    """


class ConvergenceError(RuntimeError):
    """Maximum likelihood did not give an estimate the data support; the message says what to try.

    Examples
    --------
    >>> import pandas as pd
    >>> from retention_kit.clv import GammaGamma
    >>> GammaGamma().fit(pd.DataFrame({"frequency": [1, 2, 3], "monetary_value": [5.0, 6.0, 7.0]}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    retention_kit.clv.ConvergenceError: Gamma-Gamma did not converge: a parameter ran off ...
    """


NotFittedError.__module__ = ConvergenceError.__module__ = "retention_kit.clv"


def summary_arrays(summary, columns, name: str = "summary") -> list[np.ndarray]:
    """The named columns of a per-customer summary as float arrays, refusing missing or non-finite values."""
    require_frame(summary, name)
    require_columns(summary, columns, name, "pass a table from rk.rfm_summary")
    out = []
    for col in columns:
        values = pd.to_numeric(summary[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(values)
        if bad.any():
            raise InputError(f"column {col!r} has missing, infinite or non-numeric values (first at customer "
                             f"{label(summary.index[np.flatnonzero(bad)[0]])}); fix or remove those customers explicitly.")
        out.append(values)
    return out


def first_bad(summary, mask) -> str:
    return label(summary.index[np.flatnonzero(mask)[0]])


class Distinct:
    """A column as its distinct values and, for each row, the position of its value."""

    def __init__(self, values):
        whole = values.size and values.min() >= 0 and values.max() < 1e6 and np.all(values == np.floor(values))
        if whole:      # counts (frequencies): a lookup table instead of a sort
            counts = np.bincount(values.astype(np.int64))
            self.values = np.flatnonzero(counts).astype(values.dtype)
            lookup = np.zeros(len(counts), dtype=np.int64)
            lookup[self.values.astype(np.int64)] = np.arange(len(self.values))
            self.index = lookup[values.astype(np.int64)]
        else:
            self.values, self.index = np.unique(values, return_inverse=True)


_CONTROLLER = []


def one_blas_thread():
    """A context in which BLAS runs on one thread (the loaded libraries are looked up once per session)."""
    if not _CONTROLLER:
        from threadpoolctl import ThreadpoolController
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1, user_api="blas")


def _hessian(grad, x, args, step=1e-5):
    """Hessian of a function by central differences of its analytic gradient."""
    k = len(x)
    h = np.zeros((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = step
        h[:, i] = (grad(x + e, *args) - grad(x - e, *args)) / (2 * step)
    return (h + h.T) / 2


class Fitter:
    """Base of the kit's maximum-likelihood models. Subclasses set ``_param_names`` and implement ``fit``."""

    _param_names: tuple[str, ...] = ()
    _advice = ""          # model-specific things to try when a fit fails, ending in "; "

    @validate(penalizer=Real(low=0, hint="Try 0.001."))
    def __init__(self, *, penalizer: float = 0.0):
        self.penalizer = penalizer

    # ---------------------------------------------------------------- state
    def _check_fitted(self):
        if not hasattr(self, "params_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call .fit(summary) first, with a "
                                 f"table from rk.rfm_summary.")

    def __repr__(self) -> str:
        if not hasattr(self, "params_"):
            return f"{type(self).__name__}(penalizer={self.penalizer:g}) (not fitted)"
        params = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        unit = f", time in {self.time_unit_}s" if getattr(self, "time_unit_", None) else ""
        return (f"{type(self).__name__}({params}; fitted on {self.n_customers_:,} customers{unit}, "
                f"log-likelihood {self.log_likelihood_:,.2f})")

    def _start(self, initial_params) -> np.ndarray:
        """Starting point of the optimiser in log-parameters."""
        if initial_params is None:
            return np.full(len(self._param_names), np.log(0.1))
        values = np.asarray(initial_params, dtype=float) if np.ndim(initial_params) == 1 else None
        if values is None or len(values) != len(self._param_names) or not (np.isfinite(values) & (values > 0)).all():
            raise InputError(f"initial_params={initial_params!r} must be {len(self._param_names)} positive numbers, "
                             f"one for each of {', '.join(self._param_names)}.")
        return np.log(values)

    # ---------------------------------------------------------------- time unit
    def _unit_of(self, summary, time_unit) -> str:
        """The time unit a summary is in: from ``time_unit=`` or ``summary.attrs``; refuse if unknown or in conflict."""
        recorded = summary.attrs.get("time_unit") if hasattr(summary, "attrs") else None
        if time_unit is None and recorded is None:
            raise InputError("the summary does not say its time unit (summary.attrs has no 'time_unit', which "
                             "rk.rfm_summary records). Fix: pass time_unit='day' (or the unit of T and recency).")
        if time_unit is not None:
            time_unit = require_time_unit(time_unit)
            if recorded is not None and recorded != time_unit:
                raise InputError(f"time_unit={time_unit!r} contradicts the summary, which rk.rfm_summary built in "
                                 f"{recorded!r}s. Fix: drop time_unit=, or rebuild the summary in that unit.")
            return time_unit
        return require_time_unit(recorded, "summary.attrs['time_unit']")

    def _check_unit(self, summary) -> None:
        """Refuse a summary built in another time unit than the model's (its counts cannot be converted)."""
        recorded = summary.attrs.get("time_unit") if hasattr(summary, "attrs") else None
        if recorded is not None and recorded != self.time_unit_:
            raise InputError(f"the summary is in {recorded}s but the model was fitted in {self.time_unit_}s; frequency "
                             f"and T cannot be converted between units. Fix: rebuild the summary with "
                             f"time_unit={self.time_unit_!r}.")

    def _horizon(self, horizon, time_unit, argument: str = "horizon") -> float:
        """A length given in ``time_unit`` (default the model's) converted to the model's unit."""
        self._check_fitted()
        horizon = check(argument, horizon, Real(low=0, hint="Predictions are for the future: 0 or more."))
        unit = self.time_unit_ if time_unit is None else require_time_unit(time_unit)
        return horizon * DAYS[unit] / DAYS[self.time_unit_]

    # ---------------------------------------------------------------- fitting
    @staticmethod
    def _warm_rows(n: int, size: int = 10_000):
        """Every k-th row, about ``size`` of them, for a warm start on a large table (None when the table is small)."""
        return slice(None, None, n // size) if n >= 3 * size else None

    def _maximize(self, neg_ll_and_grad, x0, args, name, warm_args=None, warm_curvature=True):
        """Minimise a mean negative log-likelihood in log-parameters; refuse an estimate the data do not support.

        With ``warm_args`` (the same likelihood on a subset of the rows), the subset is fitted first
        and the full fit starts from its estimate and its inverse-Hessian approximation: the mean
        log-likelihood of a large subset has nearly the same optimum and curvature, so the full
        data are evaluated a few times instead of a few dozen. The estimate is still the full
        data's maximum, to the same tolerance. ``warm_curvature=False`` keeps the start only, for a
        likelihood so ill-conditioned (Gamma-Gamma's q and v) that the subset's curvature misleads.
        """
        from scipy.optimize import minimize
        options = {"gtol": 1e-8, "maxiter": 2000}
        # one BLAS thread: the likelihoods are sums over customers (vector dot products), where OpenBLAS's threads
        # gain nothing and, on a busy machine, wait for each other (fits measured 3-8 times slower with them)
        with np.errstate(all="ignore"), one_blas_thread():
            if warm_args is not None:
                warm = minimize(neg_ll_and_grad, x0, args=warm_args, jac=True, method="BFGS", options=options)
                if np.all(np.isfinite(warm.x)) and np.isfinite(warm.fun) and np.all(np.abs(warm.x) < np.log(1e6)):
                    x0, curvature = warm.x, (warm.hess_inv + warm.hess_inv.T) / 2
                    if warm_curvature and np.all(np.isfinite(curvature)) and np.linalg.eigvalsh(curvature).min() > 0:
                        options = {**options, "hess_inv0": curvature}
            result = minimize(neg_ll_and_grad, x0, args=args, jac=True, method="BFGS", options=options)
        advice = (f"Try: a small penalty ({type(self).__name__}(penalizer=0.001), then larger; now {self.penalizer:g}); "
                  f"{self._advice}or more customers with repeat purchases.")
        grad_ok = np.all(np.isfinite(result.jac)) and np.max(np.abs(result.jac)) < 1e-4
        if not (np.all(np.isfinite(result.x)) and np.isfinite(result.fun)) or not (result.success or grad_ok):
            raise ConvergenceError(f"{name} did not converge ({result.message}). {advice}")
        runaway = np.abs(result.x) > np.log(1e6)
        if runaway.any():
            raise ConvergenceError(f"{name} did not converge: a parameter ran off to {np.exp(result.x[runaway][0]):.3g} "
                                   f"(the data cannot pin it down). {advice}")
        return result

    def _standard_errors(self, params: pd.Series, grad, x, args, n_total, name) -> pd.Series:
        """Delta-method standard errors of exp(x) from the Hessian of the total negative log-likelihood.

        Refuses a fit whose Hessian is not positive definite: some combination of parameters is
        not determined by the data (a flat likelihood, or a start the optimiser could not leave), and
        reporting those values as estimates would be a silent wrong answer.
        """
        with one_blas_thread():
            hessian = _hessian(grad, x, args) * n_total
        eigenvalues = np.linalg.eigvalsh(hessian) if np.all(np.isfinite(hessian)) else np.array([np.nan])
        if not np.all(eigenvalues > 1e-8 * max(1.0, np.abs(eigenvalues).max())):
            raise ConvergenceError(f"{name}: the data carry no information on some parameter (the likelihood is flat "
                                   f"in some direction at the estimate), so no estimate or standard error can be given. "
                                   f"Use more customers, or a penalizer.")
        cov_log = np.linalg.inv(hessian)
        self._log_covariance = pd.DataFrame(cov_log, index=params.index, columns=params.index)
        return pd.Series(params.to_numpy() * np.sqrt(np.diag(cov_log)), index=params.index)

    @property
    def log_covariance_(self) -> pd.DataFrame:
        """Covariance matrix of the log-parameters (the inverse Hessian of the negative log-likelihood).

        The model is estimated in log-parameters, where the likelihood is closest to normal; the
        standard errors and :meth:`parameter_draws` come from this matrix.

        Returns
        -------
        DataFrame indexed and labelled by parameter name.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        """
        self._check_fitted()
        return self._log_covariance

    def parameter_draws(self, n_draws: int, *, random_state=None) -> pd.DataFrame:
        """Parameter values drawn from the estimate's sampling distribution, for intervals on predictions.

        log(params) ~ Normal(log(estimate), :attr:`log_covariance_`): the large-sample distribution
        of the maximum-likelihood estimate. Recomputing a prediction for each draw and taking
        percentiles gives an interval that carries the uncertainty of the fitted parameters.

        Parameters
        ----------
        n_draws : int, at least 1
        random_state : int or numpy Generator, optional

        Returns
        -------
        DataFrame, one row per draw, one column per parameter (``alpha`` in the model's time unit).

        Raises
        ------
        NotFittedError
            Before ``fit``.
        InputError
            For ``n_draws`` below 1.

        Examples
        --------
        >>> import retention_kit as rk
        >>> summary = rk.rfm_summary(rk.datasets.make_transactions(2000, random_state=0).data)
        >>> draws = rk.clv.BetaGeo().fit(summary).parameter_draws(500, random_state=1)
        >>> draws.shape, bool((draws > 0).all().all())
        ((500, 4), True)
        """
        n_draws = check("n_draws", n_draws, Integer(low=1))
        covariance = self.log_covariance_
        rng = np.random.default_rng(random_state)
        logs = rng.multivariate_normal(np.log(self.params_.to_numpy()), covariance.to_numpy(), size=n_draws)
        return pd.DataFrame(np.exp(logs), columns=self.params_.index)

    def with_params(self, params) -> "Fitter":
        """A copy of this fitted model that predicts with other parameter values (a draw, or a planted truth).

        Parameters
        ----------
        params : Series or sequence, one positive value per parameter, in the model's order and time unit

        Returns
        -------
        A model of the same class; fit statistics (log-likelihood, standard errors) stay those of the fit.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        InputError
            For the wrong number of values, or values that are not positive.
        """
        import copy
        self._check_fitted()
        values = np.asarray(params, dtype=float)
        if values.shape != (len(self._param_names),) or not (np.isfinite(values) & (values > 0)).all():
            raise InputError(f"params={params!r} must be {len(self._param_names)} positive numbers, one for each of "
                             f"{', '.join(self._param_names)}.")
        clone = copy.copy(self)
        clone.params_ = pd.Series(values, index=list(self._param_names))
        return clone

    @validate(confidence=Confidence())
    def summary_table(self, *, confidence: float = 0.95) -> pd.DataFrame:
        """Fitted parameters with standard errors and intervals at ``confidence``.

        The interval is computed on the log scale, where the model is estimated (estimate x
        exp(+/- z SE / estimate)), so it stays positive like the parameters.

        Parameters
        ----------
        confidence : float, default 0.95

        Returns
        -------
        DataFrame indexed by parameter: ``estimate``, ``standard error``, ``<level>% low``,
        ``<level>% high`` (the labels follow ``confidence``).

        Raises
        ------
        NotFittedError
            Before ``fit``.

        Examples
        --------
        >>> import retention_kit as rk
        >>> summary = rk.rfm_summary(rk.datasets.make_transactions(2000, random_state=0).data)
        >>> list(rk.clv.BetaGeo().fit(summary).summary_table(confidence=0.9).columns)
        ['estimate', 'standard error', '90% low', '90% high']
        """
        from ..metrics.rates import z_value
        self._check_fitted()
        z = z_value(confidence)
        se, p = self.standard_errors_, self.params_
        level = f"{100 * confidence:g}%"
        return pd.DataFrame({"estimate": p, "standard error": se, f"{level} low": p * np.exp(-z * se / p),
                             f"{level} high": p * np.exp(z * se / p)})
