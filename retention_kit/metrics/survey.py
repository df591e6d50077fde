"""Survey metrics: Net Promoter Score and customer satisfaction (CSAT).

Taught in ``notebooks/01_net_promoter_score.ipynb`` and ``02_customer_satisfaction.ipynb``.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from ..results import MetricResult
from .rates import wilson_interval
from ..validation import _label, InputError, require_columns, require_frame, require_numeric, to_series

__all__ = ["nps", "nps_interval", "nps_difference", "nps_sample_size", "nps_sample_size_for_change", "csat", "csat_by", "nps_category"]


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise InputError(f"confidence={confidence!r} must be between 0 and 1, for example 0.95.")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _integer_scores(values, name: str, low: int, high: int) -> tuple[np.ndarray, int]:
    """Validate survey answers: numbers, whole, within [low, high]. Missing answers are counted."""
    series = to_series(values, name)
    numeric = require_numeric(series, name)
    missing = int(numeric.isna().sum())
    kept = numeric.dropna()
    fractional = kept[kept != np.round(kept)]
    if len(fractional):
        raise InputError(f"{name} must be whole numbers on the {low}-{high} scale; found {fractional.iloc[0]!r} "
                         f"at position {_label(fractional.index[0])} ({len(fractional)} such value(s)). "
                         f"Fix: round or correct them; averaged scores cannot be classified.")
    outside = kept[(kept < low) | (kept > high)]
    if len(outside):
        raise InputError(f"{name} must lie between {low} and {high}; found {outside.iloc[0]:g} at position "
                         f"{_label(outside.index[0])} ({len(outside)} such value(s)). Fix: correct them, or pass the "
                         f"right scale.")
    if len(kept) == 0:
        raise InputError(f"{name} has no answers: all {missing} value(s) are missing.")
    return kept.to_numpy(dtype=int), missing


def nps_category(score):
    """``"promoter"`` for 9-10, ``"passive"`` for 7-8, ``"detractor"`` for 0-6; missing stays missing.

    Takes one score, an array or a Series (the Series keeps its index).

    Example
    -------
    >>> nps_category(9), nps_category([3, 7, None]).tolist()
    ('promoter', ['detractor', 'passive', None])
    """
    values = pd.to_numeric(pd.Series(score) if np.ndim(score) else pd.Series([score]), errors="coerce")
    labels = np.where(values >= 9, "promoter", np.where(values >= 7, "passive", "detractor")).astype(object)
    labels[values.isna().to_numpy()] = None
    if isinstance(score, pd.Series):
        return pd.Series(labels, index=score.index, name="category")
    return labels[0] if np.ndim(score) == 0 else labels


def _missing_note(missing: int) -> tuple[str, ...]:
    return (f"{missing} missing answer(s) excluded",) if missing else ()


def nps_interval(p_promoters: float, p_detractors: float, n: int,
                 confidence: float = 0.95) -> tuple[float, float, tuple[float, float]]:
    """NPS, its standard error and interval from the two shares and the number of answers.

    NPS = 100 * (pP - pD); SE = 100 * sqrt((pP + pD - (pP - pD)**2) / n); interval
    NPS +/- z * SE clipped to [-100, 100]. Used by :func:`nps` and by the interval explorer.

    Example
    -------
    >>> value, se, ci = nps_interval(0.25, 0.075, 1000)
    >>> round(value, 1), round(se, 2)
    (17.5, 1.72)
    """
    z = _z(confidence)
    if not (0 <= p_promoters <= 1 and 0 <= p_detractors <= 1 and p_promoters + p_detractors <= 1):
        raise InputError(f"shares p_promoters={p_promoters!r}, p_detractors={p_detractors!r} must be fractions "
                         f"between 0 and 1 that add to at most 1.")
    if not n >= 1:
        raise InputError(f"n={n!r} must be at least 1 answer.")
    value = 100 * (p_promoters - p_detractors)
    se = 100 * math.sqrt(max(p_promoters + p_detractors - (p_promoters - p_detractors) ** 2, 0.0) / n)
    return value, se, (max(value - z * se, -100.0), min(value + z * se, 100.0))


def nps(scores, confidence: float = 0.95) -> MetricResult:
    """Net Promoter Score of 0-10 answers to "How likely are you to recommend us?".

    NPS = 100 * (p_P - p_D), where p_P is the share of promoters (9-10) and p_D the share of
    detractors (0-6); passives (7-8) count in the denominator only. Standard error, in points:
    100 * sqrt((p_P + p_D - (p_P - p_D)**2) / n); the interval is NPS +/- z * SE (normal
    approximation), clipped to [-100, 100].

    Parameters
    ----------
    scores : list, array or Series of whole numbers 0-10
        Missing answers (NaN/None) are excluded and counted in ``result.missing``.
    confidence : float, default 0.95

    Returns
    -------
    MetricResult with ``value`` (points, -100..100), ``se``, ``ci``, ``n``, ``promoters``,
    ``passives``, ``detractors``, their shares ``p_promoters``, ``p_passives``,
    ``p_detractors``, and ``missing``.

    Raises
    ------
    InputError for a score outside 0-10, a fractional or non-numeric score, or no answers.

    References: Reichheld (2003), "The One Number You Need to Grow", HBR.
    Lesson: ``01_net_promoter_score``.

    Example
    -------
    >>> r = nps([10] * 250 + [8] * 675 + [3] * 75)
    >>> round(r.value, 1), round(r.se, 2), tuple(round(x, 1) for x in r.ci)
    (17.5, 1.72, (14.1, 20.9))
    """
    values, missing = _integer_scores(scores, "scores", 0, 10)
    n = len(values)
    promoters, detractors = int((values >= 9).sum()), int((values <= 6).sum())
    passives = n - promoters - detractors
    p_p, p_d = promoters / n, detractors / n
    value, se, ci = nps_interval(p_p, p_d, n, confidence)
    return MetricResult(
        name="Net Promoter Score", value=value, unit="points",
        formula="NPS = 100 * (promoters - detractors) / n;  SE = 100 * sqrt((pP + pD - (pP - pD)^2) / n)",
        parts=dict(n=n, promoters=promoters, passives=passives, detractors=detractors,
                   p_promoters=p_p, p_passives=passives / n, p_detractors=p_d, missing=missing),
        se=se, ci=ci, confidence=confidence, notes=_missing_note(missing))


def nps_difference(before, after, confidence: float = 0.95) -> MetricResult:
    """Change in NPS between two independent survey waves, with its interval and test.

    difference = NPS_after - NPS_before;  SE = sqrt(SE_before**2 + SE_after**2);
    z = difference / SE; two-sided p-value = 2 * (1 - Phi(|z|)).

    ``before`` and ``after`` are score lists (or :func:`nps` results). The waves must be
    independent samples (different respondents).

    Example
    -------
    >>> d = nps_difference([10, 9, 3, 7] * 50, [10, 9, 9, 7] * 50)   # NPS 25 -> 75
    >>> round(d.value, 1)
    50.0
    """
    z_crit = _z(confidence)
    a = before if isinstance(before, MetricResult) else nps(before, confidence)
    b = after if isinstance(after, MetricResult) else nps(after, confidence)
    diff = b.value - a.value
    se = math.sqrt(a.se ** 2 + b.se ** 2)
    z = diff / se if se > 0 else math.copysign(math.inf, diff) if diff else 0.0
    p_value = float(2 * stats.norm.sf(abs(z)))
    return MetricResult(
        name="Change in NPS", value=diff, unit="points",
        formula="NPS_after - NPS_before;  SE = sqrt(SE_before^2 + SE_after^2);  z = difference / SE",
        parts=dict(nps_before=a.value, nps_after=b.value, n_before=a.n, n_after=b.n, z=z, p_value=p_value,
                   significant=bool(p_value < 1 - confidence)),
        se=se, ci=(diff - z_crit * se, diff + z_crit * se), confidence=confidence)


def nps_sample_size(margin: float, *, p_promoters: float = 0.5, p_detractors: float = 0.5,
                    confidence: float = 0.95) -> int:
    """Responses needed for an NPS interval of +/- ``margin`` points.

    n = z**2 * (p_P + p_D - (p_P - p_D)**2) / (margin / 100)**2, rounded up. The default shares
    (0.5, 0.5) give the worst case, variance 1 (about 1,537 responses for +/- 5 points at 95%).

    Example
    -------
    >>> nps_sample_size(5)
    1537
    """
    z = _z(confidence)
    if not margin > 0:
        raise InputError(f"margin={margin!r} must be a positive number of NPS points, for example 5.")
    for arg, p in (("p_promoters", p_promoters), ("p_detractors", p_detractors)):
        if not 0 <= p <= 1:
            raise InputError(f"{arg}={p!r} must be a share between 0 and 1 (25% is 0.25).")
    if p_promoters + p_detractors > 1:
        raise InputError(f"p_promoters + p_detractors = {p_promoters + p_detractors:g} exceeds 1; "
                         f"the shares of one survey cannot add to more than 1.")
    variance = p_promoters + p_detractors - (p_promoters - p_detractors) ** 2
    return int(math.ceil(z ** 2 * variance / (margin / 100) ** 2 - 1e-9))


def nps_sample_size_for_change(change: float, *, p_promoters: float = 0.5, p_detractors: float = 0.5,
                               power: float = 0.8, confidence: float = 0.95) -> int:
    """Responses needed in *each* of two waves to detect a true NPS change of ``change`` points.

    n = (z_(1-alpha/2) + z_power)**2 * 2 * sigma**2 / change**2, rounded up, where
    sigma**2 = 100**2 * (p_P + p_D - (p_P - p_D)**2) is the per-answer variance (assumed equal in
    both waves) and the test is two-sided at ``confidence``.

    Example
    -------
    >>> nps_sample_size_for_change(8, p_promoters=0.3, p_detractors=0.25)   # (1.96 + 0.84)^2 * 2 * 5475 / 64
    1343
    """
    z_a = _z(confidence)
    if not 0 < power < 1:
        raise InputError(f"power={power!r} must be between 0 and 1, for example 0.8.")
    if not change > 0:
        raise InputError(f"change={change!r} must be a positive number of NPS points, for example 5.")
    _, se_one, _ = nps_interval(p_promoters, p_detractors, 1, confidence)   # per-answer standard deviation
    z_b = float(stats.norm.ppf(power))
    return int(math.ceil((z_a + z_b) ** 2 * 2 * se_one ** 2 / change ** 2 - 1e-9))


def _check_scale(scale: int, satisfied) -> tuple[int, ...]:
    if not isinstance(scale, (int, np.integer)) or scale < 2:
        raise InputError(f"scale={scale!r} must be the top rating, a whole number such as 5 or 7.")
    satisfied = tuple(int(s) for s in np.atleast_1d(satisfied))
    outside = [s for s in satisfied if not 1 <= s <= scale]
    if outside or not satisfied:
        raise InputError(f"satisfied={satisfied!r} must list ratings from 1 to {scale} that count as "
                         f"satisfied, for example (4, 5) on a 5-point scale.")
    return satisfied


def csat(ratings, scale: int = 5, satisfied=(4, 5), confidence: float = 0.95) -> MetricResult:
    """Customer satisfaction score: the percentage of ratings that count as satisfied.

    CSAT = 100 * (number of ratings in ``satisfied``) / n, the "top-2-box" share on a 1-5 scale.
    The interval is the Wilson score interval for a proportion. The mean rating, with a
    t-interval, is reported alongside because some teams quote it instead; the two answer
    different questions (how many are happy vs how happy on average).

    Parameters
    ----------
    ratings : whole numbers from 1 to ``scale``; missing ratings are excluded and counted.
    scale : int, default 5
    satisfied : ratings that count as satisfied, default (4, 5)
    confidence : float, default 0.95

    Returns
    -------
    MetricResult with ``value`` in percent, ``ci`` (Wilson), ``n``, ``satisfied``,
    ``mean_rating``, ``mean_ci`` and ``missing``.

    Lesson: ``02_customer_satisfaction``.

    Example
    -------
    >>> r = csat([5, 4, 3, 2, 5])
    >>> r.value, r.satisfied, r.mean_rating
    (60.0, 3, 3.8)
    """
    z = _z(confidence)
    satisfied = _check_scale(scale, satisfied)
    values, missing = _integer_scores(ratings, "ratings", 1, scale)
    n = len(values)
    k = int(np.isin(values, satisfied).sum())
    low, high = wilson_interval(k, n, confidence)
    mean = float(values.mean())
    if n > 1:
        half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * values.std(ddof=1) / math.sqrt(n))
    else:
        half = math.nan
    return MetricResult(
        name="Customer satisfaction (CSAT)", value=100 * k / n, unit="%",
        formula=f"CSAT = 100 * ratings in {set(satisfied)} / n (Wilson interval)",
        parts=dict(n=n, satisfied=k, mean_rating=mean, mean_ci=(mean - half, mean + half), missing=missing),
        se=100 * math.sqrt(k / n * (1 - k / n) / n), ci=(100 * low, 100 * high), confidence=confidence,
        notes=_missing_note(missing))


def csat_by(responses: pd.DataFrame, by: str, *, rating_col: str = "csat", scale: int = 5,
            satisfied=(4, 5), confidence: float = 0.95) -> pd.DataFrame:
    """CSAT for each group (touchpoint, channel, wave...): one row per group.

    Columns: ``n``, ``satisfied``, ``csat`` (percent), ``ci_low``, ``ci_high``,
    ``mean_rating``, ``missing``; sorted by ``csat``.

    Example
    -------
    >>> df = pd.DataFrame({"touchpoint": ["app", "app", "support"], "csat": [5, 4, 2]})
    >>> csat_by(df, "touchpoint")["csat"].to_dict()
    {'support': 0.0, 'app': 100.0}
    """
    require_frame(responses, "responses")
    require_columns(responses, [by, rating_col], "responses")
    if responses[by].isna().any():
        raise InputError(f"column {by!r} has {int(responses[by].isna().sum())} missing group label(s); "
                         f"fill them (for example with 'unknown') so no rating is dropped.")
    rows = []
    for group, part in responses.groupby(by, sort=True, observed=True):
        r = csat(part[rating_col], scale=scale, satisfied=satisfied, confidence=confidence)
        rows.append(dict(group=group, n=r.n, satisfied=r.satisfied, csat=r.value, ci_low=r.ci[0],
                         ci_high=r.ci[1], mean_rating=r.mean_rating, missing=r.missing))
    return pd.DataFrame(rows).set_index("group").rename_axis(by).sort_values("csat")
