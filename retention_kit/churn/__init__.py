"""Predictive churn: features as of a cut-off, labels after it, models, their evaluation, and the campaign.

Taught in the lesson on predictive churn, on :func:`retention_kit.datasets.streaming.make_streaming_activity`
(Lumen+, a streaming service with planted early-warning signs).

* ``features``: :func:`features_as_of` (only weeks before the cut-off) and :func:`churn_labels`
  (cancelled in [cutoff, cutoff + horizon));
* ``models``: :func:`time_split` (train as of one cut-off, test as of a later one, no overlap),
  :func:`fit_churn_model` (logistic regression or gradient boosting, refusing leaks) and
  :func:`predict_churn`;
* ``evaluation``: :func:`auc` with DeLong's interval, :func:`lift_table`, :func:`precision_at_k`,
  :func:`early_warning` (which signs move first) and :func:`permutation_importance_table`;
* ``encoding`` (lesson 13): :class:`CustomerEncoder` and :func:`tenure_bands`; ``lead_time`` (lesson 14):
  :func:`score_cutoffs`, :func:`flag_lead_times` and :func:`lead_time_summary`;
* ``campaign``: :func:`expected_campaign_profit` (Verbeke et al. 2012), :func:`profit_curve`,
  :func:`best_share`;
* ``explorer``: :func:`campaign_view` and :func:`campaign_explorer` (imported on first use: they need
  ipywidgets and matplotlib).

scikit-learn is imported with this package, which ``import retention_kit`` does not load until it is used.
"""
from __future__ import annotations

import importlib

from .campaign import best_share, expected_campaign_profit, profit_curve
from .encoding import CustomerEncoder, tenure_bands
from .evaluation import SIGNALS, auc, early_warning, lift_table, permutation_importance_table, precision_at_k
from .features import LABEL, PLAN_ORDER, churn_labels, features_as_of
from .lead_time import flag_lead_times, lead_time_summary, median_interval, score_cutoffs
from .models import MODELS, ChurnSplit, fit_churn_model, predict_churn, time_split

_EXPLORER = ("campaign_view", "campaign_explorer")


def __getattr__(name: str):
    if name in _EXPLORER:
        return getattr(importlib.import_module(".explorer", __name__), name)
    raise AttributeError(f"module 'retention_kit.churn' has no attribute {name!r}")


__all__ = ["features_as_of", "churn_labels", "time_split", "ChurnSplit", "fit_churn_model", "predict_churn", "auc",
           "lift_table", "precision_at_k", "early_warning", "permutation_importance_table",
           "expected_campaign_profit", "profit_curve", "best_share", "campaign_view", "campaign_explorer", "LABEL",
           "PLAN_ORDER", "SIGNALS", "MODELS", "score_cutoffs", "flag_lead_times", "lead_time_summary",
           "median_interval", "CustomerEncoder", "tenure_bands"]
