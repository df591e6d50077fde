import warnings

import numpy as np
import pandas as pd
import pytest
from lifetimes.utils import summary_data_from_transaction_data

import retention_kit as rk
from retention_kit.validation import InputError


def messy_log(seed=0, n=4000, customers=300):
    """Purchases with several per day and per week, unsorted, string ids, and times of day."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "cust": rng.choice([f"c{i}" for i in range(customers)], n),
        "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 400 * 24 * 60, n), unit="min"),
        "value": rng.gamma(2.0, 8.0, n).round(2),
    }).sample(frac=1, random_state=1).reset_index(drop=True)


# lifetimes' observation_period_end includes the whole period that holds it, and defaults to the last purchase;
# the kit's is exclusive (the first instant not observed) and defaults to midnight after the last purchase's day.
# So lifetimes' "2024-11-15 13:30" in days is the kit's "2024-11-16"; in weeks (Monday to Sunday) "2024-11-18".
ENDS = {"day": ("2024-11-16", "2024-11-15 13:30"), "week": ("2024-11-18", "2024-11-15 13:30"),
        "hour": ("2024-11-15 14:00", "2024-11-15 13:30")}


@pytest.mark.parametrize("unit, freq", [("day", "D"), ("week", "W"), ("hour", "h")])
@pytest.mark.parametrize("explicit_end", [False, True])
def test_agrees_with_lifetimes(unit, freq, explicit_end):
    if not explicit_end and unit == "hour":
        pytest.skip("the default end differs by design at hourly resolution (last hour vs end of the last day)")
    ours_end, theirs_end = ENDS[unit] if explicit_end else (None, None)
    log = messy_log()
    ref = summary_data_from_transaction_data(log, "cust", "when", "value", observation_period_end=theirs_end,
                                             freq=freq)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.DataWarning)
        ours = rk.rfm_summary(log, customer_id_col="cust", datetime_col="when", monetary_value_col="value",
                              observation_period_end=ours_end, time_unit=unit)
    ref = ref.sort_index()
    assert list(ours.index) == list(ref.index)
    assert list(ours.columns) == ["frequency", "recency", "T", "monetary_value"]
    np.testing.assert_array_equal(ours[["frequency", "recency", "T"]].to_numpy(), ref[["frequency", "recency", "T"]].to_numpy())
    np.testing.assert_allclose(ours["monetary_value"].to_numpy(), ref["monetary_value"].to_numpy(), rtol=1e-12)


def test_months_against_pandas_periods():
    # lifetimes cannot summarise in months here; pandas' Period arithmetic is the independent reference
    log = messy_log()
    ours = rk.rfm_summary(log, customer_id_col="cust", datetime_col="when", monetary_value_col=None,
                          observation_period_end="2025-03-01", time_unit="month")
    months = log["when"].dt.to_period("M")
    last = pd.Period("2025-02", "M")
    for customer in ["c0", "c17", "c250"]:
        mine = sorted(set(months[log["cust"] == customer]))
        expected = [len(mine) - 1, (mine[-1] - mine[0]).n, (last - mine[0]).n]
        assert ours.loc[customer].tolist() == expected


def test_agrees_with_lifetimes_on_shipped_coffee_log():
    tx = rk.datasets.load_coffee_transactions()
    ref = summary_data_from_transaction_data(tx, "customer_id", "date", "amount",
                                             observation_period_end="2025-12-31").sort_index()
    ours = rk.rfm_summary(tx, observation_period_end="2026-01-01")
    pd.testing.assert_frame_equal(ours, ref, check_exact=False, rtol=1e-12, check_names=False)
    pd.testing.assert_frame_equal(rk.rfm_summary(tx), ours)       # the default end: midnight after the last day
    assert ours.attrs == {"observation_period_end": pd.Timestamp("2026-01-01"), "time_unit": "day"}


def test_hand_worked():
    tx = pd.DataFrame({"customer_id": [1, 1, 1, 2, 1],
                       "date": pd.to_datetime(["2025-01-01 08:00", "2025-01-01 17:00", "2025-01-11", "2025-01-05",
                                               "2025-02-10"], format="ISO8601"),
                       "amount": [5.0, 5.0, 30.0, 8.0, 100.0]})
    with pytest.warns(rk.DataWarning, match="1 transaction"):
        s = rk.rfm_summary(tx, observation_period_end="2025-02-01")
    # customer 1: first day 1 Jan (two purchases, $10), repeat on 11 Jan ($30); 10 Feb is after the end.
    # The last observed day is 31 January: T = 30 and 26 days.
    assert s.loc[1].tolist() == [1.0, 10.0, 30.0, 30.0]
    assert s.loc[2].tolist() == [0.0, 0.0, 26.0, 0.0]
    with pytest.warns(rk.DataWarning, match="1 transaction"):
        weeks = rk.rfm_summary(tx, observation_period_end="2025-02-01", time_unit="week")   # weeks start on Monday
    # customer 1 buys in the weeks of 30 Dec and 6 Jan; the last observed week (31 January) starts on 27 Jan
    assert weeks.loc[1, ["frequency", "recency", "T"]].tolist() == [1.0, 1.0, 4.0]
    no_money = rk.rfm_summary(tx.iloc[:4], monetary_value_col=None)
    assert list(no_money.columns) == ["frequency", "recency", "T"]


@pytest.mark.parametrize("mutate, kwargs, fragment", [
    (lambda d: d.assign(amount=[1.0, -2.0]), {}, "negative value"),
    (lambda d: d.assign(amount=["1", "x"]), {}, "must hold numbers"),
    (lambda d: d.rename(columns={"date": "ts"}), {}, "no column 'date'.*columns present"),
    (lambda d: d.assign(date=["2025-01-01", "yesterday"]), {}, "not an ISO 8601 date.*'yesterday'"),
    (lambda d: d.iloc[:0], {}, "empty"),
    (lambda d: d, {"time_unit": "M"}, "use 'month'"),
    (lambda d: d, {"time_unit": "fortnight"}, "not a time unit here"),
    (lambda d: d, {"observation_period_end": "2020-01-01"}, "no transaction falls"),
])
def test_bad_input(mutate, kwargs, fragment):
    tx = pd.DataFrame({"customer_id": [1, 2], "date": ["2025-01-01", "2025-01-02"], "amount": [1.0, 2.0]})
    with pytest.raises(InputError, match=fragment):
        rk.rfm_summary(mutate(tx), **kwargs)


def test_calibration_holdout_agrees_with_lifetimes_on_a_log_of_dates():
    from lifetimes.utils import calibration_and_holdout_data
    tx = rk.datasets.load_coffee_transactions()
    tx = tx.assign(date=tx["date"].dt.normalize())          # whole dates: lifetimes compares raw timestamps
    with pytest.warns(rk.DataWarning, match="4 rows that repeat another row exactly.*kept"):
        rk.rfm_summary(tx)                                   # same customer, day and amount: kept, with a word
    ref = calibration_and_holdout_data(tx, "customer_id", "date", calibration_period_end="2025-06-30",
                                       observation_period_end="2025-12-31", monetary_value_col="amount").sort_index()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.DataWarning)
        ours = rk.calibration_holdout_summary(tx, calibration_period_end="2025-07-01",
                                              observation_period_end="2026-01-01")
    assert ours.attrs["time_unit"] == "day"
    columns = ["frequency_cal", "recency_cal", "T_cal", "monetary_value_cal", "frequency_holdout", "duration_holdout"]
    pd.testing.assert_frame_equal(ours[columns], ref[columns], check_exact=False, rtol=1e-12, check_names=False)
    with pytest.raises(InputError, match="must come after"), pytest.warns(rk.DataWarning, match="repeat another"):
        rk.calibration_holdout_summary(tx, calibration_period_end="2025-07-01", observation_period_end="2025-01-01")
    with pytest.raises(InputError, match="falls inside a week"), pytest.warns(rk.DataWarning, match="repeat another"):
        rk.calibration_holdout_summary(tx, calibration_period_end="2025-07-02", time_unit="week")


def test_check_repeated_rows_false_skips_the_warning_not_the_rows():
    """Coffee-shop rows repeated on whole dates are still purchases when the count is skipped (pytest turns any
    DataWarning into an error, so the unchecked call proves that none is raised); checked against lifetimes."""
    from lifetimes.utils import summary_data_from_transaction_data
    tx = rk.datasets.load_coffee_transactions()
    tx = tx.assign(date=tx["date"].dt.normalize())
    ours = rk.rfm_summary(tx, observation_period_end="2026-01-01", check_repeated_rows=False)
    ref = summary_data_from_transaction_data(tx, "customer_id", "date", monetary_value_col="amount",
                                             observation_period_end="2025-12-31").sort_index()
    pd.testing.assert_frame_equal(ours, ref[ours.columns], check_exact=False, rtol=1e-12, check_names=False)
    table = rk.cohort_table(tx, observation_period_end="2026-01-01", check_repeated_rows=False)
    assert table[0].sum() == tx["customer_id"].nunique()
