"""Rankings judged on a randomized test: the Qini curve, the uplift curve and the Qini coefficient.

Customers are sorted by a score (a predicted uplift, or a churn risk), highest first; each curve
says what targeting the top k would have gained, measured on the test's treated and control
customers among those k. Taught in lesson 12.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..results import MetricResult
from ..validation import InputError, label
from .uplift import _flags

__all__ = ["qini_curve", "uplift_curve", "qini_coefficient", "sorted_arms"]


def sorted_arms(score, treated, outcome):
    """The order of the customers by score (highest first) and their treated and outcome flags in that order.

    Parameters
    ----------
    score : Series of scores, higher = first
    treated, outcome : Series of True/False (or 0/1) indexed like ``score``

    Returns
    -------
    (order, treated, outcome): positions sorting ``score`` from the highest (ties in index order), and
    the two flags as bool arrays in that order.

    Raises
    ------
    InputError
        For missing or non-numeric scores, misaligned inputs, flags that are not True/False, or an
        arm with no customer.

    Examples
    --------
    >>> order, t, y = sorted_arms(pd.Series([0.2, 0.9]), pd.Series([1, 0]), pd.Series([0, 1]))
    >>> order.tolist(), t.tolist(), y.tolist()
    ([1, 0], [False, True], [True, False])
    """
    s = pd.Series(score) if not isinstance(score, pd.Series) else score
    t, y = _flags(treated, outcome, s.index)
    if len(s) != len(t) or not s.index.equals(t.index):
        raise InputError(f"score has {len(s)} values indexed differently from treated and outcome ({len(t)}). Fix: "
                         "give all three the customers' index, in the same order.")
    values = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).any():
        raise InputError(f"score has missing or non-numeric values (first at {label(s.index[np.isnan(values)][0])}). "
                         f"Fix: score every customer.")
    order = np.argsort(-values, kind="stable")
    return order, t.to_numpy()[order], y.to_numpy()[order]


def qini_curve(score, treated, outcome) -> pd.DataFrame:
    """Incremental outcomes when the customers with the highest scores are targeted first (the Qini curve).

    Customers sorted by score, highest first; among the top k, with n_T(k), n_C(k) treated and
    control customers and Y_T(k), Y_C(k) their outcomes,
    Q(k) = Y_T(k) - Y_C(k) n_T(k) / n_C(k) (Radcliffe 2007): the extra outcomes (customers retained)
    among the treated of the top k, against what the control rate of the same top k predicts.
    Q(k) = 0 while the top k lacks either arm. The random line goes from 0 to Q(N). For the extra
    outcomes if *all* of the top k were treated, see :func:`uplift_curve`.

    Parameters
    ----------
    score : Series of scores (predicted uplift, or a churn risk), higher = target first
    treated, outcome : Series of True/False indexed like ``score``, from a randomized test

    Returns
    -------
    DataFrame with a row per k = 0..N: ``targeted``, ``share``, ``incremental`` and ``random``.

    Raises
    ------
    InputError
        For missing scores, misaligned inputs, or an arm with no customer.

    Examples
    --------
    >>> q = qini_curve(pd.Series([0.9, 0.8, 0.2, 0.1]), pd.Series([1, 0, 1, 0]), pd.Series([1, 0, 1, 1]))
    >>> q["incremental"].tolist()          # k = 1 has no control customer yet
    [0.0, 0.0, 1.0, 2.0, 1.0]
    """
    _, t, y = sorted_arms(score, treated, outcome)
    n_t, n_c = np.cumsum(t), np.cumsum(~t)
    y_t, y_c = np.cumsum(y & t), np.cumsum(y & ~t)
    both = (n_t > 0) & (n_c > 0)
    q = np.where(both, y_t - np.divide(y_c * n_t, n_c, out=np.zeros(len(t)), where=n_c > 0), 0.0)
    k = np.arange(len(t) + 1)
    q = np.r_[0.0, q]
    return pd.DataFrame({"targeted": k, "share": k / len(t), "incremental": q, "random": k / len(t) * q[-1]})


def uplift_curve(score, treated, outcome) -> pd.DataFrame:
    """Extra outcomes if all of the top k customers by score got the offer: k (mean y_T(k) - mean y_C(k)).

    The same sort as :func:`qini_curve`; the uplift measured among the top k (treated rate minus
    control rate) times k, so its value at k = N is the test's effect times all N customers. The
    Qini curve counts the extra outcomes among the *treated* of the top k only, about half as many
    in a 50/50 test; this curve answers "how many more customers would we keep by offering the top
    k". Zero while the top k lacks either arm.

    Parameters
    ----------
    score : Series of scores, higher = target first
    treated, outcome : Series of True/False indexed like ``score``, from a randomized test

    Returns
    -------
    DataFrame with a row per k = 0..N: ``targeted``, ``share``, ``incremental`` and ``random``
    (k / N times the value at N).

    Raises
    ------
    InputError
        As :func:`qini_curve`.

    Examples
    --------
    >>> u = uplift_curve(pd.Series([0.9, 0.8, 0.2, 0.1]), pd.Series([1, 0, 1, 0]), pd.Series([1, 0, 1, 1]))
    >>> u["incremental"].tolist()          # k = 2: 2 (1/1 - 0/1); k = 4: 4 (2/2 - 1/2)
    [0.0, 0.0, 2.0, 3.0, 2.0]
    """
    _, t, y = sorted_arms(score, treated, outcome)
    n_t, n_c = np.cumsum(t), np.cumsum(~t)
    y_t, y_c = np.cumsum(y & t), np.cumsum(y & ~t)
    k = np.arange(1, len(t) + 1)
    both = (n_t > 0) & (n_c > 0)
    rate_t = np.divide(y_t, n_t, out=np.zeros(len(t)), where=n_t > 0)
    rate_c = np.divide(y_c, n_c, out=np.zeros(len(t)), where=n_c > 0)
    gain = np.r_[0.0, np.where(both, k * (rate_t - rate_c), 0.0)]
    k = np.arange(len(t) + 1)
    return pd.DataFrame({"targeted": k, "share": k / len(t), "incremental": gain, "random": k / len(t) * gain[-1]})


def qini_coefficient(score, treated, outcome) -> MetricResult:
    """The area between a score's Qini curve and the random line, per customer.

    Qini = (1 / N) x sum over k = 1..N of (Q(k) - k Q(N) / N): positive when the score puts the
    customers the offer helps first, 0 for a random order, negative for a harmful order.

    Parameters
    ----------
    score, treated, outcome : as :func:`qini_curve`

    Returns
    -------
    MetricResult (kind ``"qini"``, in customers: the mean gap over the curve) with parts ``incremental_all``
    (Q(N)) and ``n``.

    Raises
    ------
    InputError
        As :func:`qini_curve`.

    Examples
    --------
    >>> q = qini_coefficient(pd.Series([0.9, 0.8, 0.2, 0.1]), pd.Series([1, 0, 1, 0]), pd.Series([1, 0, 1, 1]))
    >>> round(q.value, 3)          # (0 - 0.25) + (1 - 0.5) + (2 - 0.75) + 0, over 4
    0.375
    """
    curve = qini_curve(score, treated, outcome)
    gap = (curve["incremental"] - curve["random"]).to_numpy()[1:]
    n = len(gap)
    return MetricResult(kind="qini", name="Qini coefficient", value=float(gap.sum() / n), unit="customers",
                        formula="(1/N) sum_k (Q(k) - k Q(N) / N)",
                        parts=dict(incremental_all=float(curve["incremental"].iloc[-1]), n=n))
