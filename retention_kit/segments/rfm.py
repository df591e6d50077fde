"""RFM scores and named segments from the buy-till-you-die summary (``rk.rfm_summary``).

The summary follows lifetimes' convention: ``recency`` is the time from the first to the last
purchase, and ``T`` from the first purchase to the end of observation, so the time since the last
purchase, what an RFM recency score ranks, is ``T - recency``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import (InputError, Integer, label, require_columns, require_complete, require_frame,
                          require_nonnegative, require_numeric, validate, warn_data)

__all__ = ["rfm_scores", "rfm_segments", "RFM_SEGMENT_RULES"]

# evaluated in order: a customer takes the first segment whose every condition holds (scores 1 to 5, bounds inclusive)
RFM_SEGMENT_RULES = {
    "Champions": {"R": (4, 5), "F": (4, 5)},
    "Loyal": {"R": (3, 5), "F": (3, 5)},
    "New": {"R": (5, 5), "F": (1, 1)},
    "Promising": {"R": (3, 5), "F": (1, 2)},
    "Cannot lose them": {"R": (1, 1), "F": (5, 5)},
    "At risk": {"R": (1, 2), "F": (3, 5)},
    "Hibernating": {"R": (1, 2), "F": (1, 2)},
}
OTHERS = "Others"


def _quantile_scores(values: pd.Series, bins: int, letter: str) -> np.ndarray:
    """1 + floor(bins x (customers strictly below) / n): quantile cut of the "min" ranks, ties share a score."""
    below = values.rank(method="min").to_numpy(dtype=int) - 1
    scores = 1 + (bins * below) // len(values)
    used = np.unique(scores)
    if len(used) < bins:
        counts = values.value_counts()
        warn_data(f"rfm_scores: {letter} uses {len(used)} of {bins} scores ({', '.join(map(str, used))}): "
                  f"{int(counts.iloc[0])} of {len(values)} customers share the value {label(counts.index[0])}, and "
                  f"customers with equal values get equal scores. Pass fewer bins for more even groups.")
    return scores


def _column(summary: pd.DataFrame, column: str) -> pd.Series:
    values = require_numeric(summary[column], column)
    require_complete(values, column, "RFM scores need every value. Fix: fill them, or drop those customers "
                                     "explicitly.")
    require_nonnegative(values, column, "the summary's columns count time and money, which are never negative")
    return values


@validate(bins=Integer(low=2, hint="Five bins (scores 1 to 5) are usual."))
def rfm_scores(summary: pd.DataFrame, *, bins: int = 5, frequency_col: str = "frequency", recency_col: str = "recency",
               T_col: str = "T", monetary_value_col: str | None = "monetary_value") -> pd.DataFrame:
    """Recency, frequency and monetary scores 1 to ``bins`` per customer, by quantiles with ties kept together.

    * time since the last purchase = ``T - recency`` (lifetimes' convention: ``recency`` runs from
      the first purchase to the last, ``T`` from the first to the end of observation);
    * each score is a quantile cut of ranks: score = 1 + floor(bins x b / n), where n is the
      number of customers and b the number with a strictly lower value (the "min" rank - 1). With
      distinct values the groups are as equal as can be (sizes differ by at most one; ``pd.qcut``
      of the ranks when n is a multiple of bins). Customers with equal values get equal scores,
      the score of the lowest of their positions, so a large tie (the many customers with
      ``frequency`` 0) fills the low scores and a score can go unused;
    * ``R`` is reversed: the most recent purchase (smallest time since) scores highest, with b
      the number of customers whose last purchase is strictly longer ago;
    * ``F`` ranks ``frequency`` and ``M`` ranks ``monetary_value`` (0 for customers without a
      repeat purchase in ``rk.rfm_summary``, so they score lowest).

    Parameters
    ----------
    summary : DataFrame, one row per customer (``rk.rfm_summary``)
    bins : int, default 5
        Scores run from 1 to ``bins``; at most the number of customers.
    frequency_col, recency_col, T_col : str
    monetary_value_col : str or None, default "monetary_value"
        None leaves out ``M``.

    Returns
    -------
    DataFrame indexed like ``summary``: ``time_since_last`` (in the summary's time unit), ``R``,
    ``F``, ``M`` (ints) and ``RFM``, the scores as text ("545"); ``attrs["bins"]``.

    Raises
    ------
    InputError
        For a missing column, values that are not numbers, missing or negative, a recency above
        ``T``, or fewer customers than bins. A score that goes unused (ties, or fewer distinct
        values than bins) is reported with a :class:`~retention_kit.DataWarning`.

    Examples
    --------
    >>> s = pd.DataFrame({"frequency": [0, 0, 1, 2, 2, 5], "recency": [0, 0, 30, 20, 85, 10],
    ...                   "T": [200, 30, 60, 80, 90, 100], "monetary_value": [0, 0, 40, 25, 30, 35]},
    ...                  index=list("abcdef"))
    >>> rfm_scores(s, bins=3)            # b and c last bought 30 days ago: a tie, one R score
       time_since_last  R  F  M  RFM
    a            200.0  1  1  1  111
    b             30.0  2  1  1  211
    c             30.0  2  2  3  223
    d             60.0  2  2  2  222
    e              5.0  3  2  2  322
    f             90.0  1  3  3  133
    """
    require_frame(summary, "summary")
    needed = [frequency_col, recency_col, T_col] + ([monetary_value_col] if monetary_value_col else [])
    require_columns(summary, needed, "summary", "pass the names with frequency_col, recency_col, T_col and "
                                               "monetary_value_col")
    if len(summary) < bins:
        raise InputError(f"bins={bins} is more than the {len(summary)} customers in summary; pass bins of at most "
                         f"{len(summary)}.")
    recency, T = _column(summary, recency_col), _column(summary, T_col)
    late = (recency > T).to_numpy()
    if late.any():
        raise InputError(f"column {recency_col!r} is above {T_col!r} for {int(late.sum())} customer(s) (first: "
                         f"{label(summary.index[late][0])}); recency runs from the first to the last purchase and "
                         f"cannot exceed T. Fix: pass the columns of rk.rfm_summary.")
    since = T - recency
    scores = pd.DataFrame({"time_since_last": since}, index=summary.index)
    scores["R"] = _quantile_scores(-since, bins, "R")
    scores["F"] = _quantile_scores(_column(summary, frequency_col), bins, "F")
    letters = ["R", "F"]
    if monetary_value_col:
        scores["M"] = _quantile_scores(_column(summary, monetary_value_col), bins, "M")
        letters.append("M")
    scores["RFM"] = scores[letters].astype(str).agg("".join, axis=1)
    scores.attrs.update(bins=bins, time_unit=summary.attrs.get("time_unit"))
    return scores


def _check_rules(rules, scores: pd.DataFrame) -> dict:
    if not isinstance(rules, dict) or not rules:
        raise InputError(f"rules must be a non-empty dict from a segment's name to its conditions, such as "
                         f"{{'Champions': {{'R': (4, 5), 'F': (4, 5)}}}}; got {rules!r}.")
    checked = {}
    for name, conditions in rules.items():
        if not isinstance(name, str) or name == OTHERS:
            raise InputError(f"rules: segment name {name!r} must be text other than {OTHERS!r} (the name of the "
                             f"customers no rule matches, added last).")
        if not isinstance(conditions, dict):
            raise InputError(f"rules[{name!r}] = {conditions!r} must be a dict from a score column to (low, high), "
                             f"such as {{'R': (4, 5)}}.")
        require_columns(scores, list(conditions), "scores", f"write rules[{name!r}] with the score columns "
                                                           f"{[c for c in ('R', 'F', 'M') if c in scores.columns]}")
        checked[name] = {}
        for column, bounds in conditions.items():
            pair = tuple(bounds) if isinstance(bounds, (tuple, list)) else (bounds, bounds)
            ok = len(pair) == 2 and all(isinstance(b, (int, np.integer)) and not isinstance(b, bool) for b in pair)
            if not ok or pair[0] > pair[1]:
                raise InputError(f"rules[{name!r}][{column!r}] = {bounds!r} must be a whole score or a pair "
                                 f"(low, high) of whole scores with low <= high, such as (4, 5).")
            checked[name][column] = (int(pair[0]), int(pair[1]))
    return checked


def rfm_segments(scores: pd.DataFrame, *, rules: dict | None = None) -> pd.Series:
    """Named segments from RFM scores: each customer takes the first rule that matches, else "Others".

    A rule is a segment's name and bounds on scores, each inclusive, all of which must hold. Rules
    are tried in order, so every customer gets exactly one segment. The default table
    (``RFM_SEGMENT_RULES``, written for scores 1 to 5, on R and F only: M adds little beside F in
    most data), tried in this order:

    ================  =======  =======
    segment           R        F
    ================  =======  =======
    Champions         4-5      4-5
    Loyal             3-5      3-5
    New               5        1
    Promising         3-5      1-2
    Cannot lose them  1        5
    At risk           1-2      3-5
    Hibernating       1-2      1-2
    ================  =======  =======

    These cover every pair of scores 1 to 5, so "Others" stays empty with the defaults.

    Parameters
    ----------
    scores : DataFrame from :func:`rfm_scores` (columns ``R``, ``F``, optionally ``M``)
    rules : dict, optional
        From a segment's name to ``{score column: (low, high) or one score}``, in the order to try.

    Returns
    -------
    Series indexed like ``scores``, named ``segment``, categorical with the rules' names and
    "Others" as categories in rule order (so empty segments still count 0).

    Raises
    ------
    InputError
        For rules that are not a dict of conditions on existing score columns with whole bounds,
        a segment named "Others", or the default rules on scores that are not 1 to 5.

    Examples
    --------
    >>> scores = pd.DataFrame({"R": [5, 5, 1, 3, 2], "F": [5, 1, 4, 1, 2]}, index=list("abcde"))
    >>> rfm_segments(scores).tolist()
    ['Champions', 'New', 'At risk', 'Promising', 'Hibernating']
    >>> rfm_segments(scores, rules={"Recent": {"R": (4, 5)}}).tolist()
    ['Recent', 'Recent', 'Others', 'Others', 'Others']
    """
    require_frame(scores, "scores")
    if rules is None:
        require_columns(scores, ["R", "F"], "scores", "pass the table of rfm_scores")
        top = scores.attrs.get("bins", int(scores[["R", "F"]].max().max()))
        if top != 5:
            raise InputError(f"the default rules are written for scores 1 to 5, but scores has {top} bins; pass "
                             f"rfm_scores(..., bins=5) or your own rules.")
    rules = _check_rules(RFM_SEGMENT_RULES if rules is None else rules, scores)
    used = {c for conditions in rules.values() for c in conditions}
    for column in sorted(used):
        values = require_numeric(scores[column], column)
        require_complete(values, column, "every customer needs a score. Fix: pass the table of rfm_scores.")
    segment = np.full(len(scores), OTHERS, dtype=object)
    free = np.ones(len(scores), dtype=bool)
    for name, conditions in rules.items():
        match = free.copy()
        for column, (low, high) in conditions.items():
            values = scores[column].to_numpy(dtype=float)
            match &= (values >= low) & (values <= high)
        segment[match] = name
        free &= ~match
    categories = list(rules) + [OTHERS]
    return pd.Series(pd.Categorical(segment, categories=categories), index=scores.index, name="segment")
