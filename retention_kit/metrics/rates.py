"""Proportions with intervals: the share of a group in which something happened."""
from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

from ..results import MetricResult
from ..validation import (Confidence, InputError, Integer, as_flag, require_columns, require_frame, require_labels,
                          validate)

__all__ = ["z_value", "proportion", "rate_by", "calibration_table"]


def z_value(confidence: float) -> float:
    """The two-sided normal quantile of a confidence level: 1.96 for 0.95.

    Parameters
    ----------
    confidence : float, strictly between 0 and 1

    Returns
    -------
    float, z with P(-z < Z < z) = confidence.

    Raises
    ------
    InputError
        For a confidence outside (0, 1).

    Examples
    --------
    >>> round(z_value(0.95), 4)
    1.96
    """
    confidence = Confidence()("confidence", confidence)
    return NormalDist().inv_cdf(0.5 + confidence / 2)


@validate(successes=Integer(low=0), n=Integer(low=1), confidence=Confidence())
def proportion(successes: int, n: int, *, confidence: float = 0.95) -> MetricResult:
    """The share ``successes / n`` with its Wilson score interval.

    centre = (p + z^2 / 2n) / (1 + z^2 / n);  half-width = z sqrt(p(1 - p)/n + z^2 / 4n^2) / (1 + z^2 / n).
    Unlike p +/- z SE, the interval stays inside [0, 1] and behaves for small n and p near 0 or 1.

    Parameters
    ----------
    successes : int
        How many of the ``n`` had the outcome.
    n : int
        How many there were, at least 1.
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"proportion"``) with ``value`` (a fraction), ``ci``, ``se``, and parts
    ``successes`` and ``n``.

    Raises
    ------
    InputError
        For counts that are not whole, negative, or ``successes > n``.

    References
    ----------
    Wilson (1927); Brown, Cai & DasGupta (2001), "Interval estimation for a binomial proportion".

    Examples
    --------
    >>> r = proportion(8, 10)
    >>> r.value, tuple(round(x, 4) for x in r.ci)
    (0.8, (0.4902, 0.9433))
    """
    from ..validation import InputError
    if successes > n:
        raise InputError(f"successes={successes} is more than n={n}; a share cannot exceed 1.")
    z = z_value(confidence)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return MetricResult(kind="proportion", name="Proportion", value=p, unit="fraction",
                        formula="successes / n (Wilson score interval)", parts=dict(successes=successes, n=n),
                        se=math.sqrt(p * (1 - p) / n), ci=(max(centre - half, 0.0), min(centre + half, 1.0)),
                        confidence=confidence)


@validate(confidence=Confidence())
def rate_by(frame: pd.DataFrame, by, outcome: str, *, flag_values=None, confidence: float = 0.95) -> pd.DataFrame:
    """Share of rows where a True/False ``outcome`` is True, per group, with Wilson intervals.

    Parameters
    ----------
    frame : DataFrame
    by : str or list of str
        The column(s) that define the groups; no label may be missing.
    outcome : str
        A True/False column (booleans or 0/1; other values need ``flag_values``).
    flag_values : dict, optional
        How to read a text outcome, for example ``{"Yes": True, "No": False}``.
    confidence : float, default 0.95

    Returns
    -------
    DataFrame indexed by the group's value(s), columns ``n``, ``events``, ``rate`` (a
    fraction), ``ci_low``, ``ci_high``; ``attrs["confidence"]`` records the level.

    Raises
    ------
    InputError
        For a missing column, a missing group label or outcome, or an outcome that is not True/False.

    Examples
    --------
    >>> df = pd.DataFrame({"support": ["yes", "yes", "no", "no"], "churned": [False, False, True, False]})
    >>> rate_by(df, "support", "churned")["rate"].to_dict()
    {'no': 0.5, 'yes': 0.0}
    """
    require_frame(frame, "frame")
    keys = [by] if isinstance(by, str) else list(by)
    require_columns(frame, keys + [outcome], "frame", "pass existing column names")
    for key in keys:
        require_labels(frame[key], key)
    flags = as_flag(frame[outcome], outcome, flag_values)
    grouped = flags.groupby([frame[k] for k in keys], observed=True).agg(n="size", events="sum")
    grouped["events"] = grouped["events"].astype(int)
    grouped["rate"] = grouped["events"] / grouped["n"]
    bounds = [proportion(e, n, confidence=confidence).ci for e, n in zip(grouped["events"], grouped["n"])]
    grouped["ci_low"] = [b[0] for b in bounds]
    grouped["ci_high"] = [b[1] for b in bounds]
    grouped.attrs["confidence"] = confidence
    return grouped


@validate(bins=Integer(low=1), confidence=Confidence())
def calibration_table(predicted, outcome, *, bins: int = 10, confidence: float = 0.95) -> pd.DataFrame:
    """Predicted probabilities against what happened, in bins of equal size: is a model calibrated?

    Customers are sorted by ``predicted`` and cut into ``bins`` groups of (nearly) equal size.
    In each, the mean prediction is set beside the observed share of True outcomes and its
    Wilson interval. A calibrated model has the mean prediction inside the interval in most bins
    (with 10 bins at 95%, one miss is no surprise).

    Parameters
    ----------
    predicted : Series of probabilities in [0, 1] (P(alive), a churn score...)
    outcome : Series of True/False indexed like ``predicted`` (was the customer alive? did they churn?)
    bins : int, default 10
    confidence : float, default 0.95

    Returns
    -------
    DataFrame indexed by bin (1 = lowest predictions): ``n``, ``predicted`` (mean), ``observed``
    (share True), ``ci_low``, ``ci_high``.

    Raises
    ------
    InputError
        For predictions outside [0, 1] or missing, outcomes that are not True/False, series that
        do not share one index, or more bins than customers.

    Examples
    --------
    >>> p = pd.Series([0.1, 0.2, 0.8, 0.9]); y = pd.Series([False, False, True, False])
    >>> calibration_table(p, y, bins=2)[["n", "predicted", "observed"]].round(2).to_dict("index")
    {1: {'n': 2, 'predicted': 0.15, 'observed': 0.0}, 2: {'n': 2, 'predicted': 0.85, 'observed': 0.5}}
    """
    predicted, outcome = pd.Series(predicted), pd.Series(outcome)
    if len(predicted) != len(outcome) or not predicted.index.sort_values().equals(outcome.index.sort_values()):
        raise InputError("predicted and outcome must be indexed by the same customers; align them first.")
    values = pd.to_numeric(predicted, errors="coerce")
    bad = values.isna() | (values < 0) | (values > 1)
    if bad.any():
        raise InputError(f"predicted must hold probabilities between 0 and 1; {int(bad.sum())} value(s) are missing "
                         f"or outside (first: {predicted[bad].iloc[0]!r} for {predicted.index[bad][0]!r}).")
    if bins > len(values):
        raise InputError(f"bins={bins} is more than the {len(values)} customers; use at most {len(values)}.")
    flags = as_flag(outcome.reindex(values.index), "outcome", None)
    order = np.argsort(values.to_numpy(), kind="stable")
    label = np.empty(len(values), dtype=int)
    label[order] = np.arange(len(values)) * bins // len(values) + 1
    table = pd.DataFrame({"p": values.to_numpy(), "y": flags.to_numpy(dtype=bool)}).groupby(label).agg(
        n=("p", "size"), predicted=("p", "mean"), events=("y", "sum"))
    table["observed"] = table["events"] / table["n"]
    bounds = [proportion(int(e), int(n), confidence=confidence).ci for e, n in zip(table["events"], table["n"])]
    table["ci_low"], table["ci_high"] = [b[0] for b in bounds], [b[1] for b in bounds]
    table.index.name = "bin"
    table.attrs["confidence"] = confidence
    return table.drop(columns="events")
