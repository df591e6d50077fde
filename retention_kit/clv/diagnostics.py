"""Diagnostics of the purchase models (BG/NBD, Pareto/NBD, MBG/NBD) and a table to compare them.

* :func:`period_transactions`: customers by number of repeat purchases, observed and expected;
* :func:`frequency_recency_matrix`: P(alive) or expected purchases over a grid of histories;
* :func:`transactions_over_time`: cumulative and incremental repeat purchases, observed and expected;
* :func:`compare_models`: log-likelihood, AIC, BIC and holdout error of several models on the same data.

Taught in ``notebooks/07_customer_lifetime_value.ipynb``. The plots are in :mod:`retention_kit.plots`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln

from ..validation import (InputError, Integer, Real, period_numbers, period_starts, require_columns, require_time_unit,
                          require_transactions, validate)
from .bgnbd import BetaGeo
from .checks import _count_probabilities
from .mbgnbd import ModifiedBetaGeo
from .pareto_nbd import ParetoNBD
from .purchases import PurchaseModel

__all__ = ["period_transactions", "frequency_recency_matrix", "transactions_over_time", "compare_models"]


def require_purchase_model(model, argument: str = "model") -> None:
    """Refuse anything but a fitted BetaGeo, ParetoNBD or ModifiedBetaGeo."""
    if not isinstance(model, PurchaseModel):
        raise InputError(f"{argument} must be a fitted rk.clv.BetaGeo, ParetoNBD or ModifiedBetaGeo, got "
                         f"{type(model).__name__}.")
    model._check_fitted()


def _nbd(r, alpha, t, x):
    """P(N(t) = x) for Poisson purchases at a rate ~ Gamma(r, alpha), x = 0..; t may be an array (rows)."""
    t = np.asarray(t, dtype=float)[:, None]
    log = gammaln(r + x) - gammaln(r) - gammaln(x + 1) + r * np.log(alpha / (alpha + t)) \
        + x * np.log(np.where(t > 0, t, 1.0) / (alpha + t))
    return np.where(t > 0, np.exp(log), (x == 0).astype(float))


def _count_matrix(model, times, max_count) -> np.ndarray:
    """P(X(t) = x) of a new customer, one row per t, columns x = 0..max_count."""
    x = np.arange(max_count + 1, dtype=float)
    name = type(model).__name__
    if name == "BetaGeo":
        return np.vstack([_count_probabilities(model.params_, t, max_count) if t > 0 else (x == 0).astype(float)
                          for t in times])
    if name == "ModifiedBetaGeo":       # X = min(N, K), K ~ purchases before drop-out, P(K = k) = p (1 - p)^k, k >= 0
        r, alpha, a, b = model.params_
        nbd = _nbd(r, alpha, times, x)
        above = 1 - np.cumsum(nbd, axis=1)                                      # P(N > x)
        return np.exp(betaln(a, b + x) - betaln(a, b)) * nbd + np.exp(betaln(a + 1, b + x) - betaln(a, b)) * above
    # Pareto/NBD: purchases at rate lambda until an exponential lifetime tau; with S(u) = (beta/(beta + u))^s,
    # P(X(t) = x) = S(t) NBD_t(x) + integral over z = S(u) in (S(t), 1) of NBD_u(x) dz (Gauss-Legendre).
    r, alpha, s, beta = model.params_
    nodes, weights = np.polynomial.legendre.leggauss(64)
    out = []
    for t in times:
        survive = (beta / (beta + t)) ** s
        z = survive + (1 - survive) * (nodes + 1) / 2
        u = beta * (z ** (-1 / s) - 1)
        inside = (weights * (1 - survive) / 2) @ _nbd(r, alpha, u, x)
        out.append(survive * _nbd(r, alpha, [t], x)[0] + inside)
    return np.vstack(out)


@validate(max_frequency=Integer(low=1))
def period_transactions(model, summary: pd.DataFrame, *, max_frequency: int = 7) -> pd.DataFrame:
    """Customers by number of repeat purchases: observed, and expected by the fitted model.

    expected(x) = sum over customers i of P(X(T_i) = x), the model's probability that a customer
    followed for T_i since a first purchase makes x repeat purchases (BG/NBD: Fader, Hardie & Lee
    2005, eq. 8; MBG/NBD: the same with a drop-out possible at time 0; Pareto/NBD: the lifetime
    integrated out numerically). Customers with ``max_frequency`` or more are pooled in the last row.

    Parameters
    ----------
    model : fitted BetaGeo, ParetoNBD or ModifiedBetaGeo
    summary : DataFrame with ``frequency`` and ``T`` (usually the one the model was fitted on)
    max_frequency : int, default 7

    Returns
    -------
    DataFrame indexed by ``frequency`` 0..max_frequency (the last row is "max_frequency or more"):
    ``actual`` and ``model`` (numbers of customers); ``attrs["pooled_from"] = max_frequency``.

    Raises
    ------
    InputError
        For an unfitted or unknown model, or a summary without the columns or in another time unit.

    Examples
    --------
    >>> import retention_kit as rk
    >>> summary = rk.rfm_summary(rk.datasets.make_transactions(2000, random_state=0).data)
    >>> table = period_transactions(rk.clv.BetaGeo().fit(summary), summary, max_frequency=5)
    >>> int(table["actual"].sum()) == len(summary), round(float(table["model"].sum())) == len(summary)
    (True, True)
    """
    require_purchase_model(model)
    require_columns(summary, ["frequency", "T"], "summary", "build it with rk.rfm_summary")
    model._check_unit(summary)
    times, counts = np.unique(summary["T"].to_numpy(dtype=float), return_counts=True)
    probabilities = _count_matrix(model, times, max_frequency - 1)
    expected = counts @ probabilities
    expected = np.r_[expected, len(summary) - expected.sum()]
    actual = np.bincount(summary["frequency"].clip(upper=max_frequency).to_numpy(dtype=int), minlength=max_frequency + 1)
    table = pd.DataFrame({"actual": actual, "model": expected},
                         index=pd.RangeIndex(max_frequency + 1, name="frequency"))
    table.attrs.update(pooled_from=max_frequency, time_unit=model.time_unit_)
    return table


@validate(T=Real(low=0, closed="neither"), max_frequency=Integer(low=1), n_recency=Integer(low=2))
def frequency_recency_matrix(model, *, T: float, max_frequency: int = 20, n_recency: int = 41,
                             horizon: float | None = None) -> pd.DataFrame:
    """P(alive), or expected purchases in the next ``horizon``, for every history (frequency, recency) at age T.

    Cells that no customer can have are left empty (NaN): recency above 0 with no repeat purchase,
    and more repeat purchase periods than periods since the first purchase (frequency > recency).

    Parameters
    ----------
    model : fitted BetaGeo, ParetoNBD or ModifiedBetaGeo
    T : float
        The customers' age, in the model's time unit (often the oldest customer's).
    max_frequency : int, default 20
    n_recency : int, default 41
        Recency values from 0 to T, evenly spaced and rounded to whole periods.
    horizon : float, optional
        None for P(alive); a length in the model's unit for expected purchases over it.

    Returns
    -------
    DataFrame indexed by ``frequency`` 0..max_frequency, columns ``recency``; ``attrs`` records ``what``
    (``"p_alive"`` or ``"expected_purchases"``), ``T``, ``horizon`` and ``time_unit``.

    Raises
    ------
    InputError
        For an unfitted or unknown model, or a T, frequency or horizon out of range.

    Examples
    --------
    >>> import retention_kit as rk
    >>> model = rk.clv.BetaGeo().fit(rk.rfm_summary(rk.datasets.make_transactions(2000, random_state=0).data))
    >>> m = frequency_recency_matrix(model, T=700, max_frequency=5, n_recency=8)
    >>> m.shape, bool(m.loc[0, 0] > m.loc[5, 100])        # a frequent buyer silent for 600 days is likely gone
    ((6, 8), True)
    """
    require_purchase_model(model)
    recency = np.unique(np.round(np.linspace(0, T, n_recency)))
    frequency = np.arange(max_frequency + 1, dtype=float)
    x, tx = (a.ravel() for a in np.meshgrid(frequency, recency, indexing="ij"))
    possible = ((x == 0) & (tx == 0)) | ((x > 0) & (x <= tx))
    grid = pd.DataFrame({"frequency": x[possible], "recency": tx[possible], "T": float(T)})
    grid.attrs["time_unit"] = model.time_unit_
    values = np.full(x.size, np.nan)
    values[possible] = (model.p_alive(grid) if horizon is None
                        else model.expected_purchases(grid, horizon=horizon)).to_numpy()
    matrix = pd.DataFrame(values.reshape(len(frequency), len(recency)),
                          index=pd.Index(frequency.astype(int), name="frequency"),
                          columns=pd.Index(recency.astype(int), name="recency"))
    matrix.attrs.update(what="p_alive" if horizon is None else "expected_purchases", T=float(T), horizon=horizon,
                        time_unit=model.time_unit_)
    return matrix


def transactions_over_time(model, transactions: pd.DataFrame, *, time_unit: str = "week",
                           customer_id_col: str = "customer_id", datetime_col: str = "date",
                           observation_period_end=None, calibration_period_end=None) -> pd.DataFrame:
    """Repeat purchases of all customers over calendar time: observed, and expected by the model.

    expected cumulative(e) = sum over customers i of E[X(T_i(e))], with T_i(e) the periods (of the
    model's unit) between customer i's first purchase and the last period before e, and E[X(t)]
    the model's expected repeat purchases of a new customer by t. Observed: repeat purchase
    periods (as :func:`rk.rfm_summary` counts them) before e. The model knows when each customer
    joined, not what they did: the curves part where the model is wrong about the population.

    Parameters
    ----------
    model : fitted BetaGeo, ParetoNBD or ModifiedBetaGeo
    transactions : DataFrame, the purchase log (one row per purchase)
    time_unit : str, default "week"
        The length of the reporting periods (the model's own unit counts purchases).
    customer_id_col, datetime_col : str
    observation_period_end : date, optional, exclusive; default midnight after the last purchase
    calibration_period_end : date, optional
        Recorded in ``attrs`` so that a plot can mark where the model's fitting data end.

    Returns
    -------
    DataFrame indexed by ``period_end`` (exclusive): ``actual_cumulative``, ``model_cumulative``,
    ``actual`` and ``model`` (repeat purchases in the period).

    Raises
    ------
    InputError
        For an unfitted or unknown model, a bad log, or an unknown time unit.

    Examples
    --------
    >>> import retention_kit as rk
    >>> tx = rk.datasets.make_transactions(1500, random_state=0).data
    >>> model = rk.clv.BetaGeo().fit(rk.rfm_summary(tx))
    >>> table = transactions_over_time(model, tx, time_unit="month")
    >>> list(table.columns), len(table)
    (['actual_cumulative', 'model_cumulative', 'actual', 'model'], 24)
    """
    require_purchase_model(model)
    time_unit = require_time_unit(time_unit)
    log = require_transactions(transactions, customer_id_col=customer_id_col, datetime_col=datetime_col,
                               monetary_value_col=None)
    end = (log.timestamp(observation_period_end, "observation_period_end") if observation_period_end is not None
           else log.default_end())
    keep = (log.dates < end).to_numpy()
    unit = model.time_unit_
    periods = period_numbers(log.dates.to_numpy("datetime64[ns]")[keep], unit)
    ids = pd.factorize(log.frame[customer_id_col].to_numpy()[keep])[0]
    pairs = np.unique(np.column_stack([ids, periods]), axis=0)           # one row per customer and purchase period
    first = np.minimum.reduceat(pairs[:, 1], np.flatnonzero(np.r_[True, pairs[1:, 0] != pairs[:-1, 0]]))
    origin = int(first.min())
    repeat_periods = pairs[:, 1][np.r_[False, pairs[1:, 0] == pairs[:-1, 0]]] - origin
    span = int(period_numbers(np.array([(end - pd.Timedelta(1, unit="ns")).to_datetime64()]), unit)[0]) - origin
    joined = np.bincount(first - origin, minlength=span + 1)
    new = pd.DataFrame({"frequency": [0.0], "recency": [0.0], "T": [0.0]})
    new.attrs["time_unit"] = unit
    path = np.r_[0.0, model.purchase_path(new, periods=span).to_numpy()[0]] if span > 0 else np.zeros(1)
    expected = np.convolve(joined, path)[: span + 1]
    observed = np.cumsum(np.bincount(repeat_periods, minlength=span + 1))
    start = log.dates[keep].min()
    numbers = period_numbers(np.array([start.to_datetime64()]), time_unit)[0]
    ends = period_starts(np.arange(numbers + 1, period_numbers(np.array([end.to_datetime64()]), time_unit)[0] + 2),
                         time_unit)
    ends = ends[ends < end].append(pd.DatetimeIndex([end])).unique()
    last = period_numbers((ends - pd.Timedelta(1, unit="ns")).to_numpy(), unit) - origin
    table = pd.DataFrame({"actual_cumulative": observed[last].astype(float), "model_cumulative": expected[last]},
                         index=pd.Index(ends, name="period_end"))
    table["actual"] = table["actual_cumulative"].diff().fillna(table["actual_cumulative"])
    table["model"] = table["model_cumulative"].diff().fillna(table["model_cumulative"])
    table.attrs.update(time_unit=time_unit, model_time_unit=unit, calibration_period_end=(
        None if calibration_period_end is None else log.timestamp(calibration_period_end, "calibration_period_end")))
    return table


def compare_models(split: pd.DataFrame, models: dict | None = None) -> pd.DataFrame:
    """Fit several purchase models on the calibration period and compare fit and holdout error.

    AIC = 2k - 2 LL and BIC = k ln(n) - 2 LL (k parameters, n customers, LL the calibration
    log-likelihood; lower is better, and only on the same data). Holdout: each customer's expected
    purchases over the holdout period, given the calibration history, against what they did.

    Parameters
    ----------
    split : DataFrame from :func:`rk.calibration_holdout_summary`
    models : dict of name -> unfitted model, optional
        Default BG/NBD, Pareto/NBD and MBG/NBD. The models are fitted in place.

    Returns
    -------
    DataFrame, one row per model: ``parameters``, ``log_likelihood``, ``AIC``, ``BIC``,
    ``holdout_predicted`` and ``holdout_actual`` (total repeat purchases), ``holdout_error``
    (predicted / actual - 1) and ``holdout_mae`` (mean absolute error per customer).

    Raises
    ------
    InputError
        For a split without the expected columns, or a model that is not a purchase model.
    ConvergenceError
        When a model does not converge (its message says what to try).

    Examples
    --------
    >>> import retention_kit as rk
    >>> tx = rk.datasets.make_transactions(2000, random_state=2).data
    >>> split = rk.calibration_holdout_summary(tx, calibration_period_end="2025-07-01")
    >>> table = compare_models(split, {"BG/NBD": rk.clv.BetaGeo()})
    >>> list(table.columns)[:4]
    ['parameters', 'log_likelihood', 'AIC', 'BIC']
    """
    require_columns(split, ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout"], "split",
                    "build it with rk.calibration_holdout_summary")
    if models is None:
        models = {"BG/NBD": BetaGeo(), "Pareto/NBD": ParetoNBD(), "MBG/NBD": ModifiedBetaGeo()}
    if not isinstance(models, dict) or not models:
        raise InputError("models must be a dict of name -> unfitted model, such as {'BG/NBD': rk.clv.BetaGeo()}.")
    calibration = split.rename(columns={"frequency_cal": "frequency", "recency_cal": "recency", "T_cal": "T"})
    actual = split["frequency_holdout"].to_numpy(dtype=float)
    rows = {}
    for name, model in models.items():
        if not isinstance(model, PurchaseModel):
            raise InputError(f"models[{name!r}] must be an rk.clv.BetaGeo, ParetoNBD or ModifiedBetaGeo, got "
                             f"{type(model).__name__}.")
        model.fit(calibration)
        predicted = model.expected_purchases(calibration, horizon=float(split["duration_holdout"].iloc[0])).to_numpy()
        k, n, ll = len(model.params_), len(calibration), model.log_likelihood_
        rows[name] = {"parameters": k, "log_likelihood": ll, "AIC": 2 * k - 2 * ll, "BIC": k * np.log(n) - 2 * ll,
                      "holdout_predicted": predicted.sum(), "holdout_actual": actual.sum(),
                      "holdout_error": predicted.sum() / actual.sum() - 1,
                      "holdout_mae": float(np.abs(predicted - actual).mean())}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    table.attrs["time_unit"] = split.attrs.get("time_unit")
    return table
