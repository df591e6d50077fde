"""Every exercise's expected answer against an independent computation: plain pandas on the CSV files, scipy,
lifelines and lifetimes; never the kit's own function for the same thing."""
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from retention_kit import exercises
from retention_kit.datasets import planted_truth

DATA = Path(__file__).resolve().parents[1] / "datasets"
MONTH = 365.25 / 12


def csv(name, **kwargs):
    return pd.read_csv(DATA / f"{name}.csv", **kwargs)


def survey():
    return csv("telecom_survey")


def subs():
    return csv("saas_subscriptions", parse_dates=["start_date", "end_date"])


def coffee():
    return csv("coffee_transactions", parse_dates=["date"])


def shares(scores):
    s = scores.dropna()
    return (s >= 9).mean(), (s <= 6).mean(), len(s)


def churn(table, t0, t1):
    """lost / S with events in [t0, t1): S joined before t0 and did not leave before it."""
    t0, t1 = pd.Timestamp(t0), pd.Timestamp(t1)
    at_start = (table["start_date"] < t0) & ~(table["end_date"] < t0)
    lost = at_start & (table["end_date"] >= t0) & (table["end_date"] < t1)
    return lost.sum() / at_start.sum()


def wave(n):
    s = survey()
    return s.loc[s["wave"] == n, "nps_score"]


def lowest_touchpoint_nps():
    s = survey()
    first = s[s["wave"] == 1]
    scores = first.dropna(subset=["nps_score"]).groupby("touchpoint")["nps_score"]
    return min(100 * ((g >= 9).mean() - (g <= 6).mean()) for _, g in scores)


def sample_size():
    p, d, _ = shares(wave(1))
    return math.ceil(stats.norm.ppf(0.975) ** 2 * (p + d - (p - d) ** 2) / 0.04 ** 2)


def support_change_significant():
    s = survey()
    s = s[s["touchpoint"] == "support"]
    (p1, d1, n1), (p2, d2, n2) = (shares(s.loc[s["wave"] == w, "nps_score"]) for w in (1, 2))
    se = 100 * math.sqrt((p1 + d1 - (p1 - d1) ** 2) / n1 + (p2 + d2 - (p2 - d2) ** 2) / n2)
    return abs(100 * (p2 - d2) - 100 * (p1 - d1)) / se > stats.norm.ppf(0.975)


def promoter_passive_ratio():
    s = survey().dropna(subset=["nps_score"])
    category = pd.cut(s["nps_score"], [-1, 6, 8, 10], labels=["detractor", "passive", "promoter"])
    per = s.groupby(category, observed=True)["referrals"].mean()
    return per["promoter"] / per["passive"]


def support_change():
    s = survey()
    s = s[s["touchpoint"] == "support"].dropna(subset=["csat"])
    share = s.groupby("wave")["csat"].apply(lambda r: r.isin([4, 5]).mean())
    return share[2] - share[1]


def support_renewal_gap():
    s = survey().dropna(subset=["csat"])
    s = s[s["touchpoint"] == "support"]
    return s.loc[s["csat"] >= 4, "renewed"].mean() - s.loc[s["csat"] <= 2, "renewed"].mean()


def enterprise_gap():
    t = subs()
    t = t[t["plan"] == "enterprise"]
    flag = t["unresolved_tickets_90d"] > 0
    return churn(t[flag], "2025-01-01", "2026-01-01") - churn(t[~flag], "2025-01-01", "2026-01-01")


def cohort_frame():
    tx = coffee()
    month = tx["date"].dt.to_period("M")
    first = month.groupby(tx["customer_id"]).transform("min")
    return pd.DataFrame({"customer": tx["customer_id"], "cohort": first, "age": (month - first).apply(lambda d: d.n)})


def fixed_cohorts_month12():
    frame = cohort_frame()
    fixed = frame[frame["cohort"] + 18 <= pd.Period("2025-12", "M")]      # observed through age 18
    sizes = fixed.groupby("cohort")["customer"].nunique()
    active = fixed[fixed["age"] == 12].groupby("cohort")["customer"].nunique()
    return active.sum() / sizes.sum()


def promo_extra_active6():
    frame = cohort_frame()
    active = frame[frame["age"] == 6].groupby("cohort")["customer"].nunique()
    in_2024 = active[[c.year == 2024 for c in active.index]]
    promo = pd.Period("2024-11", "M")
    return in_2024[promo] - in_2024.drop(promo).median()


def basic_months_apart():
    from lifelines import KaplanMeierFitter
    from lifelines.utils import restricted_mean_survival_time
    t = subs()
    t = t[t["plan"] == "basic"]
    end = pd.Timestamp("2026-01-01")
    churned = t["end_date"] < end
    duration = (t["end_date"].where(churned, end) - t["start_date"]).dt.days / MONTH
    resolved = t["unresolved_tickets_90d"] == 0
    rmst = [restricted_mean_survival_time(KaplanMeierFitter().fit(duration[g], churned[g]), t=24)
            for g in (resolved, ~resolved)]
    return rmst[0] - rmst[1]


def sbg_month36_from12():
    from scipy.optimize import minimize
    from scipy.special import betaln
    t = subs()
    t = t[t["start_date"].dt.year == 2022]
    end = pd.Timestamp("2026-01-01")
    duration = (t["end_date"].where(t["end_date"] < end, end) - t["start_date"]).dt.days / MONTH
    active = np.array([(duration > k).sum() for k in range(3, 16)])      # months 3..15: periods 0..12

    def neg_ll(log_ab):                # Fader & Hardie (2007): P(T = t) = B(a + 1, b + t - 1)/B(a, b), S(t) = B(a, b + t)/B(a, b)
        a, b = np.exp(log_ab)
        periods = np.arange(1, 13)
        lost = active[:-1] - active[1:]
        return -(lost @ (betaln(a + 1, b + periods - 1) - betaln(a, b)) + active[-1] * (betaln(a, b + 12) - betaln(a, b)))
    fit = minimize(neg_ll, [0.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    a, b = np.exp(fit.x)
    return active[0] * np.exp(betaln(a, b + 33) - betaln(a, b))


def bgbb_lapsed():
    from lifetimes import BetaGeoBetaBinomFitter

    from retention_kit.datasets import make_occasions
    preorders, _ = make_occasions(5000, random_state=7)        # the simulated data; the summary and fit are by hand
    bought = preorders.to_numpy()
    last = np.where(bought.any(axis=1), bought.shape[1] - np.argmax(bought[:, ::-1], axis=1), 0)
    patterns = pd.DataFrame({"frequency": bought.sum(axis=1), "recency": last, "n": bought.shape[1]}).value_counts()
    patterns = patterns.rename("weights").reset_index()
    model = BetaGeoBetaBinomFitter().fit(patterns["frequency"], patterns["recency"], patterns["n"], patterns["weights"])
    return float(np.ravel(model.conditional_expected_number_of_purchases_up_to_time(
        5, np.array([2]), np.array([3]), np.array([6])))[0])


def year_counts():
    tx = coffee()
    in_2025 = tx[(tx["date"] >= "2025-01-01") & (tx["date"] < "2026-01-01")]
    return in_2025.groupby("customer_id").size()


def second_within_90d():
    tx = coffee()
    first = tx.groupby("customer_id")["date"].transform("min")
    eligible = first + pd.Timedelta(days=90) <= pd.Timestamp("2026-01-01")
    counts = tx[eligible & (tx["date"] < first + pd.Timedelta(days=90))].groupby("customer_id").size()
    return (counts >= 2).mean()


def selection_three():
    tx = coffee()
    first = tx.groupby("customer_id")["date"].transform("min")
    eligible = first + pd.Timedelta(days=365) <= pd.Timestamp("2026-01-01")
    counts = tx[eligible & (tx["date"] < first + pd.Timedelta(days=365))].groupby("customer_id").size()
    rate = planted_truth("coffee_transactions")["customers"].set_index("customer_id")["purchase_rate"]
    return rate[counts.index[counts >= 3]].mean() / rate[counts.index[counts < 3]].mean()


def retained_2025():
    t = subs()
    return t[(t["start_date"] < "2025-01-01") & ~(t["end_date"] < "2026-01-01")]


def spend_2025():
    costs = csv("retention_costs", parse_dates=["date"])
    return costs[(costs["date"] >= "2025-01-01") & (costs["date"] < "2026-01-01")]


def crc():
    return spend_2025()["amount"].sum() / len(retained_2025())


def crc_h1():
    costs = csv("retention_costs", parse_dates=["date"])
    t = subs()
    kept = (t["start_date"] < "2025-01-01") & ~(t["end_date"] < "2025-07-01")
    return costs.loc[(costs["date"] >= "2025-01-01") & (costs["date"] < "2025-07-01"), "amount"].sum() / kept.sum()


def fastest_growing():
    costs = csv("retention_costs", parse_dates=["date"])
    spend = costs.groupby([costs["date"].dt.year, "program"])["amount"].sum().unstack(0)
    return (spend[2025] - spend[2024]).idxmax()


def lifetimes_split():
    from lifetimes.utils import calibration_and_holdout_data
    tx = coffee().assign(date=lambda d: d["date"].dt.normalize())
    return calibration_and_holdout_data(tx, "customer_id", "date", calibration_period_end="2025-06-30",
                                        observation_period_end="2025-12-31", monetary_value_col="amount")


def gg_check_calibration():
    split = lifetimes_split()
    repeat = split[split["frequency_cal"] > 0]
    return stats.pearsonr(repeat["frequency_cal"], repeat["monetary_value_cal"]).statistic


def captured_top20():
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    split = lifetimes_split()
    f, r, T = split["frequency_cal"], split["recency_cal"], split["T_cal"]
    bg = BetaGeoFitter().fit(f, r, T)
    repeat = split[f > 0]
    gg = GammaGammaFitter().fit(repeat["frequency_cal"], repeat["monetary_value_cal"])
    spend = gg.conditional_expected_average_profit(f, split["monetary_value_cal"]).to_numpy()
    cumulative = [np.zeros(len(split))] + [
        bg.conditional_expected_number_of_purchases_up_to_time(k * MONTH, f, r, T).to_numpy() for k in range(1, 7)]
    predicted = sum(0.6 * spend * (cumulative[k] - cumulative[k - 1]) / 1.01 ** k for k in range(1, 7))
    tx = coffee()
    after = tx[tx["date"] >= "2025-07-01"].groupby("customer_id")["amount"].sum()
    outcome = 0.6 * after.reindex(split.index, fill_value=0.0).to_numpy()
    first_half = tx[(tx["date"] >= "2025-01-01") & (tx["date"] < "2025-07-01")].groupby("customer_id")["amount"].sum()
    recent = 0.6 * first_half.reindex(split.index, fill_value=0.0).to_numpy()
    targeted = math.ceil(0.2 * len(split))

    def captured(score):
        return outcome[np.argsort(-score, kind="stable")[:targeted]].sum() / outcome.sum()
    return captured(predicted) - captured(recent)


INDEPENDENT = {
    "00-warm-up": lambda: len(csv("saas_subscriptions")),
    "01-lowest-touchpoint-nps": lowest_touchpoint_nps,
    "01-sample-size": sample_size,
    "01-support-change-significant": support_change_significant,
    "01-promoter-passive-ratio": promoter_passive_ratio,
    "01-judge-programme": lambda: "c",
    "02-support-change": support_change,
    "02-support-renewal-gap": support_renewal_gap,
    "02-judge-support": lambda: "a",
    "03-churn-q2-2025": lambda: churn(subs(), "2025-04-01", "2025-07-01"),
    "03-annual-from-monthly": lambda: 1 - 0.97 ** 12,
    "03-enterprise-gap": enterprise_gap,
    "03-judge-support": lambda: "b",
    "04-fixed-cohorts-month12": fixed_cohorts_month12,
    "04-promo-extra-active6": promo_extra_active6,
    "04-basic-months-apart": basic_months_apart,
    "04-sbg-month36-from12": sbg_month36_from12,
    "04-judge-promotion": lambda: "c",
    "05-second-within-90d": second_within_90d,
    "05-more-than-five": lambda: year_counts()[year_counts() > 5].sum() / year_counts().sum(),
    "05-selection-three": selection_three,
    "05-judge-sixth-purchase": lambda: "a",
    "06-crc-h1-2025": crc_h1,
    "06-fastest-growing-program": fastest_growing,
    "06-payback-months": lambda: crc() / (0.8 * subs().query("plan == 'basic'")["monthly_fee"].iloc[0]),
    "06-judge-payback": lambda: "b",          # judgement questions: the answer is the model answer's choice
    "06-judge-support": lambda: "c",
    "07-formula-start": lambda: 23.20 * 1.01 / (1.01 - 0.96),
    "07-gg-check-calibration": gg_check_calibration,
    "07-captured-top20": captured_top20,
    "07-bgbb-lapsed": bgbb_lapsed,
    "07-judge-offer": lambda: "c",
}


def lesson08_truth():
    """Lesson 08's exercises against the simulator's true tables, never through the warehouse's SQL."""
    from retention_kit.datasets import make_customer_sources
    from retention_kit.exercises.lesson08 import SOURCES_SEED
    return make_customer_sources(random_state=SOURCES_SEED).truth["tables"]


def business_at_start_2025():
    c = lesson08_truth()["customers"]
    return int(((c["plan"] == "business") & (c["signup_date"] < "2025-01-01") & ~(c["cancelled_on"] < "2025-01-01")).sum())


def business_invoices_2025():
    t = lesson08_truth()
    business = set(t["customers"].loc[t["customers"]["plan"] == "business", "customer_id"])
    inv = t["invoices"]
    return inv.loc[inv["customer_id"].isin(business) & (inv["date"].dt.year == 2025), "amount"].sum()


def tickets_2025_utc():
    opened = lesson08_truth()["tickets"]["opened_at"]
    return int(((opened >= pd.Timestamp("2025-01-01", tz="UTC")) & (opened < pd.Timestamp("2026-01-01", tz="UTC"))).sum())


INDEPENDENT.update({
    "08-business-at-start-2025": business_at_start_2025,
    "08-business-invoices-2025": business_invoices_2025,
    "08-tickets-2025-utc": tickets_2025_utc,
    "08-judge-orphans": lambda: "c",
    "08-judge-low-csat": lambda: "b",
})


def lesson10_split():
    """Lesson 10's data: the kit's features (tested on their own in test_churn_prediction), labels from the truth."""
    from retention_kit import churn
    from retention_kit.datasets import make_streaming_activity
    from retention_kit.exercises.lesson10 import ACTIVITY_SEED, TEST_CUTOFF, TRAIN_CUTOFF
    activity, truth = make_streaming_activity(random_state=ACTIVITY_SEED)
    return churn.time_split(activity, truth["subscribers"], train_cutoff=TRAIN_CUTOFF, test_cutoff=TEST_CUTOFF), truth


def base_rate_train():
    _, truth = lesson10_split()
    subs, cutoff = truth["subscribers"], pd.Timestamp("2025-03-03")
    at_risk = subs[(subs["start_date"] < cutoff) & ~(subs["end_date"] < cutoff)]
    return (at_risk["end_date"] < cutoff + pd.Timedelta(weeks=8)).mean()


def best_share_cheaper_offer():
    """The best share from the formula by brute force over every prefix of the ranking, in numpy."""
    from retention_kit.exercises.lesson10 import campaign_inputs
    p, clv = campaign_inputs()
    order = np.argsort(-p.to_numpy(), kind="stable")
    pp, value = p.to_numpy()[order], clv.to_numpy()[order]
    profit = np.r_[0, np.cumsum(pp * 0.3 * (value - 3.0) - (1 - pp) * 3.0 - 0.25)]
    return np.argmax(profit) / len(pp)


INDEPENDENT.update({
    "10-base-rate-train": base_rate_train,
    "10-best-share-cheaper-offer": best_share_cheaper_offer,
    "10-profit-one-subscriber": lambda: 0.4 * 0.3 * (150 - 6) - 0.6 * 6 - 0.25,     # 17.28 - 3.60 - 0.25
    "10-judge-leak": lambda: "b",
    "10-judge-campaign-credit": lambda: "b",
})


def lesson09():
    """Lesson 09's data; the clusters from scikit-learn directly, the RFM scores and offer values in plain pandas."""
    from sklearn.cluster import KMeans
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from retention_kit.datasets import make_hotel_stays, make_offer_test
    from retention_kit.exercises.lesson09 import STAYS_SEED, TEST_SEED
    from retention_kit.segments import behaviour_features
    stays, truth = make_hotel_stays(random_state=STAYS_SEED)
    features = behaviour_features(stays)
    labels = pd.Series(make_pipeline(StandardScaler(), KMeans(n_clusters=3, n_init=10, random_state=0))
                       .fit(features.to_numpy()).named_steps["kmeans"].labels_, index=features.index)
    test, planted = make_offer_test(stays, truth, random_state=TEST_SEED)
    return stays, features, labels, test, planted


def champions_share():
    stays = lesson09()[0]
    days = stays.assign(day=stays["date"].dt.normalize()).groupby("customer_id")["day"]
    first, last, n = days.min(), days.max(), days.nunique()
    since_last = (pd.Timestamp("2026-01-01") - first).dt.days - (last - first).dt.days
    def score(values):                            # 1 + floor(5 x (customers strictly below) / n), ties together
        below = values.rank(method="min") - 1
        return 1 + (5 * below // len(values))
    r, f = score(-since_last), score(n - 1)
    return ((r >= 4) & (f >= 4)).mean()


def extra_bookings():
    _, features, labels, test, planted = lesson09()
    rates = test.assign(cluster=test["customer_id"].map(labels)).pivot_table(index="cluster", columns="offer",
                                                                             values="accepted", aggfunc="mean")
    lift = rates.drop(columns="none").sub(rates["none"], axis=0)
    value = lift * pd.Series(planted["margin"]).drop("none") - pd.Series(planted["cost"]).drop("none")
    sizes = labels.value_counts()
    uniform = value.mul(sizes, axis=0).sum().idxmax()
    best = value.idxmax(axis=1)
    return sum(sizes[c] * (lift.loc[c, best[c]] - lift.loc[c, uniform]) for c in sizes.index)


def spa_value_leisure():
    _, features, labels, test, planted = lesson09()
    leisure = features["spa_share"].groupby(labels).median().idxmax()
    guests = test[test["customer_id"].map(labels) == leisure]
    rate = guests.groupby("offer")["accepted"].mean()
    return (rate["spa"] - rate["none"]) * planted["margin"]["spa"] - planted["cost"]["spa"]


INDEPENDENT.update({
    "09-rfm-champions-share": champions_share,
    "09-extra-bookings": extra_bookings,
    "09-spa-value-leisure": spa_value_leisure,
    "09-judge-k": lambda: "b",
    "09-judge-offer-effect": lambda: "a",
})


def lesson12():
    from retention_kit.exercises.lesson12 import offer_test
    return offer_test()


def uplift_top_20():
    """k (treated rate - control rate) among the top k, in pandas, on the lesson's two-model uplift (its fit is
    tested in test_uplift)."""
    from retention_kit.exercises.lesson12 import two_model_uplift
    evaluation = lesson12()[3]
    top = two_model_uplift().sort_values(ascending=False, kind="stable").index[:int(round(0.2 * len(evaluation)))]
    part = evaluation.loc[top]
    t, y = part["treated"], part["retained"]
    return len(part) * (y[t].mean() - y[~t].mean())


def holdout_effect():
    from retention_kit.datasets import make_weekly_churn
    weekly = make_weekly_churn(random_state=12)
    after = weekly[weekly["after_rollout"]].groupby("group")[["cancelled", "at_risk"]].sum()
    rate = after["cancelled"] / after["at_risk"]
    return rate["action"] - rate["holdout"]


def lift_kids_screen():
    from retention_kit.datasets import make_add_on_holdings
    h, _ = make_add_on_holdings(random_state=12)
    return (h["kids"] & h["extra_screen"]).mean() / (h["kids"].mean() * h["extra_screen"].mean())


def uplift_discount_users():
    test = lesson12()[0]
    users = test[test["used_discount_before"]]
    return users.loc[users["treated"], "retained"].mean() - users.loc[~users["treated"], "retained"].mean()


def sample_size_64_67():
    from statsmodels.stats.proportion import samplesize_proportions_2indep_onetail
    return np.ceil(samplesize_proportions_2indep_onetail(0.03, 0.64, 0.8, alternative="two-sided"))


INDEPENDENT.update({
    "12-sample-size": sample_size_64_67,
    "12-uplift-discount-users": uplift_discount_users,
    "12-uplift-top-20": uplift_top_20,
    "12-upsell-basic-to-premium": lambda: 0.6 * 18 * 1.01 / 0.06 - 0.6 * 8 * 1.01 / 0.06,
    "12-lift-kids-screen": lift_kids_screen,
    "12-holdout-effect": holdout_effect,
    "12-judge-risk-targeting": lambda: "c",
    "12-judge-control-chart": lambda: "b",
})


def test_every_exercise_has_an_independent_answer():
    """Here, or in a tests/test_<lesson or case study>_answers.py of its own that names the exercise."""
    import re
    from pathlib import Path
    elsewhere = {name for f in Path(__file__).parent.glob("test_*_answers.py") if f.name != Path(__file__).name
                 for name in re.findall(r'"([a-z0-9]+-[a-z0-9-]+)"', f.read_text())}
    assert sorted(set(INDEPENDENT) | (elsewhere & set(exercises.exercises()))) == sorted(exercises.exercises())


@pytest.mark.parametrize("exercise_id", sorted(INDEPENDENT))
def test_expected_answer_matches_the_independent_computation(exercise_id):
    expected = exercises.expected_answer(exercise_id)
    independent = INDEPENDENT[exercise_id]()
    kind = exercises.exercises()[exercise_id].kind
    if kind in ("choice", "bool"):
        assert expected == independent
    else:
        # fits by two optimisers agree to about 1e-4; everything else is the same arithmetic
        assert float(expected) == pytest.approx(float(independent), rel=1e-3 if exercise_id.startswith("07-") or "sbg" in exercise_id else 1e-9)

