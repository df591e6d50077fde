"""Lead times of an early-warning list: a hand-built case worked by hand, the median's interval against the binomial
by hand, the false-alarm ratio's interval against a cluster bootstrap, the weekly scoring against the model called
directly, and the explorer's text against the kit's numbers."""
import matplotlib

matplotlib.use("Agg")

import math  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

import retention_kit as rk  # noqa: E402
from retention_kit.churn import (features_as_of, fit_churn_model, flag_lead_times, lead_time_summary,  # noqa: E402
                                 median_interval, predict_churn, score_cutoffs, time_split)
from retention_kit.churn.lead_explorer import lead_time_explorer, lead_time_view  # noqa: E402
from retention_kit.datasets.streaming import make_streaming_activity  # noqa: E402

WEEKS = pd.date_range("2025-01-06", periods=8, freq="7D")          # eight Mondays, 6 Jan to 24 Feb


def hand_case():
    """Four subscribers scored on the Mondays they were subscribed (6 Jan ... 24 Feb 2025).

    a (cancels 24 Feb): p = .1 .1 .6 .2 .7 .8 .9 from 6 Jan to 17 Feb (0.6 on 20 Jan, 0.7 on 3 Feb, 0.8 on 10 Feb);
    b (cancels 17 Feb): never above 0.3; c (never cancels): 0.55 on 13 Jan and 0.6 on 27 Jan, else low;
    d (cancels 3 Feb): 0.9 on 27 Jan.
    """
    rows = []
    p = {"a": [0.1, 0.1, 0.6, 0.2, 0.7, 0.8, 0.9], "b": [0.2, 0.3, 0.2, 0.3, 0.1, 0.2],
         "c": [0.1, 0.55, 0.1, 0.6, 0.1, 0.2, 0.1, 0.1], "d": [0.1, 0.2, 0.1, 0.9]}
    for cid, values in p.items():
        rows += [(cid, week, v) for week, v in zip(WEEKS, values)]
    scores = pd.DataFrame(rows, columns=["customer_id", "cutoff", "p_churn"])
    subs = pd.DataFrame({"customer_id": list("abcd"), "start_date": pd.Timestamp("2024-06-03"),
                         "end_date": pd.to_datetime(["2025-02-24", "2025-02-17", None, "2025-02-03"])})
    return scores, subs


def test_lead_times_are_the_first_flag_within_the_look_back():
    scores, subs = hand_case()
    narrow = flag_lead_times(scores, subs, threshold=0.5, lookback_weeks=4, observation_period_end="2025-03-03")
    # churners: end - 4 weeks >= 6 Jan, so a, b and d (c never cancels)
    # a: window [27 Jan, 24 Feb): 0.2 on 27 Jan, 0.7 on 3 Feb -> 3 weeks; d: window [6 Jan, 3 Feb): 27 Jan -> 1 week
    assert narrow.index.tolist() == ["a", "b", "d"]
    assert narrow.loc["a", "lead_weeks"] == 3 and narrow.loc["a", "flags"] == 3 and narrow.loc["d", "lead_weeks"] == 1
    assert math.isnan(narrow.loc["b", "lead_weeks"]) and pd.isna(narrow.loc["b", "first_flag"])
    assert narrow.loc["a", "first_flag"] == pd.Timestamp("2025-02-03")
    wide = flag_lead_times(scores, subs, threshold=0.5, lookback_weeks=6, observation_period_end="2025-03-03")
    # end - 6 weeks >= 6 Jan leaves a and b; a's window [13 Jan, 24 Feb) holds 20 Jan (0.6): 5 weeks, 4 flags
    assert wide.index.tolist() == ["a", "b"]
    assert wide.loc["a", "lead_weeks"] == 5 and wide.loc["a", "flags"] == 4
    higher = flag_lead_times(scores, subs, threshold=0.75, lookback_weeks=6, observation_period_end="2025-03-03")
    assert higher.loc["a", "lead_weeks"] == 2                           # 10 Feb (0.8)


def test_churners_subscribed_for_less_than_the_look_back_are_counted_apart():
    scores, subs = hand_case()
    # e joins on 3 Feb and cancels on 24 Feb: scored on 10 and 17 Feb (active in the week before), flagged on 10 Feb;
    # f joins on 27 Jan, exactly 4 weeks before cancelling on 24 Feb: first scored on 3 Feb, so not at 27 Jan;
    # g joins on 13 Jan: scored from 20 Jan, the whole 4-week look-back [27 Jan, 24 Feb) of its 24 Feb cancellation
    more = pd.DataFrame([("e", pd.Timestamp("2025-02-10"), 0.7), ("e", pd.Timestamp("2025-02-17"), 0.2)]
                        + [("f", w, 0.1) for w in WEEKS[4:7]] + [("g", w, 0.1) for w in WEEKS[2:7]],
                        columns=scores.columns)
    subs = pd.concat([subs, pd.DataFrame({"customer_id": ["e", "f", "g"],
                                          "start_date": pd.to_datetime(["2025-02-03", "2025-01-27", "2025-01-13"]),
                                          "end_date": pd.Timestamp("2025-02-24")})], ignore_index=True)
    scores = pd.concat([scores, more], ignore_index=True)
    r = lead_time_summary(scores, subs, threshold=0.5, lookback_weeks=4, horizon_weeks=4,
                          observation_period_end="2025-03-03")
    assert r.table.index.tolist() == ["a", "b", "d", "g"]          # e and f could not have had a 4-week lead
    assert (r.churners, r.flagged, r.newer_churners, r.newer_never_flagged) == (4, 2, 2, 1)   # e flagged, f not
    assert flag_lead_times(scores, subs, threshold=0.5, lookback_weeks=4,
                           observation_period_end="2025-03-03").index.tolist() == ["a", "b", "d", "g"]


def test_leads_at_the_cap_of_the_look_back_are_counted():
    scores, subs = hand_case()
    # look-back 5: churners a (24 Feb - 5 weeks = 20 Jan) and b; a is flagged on 20 Jan, its first week: 5 weeks
    r = lead_time_summary(scores, subs, threshold=0.5, lookback_weeks=5, horizon_weeks=4,
                          observation_period_end="2025-03-03")
    assert r.table["lead_weeks"].dropna().tolist() == [5.0] and r.at_lookback_cap == 1
    assert lead_time_summary(scores, subs, threshold=0.5, lookback_weeks=6, horizon_weeks=4,
                             observation_period_end="2025-03-03").at_lookback_cap == 0     # 5 of 6 weeks


def test_false_alarms_per_subscriber_count_each_first_flag_once():
    scores, subs = hand_case()
    r = lead_time_summary(scores, subs, threshold=0.5, lookback_weeks=4, horizon_weeks=4,
                          observation_period_end="2025-03-03")
    # first flags (all judged: c + 4 weeks <= 3 Mar): a on 20 Jan (cancels 24 Feb, 5 weeks later: false),
    # c on 13 Jan (never cancels: false), d on 27 Jan (cancels 3 Feb: true); b is never flagged
    assert (r.first_flags, r.true_first_flags) == (3, 1)
    assert r.false_alarms_per_true_subscriber == pytest.approx(2.0)
    wilson = stats.binomtest(1, 3).proportion_ci(confidence_level=0.95, method="wilson")
    assert r.false_alarms_per_true_subscriber_ci == pytest.approx(((1 - wilson.high) / wilson.high,
                                                                   (1 - wilson.low) / wilson.low))
    nobody = lead_time_summary(scores, subs, threshold=0.95, lookback_weeks=4, horizon_weeks=4,
                               observation_period_end="2025-03-03")
    assert (nobody.true_flags, nobody.false_alarms) == (0, 0)
    assert math.isnan(nobody.false_alarms_per_true_flag) and math.isnan(nobody.false_alarms_per_true_subscriber)


def test_a_cancellation_not_yet_seen_is_not_a_churner():
    scores, subs = hand_case()
    early_end = flag_lead_times(scores, subs, threshold=0.5, lookback_weeks=4, observation_period_end="2025-02-20")
    assert early_end.index.tolist() == ["b", "d"]                       # a's end (24 Feb) is after the data end


def test_summary_worked_by_hand():
    scores, subs = hand_case()
    r = lead_time_summary(scores, subs, threshold=0.5, lookback_weeks=4, horizon_weeks=4,
                          observation_period_end="2025-03-03")
    assert r.kind == "lead_time" and r.unit == "week"
    assert (r.churners, r.flagged, r.never_flagged) == (3, 2, 1)
    assert r.value == 2.0                                               # median of a's 3 and d's 1 weeks
    assert r.never_flagged_share == pytest.approx(1 / 3)
    # flags judged (c + 4 weeks <= 3 Mar, i.e. c <= 3 Feb): a on 20 Jan (cancels 24 Feb: 5 weeks, beyond 4: false),
    # a on 3 Feb (true); c on 13 and 27 Jan (false); d on 27 Jan (cancels 3 Feb: true)
    assert (r.true_flags, r.false_alarms) == (2, 3)
    assert r.false_alarms_per_true_flag == pytest.approx(1.5)
    assert r.table["lead_weeks"].dropna().tolist() == [3.0, 1.0]
    assert math.isnan(r.ci[0])                                          # two leads are too few for a 95% interval


def test_median_interval_against_the_binomial_by_hand():
    # n = 10: P(B <= 1) = 11/1024 = 0.0107 <= 0.025 < P(B <= 2) = 56/1024, so ranks 2 and 9
    assert median_interval(np.arange(1, 11)) == (5.5, 2.0, 9.0)
    # n = 20: P(B <= 5) = 21700/2^20 = 0.0207 <= 0.025 < P(B <= 6) = 0.0577, so ranks 6 and 15
    x = np.arange(100, 120)
    assert median_interval(x[::-1]) == (109.5, 105.0, 114.0)
    # n = 5: P(B <= 0) = 1/32 = 0.031 > 0.025: no interval at 95%; at 90% ranks 1 and 5
    assert all(math.isnan(v) for v in median_interval([1, 2, 3, 4, 5])[1:])
    assert median_interval([1, 2, 3, 4, 5], confidence=0.9) == (3.0, 1.0, 5.0)


def test_median_interval_covers_the_median_at_its_level():
    rng = np.random.default_rng(3)
    covered = [lo <= 1.0 <= hi for lo, hi in (median_interval(rng.exponential(1 / math.log(2), 40))[1:]
                                                for _ in range(2000))]
    assert np.mean(covered) >= 0.94                                     # at least 95% by construction (exact: 96.2%)


def test_false_alarm_interval_agrees_with_a_cluster_bootstrap():
    rng = np.random.default_rng(5)
    weeks = pd.date_range("2025-01-06", periods=30, freq="7D")
    n = 400
    ends = pd.Series(pd.NaT, index=[f"s{i}" for i in range(n)], dtype="datetime64[ns]")
    churners = rng.random(n) < 0.3
    ends[churners] = weeks[rng.integers(5, 30, churners.sum())]
    rows = []
    for i, cid in enumerate(ends.index):
        for week in weeks:
            if pd.notna(ends[cid]) and week >= ends[cid]:
                break
            soon = pd.notna(ends[cid]) and ends[cid] - week <= pd.Timedelta(weeks=6)
            rows.append((cid, week, float(rng.random() < (0.5 if soon else 0.08))))
    scores = pd.DataFrame(rows, columns=["customer_id", "cutoff", "p_churn"])
    subs = pd.DataFrame({"customer_id": ends.index, "start_date": pd.Timestamp("2024-01-01"), "end_date": ends.values})
    r = lead_time_summary(scores, subs, threshold=0.5, horizon_weeks=4, observation_period_end=weeks[-1])
    # the same ratio from the flags directly, and a bootstrap over subscribers (the cluster)
    judged = scores[scores["cutoff"] + pd.Timedelta(weeks=4) <= weeks[-1]]
    flags = judged[judged["p_churn"] >= 0.5].assign(end=lambda f: f["customer_id"].map(ends))
    flags["true"] = flags["end"] < flags["cutoff"] + pd.Timedelta(weeks=4)
    per = flags.groupby("customer_id")["true"].agg(["sum", "size"])
    assert r.false_alarms_per_true_flag == pytest.approx((per["size"].sum() - per["sum"].sum()) / per["sum"].sum())
    draws = []
    for _ in range(2000):
        pick = per.iloc[rng.integers(0, len(per), len(per))]
        draws.append((pick["size"].sum() - pick["sum"].sum()) / pick["sum"].sum())
    low, high = np.percentile(draws, [2.5, 97.5])
    assert r.false_alarms_ci[0] == pytest.approx(low, abs=0.15 * (high - low))
    assert r.false_alarms_ci[1] == pytest.approx(high, abs=0.15 * (high - low))


@pytest.fixture(scope="module")
def streaming():
    activity, truth = make_streaming_activity(600, random_state=2)
    split = time_split(activity, truth["subscribers"], train_cutoff="2025-03-03", test_cutoff="2025-04-28")
    return activity, truth, fit_churn_model(split.X_train, split.y_train)


def test_scores_are_the_model_on_the_features_of_each_cutoff(streaming):
    activity, truth, model = streaming
    cutoffs = pd.to_datetime(["2025-05-05", "2025-05-12"])
    scores = score_cutoffs(model, activity, truth["subscribers"], cutoffs)
    ends = truth["subscribers"].set_index("customer_id")["end_date"]
    for cutoff in cutoffs:
        X = features_as_of(activity, cutoff)
        reachable = X[~(ends.reindex(X.index) <= cutoff).to_numpy()]
        expected = predict_churn(model, reachable)
        got = scores[scores["cutoff"] == cutoff].set_index("customer_id")["p_churn"]
        assert got.index.tolist() == expected.index.tolist()
        assert np.allclose(got.to_numpy(), expected.to_numpy())
        assert not (ends.reindex(got.index) <= cutoff).any()            # nobody who has already cancelled


def test_flags_precede_the_cancellations_they_warn_of(streaming):
    activity, truth, model = streaming
    cutoffs = pd.date_range("2025-05-05", truth["observed_until"], freq="7D")
    scores = score_cutoffs(model, activity, truth["subscribers"], cutoffs)
    table = flag_lead_times(scores, truth["subscribers"], threshold=0.2, observation_period_end=truth["observed_until"])
    lead = table["lead_weeks"].dropna()
    assert len(lead) and (lead >= 1).all() and (lead <= 12).all()
    assert (table["end_date"] < truth["observed_until"]).all()


@pytest.mark.parametrize("change, message", [
    (lambda s: s.assign(p_churn=s["p_churn"] * 2), "probabilities"),
    (lambda s: pd.concat([s, s.head(1)]), "twice"),
    (lambda s: s.drop(columns="cutoff"), "cutoff"),
    (lambda s: s.assign(customer_id=s["customer_id"].replace("a", "zz")), "missing from subscribers"),
])
def test_bad_scores_are_refused(change, message):
    scores, subs = hand_case()
    with pytest.raises(rk.InputError, match=message):
        lead_time_summary(change(scores), subs, threshold=0.5)


def test_bad_settings_and_cutoffs_are_refused(streaming):
    scores, subs = hand_case()
    with pytest.raises(rk.InputError, match="threshold"):
        flag_lead_times(scores, subs, threshold=1.5)
    with pytest.raises(rk.InputError, match="lookback_weeks"):
        lead_time_summary(scores, subs, threshold=0.5, lookback_weeks=0)
    activity, truth, model = streaming
    with pytest.raises(rk.InputError, match="increase"):
        score_cutoffs(model, activity, truth["subscribers"], ["2025-05-12", "2025-05-05"])
    with pytest.raises(rk.InputError, match="Monday"):
        score_cutoffs(model, activity, truth["subscribers"], ["2025-05-07"])
    with pytest.raises(rk.InputError, match="sequence"):
        score_cutoffs(model, activity, truth["subscribers"], "2025-05-05")


def test_the_view_reports_the_kit_s_numbers():
    scores, subs = hand_case()
    text, ax = lead_time_view(scores, subs, 0.5, lookback_weeks=4, horizon_weeks=4, observation_period_end="2025-03-03")
    r = lead_time_summary(scores, subs, threshold=0.5, lookback_weeks=4, horizon_weeks=4,
                          observation_period_end="2025-03-03")
    assert f"{r.flagged:,} of {r.churners:,} churners" in text and "a median 2 weeks ahead" in text
    assert f"{r.false_alarms_per_true_flag:.2f} per flag-week" in text and "33% never flagged" in text
    assert f"{r.false_alarms_per_true_subscriber:.2f} false alarms per true one counted per subscriber" in text
    assert ax.lines[0].get_ydata().tolist() == pytest.approx([200 / 3, 100 / 3, 100 / 3, 0.0])


def test_the_explorer_answers_a_move_with_the_view_s_text():
    scores, subs = hand_case()
    explorer = lead_time_explorer(scores, subs, lookback_weeks=4, horizon_weeks=4, observation_period_end="2025-03-03")
    for threshold in (0.3, 0.6):                                    # the slider runs from 5% to 60%
        explorer.controls["threshold"].value = threshold
        text, _ = lead_time_view(scores, subs, threshold, lookback_weeks=4, horizon_weeks=4,
                                 observation_period_end="2025-03-03")
        assert explorer.label.value == f"<b>{rk.results.html_text(text)}</b>"
