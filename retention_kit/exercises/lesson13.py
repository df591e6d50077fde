"""Exercises of lesson 13 (a published table end to end: the IBM Telco sample); the lesson's split and model, built once."""
from functools import lru_cache

from .data import load
from .engine import Exercise, Solution, register

# the lesson's choices: a random held-out split stratified by churn, the model's columns, the campaign's assumptions
SPLIT_SEED, TEST_SHARE = 13, 0.3
CATEGORICAL = ["gender", "Partner", "Dependents", "PhoneService", "MultipleLines", "InternetService", "OnlineSecurity",
               "OnlineBackup", "DeviceProtection", "TechSupport", "StreamingTV", "StreamingMovies", "Contract",
               "PaperlessBilling", "PaymentMethod"]
NUMERIC = ["SeniorCitizen", "tenure", "MonthlyCharges"]
MARGIN, HORIZON_MONTHS, MONTHLY_DISCOUNT = 0.5, 24, 0.01
INCENTIVE, CONTACT_COST, ACCEPTANCE = 50.0, 5.0, 0.3
BANDS = (0, 12, 24, 48, 72)


def telco():
    """The shipped table, indexed by customer."""
    return load("telco_churn").set_index("customerID")


@lru_cache(maxsize=None)
def _cached_split():
    from sklearn.model_selection import train_test_split
    table = telco()
    return tuple(train_test_split(table, test_size=TEST_SHARE, stratify=table["Churn"], random_state=SPLIT_SEED))


def _split():
    """The lesson's training and held-out customers (copies: the cached tables stay as they were)."""
    return tuple(part.copy() for part in _cached_split())


@lru_cache(maxsize=None)
def _km_summary():
    """What the exercises read from the Kaplan-Meier curves by contract, as plain numbers (nothing mutable cached)."""
    from .. import survival
    curves = survival.kaplan_meier(telco(), by="Contract", duration_col="tenure", event_col="Churn")
    m2m, two = curves["Month-to-month"], curves["Two year"]
    return (float(m2m.survival_function_at_times(12).iloc[0]), float(m2m.survival_function_at_times(HORIZON_MONTHS).iloc[0]),
            int(m2m.event_table["at_risk"].iloc[0]), float(two.survival_function_at_times(12).iloc[0]))


def kept_retention() -> float:
    """The monthly retention of a kept customer: month-to-month customers' Kaplan-Meier S(24) ** (1 / 24)."""
    return _km_summary()[1] ** (1 / HORIZON_MONTHS)


@lru_cache(maxsize=None)
def _cached_campaign_inputs():
    from .. import churn
    from ..clv import formula_clv
    train, test = _split()
    encoder = churn.CustomerEncoder(CATEGORICAL, NUMERIC).fit(train)
    model = churn.fit_churn_model(encoder.transform(train), train["Churn"], model="logistic", random_state=0)
    p = churn.predict_churn(model, encoder.transform(test))
    r = kept_retention()
    clv = test["MonthlyCharges"].map(lambda fee: formula_clv(MARGIN * fee, retention=r, discount_rate=MONTHLY_DISCOUNT,
                                                             periods=HORIZON_MONTHS).value).rename("clv")
    return p, clv


def campaign_inputs():
    """The lesson's held-out customers: P(churn) from the logistic model and the 24-month formula CLV of each.

    Copies of a cached computation, so a caller that changes them changes nothing for the next.
    """
    p, clv = _cached_campaign_inputs()
    return p.copy(), clv.copy()


def _survival_m2m_12():
    s12, _, n, two = _km_summary()
    return Solution(s12, dict(n=n, two=two))


def _support_gap_dsl():
    import pandas as pd
    from .. import churn, metrics
    table = telco()
    dsl = table[table["InternetService"] == "DSL"].assign(band=lambda d: churn.tenure_bands(d["tenure"], BANDS))
    counts = dsl.groupby(["Contract", "band", "TechSupport"], observed=True)["Churn"].agg(["sum", "size"])
    wide = counts.unstack("TechSupport")
    strata = pd.DataFrame({"successes_a": wide[("sum", "No")], "n_a": wide[("size", "No")],
                           "successes_b": wide[("sum", "Yes")], "n_b": wide[("size", "Yes")]}).dropna()
    result = metrics.stratified_difference(strata)
    return Solution(result.value, dict(low=result.ci[0], high=result.ci[1], crude=result.crude, k=len(strata)))


def _cox_support_fiber():
    from lifelines import CoxPHFitter
    from lifelines.statistics import proportional_hazard_test
    from .. import survival
    table = telco()
    fiber = table[table["InternetService"] == "Fiber optic"].assign(support=lambda d: d["TechSupport"] == "Yes")
    hr = survival.cox(fiber, covariates=["support"], strata="Contract", duration_col="tenure", event_col="Churn")
    row = hr.loc["support"]
    frame = fiber[["tenure", "Churn", "support", "Contract"]].astype({"Churn": float, "support": float})
    fitted = CoxPHFitter().fit(frame, duration_col="tenure", event_col="Churn", strata=["Contract"])
    ph = float(proportional_hazard_test(fitted, frame, time_transform="rank").summary.loc["support", "p"])
    return Solution(float(row["hazard_ratio"]), dict(low=float(row["ci_low"]), high=float(row["ci_high"]),
                                                     n=len(fiber), ph=ph))


def _best_share_low_acceptance():
    from .. import churn
    p, clv = campaign_inputs()
    low = churn.best_share(churn.profit_curve(p, clv, incentive=INCENTIVE, contact_cost=CONTACT_COST,
                                              acceptance_rate=0.15))
    base = churn.best_share(churn.profit_curve(p, clv, incentive=INCENTIVE, contact_cost=CONTACT_COST,
                                               acceptance_rate=ACCEPTANCE))
    return Solution(low.value, dict(n=low.targeted, profit=low.expected_profit, base=base.value,
                                    threshold=low.p_churn))


register(
    Exercise("13-km-month-to-month-12", "Kaplan-Meier share of month-to-month customers still customers at 12 months",
             _survival_m2m_12,
             "S(12) = {answer:.3f} over {n:,} month-to-month customers, against {two:.3f} on two-year contracts. Read "
             "it as the lesson's working assumption allows: each churner's tenure taken as a whole lifetime, current "
             "customers censored. If the table holds only one month of departures, that reading leaves out earlier "
             "ones and the curve is too high; if churners were over-sampled, too low.",
             "the curves by contract of section 2 already hold it: a fitted Kaplan-Meier curve can be read at any "
             "time (lesson 04)", abs_tol=0.005, unit="fraction"),
    Exercise("13-support-gap-dsl", "pooled difference in churn, no tech support minus tech support, DSL customers, "
             "within contract x tenure band", _support_gap_dsl,
             "{answer:+.3f} ({low:+.3f} to {high:+.3f}) over {k} strata, against a crude {crude:+.3f}: among DSL "
             "customers too, part of the gap is contract and tenure, and what remains is an association, on this "
             "table's scale.",
             "the same comparison as section 4's, on the DSL customers alone: compare like with like inside each "
             "contract x tenure band and pool with Mantel-Haenszel weights (strata where one group is empty carry no "
             "comparison)", abs_tol=5e-4, unit="fraction"),
    Exercise("13-cox-support-fiber", "hazard ratio of tech support among fiber-optic customers, stratified by contract",
             _cox_support_fiber,
             "{answer:.2f} ({low:.2f} to {high:.2f}) over {n:,} fiber customers: at the same tenure and on the same "
             "contract, those with support leave at about {answer:.0%} of the rate of those without, averaged over "
             "tenures. Among fiber customers support fails the proportional-hazards check (p = {ph:.0e}), so the "
             "ratio is not the same at every tenure. Still an association: who buys support, and who drops it before "
             "leaving, is not random.",
             "section 3's stratified model, fitted on the fiber customers only, with support as its one covariate "
             "(each contract keeps its own baseline hazard)", abs_tol=0.005),
    Exercise("13-best-share-low-acceptance", "best share of the held-out customers to target if only 15% of "
             "would-be churners accept", _best_share_low_acceptance,
             "{answer:.1%} ({n:,} customers, everyone with a predicted risk of {threshold:.0%} or more, for an "
             "expected ${profit:,.0f}), against {base:.1%} at 30%: the campaign's size rests on a rate nobody "
             "measured here.",
             "the acceptance rate enters every customer's expected profit, so the whole profit curve of section 7 "
             "changes; rebuild it under the new rate and find where it peaks (a share of the held-out customers)",
             abs_tol=0.005, unit="fraction"),
    Exercise("13-judge-support", "what the Telco numbers say about giving every customer free tech support",
             lambda: Solution("d"),
             "the gap shrinks as contract, tenure and internet type are held fixed; what remains is an association, "
             "on a table that over-represents churners, which reverse causation and unmeasured differences can "
             "explain; a randomized offer measures the effect.",
             "ask what each adjustment removed, what no adjustment of this table can remove, what scale the points "
             "are on, and what would measure the effect of support itself",
             kind="choice",
             options={"a": "the crude gap mixes contract, tenure and internet type with whatever support does: section "
                           "4 shows each of them taking a bite out of it.",
                      "b": "the adjusted gap is still an association (support may be dropped on the way out, buyers "
                           "may differ), and its points are on this table's scale: re-weighted to a business with "
                           "fewer churners, the same gap shrinks (section 4). It is not what free support would save.",
                      "c": "the gap shrinks but does not vanish: its interval excludes zero, and the pooled odds ratio "
                           "and the stratified Cox hazard ratio agree. The adjustments do not explain it away."}),
    Exercise("13-judge-snapshot-rate", "what the table's churn share tells the business", lambda: Solution("c"),
             "a share of a table is a rate of the business only if the table is a known sample of it; a base losing "
             "a quarter of its customers every month would have a mean tenure of a few months, not the years the "
             "table shows.",
             "ask how the table was drawn, and what mean tenure a customer base losing a quarter of its customers "
             "every month would have",
             kind="choice",
             options={"a": "an interval measures the chance variation of a sample drawn the way this one was; it "
                           "cannot say whether the table was drawn from the customer base at random.",
                      "b": "one month of departures divided by years of survivors' tenure is not a monthly rate: if "
                           "the churners left in one month, the ratio is biased low. The mean tenure gives a rough "
                           "rate only under a stated steady-state assumption (section 1).",
                      "d": "the interval describes the sampling of this table's customers; it cannot repair a table "
                           "that may over-represent churners."}),
)
