"""A paid membership that customers choose to join: the naive member gap and estimates that account for self-selection.

Taught in the Amazon Prime case study, on :func:`retention_kit.datasets.membership.make_membership_program`.
Members chose to join, so they differed before they joined; every estimator here compares members with
non-members in the same calendar months and says what it assumes:

* :func:`customer_table`: one row per customer active at the end of the join window, with pre-join
  behaviour (the pre window), outcomes (the post window) and benefit use;
* :func:`weighted_difference` (the common core of every estimator), :func:`strata_weights` (stratified
  matching on pre-join behaviour), :func:`propensity_scores` and :func:`ipw_weights` (inverse-
  propensity weighting);
* in ``membership_value`` (re-exported here): :func:`naive_difference`, :func:`diff_in_diff` (change from
  the pre to the post window), :func:`overlap_summary` and :func:`balance` (positivity and
  balance checks), :func:`estimates`, :func:`ipw_bootstrap` (an interval that refits the
  propensity) and :func:`clv_gap`;
* in ``membership_explorer`` (re-exported here): :func:`benefit_usage` and :func:`monthly_means`
  (descriptive views); :func:`selection_view` and :func:`selection_explorer`, the estimates as
  selection and an unmeasured driver of joining change (ipywidgets is imported on first use).

Matching and weighting remove differences in what was measured before joining (orders, spend, tenure);
none of them removes a difference in something unmeasured that also drives the outcome.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..datasets.membership import BENEFITS, FREQUENCY_BANDS, MEMBERSHIP_WINDOWS
from ..metrics.rates import z_value
from ..results import MetricResult
from ..validation import (Confidence, InputError, Integer, Options, check, require_columns, require_frame,
                          require_nonnegative, require_numeric, validate)

__all__ = ["customer_table", "naive_difference", "weighted_difference", "diff_in_diff", "strata_weights",
           "propensity_scores", "ipw_weights", "overlap_summary", "balance", "estimates", "ipw_bootstrap", "clv_gap",
           "benefit_usage", "monthly_means", "selection_view", "selection_explorer", "COVARIATES", "OUTCOMES"]

COVARIATES = ("pre_orders", "pre_spend", "tenure")
OUTCOMES = {"orders": ("post_orders", "pre_orders"), "spend": ("post_spend", "pre_spend"), "retention": ("retained", None)}


def _months(start, end) -> pd.DatetimeIndex:
    return pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="MS", inclusive="left")


def customer_table(data: pd.DataFrame, *, windows: dict | None = None, customer_id_col: str = "customer_id",
                   month_col: str = "month") -> pd.DataFrame:
    """One row per customer active in the last month of the join window: pre-join behaviour, outcomes, benefits.

    Windows are half-open calendar months ``[start, end)``: ``pre`` (behaviour before anyone joins),
    then the join window ``[pre end, post start)``, then ``post`` (the outcomes, in the same calendar
    months for members and non-members). A member joined in the join window. Per customer:
    pre_orders and pre_spend = orders and spend per active month of the pre window; tenure = months from
    the first order to the pre window's end; post_orders and post_spend = per active month of the
    post window (NaN for a customer who lapsed right after the join window); retained = active in the
    post window's last month; band = the pre_orders band of ``FREQUENCY_BANDS``; for each benefit
    column present, used at least once in the post window.

    The data need a row for every month a customer was active (zero orders included) and none after
    they lapsed, with ``month`` the first day of the month: active months, not a transaction log. From
    a log, count orders per customer and calendar month, fill the months between a customer's first
    order and their lapse with zeros, and choose a lapse rule (for instance: lapsed after 3 months
    without an order; the months of silence before it count as active). "Member" means joined in the
    join window and is kept for good: a member who cancelled later still counts as a member (the
    effect of having joined), so the data must say nothing else.

    Parameters
    ----------
    data : DataFrame, one row per customer and active month (``month`` on the first day), with
        ``orders``, ``spend``, ``join_month`` (NaT for non-members) and ``first_order``
    windows : dict with ``pre`` and ``post`` (start, end) pairs, default ``MEMBERSHIP_WINDOWS``
    customer_id_col, month_col : str

    Returns
    -------
    DataFrame indexed by customer, with ``attrs["windows"]``.

    Raises
    ------
    InputError
        For missing columns, negative orders or spend, a month not on the first day, no customer
        active in the join window's last month, a member who joined outside the join window, or a
        customer in the table without a month in the pre window.

    Examples
    --------
    >>> from retention_kit.datasets import make_membership_program
    >>> table = customer_table(make_membership_program(1000, random_state=0).data)
    >>> list(table.columns[:6])
    ['member', 'pre_orders', 'pre_spend', 'tenure', 'post_orders', 'post_spend']
    """
    require_frame(data, "data")
    require_columns(data, [customer_id_col, month_col, "orders", "spend", "join_month", "first_order"], "data")
    for column in ("orders", "spend"):
        require_nonnegative(require_numeric(data[column], column), column)
    windows = {k: tuple(map(pd.Timestamp, v)) for k, v in (windows or MEMBERSHIP_WINDOWS).items()}
    (pre_start, pre_end), (post_start, post_end) = windows["pre"], windows["post"]
    if not pre_start < pre_end <= post_start < post_end:
        raise InputError(f"windows={windows!r} must be in order: pre start < pre end <= post start < post end.")
    month = pd.to_datetime(data[month_col])
    off = (month.dt.day != 1) | (month != month.dt.normalize())
    if off.any():
        raise InputError(f"column {month_col!r} must hold the first day of each month; found "
                         f"{month[off].iloc[0]} (row {off.idxmax()!r}, {int(off.sum())} such rows). Fix: "
                         f"data[{month_col!r}] = data[{month_col!r}].dt.to_period('M').dt.to_timestamp().")
    ids = data[customer_id_col]
    last_join_month = _months(pre_end, post_start)[-1] if pre_end < post_start else pre_end - pd.DateOffset(months=1)
    population = pd.Index(ids[month == last_join_month].unique(), name=customer_id_col)
    if population.empty:
        raise InputError(f"no customer has a row in {last_join_month.date()}, the join window's last month: the "
                         f"population is empty; check the windows against the months in {month_col!r}.")
    joined = data.groupby(customer_id_col)["join_month"].first().reindex(population)
    outside = joined.notna() & ~((joined >= pre_end) & (joined < post_start))
    if outside.any():
        raise InputError(f"{int(outside.sum())} customer(s) joined outside the join window [{pre_end.date()}, "
                         f"{post_start.date()}) (first {outside.idxmax()!r}, joined {joined[outside].iloc[0].date()}); "
                         f"choose windows around their join month, or leave them out first.")

    def per_month(start, end):
        rows = data[(month >= start) & (month < end) & ids.isin(population)]
        g = rows.groupby(customer_id_col)
        return g[["orders", "spend"]].sum().div(g.size(), axis=0).reindex(population), g.size().reindex(population)

    (pre, n_pre), (post, n_post) = per_month(pre_start, pre_end), per_month(post_start, post_end)
    if n_pre.isna().any():
        raise InputError(f"{int(n_pre.isna().sum())} customer(s) have no month in the pre window (first "
                         f"{n_pre.index[n_pre.isna()][0]!r}): they cannot be compared on pre-join behaviour; "
                         f"leave them out first or start the pre window later. From a transaction log, build one row per "
                         f"active month first, zero orders included (see this function's docstring).")
    first = data.groupby(customer_id_col)["first_order"].first().reindex(population)
    tenure = (pre_end.year - first.dt.year) * 12 + (pre_end.month - first.dt.month)
    last = _months(post_start, post_end)[-1]
    table = pd.DataFrame({"member": joined.notna(), "pre_orders": pre["orders"], "pre_spend": pre["spend"],
                          "tenure": tenure.astype(float), "post_orders": post["orders"], "post_spend": post["spend"],
                          "post_months": n_post.fillna(0).astype(int),
                          "retained": population.isin(ids[month == last])}, index=population)
    edges = [low for low, _ in FREQUENCY_BANDS.values()][1:]
    table["band"] = np.array(list(FREQUENCY_BANDS))[np.searchsorted(edges, table["pre_orders"], side="right")]
    in_post = (month >= post_start) & (month < post_end)
    for name in [b for b in BENEFITS if b in data.columns]:
        table[name] = data[in_post].groupby(customer_id_col)[name].any().reindex(population, fill_value=False)
    table.attrs["windows"] = {k: (str(a.date()), str(b.date())) for k, (a, b) in windows.items()}
    return table


def _outcome(table: pd.DataFrame, outcome: str, change: bool = False):
    require_frame(table, "table")
    post, pre = OUTCOMES[outcome]
    if change and pre is None:
        raise InputError(f"outcome={outcome!r} has no pre-window value (everyone was active before joining); "
                         f"a change from before needs 'orders' or 'spend'.")
    require_columns(table, ["member", post] + ([pre] if change else []), "table", "pass customer_table(...)")
    y = table[post].astype(float) - (table[pre] if change else 0.0)
    return y[y.notna()], int(y.isna().sum())


def _weights(table, weights, name="weights", source="strata_weights or ipw_weights") -> pd.Series:
    if weights is None:
        return pd.Series(1.0, index=table.index)
    if not isinstance(weights, pd.Series) or not weights.index.equals(table.index):
        raise InputError(f"{name} must be a Series indexed like the table (from {source}); align it with "
                         f"{name}.reindex(table.index) or compute it from this table.")
    w = require_numeric(weights, name)
    if w.isna().any() or (w < 0).any():
        raise InputError(f"{name} must be non-negative numbers without missing values.")
    return w


@validate(outcome=Options(*OUTCOMES), change=Options(False, True), confidence=Confidence())
def weighted_difference(table: pd.DataFrame, outcome: str = "orders", weights=None, *, change: bool = False,
                        confidence: float = 0.95) -> MetricResult:
    """Members' weighted mean outcome minus the comparison group's, with a heteroskedasticity-robust interval.

    d = sum_M w y / sum_M w - sum_C w y / sum_C w (M members, C non-members). Each group mean's
    variance is sum w^2 e^2 / (1 - h) / (sum w)^2, e the residual from the group mean and
    h = w / sum w (HC2: for equal weights, Welch's variance); the interval is d +/- z se. The
    weights are taken as fixed. For estimated propensities that ignores their own estimation, which
    for the effect on members usually makes the interval wider (conservative), not narrower:
    :func:`ipw_bootstrap` refits them in every resample. Either interval measures sampling noise
    only, not the bias of a reason to join that was not measured.

    Parameters
    ----------
    table : DataFrame from :func:`customer_table`
    outcome : "orders", "spend" (per active month of the post window) or "retention"
    weights : Series indexed like the table, optional (each row 1 when None)
    change : bool, default False; True compares post minus pre (a difference-in-differences)
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"member_difference"``) with parts ``members_mean``, ``comparison_mean``,
    ``n_members``, ``n_comparison`` (rows with a positive weight) and ``left_out`` (rows without the
    outcome: no active month in the post window).

    Raises
    ------
    InputError
        For a bad table, weights not aligned with it, or a group with fewer than 2 weighted rows.

    Examples
    --------
    >>> t = pd.DataFrame({"member": [True, True, False, False], "post_orders": [3.0, 5.0, 1.0, 2.0],
    ...                   "retained": [True] * 4})
    >>> round(weighted_difference(t).value, 3)
    2.5
    """
    y, left_out = _outcome(table, outcome, change)
    w = _weights(table, weights).reindex(y.index)
    member = table["member"].reindex(y.index).astype(bool)
    means, variances, sizes = {}, {}, {}
    for group, mask in (("members", member), ("comparison", ~member)):
        wg, yg = w[mask & (w > 0)].to_numpy(float), y[mask & (w > 0)].to_numpy(float)
        if len(wg) < 2:
            raise InputError(f"the {group} have {len(wg)} row(s) with a positive weight and the outcome; an "
                             f"interval needs at least 2 in each group.")
        means[group] = float(np.sum(wg * yg) / wg.sum())
        h = wg / wg.sum()
        variances[group] = float(np.sum(wg ** 2 * (yg - means[group]) ** 2 / (1 - h)) / wg.sum() ** 2)
        sizes[group] = len(wg)
    value, se = means["members"] - means["comparison"], float(np.sqrt(sum(variances.values())))
    z = z_value(confidence)
    return MetricResult(kind="member_difference", name=f"Members minus comparison, {outcome}" + (" change" if change else ""),
                        value=value, unit="", se=se, ci=(value - z * se, value + z * se), confidence=confidence,
                        formula="sum_M w y / sum_M w - sum_C w y / sum_C w" + (", y = post - pre" if change else ""),
                        parts=dict(members_mean=means["members"], comparison_mean=means["comparison"],
                                   n_members=sizes["members"], n_comparison=sizes["comparison"], left_out=left_out))


def _covariates(table, covariates):
    require_frame(table, "table")
    require_columns(table, ["member", *covariates], "table", "pass customer_table(...)")
    values = {c: require_numeric(table[c], c) for c in covariates}
    for c, x in values.items():
        if x.isna().any():
            raise InputError(f"column {c!r} has {int(x.isna().sum())} missing value(s) (first {x.index[x.isna()][0]!r}): "
                             f"a stratum or a propensity needs every covariate; fill them or leave those customers out.")
    return values


@validate(bins=Integer(low=2, high=20))
def strata_weights(table: pd.DataFrame, *, covariates=COVARIATES, bins: int = 4) -> pd.Series:
    """Stratified matching: ATT weights that give the non-members of each stratum the members' share.

    Strata cross the quantile bins of each covariate (edges from the members' quantiles, so each
    bin holds about as many members). In stratum s, a member weighs 1 and a non-member
    n_M,s / n_C,s: the comparison group then has the members' mix of pre-join behaviour. Members
    in a stratum without non-members cannot be matched: their weight is 0 (so the estimate is for
    the matched members only), counted in ``attrs["unmatched_members"]``.

    Parameters
    ----------
    table : DataFrame from :func:`customer_table`
    covariates : sequence of column names, default ("pre_orders", "pre_spend", "tenure")
    bins : int, default 4, per covariate

    Returns
    -------
    Series of weights indexed like the table, with ``attrs["unmatched_members"]`` and ``attrs["strata"]``.

    Raises
    ------
    InputError
        For absent, non-numeric or missing (NaN) covariates, or bins outside 2 to 20.

    Examples
    --------
    >>> t = pd.DataFrame({"member": [True, True, False, False, False], "x": [1.0, 9.0, 1.0, 2.0, 9.0]})
    >>> strata_weights(t, covariates=["x"], bins=2).tolist()
    [1.0, 1.0, 0.5, 0.5, 1.0]
    """
    values, member = _covariates(table, covariates), table["member"].astype(bool)
    codes = []
    for c, x in values.items():
        edges = np.unique(np.quantile(x[member], np.linspace(0, 1, bins + 1)[1:-1]))
        codes.append(np.searchsorted(edges, x.to_numpy(), side="right"))
    stratum = pd.Series(pd.MultiIndex.from_arrays(codes).codes[0] if len(codes) == 1 else
                        pd.factorize(pd.MultiIndex.from_arrays(codes))[0], index=table.index)
    n_m = stratum[member].value_counts()
    n_c = stratum[~member].value_counts()
    ratio = (n_m / n_c).reindex(stratum.unique()).fillna(0.0)
    w = pd.Series(np.where(member, 1.0, stratum.map(ratio).fillna(0.0)), index=table.index)
    unmatched = member & ~stratum.isin(n_c.index)
    w[unmatched] = 0.0
    w.attrs.update(unmatched_members=int(unmatched.sum()), strata=int(stratum.nunique()))
    return w


def propensity_scores(table: pd.DataFrame, *, covariates=COVARIATES, log: bool = True) -> pd.Series:
    """The probability of being a member given pre-join behaviour, from a logistic regression.

    logit P(member) = b0 + sum_j b_j x_j, x_j = log(1 + covariate) standardized (the covariate
    itself with ``log=False``), fitted by maximum likelihood without a penalty (Newton-Raphson). The
    weights are only as good as this model: check :func:`balance` after weighting. It models what was
    measured: a reason to join that was not measured stays in the comparison, whatever the weights.

    Parameters
    ----------
    table : DataFrame from :func:`customer_table`
    covariates : sequence of column names, default ("pre_orders", "pre_spend", "tenure")
    log : bool, default True, the model on log(1 + covariate)

    Returns
    -------
    Series of probabilities indexed like the table.

    Raises
    ------
    InputError
        For absent, non-numeric, missing (NaN) or negative covariates, or a table with one group only.

    Examples
    --------
    >>> t = pd.DataFrame({"member": [True, False, True, False, False, True], "x": [5.0, 1.0, 3.0, 2.0, 4.0, 6.0]})
    >>> bool(propensity_scores(t, covariates=["x"]).iloc[0] > propensity_scores(t, covariates=["x"]).iloc[1])
    True
    """
    log = check("log", log, Options(True, False))
    values, member = _covariates(table, covariates), table["member"].astype(bool)
    for c, x in values.items():
        require_nonnegative(x, c)
    if member.all() or not member.any():
        raise InputError("table holds one group only; a propensity needs members and non-members.")
    X = np.column_stack([x.to_numpy() for x in values.values()])
    X = np.log1p(X) if log else X
    X = np.column_stack([np.ones(len(X)), (X - X.mean(0)) / np.where(X.std(0) > 0, X.std(0), 1.0)])
    y, beta = member.to_numpy(float), np.zeros(X.shape[1])
    for _ in range(50):                      # Newton-Raphson on the log-likelihood (few covariates: fast)
        p = 1 / (1 + np.exp(-X @ beta))
        step = np.linalg.solve(X.T @ (X * (p * (1 - p))[:, None]) + 1e-9 * np.eye(X.shape[1]), X.T @ (y - p))
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    else:
        raise InputError("the propensity's logistic regression did not converge: a covariate separates members "
                         "from non-members completely (no overlap), or two covariates are proportional; leave one "
                         "out or compare within its range.")
    return pd.Series(1 / (1 + np.exp(-X @ beta)), index=table.index, name="propensity")


def ipw_weights(table: pd.DataFrame, propensity: pd.Series, *, common_support: bool = False) -> pd.Series:
    """Inverse-propensity weights for the effect on members (ATT): 1 for a member, e / (1 - e) for a non-member.

    Weighted so, the non-members have the members' distribution of the covariates the propensity
    e was fitted on. Positivity: a member with e near 1 has almost no comparable non-members, and a
    few non-members then carry huge weights (see :func:`overlap_summary`). With
    ``common_support=True`` the members whose e is above every non-member's weigh 0: the estimate is
    then the effect on the members inside the overlap (a trimming; report both).

    Parameters
    ----------
    table : DataFrame from :func:`customer_table`
    propensity : Series of probabilities indexed like the table
    common_support : bool, default False

    Returns
    -------
    Series of weights indexed like the table, ``attrs["outside_support"]``: the members left out.

    Raises
    ------
    InputError
        For a propensity not aligned with the table, or outside (0, 1).

    Examples
    --------
    >>> t = pd.DataFrame({"member": [True, False]})
    >>> ipw_weights(t, pd.Series([0.5, 0.2])).tolist()
    [1.0, 0.25]
    """
    e = _weights(table, propensity, "propensity", "propensity_scores(table)")
    if ((e <= 0) | (e >= 1)).any():
        raise InputError("propensity must be strictly between 0 and 1; a member with e = 1 has no comparable "
                         "non-member (no overlap).")
    member = table["member"].astype(bool)
    outside = member & (e > e[~member].max()) if check("common_support", common_support, Options(True, False)) \
        else pd.Series(False, index=table.index)
    w = pd.Series(np.where(member, np.where(outside, 0.0, 1.0), e / (1 - e)), index=table.index, name="weight")
    w.attrs["outside_support"] = int(outside.sum())
    return w


from .membership_value import (balance, clv_gap, diff_in_diff, estimates, ipw_bootstrap,  # noqa: E402
                               naive_difference, overlap_summary)
from .membership_explorer import benefit_usage, monthly_means, selection_explorer, selection_view  # noqa: E402
