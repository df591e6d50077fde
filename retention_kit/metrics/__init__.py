"""Retention metrics. A single number is a :class:`~retention_kit.results.MetricResult`; a table per
group is a DataFrame indexed by the group's value."""
from .churn import (CHURN_DENOMINATORS, churn_by_period, churn_rate, churn_rate_by, compound_churn, expected_lifetime,
                    periodic_churn, retention_rate)
from .costs import retention_cost
from .csat import csat, csat_by
from .nps import (nps, nps_category, nps_difference, nps_from_shares, nps_sample_size, nps_sample_size_for_change)
from .purchases import (first_window_counts, first_window_totals, purchase_counts, repeat_probability_by_count,
                        repeat_purchase_rate)
from .comparisons import correlation, proportion_difference, rate_ratio, stratified_difference
from .odds import stratified_odds_ratio
from .rates import calibration_table, proportion, rate_by, z_value
from .over_time import OVER_TIME_METRICS, metric_over_time
from .revenue import revenue_retention

__all__ = ["nps", "nps_from_shares", "nps_difference", "nps_sample_size", "nps_sample_size_for_change", "nps_category",
           "csat", "csat_by", "churn_rate", "churn_rate_by", "retention_rate", "churn_by_period", "compound_churn",
           "periodic_churn", "expected_lifetime", "CHURN_DENOMINATORS", "repeat_purchase_rate", "purchase_counts",
           "first_window_counts", "first_window_totals", "repeat_probability_by_count", "retention_cost", "proportion", "rate_by", "z_value",
           "proportion_difference", "stratified_difference", "rate_ratio", "correlation", "revenue_retention",
           "calibration_table", "metric_over_time", "OVER_TIME_METRICS", "stratified_odds_ratio"]
