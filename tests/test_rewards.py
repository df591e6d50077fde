"""The rewards-app analysis (rk.programs.rewards): hand-worked cases, scipy and statsmodels computing the same
thing, a brute-force bootstrap, and the simulator's planted effects recovered over several seeds."""
import functools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import retention_kit as rk
from retention_kit.programs import rewards
from retention_kit.exercises.case_starbucks_rewards import segments

SEND = pd.Timestamp("2025-07-01")


@functools.cache
def case(seed):
    data, truth = rk.datasets.make_rewards_program(random_state=seed)
    out = rewards.offer_outcomes(data.assignments, data.events, data.portfolio)
    out["segment"] = segments(data.profiles).reindex(out.index)
    return data, truth, out


def tiny():
    a = pd.DataFrame({"date": ["2025-07-01"] * 4, "arm": ["bogo_5", "bogo_5", "none", "none"]}, index=list("abcd"))
    p = pd.DataFrame({"difficulty": [5.0], "reward": [5.0], "duration_days": [7]}, index=["bogo_5"])
    rows = [("a", "2025-06-30 08:00", "transaction", None, 9.0, None),
            ("a", "2025-07-01 09:00", "offer viewed", "bogo_5", None, None),
            ("a", "2025-07-01 10:00", "transaction", None, 6.0, None),
            ("a", "2025-07-01 10:00", "offer completed", "bogo_5", None, 5.0),
            ("b", "2025-07-03 08:00", "transaction", None, 3.0, None),
            ("b", "2025-07-14 23:59", "transaction", None, 2.0, None),
            ("c", "2025-07-05 08:00", "transaction", None, 8.0, None),
            ("c", "2025-07-15 00:00", "transaction", None, 50.0, None),
            ("d", "2025-07-09 08:00", "transaction", None, 4.0, None)]
    e = pd.DataFrame(rows, columns=["member_id", "date", "event", "offer_id", "amount", "reward"])
    e["date"] = pd.to_datetime(e["date"])
    return a, p, e


# --- outcomes, by hand ---------------------------------------------------------------------------------------------
def test_offer_outcomes_by_hand():
    a, p, e = tiny()
    out = rewards.offer_outcomes(a, e, p, window_days=14, gross_margin=0.5)
    # a: 6 in the window (the 9 is before the send), completed (reward 5), viewed; b: 3 + 2 (the 14th at 23:59 is in
    # [send, send + 14 days)); c: 8 (the 15th is out); d: 4
    assert out["spend"].tolist() == [6.0, 5.0, 8.0, 4.0] and out["visits"].tolist() == [1, 2, 1, 1]
    assert out["completed"].tolist() == [True, False, False, False] and out["viewed"].tolist() == [True, False,
                                                                                                  False, False]
    assert out["net_value"].tolist() == pytest.approx([0.5 * 6 - 5, 2.5, 4.0, 2.0])


def test_completion_vs_effect_by_hand_and_against_statsmodels():
    from statsmodels.stats.proportion import confint_proportions_2indep
    a, p, e = tiny()
    row = rewards.completion_vs_effect(a, e, p).loc["bogo_5"]
    # a completed (1 of 2); control: c spent 8 within 7 days (reaches 5), d spent 4 (does not): 1 of 2 anyway
    assert (row["completed"], row["anyway"], row["caused"], row["completed_unviewed"]) == (0.5, 0.5, 0.0, 0.0)
    data, truth, _ = case(11)
    table = rewards.completion_vs_effect(data.assignments, data.events, data.portfolio)
    sent = data.assignments["arm"]
    for offer, r in table.iterrows():
        members = sent.index[sent == offer]
        done = data.events[(data.events["event"] == "offer completed") & (data.events["offer_id"] == offer)]
        k_o = int(members.isin(done["member_id"]).sum())
        k_c = int(truth["completed_anyway"].loc[sent.index[sent == "none"], offer].sum())
        n_c = int((sent == "none").sum())
        assert (r["completed"], r["anyway"]) == pytest.approx((k_o / len(members), k_c / n_c))
        assert (r["ci_low"], r["ci_high"]) == pytest.approx(confint_proportions_2indep(
            k_o, len(members), k_c, n_c, method="newcomb"))


def test_completions_caused_recover_the_planted_share():
    """Planted: completed = would complete if sent, anyway = would reach the difficulty with no offer; their mean
    difference over the members of the send is the completions caused."""
    for seed in (11, 12):
        data, truth, _ = case(seed)
        table = rewards.completion_vs_effect(data.assignments, data.events, data.portfolio)
        planted = truth["completed"].mean() - truth["completed_anyway"].mean()
        inside = [(r["ci_low"] - 0.01 <= planted[o] <= r["ci_high"] + 0.01) for o, r in table.iterrows()]
        assert sum(inside) >= 3, (seed, table, planted)
        assert (table["caused_share"] < 0.35).all()                  # most completions were not caused


# --- effects -------------------------------------------------------------------------------------------------------
def test_offer_effects_agree_with_scipy_welch():
    _, _, out = case(11)
    table = rewards.offer_effects(out, by="segment", confidence=0.9)
    for (segment, offer), row in table.sample(5, random_state=0).iterrows():
        x = out.loc[(out["segment"] == segment) & (out["arm"] == offer), "net_value"]
        y = out.loc[(out["segment"] == segment) & (out["arm"] == "none"), "net_value"]
        ref = stats.ttest_ind(x, y, equal_var=False)
        assert row["effect"] == pytest.approx(x.mean() - y.mean())
        assert row["p_value"] == pytest.approx(ref.pvalue)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(tuple(ref.confidence_interval(0.9)))
    plain = rewards.offer_effects(out, outcome="visits")
    assert plain.index.name == "offer" and len(plain) == 5


def test_offer_effects_recover_the_planted_effects_over_seeds():
    """Each interval is a 95% interval: over 3 seeds x 15 cells, at least 85% contain the planted effect."""
    inside = []
    for seed in (11, 12, 13):
        _, truth, out = case(seed)
        table = rewards.offer_effects(out, by="segment")
        planted = truth["effects"].stack().reindex(table.index)
        inside += list((table["ci_low"] <= planted) & (planted <= table["ci_high"]))
    assert np.mean(inside) >= 0.85


# --- policies ------------------------------------------------------------------------------------------------------
def test_offer_policy_value_by_hand_and_against_a_bootstrap():
    o = pd.DataFrame({"s": ["x"] * 6 + ["y"] * 4, "arm": ["a", "a", "none", "none", "a", "none"] + ["a", "none"] * 2,
                      "net_value": [4.0, 6, 1, 3, 5, 2, 0, 2, 9, 7]})
    r = rewards.offer_policy_value(o, {"x": "a", "y": "none"}, by="s")
    # x: weight 6/10, a = 4, 6, 5 (mean 5, variance 1), none = 1, 3, 2 (mean 2, variance 1); y: the same arm, 0
    assert r.value == pytest.approx(0.6 * 3)
    assert r.se == pytest.approx(0.6 * np.sqrt(1 / 3 + 1 / 3))
    assert r.parts["value_policy"] == pytest.approx(0.6 * 5 + 0.4 * 4.5)
    _, _, out = case(11)
    policy = {"budget": "discount_7_3", "established": "none", "new": "bogo_5"}
    kit = rewards.offer_policy_value(out, policy, by="segment", against="bogo_5")

    def statistic(d):
        w = d["segment"].value_counts(normalize=True)
        return sum(w[s] * (d.loc[(d["segment"] == s) & (d["arm"] == policy[s]), "net_value"].mean()
                           - d.loc[(d["segment"] == s) & (d["arm"] == "bogo_5"), "net_value"].mean()) for s in w.index)
    boot = rk.uncertainty.bootstrap(out, statistic, n_resamples=300, random_state=0)
    assert kit.value == pytest.approx(boot.value)
    assert kit.se == pytest.approx(boot.se, rel=0.2)


def test_the_personalized_policy_beats_the_best_single_offer_on_held_out_members():
    """Planted: the winners (budget / discount_7_3, new / bogo_5) are large, so both learning rules find them and the
    held-out gain over the best single offer is positive; its interval holds the planted gain (tolerance 0.5)."""
    lower = []
    for seed in (11, 12, 13):
        _, truth, out = case(seed)
        train = np.random.default_rng(seed).random(len(out)) < 0.5
        tr, ev = out[train], out[~train]
        single = tr[tr["arm"] != "none"].groupby("arm")["net_value"].mean().idxmax()
        potential = truth["net_value"].loc[ev.index]
        for guard in (None, 0.95):
            policy = rewards.learn_offer_policy(tr, by="segment", guard=guard)
            assert (policy["budget"], policy["new"]) == ("discount_7_3", "bogo_5")
            gain = rewards.offer_policy_value(ev, policy, by="segment", against=single)
            planted = np.mean([potential.at[m, policy[s]] for m, s in ev["segment"].items()]) - potential[single].mean()
            assert planted > 0 and gain.value > 0, (seed, policy, single, gain)
            assert gain.ci[0] - 0.5 <= planted <= gain.ci[1] + 0.5
            lower.append(gain.ci[0])
    assert np.mean(np.array(lower) > 0) >= 0.5


# --- spend by tenure -----------------------------------------------------------------------------------------------
def test_spend_by_tenure_against_a_plain_loop():
    data, _, _ = case(11)
    profiles = data.profiles.sample(400, random_state=0)
    table = rewards.spend_by_tenure(data.events, profiles, observation_period_end="2025-08-01", months=6)
    tx = data.events[(data.events["event"] == "transaction") & data.events["member_id"].isin(profiles.index)]
    month_length = pd.Timedelta(days=365.25 / 12)
    for k in (0, 3, 5):
        seen = [m for m, s in profiles["member_since"].items() if s + (k + 1) * month_length <= pd.Timestamp("2025-08-01")]
        spend, active = 0.0, set()
        for m, d, amount in tx[["member_id", "date", "amount"]].itertuples(index=False):
            start = profiles.at[m, "member_since"] + k * month_length
            if m in seen and start <= d < start + month_length:
                spend += amount
                active.add(m)
        row = table.loc[k]
        assert (row["members"], row["active"]) == (len(seen), len(active))
        assert row["spend_per_member"] == pytest.approx(spend / len(seen))
        assert row["spend_per_active"] == pytest.approx(spend / len(active))


def test_learn_offer_policy_by_hand():
    o = pd.DataFrame({"s": ["x"] * 12 + ["y"] * 4, "arm": list(np.repeat(["a", "b", "none"], 4)) + ["a", "a", "none", "none"],
                      "net_value": [4.0, 5, 6, 5, 2, 12, 2, 12, 1, 2, 3, 2, 0, 1, 5, 6]})
    assert rewards.learn_offer_policy(o, by="s") == {"x": "b", "y": "none"}            # means x: a 5, b 7, none 2
    # guard 0.9: a - none = 3, se sqrt(2 (2/3) / 4), t(6) = 1.94 -> low 1.88 > 0; b - none = 5, Welch low < 0
    ref = stats.ttest_ind([2.0, 12, 2, 12], [1.0, 2, 3, 2], equal_var=False).confidence_interval(0.9)
    assert ref.low < 0
    assert rewards.learn_offer_policy(o, by="s", guard=0.9) == {"x": "a", "y": "none"}
    with pytest.raises(rk.InputError, match="guard"):
        rewards.learn_offer_policy(o, by="s", guard=95)


def test_runner_up_gaps_against_scipy():
    _, _, out = case(11)
    train = np.random.default_rng(0).random(len(out)) < 0.5
    tr, ev = out[train], out[~train]
    policy = rewards.learn_offer_policy(tr, by="segment")
    table = rewards.runner_up_gaps(tr, ev, policy, by="segment")
    for segment, row in table.iterrows():
        means = tr[tr["segment"] == segment].groupby("arm")["net_value"].mean().sort_values(ascending=False)
        assert (row["chosen"], row["runner_up"]) == (means.index[0], means.index[1])
        x = ev.loc[(ev["segment"] == segment) & (ev["arm"] == row["chosen"]), "net_value"]
        y = ev.loc[(ev["segment"] == segment) & (ev["arm"] == row["runner_up"]), "net_value"]
        ref = stats.ttest_ind(x, y, equal_var=False)
        assert row["gap"] == pytest.approx(x.mean() - y.mean())
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(tuple(ref.confidence_interval()))


def test_split_optimism_against_a_plain_loop():
    """The kit's fast loop against pandas on the same random halves (same generator, same draws)."""
    _, _, out = case(11)
    runs = rewards.split_optimism(out, by="segment", n_splits=3, random_state=5)
    rng = np.random.default_rng(5)
    for k in range(3):
        mask = rng.random(len(out)) < 0.5
        tr, ev = out[mask], out[~mask]
        policy = tr.groupby(["segment", "arm"])["net_value"].mean().unstack().idxmax(axis=1)
        single = tr[tr["arm"] != "none"].groupby("arm")["net_value"].mean().idxmax()
        for name, half in (("train", tr), ("held_out", ev)):
            gain = rewards.offer_policy_value(half, policy.to_dict(), by="segment", against=single).value
            value = rewards.offer_policy_value(half, policy.to_dict(), by="segment").value
            assert runs.loc[k, f"gain_{name}"] == pytest.approx(gain)
            assert runs.loc[k, f"value_{name}"] == pytest.approx(value)
        assert runs.loc[k, "single"] == single
        assert [runs.loc[k, f"arm_{s}"] for s in policy.index] == policy.tolist()


def test_split_optimism_measures_pure_selection():
    """No arm does anything (planted effect 0): the held-out value averages 0 (3 standard errors), the training value
    is biased upwards by choosing the luckiest arm."""
    rng = np.random.default_rng(3)
    o = pd.DataFrame({"segment": np.repeat(["x", "y"], 3000), "arm": np.tile(np.repeat(["a", "b", "none"], 1000), 2),
                      "net_value": rng.normal(0, 1, 6000)})
    runs = rewards.split_optimism(o, by="segment", n_splits=400, random_state=0)
    held = runs["value_held_out"]
    assert abs(held.mean()) < 3 * 0.063 / np.sqrt(20)          # a single split's sd is about sqrt(2/500)=0.063
    assert (runs["value_train"] - held).mean() > 0.02


# --- adjustments ---------------------------------------------------------------------------------------------------
def test_adjust_effects_against_statsmodels_multipletests():
    from statsmodels.stats.multitest import multipletests
    _, _, out = case(11)
    table = rewards.offer_effects(out, by="segment")
    for method in ("holm", "bonferroni", "fdr_bh"):
        got = rewards.adjust_effects(table, method=method)
        reject, p_adj, _, _ = multipletests(table["p_value"], alpha=0.05, method=method)
        assert got["p_adjusted"].to_numpy() == pytest.approx(p_adj)
        assert got["kept"].tolist() == reject.tolist()
    # Bonferroni's simultaneous interval is the t interval at 1 - 0.05 / 15: offer_effects at that confidence
    wide = rewards.offer_effects(out, by="segment", confidence=1 - 0.05 / len(table))
    got = rewards.adjust_effects(table)
    assert got["ci_low_adjusted"].to_numpy() == pytest.approx(wide["ci_low"].to_numpy())
    assert got["ci_high_adjusted"].to_numpy() == pytest.approx(wide["ci_high"].to_numpy())
    with pytest.raises(rk.InputError, match="method"):
        rewards.adjust_effects(table, method="sidak")
    with pytest.raises(rk.InputError, match="no column 'se'"):
        rewards.adjust_effects(table.drop(columns="se"))


def test_adjusted_offer_effects_against_statsmodels_ols_hc2():
    import statsmodels.api as sm
    _, truth, out = case(11)
    table = rewards.adjusted_offer_effects(out, covariate="pre_spend", by="segment")
    for (segment, offer), row in table.sample(4, random_state=1).iterrows():
        part = out[(out["segment"] == segment) & out["arm"].isin([offer, "none"])]
        treated = (part["arm"] == offer).astype(float).to_numpy()
        x = part["pre_spend"].to_numpy() - part["pre_spend"].mean()
        design = np.column_stack([np.ones(len(part)), treated, x, treated * x])
        fit = sm.OLS(part["net_value"].to_numpy(), design).fit(cov_type="HC2", use_t=True)
        assert row["effect"] == pytest.approx(fit.params[1])
        assert row["se"] == pytest.approx(fit.bse[1])
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(tuple(fit.conf_int()[1]))
        assert row["p_value"] == pytest.approx(fit.pvalues[1])
    plain = rewards.offer_effects(out, by="segment")
    narrower = (table["ci_high"] - table["ci_low"]) / (plain["ci_high"] - plain["ci_low"])
    assert (narrower < 0.85).all()                               # pre-send spend predicts net value
    planted = truth["effects"].stack().reindex(table.index)
    assert ((table["ci_low"] <= planted) & (planted <= table["ci_high"])).mean() >= 0.8
    o = pd.DataFrame({"arm": ["a"] * 4 + ["none"] * 4, "x": [1.0, 2, 3, 4, 1, 2, 3, 4], "net_value": [3.0, 5, 7, 9, 1, 3, 5, 7]})
    assert rewards.adjusted_offer_effects(o, covariate="x")["effect"].iloc[0] == pytest.approx(2.0)
    with pytest.raises(rk.InputError, match="fewer than three"):
        rewards.adjusted_offer_effects(o.iloc[2:], covariate="x")
    with pytest.raises(rk.InputError, match="missing"):
        rewards.adjusted_offer_effects(o.assign(x=[1.0, None, 3, 4, 1, 2, 3, 4]), covariate="x")


# --- the explorer --------------------------------------------------------------------------------------------------
def test_the_policy_view_and_explorer_show_the_kits_numbers():
    _, _, out = case(11)
    policy = {"budget": "discount_7_3", "established": "none", "new": "bogo_5"}
    text, ax = rewards.offer_policy_view(out, policy, best_single="bogo_5")
    value = rewards.offer_policy_value(out, policy, by="segment")
    assert f"{value.value:.2f} per member against sending nothing" in text and f"{len(out):,} members" in text
    assert "established (chosen: none)" in [t.get_text() for t in ax.texts]
    # choosing on the training half: the plot shows its effects, the text values the held-out half
    train = np.random.default_rng(0).random(len(out)) < 0.5
    text, ax = rewards.offer_policy_view(out[~train], policy, best_single="bogo_5", choose_on=out[train])
    held = rewards.offer_policy_value(out[~train], policy, by="segment")
    assert f"{held.value:.2f} per member" in text and f"{(~train).sum():,} held-out members" in text
    dots = np.asarray(ax.collections[1].get_offsets())[:, 0].tolist()
    assert dots == pytest.approx(rewards.offer_effects(out[train], by="segment")["effect"].tolist())
    assert ax.get_title().startswith("Training half")
    explorer = rewards.offer_policy_explorer(out[~train], policy, best_single="bogo_5", choose_on=out[train])
    explorer.controls["established"].value = "bogo_10"
    moved = rewards.offer_policy_view(out[~train], {**policy, "established": "bogo_10"}, best_single="bogo_5",
                                      choose_on=out[train])[0]
    assert explorer.label.value == "<b>" + rk.results.html_text(moved) + "</b>"


# --- the bugs the review found -------------------------------------------------------------------------------------
def test_offer_events_count_only_inside_the_offers_window():
    """A completion and a reward after the window (or after the offer's validity) are not set against the window's
    spend; a window shorter than an offer's validity says so."""
    a, p, e = tiny()
    late = pd.DataFrame([("b", "2025-07-05 08:00", "transaction", None, 9.0, None),
                         ("b", "2025-07-05 08:00", "offer completed", "bogo_5", None, 5.0),      # inside (day 4)
                         ("a", "2025-08-20 08:00", "offer completed", "bogo_5", None, 5.0),      # a later send's
                         ("a", "2025-08-20 09:00", "offer viewed", "bogo_5", None, None)],
                        columns=e.columns).assign(date=lambda f: pd.to_datetime(f["date"]))
    e2 = pd.concat([e, late], ignore_index=True)
    out = rewards.offer_outcomes(a, e2, p, gross_margin=0.5)
    assert out.loc["a", "reward"] == 5.0 and out.loc["b", "reward"] == 5.0          # not 10 for a
    assert out.loc["b", "net_value"] == pytest.approx(0.5 * 14 - 5)
    with pytest.warns(rk.DataWarning, match="shorter than the validity"):
        short = rewards.offer_outcomes(a, e2, p, window_days=3, gross_margin=0.5)
    # window of 3 days: b's completion on day 4 and its 9 dollars are both out
    assert (short.loc["b", "reward"], short.loc["b", "spend"], short.loc["b", "completed"]) == (0.0, 3.0, False)
    table = rewards.completion_vs_effect(a, e2, p)
    assert table.loc["bogo_5", "completed"] == 1.0                      # a and b, each once


def test_pre_spend_is_the_spend_before_the_send():
    a, p, e = tiny()
    out = rewards.offer_outcomes(a, e, p, pre_days=2)
    assert out["pre_spend"].tolist() == [9.0, 0.0, 0.0, 0.0]           # a's 9 on 2025-06-30
    assert rewards.offer_outcomes(a, e.assign(date=e["date"] - pd.Timedelta(days=3)), p, pre_days=2)[
        "pre_spend"].tolist() == [0.0, 3.0, 0.0, 0.0]    # 3 days earlier, [06-29, 07-01) holds only b's 3 (06-30)


def test_an_unused_category_of_the_segment_is_ignored():
    _, _, out = case(11)
    cat = out.assign(segment=pd.Categorical(out["segment"], categories=["budget", "established", "new", "vip"]))
    plain = rewards.offer_effects(out, by="segment")
    pd.testing.assert_frame_equal(rewards.offer_effects(cat, by="segment").reset_index(drop=True),
                                  plain.reset_index(drop=True))
    policy = {"budget": "discount_7_3", "established": "none", "new": "bogo_5"}
    assert rewards.offer_policy_value(cat, policy, by="segment").value == pytest.approx(
        rewards.offer_policy_value(out, policy, by="segment").value)


def test_duplicate_members_in_the_send_are_refused_with_the_fix():
    a, p, e = tiny()
    with pytest.raises(rk.InputError, match=r"duplicate member id\(s\), e.g. \['a'\].*Fix"):
        rewards.offer_outcomes(pd.concat([a, a.iloc[:1]]), e, p)


# --- bad input -----------------------------------------------------------------------------------------------------
def test_bad_input_is_refused_with_the_fix():
    a, p, e = tiny()
    with pytest.raises(rk.InputError, match="portfolio does not hold"):
        rewards.offer_outcomes(a.assign(arm=["bogo_9", "bogo_5", "none", "none"]), e, p)
    with pytest.raises(rk.InputError, match="amount"):
        rewards.offer_outcomes(a, e.assign(amount=e["amount"].where(e["member_id"] != "d", -4.0)), p)
    with pytest.raises(rk.InputError, match="no amount"):
        rewards.offer_outcomes(a, e.assign(amount=e["amount"].where(e["member_id"] != "c")), p)
    with pytest.raises(rk.InputError, match="no column 'reward'"):
        rewards.offer_outcomes(a, e.drop(columns="reward"), p)
    with pytest.raises(rk.InputError, match="missing date"):
        rewards.offer_outcomes(a.assign(date=[None, "2025-07-01", "2025-07-01", "2025-07-01"]), e, p)
    with pytest.raises(rk.InputError, match="control arm"):
        rewards.completion_vs_effect(a, e, p, control="nothing")
    with pytest.raises(rk.InputError, match="window_days"):
        rewards.offer_outcomes(a, e, p, window_days=0)
    o = pd.DataFrame({"s": ["x", "x", "y", "y"], "arm": ["a", "none", "a", "none"], "net_value": [1.0, 2, 3, 4]})
    with pytest.raises(rk.InputError, match="fewer than two members"):
        rewards.offer_effects(o, by="s")
    with pytest.raises(rk.InputError, match="segment 'y'"):
        rewards.offer_policy_value(pd.concat([o, o]), {"x": "a", "y": "b"}, by="s")
    with pytest.raises(rk.InputError, match="no member in the control arm"):
        rewards.offer_effects(pd.concat([o, o]).assign(arm=["a", "none", "a", "a"] * 2), by="s")
    with pytest.raises(rk.InputError, match="must hold numbers"):
        rewards.offer_effects(o.assign(net_value=["1", "x", "2", "3"]))
