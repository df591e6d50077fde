import warnings

import numpy as np
import pandas as pd
import pytest

import retention_kit as rk
from retention_kit import cohorts
from retention_kit.validation import InputError


def brute_force(tx, end, freq="M"):
    """Reference: one customer at a time, with pandas periods."""
    tx = tx[tx["date"] < end]
    last = (pd.Timestamp(end) - pd.Timedelta(1, "ns")).to_period(freq)
    if pd.Timestamp(end) != (last + 1).start_time:
        last -= 1
    rows = {}
    for customer, part in tx.groupby("customer_id"):
        periods = sorted(set(part["date"].dt.to_period(freq)))
        cohort = periods[0]
        if cohort > last:
            continue
        for p in periods:
            if p <= last:
                rows.setdefault(cohort, {}).setdefault((p - cohort).n, set()).add(customer)
    width = (last - min(rows)).n + 1      # ages the oldest cohort can be observed at
    table = pd.DataFrame({k: [len(rows[c].get(k, ())) if (c + k) <= last else np.nan for c in sorted(rows)]
                          for k in range(width)}, index=pd.PeriodIndex(sorted(rows), freq=freq), dtype=float)
    return table


@pytest.mark.parametrize("unit, freq", [("month", "M"), ("quarter", "Q"), ("week", "W-SUN"), ("day", "D")])
@pytest.mark.parametrize("end", ["2025-07-01", "2025-06-17"])
def test_matches_brute_force(unit, freq, end):
    tx, _ = rk.datasets.make_transactions(400 if unit != "day" else 60, start="2024-01-01", end="2025-07-01",
                                          random_state=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.DataWarning)
        ours = cohorts.cohort_table(tx, time_unit=unit, observation_period_end=end)
    ref = brute_force(tx, end, freq)
    pd.testing.assert_frame_equal(ours, ref, check_names=False, check_column_type=False, check_index_type=False,
                                  check_freq=False)


def test_unobservable_cells_are_missing_not_zero():
    tx = pd.DataFrame({"customer_id": [1, 1, 2, 3, 4], "date": pd.to_datetime(
        ["2025-01-05", "2025-03-10", "2025-01-20", "2025-02-03", "2025-03-15"]), "amount": [1.0, 2.0, 3.0, 4.0, 5.0]})
    with pytest.warns(rk.DataWarning, match="1 customer.*incomplete month 2025-03"):   # customer 4 joined in March
        t = cohorts.cohort_table(tx, observation_period_end="2025-03-20")   # March is not over
    assert list(t.index.astype(str)) == ["2025-01", "2025-02"]
    assert t.loc[pd.Period("2025-01"), 1] == 0.0                  # observed, and nobody bought: a real zero
    assert np.isnan(t.loc[pd.Period("2025-02"), 1])               # February's cohort at age 1 is March: unknown


def test_averages_hand_worked():
    t = pd.DataFrame({0: [100.0, 10.0, 50.0], 1: [50.0, 9.0, np.nan]})
    avg = cohorts.average_retention(t)
    assert avg.loc[1, "weighted"] == pytest.approx(59 / 110)       # only the two cohorts observable at age 1
    assert avg.loc[1, "simple"] == pytest.approx((0.5 + 0.9) / 2)
    assert avg.loc[1, "cohorts"] == 2 and avg.loc[0, "weighted"] == 1.0


def test_weighted_average_equals_pooling_the_customers():
    table = cohorts.cohort_table(rk.datasets.load_coffee_transactions())
    avg = cohorts.average_retention(table)
    observable = table[3].notna()
    assert avg.loc[3, "weighted"] == pytest.approx(table.loc[observable, 3].sum() / table.loc[observable, 0].sum())


def test_a_fixed_set_of_cohorts_removes_the_composition_effect():
    t = pd.DataFrame({0: [100.0, 800.0, 50.0], 1: [40.0, 80.0, 20.0], 2: [30.0, np.nan, np.nan]})
    default = cohorts.average_retention(t)
    # age 1 pools all three cohorts (140 / 950); age 2 only the first (30 / 100): the curve "rises"
    assert default.loc[1, "weighted"] == pytest.approx(140 / 950) and default.loc[2, "weighted"] == pytest.approx(0.3)
    fixed = cohorts.average_retention(t, through_age=2)
    assert fixed["weighted"].tolist() == pytest.approx([1.0, 0.4, 0.3]) and fixed["cohorts"].tolist() == [1, 1, 1]
    with pytest.raises(InputError, match="through_age=3: no cohort is observable.*pass at most 2"):
        cohorts.average_retention(t, through_age=3)
    with pytest.raises(InputError, match="through_age must be a whole number"):
        cohorts.average_retention(t, through_age=1.5)


def test_bad_input():
    tx = pd.DataFrame({"customer_id": [1], "date": pd.to_datetime(["2025-01-05"]), "amount": [3.0]})
    with pytest.raises(InputError, match="time_unit='M' is not a time unit of the kit; use 'month'"):
        cohorts.cohort_table(tx, time_unit="M")
    with pytest.raises(InputError, match="time_unit='hour' is not a time unit here"):
        cohorts.cohort_table(tx, time_unit="hour")
    with pytest.raises(InputError, match="no complete"):
        cohorts.cohort_table(tx, observation_period_end="2025-01-20")
    with pytest.raises(InputError, match="no column 'date'"):
        cohorts.cohort_table(tx.rename(columns={"date": "when"}))
    later = pd.DataFrame({"customer_id": [2], "date": pd.to_datetime(["2025-05-01"]), "amount": [4.0]})
    with pytest.warns(rk.DataWarning, match="1 purchase"):
        cohorts.cohort_table(pd.concat([tx, later]), observation_period_end="2025-03-01")
    with pytest.raises(InputError, match="age-0 column"):
        cohorts.average_retention(pd.DataFrame({1: [0.5]}))
