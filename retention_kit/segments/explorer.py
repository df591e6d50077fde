"""The segments explorer: pick features and k, see the clusters' profiles, their match with the truth and their best offer.

As every explorer of the kit, a pure ``segments_view`` (numbers in, text and figure out) that
tests call directly, and ``segments_explorer``, which adds the controls.
"""
from __future__ import annotations

import ipywidgets as w

from ..explorer import Explorer
from ..plots import segments as segment_plots
from ..results import money_text
from ..validation import Confidence, InputError, Integer, RandomState, check, label
from .clusters import ClusterResult, _matrix, cluster, match_segments, segment_profiles
from .offers import best_offer, offer_table

__all__ = ["segments_view", "segments_explorer"]

_STYLE = {"description_width": "150px"}
_LAYOUT = dict(width="460px")


def segments_view(features, columns, k, offer_test=None, *, truth_segments=None, margin=None, cost=0.0,
                  confidence: float = 0.95, random_state=0, n_init: int = 3, clusters: ClusterResult | None = None,
                  ax=None):
    """Text and heatmap for one setting of the segments explorer: k-means on ``columns``; returns (text, ax).

    The clusters come from ``rk.segments.cluster`` (standardized columns, ``n_init`` starts:
    3 by default, enough on well-separated data and quick enough for a slider). The text gives
    the clusters' sizes; with ``truth_segments``, the adjusted Rand index against them and each
    cluster's majority segment; with ``offer_test``, each cluster's best offer (``best_offer``
    of ``offer_table``: value per guest = lift x margin - cost, with its interval).

    Parameters
    ----------
    features : DataFrame, one row per guest (``rk.segments.behaviour_features``)
    columns : sequence of str, the features to cluster on
    k : int, the number of clusters
    offer_test : DataFrame, optional, the randomized offer test (``make_offer_test``)
    truth_segments : Series, optional, the planted segment of each guest
    margin, cost : as in ``offer_table``; ``margin`` is needed with ``offer_test``
    confidence : float, default 0.95
    random_state : None, int or numpy.random.Generator, default 0
    n_init : int, default 3
    clusters : ClusterResult, optional, clusters already fitted for these columns and k
    ax : matplotlib Axes, optional

    Returns
    -------
    (str, matplotlib Axes)

    Raises
    ------
    InputError
        For no columns, a k above the rows, an offer test without ``margin``, or the errors of
        ``cluster``, ``match_segments`` and ``offer_table``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"nights": [1.0, 1.2, 1.1, 6.0, 6.2]}, index=list("abcde"))
    >>> truth = pd.Series(["business"] * 3 + ["family"] * 2, index=f.index)
    >>> segments_view(f, ["nights"], 2, truth_segments=truth)[0]
    'k = 2 on nights: clusters 0: 3, 1: 2 guests; adjusted Rand index 1.00 against the planted segments (0 business, 1 family)'
    """
    columns = list(columns)
    if not columns:
        raise InputError("columns is empty; pick at least one feature to cluster on.")
    if offer_test is not None and margin is None:
        raise InputError("offer_test is given without margin; pass margin= (dollars per booking, per offer) to "
                         "value the offers.")
    result = clusters if clusters is not None else cluster(features, k, columns=columns, random_state=random_state,
                                                           n_init=n_init)
    labels = result.labels
    profiles = segment_profiles(features, labels, columns=columns)
    ax = segment_plots.segment_profiles(profiles, ax=ax, title=f"{k} clusters: medians of each feature")
    sizes = ", ".join(f"{c}: {int(n):,}" for c, n in profiles["size"].items())
    text = f"k = {k} on {', '.join(columns)}: clusters {sizes} guests"
    if truth_segments is not None:
        if not hasattr(truth_segments, "reindex"):
            raise InputError(f"truth_segments must be a Series indexed by customer id, got "
                             f"{type(truth_segments).__name__}.")
        match = match_segments(labels, truth_segments.reindex(labels.index))
        names = ", ".join(f"{c} {s}" for c, s in match.mapping.items())
        text += f"; adjusted Rand index {match.value:.2f} against the planted segments ({names})"
    if offer_test is not None:
        best = best_offer(offer_table(offer_test, labels, margin=margin, cost=cost, confidence=confidence))
        level = f"{100 * confidence:g}%"
        text += "; best offer: " + ", ".join(
            f"{c} {row.offer.replace('_', ' ')} ({money_text(row.value)} a guest, {level} interval "
            f"{money_text(row.value_low)} to {money_text(row.value_high)})" for c, row in best.iterrows())
    return text, ax


def segments_explorer(features, offer_test=None, *, truth_segments=None, margin=None, cost=0.0, columns=None,
                      k: int = 3, k_range=(2, 8), confidence: float = 0.95, random_state=0) -> Explorer:
    """A list of feature columns (pick several) and a slider for k -> cluster profiles, ARI and best offers.

    Clusterings are remembered per (columns, k), so returning to a setting only redraws.

    Parameters
    ----------
    features : DataFrame, one row per guest, numeric columns
    offer_test : DataFrame, optional
    truth_segments : Series, optional
    margin, cost : as in ``offer_table``
    columns : list of str, optional, the features selected at the start (default all)
    k : int, default 3, the starting k
    k_range : (int, int), default (2, 8), the slider's bounds
    confidence : float, default 0.95
    random_state : None, int or numpy.random.Generator, default 0

    Returns
    -------
    Explorer

    Raises
    ------
    InputError
        For features that are not numeric or complete, a k outside ``k_range``, or the errors of
        :func:`segments_view` at the starting setting.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"nights": [1.0, 1.2, 1.1, 6.0, 6.2, 3.0], "party": [1.0, 1.0, 2.0, 4.0, 5.0, 2.0]})
    >>> explorer = segments_explorer(f, k=2, k_range=(2, 3))
    >>> explorer.controls["k"].value = 3
    >>> "k = 3 on nights, party" in explorer.label.value
    True
    >>> explorer.controls["columns"].value = ()
    >>> explorer.label.value
    '<b>Pick at least one feature.</b>'
    """
    all_columns, _ = _matrix(features, None)
    confidence = check("confidence", confidence, Confidence())
    random_state = check("random_state", random_state, RandomState())
    if not (isinstance(k_range, (tuple, list)) and len(k_range) == 2):
        raise InputError(f"k_range={k_range!r} must be a pair (lowest k, highest k), such as (2, 8).")
    low = check("k_range[0]", k_range[0], Integer(low=1))
    high = check("k_range[1]", k_range[1], Integer(low=low))
    k = check("k", k, Integer(low=low, high=high, hint=f"It must lie in k_range={tuple(k_range)}."))
    start = tuple(all_columns if columns is None else ([columns] if isinstance(columns, str) else columns))
    unknown = [c for c in start if c not in all_columns]
    if unknown:
        raise InputError(f"columns has {', '.join(label(c) for c in unknown)}, not columns of features "
                         f"({all_columns}).")
    remembered = {}

    def view(ax, columns, k):
        if not columns:
            ax.set_axis_off()
            return "Pick at least one feature.", ax
        key = (tuple(columns), k)
        if key not in remembered:
            remembered[key] = cluster(features, k, columns=list(columns), random_state=random_state, n_init=3)
        return segments_view(features, columns, k, offer_test, truth_segments=truth_segments, margin=margin, cost=cost,
                             confidence=confidence, clusters=remembered[key], ax=ax)

    controls = dict(
        columns=w.SelectMultiple(options=all_columns, value=start, rows=min(len(all_columns), 8),
                                 description="features (ctrl-click)", style=_STYLE, layout=_LAYOUT),
        k=w.IntSlider(k, min=low, max=high, description="clusters k", continuous_update=False, style=_STYLE,
                      layout=_LAYOUT))
    # room for the features' names and the clusters' sizes
    return Explorer(view, controls, title="Segments explorer", margins=dict(left=0.21, bottom=0.2))
