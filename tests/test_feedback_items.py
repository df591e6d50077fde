"""Tallyworks' feedback portal: the table is what its docstring says, and the planted effects are what the data
show with many customers (computed here in plain pandas and numpy, not with the kit's feedback functions)."""
import re

import numpy as np
import pandas as pd
import pytest

import retention_kit as rk
from retention_kit.datasets.feedback import FEEDBACK_FIXES, FEEDBACK_PLANS, FEEDBACK_THEMES, make_feedback_items


@pytest.fixture(scope="module")
def world():
    return make_feedback_items(30_000, random_state=2)


def test_columns_dtypes_and_the_docstring_s_promises():
    items, truth = make_feedback_items(500, random_state=1)
    assert list(items.columns) == ["item_id", "customer_id", "created_at", "kind", "text", "first_response_at",
                                   "resolved_at", "loop_closed"]
    assert items["item_id"].is_unique and items["created_at"].is_monotonic_increasing
    assert items["created_at"].between("2025-01-01", "2026-01-01", inclusive="left").all()
    assert set(items["kind"]) == {"issue", "suggestion"} and items["loop_closed"].dtype == bool
    assert pd.api.types.is_datetime64_dtype(items["resolved_at"]) and (items["text"].str.len() > 10).all()
    # times are ordered, unobserved ones are NaT, and only resolved items have their loop closed
    assert (items["first_response_at"].dropna() >= items.loc[items["first_response_at"].notna(), "created_at"]).all()
    resolved = items["resolved_at"].notna()
    assert (items.loc[resolved, "resolved_at"] >= items.loc[resolved, "first_response_at"]).all()
    assert (items[["first_response_at", "resolved_at"]].max() < truth["observed_until"]).all()
    assert not (items["loop_closed"] & ~resolved).any()
    customers = truth["customers"]
    assert list(customers.columns) == ["customer_id", "plan", "signup_date", "tenure_years", "nps", "csat", "renewed"]
    assert str(customers["nps"].dtype) == "Int64" and customers["nps"].dropna().between(0, 10).all()
    assert customers["csat"].dropna().between(1, 5).all() and customers["nps"].isna().equals(customers["csat"].isna())
    assert set(items["customer_id"]) <= set(customers["customer_id"])
    assert truth["item_themes"].index.equals(pd.Index(items["item_id"])) and set(truth["item_themes"]) <= set(FEEDBACK_THEMES)


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    a, b, c = (make_feedback_items(300, random_state=s)[0] for s in (3, 3, 4))
    pd.testing.assert_frame_equal(a, b)
    assert not a["text"].equals(c["text"].reindex(a.index))


def test_bad_arguments_are_refused():
    with pytest.raises(rk.InputError, match="n_customers=10 must be a whole number of at least 50"):
        make_feedback_items(10)
    with pytest.raises(rk.InputError, match="random_state"):
        make_feedback_items(100, random_state="x")


def test_planted_nps_effects_are_the_differences_a_regression_on_the_true_themes_finds(world):
    """OLS of the answer on the planted themes, plan and tenure (numpy lstsq): within 0.25 points of the planted
    effect (the answers are rounded and capped at 0-10, which pulls the estimates a little towards 0)."""
    items, truth = world
    c = truth["customers"].set_index("customer_id")
    raised = pd.crosstab(items["customer_id"], truth["item_themes"].to_numpy()).gt(0).reindex(c.index, fill_value=False)
    answered = c["nps"].notna()
    x = np.column_stack([np.ones(answered.sum()), raised[answered].to_numpy(float),
                         (c.loc[answered, "plan"] == "team"), (c.loc[answered, "plan"] == "business"),
                         np.minimum(c.loc[answered, "tenure_years"], 5)]).astype(float)
    coef = np.linalg.lstsq(x, c.loc[answered, "nps"].to_numpy(float), rcond=None)[0]
    found = dict(zip(raised.columns, coef[1:1 + raised.shape[1]]))
    for theme, effect in truth["nps_effects"].items():
        assert found[theme] == pytest.approx(effect, abs=0.25), theme
        # the truth on the answers' scale is closer still (a linear fit of capped answers: within 0.1 point)
        assert found[theme] == pytest.approx(truth["nps_effects_observed"][theme], abs=0.1), theme


def test_the_observed_scale_truths_are_what_simulated_answers_show(world):
    """Each theme's effect on the rounded, capped answers, by Monte Carlo: for the customers who raised it, draw the
    noise many times and compare the answers with and without the theme's latent effect (the docstring's model)."""
    items, truth = world
    c = truth["customers"].set_index("customer_id")
    raised = pd.crosstab(items["customer_id"], truth["item_themes"].to_numpy()).gt(0).reindex(c.index, fill_value=False)
    base = {plan: values[2] for plan, values in FEEDBACK_PLANS.items()}
    mean = (c["plan"].map(base) + 0.1 * np.minimum(c["tenure_years"], 5)
            + raised.astype(float) @ pd.Series({t: v[2] for t, v in FEEDBACK_THEMES.items()})[raised.columns])
    rng = np.random.default_rng(0)
    for theme, (_, _, effect) in FEEDBACK_THEMES.items():
        m = mean[raised[theme]].to_numpy()[:, None]
        e_nps, e_csat = rng.normal(0, 1.8, (len(m), 200)), rng.normal(0, 0.7, (len(m), 200))
        nps = [np.clip(np.round(m - drop + e_nps), 0, 10) for drop in (0, effect)]
        csat = [np.clip(np.round(1.2 + 0.38 * (m - drop + e_nps) + e_csat), 1, 5) for drop in (0, effect)]
        assert (nps[0] - nps[1]).mean() == pytest.approx(truth["nps_effects_observed"][theme], abs=0.02), theme
        assert (csat[0] - csat[1]).mean() == pytest.approx(truth["csat_effects_observed"][theme], abs=0.01), theme
    # capping shrinks a harmful theme's effect on the answers, never reverses it
    for theme in ("billing", "sync", "performance"):
        assert truth["nps_effects"][theme] < truth["nps_effects_observed"][theme] < 0


def test_closing_the_loop_adds_the_planted_points_within_plan_and_tenure(world):
    items, truth = world
    c = truth["customers"].set_index("customer_id")
    closed = items.groupby("customer_id")["loop_closed"].any()
    wrote = c.loc[closed.index].assign(closed=closed, tenure=np.minimum(c.loc[closed.index, "tenure_years"], 4))
    # renewal is linear in the planted probability: regress on closed, plan and capped tenure
    x = np.column_stack([np.ones(len(wrote)), wrote["closed"], wrote["plan"] == "team", wrote["plan"] == "business",
                         wrote["tenure"]]).astype(float)
    coef = np.linalg.lstsq(x, wrote["renewed"].to_numpy(float), rcond=None)[0]
    assert coef[1] == pytest.approx(truth["loop_effect"], abs=0.02)
    naive = wrote.groupby("closed")["renewed"].mean()
    assert naive[True] - naive[False] > truth["loop_effect"] + 0.03               # confounded: the naive gap overstates
    # loops are closed more often for larger plans and longer tenure
    by_plan = wrote.groupby("plan")["closed"].mean()
    assert by_plan["starter"] < by_plan["team"] < by_plan["business"]
    assert truth["renewal_probability"][closed.index].corr(wrote["closed"].astype(float)) > 0


def test_every_renewal_probability_is_below_one_so_closing_the_loop_adds_the_same_points_for_everyone(world):
    """The docstring's renewal probability r_plan + 0.025 min(T, 4) + 0.06 x closed, recomputed: none reaches 1 (a
    probability above 1 would be cut, and the loop would add less than 6 points for the best customers)."""
    items, truth = world
    c = truth["customers"].set_index("customer_id")
    closed = items.groupby("customer_id")["loop_closed"].any().reindex(c.index, fill_value=False)
    base = c["plan"].map({plan: values[4] for plan, values in FEEDBACK_PLANS.items()})
    p = base + 0.025 * np.minimum(c["tenure_years"], 4) + 0.06 * closed
    assert np.allclose(truth["renewal_probability"].reindex(c.index), p)
    assert p.max() < 1 and truth["renewal_probability"].max() < 1
    # the effect holds for the business writers too (they reached 1.04 before the base rates were lowered)
    business = c.index[(c["plan"] == "business") & c.index.isin(items["customer_id"])]
    with_loop = base[business] + 0.025 * np.minimum(c.loc[business, "tenure_years"], 4) + 0.06
    assert (with_loop <= 0.98 + 1e-12).all()


def test_texts_mention_another_theme_one_time_in_eight_and_closers_name_no_theme(world):
    items, truth = world
    asides = ["and the invoice was wrong too", "and the app crashed again", "and it is slow as well",
              "after I finally managed to log in", "we would also like a ", "the report export is broken too"]
    aside = items["text"].str.contains("|".join(re.escape(", " + a) for a in asides))
    assert aside.mean() == pytest.approx(0.15 * 5 / 6, abs=0.01)          # one in eight, not one in seven
    # the word "report" outside the reports theme comes only from that theme's clause in passing (about 2%)
    theme = truth["item_themes"].to_numpy()
    assert items.loc[theme != "reports", "text"].str.contains(r"\breport", case=False).mean() < 0.03


def test_fixes_thin_their_theme_by_the_planted_share_beyond_the_common_trend(world):
    items, truth = world
    theme = truth["item_themes"].to_numpy()
    created = items["created_at"]
    for name, (day, drop) in FEEDBACK_FIXES.items():
        day = pd.Timestamp(day)
        before, after = created < day, created >= day
        others = ~np.isin(theme, list(FEEDBACK_FIXES))
        a, b = ((theme == name) & before).sum(), ((theme == name) & after).sum()
        c, d = (others & before).sum(), (others & after).sum()
        assert b * c / (a * d) - 1 == pytest.approx(-drop, abs=0.05), name
    # the common trend: the untouched themes' rate in December is about 55% of January's
    months = created.dt.month
    untouched = ~np.isin(theme, list(FEEDBACK_FIXES))
    assert (untouched & (months == 12)).sum() / (untouched & (months == 1)).sum() == pytest.approx(
        truth["trend_year"] ** (11 / 12), rel=0.1)


def test_themes_kinds_and_texts_follow_the_planted_vocabulary(world):
    items, truth = world
    theme = truth["item_themes"].to_numpy()
    issue_share = items.groupby(theme)["kind"].apply(lambda k: (k == "issue").mean())
    for name, (_, p_issue, _) in FEEDBACK_THEMES.items():
        assert issue_share[name] == pytest.approx(p_issue, abs=0.03)
    # each theme's own word is in most of its texts, and in few texts of the other themes
    for name, word in {"billing": "invoice|charge|billing|payment|refund", "sync": "sync", "login": "log",
                       "integrations": "integration"}.items():
        has = items["text"].str.contains(word, case=False).to_numpy()
        assert has[theme == name].mean() > 0.75 and has[theme != name].mean() < 0.12, name
