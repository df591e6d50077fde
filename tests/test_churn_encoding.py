"""A customer table for the churn model: indicator columns against pandas' own get_dummies and hand-worked tables,
categories learned once and unknown ones refused, tenure bands against hand-worked boundaries."""
import numpy as np
import pandas as pd
import pytest

import retention_kit as rk
from retention_kit.churn import CustomerEncoder, tenure_bands

CATEGORICAL = ["gender", "Partner", "InternetService", "TechSupport", "Contract", "PaymentMethod"]
NUMERIC = ["SeniorCitizen", "tenure", "MonthlyCharges"]


@pytest.fixture(scope="module")
def telco():
    return rk.datasets.load_telco_churn().set_index("customerID")


def test_the_encoding_is_pandas_get_dummies_with_the_first_category_left_out(telco):
    encoded = CustomerEncoder(CATEGORICAL, NUMERIC).fit_transform(telco)
    reference = pd.get_dummies(telco[CATEGORICAL], drop_first=True, dtype=float).join(telco[NUMERIC].astype(float))
    assert list(encoded.columns) == [c.replace("_", "=", 1) if c not in NUMERIC else c for c in reference.columns]
    assert np.array_equal(encoded.to_numpy(), reference.to_numpy())
    assert encoded.index.equals(telco.index) and (encoded.dtypes == float).all()


def test_worked_by_hand_with_a_named_reference():
    train = pd.DataFrame({"plan": ["basic", "pro", "team", "pro"], "seats": [1, 3, 10, 2]}, index=list("abcd"))
    encoder = CustomerEncoder(["plan"], ["seats"], reference={"plan": "pro"}).fit(train)
    assert encoder.categories_ == {"plan": ["pro", "basic", "team"]}
    assert encoder.feature_names_ == ["plan=basic", "plan=team", "seats"]
    out = encoder.transform(pd.DataFrame({"plan": ["team", "pro"], "seats": [4, 5]}, index=["x", "y"]))
    assert out.to_dict("index") == {"x": {"plan=basic": 0.0, "plan=team": 1.0, "seats": 4.0},
                                    "y": {"plan=basic": 0.0, "plan=team": 0.0, "seats": 5.0}}
    assert "3 features" in repr(encoder) and "not fitted" in repr(CustomerEncoder(["plan"]))


def test_later_tables_get_the_training_columns_even_when_a_category_is_absent(telco):
    encoder = CustomerEncoder(["Contract"]).fit(telco)
    monthly_only = telco[telco["Contract"] == "Month-to-month"]
    out = encoder.transform(monthly_only)
    assert list(out.columns) == ["Contract=One year", "Contract=Two year"] and not out.to_numpy().any()


@pytest.mark.parametrize("table, message", [
    (pd.DataFrame({"plan": ["basic", "enterprise"], "seats": [1, 2]}), r"'plan' has 1 row\(s\) with a category the "
                                                                       r"training table did not have, 'enterprise' "
                                                                       r"\(first at row 1"),
    (pd.DataFrame({"plan": ["basic", None], "seats": [1, 2]}), r"column 'plan' is empty in 1 row"),
    (pd.DataFrame({"plan": ["basic", "pro"], "seats": [1, np.nan]}), r"column 'seats' is empty in 1 row"),
    (pd.DataFrame({"plan": ["basic", "pro"], "seats": ["1", "many"]}), r"column 'seats' must hold numbers"),
    (pd.DataFrame({"plan": ["basic", "pro"]}), r"seats"),
])
def test_what_cannot_be_encoded_is_refused_with_the_column_and_the_fix(table, message):
    encoder = CustomerEncoder(["plan"], ["seats"]).fit(pd.DataFrame({"plan": ["basic", "pro"], "seats": [1, 2]}))
    with pytest.raises(rk.InputError, match=message):
        encoder.transform(table)


@pytest.mark.parametrize("encoder, message", [
    (CustomerEncoder([], []), "at least one column"),
    (CustomerEncoder(["plan"], ["plan"]), "both categorical and numeric"),
    (CustomerEncoder(["plan"], reference={"seats": 1}), "not among categorical"),
    (CustomerEncoder(["plan"], reference={"plan": "gold"}), "'gold' for column 'plan' is not one of its categories"),
    (CustomerEncoder(["region"]), "single category 'north'"),
])
def test_a_fit_that_cannot_mean_anything_is_refused(encoder, message):
    train = pd.DataFrame({"plan": ["basic", "pro"], "region": ["north", "north"], "seats": [1, 2]})
    with pytest.raises(rk.InputError, match=message):
        encoder.fit(train)


def test_an_unfitted_encoder_refuses_to_transform():
    with pytest.raises(rk.InputError, match="not fitted yet"):
        CustomerEncoder(["plan"]).transform(pd.DataFrame({"plan": ["a"]}))


def test_tenure_bands_put_each_boundary_in_the_lower_band():
    tenure = pd.Series([0, 1, 12, 13, 24, 25, 48, 49, 72], index=list("abcdefghi"), name="tenure")
    bands = tenure_bands(tenure)
    assert bands.astype(str).tolist() == ["0-12", "0-12", "0-12", "13-24", "13-24", "25-48", "25-48", "49-72",
                                          "49-72"]
    assert bands.cat.ordered and bands.name == "tenure_band" and bands.index.equals(tenure.index)


def test_tenure_bands_agree_with_lesson_03s_cut_on_the_telco_table(telco):
    ours = tenure_bands(telco["tenure"]).cat.codes
    lesson03 = pd.cut(telco["tenure"], [0, 12, 24, 48, 72], include_lowest=True).cat.codes
    assert ours.equals(lesson03)


def test_fractional_tenures_get_interval_labels():
    assert tenure_bands([0.5, 12.0, 12.5], edges=(0, 12, 24)).astype(str).tolist() == ["[0, 12]", "[0, 12]",
                                                                                       "(12, 24]"]


@pytest.mark.parametrize("tenure, edges, message", [
    ([3, 80], (0, 12, 72), r"column .tenure. has 1 value\(s\) outside the edges 0 to 72 \(first: 80 at row 1\)"),
    ([3, -1], (0, 12), "outside the edges"),
    ([3, None], (0, 12), "is empty in 1 row"),
    ([3, 5], (12, 0), "increasing"),
    ([3, 5], (12,), "at least two"),
])
def test_bad_tenures_and_edges_are_refused(tenure, edges, message):
    with pytest.raises(rk.InputError, match=message):
        tenure_bands(pd.Series(tenure, name="tenure"), edges)


def test_a_categorical_column_keeps_its_own_order_as_get_dummies_does():
    plan = pd.Categorical(["pro", "basic", "team", "pro"], categories=["team", "pro", "basic"])
    train = pd.DataFrame({"plan": plan})
    encoded = CustomerEncoder(["plan"]).fit_transform(train)
    reference = pd.get_dummies(train, drop_first=True, dtype=float)      # drops "team", the first category
    assert list(encoded.columns) == ["plan=pro", "plan=basic"] == [c.replace("_", "=") for c in reference.columns]
    assert np.array_equal(encoded.to_numpy(), reference.to_numpy())


def test_a_category_no_training_customer_has_gets_no_column():
    plan = pd.Categorical(["pro", "basic", "pro"], categories=["team", "pro", "basic"])     # no "team" customer
    encoder = CustomerEncoder(["plan"]).fit(pd.DataFrame({"plan": plan}))
    assert encoder.categories_ == {"plan": ["pro", "basic"]}
    assert "plan_pro" in pd.get_dummies(pd.DataFrame({"plan": plan}), drop_first=True).columns   # get_dummies differs


def test_two_features_with_one_name_are_refused():
    train = pd.DataFrame({"a": ["b", "c", "b"], "a=c": [1.0, 2.0, 3.0]})
    with pytest.raises(rk.InputError, match="two features would be named 'a=c'"):
        CustomerEncoder(["a"], ["a=c"]).fit(train)


def test_a_column_mixing_text_and_numbers_is_refused():
    train = pd.DataFrame({"plan": ["basic", 1, "pro", 2]})
    with pytest.raises(rk.InputError, match=r"column 'plan' mixes kinds of values \(number, text: 1, 'basic'\)"):
        CustomerEncoder(["plan"]).fit(train)
    numbers = CustomerEncoder(["code"]).fit(pd.DataFrame({"code": [3, 1.5, 2]}))        # one kind: sorted
    assert numbers.categories_ == {"code": [1.5, 2, 3]}


def test_negative_edges_are_refused():
    with pytest.raises(rk.InputError, match="start below 0"):
        tenure_bands(pd.Series([1, 3], name="tenure"), edges=(-5, 0, 12))
