"""Segments: RFM scores and named segments, clusters of behaviour, and the offer each segment should get.

* ``rfm`` - :func:`rfm_scores` (quantile scores 1 to 5 of recency, frequency and money from
  ``rk.rfm_summary``, ties kept together) and :func:`rfm_segments` (named segments from a rule table);
* ``clusters`` - :func:`behaviour_features` (one row per guest from a stays table), :func:`cluster`
  (standardize, then k-means), :func:`choose_k` (silhouette, inertia and stability across seeds per k),
  :func:`segment_profiles` (size, share and medians per cluster), :func:`match_segments` (adjusted
  Rand index and cross-tab against known segments);
* ``offers`` - :func:`offer_table` (acceptance, lift over the control and value per guest, with
  intervals, from a randomized test), :func:`best_offer`, :func:`personalized_vs_uniform`;
* ``explorer`` - :func:`segments_view` and :func:`segments_explorer` (features and k -> clusters).

This package needs scikit-learn, imported with it (so ``import retention_kit`` stays quick).
The data of the lessons: ``rk.datasets.hotel.make_hotel_stays`` and ``make_offer_test``.

>>> from retention_kit.segments import rfm_segments
>>> import pandas as pd
>>> rfm_segments(pd.DataFrame({"R": [5], "F": [5]})).tolist()
['Champions']
"""
from .clusters import ClusterResult, choose_k, cluster, match_segments, segment_profiles
from .features import behaviour_features
from .explorer import segments_explorer, segments_view
from .offers import best_offer, offer_table, personalized_vs_uniform
from .rfm import RFM_SEGMENT_RULES, rfm_scores, rfm_segments

__all__ = ["rfm_scores", "rfm_segments", "RFM_SEGMENT_RULES", "behaviour_features", "cluster", "ClusterResult",
           "choose_k", "segment_profiles", "match_segments", "offer_table", "best_offer", "personalized_vs_uniform",
           "segments_view", "segments_explorer"]
