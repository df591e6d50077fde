"""Lesson 14's expected answers against independent computations: plain pandas on the CSV files, numpy and scipy
on the measured timings, and the lead-time definition recomputed from the weekly scores by hand; the choices fixed by
the questions' logic are written out. The facts the explanations quote are checked the same way, the quiz's simulations
against the code the notebook runs."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import retention_kit as rk
from retention_kit import exercises

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "datasets"


def never_flagged_at_30():
    """The share never flagged, from the kit's weekly scores (tested in test_lead_time) and the definition by hand."""
    from retention_kit.exercises.lesson14 import lead_time_inputs
    scores, subscribers, end = lead_time_inputs()
    ends = subscribers.set_index("customer_id")["end_date"]
    starts = subscribers.set_index("customer_id")["start_date"]
    first, lookback = scores["cutoff"].min(), pd.Timedelta(weeks=12)
    # seen to cancel, all 12 weeks before scored, and subscribed before the first of them (scored at each)
    churners = ends[(ends - lookback >= first) & (ends < end) & (starts < ends - lookback)]
    flagged = set()
    for cid, group in scores[scores["customer_id"].isin(churners.index)].groupby("customer_id"):
        e = churners[cid]
        window = group[(group["cutoff"] >= e - lookback) & (group["cutoff"] < e)]
        if (window["p_churn"] >= 0.3).any():
            flagged.add(cid)
    return 1 - len(flagged) / len(churners)


def extrapolated_seconds():
    t = pd.read_csv(DATA / "scale_timings.csv")
    rows = t[(t["summary"] == "rfm_summary") & (t["method"] == "rk, pandas frame in memory") & (t["customers"] >= 1e6)]
    fit = stats.linregress(np.log10(rows["customers"]), np.log10(rows["seconds"]))
    return 10 ** (fit.intercept + fit.slope * np.log10(3e7))


def denominator_letter():
    subs = pd.read_csv(DATA / "saas_subscriptions.csv", parse_dates=["start_date", "end_date"])
    t0, t1 = pd.Timestamp("2025-04-01"), pd.Timestamp("2025-07-01")
    start = subs["start_date"] < t0
    alive = subs["end_date"].isna() | (subs["end_date"] >= t0)
    lost = alive & subs["end_date"].between(t0, t1, inclusive="left")
    right = (start & lost).sum() / (start & alive).sum()
    wrong = lost.sum() / ((subs["start_date"] < t1) & alive).sum()
    assert wrong < right                       # new customers in the denominator lower the rate
    return "b"


INDEPENDENT = {
    "14-quiz-denominator": denominator_letter,
    "14-quiz-cohort-average": lambda: "b",     # each customer counts once: the weighted mean
    "14-quiz-simpson": lambda: "b",            # the mix of plans, not the calls
    "14-quiz-survivorship": lambda: "b",       # today's customers are the survivors
    "14-quiz-regression-to-mean": lambda: "b",
    "14-quiz-onboarding": lambda: "b",
    "14-never-flagged-at-30": never_flagged_at_30,
    "14-scale-extrapolate": extrapolated_seconds,
    "14-judge-threshold": lambda: "b",
    "14-judge-engine": lambda: "b",
}


def test_every_exercise_of_lesson_14_has_an_independent_answer():
    assert sorted(INDEPENDENT) == sorted(i for i in exercises.exercises() if i.startswith("14-"))


@pytest.mark.parametrize("exercise_id", sorted(INDEPENDENT))
def test_expected_answer_matches_an_independent_computation(exercise_id):
    expected = exercises.expected_answer(exercise_id)
    independent = INDEPENDENT[exercise_id]()
    if isinstance(independent, str):
        assert expected == independent
    else:
        assert expected == pytest.approx(independent, rel=1e-9, abs=1e-12)
    assert exercises.check(exercise_id, expected).correct


def test_the_explanations_quote_the_data():
    subs = pd.read_csv(DATA / "saas_subscriptions.csv", parse_dates=["start_date", "end_date"])
    joined = subs[subs["start_date"].dt.year == 2022]
    unresolved = joined["unresolved_tickets_90d"] > 0
    facts = exercises.solution("14-quiz-survivorship").facts
    assert facts["all"] == pytest.approx(unresolved.mean())
    assert facts["survivors"] == pytest.approx(unresolved[joined["end_date"].isna()].mean())
    assert facts["survivors"] < facts["all"]   # the claim the explanation makes
    coffee = exercises.solution("14-quiz-cohort-average").facts
    assert coffee["weighted"] < coffee["simple"]
    tx = pd.read_csv(DATA / "coffee_transactions.csv", parse_dates=["date"])
    cohort_sizes = tx.groupby("customer_id")["date"].min().dt.to_period("M").value_counts()
    assert (coffee["smallest"], coffee["largest"]) == (cohort_sizes.min(), cohort_sizes.max())
    assert coffee["largest_cohort"] == str(cohort_sizes.idxmax()) == "2024-11"        # the app-launch promotion


NOTEBOOK = ROOT / "notebooks" / "14_data_driven_customer_success.ipynb"


def notebook_frame(marker, name):
    """Run the notebook's code cell holding ``marker`` (a simulation) and return its frame ``name``."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    source = next("".join(c["source"]) for c in cells if c["cell_type"] == "code" and marker in "".join(c["source"]))
    namespace = {"np": np, "pd": pd, "rk": rk, "display": lambda *shown: None, "Markdown": str}
    exec(source, namespace)
    return namespace[name]


def difference_in_points(frame, group_col):
    """100 x (churn share where group_col is True - where False), plain pandas."""
    share = frame.groupby(group_col)["churned"].mean()
    return 100 * (share[True] - share[False])


def test_the_quiz_simulations_are_the_notebook_s_and_their_facts_hold():
    from retention_kit.exercises.lesson14 import onboarding_customers, simpson_accounts
    accounts = notebook_frame("default_rng(14)", "accounts")
    pd.testing.assert_frame_equal(simpson_accounts(), accounts)
    facts = exercises.solution("14-quiz-simpson").facts
    for plan, planted in (("basic", -5), ("enterprise", -3)):           # the planted effects of the notebook's code
        within = accounts[accounts["plan"] == plan]
        assert facts[plan] == pytest.approx(difference_in_points(within, "called"))
        assert facts[f"{plan}_planted"] == pytest.approx(planted)
        assert facts[f"{plan}_low"] < facts[plan] < facts[f"{plan}_high"]
    onboarding = notebook_frame("default_rng(16)", "onboarding")
    pd.testing.assert_frame_equal(onboarding_customers(), onboarding)
    facts = exercises.solution("14-quiz-onboarding").facts
    completion = onboarding.groupby("nudged")["completed"].mean()
    lift = completion[True] - completion[False]
    assert facts["gap"] == pytest.approx(-difference_in_points(onboarding, "completed"))
    assert facts["per"] == pytest.approx(difference_in_points(onboarding, "nudged") / lift)
    assert facts["per_low"] < facts["per"] < facts["per_high"] < facts["gap"]      # "far less than the gap"


def test_the_scale_facts_quote_the_measurements():
    t = pd.read_csv(DATA / "scale_timings.csv")
    rows = t[(t["summary"] == "rfm_summary") & (t["method"] == "rk, pandas frame in memory")
             & (t["customers"] >= 1e6)].sort_values("customers")
    pairs = [stats.linregress(np.log10(rows["customers"].iloc[i:i + 2]), np.log10(rows["seconds"].iloc[i:i + 2])).slope
             for i in range(len(rows) - 1)]
    facts = exercises.solution("14-scale-extrapolate").facts
    assert (facts["slope_low"], facts["slope_high"]) == pytest.approx((min(pairs), max(pairs)))
    assert facts["low"] == pytest.approx(rows["seconds"].iloc[-1] * 3 ** min(pairs))     # 10M -> 30M: times 3
    assert facts["low"] < exercises.expected_answer("14-scale-extrapolate") < facts["high"]
    rfm = t[t["summary"] == "rfm_summary"]
    assert facts["files"] == rfm.loc[(rfm["method"] == "rk, Parquet files (DuckDB)") & (rfm["customers"] == 3e7),
                                     "seconds"].item()
    engine = exercises.solution("14-judge-engine").facts
    frame = rfm[rfm["method"] == "rk, pandas frame in memory"].sort_values("customers").iloc[-1]
    files = rfm[(rfm["method"] == "rk, Parquet files (DuckDB)") & (rfm["customers"] == frame["customers"])].iloc[0]
    spark = rfm[rfm["method"] == "rk, Spark local[2]"].sort_values("customers").iloc[-1]
    duck = rfm[(rfm["method"] == "rk, Parquet files (DuckDB)") & (rfm["customers"] == spark["customers"])].iloc[0]
    assert engine["customers"] == frame["customers"] == 10_000_000
    assert (engine["frame_gib"], engine["files_gib"]) == pytest.approx((frame["peak_memory_mb"] / 1024,
                                                                         files["peak_memory_mb"] / 1024))
    assert engine["spark_ratio"] == pytest.approx(spark["seconds"] / duck["seconds"])
    assert facts["memory_gib"] < 23                          # "still within the machine" (23 GiB usable of 24)
    near_today = rfm[rfm["customers"].isin([1_000_000, 3_000_000])].pivot(index="customers", columns="method",
                                                                          values="seconds")
    assert (near_today["rk, Parquet files (DuckDB)"] > 2 * near_today["rk, pandas frame in memory"]).all()  # option d


def test_the_threshold_facts_are_the_kit_s_at_both_thresholds():
    from retention_kit.exercises.lesson14 import lead_time_inputs
    scores, subscribers, end = lead_time_inputs()
    facts = exercises.solution("14-never-flagged-at-30").facts
    for threshold, key in ((0.3, "people"), (0.2, "people_20")):
        judged = scores[scores["p_churn"] >= threshold].groupby("customer_id")["cutoff"].min()
        judged = judged[judged + pd.Timedelta(weeks=8) <= end]                   # first flags with 8 weeks seen
        ends = subscribers.set_index("customer_id")["end_date"].reindex(judged.index)
        true = (ends < judged + pd.Timedelta(weeks=8)).sum()
        assert facts[key] == pytest.approx((len(judged) - true) / true)
    assert facts["people_cut"] == pytest.approx(1 - facts["people"] / facts["people_20"])


def test_tolerances_accept_the_decimals_the_lesson_shows():
    share = exercises.expected_answer("14-never-flagged-at-30")
    assert exercises.check("14-never-flagged-at-30", round(share, 3)).correct       # shown with one decimal
    assert exercises.check("14-never-flagged-at-30", 100 * share).correct is False  # a percentage: told so
    seconds = exercises.expected_answer("14-scale-extrapolate")
    assert exercises.check("14-scale-extrapolate", round(seconds)).correct          # shown as whole seconds
