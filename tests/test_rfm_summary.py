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


@pytest.mark.parametrize("unit", ["D", "W", "h"])
@pytest.mark.parametrize("end", [None, "2024-11-15 13:30"])
def test_agrees_with_lifetimes(unit, end):
    log = messy_log()
    ref = summary_data_from_transaction_data(log, "cust", "when", "value", observation_period_end=end, freq=unit)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = rk.rfm_summary(log, customer_id_col="cust", datetime_col="when", monetary_value_col="value",
                              observation_period_end=end, time_unit=unit)
    ref = ref.sort_index()
    assert list(ours.index) == list(ref.index)
    assert list(ours.columns) == ["frequency", "recency", "T", "monetary_value"]
    np.testing.assert_array_equal(ours[["frequency", "recency", "T"]].to_numpy(), ref[["frequency", "recency", "T"]].to_numpy())
    np.testing.assert_allclose(ours["monetary_value"].to_numpy(), ref["monetary_value"].to_numpy(), rtol=1e-12)


def test_agrees_with_lifetimes_on_shipped_coffee_log():
    tx = rk.datasets.load_coffee_transactions()
    ref = summary_data_from_transaction_data(tx, "customer_id", "date", "amount").sort_index()
    ours = rk.rfm_summary(tx)
    pd.testing.assert_frame_equal(ours, ref, check_exact=False, rtol=1e-12, check_names=False)


def test_hand_worked():
    tx = pd.DataFrame({"customer_id": [1, 1, 1, 2, 1],
                       "date": pd.to_datetime(["2025-01-01 08:00", "2025-01-01 17:00", "2025-01-11", "2025-01-05",
                                               "2025-02-10"], format="ISO8601"),
                       "amount": [5.0, 5.0, 30.0, 8.0, 100.0]})
    with pytest.warns(UserWarning, match="1 transaction"):
        s = rk.rfm_summary(tx, observation_period_end="2025-01-31")
    # customer 1: first day 1 Jan (two purchases, $10), repeat on 11 Jan ($30); 10 Feb is after the end
    assert s.loc[1].tolist() == [1.0, 10.0, 30.0, 30.0]
    assert s.loc[2].tolist() == [0.0, 0.0, 26.0, 0.0]
    assert s.attrs["excluded_after_end"] == 1
    no_money = rk.rfm_summary(tx.iloc[:4], monetary_value_col=None)
    assert list(no_money.columns) == ["frequency", "recency", "T"]


@pytest.mark.parametrize("mutate, kwargs, fragment", [
    (lambda d: d.assign(amount=[1.0, -2.0]), {}, "negative value"),
    (lambda d: d.assign(amount=["1", "x"]), {}, "must hold numbers"),
    (lambda d: d.rename(columns={"date": "ts"}), {}, "no column 'date'.*columns present"),
    (lambda d: d.assign(date=["2025-01-01", "yesterday"]), {}, "not dates.*'yesterday'"),
    (lambda d: d.iloc[:0], {}, "empty"),
    (lambda d: d, {"time_unit": "M"}, "not supported"),
    (lambda d: d, {"observation_period_end": "2020-01-01"}, "no transaction falls"),
])
def test_bad_input(mutate, kwargs, fragment):
    tx = pd.DataFrame({"customer_id": [1, 2], "date": ["2025-01-01", "2025-01-02"], "amount": [1.0, 2.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(InputError, match=fragment):
            rk.rfm_summary(mutate(tx), **kwargs)


def test_calibration_holdout_agrees_with_lifetimes_on_a_log_of_dates():
    from lifetimes.utils import calibration_and_holdout_data
    tx = rk.datasets.load_coffee_transactions()
    tx = tx.assign(date=tx["date"].dt.normalize())          # whole dates: lifetimes compares raw timestamps
    ref = calibration_and_holdout_data(tx, "customer_id", "date", calibration_period_end="2025-06-30",
                                       observation_period_end="2025-12-31", monetary_value_col="amount").sort_index()
    ours = rk.summaries.calibration_holdout_summary(tx, calibration_end="2025-06-30", observation_end="2025-12-31")
    columns = ["frequency_cal", "recency_cal", "T_cal", "monetary_value_cal", "frequency_holdout", "duration_holdout"]
    pd.testing.assert_frame_equal(ours[columns], ref[columns], check_exact=False, rtol=1e-12, check_names=False)
    with pytest.raises(InputError, match="must come after"):
        rk.summaries.calibration_holdout_summary(tx, calibration_end="2025-06-30", observation_end="2025-01-01")
