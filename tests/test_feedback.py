"""rk.feedback against independent references: hand-worked cases, scikit-learn, scipy, statsmodels and lifelines
computing the same statistic another way, and the simulator's planted truth over a few seeds."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import adjusted_rand_score

import retention_kit as rk
from retention_kit import feedback
from retention_kit.datasets.feedback import make_feedback_items
from retention_kit.exercises.lesson11 import RULES, UNFIXED

END = "2026-01-01"


@pytest.fixture(scope="module", params=[11, 12, 13])
def world(request):
    items, truth = make_feedback_items(4000, random_state=request.param)
    themes = feedback.keyword_themes(items["text"], RULES)["theme"]
    planted = truth["item_themes"].reindex(items["item_id"]).set_axis(items.index)
    return items, truth, themes, planted


# ------------------------------------------------------------------------------------------------ texts and themes
@pytest.mark.parametrize("texts, message", [
    (pd.Series(["ok", None], index=["FB-1", "FB-2"]), r"missing or blank in 1 row\(s\): 'FB-2'"),
    (pd.Series(["ok", float("nan"), "  "]), r"missing or blank in 2 row\(s\): 1, 2"),
    (pd.Series(["ok", 3]), "must hold text; found 3 in row"),
    (pd.DataFrame({"text": ["a"]}), "one column of texts"),
    ([], "empty"),
])
def test_missing_or_bad_text_is_refused_naming_the_rows(texts, message):
    for call in (lambda: feedback.find_themes(texts, 2), lambda: feedback.keyword_themes(texts, {"a": ["b"]})):
        with pytest.raises(rk.InputError, match=message):
            call()


def test_keyword_rules_worked_by_hand():
    texts = pd.Series(["Invoice charged twice", "App CRASHES on sync", "Please log  in", "catalog export",
                       "sync the invoice", "nothing here"], index=list("abcdef"))
    rules = {"billing": ["invoice", "charged"], "sync": ["sync", "crash"], "login": ["log in", "password"],
             "reports": ["export"], "audit": ["log"]}
    table = feedback.keyword_themes(texts, rules)
    # "log" does not match "catalog"; a tie (one billing word, one sync word) goes to the rule listed first
    assert table["theme"].tolist() == ["billing", "sync", "login", "reports", "billing", "other"]
    assert table["hits"].tolist() == [2, 2, 1, 1, 1, 0]
    assert table.loc["e", "matched"] == "billing: invoice; sync: sync"
    assert table.loc["c", "matched"] == "login: log in; audit: log"
    assert table["tied"].tolist() == [False, False, True, False, True, False]      # c and e: decided by the order


def test_a_keyword_may_start_with_a_sign_and_still_needs_a_word_start():
    texts = pd.Series(["Charged $29 twice", "see #billing channel", "price is US$29", "ask @support"])
    table = feedback.keyword_themes(texts, {"money": ["$29"], "tags": ["#billing", "@support"]})
    # after a space or at the start a sign matches; after a letter ("US$29") it does not, as for any keyword
    assert table["theme"].tolist() == ["money", "tags", "other", "tags"]


def test_a_keyword_that_starts_another_of_its_theme_is_named_in_a_warning():
    rules = {"billing": ["charged", "charge"], "login": ["log in", "login"]}     # "log in" does not start "login"
    with pytest.warns(rk.DataWarning, match=r"rules\['billing'\], 'charge' matches the start of 'charged'") as caught:
        table = feedback.keyword_themes(["We were charged twice"], rules)
    assert len(caught) == 1 and table["hits"].tolist() == [2]                       # the one word counted twice


@pytest.mark.parametrize("rules, message", [
    ({}, "must be a dict"), ({"a": []}, "non-empty list"), ({"a": "invoice"}, "non-empty list"),
    ({"other": ["x"]}, "theme named 'other'")])
def test_bad_rules_are_refused(rules, message):
    with pytest.raises(rk.InputError, match=message):
        feedback.keyword_themes(["some text"], rules)


def test_find_themes_is_tfidf_and_nmf_as_scikit_learn_computes_them():
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer
    items, _ = make_feedback_items(400, random_state=3)
    model = feedback.find_themes(items["text"], 4, min_df=2, random_state=0)
    x = TfidfVectorizer(stop_words="english", min_df=2, sublinear_tf=True).fit_transform(items["text"])
    w = NMF(4, init="nndsvda", random_state=0, max_iter=500).fit_transform(x)
    assert model.labels.tolist() == w.argmax(axis=1).tolist()
    assert np.allclose(model.weights.to_numpy(), w)
    assert model.labels.index.equals(items.index) and model.top_words.shape == (4, 8)


def test_nmf_and_keyword_rules_recover_the_planted_themes(world):
    items, truth, themes, planted = world
    rules = feedback.theme_agreement(themes, planted)
    nmf = feedback.theme_agreement(feedback.find_themes(items["text"], 6).labels, planted)
    assert rules.value > 0.85 and rules.agreement > 0.93          # tolerances over seeds 11-13
    assert nmf.value > 0.6 and nmf.agreement > 0.8
    assert rules.value == pytest.approx(adjusted_rand_score(planted, themes), abs=1e-12)


def test_theme_agreement_worked_by_hand_and_refusals():
    found = pd.Series([0, 0, 1, 1, 1], index=list("abcde"))
    known = pd.Series({"e": "x", "d": "y", "c": "y", "b": "x", "a": "x"})          # another order, same items
    r = feedback.theme_agreement(found, known)
    # cross-table [[2, 0], [1, 2]]: index 1 + 1 = 2, rows 1 + 3 = 4, columns 3 + 1 = 4, expected 4 x 4 / 10 = 1.6
    assert r.value == pytest.approx((2 - 1.6) / (4 - 1.6)) and r.mapping == {0: "x", 1: "y"}
    assert r.crosstab.to_numpy().tolist() == [[2, 0], [1, 2]] and r.agreement == 0.8
    with pytest.raises(rk.InputError, match="same items"):
        feedback.theme_agreement(found, known.iloc[:4])
    with pytest.raises(rk.InputError, match="must be a Series"):
        feedback.theme_agreement(found.tolist(), known)
    with pytest.raises(rk.InputError, match="repeated items"):
        feedback.theme_agreement(pd.Series([0, 1], index=["a", "a"]), pd.Series(["x", "y"], index=["a", "a"]))


# ------------------------------------------------------------------------------------------------ customers
def test_customer_view_counts_customers_not_items():
    items = pd.DataFrame({"customer_id": ["a", "a", "a", "b"], "loop_closed": [False, False, True, False],
                          "resolved_at": pd.to_datetime(["2025-01-02", None, "2025-01-03", None]),
                          "theme": ["sync", "sync", "billing", "login"]})
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "plan": ["team", "starter", "business"]})
    view = feedback.customer_view(items, customers, themes="theme")
    assert view["items"].tolist() == [3, 1, 0] and view["loop_closed"].tolist() == [True, False, False]
    assert view["any_resolved"].tolist() == [True, False, False] and view["any_item"].tolist() == [True, True, False]
    assert view[["billing", "login", "sync"]].to_numpy().tolist() == [[True, False, True], [False, True, False],
                                                                     [False, False, False]]
    assert view.attrs["themes"] == ["billing", "login", "sync"]
    with pytest.raises(rk.InputError, match="not in customers"):
        feedback.customer_view(items, customers.iloc[1:])
    with pytest.raises(rk.InputError, match="no column 'loop_closed'"):
        feedback.customer_view(items.drop(columns="loop_closed"), customers)
    with pytest.raises(rk.InputError, match="already columns"):
        feedback.customer_view(items.assign(theme="plan"), customers, themes="theme")
    with pytest.raises(rk.InputError, match="must hold True/False"):
        feedback.customer_view(items.assign(loop_closed="yes"), customers)
    for column in ("items", "any_item", "any_resolved", "loop_closed"):
        with pytest.raises(rk.InputError, match=f"already has column\\(s\\) '{column}'"):
            feedback.customer_view(items, customers.assign(**{column: 1}))


# ------------------------------------------------------------------------------------------------ drivers
def test_drivers_one_at_a_time_are_welch_and_nps_differences():
    rng = np.random.default_rng(0)
    view = pd.DataFrame({"nps": rng.integers(0, 11, 300).astype(float), "sync": rng.random(300) < 0.3})
    view.loc[view.index[:20], "nps"] = np.nan
    table = feedback.theme_drivers(view, themes=["sync"])
    answered = view.dropna()
    a, b = answered.loc[answered["sync"], "nps"], answered.loc[~answered["sync"], "nps"]
    welch = stats.ttest_ind(a, b, equal_var=False)
    low, high = welch.confidence_interval(0.95)
    row = table.loc["sync"]
    assert row["difference"] == pytest.approx(a.mean() - b.mean()) and row["p_value"] == pytest.approx(welch.pvalue)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high)) and table.attrs["missing"] == 20
    by_nps = feedback.theme_drivers(view, themes=["sync"], metric="nps").loc["sync"]
    nps = [100 * ((s >= 9).mean() - (s <= 6).mean()) for s in (a, b)]
    assert by_nps["difference"] == pytest.approx(nps[0] - nps[1])


def test_adjusted_drivers_are_ordinary_least_squares_as_statsmodels_fits_them():
    import statsmodels.api as sm
    rng = np.random.default_rng(1)
    n = 400
    view = pd.DataFrame({"sync": rng.random(n) < 0.3, "billing": rng.random(n) < 0.2,
                         "plan": rng.choice(["starter", "team", "business"], n), "tenure": rng.exponential(2, n)})
    view["nps"] = 7 - 2 * view["sync"] - view["billing"] + 0.2 * view["tenure"] + rng.normal(0, 1.5, n)
    table = feedback.adjusted_drivers(view, themes=["sync", "billing"], controls=["plan", "tenure"], confidence=0.9)
    x = sm.add_constant(pd.get_dummies(view[["sync", "billing", "plan", "tenure"]], columns=["plan"],
                                       drop_first=True).astype(float))
    fit = sm.OLS(view["nps"], x).fit()
    ci = fit.conf_int(alpha=0.1)
    for theme in ("sync", "billing"):
        assert table.loc[theme, "effect"] == pytest.approx(fit.params[theme])
        assert table.loc[theme, "se"] == pytest.approx(fit.bse[theme])
        assert (table.loc[theme, "ci_low"], table.loc[theme, "ci_high"]) == pytest.approx(tuple(ci.loc[theme]))
        assert table.loc[theme, "p_value"] == pytest.approx(fit.pvalues[theme])


def test_adjusted_drivers_recover_the_planted_nps_effects(world):
    items, truth, themes, planted = world
    view = feedback.customer_view(items, truth["customers"], themes=planted)
    table = feedback.adjusted_drivers(view, controls=["plan", "tenure_years"])
    for theme, effect in truth["nps_effects"].items():          # rounding and the 0-10 cap pull towards 0
        assert table.loc[theme, "effect"] == pytest.approx(effect, abs=0.35), theme
    assert (table.loc[["billing", "sync", "performance"], "ci_high"] < 0).all()


@pytest.mark.parametrize("change, kwargs, message", [
    (lambda v: v.drop(columns="nps"), {}, "no column 'nps'"),
    (lambda v: v.assign(sync="yes"), {}, "must hold True/False"),
    (lambda v: v, {"themes": ["billing"]}, "no column 'billing'"),
    (lambda v: v.assign(nps=np.nan), {}, "no answers"),
    (lambda v: v, {"metric": "median"}, "metric='median' must be one of"),
])
def test_bad_driver_inputs_are_refused(change, kwargs, message):
    view = pd.DataFrame({"nps": [9.0, 3, 8, 5], "sync": [False, True, False, True]})
    with pytest.raises(rk.InputError, match=message):
        feedback.theme_drivers(change(view), **{"themes": ["sync"], **kwargs})


def test_adjusted_drivers_refuse_what_they_cannot_separate():
    view = pd.DataFrame({"nps": [9.0, 3, 8, 5, 7], "sync": [False] * 5, "plan": ["a", "b", "a", "b", None]})
    with pytest.raises(rk.InputError, match="do not vary"):
        feedback.adjusted_drivers(view, themes=["sync"])
    with pytest.raises(rk.InputError, match="control 'plan' is missing"):
        feedback.adjusted_drivers(view.assign(sync=[True, False] * 2 + [True]), themes=["sync"], controls=["plan"])


# ------------------------------------------------------------------------------------------------ service
def test_service_medians_count_the_open_items_as_lifelines_does():
    from lifelines import KaplanMeierFitter
    items = pd.DataFrame({"created_at": pd.to_datetime(["2025-01-01"] * 5 + ["2025-01-05"]),
                          "first_response_at": pd.to_datetime(["2025-01-01 06:00"] * 6),
                          "resolved_at": pd.to_datetime(["2025-01-02", "2025-01-03", "2025-01-04", None, None,
                                                         "2025-01-06"]),
                          "theme": list("aaaaab")})
    items.loc[5, "first_response_at"] = pd.Timestamp("2025-01-05 01:00")
    t = feedback.service_times(items, by="theme", target_days=2, observation_period_end="2025-01-11")
    # theme a: resolved after 1, 2, 3 days, two open after 10 days; the median of the resolved alone would be 2
    km = KaplanMeierFitter().fit([1, 2, 3, 10, 10], [1, 1, 1, 0, 0])
    assert t.loc["a", "resolution_days"] == km.median_survival_time_ == 3.0
    assert t.loc["a", "open"] == 2 and t.loc["a", "mean_days_resolved"] == 2.0
    assert t.loc["a", "median_days_resolved"] == 2.0 and t.loc["b", "median_days_resolved"] == 1.0
    assert t.loc["a", "within_target"] == pytest.approx(2 / 5) and t.loc["b", "first_response_hours"] == 1.0
    assert t.loc["a", "first_response_hours"] == 6.0
    low, high = (t.loc["a", "within_target_low"], t.loc["a", "within_target_high"])
    assert (low, high) == pytest.approx(rk.proportion(2, 5).ci)


def test_within_target_counts_only_items_whose_target_has_passed():
    items = pd.DataFrame({"created_at": pd.to_datetime(["2025-01-01", "2025-01-09"]),
                          "first_response_at": pd.to_datetime(["2025-01-01", "2025-01-09"]),
                          "resolved_at": pd.to_datetime(["2025-01-02", None])})
    t = feedback.service_times(items, target_days=3, observation_period_end="2025-01-10").loc["all"]
    assert t["target_items"] == 1 and t["within_target"] == 1.0           # the second item has had one day only


def test_service_times_refuse_impossible_times_and_warn_of_late_ones():
    items = pd.DataFrame({"created_at": pd.to_datetime(["2025-01-02", "2025-01-01"]),
                          "first_response_at": pd.to_datetime(["2025-01-01 00:00", "2025-01-01 05:00"]),
                          "resolved_at": pd.to_datetime([None, "2025-03-01"])})
    with pytest.raises(rk.InputError, match=r"'first_response_at' is before 'created_at' in 1 row\(s\) \(0\)"):
        feedback.service_times(items)
    fine = items.iloc[[1]]
    with pytest.warns(rk.DataWarning, match="1 item"):
        t = feedback.service_times(fine, observation_period_end="2025-02-01")
    assert t.loc["all", "open"] == 1
    with pytest.raises(rk.InputError, match="created at or after observation_period_end"):
        feedback.service_times(fine, observation_period_end="2024-12-01")
    with pytest.raises(rk.InputError, match="no column 'resolved_at'"):
        feedback.service_times(fine.drop(columns="resolved_at"))
    with pytest.raises(rk.InputError, match="target_days=0 must be"):
        feedback.service_times(fine, target_days=0)


# ------------------------------------------------------------------------------------------------ the loop
def test_loop_gap_naive_is_newcombe_and_stratified_is_mantel_haenszel_by_hand():
    c = pd.DataFrame({"loop_closed": [True] * 6 + [False] * 6, "renewed": [1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0],
                      "plan": list("aaabbbaabbbb")})
    naive = feedback.loop_gap(c)
    assert naive.value == pytest.approx(5 / 6 - 2 / 6) and naive.ci == pytest.approx(
        rk.metrics.proportion_difference(5, 6, 2, 6).ci)
    # stratum a: closed 3/3 vs 1/2; b: 2/3 vs 1/4. MH: sum (x_c n_n - x_n n_c) / N / sum n_c n_n / N
    num = (3 * 2 - 1 * 3) / 5 + (2 * 4 - 1 * 3) / 7
    den = 3 * 2 / 5 + 3 * 4 / 7
    strat = feedback.loop_gap(c, strata="plan")
    assert strat.value == pytest.approx(num / den) and strat.naive == pytest.approx(naive.value)


def test_the_stratified_loop_gap_recovers_the_planted_effect_and_the_naive_one_overstates_it(world):
    items, truth, themes, _ = world
    view = feedback.customer_view(items, truth["customers"])
    wrote = view[view["any_item"]].assign(band=lambda v: pd.cut(v["tenure_years"], [0, 1, 2, 4, 9], right=False))
    naive, strat = feedback.loop_gap(wrote), feedback.loop_gap(wrote, strata=["plan", "band"])
    assert strat.ci[0] < truth["loop_effect"] < strat.ci[1]
    assert naive.value > strat.value + 0.02


def test_loop_gap_refusals_and_the_warning_for_strata_with_one_group():
    c = pd.DataFrame({"loop_closed": [True, False, True, True], "renewed": [1, 0, 1, 1], "plan": list("aabb")})
    with pytest.warns(rk.DataWarning, match=r"1 stratum\(s\) with 2 customer"):
        r = feedback.loop_gap(c, strata="plan")
    assert r.strata_left_out == 1 and r.value == 1.0
    with pytest.raises(rk.InputError, match="always True"):
        feedback.loop_gap(c.assign(loop_closed=True))
    with pytest.raises(rk.InputError, match="no column 'region'"):
        feedback.loop_gap(c, strata="region")
    with pytest.raises(rk.InputError, match="column 'plan' is empty"):
        feedback.loop_gap(c.assign(plan=["a", None, "b", "b"]), strata="plan")


def test_loop_gap_refuses_customers_who_never_wrote():
    c = pd.DataFrame({"loop_closed": [True, False, True, False], "renewed": [1, 0, 1, 1],
                      "any_item": [True, True, True, False]}, index=["a", "b", "c", "d"])
    with pytest.raises(rk.InputError, match=r"1 customer\(s\) who never wrote .*'d'.*customers\[customers\['any_item'\]\]"):
        feedback.loop_gap(c)
    assert feedback.loop_gap(c[c["any_item"]]).value == pytest.approx(1 - 0)


# ------------------------------------------------------------------------------------------------ fixes
@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")   # saturated: exact fit
def test_fix_effect_is_the_interaction_of_a_poisson_regression():
    import statsmodels.api as sm
    import statsmodels.formula.api as smf
    days = pd.to_datetime(["2025-01-10"] * 30 + ["2025-03-10"] * 12 + ["2025-01-20"] * 50 + ["2025-03-20"] * 41)
    items = pd.DataFrame({"created_at": days, "theme": ["sync"] * 42 + ["login"] * 91})
    r = feedback.fix_effect(items, "theme", "sync", "2025-02-01", comparison=["login"],
                            observation_period_start="2025-01-01", observation_period_end="2025-04-01")
    cells = pd.DataFrame({"n": [30, 12, 50, 41], "fixed": [1, 1, 0, 0], "after": [0, 1, 0, 1],
                          "days": [31, 59, 31, 59]})
    fit = smf.glm("n ~ fixed * after", cells, family=sm.families.Poisson(), offset=np.log(cells["days"])).fit()
    assert r.value == pytest.approx(math.exp(fit.params["fixed:after"]) - 1)
    assert r.se == pytest.approx(fit.bse["fixed:after"])
    assert r.naive_change == pytest.approx((12 / 59) / (30 / 31) - 1)
    assert r.comparison_change == pytest.approx((41 / 59) / (50 / 31) - 1)


def test_fix_effect_recovers_the_planted_drops_where_the_naive_change_overstates_them(world):
    items, truth, themes, _ = world
    for theme, (day, drop) in truth["fixes"].items():
        r = feedback.fix_effect(items, themes, theme, day, comparison=UNFIXED, observation_period_start="2025-01-01",
                                observation_period_end=END)
        # within 3.5 standard errors of log R (over 60 seeds the z-scores had mean 0.0 and sd 1.02)
        assert abs(math.log1p(r.value) - math.log1p(-drop)) < 3.5 * r.se, theme
        assert r.naive_change < r.value - 0.05, theme                 # every theme fell: before-after overstates


def test_fix_effect_and_item_counts_refusals():
    items = pd.DataFrame({"created_at": pd.to_datetime(["2025-01-05", "2025-02-05", "2025-01-06", "2025-02-06"]),
                          "theme": ["sync", "sync", "login", "login"]})
    with pytest.raises(rk.InputError, match="theme='billing' is not a theme"):
        feedback.fix_effect(items, "theme", "billing", "2025-02-01", comparison=["login"])
    with pytest.raises(rk.InputError, match="comparison is required: list the themes no fix touched"):
        feedback.fix_effect(items, "theme", "sync", "2025-02-01")
    with pytest.raises(rk.InputError, match="must fall inside the data"):
        feedback.fix_effect(items, "theme", "sync", "2025-06-01", comparison=["login"])
    with pytest.raises(rk.InputError, match="comparison=\\['sync'\\] must list other themes"):
        feedback.fix_effect(items, "theme", "sync", "2025-02-01", comparison=["sync"])
    with pytest.raises(rk.InputError, match="a period has no item"):
        feedback.fix_effect(items.iloc[[0, 2, 3]], "theme", "sync", "2025-02-01", comparison=["login"])
    with pytest.raises(rk.InputError, match="indexed like items"):
        feedback.fix_effect(items, pd.Series(["sync", "login"]), "sync", "2025-02-01", comparison=["login"])
    with pytest.raises(rk.InputError, match="time_unit"):
        feedback.item_counts(items, "theme", time_unit="M")
    counts = feedback.item_counts(items, "theme", time_unit="week")
    assert counts.sum().to_dict() == {"login": 2, "sync": 2} and counts.index[0] == pd.Timestamp("2024-12-30")


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")   # saturated: exact fit
def test_the_event_study_is_the_period_by_theme_interaction_of_a_poisson_regression():
    import statsmodels.api as sm
    import statsmodels.formula.api as smf
    # 10-day periods around a fix on 2025-01-31: [01-01, 01-11), [01-11, 01-21), [01-21, 01-31), [01-31, 02-10), ...
    rng = np.random.default_rng(5)
    days = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.uniform(0, 60, 900), unit="D")
    theme = np.where(rng.random(900) < 0.3, "sync", "login")
    after = days >= pd.Timestamp("2025-01-31")
    keep = ~((theme == "sync") & after & (rng.random(900) < 0.5))          # the fix halves the sync items
    items = pd.DataFrame({"created_at": days[keep], "theme": theme[keep]})
    t = feedback.fix_event_study(items, "theme", "sync", "2025-01-31", comparison=["login"], period_days=10,
                                 observation_period_start="2025-01-01", observation_period_end="2025-03-02")
    assert t.index.tolist() == [-3, -2, -1, 0, 1, 2] and t.loc[-1, "log_ratio"] == 0 and np.isnan(t.loc[-1, "se"])
    assert t["theme_items"].sum() == (items["theme"] == "sync").sum()          # no item left out
    period = np.floor((items["created_at"] - pd.Timestamp("2025-01-31")) / pd.Timedelta(days=10)).astype(int)
    cells = pd.crosstab(period, items["theme"]).stack().rename("n").reset_index()
    cells.columns = ["period", "theme", "n"]
    fit = smf.glm("n ~ C(period, Treatment(-1)) * C(theme, Treatment('login'))", cells,
                  family=sm.families.Poisson()).fit()
    for k in (-3, -2, 0, 1, 2):
        name = f"C(period, Treatment(-1))[T.{k}]:C(theme, Treatment('login'))[T.sync]"
        assert t.loc[k, "log_ratio"] == pytest.approx(fit.params[name])
        assert t.loc[k, "se"] == pytest.approx(fit.bse[name])
        assert (t.loc[k, "ci_low"], t.loc[k, "ci_high"]) == pytest.approx(tuple(fit.conf_int().loc[name]))
    assert t.loc[0, "change"] == pytest.approx(math.exp(fit.params[
        "C(period, Treatment(-1))[T.0]:C(theme, Treatment('login'))[T.sync]"]) - 1)


def test_the_event_study_merges_a_short_edge_into_its_neighbour_and_refuses_bad_references():
    days = pd.to_datetime(["2025-01-01", "2025-01-03", "2025-01-12", "2025-01-25", "2025-02-02", "2025-02-09"] * 2)
    items = pd.DataFrame({"created_at": days, "theme": ["sync"] * 6 + ["login"] * 6})
    # fix on 02-01, 14-day periods: [01-04, 01-18) is -2, the 3 days from 01-01 join it; [02-01, 02-10) is period 0
    t = feedback.fix_event_study(items, "theme", "sync", "2025-02-01", comparison=["login"], period_days=14,
                                 observation_period_start="2025-01-01", observation_period_end="2025-02-10")
    assert t.index.tolist() == [-2, -1, 0] and t["theme_items"].tolist() == [3, 1, 2]
    assert t.loc[-2, "period_start"] == pd.Timestamp("2025-01-01") and t.loc[0, "period_end"] == pd.Timestamp("2025-02-10")
    with pytest.raises(rk.InputError, match="reference=-3 must be a period before the fix"):
        feedback.fix_event_study(items, "theme", "sync", "2025-02-01", comparison=["login"], period_days=14,
                                 reference=-3, observation_period_start="2025-01-01")
    with pytest.raises(rk.InputError, match="reference=0 must be"):
        feedback.fix_event_study(items, "theme", "sync", "2025-02-01", comparison=["login"], reference=0)
    with pytest.raises(rk.InputError, match="comparison is required"):
        feedback.fix_event_study(items, "theme", "sync", "2025-02-01")


def test_the_event_study_finds_no_pre_trend_and_the_planted_drop_after_each_fix(world):
    items, truth, themes, _ = world
    for theme, (day, drop) in truth["fixes"].items():
        t = feedback.fix_event_study(items, themes, theme, day, comparison=UNFIXED,
                                     observation_period_start="2025-01-01", observation_period_end=END)
        before, after = t[t.index < -1], t[t.index >= 0]
        # each month within 3.5 standard errors of the truth: 0 before the fix, log(1 - drop) after it
        assert (before["log_ratio"].abs() < 3.5 * before["se"]).all(), theme
        assert ((after["log_ratio"] - math.log1p(-drop)).abs() < 3.5 * after["se"]).all(), theme
        assert t["theme_items"].sum() == (themes == theme).sum(), theme


# ------------------------------------------------------------------------------------------------ explorer
def test_themes_view_reports_the_agreement_and_the_top_words():
    import matplotlib
    matplotlib.use("Agg")
    from retention_kit.feedback.explorer import themes_view
    items, truth = make_feedback_items(600, random_state=4)
    model = feedback.find_themes(items["text"], 5)
    known = truth["item_themes"].reindex(items["item_id"]).set_axis(items.index)
    text, ax = themes_view(model, known)
    assert text.startswith(f"5 themes: adjusted Rand index {adjusted_rand_score(known, model.labels):.2f}")
    assert all(f"{t} ({', '.join(model.top_words.loc[t].iloc[:3])})" in text for t in range(5))
    assert ax.images[0].get_array().shape == (5, known.nunique())
    with pytest.raises(rk.InputError, match="ThemeModel"):
        themes_view("model", known)


def test_the_themes_explorer_answers_a_move_with_the_fitted_model():
    """What a move shows; how fast is for benchmarks, not here."""
    items, truth = make_feedback_items(600, random_state=4)
    known = truth["item_themes"].reindex(items["item_id"]).set_axis(items.index)
    explorer = feedback.themes_explorer(items["text"], known, n_themes=4, k_range=(3, 7))
    explorer.controls["n_themes"].value = 6
    expected = adjusted_rand_score(known, feedback.find_themes(items["text"], 6).labels)
    assert explorer.label.value.startswith(f"<b>6 themes: adjusted Rand index {expected:.2f}")
    with pytest.raises(rk.InputError, match="n_themes=9 must be a whole number from 3 to 7"):
        feedback.themes_explorer(items["text"], known, n_themes=9, k_range=(3, 7))
    with pytest.raises(rk.InputError, match="same items"):
        feedback.themes_explorer(items["text"], known.iloc[:-1], n_themes=4, k_range=(3, 5))
