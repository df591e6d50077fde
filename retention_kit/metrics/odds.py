"""The odds ratio of two groups within strata, pooled across them (Mantel-Haenszel).

A difference of shares depends on the level of the shares: if churners were over-sampled in a
table, every stratum's difference is on the table's scale, not the business's. An odds ratio does
not: sampling churners and stayers at different rates multiplies both groups' odds by the same
factor, which cancels in the ratio. That makes the pooled odds ratio the comparison to report
from a table whose sampling on the outcome is unknown (lesson 13).
"""
from __future__ import annotations

import math

import numpy as np

from ..results import MetricResult
from ..validation import Confidence, InputError, require_columns, require_frame, require_numeric, validate
from .rates import z_value

__all__ = ["stratified_odds_ratio"]

STRATA_COLUMNS = ["successes_a", "n_a", "successes_b", "n_b"]


@validate(confidence=Confidence())
def stratified_odds_ratio(strata, *, confidence: float = 0.95) -> MetricResult:
    """The odds ratio of group a against group b within strata, pooled (Mantel-Haenszel), with the RGB interval.

    In stratum i, with a_i = successes_a, b_i = n_a - a_i, c_i = successes_b, d_i = n_b - c_i and
    N_i = n_a + n_b, the pooled odds ratio is

    OR_MH = sum_i (a_i d_i / N_i) / sum_i (b_i c_i / N_i) = R / S.

    Variance of log OR_MH (Robins, Breslow & Greenland 1986), valid with a few large strata and
    with many small ones: with P_i = (a_i + d_i) / N_i, Q_i = (b_i + c_i) / N_i, R_i = a_i d_i / N_i
    and S_i = b_i c_i / N_i,
    Var = sum P_i R_i / (2 R^2) + sum (P_i S_i + Q_i R_i) / (2 R S) + sum Q_i S_i / (2 S^2).
    The interval is exp(log OR_MH +/- z sqrt(Var)). Unlike a difference of shares, the ratio is
    unchanged when successes (churners) are sampled at a different rate from failures.

    Parameters
    ----------
    strata : DataFrame, one row per stratum, with ``successes_a``, ``n_a``, ``successes_b``, ``n_b``
        (the layout of ``rk.metrics.stratified_difference``)
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"stratified_odds_ratio"``, unit ``"ratio"``) with ``se`` (of the log),
    ``ci`` and parts ``crude`` (the odds ratio ignoring strata), ``strata``, ``z`` and ``p_value``
    (a Wald test of log OR = 0).

    Raises
    ------
    InputError
        For missing columns, counts that are negative, fractional or above their group's size, a
        stratum with an empty group (it carries no comparison: drop it), or strata in which no
        pair of customers can be compared (R or S is 0: the pooled ratio is 0 or infinite).

    References
    ----------
    Mantel & Haenszel (1959), J. National Cancer Institute 22, 719-748; Robins, Breslow & Greenland
    (1986), Biometrics 42, 311-323.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"successes_a": [30, 10], "n_a": [100, 100], "successes_b": [20, 5], "n_b": [100, 100]})
    >>> r = stratified_odds_ratio(t)        # (30*80 + 10*95) / 200 / ((70*20 + 90*5) / 200) = 3350 / 1850
    >>> round(float(r.value), 4), [round(float(x), 3) for x in r.ci]
    (1.8108, [1.034, 3.172])
    """
    require_frame(strata, "strata")
    require_columns(strata, STRATA_COLUMNS, "strata", "one row per stratum with the counts of both groups")
    counts = {c: require_numeric(strata[c], c).to_numpy(dtype=float) for c in STRATA_COLUMNS}
    xa, na, xb, nb = (counts[c] for c in STRATA_COLUMNS)
    bad = (xa < 0) | (xb < 0) | (xa > na) | (xb > nb) | (xa % 1 != 0) | (xb % 1 != 0) | (na % 1 != 0) | (nb % 1 != 0)
    if bad.any():
        raise InputError(f"strata row {strata.index[bad][0]!r} has counts that are not whole numbers between 0 and "
                         f"the group's size; correct the counts.")
    empty = (na == 0) | (nb == 0)
    if empty.any():
        raise InputError(f"strata row {strata.index[empty][0]!r} has an empty group (n_a or n_b is 0): it carries no "
                         f"comparison; drop it.")
    a, b, c, d = xa, na - xa, xb, nb - xb
    total = na + nb
    r_i, s_i = a * d / total, b * c / total
    r, s = float(r_i.sum()), float(s_i.sum())
    if r == 0 or s == 0:
        raise InputError(f"the strata give sum a*d/N = {r:g} and sum b*c/N = {s:g}: with either at 0 the pooled odds "
                         f"ratio is 0 or infinite and has no interval. Fix: report the counts, or pool coarser strata.")
    p_i, q_i = (a + d) / total, (b + c) / total
    var = ((p_i * r_i).sum() / (2 * r ** 2) + (p_i * s_i + q_i * r_i).sum() / (2 * r * s)
           + (q_i * s_i).sum() / (2 * s ** 2))
    se = math.sqrt(var)
    value = r / s
    z = math.log(value) / se
    half = z_value(confidence) * se
    crude_b, crude_d = b.sum(), d.sum()
    crude = float(a.sum() * crude_d / (crude_b * c.sum())) if crude_b * c.sum() > 0 else float(np.inf)
    return MetricResult(kind="stratified_odds_ratio", name="Odds ratio within strata (Mantel-Haenszel)", value=value,
                        unit="ratio", formula="sum a d / N / sum b c / N; Robins-Breslow-Greenland SE of the log",
                        parts=dict(crude=crude, strata=len(strata), z=z, p_value=math.erfc(abs(z) / math.sqrt(2))),
                        se=se, ci=(value * math.exp(-half), value * math.exp(half)), confidence=confidence,
                        notes=("se is the standard error of log OR; the interval is symmetric on the log scale",))
