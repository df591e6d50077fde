"""retention-kit: the helper package of a Jupyter course on data-driven customer retention.

>>> import retention_kit as rk
>>> rk.nps([10, 9, 7, 3]).value
25.0
"""
from . import clv, cohorts, datasets, metrics, plots, summaries, survival, validation, widgets
from .cohorts import cohort_table
from .exercises import check
from .metrics import (churn_by_period, churn_rate, churn_rate_by, compound_churn, csat, csat_by, expected_lifetime, nps,
                      nps_difference, nps_sample_size, nps_sample_size_for_change, periodic_churn, purchase_counts, rate_by, repeat_probability_by_count,
                      repeat_purchase_rate, retention_cost, retention_rate)
from .results import MetricResult
from .summaries import rfm_summary
from .validation import InputError

__version__ = "0.1.0"

__all__ = ["nps", "nps_difference", "nps_sample_size", "nps_sample_size_for_change", "csat", "csat_by", "churn_rate", "churn_rate_by", "retention_rate",
           "churn_by_period", "compound_churn", "periodic_churn", "expected_lifetime", "repeat_purchase_rate",
           "purchase_counts", "repeat_probability_by_count", "retention_cost", "rate_by", "rfm_summary", "cohort_table", "check",
           "MetricResult", "InputError", "clv", "cohorts", "datasets", "metrics", "plots", "summaries", "survival", "validation", "widgets"]
