"""The membership's estimators side by side: naive gap, DiD, overlap and balance checks, a refitted interval, CLV gaps.

Part of :mod:`retention_kit.programs.membership` (which re-exports every name here); taught in the
Amazon Prime case study.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..metrics.rates import z_value
from ..results import MetricResult
from ..validation import Confidence, Integer, Options, RandomState, Real, require_columns, require_frame, validate
from .membership import OUTCOMES, ipw_weights, propensity_scores, strata_weights, weighted_difference

__all__ = ["naive_difference", "diff_in_diff", "overlap_summary", "balance", "estimates", "ipw_bootstrap", "clv_gap",
           "METHODS"]

METHODS = {  # estimator: what it assumes, in a few words
    "naive: members vs non-members": "members and non-members alike but for the membership",
    "members before and after": "nothing else changed between the windows (no trend, no regression to the mean)",
    "DiD vs all non-members": "parallel paths without the membership",
    "stratified matching": "no difference left within strata of pre-join behaviour",
    "DiD vs matched non-members": "parallel paths within strata of pre-join behaviour",
    "inverse-propensity weighting": "no difference left at equal propensity; a right propensity model",
    "DiD, propensity-weighted": "parallel paths at equal propensity",
}


def naive_difference(table: pd.DataFrame, outcome: str = "orders", *, confidence: float = 0.95) -> MetricResult:
    """Members' mean outcome minus non-members': the gap that self-selection inflates (Welch interval).

    Parameters
    ----------
    table : DataFrame from :func:`customer_table`
    outcome : "orders", "spend" or "retention"
    confidence : float, default 0.95

    Returns
    -------
    MetricResult, as :func:`weighted_difference` with equal weights.

    Raises
    ------
    InputError
        As :func:`weighted_difference`.

    Examples
    --------
    >>> t = pd.DataFrame({"member": [True, True, False, False], "retained": [True, True, True, False]})
    >>> naive_difference(t, "retention").value
    0.5
    """
    return weighted_difference(table, outcome, None, confidence=confidence)


def diff_in_diff(table: pd.DataFrame, outcome: str = "orders", weights=None, *, confidence: float = 0.95) -> MetricResult:
    """Difference-in-differences: members' change from the pre to the post window minus the comparison group's.

    DiD = (post_M - pre_M) - (post_C - pre_C), over the same calendar months for both groups, so a
    trend or season that adds the same amount to every customer cancels. It assumes the groups would
    have moved in parallel, in orders, without the membership. That assumption depends on the scale:
    a growth that multiplies every customer's rate adds more to heavier buyers, so the members (who
    ordered more) would have grown more anyway. Members chosen for a high pre-window count also
    regress to the mean. Matching the comparison group on the pre window (pass weights) makes the
    two groups start at the same level, which removes both when joining depends on the measured
    pre-window count, as here; if people join on their usual habit instead, matching on a noisy
    pre-window count can create a regression to the mean of its own (Daw and Hatfield, 2018).

    Parameters
    ----------
    table : DataFrame from :func:`customer_table`
    outcome : "orders" or "spend"
    weights : Series, optional, from :func:`strata_weights` or :func:`ipw_weights`
    confidence : float, default 0.95

    Returns
    -------
    MetricResult, as :func:`weighted_difference` with ``change=True``.

    Raises
    ------
    InputError
        For "retention" (no pre-window value), and as :func:`weighted_difference`.

    Examples
    --------
    >>> t = pd.DataFrame({"member": [True, True, False, False], "pre_orders": [2.0, 2.0, 1.0, 1.0],
    ...                   "post_orders": [4.0, 3.0, 1.5, 1.0], "retained": [True] * 4})
    >>> diff_in_diff(t).value         # (3.5 - 2) - (1.25 - 1)
    1.25
    """
    return weighted_difference(table, outcome, weights, change=True, confidence=confidence)


def overlap_summary(table: pd.DataFrame, propensity: pd.Series) -> pd.DataFrame:
    """Overlap and positivity checks of a propensity: its range by group, and what the weights lean on.

    Rows members and non-members: the minimum, 1st, 50th and 99th percentiles and maximum of e.
    ``attrs``: ``members_above_comparison`` (members with e above every non-member's: outside the
    overlap; ``ipw_weights(..., common_support=True)`` leaves them out, a trimming),
    ``effective_comparison`` = (sum w)^2 / sum w^2 over the weighted non-members (how many customers
    they are worth), ``largest_weight_share`` (one non-member's share of their total weight) and
    ``top_percent_share`` (the share carried by the heaviest 1% of them).

    Parameters
    ----------
    table : DataFrame from :func:`~retention_kit.programs.membership.customer_table`
    propensity : Series indexed like the table

    Returns
    -------
    DataFrame

    Raises
    ------
    InputError
        As :func:`~retention_kit.programs.membership.ipw_weights`.

    Examples
    --------
    >>> t = pd.DataFrame({"member": [True, False, False]})
    >>> overlap_summary(t, pd.Series([0.6, 0.5, 0.2])).attrs["members_above_comparison"]
    1
    """
    w = ipw_weights(table, propensity)
    member, e = table["member"].astype(bool), propensity.astype(float)
    summary = pd.DataFrame({name: e[mask].quantile([0, 0.01, 0.5, 0.99, 1]).to_numpy()
                            for name, mask in (("members", member), ("non-members", ~member))},
                           index=["min", "p1", "median", "p99", "max"]).T
    wc = w[~member]
    summary.attrs.update(members_above_comparison=int((e[member] > e[~member].max()).sum()),
                         effective_comparison=float(wc.sum() ** 2 / (wc ** 2).sum()),
                         largest_weight_share=float(wc.max() / wc.sum()),
                         top_percent_share=_top_share(wc))
    return summary


def _top_share(wc: pd.Series) -> float:
    k = max(1, int(np.ceil(0.01 * len(wc))))
    return float(np.sort(wc.to_numpy(float))[::-1][:k].sum() / wc.sum())


def balance(table: pd.DataFrame, weights: pd.Series, *, covariates=("pre_orders", "pre_spend", "tenure")) -> pd.DataFrame:
    """Covariate balance before and after weighting: standardized mean differences, and what the weights lean on.

    For each covariate x and for log(1 + x) (a model can balance one scale and not the other):
    smd = (mean_M - mean_C) / s, s = sqrt((var_M + var_C) / 2) from the unweighted groups, before
    (all non-members alike) and after (non-members weighted by ``weights``; members by theirs). A
    common rule of thumb asks |smd| < 0.1 after weighting. Balance on means is necessary, not
    sufficient; it says nothing of anything not measured.

    Parameters
    ----------
    table : DataFrame from :func:`~retention_kit.programs.membership.customer_table`
    weights : Series indexed like the table (``strata_weights`` or ``ipw_weights``)
    covariates : sequence of column names, default ("pre_orders", "pre_spend", "tenure")

    Returns
    -------
    DataFrame indexed by covariate (``x`` and ``log(1 + x)``): ``members``, ``non-members``,
    ``weighted non-members`` (means), ``smd_before``, ``smd_after``; ``attrs``: ``effective_comparison``,
    ``largest_weight_share``, ``top_percent_share`` (as :func:`overlap_summary`), ``worst`` (the
    largest |smd_after|).

    Raises
    ------
    InputError
        For absent, non-numeric or missing covariates, or weights not aligned with the table.

    Examples
    --------
    >>> t = pd.DataFrame({"member": [True, True, False, False], "x": [2.0, 4.0, 1.0, 3.0]})
    >>> b = balance(t, pd.Series([1.0, 1.0, 0.0, 1.0]), covariates=["x"])
    >>> round(float(b.loc["x", "smd_before"]), 3), round(float(b.loc["x", "smd_after"]), 3)
    (0.707, 0.0)
    """
    from .membership import _covariates, _weights
    values, member = _covariates(table, covariates), table["member"].astype(bool)
    w = _weights(table, weights)
    rows = {}
    for c, x in values.items():
        for name, v in ((c, x), (f"log(1 + {c})", np.log1p(x))):
            s = np.sqrt((v[member].var() + v[~member].var()) / 2) or 1.0
            m, c_all = v[member].mean(), v[~member].mean()
            c_w = np.average(v[~member], weights=w[~member])
            m_w = np.average(v[member], weights=w[member])
            rows[name] = {"members": m_w, "non-members": c_all, "weighted non-members": c_w,
                          "smd_before": (m - c_all) / s, "smd_after": (m_w - c_w) / s}
    out = pd.DataFrame(rows).T.astype(float)
    wc = w[~member & (w > 0)]
    out.attrs.update(effective_comparison=float(wc.sum() ** 2 / (wc ** 2).sum()),
                     largest_weight_share=float(wc.max() / wc.sum()), top_percent_share=_top_share(wc),
                     worst=float(out["smd_after"].abs().max()))
    return out


@validate(outcome=Options(*OUTCOMES), confidence=Confidence(), bins=Integer(low=2, high=20))
def estimates(table: pd.DataFrame, outcome: str = "orders", *, confidence: float = 0.95, bins: int = 4) -> pd.DataFrame:
    """Every estimator of the membership's effect on members, with its interval, in one table (``METHODS``).

    The naive gap; members' own change from the pre to the post window; difference-in-differences
    against all non-members; stratified matching and the DiD against the matched non-members
    (:func:`~retention_kit.programs.membership.strata_weights`, ``bins`` per covariate); inverse-
    propensity weighting and the propensity-weighted DiD. For "retention" (everyone was active
    before joining, so there is no change to take) only the naive gap, matching and weighting.
    Intervals take the weights as fixed (see ``weighted_difference``), and measure sampling noise
    only: an unmeasured reason to join biases every estimate and no interval widens for it.

    Parameters
    ----------
    table : DataFrame from :func:`~retention_kit.programs.membership.customer_table`
    outcome : "orders", "spend" (per active month) or "retention" (a share)
    confidence : float, default 0.95
    bins : int, default 4

    Returns
    -------
    DataFrame indexed by method: ``estimate``, ``ci_low``, ``ci_high``, ``se``, ``n_members``,
    ``n_comparison``, ``assumes``; ``attrs``: ``confidence``, ``outcome``, ``unmatched_members``,
    ``effective_comparison``.

    Raises
    ------
    InputError
        For a bad table or outcome.

    Examples
    --------
    >>> from retention_kit.datasets import make_membership_program
    >>> from retention_kit.programs.membership import customer_table
    >>> table = customer_table(make_membership_program(3000, random_state=0).data)
    >>> list(estimates(table, "retention").index)
    ['naive: members vs non-members', 'stratified matching', 'inverse-propensity weighting']
    """
    strata = strata_weights(table, bins=bins)
    ipw = ipw_weights(table, propensity_scores(table))
    rows = {"naive: members vs non-members": naive_difference(table, outcome, confidence=confidence)}
    if OUTCOMES[outcome][1] is not None:
        post, pre = OUTCOMES[outcome]
        change = (table[post] - table[pre])[table["member"].astype(bool)].dropna()
        se = float(change.std(ddof=1) / np.sqrt(len(change)))
        z = z_value(confidence)
        rows["members before and after"] = MetricResult(
            kind="member_change", name="Members' change", value=float(change.mean()), unit="", formula="mean(post - pre)",
            se=se, ci=(change.mean() - z * se, change.mean() + z * se), confidence=confidence,
            parts=dict(n_members=len(change), n_comparison=0))
        rows["DiD vs all non-members"] = diff_in_diff(table, outcome, confidence=confidence)
    rows["stratified matching"] = weighted_difference(table, outcome, strata, confidence=confidence)
    if OUTCOMES[outcome][1] is not None:
        rows["DiD vs matched non-members"] = diff_in_diff(table, outcome, strata, confidence=confidence)
    rows["inverse-propensity weighting"] = weighted_difference(table, outcome, ipw, confidence=confidence)
    if OUTCOMES[outcome][1] is not None:
        rows["DiD, propensity-weighted"] = diff_in_diff(table, outcome, ipw, confidence=confidence)
    out = pd.DataFrame({name: {"estimate": r.value, "ci_low": r.ci[0], "ci_high": r.ci[1], "se": r.se,
                               "n_members": r.n_members, "n_comparison": r.n_comparison, "assumes": METHODS[name]}
                        for name, r in rows.items()}).T
    out = out.astype({c: float for c in ("estimate", "ci_low", "ci_high", "se")}).astype(
        {"n_members": int, "n_comparison": int})
    wc = ipw[~table["member"].astype(bool)]
    out.attrs.update(confidence=confidence, outcome=outcome, unmatched_members=strata.attrs["unmatched_members"],
                     effective_comparison=float(wc.sum() ** 2 / (wc ** 2).sum()))
    return out


@validate(outcome=Options(*OUTCOMES), change=Options(False, True), n_resamples=Integer(low=20),
          confidence=Confidence(), log=Options(True, False), random_state=RandomState())
def ipw_bootstrap(table: pd.DataFrame, outcome: str = "orders", *, change: bool = False, n_resamples: int = 200,
                  confidence: float = 0.95, log: bool = True, random_state=None) -> MetricResult:
    """The inverse-propensity-weighted estimate with a bootstrap interval that refits the propensity every time.

    In each resample of customers (with replacement), the propensity is refitted
    (:func:`~retention_kit.programs.membership.propensity_scores`, ``log`` as there), the ATT weights
    recomputed and the weighted difference taken (``change=True``: of post minus pre, a weighted
    DiD); the interval is the percentile interval. Unlike the fixed-weight interval of
    ``weighted_difference``, it counts the propensity's own estimation, which for the effect on members
    usually narrows it. It still measures sampling noise only.

    Parameters
    ----------
    table : DataFrame from :func:`~retention_kit.programs.membership.customer_table`
    outcome : "orders", "spend" or "retention"
    change : bool, default False
    n_resamples : int, default 200
    confidence : float, default 0.95
    log : bool, default True
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    MetricResult (kind ``"bootstrap"``) with ``value`` the estimate on the table, ``se`` and ``ci``.

    Raises
    ------
    InputError
        For a bad table or arguments.

    Examples
    --------
    >>> from retention_kit.datasets import make_membership_program
    >>> from retention_kit.programs.membership import customer_table
    >>> table = customer_table(make_membership_program(2000, random_state=0).data)
    >>> r = ipw_bootstrap(table, n_resamples=20, random_state=0)
    >>> bool(r.ci[0] < r.value < r.ci[1])
    True
    """
    from ..uncertainty import bootstrap

    def estimate(frame):
        frame = frame.reset_index(drop=True)
        w = ipw_weights(frame, propensity_scores(frame, log=log))
        return weighted_difference(frame, outcome, w, change=change).value

    return bootstrap(table, estimate, n_resamples=n_resamples, confidence=confidence, random_state=random_state)


def _clv_parts(frame: pd.DataFrame, adjust: str, months: int, gross_margin: float, discount_rate: float,
               horizon=None) -> dict:
    from ..clv import formula_clv
    frame = frame.reset_index(drop=True)
    if adjust == "none":
        w = np.ones(len(frame))
    elif adjust == "strata":
        w = strata_weights(frame).to_numpy()
    else:
        w = ipw_weights(frame, propensity_scores(frame)).to_numpy()
    member = frame["member"].to_numpy(bool)
    spend, kept = frame["post_spend"].to_numpy(float), frame["retained"].to_numpy(float)
    parts = {}
    for group, mask in (("members", member), ("comparison", ~member)):
        has = mask & ~np.isnan(spend) & (w > 0)
        margin = gross_margin * np.sum(w[has] * spend[has]) / np.sum(w[has])
        retention = (np.sum(w[mask] * kept[mask]) / np.sum(w[mask])) ** (1 / months)
        parts[f"{group}_margin"], parts[f"{group}_retention"] = float(margin), float(retention)
        parts[f"{group}_clv"] = formula_clv(margin, retention=min(retention, 0.999), discount_rate=discount_rate,
                                            periods=horizon).value
    return parts


@validate(adjust=Options("none", "strata", "ipw"), gross_margin=Real(0, 1, closed="right"),
          discount_rate=Real(low=0), horizon=Integer(low=1, none=True), n_resamples=Integer(low=20, none=True),
          confidence=Confidence(), random_state=RandomState())
def clv_gap(table: pd.DataFrame, *, adjust: str = "ipw", gross_margin: float = 0.3, discount_rate: float = 0.01,
            horizon: int | None = None, n_resamples: int = 200, confidence: float = 0.95,
            random_state=None) -> MetricResult:
    """Members' CLV minus a comparison group's: the naive gap (``adjust="none"``) or the part the membership causes.

    For each group: margin m = gross_margin x (weighted) spend per active month of the post window;
    monthly retention r = (weighted share retained)^(1/k) over the k months of the post window (from
    the last month of the join window); CLV = m r / (1 + d - r) (``rk.clv.formula_clv``, first margin
    after a month). With weights that give the non-members the members' pre-join behaviour
    (``"strata"`` or ``"ipw"``), the comparison group stands for the members had they not joined, and
    the gap is the CLV the membership adds per member, if nothing unmeasured differs. The interval is a
    percentile bootstrap over customers that recomputes the weights in every resample.

    Assumptions to name when quoting it: the margin and retention of the post window hold for the
    whole lifetime (an effect measured over k months projected at a constant rate; with
    ``horizon=H`` only the first H months count, m r (1 - q^H) / (1 + d - r), q = r / (1 + d));
    members stay members (no cancellation); only the margin on orders counts: the fee and the cost
    of the benefits belong to the members' side alone.

    Parameters
    ----------
    table : DataFrame from :func:`~retention_kit.programs.membership.customer_table`
    adjust : "none", "strata" or "ipw" (default)
    gross_margin : float, default 0.3, a fraction of spend
    discount_rate : float, default 0.01, per month
    horizon : int, optional, months of margin counted (None: the whole lifetime)
    n_resamples : int or None, default 200 (None: the point estimate only, no interval)
    confidence : float, default 0.95
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    MetricResult (kind ``"clv_gap"``, currency) with parts ``members_clv``, ``comparison_clv``, and each
    group's ``*_margin`` (per month) and ``*_retention`` (monthly), ``months`` and ``horizon``.

    Raises
    ------
    InputError
        For a bad table or arguments.

    Examples
    --------
    >>> from retention_kit.datasets import make_membership_program
    >>> from retention_kit.programs.membership import customer_table
    >>> table = customer_table(make_membership_program(3000, random_state=0).data)
    >>> gap = clv_gap(table, adjust="none", n_resamples=20, random_state=0)
    >>> bool(gap.members_clv > gap.comparison_clv)
    True
    """
    from ..uncertainty import bootstrap
    require_frame(table, "table")
    require_columns(table, ["member", "post_spend", "retained"], "table", "pass customer_table(...)")
    windows = table.attrs.get("windows", {"post": ("2025-07-01", "2026-01-01")})
    start, end = map(pd.Timestamp, windows["post"])
    months = (end.year - start.year) * 12 + end.month - start.month

    def gap(frame):
        p = _clv_parts(frame, adjust, months, gross_margin, discount_rate, horizon)
        return p["members_clv"] - p["comparison_clv"]

    parts = _clv_parts(table, adjust, months, gross_margin, discount_rate, horizon)
    boot = bootstrap(table, gap, n_resamples=n_resamples, confidence=confidence, random_state=random_state) \
        if n_resamples else MetricResult(kind="bootstrap", name="", value=gap(table), unit="", formula="")
    name = {"none": "naive", "strata": "stratified matching", "ipw": "inverse-propensity weighting"}[adjust]
    return MetricResult(kind="clv_gap", name=f"Members' CLV minus the comparison's ({name})", value=boot.value,
                        unit="currency", se=boot.se, ci=boot.ci, confidence=confidence,
                        formula="m r / (1 + d - r) for members minus the same for the (weighted) comparison group",
                        parts=dict(**parts, months=months, horizon=horizon, gross_margin=gross_margin,
                                   discount_rate=discount_rate))
