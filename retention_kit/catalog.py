"""The metric dictionary of the course, generated from the kit's own functions rather than typed beside them.

A customer-success team agrees on one definition per metric. Here each entry names the kit function that
computes the metric; :func:`metric_dictionary` reads the definition from that function's docstring (its
summary line) and the formula and unit from the :class:`~retention_kit.MetricResult` the function returns
on a tiny example. The formula is a string written inside each function, beside its computation: reading it from
the result keeps the dictionary and the code's text together, and ``tests/test_catalog.py`` recomputes
each example's value by hand from that formula, so a formula that no longer matches the computation fails
there. What the code cannot say (how often to look, where the data come from, who owns the number, whether
it leads or lags churn, caveats) is written once in :data:`METRICS`; so is a unit where the function's
result gives none (the ``unit_from`` column says which). Taught in the lesson on a data-driven
customer-success team.
"""
from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from .validation import InputError

__all__ = ["MetricSpec", "METRICS", "resolve", "metric_dictionary"]


@dataclass(frozen=True)
class MetricSpec:
    """One entry of the dictionary: the metric, the kit function, and what the code cannot know.

    Parameters
    ----------
    metric : str, the name the team uses
    function : str, the function's path inside the kit, such as ``"churn.auc"`` (``rk.churn.auc``)
    example : callable(function) -> MetricResult, a call on a tiny input (its formula and unit are read)
    lesson : str, the notebook that teaches it (file name without ``.ipynb``)
    cadence, source, owner : str
    timing : str, default "", whether the metric moves before churn ("leading"), counts it after the
        fact ("lagging"), or is something else (a spend, a check of the warning)
    unit : str, default "", the unit to show only when the function's result has none (documented in
        ``note``: where it comes from)
    note : str, default "", what a reader must know that the definition does not say

    Examples
    --------
    >>> MetricSpec("NPS", "nps", lambda f: f([10, 0]), "01_net_promoter_score", "each wave", "survey", "CSM").function
    'nps'
    """

    metric: str
    function: str
    example: Callable
    lesson: str
    cadence: str
    source: str
    owner: str
    timing: str = ""
    unit: str = ""
    note: str = ""


def _subscriptions() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [1, 2, 3, 4], "start_date": pd.to_datetime(["2024-06-01"] * 3 + ["2025-02-01"]),
                         "end_date": pd.to_datetime(["2025-02-10", None, "2025-06-01", None]),
                         "monthly_fee": [10.0, 20.0, 30.0, 10.0]})


def _purchases() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [1, 1, 2, 3], "amount": [5.0, 7.0, 3.0, 4.0],
                         "date": pd.to_datetime(["2025-01-03", "2025-01-20", "2025-01-05", "2025-01-09"])})


def _costs() -> pd.DataFrame:
    return pd.DataFrame({"date": pd.to_datetime(["2025-01-15", "2025-02-15"]), "program": ["support", "loyalty"],
                         "amount": [1000.0, 500.0]})


def _lead_times(f):
    weeks = pd.date_range("2025-01-06", periods=4, freq="7D")
    scores = pd.DataFrame({"customer_id": ["a"] * 4 + ["b"] * 4, "cutoff": list(weeks) * 2,
                           "p_churn": [0.1, 0.6, 0.2, 0.7, 0.6, 0.1, 0.1, 0.1]})
    subs = pd.DataFrame({"customer_id": ["a", "b"], "start_date": pd.to_datetime(["2024-06-03"] * 2),
                         "end_date": [pd.Timestamp("2025-02-03"), pd.NaT]})
    return f(scores, subs, threshold=0.5, lookback_weeks=3, horizon_weeks=4, observation_period_end="2025-03-03")


_Y, _SCORE = [True, True, False, False, False, True], [0.9, 0.4, 0.5, 0.2, 0.1, 0.7]
_Q1 = ("2025-01-01", "2025-04-01")

_LEADING = (
    MetricSpec("Net Promoter Score", "nps", lambda f: f([10, 9, 8, 3]), "01_net_promoter_score",
               "each survey wave", "survey tool (survey answers)", "customer-success manager", "leading"),
    MetricSpec("Customer satisfaction (CSAT)", "csat", lambda f: f([5, 4, 3, 2]), "02_customer_satisfaction",
               "monthly", "support desk (ticket ratings)", "customer-success manager", "leading"),
)
_DERIVED = ("a monotone function of the churn rate: its interval is the churn rate's interval transformed "
            "the same way")
_CHECK = "check of the warning"

METRICS = _LEADING + (
    MetricSpec("Churn rate", "churn_rate", lambda f: f(_subscriptions(), *_Q1), "03_churn_and_retention",
               "monthly and quarterly", "CRM and billing (customers of the single view)", "analyst", "lagging"),
    MetricSpec("Retention rate", "retention_rate", lambda f: f(_subscriptions(), *_Q1), "03_churn_and_retention",
               "monthly and quarterly", "CRM and billing (customers of the single view)", "analyst", "lagging"),
    MetricSpec("Gross revenue retention", "metrics.revenue_retention", lambda f: f(_subscriptions(), *_Q1),
               "03_churn_and_retention", "quarterly", "billing (plans and fees)", "analyst", "lagging",
               note="uses each customer's one fee in the table (the fee at the start); downgrades of the customers "
                    "kept (contraction) are not subtracted, so it overstates GRR where plans change"),
    MetricSpec("Churn compounded over periods", "compound_churn", lambda f: f(0.05, periods=12),
               "03_churn_and_retention", "with the churn rate", "derived from the churn rate", "analyst", "lagging",
               note=_DERIVED),
    MetricSpec("Expected lifetime", "expected_lifetime", lambda f: f(0.05), "03_churn_and_retention",
               "with the churn rate", "derived from the churn rate", "analyst", "lagging", unit="periods",
               note="unit from the function's docstring ('in periods': the periods of the churn rate); "
                    + _DERIVED),
    MetricSpec("Repeat purchase rate", "repeat_purchase_rate", lambda f: f(_purchases(), "2025-01-01", "2025-02-01"),
               "05_repeat_purchase_rate", "monthly", "transactions (purchases)", "analyst", "lagging"),
    MetricSpec("Customer retention cost", "retention_cost", lambda f: f(_costs(), retained_customers=10),
               "06_customer_retention_cost", "quarterly", "finance ledger", "product owner", "input (spend)",
               note="a total of the whole ledger, not a sample: no sampling interval"),
    MetricSpec("Customer lifetime value (formula)", "clv.formula_clv",
               lambda f: f(100.0, retention=0.8, discount_rate=0.1), "07_customer_lifetime_value",
               "when prices or retention change", "margin from finance, retention from the churn rate", "analyst",
               "lagging", note="for a fixed margin and discount rate, " + _DERIVED),
    MetricSpec("AUC of the churn model", "churn.auc", lambda f: f(_Y, _SCORE), "10_predictive_churn",
               "at each model refresh, on the latest cut-off", "weekly activity and cancellations",
               "data scientist", _CHECK, unit="probability",
               note="unit from the formula: the probability that a churner scores above a stayer"),
    MetricSpec("Precision of the weekly list", "churn.precision_at_k", lambda f: f(_Y, _SCORE, 2),
               "10_predictive_churn", "each weekly list, once its horizon has passed",
               "weekly activity and cancellations", "data scientist", _CHECK),
    MetricSpec("Effect of a retention action", "experiments.two_proportion_test", lambda f: f(60, 500, 40, 500),
               "12_data_driven_actions", "at the end of each randomized test", "the test's assignment and outcomes",
               "analyst with the product owner", "lagging"),
    MetricSpec("Weeks of warning before a cancellation", "churn.lead_time_summary", _lead_times,
               "14_data_driven_customer_success", "monthly, over the last quarter's cancellations",
               "the weekly lists' scores and cancellations", "data scientist with the customer-success manager",
               _CHECK, note="capped by the look-back: a lead equal to it means at least that long"),
)


def resolve(path: str):
    """The kit function at ``path`` (``"churn.auc"`` is ``retention_kit.churn.auc``).

    Parameters
    ----------
    path : str, dotted, relative to the package

    Returns
    -------
    callable

    Raises
    ------
    InputError
        For a path that names no function of the kit.

    Examples
    --------
    >>> resolve("churn.auc").__name__
    'auc'
    """
    obj = importlib.import_module("retention_kit")
    try:
        for part in path.split("."):
            obj = getattr(obj, part)
    except AttributeError:
        raise InputError(f"{path!r} names no function of the kit (rk.{path} does not exist); fix the entry of "
                         "METRICS.") from None
    if not callable(obj):
        raise InputError(f"rk.{path} is not a function; an entry of METRICS must name the function that computes "
                         "the metric.")
    return obj


def _summary_line(function) -> str:
    """The first line of the docstring, with reStructuredText's literal marks as Markdown's."""
    doc = inspect.getdoc(function) or ""
    return doc.strip().splitlines()[0].replace("``", "`") if doc.strip() else ""


def metric_dictionary(metrics=METRICS) -> pd.DataFrame:
    """One row per metric: its definition, formula and unit from the kit, with cadence, source, owner and lesson.

    For each entry, ``definition`` is the summary line of the function's docstring, and
    ``formula``, ``unit`` and ``interval`` (whether the result carries one) are read from the
    MetricResult the function returns on the entry's tiny example: run, not copied, so a change
    of the code changes the dictionary. Where the result has no unit, the entry's own ``unit`` is
    shown and ``unit_from`` says "dictionary" (else "function"); the entry's ``note`` says where it
    comes from.

    Parameters
    ----------
    metrics : sequence of MetricSpec, default :data:`METRICS`

    Returns
    -------
    DataFrame indexed by ``metric``, columns ``definition``, ``formula``, ``unit``, ``unit_from``,
    ``interval``, ``timing``, ``cadence``, ``source``, ``owner``, ``note``, ``function`` (as
    ``rk.<path>``) and ``lesson``.

    Raises
    ------
    InputError
        For an entry whose function does not exist, or whose example does not return a MetricResult.

    Examples
    --------
    >>> d = metric_dictionary()
    >>> d.loc["Churn rate", ["unit", "timing", "function", "lesson"]].tolist()
    ['fraction', 'lagging', 'rk.churn_rate', '03_churn_and_retention']
    >>> d.loc["Expected lifetime", ["unit", "unit_from"]].tolist()      # the function's result has no unit
    ['periods', 'dictionary']
    """
    from .results import MetricResult
    rows = []
    for spec in metrics:
        function = resolve(spec.function)
        result = spec.example(function)
        if not isinstance(result, MetricResult):
            raise InputError(f"the example of {spec.metric!r} returned {type(result).__name__}, not a MetricResult: "
                             f"rk.{spec.function} must return one for the dictionary to read its formula and unit.")
        unit, unit_from = (result.unit, "function") if result.unit or not spec.unit else (spec.unit, "dictionary")
        rows.append(dict(metric=spec.metric, definition=_summary_line(function), formula=result.formula,
                         unit=unit, unit_from=unit_from, interval=result.ci is not None, timing=spec.timing,
                         cadence=spec.cadence, source=spec.source, owner=spec.owner, note=spec.note,
                         function=f"rk.{spec.function}", lesson=spec.lesson))
    return pd.DataFrame(rows).set_index("metric")
