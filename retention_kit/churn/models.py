"""A split in time, and two churn models (a scaled logistic regression and gradient boosting) that refuse leaks.

A churn model is trained on features as of one cut-off with the labels that followed it, and tested on a
later cut-off whose features were built the same way: the test imitates using the model on the day it is
deployed. The training labels must end before the test begins, or the model has seen the test period.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from ..validation import (InputError, Integer, Options, RandomState, as_datetime, as_flag, as_timestamp, label,
                          validate)
from .features import LABEL, churn_labels, features_as_of

__all__ = ["ChurnSplit", "time_split", "fit_churn_model", "predict_churn", "MODELS"]

MODELS = ("logistic", "gradient_boosting")
_WEEK = pd.Timedelta(days=7)
_CONTROLLER = []


def one_thread():
    """A context in which OpenMP and BLAS run on one thread: on a small machine their threads wait for each
    other, and a boosting fit of a second takes ten (the libraries are looked up once per session)."""
    if not _CONTROLLER:
        from threadpoolctl import ThreadpoolController
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1)


class ChurnSplit(NamedTuple):
    """Features and labels for training (as of ``train_cutoff``) and testing (as of ``test_cutoff``).

    Parameters
    ----------
    X_train, y_train, X_test, y_test : DataFrame, Series, DataFrame, Series

    Examples
    --------
    >>> ChurnSplit(*[None] * 4)._fields
    ('X_train', 'y_train', 'X_test', 'y_test')
    """

    X_train: pd.DataFrame
    y_train: pd.Series
    X_test: pd.DataFrame
    y_test: pd.Series


@validate(horizon_weeks=Integer(low=1))
def time_split(activity: pd.DataFrame, subscribers: pd.DataFrame, *, train_cutoff, test_cutoff, horizon_weeks: int = 8,
               window_weeks=(4, 12), observation_period_end=None, customer_id_col: str = "customer_id",
               feature_options: dict | None = None) -> ChurnSplit:
    """Training set as of ``train_cutoff``, test set as of ``test_cutoff``, with no look into the test period.

    Features come from :func:`~retention_kit.churn.features_as_of` (weeks before each cut-off),
    labels from :func:`~retention_kit.churn.churn_labels` on ``subscribers`` (cancelled in
    [cutoff, cutoff + horizon)). The training labels cover [train_cutoff, train_cutoff + horizon),
    so test_cutoff must be at least train_cutoff + horizon.

    Parameters
    ----------
    activity : DataFrame of weekly rows (see ``features_as_of``)
    subscribers : DataFrame with ``customer_id``, ``start_date``, ``end_date``
    train_cutoff, test_cutoff : dates, Mondays
    horizon_weeks : int, default 8
    window_weeks : (int, int), default (4, 12)
    observation_period_end : date, optional
        Default: the Monday after the last week of activity.
    customer_id_col : str, default "customer_id"
    feature_options : dict, optional
        Other keyword arguments of ``features_as_of`` (column names, ``plan_order``).

    Returns
    -------
    ChurnSplit(X_train, y_train, X_test, y_test), each indexed by customer id.

    Raises
    ------
    InputError
        For a test cut-off before train_cutoff + horizon (the overlap, with the dates), a horizon
        past the data, or tables whose subscribers disagree at a cut-off.

    Examples
    --------
    >>> from retention_kit.datasets.streaming import make_streaming_activity
    >>> activity, truth = make_streaming_activity(300, random_state=0)
    >>> split = time_split(activity, truth["subscribers"], train_cutoff="2025-03-03", test_cutoff="2025-04-28")
    >>> split.X_train.index.equals(split.y_train.index), split.y_test.attrs["cutoff"].date()
    (True, datetime.date(2025, 4, 28))
    """
    train, test = as_timestamp(train_cutoff, "train_cutoff"), as_timestamp(test_cutoff, "test_cutoff")
    if test < train + horizon_weeks * _WEEK:
        raise InputError(f"test_cutoff={str(test.date())!r} is before train_cutoff + horizon_weeks = "
                         f"{(train + horizon_weeks * _WEEK).date()}: the training labels cover {train.date()} to "
                         f"{(train + horizon_weeks * _WEEK).date()} (exclusive), so the model would learn from "
                         f"cancellations in the test period. Fix: test_cutoff on or after "
                         f"{str((train + horizon_weeks * _WEEK).date())!r}, or an earlier train_cutoff.")
    options = dict(feature_options or {}, window_weeks=window_weeks, customer_id_col=customer_id_col)
    parts = []
    for name, cutoff in (("train_cutoff", train), ("test_cutoff", test)):
        X = features_as_of(activity, cutoff, **options)          # checks activity and its weeks first
        if observation_period_end is None:
            week_col = options.get("week_col", "week")
            observation_period_end = as_datetime(activity[week_col], week_col)[0].max() + _WEEK
        y = churn_labels(subscribers, cutoff, horizon_weeks=horizon_weeks, customer_id_col=customer_id_col,
                         observation_period_end=observation_period_end)
        only_x, only_y = X.index.difference(y.index), y.index.difference(X.index)
        if len(only_x) or len(only_y):
            first = label((only_x if len(only_x) else only_y)[0])
            raise InputError(f"at {name}={str(cutoff.date())!r}, {len(only_x)} subscriber(s) are active in activity but "
                             f"not in subscribers and {len(only_y)} the other way (first: {first}). Fix: make the "
                             f"tables agree (a row for each week from start_date up to end_date).")
        parts += [X, y.reindex(X.index)]
    return ChurnSplit(*parts)


def _checked_features(X, name: str = "X") -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame) or X.empty:
        raise InputError(f"{name} must be a non-empty DataFrame of features, one row per customer, got "
                         f"{type(X).__name__}{' (empty)' if isinstance(X, pd.DataFrame) else ''}.")
    for column in X.columns:
        values = X[column]
        if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
            raise InputError(f"{name} column {label(column)} is not numeric ({values.dtype}, e.g. "
                             f"{label(values.iloc[0])}). Fix: encode it, for example pd.get_dummies({name}, "
                             f"columns=[{label(column)}], dtype=float), or drop it.")
        missing = int(values.isna().sum())
        if missing:
            raise InputError(f"{name} column {label(column)} has {missing} missing value(s) (first: row "
                             f"{label(values.index[values.isna()][0])}). Fix: fill them with a value that means "
                             f"something (0 contacts) or drop the column; the kit does not guess.")
        if np.isinf(values.to_numpy(dtype=float)).any():
            raise InputError(f"{name} column {label(column)} has infinite values. Fix: correct them.")
    return X.astype(float)


def _check_leak(X: pd.DataFrame, y: pd.Series, name: str = "X") -> None:
    target = {str(y.name).lower(), LABEL} if y.name is not None else {LABEL}
    for column in X.columns:
        text = str(column).lower()
        if text in target or "churn" in text:
            raise InputError(f"{name} has a column {label(column)} named like the label {label(y.name)}: the label "
                             f"must not be a feature (the model would read the answer). Fix: "
                             f"{name}.drop(columns=[{label(column)}]).")
        values = X[column].to_numpy(dtype=float)
        if len(values) > 1 and np.array_equal(values, y.to_numpy(dtype=float)):
            raise InputError(f"{name} column {label(column)} equals the label in every row: a copy of the answer. "
                             f"Fix: drop it; features must come from before the cut-off.")


def _aligned(X: pd.DataFrame, y) -> pd.Series:
    if not isinstance(y, pd.Series):
        raise InputError(f"y must be a Series of True/False indexed like X, got {type(y).__name__}; use churn_labels.")
    if len(y) != len(X) or not y.index.sort_values().equals(X.index.sort_values()):
        raise InputError(f"y ({len(y)} rows) and X ({len(X)} rows) must be indexed by the same customers; align them "
                         f"first (y.reindex(X.index)), or build both with time_split.")
    return as_flag(y.reindex(X.index), str(y.name) if y.name is not None else "y")


@validate(model=Options(*MODELS), random_state=RandomState())
def fit_churn_model(X: pd.DataFrame, y: pd.Series, *, model: str = "logistic", random_state=0) -> Pipeline:
    """Fit a churn model: P(churn | features) by logistic regression or gradient boosting.

    ``"logistic"``: standardize each feature, then logit P(churn) = b0 + sum_j b_j z_j
    (scikit-learn's L2 penalty, C = 1). ``"gradient_boosting"``: scikit-learn's
    HistGradientBoostingClassifier (100 trees of depth 3, at least 50 customers a leaf, learning
    rate 0.05: shallow and slow, for a few hundred churners; no early stopping, so the fit is
    reproducible with ``random_state``).

    Parameters
    ----------
    X : DataFrame of numeric features (``features_as_of``)
    y : Series of True/False indexed like X (``churn_labels``)
    model : "logistic" or "gradient_boosting"
    random_state : int, default 0

    Returns
    -------
    sklearn.pipeline.Pipeline, fitted; ``predict_churn(model, X)`` gives P(churn) per customer.

    Raises
    ------
    InputError
        For labels of one class only, a non-numeric or missing feature (naming the column and the
        count), the label or a column named like it among the features, or misaligned X and y.

    Examples
    --------
    >>> X = pd.DataFrame({"hours_recent": [1.0, 2, 8, 9, 1, 7]}, index=list("abcdef"))
    >>> y = pd.Series([True, True, False, False, True, False], index=X.index, name="churned")
    >>> model = fit_churn_model(X, y)
    >>> predict_churn(model, X).round(2).gt(0.5).tolist()
    [True, True, False, False, True, False]
    """
    X = _checked_features(X)
    y = _aligned(X, y)
    _check_leak(X, y)
    classes = y.value_counts()
    if len(classes) < 2:
        raise InputError(f"y holds only {label(bool(classes.index[0]))} for all {len(y)} customers: with one class "
                         f"there is nothing to learn. Fix: a cut-off or horizon with both churners and stayers.")
    if model == "logistic":
        steps = [("scale", StandardScaler()), ("model", LogisticRegression(max_iter=2000))]
    else:
        steps = [("model", HistGradientBoostingClassifier(max_iter=100, learning_rate=0.05, max_depth=3,
                                                          min_samples_leaf=50, early_stopping=False,
                                                          random_state=random_state))]
    with one_thread():
        return Pipeline(steps).fit(X, y.to_numpy())


def predict_churn(model: Pipeline, X: pd.DataFrame) -> pd.Series:
    """P(churn) for each customer of ``X`` from a model of :func:`fit_churn_model`.

    Parameters
    ----------
    model : fitted Pipeline
    X : DataFrame with the columns the model was fitted on

    Returns
    -------
    Series of probabilities named ``"p_churn"``, indexed like X.

    Raises
    ------
    InputError
        For a model that is not fitted, missing or extra columns, or non-numeric or missing values.

    Examples
    --------
    >>> X = pd.DataFrame({"hours_recent": [1.0, 9.0, 2.0, 8.0]}, index=list("abcd"))
    >>> model = fit_churn_model(X, pd.Series([True, False, True, False], index=X.index, name="churned"))
    >>> predict_churn(model, X).index.tolist()
    ['a', 'b', 'c', 'd']
    """
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        raise InputError(f"model must be fitted by fit_churn_model, got {type(model).__name__} without "
                         f"feature names.")
    X = _checked_features(X)
    missing, extra = [c for c in names if c not in X.columns], [c for c in X.columns if c not in set(names)]
    if missing or extra:
        raise InputError(f"X must have the columns the model was fitted on; missing {missing}, extra {extra}. Fix: "
                         f"build X the same way (features_as_of with the same options).")
    with one_thread():
        return pd.Series(model.predict_proba(X[list(names)])[:, 1], index=X.index, name="p_churn")
