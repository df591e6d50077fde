"""A catalogue of bad and edge inputs, one test per class: each is refused with a message naming the argument or
column, the value and the fix, or handled by a documented policy that says what it did. Nothing is dropped or
coerced without a word."""
import warnings

import numpy as np
import pandas as pd
import pytest

import retention_kit as rk
from retention_kit import InputError


def log(**columns):
    base = {"customer_id": [1, 1, 2, 3], "date": ["2025-01-02", "2025-01-20", "2025-01-05", "2025-02-10"],
            "amount": [4.5, 5.0, 3.0, 6.0]}
    return pd.DataFrame({**base, **columns})


LOG_FUNCTIONS = {
    "repeat_purchase_rate": lambda tx: rk.repeat_purchase_rate(tx, "2025-01-01", "2025-03-01"),
    "purchase_counts": lambda tx: rk.purchase_counts(tx, "2025-01-01", "2025-03-01"),
    "rfm_summary": lambda tx: rk.rfm_summary(tx),
    "calibration_holdout_summary": lambda tx: rk.calibration_holdout_summary(tx, calibration_period_end="2025-02-01"),
    "cohort_table": lambda tx: rk.cohort_table(tx, observation_period_end="2025-03-01"),
    "first_window_counts": lambda tx: rk.metrics.first_window_counts(tx, window=7),
    "historical_clv": lambda tx: rk.clv.historical_clv(tx, gross_margin=0.5),
}


# ---------------------------------------------------------------- flags: booleans, 0/1 or an explicit mapping
FLAG_FUNCTIONS = {
    "kaplan_meier": lambda d, **kw: rk.survival.kaplan_meier(d, **kw),
    "logrank": lambda d, **kw: rk.survival.logrank(d, "group", **kw),
    "rate_by": lambda d, **kw: rk.rate_by(d, "group", "churned", **kw),
}
LIFETIMES = pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "churned": [True, False, True, True],
                          "group": ["a", "a", "b", "b"]})


@pytest.mark.parametrize("name", FLAG_FUNCTIONS)
@pytest.mark.parametrize("flags, shown", [(["Yes", "No", "Yes", "Yes"], "'Yes', 'No'"), ([1, 0, 2, 1], "2"),
                                          ([True, None, True, True], "empty in 1 row")])
def test_flags_are_never_coerced_with_astype_bool(name, flags, shown):
    with pytest.raises(InputError, match=f"'churned'.*{shown}"):
        FLAG_FUNCTIONS[name](LIFETIMES.assign(churned=flags))


@pytest.mark.parametrize("name", FLAG_FUNCTIONS)
def test_a_mapping_reads_text_flags_exactly_like_booleans(name):
    text = LIFETIMES.assign(churned=LIFETIMES["churned"].map({True: "Yes", False: "No"}))
    mapped = FLAG_FUNCTIONS[name](text, flag_values={"Yes": True, "No": False})
    plain = FLAG_FUNCTIONS[name](LIFETIMES.assign(churned=LIFETIMES["churned"].astype(int)))   # 0/1 is accepted
    if isinstance(mapped, dict):
        assert [f.event_observed.tolist() for f in mapped.values()] == [f.event_observed.tolist() for f in plain.values()]
    elif isinstance(mapped, pd.DataFrame):
        pd.testing.assert_frame_equal(mapped, plain)
    else:
        assert mapped.value == plain.value
    with pytest.raises(InputError, match="does not map: 'No'"):
        FLAG_FUNCTIONS[name](text, flag_values={"Yes": True})


# ---------------------------------------------------------------- rows never vanish from groups
@pytest.mark.parametrize("call", [
    lambda d: rk.survival.kaplan_meier(d, by="group"),
    lambda d: rk.survival.logrank(d, "group"),
    lambda d: rk.rate_by(d, "group", "churned"),
    lambda d: rk.csat_by(d.assign(csat=[5, 4, 3, 2]), "group"),
    lambda d: rk.churn_rate_by(d.assign(customer_id=[1, 2, 3, 4], start_date="2024-01-01", end_date=None), "group",
                               "2025-01-01", "2025-02-01"),
])
def test_a_missing_group_label_is_refused_not_dropped(call):
    with pytest.raises(InputError, match="'group' is empty in 1 row.*vanish.*fillna"):
        call(LIFETIMES.assign(group=["a", None, "b", "b"]))


# ---------------------------------------------------------------- purchases that are not purchases
@pytest.mark.parametrize("name", LOG_FUNCTIONS)
def test_a_refund_is_not_a_purchase(name):
    with pytest.raises(InputError, match="'amount' has 1 negative value.*row 1.*refunds are not purchases"):
        LOG_FUNCTIONS[name](log(amount=[4.5, -4.5, 3.0, 6.0]))


@pytest.mark.parametrize("name", LOG_FUNCTIONS)
def test_an_exact_duplicate_row_is_kept_with_a_word(name):
    doubled = pd.concat([log(), log().iloc[[0]]], ignore_index=True)
    with pytest.warns(rk.DataWarning, match="2 rows that repeat another row exactly.*kept.*drop_duplicates"):
        LOG_FUNCTIONS[name](doubled)
    with warnings.catch_warnings():
        warnings.simplefilter("error", rk.DataWarning)
        LOG_FUNCTIONS[name](doubled.assign(order_id=range(len(doubled))))    # an order id tells them apart


def test_duplicates_counted_as_separate_purchases_as_the_warning_says():
    doubled = pd.concat([log(), log().iloc[[0]]], ignore_index=True)
    with pytest.warns(rk.DataWarning):
        counts = rk.purchase_counts(doubled, "2025-01-01", "2025-03-01")
    assert counts.to_dict() == {1: 3, 2: 1, 3: 1}


@pytest.mark.parametrize("name", LOG_FUNCTIONS)
def test_ids_of_mixed_types_are_refused(name):
    with pytest.raises(InputError, match="'customer_id' mixes types of id \\(int, str\\).*1 and '1'.*astype\\(str\\)"):
        LOG_FUNCTIONS[name](log(customer_id=[1, "1", 2, 3]))


@pytest.mark.parametrize("name", LOG_FUNCTIONS)
def test_ambiguous_date_text_is_refused_not_guessed(name):
    with pytest.raises(InputError, match="'05/02/2025'.*5 February.*2 May.*format='%d/%m/%Y'"):
        LOG_FUNCTIONS[name](log(date=["2025-01-02", "05/02/2025", "2025-01-05", "2025-02-10"]))


@pytest.mark.parametrize("name", LOG_FUNCTIONS)
def test_a_typo_date_decades_away_is_refused(name):
    with pytest.raises(InputError, match="far from all the others: 2205-02-10.*row 3.*180.1 years after.*2025-01-20"):
        LOG_FUNCTIONS[name](log(date=["2025-01-02", "2025-01-20", "2025-01-05", "2205-02-10"]))
    with pytest.raises(InputError, match="far from all the others: 1825-01-02"):
        LOG_FUNCTIONS[name](log(date=["1825-01-02", "2025-01-20", "2025-01-05", "2025-02-10"]))


def test_a_typo_date_in_subscriptions_is_refused():
    subs = pd.DataFrame({"customer_id": [1, 2, 3], "start_date": ["2024-01-01", "2024-02-01", "2024-03-01"],
                         "end_date": [None, "2205-05-01", None]})
    with pytest.raises(InputError, match="start_date/end_date.*2205-05-01"):
        rk.churn_rate(subs, "2024-06-01", "2024-07-01")


# ---------------------------------------------------------------- time zones: the wall-clock time where it happened
def test_a_new_york_cancellation_late_on_31_march_stays_in_march():
    zone = "America/New_York"
    subs = pd.DataFrame({"customer_id": ["a", "b"],
                         "start_date": pd.to_datetime(["2025-01-10", "2025-01-10"]).tz_localize(zone),
                         "end_date": pd.to_datetime(["2025-03-31 23:00", None]).tz_localize(zone)})
    months = rk.churn_by_period(subs, "2025-02-01", "2025-05-01")
    assert months["lost"].tolist() == [0, 1, 0]                                  # March, not April (UTC)
    as_text = subs.assign(end_date=["2025-03-31T23:00:00-04:00", None], start_date=["2025-01-10", "2025-01-10"])
    with pytest.raises(InputError, match="different time zones"):
        rk.churn_by_period(as_text, "2025-02-01", "2025-05-01")
    offsets = as_text.assign(start_date=["2025-01-10T00:00:00-05:00"] * 2)
    assert rk.churn_by_period(offsets, "2025-02-01", "2025-05-01")["lost"].tolist() == [0, 1, 0]


def test_dates_with_and_without_a_zone_are_refused():
    mixed = log(date=[pd.Timestamp("2025-01-02", tz="UTC"), pd.Timestamp("2025-01-20"), pd.Timestamp("2025-01-05"),
                      pd.Timestamp("2025-02-10")])
    with pytest.raises(InputError, match="mixes dates with a time zone and dates without one.*row 1"):
        rk.purchase_counts(mixed, "2025-01-01", "2025-03-01")
    text = log(date=["2025-01-02T10:00+01:00", "2025-01-20T10:00", "2025-01-05T10:00+01:00", "2025-02-10T10:00+01:00"])
    with pytest.raises(InputError, match="mixes dates with a UTC offset and dates without one.*row 1"):
        rk.purchase_counts(text, "2025-01-01", "2025-03-01")


def test_a_bound_with_a_zone_is_converted_to_the_data_s_zone_or_refused():
    tokyo = log(date=pd.to_datetime(["2025-01-02", "2025-01-20", "2025-01-05", "2025-02-10"]).tz_localize("Asia/Tokyo"))
    # 2025-01-20 00:00 in Tokyo is 2025-01-19 15:00 UTC: a UTC bound at 16:00 on the 19th includes it
    counts = rk.purchase_counts(tokyo, "2025-01-01", pd.Timestamp("2025-01-19 16:00", tz="UTC"))
    assert counts.to_dict() == {1: 2, 2: 1}
    with pytest.raises(InputError, match="period_end=.*has a time zone, but the dates it is compared with have none"):
        rk.purchase_counts(log(), "2025-01-01", pd.Timestamp("2025-03-01", tz="UTC"))


# ---------------------------------------------------------------- arguments that must be whole, finite, in range
@pytest.mark.parametrize("call, message", [
    (lambda: rk.compound_churn(0.05, periods=-12), "periods=-12 must be a finite number above 0"),
    (lambda: rk.compound_churn(1.2, periods=12), "rate=1.2 must be a finite number from 0 to 1"),
    (lambda: rk.periodic_churn(0.4, periods=float("inf")), "periods=inf must be a finite number"),
    (lambda: rk.expected_lifetime(0.0), "rate=0.0 must be a finite number above 0 and at most 1.*infinite"),
    (lambda: rk.datasets.make_subscriptions(2.7), "n_customers=2.7 must be a whole number of at least 1"),
    (lambda: rk.datasets.make_survey(10, missing_share=1.5), "missing_share=1.5 must be a finite number from 0 to 1"),
    (lambda: rk.metrics.nps_from_shares(1.2, 0.1, 100), "p_promoters=1.2 must be a finite number from 0 to 1"),
    (lambda: rk.nps_sample_size(5, p_promoters=0.7, p_detractors=0.6), "exceeds 1"),
    (lambda: rk.nps_sample_size(float("nan")), "half_width=nan must be a finite number above 0"),
    (lambda: rk.clv.formula_clv(float("nan"), retention=0.8), "margin_per_period=nan must be a finite number"),
    (lambda: rk.clv.formula_clv(100, retention=0.8, discount_rate=float("nan")), "discount_rate=nan"),
    (lambda: rk.repeat_probability_by_count(log(), max_count=2.5), "max_count=2.5 must be a whole number"),
    (lambda: rk.metrics.first_window_counts(log(), window=float("nan")), "window=nan must be a finite number"),
    (lambda: rk.nps([9, 10], confidence=95), "confidence=95 must be a finite number strictly between 0 and 1.*0.95"),
    (lambda: rk.retention_cost(pd.DataFrame({"program": ["a"], "date": ["2025-01-01"], "amount": [1.0]}),
                               retained_customers=True), "retained_customers=True must be a whole number"),
    (lambda: rk.csat([4, 5], satisfied=(4.5,)), "satisfied=\\(4.5,\\) must list whole ratings"),
])
def test_arguments_out_of_range_are_refused_not_truncated(call, message):
    with pytest.raises(InputError, match=message):
        call()


@pytest.fixture(scope="module")
def models():
    summary = rk.rfm_summary(rk.datasets.load_coffee_transactions())
    with pytest.warns(rk.DataWarning, match="frequency 0"):
        spend = rk.clv.GammaGamma().fit(summary)
    return summary, rk.clv.BetaGeo().fit(summary), spend


def test_a_fractional_horizon_or_a_negative_time_is_refused(models):
    summary, purchases, spend = models
    with pytest.raises(InputError, match="horizon=2.7 must be a whole number of at least 1"):
        rk.clv.customer_lifetime_value(purchases, spend, summary, horizon=2.7, gross_margin=0.6, discount_rate=0.01)
    with pytest.raises(InputError, match="horizon=-30 must be a finite number of at least 0.*future"):
        purchases.expected_purchases(summary, horizon=-30)
    with pytest.raises(InputError, match="horizon=-1"):
        purchases.expected_purchases_new_customer(horizon=-1)
    with pytest.raises(InputError, match="periods=0 must be a whole number of at least 1"):
        purchases.purchase_path(summary, periods=0)


# ---------------------------------------------------------------- fits that carry no information
def test_fits_without_information_are_refused():
    no_time = pd.DataFrame({"frequency": [0] * 20, "recency": [0] * 20, "T": [0] * 20})
    with pytest.raises(InputError, match="every customer has T = 0"):
        rk.clv.BetaGeo().fit(no_time, time_unit="day")
    three = pd.DataFrame({"frequency": [0, 1, 2], "recency": [0, 5, 9], "T": [10, 20, 30]})
    with pytest.raises(rk.clv.ConvergenceError, match="cannot pin it down.*penalizer"):
        rk.clv.BetaGeo().fit(three, time_unit="day")
    with pytest.raises(rk.clv.ConvergenceError, match="cannot pin it down"):
        rk.clv.GammaGamma().fit(pd.DataFrame({"frequency": [1, 2, 3], "monetary_value": [5.0, 6.0, 7.0]}))
    with pytest.raises(InputError, match="initial_params=\\[1, 2\\] must be 4 positive numbers.*r, alpha, a, b"):
        rk.clv.BetaGeo().fit(three, time_unit="day", initial_params=[1, 2])


def test_a_flat_likelihood_is_refused_even_where_the_optimiser_stops(monkeypatch):
    # a fit whose Hessian is singular at the reported point: the data do not determine the estimate
    from retention_kit.clv import fitting
    summary = rk.rfm_summary(rk.datasets.make_transactions(500, random_state=3).data)
    monkeypatch.setattr(fitting, "_hessian", lambda grad, x, args, step=1e-5: np.zeros((len(x), len(x))))
    with pytest.raises(rk.clv.ConvergenceError, match="no information on some parameter"):
        rk.clv.BetaGeo().fit(summary)


# ---------------------------------------------------------------- one metric's result where another is expected
def test_a_csat_result_is_not_an_nps():
    with pytest.raises(InputError, match="before is a result of 'csat'.*not of 'nps'"):
        rk.nps_difference(rk.csat([5, 4, 3]), [9, 10, 3])


# ---------------------------------------------------------------- errors the kit catches before a library does
@pytest.mark.parametrize("call, message", [
    (lambda: rk.churn_by_period(rk.datasets.load_saas_subscriptions(), "2025-01-01", "2026-01-01", time_unit="MS"),
     "time_unit='MS' is not a time unit of the kit; use 'month'"),
    (lambda: rk.churn_rate_by(rk.datasets.load_saas_subscriptions(), "region", "2025-01-01", "2026-01-01"),
     "no column 'region'.*columns present.*pass existing column names"),
    (lambda: rk.survival.kaplan_meier(LIFETIMES.assign(duration=["a", 2.0, 3.0, 4.0])), "'duration' must hold numbers.*'a'"),
    (lambda: rk.survival.kaplan_meier(LIFETIMES.assign(duration=[np.nan, 2.0, 3.0, 4.0])), "'duration' is empty in 1 row"),
    (lambda: rk.survival.kaplan_meier(LIFETIMES.assign(duration=[-1.0, 2.0, 3.0, 4.0])), "negative durations"),
    (lambda: rk.datasets.make_transactions(10, random_state="42"), "random_state='42' must be None, a non-negative"),
    (lambda: rk.datasets.planted_truth("coffee"), "name='coffee' is not a shipped synthetic file"),
    (lambda: rk.cohort_table(log(), time_unit="fortnight"), "time_unit='fortnight' is not a time unit here"),
    (lambda: rk.repeat_purchase_rate(log(), "someday", "2025-03-01"), "period_start='someday' is not an ISO 8601"),
    (lambda: rk.repeat_purchase_rate(log(), 2025, "2025-03-01"), "period_start=2025 is a number, not a date"),
    (lambda: rk.rfm_summary(log(date=[1, 2, 3, 4])), "'date' holds int64 values, not dates.*unit='s'"),
    (lambda: rk.nps(pd.DataFrame({"score": [9, 10]})), "one column of values"),
])
def test_library_errors_are_caught_first_with_the_argument_and_the_fix(call, message):
    with pytest.raises(InputError, match=message):
        call()


def test_check_answers_an_unhashable_id_instead_of_raising():
    verdict = rk.check(["01-sample-size"], 12.8)
    assert verdict.correct is False and "no exercise with this id" in verdict.message
