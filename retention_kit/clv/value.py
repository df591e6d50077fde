"""Predictive lifetime value from two fitted models, and the holdout check of a purchase model."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..results import MetricResult
from ..validation import Confidence, InputError, Integer, Real, require_columns, require_time_unit, validate
from .bgnbd import BetaGeo
from .diagnostics import require_purchase_model
from .gamma_gamma import GammaGamma

__all__ = ["customer_lifetime_value", "clv_interval", "holdout_check"]


def _require_model(model, kind, argument):
    if not isinstance(model, kind):
        raise InputError(f"{argument} must be a fitted {kind.__name__}, got {type(model).__name__}.")
    model._check_fitted()


@validate(horizon=Integer(low=1, hint="It is a number of periods of time_unit, such as 12."),
          gross_margin=Real(0, 1, closed="right", hint="It is a fraction of spend: 30% is 0.3."),
          discount_rate=Real(low=0, hint="It is per period of time_unit: 1% a month is 0.01."))
def customer_lifetime_value(purchase_model: BetaGeo, spend_model: GammaGamma, summary: pd.DataFrame, *,
                            horizon: int = 12, time_unit: str = "month", gross_margin: float,
                            discount_rate: float) -> pd.Series:
    """Discounted expected margin of each customer over the next ``horizon`` periods.

    CLV = sum over periods k = 1..horizon of gross_margin x E[spend] x (E[Y(k)] - E[Y(k - 1)])
    / (1 + discount_rate)^k, where E[Y(k)] is the purchase model's expected repeat purchases by
    the end of period k. Periods are ``time_unit`` long, converted to the purchase model's own
    unit (a month is 30.4375 days), so a model fitted in days or weeks gives the same answer.

    Parameters
    ----------
    purchase_model : fitted BetaGeo, ParetoNBD or ModifiedBetaGeo
    spend_model : fitted GammaGamma
    summary : DataFrame with ``frequency``, ``recency``, ``T`` (in the purchase model's unit) and
        ``monetary_value``
    horizon : int, default 12
        Periods of ``time_unit``.
    time_unit : str, default "month"
    gross_margin : float
        The share of spend that is margin, in (0, 1].
    discount_rate : float
        Per period of ``time_unit`` (1% a month is 0.01).

    Returns
    -------
    Series ``clv`` indexed like ``summary`` (money).

    Raises
    ------
    InputError
        For unfitted or wrong models, a summary in another unit than the purchase model, or
        arguments out of range (a fractional horizon, a margin above 1, a missing discount rate).

    Notes
    -----
    With ``gross_margin=1`` this is lifetimes' ``customer_lifetime_value(..., freq="D")`` except
    that lifetimes takes a month as 30 days and the kit as 30.4375.

    Examples
    --------
    >>> import warnings, retention_kit as rk
    >>> summary = rk.rfm_summary(rk.datasets.make_transactions(2000, random_state=0).data)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", rk.DataWarning)      # customers without a repeat purchase
    ...     spend = GammaGamma().fit(summary)
    >>> clv = customer_lifetime_value(BetaGeo().fit(summary), spend, summary, horizon=12, gross_margin=0.6,
    ...                               discount_rate=0.01)
    >>> clv.name, len(clv) == len(summary), bool((clv >= 0).all())
    ('clv', True, True)
    """
    time_unit = require_time_unit(time_unit)
    require_purchase_model(purchase_model, "purchase_model")
    _require_model(spend_model, GammaGamma, "spend_model")
    return pd.Series(_clv(purchase_model, spend_model, summary, horizon, time_unit, gross_margin, discount_rate),
                     index=summary.index, name="clv")


def _clv(purchase_model, spend_model, summary, horizon, time_unit, gross_margin, discount_rate) -> np.ndarray:
    value_per_purchase = gross_margin * spend_model.expected_spend(summary).to_numpy()
    path = purchase_model.purchase_path(summary, periods=horizon, time_unit=time_unit).to_numpy()
    per_period = np.diff(path, axis=1, prepend=0.0)
    discount = (1 + discount_rate) ** -np.arange(1, horizon + 1)
    return value_per_purchase * (per_period @ discount)


@validate(horizon=Integer(low=1, hint="It is a number of periods of time_unit, such as 12."),
          gross_margin=Real(0, 1, closed="right", hint="It is a fraction of spend: 30% is 0.3."),
          discount_rate=Real(low=0, hint="It is per period of time_unit: 1% a month is 0.01."),
          n_draws=Integer(low=20, hint="Percentiles need a few hundred draws; try 500."), confidence=Confidence())
def clv_interval(purchase_model: BetaGeo, spend_model: GammaGamma, summary: pd.DataFrame, *, horizon: int = 12,
                 time_unit: str = "month", gross_margin: float, discount_rate: float, n_draws: int = 500,
                 confidence: float = 0.95, random_state=None) -> MetricResult:
    """Total and per-customer CLV with intervals that carry the uncertainty of both fitted models.

    Draw the parameters of each model ``n_draws`` times from their estimates' sampling
    distribution (:meth:`BetaGeo.parameter_draws`, log-normal with the inverse-Hessian
    covariance), recompute :func:`customer_lifetime_value` for every draw, and take percentiles,
    for the total and for each customer. The interval is for the *expected* value given each
    customer's history: what one customer actually spends varies far more.

    Parameters
    ----------
    purchase_model, spend_model, summary, horizon, time_unit, gross_margin, discount_rate
        As in :func:`customer_lifetime_value`.
    n_draws : int, default 500, at least 20
    confidence : float, default 0.95
    random_state : int or numpy Generator, optional

    Returns
    -------
    MetricResult (kind ``"clv_total"``, currency): ``value`` the total at the estimates, ``se`` the
    standard deviation over draws, ``ci`` the percentile interval; parts ``customers`` (a DataFrame
    indexed like ``summary``: ``clv``, ``ci_low``, ``ci_high``), ``per_customer`` (the mean, with its
    interval in ``per_customer_ci``) and ``n_draws``.

    Raises
    ------
    InputError
        As :func:`customer_lifetime_value`, and for fewer than 20 draws.

    Examples
    --------
    >>> import warnings, retention_kit as rk
    >>> summary = rk.rfm_summary(rk.datasets.make_transactions(2000, random_state=0).data)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", rk.DataWarning)
    ...     spend = GammaGamma().fit(summary)
    >>> r = clv_interval(BetaGeo().fit(summary), spend, summary, gross_margin=0.6, discount_rate=0.01, n_draws=50,
    ...                  random_state=0)
    >>> bool(r.ci[0] < r.value < r.ci[1]), list(r.customers.columns)
    (True, ['clv', 'ci_low', 'ci_high'])
    """
    point = customer_lifetime_value(purchase_model, spend_model, summary, horizon=horizon, time_unit=time_unit,
                                    gross_margin=gross_margin, discount_rate=discount_rate)
    rng = np.random.default_rng(random_state)
    purchase_draws = purchase_model.parameter_draws(n_draws, random_state=rng).to_numpy()
    spend_draws = spend_model.parameter_draws(n_draws, random_state=rng).to_numpy()
    draws = np.empty((n_draws, len(summary)))
    for k in range(n_draws):
        draws[k] = _clv(purchase_model.with_params(purchase_draws[k]), spend_model.with_params(spend_draws[k]),
                        summary, horizon, time_unit, gross_margin, discount_rate)
    tail = (1 - confidence) / 2
    totals = draws.sum(axis=1)
    low, high = np.quantile(totals, [tail, 1 - tail])
    customers = pd.DataFrame({"clv": point, "ci_low": np.quantile(draws, tail, axis=0),
                              "ci_high": np.quantile(draws, 1 - tail, axis=0)}, index=summary.index)
    n = len(summary)
    return MetricResult(kind="clv_total", name=f"Expected CLV of {n:,} customers over {horizon} {time_unit}s",
                        value=float(point.sum()), unit="currency",
                        formula="sum of customer_lifetime_value; interval: percentiles over parameter draws",
                        parts=dict(customers=customers, per_customer=float(point.mean()),
                                   per_customer_ci=(float(low / n), float(high / n)), n_draws=n_draws),
                        se=float(totals.std(ddof=1)), ci=(float(low), float(high)), confidence=confidence)


@validate(max_frequency=Integer(low=1))
def holdout_check(model: BetaGeo, split: pd.DataFrame, *, max_frequency: int = 10) -> pd.DataFrame:
    """Predicted vs actual holdout purchases, by number of repeat purchases in the calibration period.

    Parameters
    ----------
    model : BetaGeo, ParetoNBD or ModifiedBetaGeo fitted on the ``_cal`` columns of ``split`` only
    split : DataFrame from :func:`rk.calibration_holdout_summary`
    max_frequency : int, default 10
        Customers with more calibration purchases are pooled in the last row.

    Returns
    -------
    DataFrame indexed by ``frequency_cal``: ``customers``, ``actual`` and ``predicted`` (means of repeat
    purchase periods, such as days); ``attrs["time_unit"]`` is the model's unit.

    Raises
    ------
    InputError
        For a split without the expected columns, or in another time unit than the model.

    Examples
    --------
    >>> import retention_kit as rk
    >>> tx = rk.datasets.make_transactions(3000, random_state=2).data
    >>> split = rk.calibration_holdout_summary(tx, calibration_period_end="2025-07-01")
    >>> calibration = split.rename(columns={"frequency_cal": "frequency", "recency_cal": "recency", "T_cal": "T"})
    >>> table = holdout_check(BetaGeo().fit(calibration), split)
    >>> list(table.columns), int(table["customers"].sum()) == len(split)
    (['customers', 'actual', 'predicted'], True)
    """
    require_purchase_model(model)
    require_columns(split, ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout"], "split",
                    "build it with rk.calibration_holdout_summary")
    calibration = split.rename(columns={"frequency_cal": "frequency", "recency_cal": "recency", "T_cal": "T"})
    predicted = model.expected_purchases(calibration, horizon=float(split["duration_holdout"].iloc[0]))
    bucket = split["frequency_cal"].clip(upper=max_frequency).astype(int).rename("frequency_cal")
    table = pd.DataFrame({"actual": split["frequency_holdout"], "predicted": predicted}).groupby(bucket).agg(
        customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean"))
    table.attrs["time_unit"] = model.time_unit_        # frequencies count purchase periods of this unit
    return table
