"""Exercises of lesson 14 (a data-driven customer-success team): the literacy quiz, the early-warning lead times
of lesson 10's model, and the measured growth of the kit's summaries."""
from functools import lru_cache

import numpy as np
import pandas as pd

from ..datasets import load_scale_timings, make_streaming_activity
from .data import load
from .engine import Exercise, Solution, register
from .lesson10 import ACTIVITY_SEED, TEST_CUTOFF, TRAIN_CUTOFF

# the lesson's calls: lesson 10's data and logistic model, subscribers scored every Monday from the end of the
# training labels (train cut-off + 8 weeks) to the end of the data
MONITOR_START = "2025-04-28"
THRESHOLD, LOOKBACK_WEEKS, HORIZON_WEEKS = 0.2, 12, 8
QUARTER = ("2025-04-01", "2025-07-01")
PLANTED_CALL_EFFECT = {"basic": -0.05, "enterprise": -0.03}       # the quiz's simulated calls (section 5.3)


@lru_cache(maxsize=None)
def lead_time_inputs():
    """Lesson 10's logistic model scoring Lumen+ every week from MONITOR_START: (scores, subscribers, data end)."""
    from .. import churn
    activity, truth = make_streaming_activity(random_state=ACTIVITY_SEED)
    split = churn.time_split(activity, truth["subscribers"], train_cutoff=TRAIN_CUTOFF, test_cutoff=TEST_CUTOFF)
    model = churn.fit_churn_model(split.X_train, split.y_train, model="logistic", random_state=0)
    cutoffs = pd.date_range(MONITOR_START, truth["observed_until"], freq="7D")
    scores = churn.score_cutoffs(model, activity, truth["subscribers"], cutoffs)
    return scores, truth["subscribers"], truth["observed_until"]


def _never_flagged():
    from .. import churn
    scores, subscribers, end = lead_time_inputs()
    r = churn.lead_time_summary(scores, subscribers, threshold=0.3, lookback_weeks=LOOKBACK_WEEKS,
                                horizon_weeks=HORIZON_WEEKS, observation_period_end=end)
    at_20 = churn.lead_time_summary(scores, subscribers, threshold=THRESHOLD, lookback_weeks=LOOKBACK_WEEKS,
                                    horizon_weeks=HORIZON_WEEKS, observation_period_end=end)
    weeks, people = r.false_alarms_per_true_flag, r.false_alarms_per_true_subscriber
    weeks_20, people_20 = at_20.false_alarms_per_true_flag, at_20.false_alarms_per_true_subscriber
    return Solution(r.never_flagged_share, dict(
        never=r.never_flagged, churners=r.churners, at_20=at_20.never_flagged_share, alarms=weeks, alarms_20=weeks_20,
        cut=1 - weeks / weeks_20, people=people, people_20=people_20, people_cut=1 - people / people_20))


FRAME, FILES, SPARK = "rk, pandas frame in memory", "rk, Parquet files (DuckDB)", "rk, Spark local[2]"


def _extrapolated_seconds():
    t = load_scale_timings()
    rfm = t[t["summary"] == "rfm_summary"]
    kit = rfm[(rfm["method"] == FRAME) & (rfm["customers"] >= 1_000_000)]
    kit = kit.sort_values("customers")
    slope, intercept = np.polyfit(np.log(kit["customers"]), np.log(kit["seconds"]), 1)
    largest = kit.iloc[-1]
    # the slopes between neighbouring sizes, each carried from the largest measurement to 30 million: a range
    steps = np.diff(np.log(kit["seconds"].to_numpy())) / np.diff(np.log(kit["customers"].to_numpy()))
    reach = np.log(30_000_000 / largest["customers"])
    files = rfm[(rfm["method"] == FILES) & (rfm["customers"] == 30_000_000)]["seconds"]
    b_mem, a_mem = np.polyfit(np.log(kit["customers"]), np.log(kit["peak_memory_mb"]), 1)
    return Solution(float(np.exp(intercept) * 30_000_000 ** slope),
                    dict(slope=slope, largest=int(largest["customers"]), seconds=float(largest["seconds"]),
                         files=float(files.iloc[0]) if len(files) else float("nan"),
                         memory_gib=float(np.exp(a_mem) * 30_000_000 ** b_mem / 1024),
                         slope_low=steps.min(), slope_high=steps.max(),
                         low=float(largest["seconds"] * np.exp(steps.min() * reach)),
                         high=float(largest["seconds"] * np.exp(steps.max() * reach))))


def _denominator():
    subs = load("saas_subscriptions")
    t0, t1 = (pd.Timestamp(d) for d in QUARTER)
    at_start = (subs["start_date"] < t0) & ~(subs["end_date"] < t0)
    lost = at_start & (subs["end_date"] < t1)
    anytime = (subs["start_date"] < t1) & ~(subs["end_date"] < t0)
    left = (subs["end_date"] >= t0) & (subs["end_date"] < t1)
    right, wrong = lost.sum() / at_start.sum(), left.sum() / anytime.sum()
    return Solution("b" if wrong < right else "c", dict(right=right, wrong=wrong, new=int((anytime & ~at_start).sum())))


def _cohort_average():
    from ..cohorts import average_retention, cohort_table
    table = cohort_table(load("coffee_transactions"), observation_period_end="2026-01-01")
    row = average_retention(table).loc[3]
    sizes = table[0]
    return Solution("b", dict(weighted=row["weighted"], simple=row["simple"], smallest=int(sizes.min()),
                              largest=int(sizes.max()), largest_cohort=str(sizes.idxmax())))


def _engine():
    t = load_scale_timings()
    rfm = t[t["summary"] == "rfm_summary"].set_index(["method", "customers"])
    common = int(t.loc[t["method"] == FRAME, "customers"].max())           # the largest size measured on a frame
    spark = int(t.loc[t["method"] == SPARK, "customers"].max())
    return Solution("b", dict(customers=common, frame_gib=rfm.loc[(FRAME, common), "peak_memory_mb"] / 1024,
                              files_gib=rfm.loc[(FILES, common), "peak_memory_mb"] / 1024, spark_customers=spark,
                              spark_ratio=rfm.loc[(SPARK, spark), "seconds"] / rfm.loc[(FILES, spark), "seconds"]))


def simpson_accounts(seed: int = 14) -> pd.DataFrame:
    """The quiz's simulated quarter (lesson 14, section 5.3): plan, called (at random within each plan), churned."""
    rng = np.random.default_rng(seed)
    n_accounts = 10_000
    account_plan = np.where(rng.random(n_accounts) < 0.6, "basic", "enterprise")
    called = rng.random(n_accounts) < np.where(account_plan == "basic", 0.7, 0.15)
    base = np.where(account_plan == "basic", 0.25, 0.06)
    planted = np.where(account_plan == "basic", PLANTED_CALL_EFFECT["basic"], PLANTED_CALL_EFFECT["enterprise"])
    return pd.DataFrame({"plan": account_plan, "called": called,
                         "churned": rng.random(n_accounts) < base + planted * called})


def _simpson():
    from ..metrics import proportion_difference
    facts = {}
    for plan, g in simpson_accounts().groupby("plan"):
        k = g.groupby("called")["churned"].agg(["sum", "size"])
        d = proportion_difference(int(k.loc[True, "sum"]), int(k.loc[True, "size"]), int(k.loc[False, "sum"]),
                                  int(k.loc[False, "size"]))
        facts.update({plan: 100 * d.value, f"{plan}_called": g["called"].mean(), f"{plan}_low": 100 * d.ci[0], f"{plan}_high": 100 * d.ci[1],
                      f"{plan}_planted": 100 * PLANTED_CALL_EFFECT[plan]})
    return Solution("b", facts)


def onboarding_customers(seed: int = 16) -> pd.DataFrame:
    """The quiz's simulated onboarding (lesson 14, section 5.6): completed, nudged (randomized), churned."""
    rng = np.random.default_rng(seed)
    n_customers = 20_000
    engagement = rng.normal(0, 1, n_customers)
    nudged = rng.random(n_customers) < 0.5
    complete = rng.random(n_customers) < 1 / (1 + np.exp(-(-0.3 + 1.5 * engagement + 1.2 * nudged)))
    churned = rng.random(n_customers) < 1 / (1 + np.exp(-(-1.3 - 0.9 * engagement)))
    return pd.DataFrame({"completed": complete, "nudged": nudged, "churned": churned})


def _onboarding():
    from ..experiments import two_proportion_test
    frame = onboarding_customers()
    observed = frame.groupby("completed")["churned"].mean()
    completion = frame.groupby("nudged")["completed"].mean()
    k = frame.groupby("nudged")["churned"].agg(["sum", "size"])
    test = two_proportion_test(int(k.loc[True, "sum"]), int(k.loc[True, "size"]), int(k.loc[False, "sum"]),
                               int(k.loc[False, "size"]))
    lift = completion[True] - completion[False]          # per extra completion: the nudge's effect / its lift
    return Solution("b", dict(gap=100 * (observed[False] - observed[True]), lift=100 * lift, effect=100 * test.value,
                              per=100 * test.value / lift, per_low=100 * test.ci[0] / lift,
                              per_high=100 * test.ci[1] / lift))


def _survivorship():
    subs = load("saas_subscriptions")
    joined = subs[subs["start_date"].dt.year == 2022]
    unresolved = joined["unresolved_tickets_90d"] > 0
    return Solution("b", dict(all=unresolved.mean(), survivors=unresolved[joined["end_date"].isna()].mean()))


_WHY_SIMPSON = ("the CSMs called {basic_called:.0%} of basic accounts and {enterprise_called:.0%} of enterprise ones: "
                "the calls went mostly to the plan that churns most whatever is done, so the overall comparison "
                "mixes plans; within a plan like is compared with like. Plan is a confounder (it decided who was "
                "called, before the call). In this simulation the calls were random within each plan, so the "
                "within-plan differences estimate the calls' effect: {basic:+.1f} points in basic (95% interval "
                "{basic_low:+.1f} to {basic_high:+.1f}) and {enterprise:+.1f} in enterprise ({enterprise_low:+.1f} to "
                "{enterprise_high:+.1f}), against the planted {basic_planted:+.0f} and {enterprise_planted:+.0f}. On "
                "real data, where CSMs choose whom to call inside a plan too, they remain associations.")

register(
    Exercise("14-quiz-denominator", "what dividing a quarter's cancellations by every customer of the quarter does",
             _denominator,
             "{wrong:.2%} instead of {right:.2%}: the {new:,} customers who joined during the quarter sit in the "
             "denominator although they could hardly leave in it. A churn rate divides the customers lost by the "
             "customers at the start.",
             "ask who is in the denominator and whether each of them could have cancelled in the quarter",
             kind="choice",
             options={"a": "a rate changes with its denominator: here more customers are divided into the same "
                           "cancellations.",
                      "c": "the cancellations counted are the same; only the denominator grew."}),
    Exercise("14-quiz-cohort-average", "which average of month-3 retention describes the average customer",
             _cohort_average,
             "weighted, {weighted:.1%}: every customer counts once. The simple mean, {simple:.1%}, gives the "
             "smallest cohort ({smallest:,} customers) the same weight as the largest ({largest:,}, the "
             "{largest_cohort} cohort of the app-launch promotion, which lapses quickly).",
             "ask whether each customer or each cohort should count once",
             kind="choice",
             options={"a": "the simple mean counts each cohort once, however small; the average customer is the "
                           "weighted one.",
                      "c": "they differ whenever cohort size and retention go together, as here."}),
    Exercise("14-quiz-simpson", "what explains the reversal between the overall and the within-plan comparison",
             _simpson, _WHY_SIMPSON,
             "look at who was called in each plan, and at how much each plan churns without a call",
             kind="choice",
             options={"a": "within each plan the called accounts churned less; the overall difference comes from "
                           "the mix of plans, and the plans are large.",
                      "c": "the reversal holds in both plans and the intervals are narrow: it is the mix, not "
                           "chance."}),
    Exercise("14-quiz-survivorship", "what the comparison of today's customers by year joined shows",
             _survivorship,
             "among everyone who joined in 2022, {all:.1%} had an unresolved ticket; among those still customers "
             "today, {survivors:.1%}. Customers with unresolved tickets left more often: the long-standing customers "
             "are the survivors, so a table of today's customers describes who stayed, not how support changed.",
             "compare the customers who joined each year with the ones of them still here",
             kind="choice",
             options={"a": "among all who joined each year the share barely moved: the difference is who stayed.",
                      "c": "the data show no change in the product; they show who left."}),
    Exercise("14-quiz-regression-to-mean", "how much of the worst accounts' rise the calls can claim",
             lambda: Solution("b"),
             "accounts picked for one bad quarter score closer to their usual level the next quarter, called or not "
             "(regression to the mean); only a comparison with similar accounts not called, chosen at random, "
             "measures the calls.",
             "ask what the worst-scoring accounts would have scored next quarter with no call at all",
             kind="choice",
             options={"a": "the accounts were chosen for a bad quarter: part of it was bad luck that does not repeat.",
                      "c": "no fixed share can be credited without a comparison group."}),
    Exercise("14-quiz-onboarding", "what the lower churn of customers who completed onboarding shows",
             _onboarding,
             "customers who complete onboarding were more engaged before they started it. The randomized nudge "
             "raised completion by {lift:.1f} points and moved churn by {effect:+.1f} points: per extra completion "
             "{per:+.1f} points (95% interval {per_low:+.1f} to {per_high:+.1f}), far less than the {gap:.1f}-point "
             "gap. That rules out the gap as completion's effect, not a small effect, and it assumes the nudge "
             "changes churn only through completion.",
             "ask whether the customers who completed differed from the others before onboarding",
             kind="choice",
             options={"a": "completers differ from non-completers in more than onboarding; the nudge test moved "
                           "completion without moving churn.",
                      "c": "the association is real and large: it describes who completes, not what completing "
                           "does."}),
    Exercise("14-never-flagged-at-30", "share of churners never flagged in the 12 weeks before cancelling, at 30%",
             _never_flagged,
             "{never:,} of {churners:,} churners subscribed throughout the 12 weeks: {answer:.1%}, against "
             "{at_20:.1%} at 20%. The higher threshold misses more churners and cuts the false alarms per true one "
             "by {people_cut:.0%} counted per subscriber at the first flag ({people:.2f} against {people_20:.2f}), "
             "by {cut:.0%} counted per flag-week ({alarms:.2f} against {alarms_20:.2f}).",
             "rk.churn.lead_time_summary at the new threshold, with the lesson's look-back, horizon and data end; the "
             "share is a fraction of the churners", abs_tol=5e-4, unit="fraction"),
    Exercise("14-scale-extrapolate", "seconds rk.rfm_summary would take for 30 million customers, by the fitted "
             "growth", _extrapolated_seconds,
             "time grows as n^{slope:.2f} from a million customers up, so 30 million customers take about "
             "{answer:.0f} s (against {seconds:.1f} s measured at {largest:,}). The slopes between neighbouring "
             "sizes, {slope_low:.2f} and {slope_high:.2f}, carried from the largest measurement give {low:.0f} to "
             "{high:.0f} s: the points are single runs on a busy machine, so read a range, not a number. The frame's "
             "memory, carried forward the same way, would be about {memory_gib:.0f} GiB at 30 million: still within "
             "the machine, and nearer its limit than the time is to any nightly deadline. Given the Parquet files "
             "instead, 30 million customers were measured at {files:.0f} s.",
             "fit a straight line to log(seconds) against log(customers) for the RFM rows on a frame from a million "
             "customers up; np.polyfit returns the slope first", rel_tol=0.15),
    Exercise("14-judge-threshold", "how to choose the early-warning threshold", lambda: Solution("b"),
             "a threshold is a workload and a bet: the team's capacity sets how many flags a week it can work, and "
             "only a randomized test of the calls says whether an earlier call saves more customers.",
             "weigh what a flag costs the team against what a call is shown to save",
             kind="choice",
             options={"a": "earlier warnings are worth something only if an earlier call saves more, and every "
                           "false alarm costs a call.",
                      "c": "0.5 is a convention of classifiers, not a property of the team or of the customers."}),
    Exercise("14-judge-engine", "what the measurements say about moving the summaries to an engine or a cluster",
             _engine,
             "seconds today; memory is what grows into the limit (the RFM summary needed {frame_gib:.1f} GiB on a "
             "frame at {customers:,} customers, {files_gib:.1f} GiB given the Parquet files). The same calls on the "
             "files come first, on the same machine; Spark local[2] on that machine took {spark_ratio:.1f} times "
             "the kit's time on the files at {spark_customers:,} customers, so a cluster is worth considering only "
             "when one machine's memory, disk or time is not enough.",
             "read the seconds and the peak memory near today's size and near the expected one, and how each grows "
             "with the customers",
             kind="choice",
             options={"a": "the kit computes the summaries of ten million customers on one small machine; a "
                           "cluster is worth considering only beyond one machine.",
                      "c": "time grows about in proportion, but memory grows too, and a machine's memory is "
                           "fixed.",
                      "d": "near today's size the files save little memory and take more than twice the frame's "
                           "time; the frame's memory is not near the limit yet. Switch when it nears it."}),
)
