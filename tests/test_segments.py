"""rk.segments against hand-worked values, independent computations and the truth planted in Larkspur's guests."""
import math
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy.stats import norm  # noqa: E402
from sklearn.metrics import adjusted_rand_score  # noqa: E402

import retention_kit as rk  # noqa: E402
from retention_kit import DataWarning, InputError  # noqa: E402
from retention_kit.datasets.hotel import make_hotel_stays, make_offer_test  # noqa: E402
from retention_kit.segments import (behaviour_features, best_offer, choose_k, cluster, match_segments,  # noqa: E402
                                    offer_table, personalized_vs_uniform, rfm_scores, rfm_segments, segment_profiles,
                                    segments_explorer, segments_view)

# Measured: cluster(behaviour_features(stays), 3) against the planted segments, make_hotel_stays(3000) with
# random_state 0 to 14 (15 seeds): adjusted Rand index from 0.9375 to 0.9576, mean 0.945. The bound leaves a
# margin of about 0.04 below the lowest.
ARI_BOUND = 0.90


@pytest.fixture(scope="module")
def hotel():
    stays, truth = make_hotel_stays(3000, random_state=0)
    return stays, truth, behaviour_features(stays)


# ------------------------------------------------------------------------------------------------ RFM scores
SUMMARY = pd.DataFrame({"frequency": [0, 0, 1, 2, 2, 5], "recency": [0, 0, 30, 20, 85, 10],
                        "T": [200, 30, 60, 80, 90, 100], "monetary_value": [0, 0, 40, 25, 30, 35]},
                       index=list("abcdef"))


def test_rfm_scores_hand_worked_with_ties_and_recency_reversed():
    scores = rfm_scores(SUMMARY, bins=3)
    # time since the last purchase = T - recency
    assert scores["time_since_last"].tolist() == [200, 30, 30, 60, 5, 90]
    # score = 1 + floor(3 b / 6), b = customers strictly below. F: values 0,0,1,2,2,5 -> b 0,0,2,3,3,5
    assert scores["F"].tolist() == [1, 1, 2, 2, 2, 3]
    # R on time since, reversed: b = customers whose last purchase is strictly longer ago: 0,3,3,2,5,1
    assert scores["R"].tolist() == [1, 2, 2, 2, 3, 1]
    # M: values 0,0,40,25,30,35 -> b 0,0,5,2,3,4
    assert scores["M"].tolist() == [1, 1, 3, 2, 2, 3]
    assert scores["RFM"].tolist() == ["111", "211", "223", "222", "322", "133"]
    assert scores.attrs["bins"] == 3


def test_rfm_scores_of_distinct_values_are_qcut_of_ranks():
    rng = np.random.default_rng(3)
    summary = pd.DataFrame({"frequency": rng.permutation(100).astype(float), "recency": np.zeros(100),
                            "T": rng.permutation(100) + 1.0, "monetary_value": rng.uniform(1, 50, 100)})
    scores = rfm_scores(summary)
    for letter, values in (("F", summary["frequency"]), ("M", summary["monetary_value"]), ("R", -summary["T"])):
        expected = pd.qcut(values.rank(method="first"), 5, labels=False) + 1
        assert scores[letter].tolist() == expected.tolist()
    # n not a multiple of bins: groups as equal as can be (7 into 3: 3, 2, 2)
    seven = summary.iloc[:7]
    assert np.bincount(rfm_scores(seven, bins=3)["F"])[1:].tolist() == [3, 2, 2]


def test_rfm_scores_from_rk_rfm_summary():
    tx = pd.DataFrame({"customer_id": [1, 1, 2, 3, 3, 3],
                       "date": ["2025-01-01", "2025-03-01", "2025-02-01", "2025-01-10", "2025-02-10", "2025-03-20"],
                       "amount": [10.0, 20.0, 15.0, 5.0, 5.0, 8.0]})
    summary = rk.rfm_summary(tx, observation_period_end="2025-04-01")
    scores = rfm_scores(summary, bins=3)
    # customer 1: first Jan 1, last Mar 1, end Mar 31 -> 30 days since; 2: Feb 1 -> 58; 3: Mar 20 -> 11
    assert scores["time_since_last"].tolist() == [30.0, 58.0, 11.0]
    assert scores["R"].tolist() == [2, 1, 3] and scores["F"].tolist() == [2, 1, 3]


def test_rfm_scores_warn_when_ties_leave_scores_unused():
    summary = SUMMARY.assign(frequency=[0, 0, 0, 0, 1, 2])
    with pytest.warns(DataWarning, match=r"F uses 2 of 3 scores \(1, 3\): 4 of 6 customers share the value 0"):
        scores = rfm_scores(summary, bins=3)
    assert scores["F"].tolist() == [1, 1, 1, 1, 3, 3]


@pytest.mark.parametrize("summary, kwargs, message", [
    (SUMMARY, dict(bins=7), "bins=7 is more than the 6 customers"),
    (SUMMARY, dict(bins=1), "bins=1 must be a whole number of at least 2"),
    (SUMMARY.assign(recency=[0, 0, 30, 20, 95, 10]), {}, "'recency' is above 'T' for 1 customer.*first: 'e'"),
    (SUMMARY.assign(T=[200, None, 60, 80, None, 100]), {}, "column 'T' is empty in 2 row"),
    (SUMMARY.assign(frequency=["0", "x", "1", "2", "2", "5"]), {}, "column 'frequency' must hold numbers; found 'x'"),
    (SUMMARY.assign(monetary_value=[0, 0, -4, 25, 30, 35]), {}, "'monetary_value' has 1 negative value"),
    (SUMMARY.drop(columns="T"), {}, "summary has no column 'T'"),
    ([1, 2], {}, "summary must be a pandas DataFrame"),
])
def test_rfm_scores_refuse_bad_input(summary, kwargs, message):
    with pytest.raises(InputError, match=message):
        rfm_scores(summary, **{"bins": 3, **kwargs})


def test_rfm_segments_default_rules_cover_the_grid_in_order():
    grid = pd.DataFrame([(r, f) for r in range(1, 6) for f in range(1, 6)], columns=["R", "F"])
    segments = rfm_segments(grid).to_numpy().reshape(5, 5)        # rows R = 1..5, columns F = 1..5
    expected = [  # by hand from the rule table, R = 1 at the top
        ["Hibernating", "Hibernating", "At risk", "At risk", "Cannot lose them"],
        ["Hibernating", "Hibernating", "At risk", "At risk", "At risk"],
        ["Promising", "Promising", "Loyal", "Loyal", "Loyal"],
        ["Promising", "Promising", "Loyal", "Champions", "Champions"],
        ["New", "Promising", "Loyal", "Champions", "Champions"]]
    assert segments.tolist() == expected
    assert list(rfm_segments(grid).cat.categories)[-1] == "Others"
    assert rfm_segments(grid).value_counts()["Others"] == 0


def test_rfm_segments_with_own_rules_first_match_wins_and_others_last():
    scores = pd.DataFrame({"R": [5, 5, 1, 3], "F": [5, 1, 1, 3], "M": [1, 5, 5, 3]}, index=list("wxyz"))
    rules = {"Big spenders": {"M": (4, 5)}, "Recent": {"R": (4, 5)}, "Middle": {"R": 3, "F": 3}}
    assert rfm_segments(scores, rules=rules).tolist() == ["Recent", "Big spenders", "Big spenders", "Middle"]
    assert rfm_segments(scores, rules={"Recent": {"R": (5, 5)}}).tolist() == ["Recent", "Recent", "Others", "Others"]


def test_rfm_segments_refuse_bad_rules():
    scores = pd.DataFrame({"R": [5, 1], "F": [5, 1]})
    with pytest.raises(InputError, match="rules must be a non-empty dict"):
        rfm_segments(scores, rules={})
    with pytest.raises(InputError, match="segment name 'Others' must be text other than 'Others'"):
        rfm_segments(scores, rules={"Others": {"R": (1, 2)}})
    with pytest.raises(InputError, match=r"rules\['Top'\]\['R'\] = \(5, 4\) must be .* low <= high"):
        rfm_segments(scores, rules={"Top": {"R": (5, 4)}})
    with pytest.raises(InputError, match="scores has no column 'M'"):
        rfm_segments(scores, rules={"Top": {"M": (4, 5)}})
    three = rfm_scores(SUMMARY, bins=3)
    with pytest.raises(InputError, match="the default rules are written for scores 1 to 5, but scores has 3 bins"):
        rfm_segments(three)


# ------------------------------------------------------------------------------------------------ clusters
STAYS = pd.DataFrame({"customer_id": ["a", "a", "b"], "nights": [1, 3, 2], "weekday_nights": [1, 1, 2],
                      "lead_time_days": [2, 10, 30], "party_size": [1, 1, 4], "amount": [100.0, 300.0, 500.0],
                      "spa_amount": [0.0, 100.0, 0.0], "restaurant_amount": [20.0, 20.0, 200.0]})


def test_behaviour_features_hand_worked():
    features = behaviour_features(STAYS)
    # a: 2 stays, 4 nights of which 2 weekday, lead 2 and 10, $400 of which $100 spa and $40 restaurant
    assert features.loc["a"].tolist() == [2, 2, 0.5, 6, 1, 100, 0.25, 0.1]
    # b: 1 stay of 2 weekday nights, lead 30, party 4, $500 of which $200 restaurant
    assert features.loc["b"].tolist() == [1, 2, 1.0, 30, 4, 250, 0.0, 0.4]
    assert list(features.columns) == ["stays", "nights", "weekday_share", "lead_time", "party_size",
                                      "spend_per_night", "spa_share", "restaurant_share"]
    renamed = STAYS.rename(columns={"nights": "n_nights"})
    fewer = behaviour_features(renamed, nights_col="n_nights", spa_col=None, lead_time_col=None)
    assert list(fewer.columns) == ["stays", "nights", "weekday_share", "party_size", "spend_per_night",
                                   "restaurant_share"]


@pytest.mark.parametrize("stays, kwargs, message", [
    (STAYS.assign(lead_time_days=[2, None, None]), {}, "column 'lead_time_days' is empty in 2 row"),
    (STAYS.assign(nights=[0, 3, 2], weekday_nights=[0, 1, 2]), {}, "column 'nights' below 1 .* in 1 row"),
    (STAYS.assign(weekday_nights=[2, 1, 2]), {}, "'weekday_nights' above 'nights' in 1 row"),
    (STAYS.assign(party_size=["1", "one", "4"]), {}, "column 'party_size' must hold numbers; found 'one'"),
    (STAYS.assign(spa_amount=[0.0, 500.0, 0.0]), {}, "'spa_amount' adds up to more than 'amount' for 1 guest"),
    (STAYS.assign(amount=[0.0, 0.0, 500.0], spa_amount=0.0, restaurant_amount=0.0), {}, "1 guest.* spent nothing"),
    (STAYS, dict(amount_col=None), "spa_col and restaurant_col give shares of amount_col, which is None"),
    (STAYS, dict(party_size_col="party"), "stays has no column 'party'"),
])
def test_behaviour_features_refuse_bad_stays(stays, kwargs, message):
    with pytest.raises(InputError, match=message):
        behaviour_features(stays, **kwargs)


def test_cluster_recovers_the_planted_segments():
    for seed in (0, 1, 2):
        stays, truth = make_hotel_stays(3000, random_state=seed)
        result = cluster(behaviour_features(stays), 3)
        match = match_segments(result.labels, truth["segment"])
        assert match.value > ARI_BOUND
        assert sorted(match.mapping.values()) == ["business", "family", "leisure"]   # one cluster per segment


def test_cluster_returns_the_fitted_pipeline(hotel):
    _, _, features = hotel
    result = cluster(features, 3, columns=["nights", "lead_time"], random_state=1)
    assert result.labels.index.equals(features.index) and result.columns == ["nights", "lead_time"]
    predicted = result.pipeline.predict(features[["nights", "lead_time"]].to_numpy())
    assert (predicted == result.labels.to_numpy()).all()
    scaled = result.pipeline.named_steps["scale"].transform(features[["nights", "lead_time"]].to_numpy())
    centres = result.pipeline.named_steps["kmeans"].cluster_centers_
    assert result.inertia == pytest.approx(((scaled - centres[result.labels.to_numpy()]) ** 2).sum())


def test_cluster_refuses_bad_features():
    f = pd.DataFrame({"x": [1.0, 2.0, 3.0], "plan": ["a", "b", "a"]})
    with pytest.raises(InputError, match="column 'plan' of features is not numeric"):
        cluster(f, 2)
    with pytest.raises(InputError, match="column 'x' is empty in 2 row"):
        cluster(pd.DataFrame({"x": [1.0, None, None]}), 2)
    with pytest.raises(InputError, match="k=4 is more than the 3 rows"):
        cluster(f, 4, columns=["x"])
    with pytest.raises(InputError, match=r"k=2 is more than the 3 rows \(1 distinct\)"):
        cluster(pd.DataFrame({"x": [1.0, 1.0, 1.0]}), 2)
    with pytest.raises(InputError, match="columns is empty"):
        cluster(f, 2, columns=[])
    with pytest.raises(InputError, match="k=0 must be a whole number of at least 1"):
        cluster(f, 0, columns=["x"])


def test_choose_k_picks_three_on_the_hotel_data(hotel):
    _, _, features = hotel
    table = choose_k(features)
    assert table.index.tolist() == list(range(2, 9))
    assert table["silhouette"].idxmax() == 3
    assert table.loc[3, "stability"] > 0.99 and table.loc[3, "stability"] > table.loc[4:, "stability"].max()
    assert table["inertia"].is_monotonic_decreasing
    with pytest.raises(InputError, match="ks=1 must be a whole number from 2"):
        choose_k(features, [1, 2])


def test_choose_k_stability_is_the_mean_pairwise_ari():
    # a single start from each seed on data without clusters: labelings differ, and the stability is their mean ARI
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler
    f = pd.DataFrame(np.random.default_rng(1).normal(size=(300, 2)), columns=["x", "y"])
    table = choose_k(f, [5], n_seeds=3, n_init=1, random_state=7)
    seeds = np.random.default_rng(7).integers(0, 2 ** 31 - 1, 3)
    z = StandardScaler().fit_transform(f)
    labels = [KMeans(5, n_init=1, random_state=int(s)).fit(z).labels_ for s in seeds]
    pairs = [adjusted_rand_score(labels[i], labels[j]) for i, j in ((0, 1), (0, 2), (1, 2))]
    assert table.loc[5, "stability"] == pytest.approx(np.mean(pairs))
    assert table.loc[5, "stability"] < 0.99


def test_segment_profiles_hand_worked():
    f = pd.DataFrame({"nights": [1.0, 2.0, 4.0, 5.0, 7.0], "spend": [100.0, 140.0, 90.0, 300.0, 60.0]},
                     index=list("abcde"))
    labels = pd.Series([0, 0, 0, 1, 1], index=list("edcba"), name="cluster")      # another order: aligned by id
    profile = segment_profiles(f, labels)
    # cluster 0 = c, d, e: nights 4, 5, 7 -> 5, spend 90, 300, 60 -> 90; cluster 1 = a, b
    assert profile.to_dict("index") == {0: {"size": 3, "share": 0.6, "nights": 5.0, "spend": 90.0},
                                        1: {"size": 2, "share": 0.4, "nights": 1.5, "spend": 120.0}}
    with pytest.raises(InputError, match="labels has no label for 1 row"):
        segment_profiles(f, labels.iloc[1:])


def test_match_segments_agrees_with_sklearn():
    rng = np.random.default_rng(2)
    ids = [f"g{i}" for i in range(500)]
    truth = pd.Series(rng.choice(["business", "leisure", "family"], 500), index=ids)
    labels = pd.Series(np.where(rng.uniform(size=500) < 0.8, truth.map({"business": 2, "leisure": 0, "family": 1}),
                                rng.integers(0, 3, 500)), index=ids).sample(frac=1, random_state=0)
    result = match_segments(labels, truth)
    assert result.value == pytest.approx(adjusted_rand_score(truth[labels.index], labels))
    assert result.mapping == {0: "leisure", 1: "family", 2: "business"}
    assert result.crosstab.loc[2, "business"] == ((labels == 2) & (truth[labels.index] == "business")).sum()
    assert result.agreement == pytest.approx(np.diag(result.crosstab[["leisure", "family", "business"]]).sum() / 500)
    with pytest.raises(InputError, match="must cover the same customers; 1 are in one only"):
        match_segments(labels.iloc[1:], truth)
    with pytest.raises(InputError, match="column 'labels' is empty in 1 row"):
        match_segments(labels.where(labels.index != "g3"), truth)


# ------------------------------------------------------------------------------------------------ offers
def wilson(k, n, z):
    p = k / n
    centre, half = (p + z * z / (2 * n)) / (1 + z * z / n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def small_test():
    rows = [("a", "none", 100, 10), ("a", "upgrade", 100, 30), ("b", "none", 50, 5), ("b", "upgrade", 50, 5)]
    frames, start = [], 0
    for segment, offer, n, k in rows:
        frames.append(pd.DataFrame({"customer_id": range(start, start + n), "offer": offer,
                                    "accepted": [True] * k + [False] * (n - k), "segment": segment}))
        start += n
    frame = pd.concat(frames, ignore_index=True)
    return frame.drop(columns="segment"), frame.set_index("customer_id")["segment"]


def test_offer_table_hand_worked():
    test, segments = small_test()
    table = offer_table(test, segments, margin={"upgrade": 100}, cost={"upgrade": 5}, confidence=0.9)
    z = norm.ppf(0.95)
    row = table.loc[("a", "upgrade")]
    assert (row["n"], row["accepted"], row["rate"]) == (100, 30, 0.3)
    assert (row["rate_low"], row["rate_high"]) == pytest.approx(wilson(30, 100, z))
    (la, ua), (lb, ub) = wilson(30, 100, z), wilson(10, 100, z)          # Newcombe's interval of 0.3 - 0.1
    low, high = 0.2 - math.sqrt((0.3 - la) ** 2 + (ub - 0.1) ** 2), 0.2 + math.sqrt((ua - 0.3) ** 2 + (0.1 - lb) ** 2)
    assert row["lift"] == pytest.approx(0.2) and (row["lift_low"], row["lift_high"]) == pytest.approx((low, high))
    assert row["value"] == pytest.approx(0.2 * 100 - 5)
    assert (row["value_low"], row["value_high"]) == pytest.approx((low * 100 - 5, high * 100 - 5))
    assert table.loc[("b", "upgrade"), "value"] == pytest.approx(-5.0)              # no lift, the cost remains
    control = table.loc[("a", "none")]
    assert (control["lift"], control["value"], control["value_low"], control["value_high"]) == (0, 0, 0, 0)
    assert table.index.tolist() == [("a", "none"), ("a", "upgrade"), ("b", "none"), ("b", "upgrade")]
    assert table.attrs == {"confidence": 0.9, "control": "none"}
    best = best_offer(table)
    assert best["offer"].to_dict() == {"a": "upgrade", "b": "none"}
    assert bool(best.loc["a", "pays"]) is (low * 100 - 5 > 0)


def test_personalized_vs_uniform_hand_worked():
    test, segments = small_test()
    table = offer_table(test, segments, margin=100, cost=5)
    result = personalized_vs_uniform(table, {"a": 1000, "b": 3000})
    # personalized: a upgrade 15 x 1000 + b nothing 0 = 15,000; upgrade for all: 15 x 1000 - 5 x 3000 = 0; none: 0
    assert result.personalized == pytest.approx(15_000) and result.policy == {"a": "upgrade", "b": "none"}
    assert result.by_offer.to_dict() == pytest.approx({"none": 0.0, "upgrade": 0.0})
    assert result.uniform == pytest.approx(0.0) and result.value == pytest.approx(15_000)
    more_a = personalized_vs_uniform(table, pd.Series({"a": 1000, "b": 1000}))     # upgrade for all: 10,000
    assert (more_a.uniform_offer, more_a.uniform, more_a.value) == ("upgrade", pytest.approx(10_000), pytest.approx(5_000))
    with pytest.raises(InputError, match="segment_sizes has segments 'a' but the table has 'a', 'b'"):
        personalized_vs_uniform(table, {"a": 10})
    with pytest.raises(InputError, match=r"segment_sizes\['b'\]=-1 must be a non-negative number"):
        personalized_vs_uniform(table, {"a": 10, "b": -1})


def test_offers_on_the_simulated_test_recover_the_planted_values():
    stays, truth = make_hotel_stays(20_000, random_state=21)
    test, planted = make_offer_test(stays, truth, random_state=22)
    table = offer_table(test, truth["segment"], margin=planted["margin"], cost=planted["cost"], confidence=0.99)
    offers = table.drop(index="none", level="offer")
    values = planted["expected_value"].stack().rename_axis(["segment", "offer"]).reindex(offers.index)
    # 99% intervals: with 9 independent cells, two or more misses has probability 0.3%
    covered = (offers["value_low"] <= values) & (values <= offers["value_high"])
    assert len(covered) == 9 and covered.sum() >= 8
    assert best_offer(table)["offer"].to_dict() == {"business": "room_upgrade", "family": "family_package",
                                                    "leisure": "spa"}
    sizes = truth["segment"].value_counts()
    result = personalized_vs_uniform(table, sizes)
    planted_best = planted["expected_value"].max(axis=1)       # 34, 30, 60 a guest
    assert result.uniform_offer == "room_upgrade"
    assert result.personalized == pytest.approx((sizes * planted_best[sizes.index]).sum(), rel=0.15)


def test_offer_table_refuses_bad_input_and_warns_of_empty_cells():
    test, segments = small_test()
    with pytest.raises(InputError, match="control='control' is not an offer in column 'offer'"):
        offer_table(test, segments, margin=100, control="control")
    with pytest.raises(InputError, match="segments has no segment for 50 guest"):
        offer_table(test, segments.iloc[50:], margin=100)
    with pytest.raises(InputError, match="column 'customer_id' has repeated values"):
        offer_table(pd.concat([test, test.iloc[:1]]), segments, margin=100)
    with pytest.raises(InputError, match="margin has no value for offer.*'upgrade'"):
        offer_table(test, segments, margin={"spa": 10})
    with pytest.raises(InputError, match="cost=-2 must be a non-negative number"):
        offer_table(test, segments, margin=100, cost=-2)
    with pytest.raises(InputError, match="column 'accepted' must hold True/False or 0/1; found 'yes'"):
        offer_table(test.assign(accepted="yes"), segments, margin=100)
    no_control = segments.where(~((test.set_index("customer_id")["offer"] == "none") & (segments == "b")), "c")
    with pytest.raises(InputError, match="segment 'b' has no guest in the control group 'none'"):
        offer_table(test, no_control, margin=100)
    without = test[~((test["customer_id"].map(segments) == "a") & (test["offer"] == "upgrade"))]
    with pytest.warns(DataWarning, match="segment 'a' has no guest offered 'upgrade'; that row is left out"):
        table = offer_table(without, segments, margin=100)
    assert ("a", "upgrade") not in table.index


# ------------------------------------------------------------------------------------------------ explorer
def test_segments_view_reports_sizes_ari_and_best_offers(hotel):
    stays, truth, features = hotel
    test, planted = make_offer_test(stays, truth, random_state=1)
    text, ax = segments_view(features, list(features.columns), 3, test, truth_segments=truth["segment"],
                             margin=planted["margin"], cost=planted["cost"])
    labels = cluster(features, 3, n_init=3).labels
    sizes = labels.value_counts().sort_index()
    assert text.startswith("k = 3 on stays, nights, weekday_share") and \
        f"clusters {', '.join(f'{c}: {n:,}' for c, n in sizes.items())} guests" in text
    ari = adjusted_rand_score(truth["segment"][labels.index], labels)
    assert f"adjusted Rand index {ari:.2f} against the planted segments" in text
    best = best_offer(offer_table(test, labels, margin=planted["margin"], cost=planted["cost"]))
    for c, row in best.iterrows():
        assert f"{c} {row['offer'].replace('_', ' ')} (${row['value']:,.0f} a guest, 95% interval" in text
    assert len(ax.images) == 1 and len(ax.get_xticklabels()) == 3
    with pytest.raises(InputError, match="offer_test is given without margin"):
        segments_view(features, ["nights"], 3, test)


def test_segments_explorer_follows_its_controls(hotel):
    stays, truth, features = hotel
    explorer = segments_explorer(features, truth_segments=truth["segment"], columns=["nights", "party_size"])
    assert explorer.label.value.startswith("<b>k = 3 on nights, party_size:")
    explorer.controls["k"].value = 5
    assert "k = 5 on nights, party_size" in explorer.label.value and explorer.label.value.count(": ") >= 5
    explorer.controls["columns"].value = ()
    assert explorer.label.value == "<b>Pick at least one feature.</b>"
    explorer.controls["columns"].value = ("lead_time",)
    assert "k = 5 on lead_time" in explorer.label.value
    with pytest.raises(InputError, match="k=9 must be a whole number from 2 to 8"):
        segments_explorer(features, k=9)
    with pytest.raises(InputError, match="columns has 'age', not columns of features"):
        segments_explorer(features, columns=["age"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        segments_explorer(features.iloc[:50], k=2)
