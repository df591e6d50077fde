"""Hazard ratios adjusted for other covariates: the Cox proportional-hazards model (lifelines)."""
from __future__ import annotations

import numpy as np  # noqa: F401  (the examples use it)
import pandas as pd

from ..validation import (Confidence, require_columns, require_complete, require_labels, require_numeric,
                          validate)
from .curves import _durations

__all__ = ["cox"]


@validate(confidence=Confidence())
def cox(lifetimes: pd.DataFrame, *, covariates, strata=None, duration_col: str = "duration",
        event_col: str = "churned", flag_values=None, confidence: float = 0.95) -> pd.DataFrame:
    """Hazard ratios from a Cox proportional-hazards model (lifelines), with intervals.

    h(t | x) = h0(t) exp(beta . x): each hazard ratio exp(beta) compares the churn hazard of customers
    one unit (or True against False) apart on that covariate, with the others held fixed. ``strata``
    lets each group (a plan, say) keep its own baseline hazard instead of assuming proportionality.
    A hazard ratio from observational data is an association adjusted for the covariates named,
    not an effect: anything unmeasured that goes with both the covariate and churn is still in it.

    Parameters
    ----------
    lifetimes : DataFrame from :func:`subscription_lifetimes`
    covariates : list of str
        Numeric or True/False columns; a text column is refused (make indicator columns first).
    strata : str or list of str, optional
    duration_col, event_col, flag_values : as in :func:`kaplan_meier`
    confidence : float, default 0.95

    Returns
    -------
    DataFrame indexed by covariate: ``hazard_ratio``, ``ci_low``, ``ci_high``, ``p_value``;
    ``attrs["confidence"]``.

    Raises
    ------
    InputError
        For missing columns or values, text covariates, or bad durations and events.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(0, 2, 400).astype(bool)
    >>> life = pd.DataFrame({"duration": rng.exponential(1 / np.where(x, 2.0, 1.0)), "churned": True, "x": x})
    >>> bool(1.5 < cox(life, covariates=["x"]).loc["x", "hazard_ratio"] < 2.7)
    True
    """
    from lifelines import CoxPHFitter
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    keys = [strata] if isinstance(strata, str) else list(strata or [])
    durations, events = _durations(lifetimes, duration_col, event_col, flag_values)
    require_columns(lifetimes, covariates + keys, "lifetimes", "pass existing column names")
    frame = pd.DataFrame({"_duration": durations.to_numpy(), "_event": events.to_numpy()})   # positions: the
    for name in covariates:                                                                  # index may repeat
        column = lifetimes[name]
        if pd.api.types.is_bool_dtype(column):
            column = column.astype(int)
        values = require_numeric(column, name)
        require_complete(values, name, "fill or drop those customers explicitly.")
        frame[name] = values.to_numpy()
    for key in keys:
        require_labels(lifetimes[key], key)
        frame[key] = lifetimes[key].to_numpy()
    model = CoxPHFitter(alpha=1 - confidence).fit(frame, duration_col="_duration", event_col="_event",
                                                  strata=keys or None)
    summary = model.summary
    table = pd.DataFrame({"hazard_ratio": summary["exp(coef)"],
                          "ci_low": summary[f"exp(coef) lower {100 * confidence:g}%"],
                          "ci_high": summary[f"exp(coef) upper {100 * confidence:g}%"],
                          "p_value": summary["p"]})
    table.index.name = "covariate"
    table.attrs["confidence"] = confidence
    return table
