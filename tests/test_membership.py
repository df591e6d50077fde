"""The membership estimators against independent references (hand-worked values, statsmodels, scipy) and the
effects Marlow Market's simulator planted, across seeds."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import statsmodels.api as sm  # noqa: E402
from scipy import stats  # noqa: E402
from statsmodels.stats.proportion import proportion_confint  # noqa: E402

import retention_kit as rk  # noqa: E402
from retention_kit.programs import membership as m  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def simulated():
    data, truth = rk.datasets.make_membership_program(random_state=11)
    return data, truth, m.customer_table(data)


def small_table(seed=0, n=400):
    rng = np.random.default_rng(seed)
    x = rng.gamma(2, 1, n)
    member = rng.random(n) < 1 / (1 + np.exp(-(x - 2)))
    pre = x + rng.normal(0, 0.5, n).clip(-x)
    return pd.DataFrame({"member": member, "pre_orders": pre, "pre_spend": 40 * pre, "tenure": rng.integers(1, 60, n),
                         "post_orders": pre * 1.1 + 0.5 * member + rng.normal(0, 0.5, n),
                         "retained": rng.random(n) < 0.8 + 0.1 * member}, index=pd.Index(range(n), name="customer_id"))


def test_customer_table_matches_plain_pandas(simulated):
    data, _, table = simulated
    who = table.index[table["member"]][0]
    rows = data[data["customer_id"] == who]
    pre = rows[(rows["month"] >= "2024-07-01") & (rows["month"] < "2025-01-01")]
    post = rows[rows["month"] >= "2025-07-01"]
    assert table.loc[who, "pre_orders"] == pytest.approx(pre["orders"].sum() / 6)
    assert table.loc[who, "post_spend"] == pytest.approx(post["spend"].sum() / len(post))
    assert table.loc[who, "retained"] == (rows["month"].max() == pd.Timestamp("2025-12-01"))
    assert table.loc[who, "streaming"] == post["streaming"].any()
    first = rows["first_order"].iloc[0]
    assert table.loc[who, "tenure"] == (2025 - first.year) * 12 + 1 - first.month
    june = set(data.loc[data["month"] == "2025-06-01", "customer_id"])
    assert set(table.index) == june                                  # the population: active in June 2025
    assert table["member"].sum() == data.loc[data["customer_id"].isin(june), ["customer_id", "join_month"]] \
        .drop_duplicates()["join_month"].notna().sum()


def test_weighted_difference_is_the_wls_coefficient_with_hc2_errors():
    t = small_table(1)
    w = pd.Series(np.random.default_rng(2).uniform(0.2, 3, len(t)), index=t.index)
    r = m.weighted_difference(t, "orders", w)
    fit = sm.WLS(t["post_orders"], sm.add_constant(t["member"].astype(float)), weights=w).fit(cov_type="HC2")
    assert r.value == pytest.approx(fit.params["member"], rel=1e-10)
    assert r.se == pytest.approx(fit.bse["member"], rel=1e-8)
    assert r.ci[1] - r.value == pytest.approx(stats.norm.ppf(0.975) * r.se)


def test_naive_difference_has_welchs_standard_error():
    t = small_table(3)
    r = m.naive_difference(t, "orders")
    a, b = t.loc[t["member"], "post_orders"], t.loc[~t["member"], "post_orders"]
    welch = stats.ttest_ind(a, b, equal_var=False)
    assert r.value == pytest.approx(a.mean() - b.mean())
    assert r.se == pytest.approx(r.value / welch.statistic, rel=1e-10)
    kept = m.naive_difference(t, "retention")
    assert kept.value == pytest.approx(t.loc[t["member"], "retained"].mean() - t.loc[~t["member"], "retained"].mean())


def test_diff_in_diff_hand_worked_and_as_the_interaction_of_a_regression():
    t = pd.DataFrame({"member": [True, True, False, False], "pre_orders": [2.0, 2.0, 1.0, 1.0],
                      "post_orders": [4.0, 3.0, 1.5, 1.0], "retained": [True] * 4})
    assert m.diff_in_diff(t).value == pytest.approx((3.5 - 2.0) - (1.25 - 1.0))
    t = small_table(4)
    long = pd.DataFrame({"y": np.r_[t["pre_orders"], t["post_orders"]], "member": np.r_[t["member"], t["member"]],
                         "post": np.r_[np.zeros(len(t)), np.ones(len(t))]}).astype(float)
    long["both"] = long["member"] * long["post"]
    fit = sm.OLS(long["y"], sm.add_constant(long[["member", "post", "both"]])).fit()
    assert m.diff_in_diff(t).value == pytest.approx(fit.params["both"], rel=1e-10)


def test_strata_weights_reproduce_the_stratum_by_stratum_average():
    t = pd.DataFrame({"member": [True, True, False, False, False], "x": [1.0, 9.0, 1.0, 2.0, 9.0]})
    assert m.strata_weights(t, covariates=["x"], bins=2).tolist() == [1.0, 1.0, 0.5, 0.5, 1.0]
    t = small_table(5)
    w = m.strata_weights(t, covariates=["pre_orders"], bins=5)
    # independently: the members' strata from their quintiles, then sum_s n_M,s / n_M (mean_M,s - mean_C,s)
    edges = np.quantile(t.loc[t["member"], "pre_orders"], [0.2, 0.4, 0.6, 0.8])
    s = pd.Series(np.digitize(t["pre_orders"], edges), index=t.index)
    by = t.assign(s=s).groupby(["s", "member"])["post_orders"].agg(["mean", "size"]).unstack()
    share = by[("size", True)] / by[("size", True)].sum()
    expected = (share * (by[("mean", True)] - by[("mean", False)])).sum()
    assert m.weighted_difference(t, "orders", w).value == pytest.approx(expected, rel=1e-10)
    assert w.attrs["unmatched_members"] == 0


def test_propensity_scores_match_statsmodels_logit():
    t = small_table(6)
    e = m.propensity_scores(t)
    X = np.log1p(t[["pre_orders", "pre_spend", "tenure"]].astype(float))
    fit = sm.Logit(t["member"].astype(float), sm.add_constant(X)).fit(disp=0)
    assert np.allclose(e, fit.predict(sm.add_constant(X)), atol=1e-7)
    w = m.ipw_weights(t, e)
    assert np.allclose(w[~t["member"]], e[~t["member"]] / (1 - e[~t["member"]])) and (w[t["member"]] == 1).all()
    summary = m.overlap_summary(t, e)
    wc = w[~t["member"]]
    assert summary.attrs["effective_comparison"] == pytest.approx(wc.sum() ** 2 / (wc ** 2).sum())
    assert summary.loc["members", "max"] == pytest.approx(e[t["member"]].max())


def test_propensity_on_raw_covariates_matches_statsmodels_and_trimming_drops_the_members_outside():
    t = small_table(6)
    e = m.propensity_scores(t, covariates=["pre_orders", "tenure"], log=False)     # pre_spend is 40 x pre_orders
    X = sm.add_constant(t[["pre_orders", "tenure"]].astype(float))
    assert np.allclose(e, sm.Logit(t["member"].astype(float), X).fit(disp=0).predict(X), atol=1e-7)
    w = m.ipw_weights(t, e, common_support=True)
    outside = t["member"] & (e > e[~t["member"]].max())
    assert w.attrs["outside_support"] == outside.sum() and (w[outside] == 0).all()
    assert (w[t["member"] & ~outside] == 1).all()
    assert np.allclose(w[~t["member"]], e[~t["member"]] / (1 - e[~t["member"]]))


def test_balance_is_the_standardized_difference_by_hand():
    t = small_table(7)
    w = m.ipw_weights(t, m.propensity_scores(t))
    b = m.balance(t, w)
    mem = t["member"].to_numpy()
    for column, x in (("pre_orders", t["pre_orders"]), ("log(1 + tenure)", np.log1p(t["tenure"].astype(float)))):
        x = x.to_numpy(float)
        s = np.sqrt((np.var(x[mem], ddof=1) + np.var(x[~mem], ddof=1)) / 2)
        assert b.loc[column, "smd_before"] == pytest.approx((x[mem].mean() - x[~mem].mean()) / s)
        after = (x[mem].mean() - np.average(x[~mem], weights=w[~mem])) / s
        assert b.loc[column, "smd_after"] == pytest.approx(after)
    wc = np.sort(w[~t["member"]].to_numpy())[::-1]
    assert b.attrs["top_percent_share"] == pytest.approx(wc[:int(np.ceil(0.01 * len(wc)))].sum() / wc.sum())
    logs = b.index.str.startswith("log")                          # the scale the propensity was fitted on
    assert (b.loc[logs, "smd_after"].abs() < b.loc[logs, "smd_before"].abs()).all()


def test_ipw_bootstrap_spread_matches_a_bootstrap_by_hand_with_statsmodels():
    t = small_table(12, n=600)
    r = m.ipw_bootstrap(t, "orders", n_resamples=300, random_state=0)
    rng, estimates = np.random.default_rng(99), []
    for _ in range(300):                  # an independent bootstrap: statsmodels' logit, its own resamples
        b = t.iloc[rng.integers(0, len(t), len(t))]
        X = sm.add_constant(np.log1p(b[["pre_orders", "pre_spend", "tenure"]].astype(float)))
        e = sm.Logit(b["member"].astype(float), X).fit(disp=0).predict(X).to_numpy()
        mem = b["member"].to_numpy()
        y = b["post_orders"].to_numpy()
        estimates.append(y[mem].mean() - np.average(y[~mem], weights=e[~mem] / (1 - e[~mem])))
    assert r.se == pytest.approx(np.std(estimates, ddof=1), rel=0.2)     # Monte Carlo noise: about 5% each
    fixed = m.weighted_difference(t, "orders", m.ipw_weights(t, m.propensity_scores(t)))
    assert r.value == pytest.approx(fixed.value)


def test_ipw_balances_the_covariates_it_was_fitted_on(simulated):
    _, _, t = simulated
    w = m.ipw_weights(t, m.propensity_scores(t))
    member = t["member"]
    for c in ("pre_orders", "pre_spend", "tenure"):
        x = np.log1p(t[c])
        sd = x.std()
        before = (x[member].mean() - x[~member].mean()) / sd
        after = (x[member].mean() - np.average(x[~member], weights=w[~member])) / sd
        assert abs(before) > 0.1 or c == "tenure"
        assert abs(after) < 0.05, c              # standardized mean difference after weighting


def test_benefit_usage_has_wilson_intervals(simulated):
    _, _, table = simulated
    usage = m.benefit_usage(table)
    light = table[table["member"] & table["retained"] & (table["band"] == "light")]
    row = usage.loc[("light", "streaming")]
    low, high = proportion_confint(light["streaming"].sum(), len(light), method="wilson")
    assert (row["used"], row["n"]) == (light["streaming"].sum(), len(light))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))


def test_clv_gap_parts_are_the_formula_by_hand():
    t = small_table(8).assign(post_spend=lambda d: 30 * d["post_orders"].clip(0))
    t.attrs["windows"] = {"post": ("2025-07-01", "2026-01-01")}
    gap = m.clv_gap(t, adjust="none", n_resamples=20, random_state=0)
    members = t[t["member"]]
    margin, r = 0.3 * members["post_spend"].mean(), members["retained"].mean() ** (1 / 6)
    assert gap.members_clv == pytest.approx(margin * r / (1.01 - r))
    assert gap.value == pytest.approx(gap.members_clv - gap.comparison_clv)
    assert gap.ci[0] < gap.value < gap.ci[1]
    short = m.clv_gap(t, adjust="none", horizon=12, n_resamples=None)
    by_hand = sum(margin * r ** k / 1.01 ** k for k in range(1, 13))   # the first 12 monthly margins, discounted
    assert short.members_clv == pytest.approx(by_hand) and short.ci is None


@pytest.mark.parametrize("seed", range(4))
def test_planted_effects_are_recovered_when_nothing_unmeasured_drives_joining(seed):
    data, truth = rk.datasets.make_membership_program(selection=1.0, unobserved=0.0, random_state=seed)
    table = m.customer_table(data)
    orders, retention = m.estimates(table, "orders"), m.estimates(table, "retention")
    # the naive gap overstates the planted effect on orders by more than 0.7 orders a month at this selection
    assert orders.loc["naive: members vs non-members", "estimate"] > truth["att_orders"] + 0.7
    # weighting and the matched DiD recover it: within 0.2 orders a month (about 2.5 standard errors)
    for method in ("inverse-propensity weighting", "DiD vs matched non-members", "DiD, propensity-weighted"):
        assert orders.loc[method, "estimate"] == pytest.approx(truth["att_orders"], abs=0.2), method
    # retention: the naive gap is about twice the planted effect; weighting is within 0.035 (about 3 SE)
    assert retention.loc["inverse-propensity weighting", "estimate"] == pytest.approx(truth["att_retention"], abs=0.035)
    assert retention.loc["naive: members vs non-members", "estimate"] > truth["att_retention"] + 0.02


def test_an_unmeasured_reason_to_join_leaves_a_bias_no_adjustment_removes():
    bias = {0.0: [], 0.2: []}
    for unobserved in bias:
        for seed in range(3):
            data, truth = rk.datasets.make_membership_program(unobserved=unobserved, random_state=20 + seed)
            est = m.estimates(m.customer_table(data), "orders").loc["inverse-propensity weighting", "estimate"]
            bias[unobserved].append(est - truth["att_orders"])
    assert abs(np.mean(bias[0.0])) < 0.08
    assert np.mean(bias[0.2]) > 0.15          # members had a reason to order more that no covariate measured


def test_selection_view_and_explorer():
    text, ax = m.selection_view(2.0, 0.0, n_customers=1500)
    assert text.startswith("selection 2.00, unmeasured driver 0.00: before joining, members ordered")
    assert "planted" in text and len(ax.lines) >= 5 and len(ax.collections) == 1       # the noise band
    naive = ax.lines[0].get_ydata()
    planted = [line for line in ax.lines if line.get_label() == "planted"][0].get_ydata()
    assert naive[-1] - planted[-1] > naive[0] - planted[0]       # stronger selection, larger overstatement
    explorer = m.selection_explorer(n_customers=400, selection=0.0, unobserved=0.0)
    explorer.controls["unobserved"].value = 0.3
    explorer.controls["selection"].value = 1.5
    assert "selection 1.50, unmeasured driver 0.30" in explorer.label.value
    assert "A static view" in explorer.static_html()


def test_an_unmeasured_driver_moves_the_weighted_estimate_and_not_its_interval():
    from retention_kit.programs.membership_explorer import _setting
    rows = {u: _setting(1.0, 6000, u, 0) for u in (0.0, 0.4)}
    gap = {u: r["inverse-propensity weighting"] - r["planted"] for u, r in rows.items()}
    width = {u: r["ipw_high"] - r["ipw_low"] for u, r in rows.items()}
    assert gap[0.4] - gap[0.0] > 0.3                  # the hidden trait (strength 0.4) biases the estimate up
    assert width[0.4] == pytest.approx(width[0.0], rel=0.35)       # while the interval stays about as wide
    assert not rows[0.4]["ipw_low"] <= rows[0.4]["planted"] <= rows[0.4]["ipw_high"]


@pytest.mark.parametrize("call, message", [
    (lambda t: m.diff_in_diff(t, "retention"), "has no pre-window value"),
    (lambda t: m.weighted_difference(t, "orders", pd.Series([1.0, 2.0])), "weights must be a Series indexed like"),
    (lambda t: m.weighted_difference(t, "visits"), "outcome='visits' must be one of"),
    (lambda t: m.ipw_weights(t, pd.Series(1.0, index=t.index)), "strictly between 0 and 1"),
    (lambda t: m.strata_weights(t, bins=1), "bins=1 must be a whole number from 2 to 20"),
    (lambda t: m.propensity_scores(t.drop(columns="tenure")), "table has no column 'tenure'"),
    (lambda t: m.propensity_scores(t.assign(member=True)), "one group only"),
    (lambda t: m.propensity_scores(t.assign(tenure=np.r_[np.nan, t["tenure"].iloc[1:]])), "'tenure' has 1 missing"),
    (lambda t: m.strata_weights(t.assign(pre_spend=np.r_[np.nan, t["pre_spend"].iloc[1:]])), "'pre_spend' has 1 miss"),
    (lambda t: m.ipw_weights(t, pd.Series([0.5, 0.5])), "propensity must be a Series indexed like the table"),
    (lambda t: m.selection_view(1.0, 1.5), "unobserved=1.5 must be a finite number from 0 to 1"),
    (lambda t: m.balance(t, pd.Series(1.0, index=t.index).iloc[:5]), "weights must be a Series indexed like"),
    (lambda t: m.clv_gap(t, adjust="psm"), "adjust='psm' must be one of"),
    (lambda t: m.selection_view(3.0), "selection=3.0 must be a finite number from 0 to 2"),
])
def test_bad_input(call, message):
    with pytest.raises(rk.InputError, match=message):
        call(small_table(9))


def test_customer_table_bad_input(simulated):
    data, _, _ = simulated
    with pytest.raises(rk.InputError, match="has no column 'join_month'"):
        m.customer_table(data.drop(columns="join_month"))
    early = data.assign(join_month=data["join_month"].fillna(pd.Timestamp("2024-03-01")))
    with pytest.raises(rk.InputError, match="joined outside the join window"):
        m.customer_table(early)
    month_end = data.assign(month=data["month"] + pd.offsets.MonthEnd(0))
    with pytest.raises(rk.InputError, match="must hold the first day of each month"):
        m.customer_table(month_end)
    with pytest.raises(rk.InputError, match="the population is empty"):
        m.customer_table(data[data["month"] < "2025-06-01"])
    with pytest.raises(rk.InputError, match="must be in order"):
        m.customer_table(data, windows={"pre": ("2025-01-01", "2024-07-01"), "post": ("2025-07-01", "2026-01-01")})
