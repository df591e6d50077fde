"""Which themes pull a score down: customers who raised a theme against those who did not, one theme at a
time (with intervals) and all themes together with confounders held fixed (a linear regression)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..metrics.nps import nps_difference
from ..validation import (Confidence, InputError, Options, as_flag, label, require_columns, require_frame,
                          require_numeric, validate)

__all__ = ["theme_drivers", "adjusted_drivers"]


def _themes(view: pd.DataFrame, themes) -> list:
    require_frame(view, "customers")
    names = list(view.attrs.get("themes", []) if themes is None else ([themes] if isinstance(themes, str) else themes))
    if not names:
        raise InputError("no themes: pass themes=[...] (the True/False columns of customers that say who raised each "
                         "theme), or a table from rk.feedback.customer_view(..., themes=...).")
    require_columns(view, names, "customers", "pass the theme columns of rk.feedback.customer_view")
    for name in names:
        as_flag(view[name], name)
    return names


def _scores(view: pd.DataFrame, score_col: str) -> tuple[pd.Series, int]:
    require_columns(view, [score_col], "customers", "pass the score column as score_col")
    scores = require_numeric(view[score_col], score_col)
    return scores.dropna(), int(scores.isna().sum())


def _welch(a: np.ndarray, b: np.ndarray, confidence: float) -> tuple[float, float, float, float]:
    from scipy.stats import t as student
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    d, se = a.mean() - b.mean(), math.sqrt(va + vb)
    if se == 0:
        return d, d, d, 1.0 if d == 0 else 0.0
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    half = float(student.ppf(0.5 + confidence / 2, df)) * se
    return d, d - half, d + half, float(2 * student.sf(abs(d / se), df))


@validate(metric=Options("mean", "nps"), confidence=Confidence())
def theme_drivers(customers: pd.DataFrame, *, themes=None, score_col: str = "nps", metric: str = "mean",
                  confidence: float = 0.95) -> pd.DataFrame:
    """For each theme, the score of customers who raised it minus the score of those who did not, with an interval.

    ``metric="mean"``: the difference of mean answers, mean_raised - mean_not, with Welch's
    interval d +/- t_df sqrt(s_r^2 / n_r + s_n^2 / n_n) (Welch-Satterthwaite df). ``metric="nps"``:
    NPS_raised - NPS_not with :func:`rk.nps_difference` (scores 0-10). Only customers who answered
    count (``missing`` says how many did not). One theme at a time: a customer who raised two
    themes is in the "raised" group of both, so a theme that travels with a harmful one looks
    harmful too (see :func:`adjusted_drivers`).

    Parameters
    ----------
    customers : DataFrame, one row per customer (``rk.feedback.customer_view``), with the score and
        a True/False column per theme
    themes : list of str, optional, the theme columns (default ``customers.attrs["themes"]``)
    score_col : str, default "nps" (a CSAT column works with ``metric="mean"``)
    metric : "mean" (default) or "nps"
    confidence : float, default 0.95

    Returns
    -------
    DataFrame indexed by theme, sorted by ``difference``: ``raised`` and ``not_raised`` (customers
    who answered), ``score_raised``, ``score_not``, ``difference``, ``ci_low``, ``ci_high``,
    ``p_value``; ``attrs``: ``metric``, ``score_col``, ``confidence``, ``missing``. A theme with
    fewer than 2 answering customers on either side has missing values.

    Raises
    ------
    InputError
        For missing columns, theme columns that are not True/False, scores that are not numbers
        (or not whole 0-10 for ``"nps"``), or no answer at all.

    Examples
    --------
    >>> view = pd.DataFrame({"nps": [9, 10, 8, 4, 6, 5], "sync": [False, False, False, True, True, True]})
    >>> table = theme_drivers(view, themes=["sync"])
    >>> round(float(table.loc["sync", "difference"]), 3), round(float(table.loc["sync", "ci_low"]), 2)
    (-4.0, -6.27)
    """
    names = _themes(customers, themes)
    scores, missing = _scores(customers, score_col)
    if scores.empty:
        raise InputError(f"column {score_col!r} has no answers: every value is missing.")
    rows = []
    for name in names:
        flag = as_flag(customers[name], name).reindex(scores.index)
        a, b = scores[flag].to_numpy(), scores[~flag].to_numpy()
        row = dict(theme=name, raised=len(a), not_raised=len(b), score_raised=np.nan, score_not=np.nan,
                   difference=np.nan, ci_low=np.nan, ci_high=np.nan, p_value=np.nan)
        if len(a) >= 2 and len(b) >= 2:
            if metric == "mean":
                d, low, high, p = _welch(a, b, confidence)
                row.update(score_raised=a.mean(), score_not=b.mean())
            else:
                r = nps_difference(b, a, confidence=confidence)
                d, (low, high), p = r.value, r.ci, r.p_value
                row.update(score_raised=r.nps_after, score_not=r.nps_before)
            row.update(difference=d, ci_low=low, ci_high=high, p_value=p)
        rows.append(row)
    table = pd.DataFrame(rows).set_index("theme").sort_values("difference")
    table.attrs.update(metric=metric, score_col=score_col, confidence=confidence, missing=missing)
    return table


def _design(customers: pd.DataFrame, names: list, controls) -> pd.DataFrame:
    columns = {name: as_flag(customers[name], name).astype(float) for name in names}
    for control in controls:
        values = customers[control]
        if values.isna().any():
            raise InputError(f"control {control!r} is missing in {int(values.isna().sum())} row(s) (first: "
                             f"{label(values.index[values.isna().to_numpy()][0])}); fill them or filter those "
                             f"customers out explicitly.")
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            columns[control] = values.astype(float)
        else:
            levels = sorted(pd.unique(values), key=str)
            for level in levels[1:]:                      # the first level is the reference
                columns[f"{control}={level}"] = (values == level).astype(float)
    return pd.DataFrame(columns, index=customers.index)


@validate(confidence=Confidence())
def adjusted_drivers(customers: pd.DataFrame, *, themes=None, score_col: str = "nps", controls=(),
                     confidence: float = 0.95) -> pd.DataFrame:
    """Each theme's association with the score with the other themes and the ``controls`` held fixed (OLS).

    score_i = b_0 + sum_t b_t raised_it + sum_c g_c control_ic + e_i, fitted by least squares on
    the customers who answered; b_t is the difference in mean score between customers who raised
    theme t and otherwise alike customers who did not. Interval b_t +/- t_(n-p) SE, with
    SE^2 = s^2 [(X'X)^-1]_tt and s^2 = RSS / (n - p). Text controls (a plan) enter as one
    indicator per value but the first. Still an association: a confounder left out of
    ``controls`` still biases it.

    Parameters
    ----------
    customers : DataFrame, one row per customer, with the score, the theme columns and the controls
    themes : list of str, optional (default ``customers.attrs["themes"]``)
    score_col : str, default "nps"
    controls : sequence of str, columns to hold fixed (numbers, or text read as categories)
    confidence : float, default 0.95

    Returns
    -------
    DataFrame indexed by theme: ``effect``, ``se``, ``ci_low``, ``ci_high``, ``p_value``;
    ``attrs``: ``n``, ``missing``, ``controls``, ``confidence``, ``score_col``.

    Raises
    ------
    InputError
        For missing columns or control values, theme columns that are not True/False, or a design
        the answers cannot determine (a theme nobody or everybody raised, fewer customers than terms).

    Examples
    --------
    >>> view = pd.DataFrame({"nps": [9.0, 8, 5, 4, 6, 3], "sync": [0, 0, 1, 1, 0, 1], "big": [0, 1, 0, 1, 1, 0]})
    >>> round(float(adjusted_drivers(view, themes=["sync"], controls=["big"]).loc["sync", "effect"]), 3)
    -4.0
    """
    from scipy.stats import t as student
    names = _themes(customers, themes)
    controls = [controls] if isinstance(controls, str) else list(controls)
    require_columns(customers, controls, "customers", "pass existing columns as controls")
    scores, missing = _scores(customers, score_col)
    design = _design(customers.loc[scores.index], names, controls)
    x = np.column_stack([np.ones(len(design)), design.to_numpy()])
    n, p = x.shape
    constant = [c for c in design.columns if design[c].nunique() < 2]
    if constant or n <= p or np.linalg.matrix_rank(x) < p:
        why = f"column(s) {', '.join(map(repr, constant))} do not vary" if constant else \
            f"{n} answers for {p} terms" if n <= p else "some columns are combinations of others"
        raise InputError(f"the regression cannot separate the terms ({why}); drop those themes or controls.")
    coef, *_ = np.linalg.lstsq(x, scores.to_numpy(), rcond=None)
    resid = scores.to_numpy() - x @ coef
    s2 = float(resid @ resid) / (n - p)
    se = np.sqrt(np.diag(np.linalg.inv(x.T @ x)) * s2)
    crit = float(student.ppf(0.5 + confidence / 2, n - p))
    k = len(names)
    table = pd.DataFrame({"effect": coef[1:k + 1], "se": se[1:k + 1]}, index=pd.Index(names, name="theme"))
    table["ci_low"], table["ci_high"] = table["effect"] - crit * table["se"], table["effect"] + crit * table["se"]
    table["p_value"] = 2 * student.sf(np.abs(table["effect"] / table["se"]), n - p)
    table.attrs.update(n=n, missing=missing, controls=controls, confidence=confidence, score_col=score_col)
    return table
