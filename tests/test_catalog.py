"""The metric dictionary follows the code: every entry names a function that exists, and its definition, formula and
unit are what that function says and returns, checked here on inputs of the test's own; and each entry's value on its
tiny example is recomputed by hand from the formula the dictionary shows, so a formula that no longer matches the
computation fails."""
import math
import inspect
from pathlib import Path

import pandas as pd
import pytest

import retention_kit as rk
from retention_kit.catalog import METRICS, MetricSpec, metric_dictionary, resolve

ROOT = Path(__file__).resolve().parents[1]
PLANNED: set[str] = set()                # lessons being written at the same time as this one (none now)


@pytest.fixture(scope="module")
def dictionary():
    return metric_dictionary()


def other_subscriptions():
    return pd.DataFrame({"customer_id": ["x", "y", "z"], "start_date": pd.to_datetime(["2023-01-01"] * 3),
                         "end_date": pd.to_datetime([None, "2024-03-01", None]), "monthly_fee": [5.0, 7.0, 9.0]})


# each function called on inputs other than the dictionary's own examples: the formula and unit must not depend on them
OTHER_CALLS = {
    "nps": lambda f: f([9, 9, 6, 10, 7]),
    "csat": lambda f: f([1, 5, 5]),
    "churn_rate": lambda f: f(other_subscriptions(), "2024-01-01", "2025-01-01"),
    "retention_rate": lambda f: f(other_subscriptions(), "2024-01-01", "2025-01-01"),
    "metrics.revenue_retention": lambda f: f(other_subscriptions(), "2024-01-01", "2025-01-01"),
    "compound_churn": lambda f: f(0.1, periods=4),
    "expected_lifetime": lambda f: f(0.2),
    "repeat_purchase_rate": lambda f: f(pd.DataFrame({"customer_id": [7, 7, 8], "amount": [1.0, 2.0, 3.0],
                                                      "date": pd.to_datetime(["2024-05-02", "2024-05-09", "2024-05-03"])}),
                                        "2024-05-01", "2024-06-01"),
    "retention_cost": lambda f: f(pd.DataFrame({"date": pd.to_datetime(["2024-07-01"]), "program": ["loyalty"],
                                                "amount": [300.0]}), retained_customers=3),
    "clv.formula_clv": lambda f: f(40.0, retention=0.5),
    "churn.auc": lambda f: f([True, False, True, False], [0.8, 0.3, 0.2, 0.1]),
    "churn.precision_at_k": lambda f: f([True, False, True, False], [0.8, 0.3, 0.2, 0.1], 3),
    "experiments.two_proportion_test": lambda f: f(30, 200, 20, 210),
    "churn.lead_time_summary": lambda f: f(
        pd.DataFrame({"customer_id": ["p", "p", "q", "q"], "cutoff": pd.to_datetime(["2025-03-03", "2025-03-10"] * 2),
                      "p_churn": [0.9, 0.1, 0.2, 0.8]}),
        pd.DataFrame({"customer_id": ["p", "q"], "start_date": pd.to_datetime(["2025-01-06"] * 2),
                      "end_date": pd.to_datetime(["2025-03-17", None])}),
        threshold=0.5, lookback_weeks=2, horizon_weeks=1, observation_period_end="2025-04-07"),
}


def test_every_entry_has_a_check_here_and_a_row_in_the_dictionary(dictionary):
    assert sorted(OTHER_CALLS) == sorted(spec.function for spec in METRICS)
    assert dictionary.index.tolist() == [spec.metric for spec in METRICS] and dictionary.index.is_unique


@pytest.mark.parametrize("spec", METRICS, ids=lambda s: s.function)
def test_every_listed_function_exists_in_the_kit(spec):
    obj = rk
    for part in spec.function.split("."):
        assert hasattr(obj, part), f"rk.{spec.function} does not exist"
        obj = getattr(obj, part)
    assert callable(obj) and resolve(spec.function) is obj


@pytest.mark.parametrize("spec", METRICS, ids=lambda s: s.function)
def test_formula_and_unit_are_what_the_function_returns(spec, dictionary):
    result = OTHER_CALLS[spec.function](resolve(spec.function))
    row = dictionary.loc[spec.metric]
    assert isinstance(result, rk.MetricResult)
    assert row["formula"] == result.formula
    if row["unit_from"] == "function":
        assert row["unit"] == result.unit != ""
    else:                                  # the function's result has no unit: the entry's, said to be the entry's
        assert result.unit == "" and row["unit"] == spec.unit != "" and "unit from" in spec.note
    assert row["interval"] == (result.ci is not None)
    assert row["function"] == f"rk.{spec.function}"


# each entry's tiny example (retention_kit/catalog.py) worked by hand: (the formula the dictionary must show, its value
# computed from that formula here). Subscriptions: 1 (fee 10, cancels 10 Feb 2025), 2 (20, active), 3 (30, cancels
# 1 Jun 2025) since June 2024, 4 (10, joins 1 Feb 2025); quarter [1 Jan, 1 Apr 2025). Purchases in January: customer 1
# twice, 2 and 3 once. Scores 0.9 0.4 0.5 0.2 0.1 0.7 for churn T T F F F T.
BY_HAND = {
    "nps": ("NPS = 100 * (promoters - detractors) / n", 100 * (2 - 1) / 4),                   # 10 9 | 8 | 3
    "csat": ("CSAT = 100 * ratings in {4, 5} / n", 100 * 2 / 4),                              # 5 4 of 5 4 3 2
    "churn_rate": ("lost / S", 1 / 3),                                                         # 1 of 1, 2, 3
    "retention_rate": ("(E - N) / S", (3 - 1) / 3),                                           # E: 2 3 4; N: 4
    "metrics.revenue_retention": ("(MRR at the start - MRR of the customers lost) / MRR at the start",
                                  (60 - 10) / 60),
    "compound_churn": ("1 - (1 - rate)^periods", 1 - 0.95 ** 12),
    "expected_lifetime": ("1 / churn per period", 1 / 0.05),
    "repeat_purchase_rate": ("customers with >= 2 purchases / customers with >= 1 purchase", 1 / 3),
    "retention_cost": ("total retention spend in the period", 1000 + 500),
    "clv.formula_clv": ("m * r / (1 + d - r)", 100 * 0.8 / (1 + 0.1 - 0.8)),
    "churn.auc": ("P(score of a churner > score of a stayer) + P(tie) / 2", 8 / 9),          # 3 + 2 + 3 of 9 pairs
    "churn.precision_at_k": ("churners among the top k by score / k", 2 / 2),                 # 0.9 and 0.7: churners
    "experiments.two_proportion_test": ("effect = k_t/n_t - k_c/n_c", 60 / 500 - 40 / 500),
    "churn.lead_time_summary": ("median over flagged churners", 3.0),        # a: flagged 13 Jan, cancels 3 Feb
}


@pytest.mark.parametrize("spec", METRICS, ids=lambda s: s.function)
def test_the_formula_shown_matches_the_computation_by_hand(spec, dictionary):
    formula, value = BY_HAND[spec.function]
    assert formula in dictionary.loc[spec.metric, "formula"]
    assert math.isclose(float(spec.example(resolve(spec.function)).value), value, rel_tol=1e-12)


def test_every_entry_says_whether_it_leads_or_lags(dictionary):
    assert sorted(BY_HAND) == sorted(spec.function for spec in METRICS)
    assert set(dictionary["timing"]) <= {"leading", "lagging", "input (spend)", "check of the warning"}
    assert dictionary.loc["Churn rate", "timing"] == "lagging" and dictionary.loc["Net Promoter Score", "timing"] == \
        "leading"


@pytest.mark.parametrize("spec", METRICS, ids=lambda s: s.function)
def test_definition_is_the_first_line_of_the_function_s_docstring(spec, dictionary):
    first = inspect.getdoc(resolve(spec.function)).splitlines()[0]
    assert dictionary.loc[spec.metric, "definition"] == first.replace("``", "`")


@pytest.mark.parametrize("spec", METRICS, ids=lambda s: s.function)
def test_the_lesson_named_teaches_the_function(spec):
    path = ROOT / "notebooks" / f"{spec.lesson}.ipynb"
    if spec.lesson in PLANNED and not path.exists():
        pytest.skip(f"{spec.lesson} is being written")
    assert path.exists(), f"no lesson {spec.lesson}"
    assert spec.function.split(".")[-1] in path.read_text(encoding="utf-8")


def test_a_change_of_the_code_changes_the_dictionary():
    """Generated, not copied: a function whose result changes is read anew."""
    def churn_like(values):
        return rk.MetricResult(kind="x", name="x", value=float(len(values)), unit="count", formula="n")

    rk.datasets._test_metric = churn_like          # a function the dictionary can resolve
    try:
        spec = MetricSpec("Test", "datasets._test_metric", lambda f: f([1, 2]), "03_churn_and_retention", "-", "-", "-")
        assert metric_dictionary([spec]).loc["Test", ["formula", "unit"]].tolist() == ["n", "count"]
    finally:
        del rk.datasets._test_metric


def test_entries_that_name_no_function_or_no_metric_are_refused():
    with pytest.raises(rk.InputError, match="rk.churn.no_such_metric does not exist"):
        resolve("churn.no_such_metric")
    with pytest.raises(rk.InputError, match="not a function"):
        resolve("TIME_UNITS")
    spec = MetricSpec("Bad", "cohort_table", lambda f: pd.DataFrame(), "04_cohorts_and_survival", "-", "-", "-")
    with pytest.raises(rk.InputError, match="not a MetricResult"):
        metric_dictionary([spec])
