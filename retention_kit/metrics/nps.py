"""Net Promoter Score: the score, its interval, changes between waves, and sample sizes.

Taught in ``notebooks/01_net_promoter_score.ipynb``.
"""
from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

from ..results import MetricResult, require_result
from ..validation import (Confidence, InputError, Probability, Real, label, require_numeric, to_series, validate)
from .rates import z_value

__all__ = ["nps", "nps_from_shares", "nps_difference", "nps_sample_size", "nps_sample_size_for_change",
           "nps_category", "whole_scores"]

_NPS_FORMULA = "NPS = 100 * (promoters - detractors) / n;  SE = 100 * sqrt((pP + pD - (pP - pD)^2) / n)"


def whole_scores(values, name: str, low: int, high: int) -> tuple[np.ndarray, int]:
    """Survey answers checked as whole numbers in [low, high]; returns (answers, number skipped).

    Missing answers (NaN, None) are skipped questions: they are counted and returned apart.

    Parameters
    ----------
    values : list, array or Series
    name : str, the argument's name for messages
    low, high : int, the scale

    Returns
    -------
    (numpy.ndarray of int, int): the answers, and how many were skipped.

    Raises
    ------
    InputError
        For text, fractions, values outside the scale, or no answer at all.

    Examples
    --------
    >>> whole_scores([9, None, 3], "scores", 0, 10)
    (array([9, 3]), 1)
    """
    series = to_series(values, name)
    numeric = require_numeric(series, name)
    missing = int(numeric.isna().sum())
    kept = numeric.dropna()
    fractional = kept[kept != np.round(kept)]
    if len(fractional):
        raise InputError(f"{name} must be whole numbers on the {low}-{high} scale; found {fractional.iloc[0]!r} "
                         f"at position {label(fractional.index[0])} ({len(fractional)} such value(s)). "
                         f"Fix: round or correct them; averaged scores cannot be classified.")
    outside = kept[(kept < low) | (kept > high)]
    if len(outside):
        raise InputError(f"{name} must lie between {low} and {high}; found {outside.iloc[0]:g} at position "
                         f"{label(outside.index[0])} ({len(outside)} such value(s)). Fix: correct them, or pass the "
                         f"right scale.")
    if len(kept) == 0:
        raise InputError(f"{name} has no answers: all {missing} value(s) are missing.")
    return kept.to_numpy(dtype=int), missing


def nps_category(score):
    """``"promoter"`` for 9-10, ``"passive"`` for 7-8, ``"detractor"`` for 0-6; missing stays missing.

    Parameters
    ----------
    score : number, list, array or Series of 0-10 scores

    Returns
    -------
    str for one score; an object array for a list or array; a Series (same index) for a Series.

    Raises
    ------
    Nothing: values that are not numbers are treated as missing; use :func:`nps` to validate scores.

    Examples
    --------
    >>> nps_category(9), nps_category([3, 7, None]).tolist()
    ('promoter', ['detractor', 'passive', None])
    """
    values = pd.to_numeric(pd.Series(score) if np.ndim(score) else pd.Series([score]), errors="coerce")
    labels = np.where(values >= 9, "promoter", np.where(values >= 7, "passive", "detractor")).astype(object)
    labels[values.isna().to_numpy()] = None
    if isinstance(score, pd.Series):
        return pd.Series(labels, index=score.index, name="category")
    return labels[0] if np.ndim(score) == 0 else labels


def _shares(p_promoters, p_detractors):
    if p_promoters + p_detractors > 1 + 1e-12:
        raise InputError(f"p_promoters + p_detractors = {p_promoters + p_detractors:g} exceeds 1; the shares of one "
                         f"survey cannot add to more than 1.")
    return p_promoters + p_detractors - (p_promoters - p_detractors) ** 2   # variance of one answer / 100^2


@validate(p_promoters=Probability(), p_detractors=Probability(), n=Real(low=1), confidence=Confidence())
def nps_from_shares(p_promoters: float, p_detractors: float, n: float, *, confidence: float = 0.95) -> MetricResult:
    """NPS, its standard error and interval from the two shares and the number of answers.

    NPS = 100 (pP - pD); SE = 100 sqrt((pP + pD - (pP - pD)^2) / n); interval NPS +/- z SE
    clipped to [-100, 100]. Used by :func:`nps` and by the interval explorer.

    Parameters
    ----------
    p_promoters, p_detractors : float
        Shares of promoters and detractors, fractions adding to at most 1.
    n : number of answers, at least 1.
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"nps"``) with ``value`` in points, ``se``, ``ci``. Below
    ``SMALL_SAMPLE`` answers, or with fewer than ``SMALL_COUNT`` promoters or detractors, its
    ``notes`` say the interval is unreliable: the normal approximation needs many answers in both
    tails (ten promoters in a row give an interval of zero width).

    Raises
    ------
    InputError
        For shares outside [0, 1] or adding to more than 1, or n below 1.

    Examples
    --------
    >>> r = nps_from_shares(0.25, 0.075, 1000)
    >>> round(r.value, 1), round(r.se, 2)
    (17.5, 1.72)
    """
    variance = _shares(p_promoters, p_detractors)
    z = z_value(confidence)
    value = 100 * (p_promoters - p_detractors)
    se = 100 * math.sqrt(max(variance, 0.0) / n)
    return MetricResult(kind="nps", name="Net Promoter Score", value=value, unit="points", formula=_NPS_FORMULA,
                        parts=dict(n=n, p_promoters=p_promoters, p_detractors=p_detractors), se=se,
                        ci=(max(value - z * se, -100.0), min(value + z * se, 100.0)), confidence=confidence,
                        notes=_small_sample_notes(n, p_promoters, p_detractors))


SMALL_SAMPLE = 30        # answers
SMALL_COUNT = 5          # promoters or detractors


def _small_sample_notes(n: float, p_promoters: float, p_detractors: float) -> tuple[str, ...]:
    fewest = round(min(p_promoters, p_detractors) * n, 6)     # a count, from shares
    if n >= SMALL_SAMPLE and fewest >= SMALL_COUNT:
        return ()
    why = (f"only {n:g} answers" if n < SMALL_SAMPLE else
           f"only {fewest:g} {'promoters' if p_promoters <= p_detractors else 'detractors'} among {n:g} answers")
    return (f"{why}: the interval rests on a normal approximation that is unreliable with fewer than {SMALL_SAMPLE} "
            f"answers or {SMALL_COUNT} promoters or detractors (it can be far too narrow, even of zero width); "
            f"collect more answers (rk.nps_sample_size says how many), or use a bootstrap, before deciding on it.",)


@validate(confidence=Confidence())
def nps(scores, *, confidence: float = 0.95) -> MetricResult:
    """Net Promoter Score of 0-10 answers to "How likely are you to recommend us?".

    NPS = 100 (pP - pD), where pP is the share of promoters (9-10) and pD the share of
    detractors (0-6); passives (7-8) count in the denominator only. Standard error, in points:
    100 sqrt((pP + pD - (pP - pD)^2) / n); the interval is NPS +/- z SE (normal
    approximation), clipped to [-100, 100].

    Parameters
    ----------
    scores : list, array or Series of whole numbers 0-10
        Skipped answers (NaN/None) are not answers: they are left out of n and counted in
        ``result.missing``.
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"nps"``) with ``value`` (points, -100..100), ``se``, ``ci``, and parts
    ``n``, ``promoters``, ``passives``, ``detractors``, their shares ``p_promoters``,
    ``p_passives``, ``p_detractors``, and ``missing``.

    Raises
    ------
    InputError
        For a score outside 0-10, a fractional or non-numeric score, or no answers.

    References
    ----------
    Reichheld (2003), "The One Number You Need to Grow", Harvard Business Review.

    Examples
    --------
    >>> r = nps([10] * 250 + [8] * 675 + [3] * 75)
    >>> round(r.value, 1), round(r.se, 2), tuple(round(x, 1) for x in r.ci)
    (17.5, 1.72, (14.1, 20.9))
    """
    values, missing = whole_scores(scores, "scores", 0, 10)
    n = len(values)
    promoters, detractors = int((values >= 9).sum()), int((values <= 6).sum())
    passives = n - promoters - detractors
    base = nps_from_shares(promoters / n, detractors / n, n, confidence=confidence)
    return MetricResult(
        kind="nps", name="Net Promoter Score", value=base.value, unit="points", formula=_NPS_FORMULA,
        parts=dict(n=n, promoters=promoters, passives=passives, detractors=detractors, p_promoters=promoters / n,
                   p_passives=passives / n, p_detractors=detractors / n, missing=missing),
        se=base.se, ci=base.ci, confidence=confidence, notes=base.notes)


@validate(confidence=Confidence())
def nps_difference(before, after, *, confidence: float = 0.95) -> MetricResult:
    """Change in NPS between two independent survey waves, with its interval and test.

    difference = NPS_after - NPS_before;  SE = sqrt(SE_before^2 + SE_after^2);
    z = difference / SE; two-sided p-value = 2 (1 - Phi(|z|)).

    Parameters
    ----------
    before, after : scores, or results of :func:`nps`
        The waves must be independent samples (different respondents).
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"nps_difference"``) with ``value`` in points, ``se``, ``ci`` and parts
    ``nps_before``, ``nps_after``, ``n_before``, ``n_after``, ``z``, ``p_value``, ``significant``.

    Raises
    ------
    InputError
        For invalid scores, or a result of another metric (a CSAT result, say).

    Examples
    --------
    >>> d = nps_difference([10, 9, 3, 7] * 50, [10, 9, 9, 7] * 50)   # NPS 25 -> 75
    >>> round(d.value, 1)
    50.0
    """
    z_crit = z_value(confidence)
    a, b = (require_result(x, "nps", name) if isinstance(x, MetricResult) else nps(x, confidence=confidence)
            for x, name in ((before, "before"), (after, "after")))
    diff = b.value - a.value
    se = math.sqrt(a.se ** 2 + b.se ** 2)
    z = diff / se if se > 0 else math.copysign(math.inf, diff) if diff else 0.0
    p_value = math.erfc(abs(z) / math.sqrt(2))
    return MetricResult(
        kind="nps_difference", name="Change in NPS", value=diff, unit="points",
        formula="NPS_after - NPS_before;  SE = sqrt(SE_before^2 + SE_after^2);  z = difference / SE",
        parts=dict(nps_before=a.value, nps_after=b.value, n_before=a.n, n_after=b.n, z=z, p_value=p_value,
                   significant=bool(p_value < 1 - confidence)),
        se=se, ci=(diff - z_crit * se, diff + z_crit * se), confidence=confidence)


@validate(half_width=Real(low=0, closed="neither", hint="It is in NPS points, for example 5."),
          p_promoters=Probability(), p_detractors=Probability(), confidence=Confidence())
def nps_sample_size(half_width: float, *, p_promoters: float = 0.5, p_detractors: float = 0.5,
                    confidence: float = 0.95) -> MetricResult:
    """Responses needed for an NPS interval of +/- ``half_width`` points.

    n = z^2 (pP + pD - (pP - pD)^2) / (half_width / 100)^2, rounded up. The default shares
    (0.5, 0.5) give the worst case, a variance of 1 (1,537 responses for +/- 5 points at 95%).

    Parameters
    ----------
    half_width : float
        The interval's half-width in NPS points (the "margin of error").
    p_promoters, p_detractors : float
        Expected shares; the defaults are the worst case.
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"sample_size"``) whose ``value`` is the whole number of responses.

    Raises
    ------
    InputError
        For a half-width that is not positive, or shares outside [0, 1] or adding to more than 1.

    Examples
    --------
    >>> nps_sample_size(5).value
    1537
    """
    variance = _shares(p_promoters, p_detractors)
    z = z_value(confidence)
    n = int(math.ceil(z ** 2 * variance / (half_width / 100) ** 2 - 1e-9))
    return MetricResult(kind="sample_size", name=f"Responses for +/- {half_width:g} NPS points", value=n, unit="count",
                        formula="n = z^2 * (pP + pD - (pP - pD)^2) / (half_width / 100)^2, rounded up",
                        parts=dict(z=z, variance_per_answer=variance), confidence=confidence)


@validate(change=Real(low=0, closed="neither", hint="It is in NPS points, for example 5."),
          p_promoters=Probability(), p_detractors=Probability(), power=Real(0, 1, closed="neither"),
          confidence=Confidence())
def nps_sample_size_for_change(change: float, *, p_promoters: float = 0.5, p_detractors: float = 0.5,
                               power: float = 0.8, confidence: float = 0.95) -> MetricResult:
    """Responses needed in *each* of two waves to detect a true NPS change of ``change`` points.

    n = (z_(1-alpha/2) + z_power)^2 * 2 sigma^2 / change^2, rounded up, where
    sigma^2 = 100^2 (pP + pD - (pP - pD)^2) is the per-answer variance (assumed equal in both
    waves) and the test is two-sided at ``confidence``.

    Parameters
    ----------
    change : float
        The true change to detect, in NPS points.
    p_promoters, p_detractors : float
        Expected shares.
    power : float, default 0.8
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"sample_size"``) whose ``value`` is the responses per wave.

    Raises
    ------
    InputError
        For a change that is not positive, or power, confidence or shares out of range.

    Examples
    --------
    >>> nps_sample_size_for_change(8, p_promoters=0.3, p_detractors=0.25).value   # (1.96 + 0.84)^2 * 2 * 5475 / 64
    1343
    """
    variance = 100 ** 2 * _shares(p_promoters, p_detractors)
    z_a, z_b = z_value(confidence), NormalDist().inv_cdf(power)
    n = int(math.ceil((z_a + z_b) ** 2 * 2 * variance / change ** 2 - 1e-9))
    return MetricResult(kind="sample_size", name=f"Responses per wave to detect {change:g} NPS points", value=n,
                        unit="count", formula="n = (z_alpha/2 + z_power)^2 * 2 sigma^2 / change^2, rounded up",
                        parts=dict(z_alpha=z_a, z_power=z_b, variance_per_answer=variance, power=power),
                        confidence=confidence)
