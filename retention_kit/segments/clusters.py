"""Segments found in behaviour: features per guest, k-means, the evidence for k, profiles, and a check against truth."""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from ..results import MetricResult
from ..validation import (Flag, InputError, Integer, RandomState, label, preview, require_columns, require_frame,
                          require_complete, require_labels, validate)

__all__ = ["cluster", "ClusterResult", "choose_k", "segment_profiles", "match_segments"]


def _matrix(features: pd.DataFrame, columns, name: str = "features") -> tuple[list, np.ndarray]:
    require_frame(features, name)
    columns = list(features.columns) if columns is None else ([columns] if isinstance(columns, str) else list(columns))
    if not columns:
        raise InputError("columns is empty; pick at least one feature column to cluster on.")
    require_columns(features, columns, name, "pass columns that are in the table")
    for column in columns:
        if pd.api.types.is_bool_dtype(features[column]) or not pd.api.types.is_numeric_dtype(features[column]):
            raise InputError(f"column {column!r} of {name} is not numeric (dtype {features[column].dtype}, for "
                             f"example {label(features[column].iloc[0])}); k-means measures distances between "
                             f"numbers. Fix: leave it out with columns=[...], or encode it as numbers.")
        require_complete(features[column], column, "k-means needs every value. Fix: fill them, or drop those rows "
                                                   "explicitly.")
        if np.isinf(features[column].to_numpy(dtype=float)).any():
            raise InputError(f"column {column!r} of {name} has infinite values; correct them.")
    return columns, features[columns].to_numpy(dtype=float)


_CONTROLLER = []


def _one_thread():
    """BLAS and OpenMP on one thread: their spinning workers slowed choose_k 3-4x on a busy 2-core machine."""
    if not _CONTROLLER:
        from threadpoolctl import ThreadpoolController
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1)


def _seed(random_state) -> int:
    """A seed for scikit-learn: the int itself, else one drawn from the Generator (or fresh entropy for None)."""
    return random_state if isinstance(random_state, int) else int(np.random.default_rng(random_state).integers(2 ** 31))


def _check_k(k: int, X: np.ndarray, argument: str = "k") -> None:
    distinct = len(np.unique(X, axis=0))
    if k > distinct:
        raise InputError(f"{argument}={k} is more than the {len(X)} rows ({distinct} distinct), so some clusters "
                         f"would be empty; pass at most {distinct}.")


@dataclass(frozen=True)
class ClusterResult:
    """Clusters of k-means: the label of each row and the fitted pipeline (scaler and k-means).

    Parameters
    ----------
    labels : Series of int, indexed like the features, named ``cluster``
    pipeline : sklearn Pipeline (``scale``, ``kmeans``); ``pipeline.predict`` labels new rows
    columns : list of str, the features used
    k : int
    inertia : float, within-cluster sum of squares (in the scaled units when ``scale=True``)

    Examples
    --------
    >>> cluster(pd.DataFrame({"x": [0.0, 0.1, 5.0]}), 2).k
    2
    """

    labels: pd.Series
    pipeline: Pipeline
    columns: list
    k: int
    inertia: float


@validate(k=Integer(low=1), random_state=RandomState(), scale=Flag(), n_init=Integer(low=1))
def cluster(features: pd.DataFrame, k: int, *, columns=None, random_state=0, scale: bool = True,
            n_init: int = 10) -> ClusterResult:
    """k-means on standardized features: ``StandardScaler`` then ``KMeans`` in one scikit-learn pipeline.

    Each column is standardized, z = (x - mean) / standard deviation, so that no feature weighs
    more for being measured in bigger numbers (dollars against shares). k-means then minimizes
    the within-cluster sum of squares, sum_i ||z_i - centre of i's cluster||^2, from ``n_init``
    k-means++ starts, keeping the best. Cluster numbers are arbitrary (0 to k - 1).

    Parameters
    ----------
    features : DataFrame, one row per customer (:func:`behaviour_features`)
    k : int, the number of clusters
    columns : list of str, optional, default every column
    random_state : None, int or numpy.random.Generator, default 0
    scale : bool, default True
    n_init : int, default 10

    Returns
    -------
    ClusterResult with ``labels``, ``pipeline``, ``columns``, ``k``, ``inertia``.

    Raises
    ------
    InputError
        For a column that is missing, not numeric, with missing or infinite values, or a k above
        the number of (distinct) rows.

    Examples
    --------
    >>> f = pd.DataFrame({"x": [0.0, 0.2, 0.1, 9.0, 9.2]}, index=list("abcde"))
    >>> result = cluster(f, 2)
    >>> result.labels.groupby(result.labels).size().sort_values().tolist()
    [2, 3]
    """
    columns, X = _matrix(features, columns)
    _check_k(k, X)
    pipeline = Pipeline([("scale", StandardScaler() if scale else "passthrough"),
                         ("kmeans", KMeans(n_clusters=k, n_init=n_init, random_state=_seed(random_state)))])
    with _one_thread():
        pipeline.fit(X)
    labels = pd.Series(pipeline.named_steps["kmeans"].labels_, index=features.index, name="cluster")
    return ClusterResult(labels, pipeline, columns, k, float(pipeline.named_steps["kmeans"].inertia_))


def _ari(a, b) -> float:
    """Adjusted Rand index of two labelings, from their contingency table (Hubert & Arabie 1985)."""
    (_, i), (_, j) = np.unique(a, return_inverse=True), np.unique(b, return_inverse=True)
    table = np.zeros((i.max() + 1, j.max() + 1))
    np.add.at(table, (i, j), 1)
    index, rows, cols = (float((x * (x - 1) / 2).sum()) for x in (table, table.sum(axis=1), table.sum(axis=0)))
    expected = rows * cols / (len(i) * (len(i) - 1) / 2) if len(i) > 1 else 0.0
    top = (rows + cols) / 2
    return 1.0 if top == expected else (index - expected) / (top - expected)


def _evidence(Z: np.ndarray, k: int, seeds, n_init: int, sample) -> dict:
    labelings, silhouettes, inertias = [], [], []
    for seed in seeds:
        model = KMeans(n_clusters=k, n_init=n_init, random_state=int(seed)).fit(Z)
        labelings.append(model.labels_)
        inertias.append(model.inertia_)
        silhouettes.append(silhouette_score(Z, model.labels_, sample_size=sample, random_state=int(seed)))
    return dict(k=k, silhouette=np.mean(silhouettes), silhouette_sd=np.std(silhouettes, ddof=1),
                inertia=np.mean(inertias),
                stability=np.mean([_ari(a, b) for a, b in itertools.combinations(labelings, 2)]))


@validate(n_seeds=Integer(low=2), n_init=Integer(low=1), random_state=RandomState(), sample_size=Integer(low=10),
          scale=Flag())
def choose_k(features: pd.DataFrame, ks=range(2, 9), *, columns=None, n_seeds: int = 5, n_init: int = 3,
             random_state=0, sample_size: int = 2000, scale: bool = True) -> pd.DataFrame:
    """The evidence for the number of clusters: silhouette, inertia and stability across seeds, per k.

    For each k, k-means runs from each of ``n_seeds`` seeds (each the best of ``n_init``
    k-means++ starts) on the standardized columns:

    * ``silhouette``: mean over seeds of the mean silhouette, s_i = (b_i - a_i) / max(a_i, b_i),
      a_i the mean distance to i's own cluster, b_i to the nearest other (-1 to 1; higher:
      tighter, better separated clusters); ``silhouette_sd`` its standard deviation over seeds.
      With more rows than ``sample_size`` it is computed on a random sample of that many rows
      (its cost grows as the square of the rows);
    * ``inertia``: mean within-cluster sum of squares (it always falls as k grows: look for the elbow);
    * ``stability``: mean adjusted Rand index over all pairs of seeds' labelings (1: every seed
      finds the same clusters; near 0: no more alike than chance).

    Parameters
    ----------
    features : DataFrame, one row per customer
    ks : iterable of int, default 2 to 8; each from 2 to the number of rows - 1
    columns : list of str, optional, default every column
    n_seeds : int, default 5
    n_init : int, default 3
        Starts per seed: 1 shows how much a single run depends on its start; with more, stability
        tells whether the best clusters are unique.
    random_state : None, int or numpy.random.Generator, default 0
    sample_size : int, default 2000
    scale : bool, default True

    Returns
    -------
    DataFrame indexed by ``k``: ``silhouette``, ``silhouette_sd``, ``inertia``, ``stability``;
    ``attrs`` records ``n_seeds``, ``sample_size`` and ``columns``.

    Raises
    ------
    InputError
        As :func:`cluster`, and for ks that are not whole numbers from 2 to rows - 1.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = pd.DataFrame({"x": np.r_[rng.normal(0, 1, 50), rng.normal(10, 1, 50)]})
    >>> table = choose_k(f, [2, 3, 4])
    >>> int(table["silhouette"].idxmax()), float(table.loc[2, "stability"])
    (2, 1.0)
    """
    columns, X = _matrix(features, columns)
    ks = [Integer(low=2, high=len(X) - 1, hint="A silhouette needs from 2 clusters to one fewer than the rows.")(
        "ks", k) for k in ([ks] if np.ndim(ks) == 0 else ks)]
    if not ks:
        raise InputError("ks is empty; pass the numbers of clusters to compare, such as range(2, 9).")
    _check_k(max(ks), X, "ks")
    Z = StandardScaler().fit_transform(X) if scale else X
    seeds = np.random.default_rng(_seed(random_state)).integers(0, 2 ** 31 - 1, n_seeds)
    with _one_thread():
        rows = [_evidence(Z, k, seeds, n_init, sample_size if len(X) > sample_size else None) for k in ks]
    table = pd.DataFrame(rows).set_index("k")
    table.attrs.update(n_seeds=n_seeds, sample_size=sample_size, columns=columns)
    return table


def _labels(labels, name: str) -> pd.Series:
    if not isinstance(labels, pd.Series):
        raise InputError(f"{name} must be a Series indexed by customer (such as cluster(...).labels), got "
                         f"{type(labels).__name__}.")
    require_labels(labels, name)
    if labels.index.has_duplicates:
        repeated = labels.index[labels.index.duplicated()]
        raise InputError(f"{name} has repeated customers in its index ({preview(repeated)}); give one label per "
                         f"customer.")
    return labels


def segment_profiles(features: pd.DataFrame, labels: pd.Series, *, columns=None) -> pd.DataFrame:
    """What each cluster looks like: its size, its share of customers and the median of each feature.

    Medians rather than means: spend and lead times are skewed, and one big spender would pull
    a cluster's mean away from its typical member.

    Parameters
    ----------
    features : DataFrame, one row per customer
    labels : Series, a label per customer (indexed like ``features``)
    columns : list of str, optional, default every column

    Returns
    -------
    DataFrame indexed by cluster (sorted): ``size``, ``share`` (a fraction), then the median of each column.

    Raises
    ------
    InputError
        As :func:`cluster` for the columns, and for labels that are missing or do not cover every row.

    Examples
    --------
    >>> f = pd.DataFrame({"nights": [1.0, 2.0, 9.0, 5.0]})
    >>> segment_profiles(f, pd.Series([0, 0, 1, 1])).to_dict("index")
    {0: {'size': 2, 'share': 0.5, 'nights': 1.5}, 1: {'size': 2, 'share': 0.5, 'nights': 7.0}}
    """
    columns, _ = _matrix(features, columns)
    labels = _labels(labels, "labels")
    absent = ~features.index.isin(labels.index)
    if absent.any():
        raise InputError(f"labels has no label for {int(absent.sum())} row(s) of features "
                         f"({preview(features.index[absent])}); pass labels indexed like features.")
    grouped = features[columns].groupby(labels.reindex(features.index).to_numpy(), sort=True)
    profile = grouped.median()
    profile.insert(0, "share", grouped.size() / len(features))
    profile.insert(0, "size", grouped.size())
    profile.index.name = labels.name or "cluster"
    return profile


def match_segments(labels: pd.Series, truth_segments: pd.Series) -> MetricResult:
    """How well clusters recover known segments: the cross-tab, the adjusted Rand index, and a name per cluster.

    ARI = (sum_ij C(n_ij, 2) - E) / ((sum_i C(a_i, 2) + sum_j C(b_j, 2)) / 2 - E), with
    E = sum_i C(a_i, 2) sum_j C(b_j, 2) / C(n, 2), n_ij the customers in cluster i and segment j,
    a_i and b_j the totals (Hubert & Arabie 1985): 1 for the same partition whatever the
    cluster numbers, about 0 for labels no better than chance.

    Parameters
    ----------
    labels : Series, a cluster per customer
    truth_segments : Series, the known segment per customer (the same customers)

    Returns
    -------
    MetricResult (kind ``"adjusted_rand_index"``), parts ``crosstab`` (clusters x segments),
    ``mapping`` (each cluster's majority segment), ``agreement`` (share of customers in their
    cluster's majority segment) and ``n``.

    Raises
    ------
    InputError
        For labels that are not Series, have missing values or repeated customers, or do not
        cover the same customers.

    Examples
    --------
    >>> clusters = pd.Series([0, 0, 1, 1, 1], index=list("abcde"))
    >>> truth = pd.Series(["x", "x", "y", "y", "x"], index=list("abcde"))
    >>> r = match_segments(clusters, truth)
    >>> round(r.value, 4), r.mapping, r.agreement
    (0.1667, {0: 'x', 1: 'y'}, 0.8)
    """
    labels, truth = _labels(labels, "labels"), _labels(truth_segments, "truth_segments")
    only = labels.index.symmetric_difference(truth.index)
    if len(only):
        raise InputError(f"labels and truth_segments must cover the same customers; {len(only)} are in one only "
                         f"({preview(only)}). Fix: align them, for example truth_segments.loc[labels.index].")
    truth = truth.reindex(labels.index)
    table = pd.crosstab(labels.rename("cluster"), truth.rename("segment"))
    table = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]     # unused categories of categorical labels
    mapping = {key.item() if isinstance(key, np.generic) else key: table.columns[i]
               for key, i in zip(table.index, table.to_numpy().argmax(axis=1))}
    return MetricResult(kind="adjusted_rand_index", name="Adjusted Rand index", value=_ari(labels, truth), unit="",
                        formula="(index - expected index) / (max index - expected index)",
                        parts=dict(crosstab=table, mapping=mapping, n=len(labels),
                                   agreement=float(table.to_numpy().max(axis=1).sum() / len(labels))))
