"""rk.programs.rollout against independent references: scipy's Welch and Yuen intervals, statsmodels' OLS with
robust errors and Greenwood standard errors, lifelines' restricted mean, a bootstrap of the money's interval,
hand-worked tables, and the simulator's planted effects recovered across seeds."""
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from lifelines import KaplanMeierFitter  # noqa: E402
from lifelines.utils import restricted_mean_survival_time  # noqa: E402
from scipy import stats  # noqa: E402

import retention_kit as rk  # noqa: E402
from retention_kit.datasets.playlists import planted_retention  # noqa: E402
from retention_kit.programs import rollout as ro  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def weeks_table():
    return pd.DataFrame({"customer_id": ["a", "a", "a", "b", "c"],
                         "week": pd.to_datetime(["2025-02-24", "2025-03-03", "2025-03-10", "2025-03-03", "2025-03-03"]),
                         "days": [7.0, 7.0, 3.5, 7.0, 7.0], "sessions": [9, 4, 1, 2, 0],
                         "minutes": [500.0, 120.0, 30.0, 60.0, 0.0], "playlist_minutes": [0.0, 30.0, 0.0, 0.0, 0.0]})


SUBS = pd.DataFrame({"customer_id": ["a", "b", "c"], "treated": [True, False, True], "listener": ["new"] * 3})


def test_listening_per_subscriber_by_hand():
    per = ro.listening_per_subscriber(weeks_table(), SUBS, period_start="2025-03-03", period_end="2025-03-17")
    # a: 150 minutes over 10.5 days = 1.5 weeks -> 100 a week; 30 of 150 from playlists; the week before is outside
    assert per.loc["a", "weeks"] == pytest.approx(1.5) and per.loc["a", "minutes"] == pytest.approx(100.0)
    assert per.loc["a", "sessions"] == pytest.approx(5 / 1.5) and per.loc["a", "playlist_share"] == pytest.approx(0.2)
    assert np.isnan(per.loc["c", "playlist_share"]) and per.loc["b", "minutes"] == 60.0
    assert list(per["treated"]) == [True, False, True] and (per["listener"] == "new").all()


def test_listening_per_subscriber_refuses_bad_exports_and_warns_of_missing_subscribers():
    bad = weeks_table()
    bad.loc[1, "minutes"] = -5.0
    with pytest.raises(rk.InputError, match="minutes"):
        ro.listening_per_subscriber(bad, SUBS, period_start="2025-03-03", period_end="2025-03-17")
    over = weeks_table()
    over.loc[1, "playlist_minutes"] = 500.0
    with pytest.raises(rk.InputError, match="playlist_minutes"):
        ro.listening_per_subscriber(over, SUBS, period_start="2025-03-03", period_end="2025-03-17")
    with pytest.raises(rk.InputError, match="unknown ids"):
        ro.listening_per_subscriber(weeks_table(), SUBS.iloc[:2], period_start="2025-03-03", period_end="2025-03-17")
    with pytest.raises(rk.InputError, match="days"):
        ro.listening_per_subscriber(weeks_table().drop(columns="days"), SUBS, period_start="2025-03-03",
                                    period_end="2025-03-17")
    with pytest.raises(rk.InputError, match="period_end"):
        ro.listening_per_subscriber(weeks_table(), SUBS, period_start="2025-03-17", period_end="2025-03-03")
    with pytest.warns(rk.DataWarning, match="2 subscriber"):
        per = ro.listening_per_subscriber(weeks_table(), SUBS, period_start="2025-02-24", period_end="2025-03-03")
    assert list(per.index) == ["a"]


@pytest.fixture(scope="module")
def skewed():
    rng = np.random.default_rng(3)
    control, treated = rng.lognormal(5.5, 1.1, 3000), 1.1 * rng.lognormal(5.5, 1.1, 3000)
    return pd.DataFrame({"minutes": np.r_[treated, control], "treated": np.r_[np.ones(3000, bool), np.zeros(3000, bool)]})


def test_engagement_lift_mean_and_trimmed_match_scipy(skewed):
    t, c = skewed.loc[skewed["treated"], "minutes"], skewed.loc[~skewed["treated"], "minutes"]
    mean = ro.engagement_lift(skewed, "minutes", statistic="mean", confidence=0.9)
    welch = stats.ttest_ind(t, c, equal_var=False)
    assert mean.difference == pytest.approx(t.mean() - c.mean())
    assert mean.difference_ci == pytest.approx(tuple(welch.confidence_interval(0.9)), rel=1e-9)
    assert mean.p_value == pytest.approx(welch.pvalue, rel=1e-9) and mean.value == pytest.approx(t.mean() / c.mean() - 1)
    trimmed = ro.engagement_lift(skewed, "minutes", statistic="trimmed", trim=0.1)
    yuen = stats.ttest_ind(t, c, equal_var=False, trim=0.1)
    assert trimmed.difference == pytest.approx(stats.trim_mean(t, 0.1) - stats.trim_mean(c, 0.1))
    assert trimmed.difference_ci == pytest.approx(tuple(yuen.confidence_interval()), rel=1e-9)
    assert trimmed.p_value == pytest.approx(yuen.pvalue, rel=1e-9)


def test_engagement_lift_log_is_a_ratio_of_geometric_means(skewed):
    t, c = skewed.loc[skewed["treated"], "minutes"], skewed.loc[~skewed["treated"], "minutes"]
    r = ro.engagement_lift(skewed, "minutes", statistic="log")
    welch = stats.ttest_ind(np.log1p(t), np.log1p(c), equal_var=False)
    assert r.value == pytest.approx(np.exp(np.log1p(t).mean() - np.log1p(c).mean()) - 1)
    assert r.ci == pytest.approx(tuple(np.expm1(welch.confidence_interval())), rel=1e-9)
    assert r.ci[0] < 0.1 < r.ci[1]                                       # the planted factor 1.1


def test_the_relative_lifts_interval_agrees_with_a_bootstrap(skewed):
    r = ro.engagement_lift(skewed, "minutes")
    boot = rk.uncertainty.bootstrap(
        skewed, lambda d: d.loc[d["treated"], "minutes"].mean() / d.loc[~d["treated"], "minutes"].mean() - 1,
        n_resamples=600, by="treated", random_state=1)
    assert r.se == pytest.approx(boot.se, rel=0.12)


def test_engagement_lift_refuses_bad_input(skewed):
    with pytest.raises(rk.InputError, match="statistic"):
        ro.engagement_lift(skewed, statistic="median")
    with pytest.raises(rk.InputError, match="treated"):
        ro.engagement_lift(skewed.assign(treated=True))
    with pytest.raises(rk.InputError, match="sessions"):
        ro.engagement_lift(skewed, "sessions")
    with pytest.raises(rk.InputError, match="missing"):
        ro.engagement_lift(skewed.assign(minutes=np.where(skewed.index == 0, np.nan, skewed["minutes"])))
    with pytest.raises(rk.InputError, match="negative"):
        ro.engagement_lift(skewed.assign(minutes=-skewed["minutes"]), statistic="log")
    with pytest.raises(rk.InputError, match="trim"):
        ro.engagement_lift(skewed, statistic="trimmed", trim=0.5)


def test_engagement_lift_refuses_a_trim_that_leaves_too_few_values():
    tiny = pd.DataFrame({"minutes": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "treated": [1, 1, 1, 0, 0, 0]})
    with pytest.raises(rk.InputError, match="leaves 1"):
        ro.engagement_lift(tiny, statistic="trimmed", trim=0.4)
    assert np.isfinite(ro.engagement_lift(tiny, statistic="trimmed", trim=0.2).ci).all()


@pytest.fixture(scope="module")
def with_pre():
    """Skewed listening before and after, with a chance head start: y = x (1 + 0.1 T) e, a heavy common factor x."""
    rng = np.random.default_rng(8)
    n = 4000
    x = rng.lognormal(5.5, 1.1, n)
    treated = rng.random(n) < 0.5
    y = x * np.where(treated, 1.1, 1.0) * rng.lognormal(0, 0.3, n) / np.exp(0.045)
    index = pd.Index([f"c{i}" for i in range(n)], name="customer_id")
    return (pd.DataFrame({"minutes": y, "treated": treated}, index=index),
            pd.DataFrame({"minutes": x}, index=index).sample(frac=1, random_state=0))     # another row order


@pytest.mark.parametrize("robust", ["HC0", "HC1", "HC3"])
def test_adjusted_lift_matches_statsmodels_ols_with_robust_errors(with_pre, robust):
    import statsmodels.api as sm
    post, pre = with_pre
    x = pre.loc[post.index, "minutes"]
    for statistic, transform in (("mean", lambda v: v), ("log", np.log1p)):
        design = sm.add_constant(pd.DataFrame({"treated": post["treated"].astype(float),
                                               "x": transform(x) - transform(x).mean()}))
        fit = sm.OLS(transform(post["minutes"]), design).fit(cov_type=robust)
        r = ro.adjusted_lift(post, pre, statistic=statistic, robust=robust, confidence=0.9)
        a, b = fit.params["const"], fit.params["treated"]
        assert r.difference == pytest.approx(b, rel=1e-9) and r.control == pytest.approx(a, rel=1e-9)
        assert r.difference_ci == pytest.approx(tuple(fit.conf_int(0.1).loc["treated"]), rel=1e-9)
        assert r.p_value == pytest.approx(fit.pvalues["treated"], rel=1e-6)
        cov = fit.cov_params()
        if statistic == "mean":
            se = np.sqrt(cov.loc["treated", "treated"] / a ** 2 - 2 * b * cov.loc["const", "treated"] / a ** 3
                         + b ** 2 * cov.loc["const", "const"] / a ** 4)
            assert r.value == pytest.approx(b / a) and r.se == pytest.approx(se, rel=1e-9)
        else:
            assert r.value == pytest.approx(np.expm1(b)) and r.ci == pytest.approx(
                tuple(np.expm1(fit.conf_int(0.1).loc["treated"])), rel=1e-9)


def test_adjusted_lift_is_narrower_and_covers_the_planted_lift(with_pre):
    post, pre = with_pre
    adjusted, plain = ro.adjusted_lift(post, pre), ro.engagement_lift(post)
    assert adjusted.ci[0] < 0.1 < adjusted.ci[1]
    assert adjusted.ci[1] - adjusted.ci[0] < 0.5 * (plain.ci[1] - plain.ci[0])


def test_adjusted_lift_refuses_bad_input(with_pre):
    post, pre = with_pre
    with pytest.raises(rk.InputError, match="no row in pre"):
        ro.adjusted_lift(post, pre.iloc[1:])
    with pytest.raises(rk.InputError, match="robust"):
        ro.adjusted_lift(post, pre, robust="HC2")
    with pytest.raises(rk.InputError, match="statistic"):
        ro.adjusted_lift(post, pre, statistic="trimmed")
    with pytest.raises(rk.InputError, match="sessions"):
        ro.adjusted_lift(post.assign(sessions=1.0), pre, "sessions")
    with pytest.raises(rk.InputError, match="negative"):
        ro.adjusted_lift(post, pre.assign(minutes=-pre["minutes"]), statistic="log")
    with pytest.raises(rk.InputError, match="unique"):
        ro.adjusted_lift(post, pd.concat([pre, pre.iloc[:1]]))


def curves_of(durations_t, events_t, durations_c, events_c):
    fit = lambda d, e: rk.survival.kaplan_meier(pd.DataFrame({"duration": d, "churned": e}))["all"]   # noqa: E731
    return fit(durations_t, events_t), fit(durations_c, events_c)


@pytest.fixture(scope="module")
def exponential_arms():
    rng = np.random.default_rng(11)
    t, c = rng.exponential(40, 1500), rng.exponential(25, 1500)
    return np.minimum(t, 26), t < 26, np.minimum(c, 26), c < 26


def test_retained_difference_matches_lifelines_and_statsmodels_greenwood(exponential_arms):
    from statsmodels.duration.survfunc import SurvfuncRight
    dt, et, dc, ec = exponential_arms
    ft, fc = curves_of(dt, et, dc, ec)
    r = ro.retained_difference(ft, fc, horizon=13, per=10_000)
    reference = {}
    for name, (d, e) in {"t": (dt, et), "c": (dc, ec)}.items():
        km = KaplanMeierFitter().fit(d, e)
        sm = SurvfuncRight(d, e.astype(int))
        i = np.searchsorted(sm.surv_times, 13, side="right") - 1
        reference[name] = (float(km.survival_function_at_times(13).iloc[0]), sm.surv_prob_se[i])
        assert sm.surv_prob[i] == pytest.approx(reference[name][0])
    assert r.value == pytest.approx(10_000 * (reference["t"][0] - reference["c"][0]))
    assert r.se == pytest.approx(10_000 * np.hypot(reference["t"][1], reference["c"][1]), rel=1e-9)
    assert r.ci[0] < 10_000 * (np.exp(-13 / 40) - np.exp(-13 / 25)) < r.ci[1]


def test_rollout_value_parts_match_lifelines_and_its_interval_a_bootstrap(exponential_arms):
    dt, et, dc, ec = exponential_arms
    ft, fc = curves_of(dt, et, dc, ec)
    r = ro.rollout_value(ft, fc, horizon=26, margin_per_period=0.75, value_at_horizon=100.0, per=10_000)
    rmst = [restricted_mean_survival_time(KaplanMeierFitter().fit(d, e), t=26) for d, e in ((dt, et), (dc, ec))]
    kept = [float(KaplanMeierFitter().fit(d, e).survival_function_at_times(26).iloc[0]) for d, e in ((dt, et), (dc, ec))]
    assert r.rmst_difference == pytest.approx(rmst[0] - rmst[1], rel=1e-6)
    assert r.within_horizon == pytest.approx(10_000 * 0.75 * (rmst[0] - rmst[1]), rel=1e-6)
    assert r.beyond_horizon == pytest.approx(10_000 * 100 * (kept[0] - kept[1]), rel=1e-9)
    assert r.value == pytest.approx(r.within_horizon + r.beyond_horizon)
    data = pd.DataFrame({"duration": np.r_[dt, dc], "churned": np.r_[et, ec], "arm": ["t"] * 1500 + ["c"] * 1500})

    def value(d):
        f = rk.survival.kaplan_meier(d, by="arm")
        return ro.rollout_value(f["t"], f["c"], horizon=26, margin_per_period=0.75, value_at_horizon=100.0).value

    boot = rk.uncertainty.bootstrap(data, value, n_resamples=300, by="arm", random_state=0)
    assert r.se == pytest.approx(boot.se, rel=0.15)


def test_late_retention_matches_statsmodels_greenwood(exponential_arms):
    from statsmodels.duration.survfunc import SurvfuncRight
    dt, et, _, _ = exponential_arms
    f, _ = curves_of(dt, et, dt, et)
    sm = SurvfuncRight(dt, et.astype(int))
    at = {t: np.searchsorted(sm.surv_times, t, side="right") - 1 for t in (8, 20)}
    s = {t: sm.surv_prob[i] for t, i in at.items()}
    var_log = {t: (sm.surv_prob_se[i] / sm.surv_prob[i]) ** 2 for t, i in at.items()}
    r = ro.late_retention(f, start=8, end=20, period=4)
    assert r.value == pytest.approx((s[20] / s[8]) ** (4 / 12), rel=1e-9)
    se_log = 4 / 12 * np.sqrt(var_log[20] - var_log[8])          # Greenwood sums add over disjoint stretches
    assert r.ci == pytest.approx((r.value * np.exp(-1.959964 * se_log), r.value * np.exp(1.959964 * se_log)), rel=1e-5)
    assert r.ci[0] < np.exp(-4 / 40) < r.ci[1]                                  # planted: exponential, mean 40
    assert r.hazard == pytest.approx(-np.log(s[20] / s[8]) / 12, rel=1e-9)
    with pytest.raises(rk.InputError, match="end"):
        ro.late_retention(f, start=20, end=8)
    with pytest.raises(rk.InputError, match="fitter"):
        ro.late_retention("a curve", start=0, end=8)


def test_rollout_value_with_a_lasting_effect_and_a_cost_by_hand(exponential_arms):
    dt, et, dc, ec = exponential_arms
    ft, fc = curves_of(dt, et, dc, ec)
    m, vt, vc, k = 0.75, 120.0, 100.0, 0.2
    r = ro.rollout_value(ft, fc, horizon=26, margin_per_period=m, value_at_horizon=vc, value_at_horizon_treated=vt,
                         cost_per_period=k, per=10_000)
    km = [KaplanMeierFitter().fit(d, e) for d, e in ((dt, et), (dc, ec))]
    (rt, rc), (st, sc) = ([restricted_mean_survival_time(x, t=26) for x in km],
                          [float(x.survival_function_at_times(26).iloc[0]) for x in km])
    assert r.value == pytest.approx(10_000 * (m * (rt - rc) + vt * st - vc * sc - k * (rt + st * vt / m)), rel=1e-6)
    assert r.cost == pytest.approx(10_000 * k * (rt + st * vt / m), rel=1e-6)
    assert r.value == pytest.approx(r.within_horizon + r.beyond_horizon - r.cost, rel=1e-9)
    at_break_even = ro.rollout_value(ft, fc, horizon=26, margin_per_period=m, value_at_horizon=vc,
                                     value_at_horizon_treated=vt, cost_per_period=r.break_even_cost)
    assert at_break_even.value == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(rk.InputError, match="cost_per_period"):
        ro.rollout_value(ft, fc, horizon=26, margin_per_period=0.0, value_at_horizon=vc, cost_per_period=k)


def test_curves_fitted_on_a_coarse_timeline_or_another_confidence_spelling_give_the_same_answer(exponential_arms):
    dt, et, dc, ec = exponential_arms
    ft, fc = curves_of(dt, et, dc, ec)
    coarse = KaplanMeierFitter(alpha=0.05).fit(dt, et, timeline=np.arange(0, 27, 2.0))   # alpha exactly 0.05
    assert ft.alpha != coarse.alpha                              # 1 - 0.95 is 0.050000000000000044
    fine, rough = (ro.rollout_value(f, fc, horizon=25, margin_per_period=1.0, value_at_horizon=50.0)
                   for f in (ft, coarse))
    assert rough.value == pytest.approx(fine.value, rel=1e-9) and rough.se == pytest.approx(fine.se, rel=1e-9)
    expected = restricted_mean_survival_time(KaplanMeierFitter().fit(dt, et), t=25)
    assert rough.rmst_difference + restricted_mean_survival_time(KaplanMeierFitter().fit(dc, ec), t=25) == \
        pytest.approx(expected, rel=1e-6)


def test_retention_functions_refuse_bad_input(exponential_arms):
    ft, fc = curves_of(*exponential_arms)
    with pytest.raises(rk.InputError, match="fitted"):
        ro.retained_difference("a curve", fc, horizon=13)
    with pytest.raises(rk.InputError, match="horizon"):
        ro.retained_difference(ft, fc, horizon=0)
    with pytest.raises(rk.InputError, match="per"):
        ro.rollout_value(ft, fc, horizon=13, margin_per_period=1, value_at_horizon=1, per=-1)
    with pytest.raises(rk.InputError, match="margin_per_period"):
        ro.rollout_value(ft, fc, horizon=13, margin_per_period=np.nan, value_at_horizon=1)
    other = rk.survival.kaplan_meier(pd.DataFrame({"duration": [1.0, 2.0], "churned": [True, False]}),
                                     confidence=0.9)["all"]
    with pytest.raises(rk.InputError, match="confidence"):
        ro.retained_difference(ft, other, horizon=1)
    from lifelines import WeibullFitter
    weibull = WeibullFitter().fit(exponential_arms[0], exponential_arms[1])
    with pytest.raises(rk.InputError, match="Kaplan-Meier"):
        ro.retained_difference(weibull, fc, horizon=13)


def rollout(seed):
    (subs, listening), truth = rk.datasets.make_playlist_rollout(random_state=seed)
    life = rk.survival.subscription_lifetimes(subs, observation_period_end="2025-09-01", start_col="rollout_date",
                                              time_unit="week")
    per = ro.listening_per_subscriber(listening, subs, period_start="2025-03-03", period_end="2025-09-01")
    pre = ro.listening_per_subscriber(listening, subs, period_start="2025-02-03", period_end="2025-03-03")
    return life, per, truth, pre


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_planted_effects_are_recovered(seed):
    """Tolerance: 3.5 standard errors of each estimate (a miss by chance about once in 2,000 per check)."""
    life, per, truth, pre = rollout(seed)
    planted = planted_retention(truth, 26)
    effects = {}
    for group in ("new", "long-time"):
        f = rk.survival.kaplan_meier(life[life["listener"] == group].assign(arm=lambda d: d["treated"]), by="arm")
        kept = ro.retained_difference(f[True], f[False], horizon=26)
        area = rk.survival.restricted_mean_difference(f[True], f[False], horizon=26)
        assert abs(kept.value - 10_000 * planted.loc[group, "retained_difference"]) < 3.5 * kept.se
        assert abs(area.value - planted.loc[group, "rmst_difference"]) < 3.5 * area.se
        adjusted = ro.adjusted_lift(per[per["listener"] == group], pre, "minutes")
        assert abs(adjusted.value - truth["lift"][group]["minutes"]) < 3.5 * adjusted.se
        lift = ro.engagement_lift(per[per["listener"] == group], "minutes", statistic="log")
        assert abs(np.log1p(lift.value) - np.log1p(truth["lift"][group]["minutes"])) < 3.5 * lift.se / (1 + lift.value)
        effects[group] = kept
    # the difference of effects between the tenure groups, with independent standard errors
    gap = effects["new"].value - effects["long-time"].value
    planted_gap = 10_000 * (planted.loc["new", "retained_difference"] - planted.loc["long-time", "retained_difference"])
    assert abs(gap - planted_gap) < 3.5 * np.hypot(effects["new"].se, effects["long-time"].se)
    assert gap > 0


def test_rollout_view_and_explorer():
    life, _, _, _ = rollout(5)
    text, ax = ro.rollout_view(life, "new listeners", 13)
    repeated = life.set_axis(np.zeros(len(life), dtype=int))            # a repeated index: aligned by position
    assert ro.rollout_view(repeated, "new listeners", 13)[0] == text
    new = life[life["listener"] == "new"]
    kmt = KaplanMeierFitter().fit(new.loc[new["treated"], "duration"], new.loc[new["treated"], "churned"])
    kmc = KaplanMeierFitter().fit(new.loc[~new["treated"], "duration"], new.loc[~new["treated"], "churned"])
    st, sc = (float(k.survival_function_at_times(13).iloc[0]) for k in (kmt, kmc))
    assert text.startswith(f"new listeners, 13 weeks after the rollout: {st:.1%} still subscribed with playlists, "
                           f"{sc:.1%} without; {10_000 * (st - sc):+,.0f} per 10,000")
    rmst = restricted_mean_survival_time(kmt, t=13) - restricted_mean_survival_time(kmc, t=13)
    assert f"restricted mean {rmst:+.2f} weeks" in text
    assert len(ax.lines) >= 2 and "new listeners" in ax.get_title()
    with pytest.raises(rk.InputError, match="listeners"):
        ro.rollout_view(life, "old listeners", 13)
    with pytest.raises(rk.InputError, match="horizon"):
        ro.rollout_view(life, "new listeners", -1)
    explorer = ro.rollout_explorer(life, listeners="all listeners")
    assert explorer.controls["horizon"].max == 26
    explorer.controls["listeners"].value = "long-time listeners"
    explorer.controls["horizon"].value = 20
    assert explorer.label.value == f"<b>{rk.results.html_text(ro.rollout_view(life, 'long-time listeners', 20)[0])}</b>"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        html = explorer._repr_mimebundle_()["text/html"]
    assert "data:image/png;base64," in html and "mathjax_ignore" in html
