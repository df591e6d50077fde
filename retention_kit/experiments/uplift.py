"""Uplift: who should get an offer, decided by the offer's effect on each customer, not by their churn risk.

Everything here needs a randomized test: only there does the comparison of offered and not-offered
customers with the same features estimate what the offer changes. The uplift of a customer is
P(retained | offered, x) - P(retained | not offered, x): positive for *persuadables*, zero for
*sure things* and *lost causes*, negative for *do-not-disturbs*. Taught in lesson 12.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from ..churn.models import _checked_features, one_thread
from ..metrics.comparisons import proportion_difference
from ..results import MetricResult
from ..validation import Confidence, InputError, Options, RandomState, as_flag, label, require_columns, require_frame, validate

__all__ = ["uplift_by_segment", "heterogeneity_test", "fit_uplift", "predict_uplift", "expected_offer_value",
           "UpliftModel", "METHODS"]

METHODS = ("two_model", "class_transformation")


def _flags(treated, outcome, index=None):
    t = as_flag(pd.Series(treated, index=index) if not isinstance(treated, pd.Series) else treated, "treated")
    y = as_flag(pd.Series(outcome, index=index) if not isinstance(outcome, pd.Series) else outcome, "outcome")
    if len(t) != len(y):
        raise InputError(f"treated has {len(t)} values and outcome {len(y)}: give one of each per customer.")
    if not t.index.equals(y.index):
        raise InputError("treated and outcome must share one index (the customer ids), in the same order. Fix: "
                         "outcome.reindex(treated.index).")
    for arm, mask in (("treated", t), ("control", ~t)):
        if not mask.any():
            raise InputError(f"no customer is in the {arm} arm ({len(t):,} customers, all "
                             f"{'untreated' if arm == 'treated' else 'treated'}): an uplift compares the two arms. "
                             f"Fix: pass the whole randomized test.")
    return t, y


@validate(confidence=Confidence())
def uplift_by_segment(test: pd.DataFrame, by, *, treated_col: str = "treated", outcome_col: str = "retained",
                      confidence: float = 0.95) -> pd.DataFrame:
    """The offer's effect in each segment of a randomized test: treated rate minus control rate, with an interval.

    uplift = k_T / n_T - k_C / n_C within the segment, with Newcombe's interval
    (:func:`rk.metrics.proportion_difference`). Segments must be formed from what was known before the
    offer (a segment defined by the outcome or by behaviour after the offer is no segment).

    Parameters
    ----------
    test : DataFrame, one row per customer of the test
    by : str or list of str, the segment column(s)
    treated_col, outcome_col : str, default "treated", "retained" (True/False or 0/1)
    confidence : float, default 0.95

    Returns
    -------
    DataFrame indexed by segment: ``n_treated``, ``n_control``, ``rate_treated``, ``rate_control``,
    ``uplift``, ``ci_low``, ``ci_high``, ``p_value``.

    Raises
    ------
    InputError
        For missing columns, flags that are not True/False, missing segment labels, or a segment
        with no treated or no control customer (its uplift cannot be estimated: merge it with
        another segment).

    Examples
    --------
    >>> t = pd.DataFrame({"plan": ["a"] * 4 + ["b"] * 4, "treated": [1, 1, 0, 0] * 2,
    ...                   "retained": [1, 1, 1, 0, 1, 0, 0, 0]})
    >>> uplift_by_segment(t, "plan")["uplift"].tolist()
    [0.5, 0.5]
    """
    test = require_frame(test, "test")
    keys = [by] if isinstance(by, str) else list(by)
    require_columns(test, [*keys, treated_col, outcome_col], "test")
    t, y = as_flag(test[treated_col], treated_col), as_flag(test[outcome_col], outcome_col)
    for key in keys:
        missing = test[key].isna().to_numpy()
        if missing.any():
            raise InputError(f"column {label(key)} has {int(missing.sum())} missing segment label(s) (first at row "
                             f"{label(test.index[missing][0])}): those customers would be left out. Fix: fill them "
                             f"with a label of their own (e.g. 'unknown') or remove them and say so.")
    frame = test[keys].assign(_t=t.to_numpy(), _y=y.to_numpy(), _ty=(t & y).to_numpy())
    counts = frame.groupby(keys, observed=True).agg(n_treated=("_t", "sum"), n=("_t", "size"), k_treated=("_ty", "sum"),
                                                     k=("_y", "sum"))
    rows = []
    for segment, c in counts.iterrows():
        n_t, n_c = int(c["n_treated"]), int(c["n"] - c["n_treated"])
        if n_t == 0 or n_c == 0:
            raise InputError(f"segment {label(segment)} of {keys} has {n_t} treated and {n_c} control customers: its "
                             f"uplift cannot be estimated without both arms. Fix: merge it with a neighbouring "
                             f"segment, or leave it out and say so.")
        k_t, k_c = int(c["k_treated"]), int(c["k"] - c["k_treated"])
        d = proportion_difference(k_t, n_t, k_c, n_c, confidence=confidence)
        rows.append(dict(n_treated=n_t, n_control=n_c, rate_treated=k_t / n_t, rate_control=k_c / n_c,
                         uplift=d.value, ci_low=d.ci[0], ci_high=d.ci[1], p_value=d.parts["p_value"]))
    table = pd.DataFrame(rows, index=counts.index)
    table.attrs["confidence"] = confidence
    return table


def heterogeneity_test(table: pd.DataFrame) -> MetricResult:
    """Do the segments' effects differ by more than chance? Cochran's Q over a table of :func:`uplift_by_segment`.

    With u_i each segment's uplift and v_i = p_T (1 - p_T) / n_T + p_C (1 - p_C) / n_C its
    variance, w_i = 1 / v_i and u_bar = sum w_i u_i / sum w_i:
    Q = sum w_i (u_i - u_bar)^2, compared with a chi-square on (segments - 1) degrees of freedom.
    A small p-value says the effect differs between segments; a large one that the segments'
    spread is what chance alone makes (the right check before believing "the best segment").

    Parameters
    ----------
    table : DataFrame from :func:`uplift_by_segment`

    Returns
    -------
    MetricResult (kind ``"heterogeneity"``, value Q) with parts ``df``, ``p_value``, ``pooled``
    (u_bar).

    Raises
    ------
    InputError
        For fewer than two segments, or a segment whose rates are both 0 or both 1 (no variance).

    Examples
    --------
    >>> t = pd.DataFrame({"rate_treated": [0.6, 0.5], "rate_control": [0.5, 0.5], "n_treated": [100, 100],
    ...                   "n_control": [100, 100], "uplift": [0.1, 0.0]})
    >>> round(heterogeneity_test(t).value, 3)      # (0.1 - 0.0)^2 / (0.0049 + 0.005)
    1.01
    """
    from scipy.stats import chi2
    if not isinstance(table, pd.DataFrame) or len(table) < 2:
        raise InputError("table must be a table of uplift_by_segment with at least two segments.")
    require_columns(table, ["rate_treated", "rate_control", "n_treated", "n_control", "uplift"], "table",
                    "pass the table uplift_by_segment returns")
    p_t, p_c = table["rate_treated"].to_numpy(float), table["rate_control"].to_numpy(float)
    v = p_t * (1 - p_t) / table["n_treated"].to_numpy(float) + p_c * (1 - p_c) / table["n_control"].to_numpy(float)
    if (v <= 0).any():
        raise InputError(f"segment {label(table.index[np.flatnonzero(v <= 0)[0]])} has no variance (every customer "
                         "retained, or none, in both arms): Q cannot weigh it. Fix: merge it with a neighbour.")
    w, u = 1 / v, table["uplift"].to_numpy(float)
    pooled = float((w * u).sum() / w.sum())
    q = float((w * (u - pooled) ** 2).sum())
    df = len(table) - 1
    return MetricResult(kind="heterogeneity", name="Differences between the segments' effects (Cochran's Q)",
                        value=q, unit="", formula="Q = sum w_i (u_i - u_bar)^2, w_i = 1 / var(u_i); chi-square, k - 1 df",
                        parts=dict(df=df, p_value=float(chi2.sf(q, df)), pooled=pooled))


class UpliftModel(NamedTuple):
    """A fitted uplift model: the method, the fitted classifier(s) and the features they were fitted on.

    Parameters
    ----------
    method : str, one of ``METHODS``
    models : tuple of fitted scikit-learn classifiers (treated and control for the two-model method,
        one for the class transformation)
    features : tuple of str

    Examples
    --------
    >>> UpliftModel("two_model", (), ("x",)).method
    'two_model'
    """

    method: str
    models: tuple
    features: tuple


def _classifier(model: str, random_state):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    if model == "logistic":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    return HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=40,
                                          random_state=random_state)


@validate(method=Options(*METHODS), model=Options("logistic", "gradient_boosting"), random_state=RandomState())
def fit_uplift(X: pd.DataFrame, treated, outcome, *, method: str = "two_model", model: str = "gradient_boosting",
               random_state=None) -> UpliftModel:
    """Fit an uplift model on a randomized test: how much the offer changes each customer's outcome.

    * ``"two_model"``: one classifier on the treated, one on the control customers;
      uplift(x) = P(y | treated, x) - P(y | control, x).
    * ``"class_transformation"`` (Jaskowski and Jaroszewicz 2012): one classifier of
      z = 1 when (treated and y) or (control and not y); with the arms weighted to equal size
      (weights 0.5 / e and 0.5 / (1 - e), e the share treated), uplift(x) = 2 P(z | x) - 1.

    Parameters
    ----------
    X : DataFrame of numeric features known before the offer, one row per customer
    treated : Series of True/False (or 0/1) indexed like X, the random assignment
    outcome : Series of True/False (or 0/1) indexed like X, e.g. retained
    method : "two_model" (default) or "class_transformation"
    model : "gradient_boosting" (default) or "logistic"
    random_state : int, optional

    Returns
    -------
    UpliftModel, for :func:`predict_uplift`.

    Raises
    ------
    InputError
        For non-numeric or missing features, flags that are not True/False, misaligned inputs, or
        an arm with no customer.

    Examples
    --------
    >>> X = pd.DataFrame({"x": [0, 1, 0, 1, 0, 1, 0, 1]})
    >>> t = pd.Series([1, 1, 1, 1, 0, 0, 0, 0]); y = pd.Series([1, 1, 0, 1, 0, 1, 0, 1])
    >>> m = fit_uplift(X, t, y, model="logistic")
    >>> u = predict_uplift(m, X)      # the offer helps at x = 0 (1 of 2 vs 0 of 2), not at x = 1 (2 of 2 both)
    >>> bool(u.iloc[0] > u.iloc[1])
    True
    """
    X = _checked_features(X)
    t, y = _flags(treated, outcome, X.index)
    if not t.index.equals(X.index):
        raise InputError("treated and outcome must be indexed like X (the same customers in the same order). Fix: "
                         "treated.reindex(X.index).")
    with one_thread():
        if method == "two_model":
            fitted = []
            for arm in (t, ~t):
                if y[arm].nunique() < 2:
                    raise InputError(f"in the {'treated' if arm is t else 'control'} arm every outcome is "
                                     f"{label(bool(y[arm].iloc[0]))}: a classifier needs both. Fix: a larger test.")
                fitted.append(_classifier(model, random_state).fit(X[arm.to_numpy()], y[arm].to_numpy()))
            models = tuple(fitted)
        else:
            e = float(t.mean())
            z = (t & y) | (~t & ~y)
            weight = np.where(t, 0.5 / e, 0.5 / (1 - e))
            clf = _classifier(model, random_state)
            step = {"sample_weight": weight} if model == "gradient_boosting" else {"logisticregression__sample_weight":
                                                                                 weight}
            models = (clf.fit(X, z.to_numpy(), **step),)
    return UpliftModel(method, models, tuple(X.columns))


def predict_uplift(model: UpliftModel, X: pd.DataFrame) -> pd.Series:
    """Each customer's predicted uplift from a model of :func:`fit_uplift`.

    Parameters
    ----------
    model : UpliftModel
    X : DataFrame with the features the model was fitted on

    Returns
    -------
    Series ``uplift`` indexed like X, differences of probabilities in [-1, 1].

    Raises
    ------
    InputError
        For a model not made by ``fit_uplift`` or features that differ from the fitted ones.

    Examples
    --------
    >>> X = pd.DataFrame({"x": [0.0, 1.0] * 4}); t = pd.Series([1] * 4 + [0] * 4)
    >>> m = fit_uplift(X, t, pd.Series([1, 1, 0, 1, 0, 0, 1, 0]), model="logistic")
    >>> len(predict_uplift(m, X))
    8
    """
    if not isinstance(model, UpliftModel):
        raise InputError(f"model must be made by fit_uplift, got {type(model).__name__}.")
    X = _checked_features(X)
    if tuple(X.columns) != model.features:
        raise InputError(f"X must have the columns the model was fitted on, {list(model.features)}; got "
                         f"{list(X.columns)}. Fix: build X the same way.")
    with one_thread():
        p = [m.predict_proba(X)[:, 1] for m in model.models]
    value = p[0] - p[1] if model.method == "two_model" else 2 * p[0] - 1
    return pd.Series(value, index=X.index, name="uplift")


def expected_offer_value(model: UpliftModel, X: pd.DataFrame, *, clv, discount, contact_cost: float = 0.0) -> pd.Series:
    """Each customer's expected value of getting the offer, from a two-model uplift model: u CLV - p_T d - f.

    With u the predicted uplift, p_T the predicted chance of staying with the offer (the treated
    arm's model), d the discount a retained treated customer uses and f the contact cost: the
    kept customers' value, minus the discounts every retained offered customer uses (including
    those who would have stayed anyway), minus the contact. Offering the customers whose value is
    above 0 picks the share by itself, which ranking by uplift alone does not.

    Parameters
    ----------
    model : UpliftModel fitted with ``method="two_model"``
    X : DataFrame with the model's features
    clv, discount : float or Series indexed like X, dollars
    contact_cost : float, default 0

    Returns
    -------
    Series ``expected_value`` indexed like X, dollars.

    Raises
    ------
    InputError
        For a class-transformation model (it predicts the uplift, not p_T), or missing money values.

    Examples
    --------
    >>> X = pd.DataFrame({"x": [0.0, 1.0] * 4}); t = pd.Series([1] * 4 + [0] * 4)
    >>> m = fit_uplift(X, t, pd.Series([1, 1, 0, 1, 0, 0, 1, 0]), model="logistic")
    >>> len(expected_offer_value(m, X, clv=100.0, discount=5.0))
    8
    """
    if not isinstance(model, UpliftModel) or model.method != "two_model":
        raise InputError("model must be a two-model uplift model (fit_uplift(..., method='two_model')): the class "
                         "transformation predicts the uplift only, not the chance of staying with the offer.")
    uplift = predict_uplift(model, X)
    with one_thread():
        p_treated = model.models[0].predict_proba(X[list(model.features)].astype(float))[:, 1]
    values = {}
    for name, money in (("clv", clv), ("discount", discount)):
        v = pd.Series(float(money), index=X.index) if np.ndim(money) == 0 else pd.Series(money).reindex(X.index)
        v = pd.to_numeric(v, errors="coerce")
        if v.isna().any():
            raise InputError(f"{name} must be a number or a value for every customer of X; "
                             f"{int(v.isna().sum())} are missing. Fix: give {name} for every customer.")
        values[name] = v.to_numpy(float)
    value = uplift.to_numpy() * values["clv"] - p_treated * values["discount"] - contact_cost
    return pd.Series(value, index=X.index, name="expected_value")
