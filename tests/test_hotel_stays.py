"""Larkspur Hotels' simulator: the planted segments, stays and offer test are recovered from the data it writes.

Tolerances are 4 standard errors of the quantity checked, unless a test says otherwise."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

import retention_kit as rk
from retention_kit import InputError
from retention_kit.datasets.hotel import (OFFER_COST, OFFER_MARGIN, OFFER_RESPONSE_RATES, SEGMENT_PARAMETERS,
                                          make_hotel_stays, make_offer_test)

SEGMENTS = ["business", "leisure", "family"]


@pytest.fixture(scope="module")
def big():
    stays, truth = make_hotel_stays(20_000, random_state=11)
    return stays.assign(segment=stays["customer_id"].map(truth["segment"])), truth


def test_segment_shares_are_the_planted_shares(big):
    stays, truth = big
    counts = truth["segment"].value_counts()
    for segment, share in zip(SEGMENTS, (0.45, 0.35, 0.20)):
        assert abs(counts[segment] - 20_000 * share) < 4 * math.sqrt(20_000 * share * (1 - share))
    assert truth["shares"] == {"business": 0.45, "leisure": 0.35, "family": 0.20}
    assert stays["customer_id"].nunique() == 20_000          # every guest has at least one stay


def test_stays_per_guest_follow_the_planted_repeat_rates(big):
    stays, truth = big
    guests = truth["guests"]
    observed = stays.groupby("customer_id").size().reindex(guests.index)
    assert (observed == guests["stays"]).all()
    for segment in SEGMENTS:
        mine = guests["segment"] == segment
        # repeats ~ Poisson(rate x years observed): mean and its standard error from the guests' own exposure
        expected = SEGMENT_PARAMETERS[segment]["repeat_stays_per_year"] * guests.loc[mine, "years_observed"]
        repeats = observed[mine] - 1
        assert abs(repeats.mean() - expected.mean()) < 4 * math.sqrt(expected.mean() / mine.sum())
    # over two years a guest is observed about one year: about 8, 2 and 1.5 stays
    means = observed.groupby(guests["segment"]).mean()
    assert means["business"] == pytest.approx(8, abs=0.25) and means["leisure"] == pytest.approx(2, abs=0.1)
    assert means["family"] == pytest.approx(1.5, abs=0.1)


def test_nights_lead_time_and_party_size_by_segment(big):
    stays, _ = big
    for segment in SEGMENTS:
        p, rows = SEGMENT_PARAMETERS[segment], stays[stays["segment"] == segment]
        n = len(rows)
        low, high = p["nights_low"], p["nights_high"]
        assert rows["nights"].between(low, high).all()
        sd_nights = math.sqrt(((high - low + 1) ** 2 - 1) / 12)             # a discrete uniform
        assert abs(rows["nights"].mean() - (low + high) / 2) < 4 * sd_nights / math.sqrt(n)
        sd_lead = math.sqrt(p["lead_time_mean"] ** 2 / p["lead_time_shape"] + 1 / 12)   # Gamma, then rounding
        assert abs(rows["lead_time_days"].mean() - p["lead_time_mean"]) < 4 * sd_lead / math.sqrt(n)
        assert rows["party_size"].min() >= p["party_base"]
        assert abs(rows["party_size"].mean() - p["party_base"] - p["party_extra_mean"]) < \
            4 * math.sqrt(p["party_extra_mean"] / n)


def test_weekday_nights_follow_the_calendar_and_the_check_in_days(big):
    stays, _ = big
    sample = stays.sample(3000, random_state=0)
    by_hand = [sum((d + pd.Timedelta(days=j)).dayofweek in (6, 0, 1, 2, 3) for j in range(n))
               for d, n in zip(sample["date"], sample["nights"])]
    assert sample["weekday_nights"].tolist() == by_hand
    for segment in SEGMENTS:
        rows = stays[stays["segment"] == segment]
        planted = SEGMENT_PARAMETERS[segment]["checkin_weekday"]
        shares = rows["date"].dt.dayofweek.value_counts(normalize=True)
        assert set(shares.index) == set(planted)
        for day, p in planted.items():
            assert abs(shares[day] - p) < 4 * math.sqrt(p * (1 - p) / len(rows))
    weekday_share = stays.groupby("segment").apply(lambda d: d["weekday_nights"].sum() / d["nights"].sum(),
                                                   include_groups=False)
    assert weekday_share["business"] > 0.9 > weekday_share["family"] > weekday_share["leisure"]


def test_stays_do_not_overlap_and_lie_inside_the_period(big):
    stays, truth = big
    ordered = stays.sort_values(["customer_id", "date"])
    check_out = ordered["date"] + pd.to_timedelta(ordered["nights"], unit="D")
    same_guest = ordered["customer_id"].eq(ordered["customer_id"].shift())
    assert (ordered["date"][same_guest] >= check_out.shift()[same_guest]).all()
    assert stays["date"].min() >= truth["start"] and check_out.max() <= truth["end"]
    first = ordered.groupby("customer_id")["date"].min()
    assert (first == truth["guests"]["join_date"].reindex(first.index)).all()
    joined = truth["guests"]["join_date"]                      # guests join over the whole period
    assert joined.min() < pd.Timestamp("2024-02-01") and joined.max() > pd.Timestamp("2025-12-01")


def test_spend_adds_up_and_follows_the_plan(big):
    stays, _ = big
    total = stays[["room_amount", "spa_amount", "restaurant_amount"]].sum(axis=1)
    assert (stays["amount"] - total).abs().max() < 1e-6
    for segment in SEGMENTS:
        p, rows = SEGMENT_PARAMETERS[segment], stays[stays["segment"] == segment]
        n = len(rows)
        rate = rows["room_amount"] / rows["nights"]
        sd_rate = p["room_rate_mean"] * math.sqrt(math.exp(p["room_rate_sigma"] ** 2) - 1)   # lognormal
        assert abs(rate.mean() - p["room_rate_mean"]) < 4 * sd_rate / math.sqrt(n) + 0.01
        used = (rows["spa_amount"] > 0).mean()
        q = p["spa_probability"]
        assert abs(used - q) < 4 * math.sqrt(q * (1 - q) / n)
        per_person_night = rows["restaurant_amount"] / (rows["nights"] * rows["party_size"])
        m = p["restaurant_per_person_night"]
        assert abs(per_person_night.mean() - m) < 4 * (m / 2) / math.sqrt(n) + 0.01     # Gamma(4): sd = mean / 2
    spa_share = stays.groupby("segment")["spa_amount"].sum() / stays.groupby("segment")["amount"].sum()
    restaurant = stays.groupby("segment")["restaurant_amount"].sum() / stays.groupby("segment")["amount"].sum()
    assert spa_share.idxmax() == "leisure" and restaurant.idxmax() == "family"


def test_the_same_seed_gives_the_same_stays():
    a, _ = make_hotel_stays(200, random_state=5)
    b, _ = make_hotel_stays(200, random_state=np.random.default_rng(5))
    pd.testing.assert_frame_equal(a, b)
    assert not make_hotel_stays(200, random_state=6).data.equals(a)


def test_the_offer_test_is_randomized_and_balanced(big):
    stays, truth = big
    test, _ = make_offer_test(stays, truth, random_state=4)
    sizes = test["offer"].value_counts()
    assert set(sizes.index) == {"room_upgrade", "spa", "family_package", "none"} and sizes.max() - sizes.min() <= 1
    assert len(test) == 20_000 and test["customer_id"].is_unique
    # the offer does not depend on the segment: a test of independence does not reject it
    mix = pd.crosstab(test["customer_id"].map(truth["segment"]), test["offer"])
    assert chi2_contingency(mix).pvalue > 0.001
    other, _ = make_offer_test(stays, truth, random_state=5)
    assert (other["offer"] != test["offer"]).mean() > 0.5      # another seed deals the offers anew


def test_the_offer_test_recovers_the_planted_response_rates(big):
    stays, truth = big
    test, planted = make_offer_test(stays, truth, random_state=4)
    cells = test.assign(segment=test["customer_id"].map(truth["segment"])).groupby(["segment", "offer"])["accepted"]
    counts = cells.agg(["sum", "size"])
    # 99% Wilson intervals: with 12 independent cells, two or more misses has probability 0.6%
    covered = [rk.proportion(int(k), int(n), confidence=0.99).ci[0] <= OFFER_RESPONSE_RATES[s][o]
               <= rk.proportion(int(k), int(n), confidence=0.99).ci[1] for (s, o), (k, n) in counts.iterrows()]
    assert len(covered) == 12 and sum(covered) >= 11
    assert planted["response_rates"].loc["family", "family_package"] == 0.28
    # the planted value: (rate - control rate) x margin - cost, worked by hand for two cells
    assert planted["expected_value"].loc["business", "room_upgrade"] == pytest.approx((0.30 - 0.10) * 220 - 10)
    assert planted["expected_value"].loc["family", "spa"] == pytest.approx((0.10 - 0.03) * 200 - 12)
    assert planted["margin"] == OFFER_MARGIN and planted["cost"] == OFFER_COST
    assert (planted["expected_value"]["none"] == 0).all()


def test_a_subset_of_offers_and_of_guests():
    stays, truth = make_hotel_stays(300, random_state=1)
    ids = truth["segment"].index[:40]
    test, planted = make_offer_test(ids, truth, offers=["spa", "none"], random_state=0)
    assert test["customer_id"].tolist() == ids.tolist() and set(test["offer"]) == {"spa", "none"}
    assert list(planted["expected_value"].columns) == ["spa", "none"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_guests=0), "n_guests=0 must be a whole number of at least 1"),
    (dict(n_guests=2.5), "n_guests=2.5 must be a whole number"),
    (dict(shares=(0.5, 0.5)), "shares=.* must be three positive numbers"),
    (dict(shares=(0.5, 0.6, -0.1)), "must be three positive numbers"),
    (dict(shares=(0.5, 0.3, 0.3)), "add up to 1.1, not 1"),
    (dict(shares="abc"), "must be three positive numbers"),
    (dict(start="2025-01-01", end="2025-01-10"), "end .* at least 14 days after start"),
    (dict(start="2025-01-01 12:00"), "start='2025-01-01 12:00:00' is not at midnight"),
    (dict(end="01/02/2026"), "end='01/02/2026' is not an ISO 8601 date"),
    (dict(random_state=-1), "random_state=-1 must be None, a non-negative whole number"),
])
def test_make_hotel_stays_refuses_bad_arguments(kwargs, message):
    with pytest.raises(InputError, match=message):
        make_hotel_stays(**{"n_guests": 10, **kwargs})


def test_make_offer_test_refuses_bad_arguments():
    stays, truth = make_hotel_stays(50, random_state=0)
    with pytest.raises(InputError, match="offers has unknown offer.*'discount'"):
        make_offer_test(stays, truth, offers=("discount", "none"))
    with pytest.raises(InputError, match="must include the control 'none'"):
        make_offer_test(stays, truth, offers=("spa", "room_upgrade"))
    with pytest.raises(InputError, match="names an offer twice"):
        make_offer_test(stays, truth, offers=("spa", "spa", "none"))
    with pytest.raises(InputError, match="guests has 1 id.* the truth does not know: 'X1'"):
        make_offer_test(["G00001", "X1"], truth)
    with pytest.raises(InputError, match="guests has no column 'guest'"):
        make_offer_test(stays, truth, customer_id_col="guest")
    with pytest.raises(InputError, match="truth must be the truth dict of make_hotel_stays"):
        make_offer_test(stays, {"segments": None})
    with pytest.raises(InputError, match="guests=5 must be the stays table or a sequence"):
        make_offer_test(5, truth)
