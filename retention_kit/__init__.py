"""retention-kit: the helper package of a Jupyter course on data-driven customer retention.

The most used names are here: ``import retention_kit as rk; rk.nps(scores)``. The modules that
need heavy libraries (``rk.plots`` and ``rk.widgets`` need matplotlib and ipywidgets,
``rk.survival`` needs lifelines, ``rk.clv`` scipy's optimiser, ``rk.warehouse`` DuckDB and pandera,
``rk.segments``, ``rk.churn`` and ``rk.feedback`` scikit-learn) are imported on first use.

The kit's conventions (one vocabulary for columns, periods, time units and results) are written
once in the README, section "The kit's conventions".

>>> import retention_kit as rk
>>> rk.nps([10, 9, 7, 3]).value
25.0
"""
from __future__ import annotations

import importlib

from . import datasets, metrics, summaries, validation
from .catalog import metric_dictionary
from .cohorts import cohort_table
from .metrics import (churn_by_period, churn_rate, churn_rate_by, compound_churn, csat, csat_by, expected_lifetime,
                      nps, nps_category, nps_difference, nps_sample_size, nps_sample_size_for_change, periodic_churn, proportion,
                      purchase_counts, rate_by, repeat_probability_by_count, repeat_purchase_rate, retention_cost,
                      retention_rate)
from .results import MetricResult, money, p_text
from .summaries import calibration_holdout_summary, rfm_summary
from .validation import DAYS, TIME_UNITS, DataWarning, InputError

__version__ = "0.2.0"

_LAZY = ("churn", "clv", "dashboard", "exercises", "experiments", "feedback", "plots", "programs", "segments",
         "survival", "uncertainty", "warehouse", "widgets")


def __getattr__(name: str):
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'retention_kit' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


def check(exercise_id: str, answer):
    """Check an exercise answer: ✔ with why, ✘ with a hint, or … while the answer is still None.

    Parameters
    ----------
    exercise_id : str, the id shown in the lesson
    answer : the answer, or None while unanswered

    Returns
    -------
    retention_kit.exercises.Feedback

    Raises
    ------
    Nothing: an unknown id or a wrong type is answered with ✘ and an explanation.

    Examples
    --------
    >>> bool(check("03-annual-from-monthly", 1 - 0.97 ** 12))
    True
    """
    from .exercises import check as _check
    return _check(exercise_id, answer)


__all__ = ["nps", "nps_category", "nps_difference", "nps_sample_size", "nps_sample_size_for_change", "csat", "csat_by", "churn_rate",
           "churn_rate_by", "retention_rate", "churn_by_period", "compound_churn", "periodic_churn",
           "expected_lifetime", "repeat_purchase_rate", "purchase_counts", "repeat_probability_by_count",
           "retention_cost", "proportion", "rate_by", "rfm_summary", "calibration_holdout_summary", "cohort_table",
           "check", "MetricResult", "money", "p_text", "InputError", "DataWarning", "TIME_UNITS", "DAYS", "clv", "cohorts", "dashboard",
           "datasets",
           "exercises", "metrics", "plots", "summaries", "survival", "uncertainty", "validation", "widgets", "warehouse",
           "segments", "churn", "experiments", "programs", "feedback", "metric_dictionary"]
