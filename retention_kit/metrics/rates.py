"""Proportions with intervals: the share of a group in which something happened."""
from __future__ import annotations

import math
from statistics import NormalDist

import pandas as pd

from ..results import MetricResult
from ..validation import (Confidence, Integer, as_flag, require_columns, require_frame, require_labels, validate)

__all__ = ["z_value", "proportion", "rate_by"]


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
