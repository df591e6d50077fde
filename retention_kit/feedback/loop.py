"""Closing the loop: do customers who were told what happened to their item renew more? The naive gap, and the
gap within strata of the confounders (customers alike in plan and tenure)."""
from __future__ import annotations

import pandas as pd

from ..metrics.comparisons import proportion_difference, stratified_difference
from ..results import MetricResult
from ..validation import (Confidence, InputError, as_flag, preview, require_columns, require_frame, require_labels,
                          validate, warn_data)

__all__ = ["loop_gap"]


@validate(confidence=Confidence())
def loop_gap(customers: pd.DataFrame, *, strata=(), closed_col: str = "loop_closed", outcome_col: str = "renewed",
             confidence: float = 0.95) -> MetricResult:
    """The renewal rate of customers whose loop was closed minus that of customers whose loop was not.

    Without ``strata``: the naive difference p_closed - p_not, with Newcombe's interval
    (:func:`rk.metrics.proportion_difference`). With ``strata`` (columns such as the plan and a
    tenure band): the two groups are compared inside each stratum and the differences pooled with
    Mantel-Haenszel weights n_c n_n / N (:func:`rk.metrics.stratified_difference`, Sato's
    interval): the gap if both groups had the same mix of strata. Either way an association: only
    a randomized closing of the loop measures its effect, and a confounder left out of ``strata``
    still biases the stratified gap.

    Pass the customers who sent at least one item: a customer who never wrote could not be answered,
    and counting them among the "not closed" mixes two questions (who writes, and who is answered).
    When ``customers`` has an ``any_item`` column (``rk.feedback.customer_view``), customers with
    ``any_item`` False are refused.

    Parameters
    ----------
    customers : DataFrame, one row per customer, with the two flags and the strata columns
    strata : str or sequence of str, default () (none)
    closed_col : str, default "loop_closed"
    outcome_col : str, default "renewed"
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"loop_gap"``, a difference of fractions) with ``ci`` and parts ``naive``
    (the gap ignoring strata), ``p_closed``, ``p_not``, ``n_closed``, ``n_not``, ``strata``
    (used), ``strata_left_out`` and ``customers_left_out`` (strata where one group is empty
    carry no comparison: left out with a DataWarning).

    Raises
    ------
    InputError
        For missing columns or labels, flags that are not True/False, customers who never wrote
        (``any_item`` False), an empty group, or no stratum with both groups.

    Examples
    --------
    >>> c = pd.DataFrame({"loop_closed": [True] * 4 + [False] * 4, "renewed": [1, 1, 1, 0, 1, 0, 0, 0],
    ...                   "plan": ["a", "a", "b", "b", "a", "a", "b", "b"]})
    >>> round(loop_gap(c).value, 3), round(loop_gap(c, strata="plan").value, 3)
    (0.5, 0.5)
    """
    require_frame(customers, "customers")
    strata = [strata] if isinstance(strata, str) else list(strata)
    require_columns(customers, [closed_col, outcome_col, *strata], "customers")
    if "any_item" in customers.columns:
        silent = ~as_flag(customers["any_item"], "any_item")
        if silent.any():
            raise InputError(f"customers has {int(silent.sum())} customer(s) who never wrote (any_item False, such as "
                             f"{preview(customers.index[silent.to_numpy()])}): they could not be answered, and would "
                             f"sit in the 'not closed' group. Fix: pass customers[customers['any_item']].")
    closed = as_flag(customers[closed_col], closed_col)
    outcome = as_flag(customers[outcome_col], outcome_col)
    for column in strata:
        require_labels(customers[column], column)
    n_closed, n_not = int(closed.sum()), int((~closed).sum())
    if not n_closed or not n_not:
        raise InputError(f"column {closed_col!r} is {'never' if not n_closed else 'always'} True: with one group "
                         f"there is nothing to compare.")
    k_closed, k_not = int(outcome[closed].sum()), int(outcome[~closed].sum())
    naive = proportion_difference(k_closed, n_closed, k_not, n_not, confidence=confidence)
    parts = dict(naive=naive.value, p_closed=k_closed / n_closed, p_not=k_not / n_not, n_closed=n_closed, n_not=n_not,
                 strata=strata, strata_left_out=0, customers_left_out=0)
    if not strata:
        return MetricResult(kind="loop_gap", name="Renewal gap, loop closed minus not (naive)", value=naive.value,
                            unit="fraction", formula="p_closed - p_not (Newcombe's interval)", parts=parts, se=naive.se,
                            ci=naive.ci, confidence=confidence)
    frame = pd.DataFrame({"a": closed.to_numpy(), "y": outcome.to_numpy()}, index=customers.index)
    keys = [customers[c].to_numpy() for c in strata]
    counts = frame.assign(ya=frame["a"] & frame["y"], yb=~frame["a"] & frame["y"], nb=~frame["a"]).groupby(
        keys, observed=True).agg(successes_a=("ya", "sum"), n_a=("a", "sum"), successes_b=("yb", "sum"),
                                 n_b=("nb", "sum"))
    empty = (counts["n_a"] == 0) | (counts["n_b"] == 0)
    if empty.all():
        raise InputError(f"no stratum of {', '.join(strata)} has customers in both groups; use coarser strata.")
    if empty.any():
        left = int((counts.loc[empty, "n_a"] + counts.loc[empty, "n_b"]).sum())
        warn_data(f"loop_gap: {int(empty.sum())} stratum(s) with {left} customer(s) have customers in one group only "
                  f"and carry no comparison; left out.")
        parts.update(strata_left_out=int(empty.sum()), customers_left_out=left)
    result = stratified_difference(counts[~empty].astype(int), confidence=confidence)
    return MetricResult(kind="loop_gap", name=f"Renewal gap, loop closed minus not, within {' x '.join(strata)}",
                        value=result.value, unit="fraction",
                        formula="Mantel-Haenszel: sum (x_c n_n - x_n n_c) / N / sum n_c n_n / N; Sato's interval",
                        parts=parts, se=result.se, ci=result.ci, confidence=confidence)
