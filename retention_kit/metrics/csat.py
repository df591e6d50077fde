"""Customer satisfaction (CSAT): the share of satisfied ratings, overall and by group.

Taught in ``notebooks/02_customer_satisfaction.ipynb``.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..results import MetricResult
from ..validation import (Confidence, InputError, Integer, require_columns, require_frame, require_labels, validate)
from .nps import whole_scores
from .rates import proportion

__all__ = ["csat", "csat_by"]


def _satisfied_ratings(scale: int, satisfied) -> tuple[int, ...]:
    try:
        ratings = tuple(int(s) for s in np.atleast_1d(satisfied) if float(s) == int(s))
    except (TypeError, ValueError):
        ratings = ()
    if not ratings or len(ratings) != np.size(satisfied) or any(not 1 <= s <= scale for s in ratings):
        raise InputError(f"satisfied={satisfied!r} must list whole ratings from 1 to {scale} that count as "
                         f"satisfied, for example (4, 5) on a 5-point scale.")
    return ratings


@validate(scale=Integer(low=2, hint="It is the top rating, such as 5 or 7."), confidence=Confidence())
def csat(ratings, *, scale: int = 5, satisfied=(4, 5), confidence: float = 0.95) -> MetricResult:
    """Customer satisfaction score: the percentage of ratings that count as satisfied.

    CSAT = 100 x (ratings in ``satisfied``) / n, the "top-2-box" share on a 1-5 scale. The
    interval is the Wilson score interval for a proportion. The mean rating, with a t-interval,
    is reported beside it because some teams quote it instead; the two answer different
    questions (how many are happy vs how happy on average).

    Parameters
    ----------
    ratings : whole numbers from 1 to ``scale``
        Skipped ratings (NaN/None) are left out of n and counted in ``result.missing``.
    scale : int, default 5
    satisfied : ratings that count as satisfied, default (4, 5)
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"csat"``) with ``value`` in percent, ``ci`` (Wilson), and parts ``n``,
    ``satisfied``, ``mean_rating``, ``mean_ci`` and ``missing``.

    Raises
    ------
    InputError
        For ratings outside 1..scale, fractional or non-numeric ratings, no ratings, or a bad
        ``satisfied`` list.

    Examples
    --------
    >>> r = csat([5, 4, 3, 2, 5])
    >>> r.value, r.satisfied, r.mean_rating
    (60.0, 3, 3.8)
    """
    from scipy.special import stdtrit      # scipy.special takes a third of a second to import: only when needed
    top = _satisfied_ratings(scale, satisfied)
    values, missing = whole_scores(ratings, "ratings", 1, scale)
    n = len(values)
    k = int(np.isin(values, top).sum())
    share = proportion(k, n, confidence=confidence)
    mean = float(values.mean())
    half = (float(stdtrit(n - 1, 0.5 + confidence / 2) * values.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan)
    return MetricResult(
        kind="csat", name="Customer satisfaction (CSAT)", value=100 * k / n, unit="%",
        formula=f"CSAT = 100 * ratings in {set(top)} / n (Wilson interval)",
        parts=dict(n=n, satisfied=k, mean_rating=mean, mean_ci=(mean - half, mean + half), missing=missing),
        se=100 * share.se, ci=(100 * share.ci[0], 100 * share.ci[1]), confidence=confidence)


@validate(confidence=Confidence())
def csat_by(responses: pd.DataFrame, by: str, *, rating_col: str = "csat", scale: int = 5, satisfied=(4, 5),
            confidence: float = 0.95) -> pd.DataFrame:
    """CSAT for each group (touchpoint, channel, wave...): one row per group.

    Parameters
    ----------
    responses : DataFrame, one row per response
    by : str
        The grouping column; no label may be missing.
    rating_col : str, default "csat"
    scale, satisfied, confidence : as in :func:`csat`

    Returns
    -------
    DataFrame indexed by the group's value, columns ``n``, ``satisfied``, ``csat`` (percent),
    ``ci_low``, ``ci_high``, ``mean_rating``, ``missing``; sorted by ``csat``;
    ``attrs["confidence"]`` records the level.

    Raises
    ------
    InputError
        For a missing column or group label, or invalid ratings in any group.

    Examples
    --------
    >>> df = pd.DataFrame({"touchpoint": ["app", "app", "support"], "csat": [5, 4, 2]})
    >>> csat_by(df, "touchpoint")["csat"].to_dict()
    {'support': 0.0, 'app': 100.0}
    """
    require_frame(responses, "responses")
    require_columns(responses, [by, rating_col], "responses", "pass existing column names")
    require_labels(responses[by], by)
    rows = []
    for group, part in responses.groupby(by, sort=True, observed=True):
        r = csat(part[rating_col], scale=scale, satisfied=satisfied, confidence=confidence)
        rows.append(dict(group=group, n=r.n, satisfied=r.satisfied, csat=r.value, ci_low=r.ci[0],
                         ci_high=r.ci[1], mean_rating=r.mean_rating, missing=r.missing))
    table = pd.DataFrame(rows).set_index("group").rename_axis(by).sort_values("csat")
    table.attrs["confidence"] = confidence
    return table
