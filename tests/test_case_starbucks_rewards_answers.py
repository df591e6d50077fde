"""Each expected answer of the Starbucks Rewards case study, computed independently from the raw event log with plain
pandas, numpy and scipy (not with rk.programs.rewards), and compared with what rk.check expects."""
import functools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import retention_kit as rk
from retention_kit.exercises import expected_answer

SEND = pd.Timestamp("2025-07-01")


@functools.cache
def raw():
    data, truth = rk.datasets.make_rewards_program(random_state=71)
    e, a, p = data.events, data.assignments, data.profiles
    tenure = (SEND - p["member_since"]).dt.days
    segment = np.select([p["income"] < 50_000, tenure < 365], ["budget", "new"], "established")
    members = pd.DataFrame({"arm": a["arm"], "segment": pd.Series(segment, index=p.index).reindex(a.index)})
    tx = e[(e["event"] == "transaction") & (e["date"] >= SEND) & (e["date"] < SEND + pd.Timedelta(days=14))]
    members["spend"] = tx.groupby("member_id")["amount"].sum().reindex(a.index).fillna(0.0)
    done = e[(e["event"] == "offer completed") & (e["date"] >= SEND) & (e["date"] < SEND + pd.Timedelta(days=14))]
    members["paid"] = done.groupby("member_id")["reward"].sum().reindex(a.index).fillna(0.0)
    members["net"] = 0.6 * members["spend"] - members["paid"]
    members["train"] = np.random.default_rng(71).random(len(a)) < 0.5
    return data, members


def caused_completions_budget():
    """discount_20_5 among budget members: completed (a completion event inside its 10 days) minus the budget control's
    share spending 20 dollars in the same 10 days."""
    data, m = raw()
    e = data.events
    stop = SEND + pd.Timedelta(days=10)
    budget = m[m["segment"] == "budget"]
    sent = budget.index[budget["arm"] == "discount_20_5"]
    done = e.loc[(e["event"] == "offer completed") & (e["offer_id"] == "discount_20_5") & (e["date"] < stop), "member_id"]
    control = budget.index[budget["arm"] == "none"]
    tx = e[(e["event"] == "transaction") & e["member_id"].isin(control) & (e["date"] >= SEND) & (e["date"] < stop)]
    anyway = (tx.groupby("member_id")["amount"].sum().reindex(control, fill_value=0) >= 20).mean()
    return sent.isin(done).mean() - anyway


def spend_effect_budget_discount():
    _, m = raw()
    budget = m[m["segment"] == "budget"]
    treated, control = budget.loc[budget["arm"] == "discount_7_3", "spend"], budget.loc[budget["arm"] == "none", "spend"]
    ref = stats.ttest_ind(treated, control, equal_var=False)            # the same difference, scipy's reading
    assert ref.confidence_interval().low < treated.mean() - control.mean() < ref.confidence_interval().high
    return treated.mean() - control.mean()


def policy_value(held, policy, against, y="net"):
    value = 0.0
    for s, g in held.groupby("segment"):
        other = against if isinstance(against, str) else against[s]
        value += len(g) / len(held) * (g.loc[g["arm"] == policy[s], y].mean() - g.loc[g["arm"] == other, y].mean())
    return value


def stated_policy_value():
    _, m = raw()
    stated = {"budget": "discount_7_3", "established": "informational", "new": "bogo_5"}
    return policy_value(m[~m["train"]], stated, "discount_7_3")


def yearly_gain_40():
    """The guarded rule by hand (an offer only if scipy's Welch 95% interval against nothing, on the training half, lies
    above zero), valued on the held-out half at a 40% margin, rewards at face value, 12 sends of the whole send."""
    data, m = raw()
    train, held = m[m["train"]], m[~m["train"]]
    policy = {}
    for s, g in train.groupby("segment"):
        candidates = ["none"] + [a for a in g["arm"].unique() if a != "none" and stats.ttest_ind(
            g.loc[g["arm"] == a, "net"], g.loc[g["arm"] == "none", "net"], equal_var=False).confidence_interval().low > 0]
        policy[s] = max(candidates, key=lambda a: g.loc[g["arm"] == a, "net"].mean())
    offers = train[train["arm"] != "none"]
    single = max(offers["arm"].unique(), key=lambda a: offers.loc[offers["arm"] == a, "net"].mean())
    held = held.assign(net40=0.4 * held["spend"] - held["paid"])
    return policy_value(held, policy, single, y="net40") * len(data.assignments) * 12


def holm_spend():
    from statsmodels.stats.multitest import multipletests
    _, m = raw()
    p = []
    for (s, arm), g in m[m["arm"] != "none"].groupby(["segment", "arm"]):
        control = m.loc[(m["segment"] == s) & (m["arm"] == "none"), "spend"]
        p.append(stats.ttest_ind(g["spend"], control, equal_var=False).pvalue)
    assert len(p) == 15
    return int(multipletests(p, alpha=0.05, method="holm")[0].sum())


INDEPENDENT = {
    "starbucks-caused-completions-budget": (caused_completions_budget, 1e-12),
    "starbucks-spend-effect-budget-discount": (spend_effect_budget_discount, 1e-9),
    "starbucks-stated-policy-value": (stated_policy_value, 1e-9),
    "starbucks-yearly-gain-40": (yearly_gain_40, 1e-4),
    "starbucks-holm-spend": (holm_spend, None),
    "starbucks-judge-completion": (lambda: "b", None),
    "starbucks-judge-tenure": (lambda: "c", None),
}


@pytest.mark.parametrize("exercise_id", sorted(INDEPENDENT))
def test_expected_answer_matches_an_independent_computation(exercise_id):
    compute, tolerance = INDEPENDENT[exercise_id]
    if tolerance is None:
        assert expected_answer(exercise_id) == compute()
    else:
        assert expected_answer(exercise_id) == pytest.approx(compute(), abs=tolerance)


def test_the_judgement_answers_rest_on_the_data():
    """(b) for completion: most established members sent bogo_5 complete it (new members at least as often), and
    their net value against those sent nothing has a negative estimate whose Welch interval holds zero; (c) for tenure:
    the members still visiting after a year spend about the same in their 1st and 12th months."""
    data, m = raw()
    est = m[m["segment"] == "established"]
    done = data.events.loc[(data.events["event"] == "offer completed") & (data.events["offer_id"] == "bogo_5"),
                           "member_id"]
    rate = m[m["arm"] == "bogo_5"].assign(done=lambda f: f.index.isin(done)).groupby("segment")["done"].mean()
    assert rate["established"] > 0.5 and rate["new"] >= rate["established"]
    x, y = est.loc[est["arm"] == "bogo_5", "net"], est.loc[est["arm"] == "none", "net"]
    ci = stats.ttest_ind(x, y, equal_var=False).confidence_interval()
    assert x.mean() < y.mean() and ci.low < 0 < ci.high
    tx = data.events[data.events["event"] == "transaction"]
    month = np.floor((tx["date"] - tx["member_id"].map(data.profiles["member_since"])).dt.days / (365.25 / 12))
    early = data.profiles.index[data.profiles["member_since"] <= pd.Timestamp("2024-05-02")]
    stayers = np.intersect1d(tx.loc[month.between(12, 14), "member_id"], early)
    spend = tx[tx["member_id"].isin(stayers)].groupby(month[tx["member_id"].isin(stayers)])["amount"].sum()
    assert abs(spend.loc[11] / spend.loc[0] - 1) < 0.1
