"""Intervals on any prediction of a fitted model, from its parameters' sampling distribution.

A fitted model's predictions (P(alive), expected purchases, expected spend, retention by tenure)
depend on parameters estimated from a sample of customers. :func:`prediction_interval` draws the
parameters from their estimates' large-sample distribution, recomputes the prediction for every
draw and reports percentiles: the parametric bootstrap of the estimate (Efron & Tibshirani 1993,
section 6.5; what :func:`clv_interval` does for CLV).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..results import MetricResult
from ..validation import Confidence, InputError, Integer, RandomState, validate, warn_data
from .fitting import Fitter

__all__ = ["prediction_interval"]

_NOT_PREDICTIONS = {"fit", "fit_customers", "parameter_draws", "with_params", "summary_table", "project"}


def _as_values(result, method):
    """A prediction as (kind, float array, template): Series, 1-d array or scalar MetricResult."""
    if isinstance(result, pd.Series):
        return "series", result.to_numpy(dtype=float), result
    if isinstance(result, MetricResult):
        return "result", np.array([float(result.value)]), result
    values = np.asarray(result, dtype=float)
    if values.ndim <= 1:
        return "array", np.atleast_1d(values), result
    raise InputError(f"method={method!r} returns a {type(result).__name__} of shape {values.shape}; "
                     f"prediction_interval takes predictions that are one number per customer or per period "
                     f"(a Series, a 1-d array or a single result). Fix: call it once per column.")


@validate(n_draws=Integer(low=20, hint="Percentiles need a few hundred draws; try 500."), confidence=Confidence(),
          random_state=RandomState())
def prediction_interval(model: Fitter, method: str, *args, n_draws: int = 500, confidence: float = 0.95,
                        random_state=None, **kwargs):
    """A prediction of a fitted model with an interval from its parameters' sampling distribution.

    For draws theta_1..theta_K ~ the estimate's sampling distribution (log-normal with the
    inverse-Hessian covariance, :meth:`~retention_kit.clv.BetaGeo.parameter_draws`), the interval
    of ``f(theta)`` = ``model.<method>(*args, **kwargs)`` is the (1 - confidence)/2 and
    (1 + confidence)/2 percentiles of f(theta_1), ..., f(theta_K), value by value.

    The interval says how well the sample pins down the *expected* value (the mean of customers
    with this history); it does not include the model being wrong (check that on a holdout) or how
    much one customer varies around their expectation, which is far more.

    Parameters
    ----------
    model : a fitted model of ``rk.clv`` (BetaGeo, ParetoNBD, ModifiedBetaGeo, BetaGeoBetaBinom,
        GammaGamma, ShiftedBetaGeometric)
    method : str
        The name of the prediction, such as ``"p_alive"``, ``"expected_purchases"``,
        ``"expected_purchases_new_customer"``, ``"expected_spend"``, ``"retention_rate"``.
    *args, **kwargs
        Passed to the method (the summary, ``horizon=``, ...).
    n_draws : int, default 500, at least 20
    confidence : float, default 0.95
    random_state : None, int or numpy Generator

    Returns
    -------
    For a prediction per customer (a Series): DataFrame indexed like it with the prediction at the
    estimate (named as the Series), ``ci_low`` and ``ci_high``; ``attrs["confidence"]``.
    For an array (per period): the same DataFrame with a RangeIndex.
    For a single number (a MetricResult): the result with ``se`` (the standard deviation over
    draws), ``ci`` and ``confidence`` set.

    Raises
    ------
    InputError
        For a method that is not a prediction of the model, or a prediction with more than one
        dimension, or fewer than 20 draws.
    NotFittedError
        Before ``fit``.

    Examples
    --------
    >>> import retention_kit as rk
    >>> summary = rk.rfm_summary(rk.datasets.make_transactions(2000, random_state=0).data)
    >>> model = rk.clv.BetaGeo().fit(summary)
    >>> table = prediction_interval(model, "p_alive", summary.head(3), n_draws=200, random_state=1)
    >>> list(table.columns), bool(((table["ci_low"] <= table["p_alive"]) & (table["p_alive"] <= table["ci_high"])).all())
    (['p_alive', 'ci_low', 'ci_high'], True)
    """
    if not isinstance(model, Fitter):
        raise InputError(f"model must be a fitted model of rk.clv (such as rk.clv.BetaGeo), got {type(model).__name__}.")
    available = sorted(name for name in dir(type(model)) if not name.startswith("_") and name not in _NOT_PREDICTIONS
                       and callable(getattr(type(model), name)))
    if not isinstance(method, str) or method not in available:
        raise InputError(f"method={method!r} is not a prediction of {type(model).__name__}; choose one of "
                         f"{', '.join(repr(m) for m in available)}.")
    model._check_fitted()
    kind, point, template = _as_values(getattr(model, method)(*args, **kwargs), method)
    draws = model.parameter_draws(n_draws, random_state=random_state).to_numpy()
    values = np.empty((n_draws, point.size))
    with np.errstate(all="ignore"):
        for k in range(n_draws):
            values[k] = _as_values(getattr(model.with_params(draws[k]), method)(*args, **kwargs), method)[1]
    bad = ~np.isfinite(values).all(axis=1)
    if bad.any():
        warn_data(f"{int(bad.sum())} of {n_draws} parameter draws gave a prediction that is not a finite number "
                  f"(a draw outside the range where {method} is defined) and were left out of the interval.")
        values = values[~bad]
    tail = (1 - confidence) / 2
    low, high = np.quantile(values, [tail, 1 - tail], axis=0)
    if kind == "result":
        return MetricResult(kind=template.kind, name=template.name, value=template.value, unit=template.unit,
                            formula=template.formula + "; interval: percentiles over parameter draws",
                            parts={**template.parts, "n_draws": len(values)}, se=float(values.std(ddof=1)),
                            ci=(float(low[0]), float(high[0])), confidence=confidence, notes=template.notes)
    name = template.name if kind == "series" and template.name is not None else method
    index = template.index if kind == "series" else pd.RangeIndex(point.size)
    table = pd.DataFrame({name: point, "ci_low": low, "ci_high": high}, index=index)
    table.attrs["confidence"] = confidence
    return table
