"""Offer effects read with care (the Starbucks Rewards case study): intervals and p-values adjusted for the number of
comparisons, and effects adjusted for spend before the send (narrower intervals from the same randomized send).
Re-exported by :mod:`retention_kit.programs.rewards`."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import Confidence, InputError, Options, label, require_columns, require_frame, require_numeric, validate

__all__ = ["adjust_effects", "adjusted_offer_effects"]


def _adjusted_p(p: np.ndarray, method: str) -> np.ndarray:
    m, order = len(p), np.argsort(p)
    ranked = p[order]
    if method == "bonferroni":
        out = ranked * m
    elif method == "holm":                  # step-down: max over k <= i of (m - k + 1) p_(k)
        out = np.maximum.accumulate((m - np.arange(m)) * ranked)
    else:                                   # Benjamini-Hochberg, step-up: min over k >= i of m p_(k) / k
        out = np.minimum.accumulate((m * ranked / np.arange(1, m + 1))[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(out, 1.0)
    return adjusted


@validate(method=Options("holm", "bonferroni", "fdr_bh"))
def adjust_effects(table: pd.DataFrame, *, method: str = "holm") -> pd.DataFrame:
    """A table of effects with p-values adjusted for its number of comparisons, and simultaneous intervals.

    With m effects (rows) and p-values p_(1) <= ... <= p_(m): Holm's p_(i) adjusted = max over k <= i of
    min(1, (m - k + 1) p_(k)); Bonferroni's min(1, m p_i); Benjamini-Hochberg's (``"fdr_bh"``, which bounds
    the share of false discoveries, not the chance of one) min over k >= i of m p_(k) / k. ``kept`` =
    adjusted p < 1 - confidence. The adjusted intervals are Bonferroni's, whatever the method:
    effect +/- t(1 - (1 - confidence) / (2 m), df) se, all m covering together with the stated confidence.

    Parameters
    ----------
    table : DataFrame with ``effect``, ``se``, ``df``, ``p_value`` (from ``offer_effects`` or
        :func:`adjusted_offer_effects`); its ``attrs["confidence"]`` (default 0.95) sets the level
    method : {"holm", "bonferroni", "fdr_bh"}, default "holm"

    Returns
    -------
    DataFrame: ``table`` with ``p_adjusted``, ``kept`` (bool), ``ci_low_adjusted``, ``ci_high_adjusted``.

    Raises
    ------
    InputError
        For missing columns, an unknown method, or missing p-values.

    Examples
    --------
    >>> t = pd.DataFrame({"effect": [2.0, 1.0], "se": [0.5, 0.5], "df": [1e6, 1e6], "p_value": [0.01, 0.04]})
    >>> adjust_effects(t)[["p_adjusted", "kept"]].values.tolist()      # 2 x 0.01; max(0.02, 1 x 0.04)
    [[0.02, True], [0.04, True]]
    >>> adjust_effects(t, method="bonferroni")["kept"].tolist()
    [True, False]
    """
    from scipy.stats import t as student
    require_columns(require_frame(table, "table"), ["effect", "se", "df", "p_value"], "table",
                    "pass the table offer_effects or adjusted_offer_effects returns")
    p = require_numeric(table["p_value"], "p_value").to_numpy(float)
    if np.isnan(p).any():
        raise InputError(f"column 'p_value' has {int(np.isnan(p).sum())} missing value(s) (a cell without variance?). "
                         f"Fix: drop those rows first, and say so.")
    confidence = float(table.attrs.get("confidence", 0.95))
    q = student.ppf(1 - (1 - confidence) / (2 * len(table)), table["df"].to_numpy(float))
    effect, se = table["effect"].to_numpy(float), table["se"].to_numpy(float)
    adjusted = _adjusted_p(p, method)
    out = table.assign(p_adjusted=adjusted, kept=adjusted < 1 - confidence, ci_low_adjusted=effect - q * se,
                       ci_high_adjusted=effect + q * se)
    out.attrs.update(table.attrs, method=method, comparisons=len(table))
    return out


def _lin(y, treated, x):
    """Lin's regression of y on [1, T, x - mean, T (x - mean)]: the coefficient of T and its HC2 standard error."""
    xc = x - x.mean()
    design = np.column_stack([np.ones_like(y), treated, xc, treated * xc])
    bread = np.linalg.inv(design.T @ design)
    beta = bread @ design.T @ y
    resid = y - design @ beta
    leverage = np.einsum("ij,jk,ik->i", design, bread, design)
    meat = (design * (resid ** 2 / (1 - leverage))[:, None]).T @ design
    return beta[1], float(np.sqrt((bread @ meat @ bread)[1, 1]))


@validate(confidence=Confidence())
def adjusted_offer_effects(outcomes: pd.DataFrame, *, covariate: str = "pre_spend", by=None,
                           outcome: str = "net_value", control: str = "none",
                           confidence: float = 0.95) -> pd.DataFrame:
    """Each offer's effect adjusted for a covariate measured before the send (Lin's regression), by segment.

    Within a segment, on its members sent the offer (T = 1) or nothing (T = 0), with x the covariate
    centred on their mean: y = a + effect T + b x + g T x + e, least squares; se from the HC2
    (heteroskedasticity-robust) covariance; t interval with n - 4 degrees of freedom. Randomization makes
    the effect unbiased with or without x; a covariate that predicts y narrows the interval.

    Parameters
    ----------
    outcomes : DataFrame from ``offer_outcomes`` (``arm``, the outcome, the covariate; segment column(s))
    covariate : str, default "pre_spend" (spend in the 60 days before the send)
    by : str or list of str, optional, the segment column(s)
    outcome, control : str, default "net_value", "none"
    confidence : float, default 0.95

    Returns
    -------
    DataFrame indexed by (segment..., offer): ``n_offer``, ``n_control``, ``effect``, ``se``, ``df``,
    ``ci_low``, ``ci_high``, ``p_value``.

    Raises
    ------
    InputError
        For missing columns or values, or a cell with fewer than three members in an arm.

    Examples
    --------
    >>> o = pd.DataFrame({"arm": ["a"] * 4 + ["none"] * 4, "x": [1.0, 2, 3, 4, 1, 2, 3, 4],
    ...                   "net_value": [3.0, 5, 7, 9, 1, 3, 5, 7]})      # y = 2 x + 1, plus 2 with the offer
    >>> round(float(adjusted_offer_effects(o, covariate="x")["effect"].iloc[0]), 3)
    2.0
    """
    from scipy.stats import t as student
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    require_columns(require_frame(outcomes, "outcomes"), ["arm", outcome, covariate, *keys], "outcomes",
                    "pass the table offer_outcomes returns")
    y, x = require_numeric(outcomes[outcome], outcome), require_numeric(outcomes[covariate], covariate)
    for name, values in ((outcome, y), (covariate, x)):
        if values.isna().any():
            raise InputError(f"column {name!r} has {int(values.isna().sum())} missing value(s). Fix: fill or drop them.")
    frame = outcomes[keys + ["arm"]].assign(_y=y.to_numpy(float), _x=x.to_numpy(float))
    rows, index = [], []
    groups = frame.groupby(keys, observed=True, sort=True) if keys else [((), frame)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        ctrl = part[part["arm"] == control]
        for offer in sorted(set(part["arm"]) - {control}):
            mine = part[part["arm"] == offer]
            if min(len(mine), len(ctrl)) < 3:
                raise InputError(f"cell {label(key + (offer,))} has fewer than three members in the offer or "
                                 f"{control!r}: no regression to fit. Fix: coarser segments.")
            both = pd.concat([mine, ctrl])
            effect, se = _lin(both["_y"].to_numpy(), (both["arm"] == offer).to_numpy(float), both["_x"].to_numpy())
            df = len(both) - 4
            q = student.ppf((1 + confidence) / 2, df)
            rows.append(dict(n_offer=len(mine), n_control=len(ctrl), effect=effect, se=se, df=float(df),
                             ci_low=effect - q * se, ci_high=effect + q * se,
                             p_value=float(2 * student.sf(abs(effect) / se, df))))
            index.append(key + (offer,))
    names = [*keys, "offer"]
    table = pd.DataFrame(rows, index=pd.MultiIndex.from_tuples(index, names=names) if keys else
                         pd.Index([i[-1] for i in index], name="offer"))
    table.attrs.update(confidence=confidence, outcome=outcome, covariate=covariate)
    return table
