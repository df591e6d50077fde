import numpy as np
import pandas as pd
import pytest

import retention_kit as rk
from retention_kit.validation import InputError


@pytest.fixture
def tx():
    return pd.DataFrame({
        "customer_id": [1, 1, 1, 2, 3, 3, 4],
        "date": pd.to_datetime(["2025-01-02", "2025-06-01", "2025-12-31 18:00:00", "2025-03-03",
                                "2024-12-31", "2025-02-02", "2026-01-01"], format="ISO8601"),
        "amount": [4.5, 3.0, 5.25, 6.0, 2.0, 4.0, 3.5],
    })


def test_repeat_purchase_rate_hand_worked(tx):
    # 2025: customer 1 x3, 2 x1, 3 x1 (its 2024 purchase is outside), 4 none (2026)
    r = rk.repeat_purchase_rate(tx, "2025-01-01", "2026-01-01")
    assert (r.customers, r.repeat_customers, r.purchases) == (3, 1, 5)
    assert r.value == pytest.approx(1 / 3)
    assert rk.purchase_counts(tx, "2025-01-01", "2026-01-01").to_dict() == {1: 3, 2: 1, 3: 1}


def test_repeat_purchase_rate_errors(tx):
    with pytest.raises(InputError, match="no purchase falls"):
        rk.repeat_purchase_rate(tx, "2030-01-01", "2031-01-01")
    with pytest.raises(InputError, match="no column 'when'"):
        rk.repeat_purchase_rate(tx, "2025-01-01", "2026-01-01", datetime_col="when")
    with pytest.raises(InputError, match="empty in 1 row"):
        rk.repeat_purchase_rate(tx.assign(customer_id=[1, None, 1, 2, 3, 3, 4]), "2025-01-01", "2026-01-01")
    with pytest.raises(InputError, match="min_purchases=1 must be a whole number of at least 2"):
        rk.repeat_purchase_rate(tx, "2025-01-01", "2026-01-01", min_purchases=1)
    with pytest.raises(InputError, match="no column 'amount'.*monetary_value_col=None"):
        rk.repeat_purchase_rate(tx.drop(columns="amount"), "2025-01-01", "2026-01-01")
    no_amounts = rk.repeat_purchase_rate(tx.drop(columns="amount"), "2025-01-01", "2026-01-01", monetary_value_col=None)
    assert no_amounts.value == pytest.approx(1 / 3)


def test_repeat_purchase_rate_interval_against_scipy(tx):
    from scipy import stats
    r = rk.repeat_purchase_rate(tx, "2025-01-01", "2026-01-01", confidence=0.8)
    ref = stats.binomtest(1, 3).proportion_ci(confidence_level=0.8, method="wilson")
    assert r.ci == pytest.approx((ref.low, ref.high))


def test_repeat_probability_by_count_hand_worked():
    tx = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2, 3, 9],
                       "date": pd.to_datetime(["2024-01-01", "2024-01-10", "2024-01-20", "2024-02-01",
                                               "2024-04-01", "2024-03-01", "2024-12-30"])})
    t = rk.repeat_probability_by_count(tx, window=30, max_count=3, observation_period_end="2025-01-01",
                                       monetary_value_col=None)
    # customer 9 has no full window (excluded); within 30 days: 1 -> 3 purchases, 2 -> 1, 3 -> 1
    assert t["customers"].tolist() == [3, 1, 1]
    assert t["went_on"].tolist() == [1, 1, 0]
    assert t["probability"].tolist() == [pytest.approx(1 / 3), 1.0, 0.0]


def test_first_window_counts_excludes_unobserved_windows():
    tx = pd.DataFrame({"customer_id": [1, 1, 1, 2, 3], "date": pd.to_datetime(
        ["2024-01-01", "2024-01-30", "2024-02-01", "2024-03-01", "2024-12-20"]), "amount": [1.0, 2.0, 3.0, 4.0, 5.0]})
    counts = rk.metrics.first_window_counts(tx, window=31, observation_period_end="2025-01-01")
    assert counts.to_dict() == {1: 2, 2: 1}   # 1 Feb is day 31 (outside); customer 3 lacks a full window
    in_weeks = rk.metrics.first_window_counts(tx, window=2, time_unit="week", observation_period_end="2025-01-01")
    assert in_weeks.to_dict() == {1: 1, 2: 1}   # 14 days: 30 January is outside
    with pytest.raises(InputError, match="no customer has a whole window"):
        rk.metrics.first_window_counts(tx, window=400, observation_period_end="2025-01-01")


def test_first_window_totals_against_a_customer_by_customer_loop():
    tx = rk.datasets.load_coffee_transactions()
    ours = rk.metrics.first_window_totals(tx, window=12, time_unit="month")
    end, length = pd.Timestamp("2026-01-01"), pd.Timedelta(days=365.25)      # twelve 30.4375-day months
    expected = {}
    for customer, part in tx.groupby("customer_id"):
        first = part["date"].min()
        if first + length <= end:
            inside = part[part["date"] < first + length]
            expected[customer] = (first, len(inside), inside["amount"].sum())
    assert sorted(ours.index) == sorted(expected)
    for customer, (first, purchases, spend) in expected.items():
        row = ours.loc[customer]
        assert (row["first_purchase"], row["purchases"]) == (first, purchases)
        assert row["spend"] == pytest.approx(spend)
    small = pd.DataFrame({"customer_id": [1, 1], "date": pd.to_datetime(["2024-01-01", "2024-01-05"])})
    no_amounts = rk.metrics.first_window_totals(small, window=7, monetary_value_col=None,
                                                observation_period_end="2024-02-01")
    assert no_amounts.to_dict("index") == {1: {"first_purchase": pd.Timestamp("2024-01-01"), "purchases": 2}}


def test_retention_cost_hand_worked():
    ledger = pd.DataFrame({"program": ["loyalty", "support", "loyalty", "support"],
                           "date": pd.to_datetime(["2025-01-10", "2025-02-01", "2025-04-01", "2026-01-05"]),
                           "amount": [100.0, 50.0, 150.0, 999.0]})
    r = rk.retention_cost(ledger, retained_customers=20, period_start="2025-01-01", period_end="2026-01-01")
    assert (r.value, r.items, r.per_retained_customer) == (300.0, 3, 15.0)
    assert r.by_program.to_dict() == {"loyalty": 250.0, "support": 50.0}
    assert r.by_period.loc[pd.Period("2025Q1"), "loyalty"] == 100.0
    assert r.by_period.loc[pd.Period("2025Q2"), "support"] == 0.0


@pytest.mark.parametrize("mutate, kwargs, fragment", [
    (lambda d: d.assign(amount=[10.0, -5.0]), {}, "negative value.*-5.0.*row 1"),
    (lambda d: d.assign(amount=["10", "ten"]), {}, "must hold numbers.*'ten'"),
    (lambda d: d.assign(amount=[10.0, None]), {}, "empty in 1 row"),
    (lambda d: d.drop(columns="program"), {}, "no column 'program'"),
    (lambda d: d, {"retained_customers": 0}, "retained_customers=0 must be a whole number of at least 1"),
    (lambda d: d, {"retained_customers": 2.5}, "retained_customers=2.5 must be a whole number"),
    (lambda d: d, {"time_unit": "Q"}, "use 'quarter'"),
    (lambda d: d, {"period_start": "2030-01-01", "period_end": "2031-01-01"}, "no cost falls"),
])
def test_retention_cost_errors(mutate, kwargs, fragment):
    ledger = pd.DataFrame({"program": ["a", "b"], "date": ["2025-01-01", "2025-02-01"], "amount": [10.0, 5.0]})
    kwargs = {"retained_customers": 10, **kwargs}
    with pytest.raises(InputError, match=fragment):
        rk.retention_cost(mutate(ledger), **kwargs)


def test_simulated_ledger_recovers_planted_monthly_spend():
    months = 240
    costs, truth = rk.datasets.make_retention_costs(start="2000-01-01", end="2020-01-01", random_state=4)
    monthly = costs.groupby("program")["amount"].sum() / months
    for program, expected in truth["expected_monthly"].items():
        # variance of one month's spend: items occur with probability q, amount ~ Normal(m, (s m)^2)
        var = sum(q * ((s * m) ** 2 + m ** 2) - (q * m) ** 2 for _, m, s, q in truth["programs"][program])
        assert abs(monthly[program] - expected) <= 4 * np.sqrt(var / months) + 1e-9
