"""Experiments and actions: randomized tests of a retention action, who should get it, and monitoring after it.

* ``ab``: :func:`two_proportion_test` reads a two-arm test; :func:`sample_size_two_proportions` and
  :func:`power_two_proportions` plan one;
* ``uplift``: :func:`uplift_by_segment` and :func:`heterogeneity_test`, :func:`fit_uplift` /
  :func:`predict_uplift` (two-model and class-transformation) and :func:`expected_offer_value`;
* ``ranking``: :func:`qini_curve`, :func:`uplift_curve` and :func:`qini_coefficient`;
* ``policy``: the money of a targeting policy, :func:`policy_value`, :func:`policy_curve`, and two scores
  compared, :func:`compare_policies`;
* ``upsell``: :func:`product_affinity` (which add-ons go together, with lift) and :func:`upsell_value`;
* ``monitoring``: :func:`control_limits`, a rate per period against control limits;
* ``explorer``: :func:`experiment_view` and :func:`experiment_explorer` (imported on first use).

Taught in lesson 12. scikit-learn is imported with the uplift models.
"""
from __future__ import annotations

import importlib

from .ab import power_two_proportions, sample_size_two_proportions, two_proportion_test
from .monitoring import control_limits
from .policy import compare_policies, policy_curve, policy_value
from .ranking import qini_coefficient, qini_curve, uplift_curve
from .uplift import (METHODS, UpliftModel, expected_offer_value, fit_uplift, heterogeneity_test, predict_uplift,
                     uplift_by_segment)
from .upsell import product_affinity, upsell_value

_EXPLORER = ("experiment_view", "experiment_explorer")

__all__ = ["two_proportion_test", "sample_size_two_proportions", "power_two_proportions", "control_limits",
           "uplift_by_segment", "heterogeneity_test", "fit_uplift", "predict_uplift", "expected_offer_value",
           "UpliftModel", "qini_curve", "uplift_curve", "qini_coefficient",
           "policy_value", "policy_curve", "compare_policies", "METHODS", "product_affinity", "upsell_value", *_EXPLORER]


def __getattr__(name: str):
    if name in _EXPLORER:
        return getattr(importlib.import_module(".explorer", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
