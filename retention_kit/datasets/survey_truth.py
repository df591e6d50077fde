"""What the survey simulator implies, computed exactly: questions a lesson can ask of the planted truth.

The survey of :func:`~retention_kit.datasets.make_survey` plants a mechanism (score -> rating ->
renewal), so it can answer a counterfactual that no real survey can: how many customers of a
touchpoint would renew if that touchpoint served them better.
"""
from __future__ import annotations

from statistics import NormalDist

import numpy as np

from ..validation import InputError, Real, validate
from .simulate import SCORE_PROBABILITIES

__all__ = ["survey_renewal_probability"]


@validate(touchpoint_effect=Real(), renewal_intercept=Real(), renewal_slope=Real())
def survey_renewal_probability(wave: int, touchpoint_effect: float, *, renewal_intercept: float = 1.0,
                               renewal_slope: float = 0.8) -> float:
    """Chance that a surveyed customer renews, for a touchpoint with the given effect, under the planted model.

    With score s ~ ``SCORE_PROBABILITIES[wave]``, rating k = clip(round(1 + 0.4 s + effect + e), 1, 5),
    e ~ Normal(0, 0.7), and P(renew | k) = logistic(renewal_intercept + renewal_slope (k - 3)):

    P(renew) = sum over s of P(s) sum over k of P(k | s, effect) P(renew | k),

    with P(k | s, effect) the normal probability of the interval of 1 + 0.4 s + effect + e that
    rounds to k (the outer ratings take the tails). Changing ``touchpoint_effect`` answers "what if
    this touchpoint served customers as well as another?" for the simulated customers.

    Parameters
    ----------
    wave : int, a wave of ``SCORE_PROBABILITIES`` (1 or 2)
    touchpoint_effect : float, the touchpoint's shift of the rating (``truth["touchpoint_effect"]``)
    renewal_intercept, renewal_slope : float, as in :func:`make_survey`

    Returns
    -------
    float, a probability.

    Raises
    ------
    InputError
        For an unknown wave or arguments that are not numbers.

    Examples
    --------
    >>> round(survey_renewal_probability(1, -0.6), 4) < round(survey_renewal_probability(1, -0.1), 4)
    True
    """
    if wave not in SCORE_PROBABILITIES:
        raise InputError(f"wave={wave!r} is not a wave of the survey simulator; choose from {list(SCORE_PROBABILITIES)}.")
    cdf = np.vectorize(NormalDist(0, 0.7).cdf)
    centre = 1 + 0.4 * np.arange(11)[:, None] + touchpoint_effect               # scores 0..10 in rows
    upper = np.r_[1.5, 2.5, 3.5, 4.5, np.inf]                                   # rating k covers (k - 0.5, k + 0.5]
    lower = np.r_[-np.inf, 1.5, 2.5, 3.5, 4.5]
    rating = cdf(upper[None, :] - centre) - cdf(lower[None, :] - centre)        # P(k | s), k = 1..5 in columns
    renew = 1 / (1 + np.exp(-(renewal_intercept + renewal_slope * (np.arange(1, 6) - 3))))
    return float(SCORE_PROBABILITIES[wave] @ rating @ renew)
