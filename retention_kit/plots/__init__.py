"""Every figure of the course.

Each function takes its data first and everything else by keyword, with ``ax=None`` (a new
figure when None); it draws on the Axes and returns it. Nothing here computes a metric: pass the
kit's results in. Labels of intervals follow the ``confidence`` the results were computed at.
Nothing here calls ``plt.show()`` or changes global settings. seaborn draws the heatmap and the
histograms; matplotlib the rest. Submodules: ``surveys`` (lessons 01-02), ``lifetimes``
(03-04), ``value`` (05-07),
``models`` (model checks, 04 and 07), ``warehouse`` (08), ``segments`` (09), ``churn`` (10, and the control chart of ``rk.experiments``), ``feedback`` (11), ``experiments`` (12), ``rewards``, ``membership`` and ``rollout`` (the case studies).
"""
from ._common import CATEGORY_COLOURS, ORANGE, RED, TEAL
from .lifetimes import (churn_over_time, cohort_heatmap, compounding, metric_over_time, retention_curves,
                        survival_curves)
from .models import cohort_projection, frequency_recency_heatmap, period_transactions, transactions_over_time
from .surveys import nps_interval_width, nps_waves, rates_with_intervals, rating_distribution, score_distribution
from .feedback import (fix_event_study, gap_estimates, items_over_time, service_levels, theme_crosstab,
                       theme_drivers)
from .churn import calibration, control_chart, early_warning, feature_importance, lift_gain, profit_curve
from .experiments import experiment_intervals, policy_values, qini_curves, uplift_bars
from .membership import benefit_usage, estimate_intervals, group_trends, propensity_overlap, selection_curves
from .rewards import completion_bars, offer_effects, policy_bars, tenure_curves
from .rollout import lift_estimates, listening_distribution, retention_gap
from .segments import cluster_choice, offer_values, segment_profiles
from .warehouse import quality_findings, raw_vs_clean
from .telco import log_minus_log, stratified_differences
from .value import (formula_clv_bars, predicted_vs_actual, purchase_count_histogram, repeat_probability,
                    spend_by_period, value_concentration)

__all__ = ["score_distribution", "nps_waves", "nps_interval_width", "rates_with_intervals", "rating_distribution",
           "churn_over_time", "metric_over_time", "compounding", "purchase_count_histogram", "repeat_probability", "spend_by_period",
           "cohort_heatmap", "retention_curves", "survival_curves", "predicted_vs_actual", "value_concentration",
           "formula_clv_bars", "period_transactions", "frequency_recency_heatmap", "transactions_over_time",
           "cohort_projection", "quality_findings", "raw_vs_clean", "calibration", "lift_gain", "profit_curve", "early_warning",
           "feature_importance", "control_chart", "uplift_bars", "qini_curves", "policy_values",
           "experiment_intervals", "segment_profiles", "cluster_choice", "offer_values",
           "theme_crosstab", "theme_drivers", "service_levels", "items_over_time", "gap_estimates", "fix_event_study",
           "group_trends", "estimate_intervals", "propensity_overlap", "benefit_usage", "selection_curves",
           "offer_effects", "completion_bars", "tenure_curves", "policy_bars", "listening_distribution", "lift_estimates",
           "retention_gap", "log_minus_log", "stratified_differences",
           "CATEGORY_COLOURS", "TEAL", "ORANGE", "RED"]
