"""How sure can we be? Intervals for any statistic of a table, by resampling its rows.

The kit's metrics carry their own intervals (Wilson, Greenwood, Hessian). For a statistic without a
formula (a plan-adjusted difference, a total lifetime value, a curve computed by a chain of steps),
:func:`bootstrap` resamples the customers, recomputes the statistic and reports the spread.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from .results import MetricResult
from .validation import (Confidence, InputError, Integer, RandomState, require_columns, require_frame,
                         require_labels, validate)

__all__ = ["bootstrap"]


@validate(n_resamples=Integer(low=20, hint="Use a few hundred for an interval, 1,000 or more for a publication."),
          confidence=Confidence(), random_state=RandomState())
def bootstrap(data: pd.DataFrame, statistic: Callable[[pd.DataFrame], float], *, n_resamples: int = 1000,
              by: str | None = None, confidence: float = 0.95, random_state=None) -> MetricResult:
    """The percentile bootstrap interval of ``statistic(data)``: resample the rows, recompute, take quantiles.

    Each resample draws ``len(data)`` rows with replacement (within each group of ``by``, keeping
    the group sizes: a stratified bootstrap, for groups sampled separately, such as survey waves).
    The interval is the (1 - confidence)/2 and (1 + confidence)/2 quantiles of the recomputed
    statistic; the standard error is their standard deviation. One row must be one independent
    unit (a customer): resampling purchases of the same customer separately understates the spread.

    Parameters
    ----------
    data : DataFrame, one row per independent unit
    statistic : callable taking a DataFrame and returning a number
    n_resamples : int, default 1000
    by : str, optional
        A column whose groups are resampled separately.
    confidence : float, default 0.95
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    MetricResult (kind ``"bootstrap"``) with ``value`` = statistic(data), ``se``, ``ci`` and parts
    ``n_resamples`` and ``failed`` (resamples whose statistic was not a finite number, left out).

    Raises
    ------
    InputError
        For an empty table, a missing ``by`` column or label, a statistic that is not a finite
        number on the data, or fewer than 20 resamples.

    References
    ----------
    Efron & Tibshirani (1993), *An Introduction to the Bootstrap*, chapter 13.

    Examples
    --------
    >>> data = pd.DataFrame({"spend": np.arange(1.0, 101.0)})
    >>> r = bootstrap(data, lambda d: d["spend"].mean(), n_resamples=500, random_state=0)
    >>> r.value, 44 < r.ci[0] < 47, 54 < r.ci[1] < 57
    (50.5, True, True)
    """
    require_frame(data, "data")
    if not callable(statistic):
        raise InputError(f"statistic must be a function of a DataFrame returning a number, got {statistic!r}.")
    value = float(statistic(data))
    if not np.isfinite(value):
        raise InputError(f"statistic(data) is {value}, not a finite number; check the statistic on the data first.")
    rng = np.random.default_rng(random_state)
    if by is None:
        groups = [np.arange(len(data))]
    else:
        require_columns(data, [by], "data", "pass an existing column as by")
        require_labels(data[by], by)
        groups = [np.flatnonzero((data[by] == g).to_numpy()) for g in pd.unique(data[by])]
    replicates = np.empty(n_resamples)
    for i in range(n_resamples):
        rows = np.concatenate([g[rng.integers(0, len(g), len(g))] for g in groups])
        replicates[i] = statistic(data.iloc[rows])
    finite = np.isfinite(replicates)
    if finite.sum() < 0.9 * n_resamples:
        raise InputError(f"the statistic was not a finite number in {int((~finite).sum())} of {n_resamples} "
                         f"resamples; it is too unstable on this data for a bootstrap interval.")
    kept = replicates[finite]
    low, high = np.quantile(kept, [(1 - confidence) / 2, (1 + confidence) / 2])
    name = getattr(statistic, "__name__", "statistic")
    return MetricResult(kind="bootstrap", name=f"Bootstrap of {name}", value=value, unit="",
                        formula="percentile interval of the statistic over resamples of the rows",
                        parts=dict(n_resamples=n_resamples, failed=int((~finite).sum())),
                        se=float(kept.std(ddof=1)), ci=(float(low), float(high)), confidence=confidence)
