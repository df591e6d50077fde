"""rk.cohort_table, rk.repeat_purchase_rate, rk.metrics.purchase_counts and rk.metrics.churn_by_period on every
engine, against the pandas path.

Most results are small (a cohort table, a rate, a table per period): every engine groups, and the same pandas
table or MetricResult comes back, equal value for value. Purchase counts have a row per customer and come back as
the input's kind.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import retention_kit as rk

from .conftest import ENGINES, to_pandas
from .test_summaries_engines import random_log


def random_subscriptions(n=3_000, seed=0):
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 900 * 86_400, n), unit="s")
    length = pd.to_timedelta(np.round(rng.exponential(300, n) * 86_400), unit="s")     # whole seconds, as logs keep
    end = (start + length).where(start + length < pd.Timestamp("2025-12-01"))
    return pd.DataFrame({"customer_id": [f"S{i:05d}" for i in range(n)], "start_date": start, "end_date": end})


def recorded(call):
    """The result of ``call()`` and the messages of the DataWarnings it raised."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", rk.DataWarning)
        result = call()
    return result, [str(w.message) for w in seen if issubclass(w.category, rk.DataWarning)]


@pytest.mark.parametrize("kind", ENGINES)
def test_cohort_table_equals_the_pandas_path(kind, to_engine):
    """Same table, same attributes, same warnings (late rows, a cohort still incomplete at the end)."""
    log = random_log(seed=7)
    for unit, end in (("month", "2025-11-15"), ("week", "2025-12-31"), ("quarter", None)):
        reference, expected = recorded(lambda: rk.cohort_table(log, time_unit=unit, observation_period_end=end))
        result, said = recorded(lambda: rk.cohort_table(to_engine(log, kind), time_unit=unit,
                                                        observation_period_end=end))
        pd.testing.assert_frame_equal(result, reference)
        assert result.attrs == reference.attrs and said == expected


@pytest.mark.parametrize("kind", ENGINES)
def test_cohort_table_warns_as_pandas_about_late_rows_and_an_incomplete_cohort(kind, to_engine):
    log = random_log(seed=8)
    late = int((log["date"] >= "2025-11-15").sum())
    with pytest.warns(rk.DataWarning) as seen:
        rk.cohort_table(to_engine(log, kind), observation_period_end="2025-11-15")
    messages = [str(w.message) for w in seen]
    assert any(f"{late} purchase(s) at or after" in m for m in messages)
    newcomers = log.groupby("customer_id")["date"].min()
    young = int(((newcomers >= "2025-11-01") & (newcomers < "2025-11-15")).sum())
    assert any(f"{young} customer(s) whose first purchase falls in the incomplete month" in m for m in messages) == (young > 0)


@pytest.mark.parametrize("kind", ENGINES)
def test_repeat_purchase_rate_equals_the_pandas_path(kind, to_engine):
    log = random_log(seed=9)
    for period, k in ((("2025-01-01", "2026-01-01"), 2), (("2024-03-01", "2024-04-01"), 3)):
        reference = rk.repeat_purchase_rate(log, *period, min_purchases=k)
        result = rk.repeat_purchase_rate(to_engine(log, kind), *period, min_purchases=k)
        assert (result.value, result.ci, result.parts) == (reference.value, reference.ci, reference.parts)
        assert result.name == reference.name
    with pytest.raises(rk.InputError, match="no purchase falls in"):
        rk.repeat_purchase_rate(to_engine(log, kind), "2030-01-01", "2031-01-01")


@pytest.mark.parametrize("kind", ENGINES)
def test_purchase_counts_equal_the_pandas_path(kind, to_engine):
    log = random_log(seed=10).assign(customer_id=lambda t: "C" + t["customer_id"].astype(str))     # text ids too
    for period in (("2025-01-01", "2026-01-01"), ("2024-03-01", "2024-04-01"), ("2030-01-01", "2031-01-01")):
        reference = rk.metrics.purchase_counts(log, *period)
        result = rk.metrics.purchase_counts(to_engine(log, kind), *period)
        if kind == "parquet":                            # the pandas path's Series, exactly
            pd.testing.assert_series_equal(result, reference)
        else:
            got = to_pandas(result)["purchases"]
            pd.testing.assert_series_equal(got, reference, check_index_type=False, check_dtype=False)
            assert got.dtype.kind == "i"
        inside = log[(log["date"] >= period[0]) & (log["date"] < period[1])]
        assert int(result.sum() if kind == "parquet" else got.sum()) == len(inside)        # every row counted once
    with pytest.raises(rk.InputError, match="period_end"):
        rk.metrics.purchase_counts(to_engine(log, kind), "2025-01-01", "2024-01-01")


@pytest.mark.parametrize("kind", ENGINES)
def test_churn_by_period_equals_the_pandas_path(kind, to_engine):
    subs = random_subscriptions()
    for unit, period in (("month", ("2024-01-01", "2025-07-01")), ("quarter", ("2023-01-01", "2026-01-01")),
                         ("week", ("2024-06-03", "2024-09-02"))):
        reference = rk.metrics.churn_by_period(subs, *period, time_unit=unit)
        result = rk.metrics.churn_by_period(to_engine(subs, kind), *period, time_unit=unit)
        pd.testing.assert_frame_equal(result, reference)


@pytest.mark.parametrize("kind", ENGINES)
def test_bad_subscriptions_are_refused_as_in_pandas(kind, to_engine):
    subs = random_subscriptions(n=200, seed=1)
    twice = pd.concat([subs, subs.iloc[:1]], ignore_index=True)
    with pytest.raises(rk.InputError, match="repeats 1 id"):
        rk.metrics.churn_by_period(to_engine(twice, kind), "2024-01-01", "2025-01-01")
    backwards = subs.assign(end_date=subs["end_date"].where(subs.index != 4, pd.Timestamp("2020-01-01")))
    with pytest.raises(rk.InputError, match="before 'start_date'"):
        rk.metrics.churn_by_period(to_engine(backwards, kind), "2024-01-01", "2025-01-01")
    with pytest.raises(rk.InputError, match="is not the start of a month"):
        rk.metrics.churn_by_period(to_engine(subs, kind), "2024-01-15", "2025-01-01")
