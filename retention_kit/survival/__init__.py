"""Survival of subscribers: a thin layer over lifelines shaped for churn questions.

Taught in ``notebooks/04_cohorts_and_survival.ipynb`` (and 03, 06). ``curves``: durations and events
from a subscriptions table, Kaplan-Meier curves, median lifetime, log-rank test, churn by age.
``values``: the restricted mean lifetime and the discounted margin of a subscriber, with intervals.
``cox``: hazard ratios adjusted for other covariates.
"""
from .cox import cox
from .curves import churn_by_age, kaplan_meier, logrank, median_lifetime, subscription_lifetimes
from .values import discounted_value, restricted_mean, restricted_mean_difference

__all__ = ["subscription_lifetimes", "kaplan_meier", "median_lifetime", "logrank", "churn_by_age", "restricted_mean",
           "restricted_mean_difference", "discounted_value", "cox"]
