"""Exercises of lesson 11 (customer feedback loops): Tallyworks' feedback portal, with the lesson's keyword themes."""
from functools import lru_cache

from ..datasets import make_feedback_items
from .engine import Exercise, Solution, register

# the lesson's calls: rk.datasets.make_feedback_items(random_state=11) and its keyword rules (section 2)
ITEMS_SEED = 11
OBSERVATION_PERIOD_END = "2026-01-01"
RULES = {"billing": ["invoice", "billing", "charge", "refund", "payment"],     # "charge" covers "charged"
         "sync": ["sync", "crash", "offline"],
         "performance": ["slow", "load", "timeout"],
         "login": ["log in", "login", "password", "sign-on", "two-factor", "locked", "session"],
         "integrations": ["integration", "connector", "webhook"],
         "reports": ["report", "export"]}
UNFIXED = ["performance", "integrations", "reports"]       # the themes no fix touched: the comparison
TENURE_BANDS = ([0, 1, 2, 4, 9], ["<1", "1-2", "2-4", "4+"])   # section 5's bands of tenure_years, [low, high)


@lru_cache(maxsize=None)
def lesson_data():
    """The lesson's items, their keyword themes (indexed like the items) and the customer view."""
    from .. import feedback
    items, truth = make_feedback_items(random_state=ITEMS_SEED)
    themes = feedback.keyword_themes(items["text"], RULES)["theme"]
    view = feedback.customer_view(items, truth["customers"], themes=themes)
    return items, truth, themes, view


def _billing_customers():
    _, _, _, view = lesson_data()
    raised = view[view["any_item"]]
    return Solution(float(raised["billing"].mean()), dict(n=int(raised["billing"].sum()), customers=len(raised)))


def _within_target():
    from .. import feedback
    items = lesson_data()[0]
    issues = items[items["kind"] == "issue"]
    row = feedback.service_times(issues, target_days=3, observation_period_end=OBSERVATION_PERIOD_END).loc["all"]
    return Solution(float(row["within_target"]), dict(n=int(row["target_items"])))


def _loop_gap_resolved():
    import pandas as pd

    from .. import feedback
    view = lesson_data()[3]
    wrote = view[view["any_item"]].copy()
    bins, labels = TENURE_BANDS
    wrote["tenure_band"] = pd.cut(wrote["tenure_years"], bins, right=False, labels=labels)
    resolved = wrote[wrote["any_resolved"]]
    gap = feedback.loop_gap(resolved, strata=["plan", "tenure_band"])
    return Solution(gap.value, dict(naive=100 * gap.naive, low=100 * gap.ci[0], high=100 * gap.ci[1],
                                    points=100 * gap.value, customers=len(resolved),
                                    left_out=len(wrote) - len(resolved)))


def _fix_billing():
    from .. import feedback
    items, truth, themes, _ = lesson_data()
    day = truth["fixes"]["billing"][0]
    r = feedback.fix_effect(items, themes, "billing", day, comparison=UNFIXED, window_days=91,
                            observation_period_start="2025-01-01", observation_period_end=OBSERVATION_PERIOD_END)
    return Solution(r.value, dict(naive=r.naive_change, comparison=r.comparison_change))


register(
    Exercise("11-billing-customers", "share of the customers who sent an item who raised a billing item",
             _billing_customers,
             "{n:,} of the {customers:,} customers who wrote: {answer:.1%}. A share of customers, not of items: a "
             "customer with three billing items counts once.",
             "use the keyword rules' theme of each item (the customer view's True/False column per theme), not a "
             "search for any billing word, and count customers, not items: keep those who sent at least one item",
             abs_tol=5e-4, unit="fraction"),
    Exercise("11-issues-within-3-days", "share of issues resolved within 3 days", _within_target,
             "{answer:.1%} of the {n:,} issues whose 3 days had passed by the end of 2025. Only those count: an issue "
             "opened on 30 December has not had its chance yet.",
             "keep the issues (kind), then ask the service table for a target of 3 days, with the data's end "
             "as observation_period_end", abs_tol=5e-4, unit="fraction"),
    Exercise("11-loop-gap-resolved", "the closed-loop renewal gap within plan and tenure band, among customers with "
             "a resolved item", _loop_gap_resolved,
             "{points:+.1f} points (95% interval {low:+.1f} to {high:+.1f}) among the {customers:,} customers with a "
             "resolved item, against a naive {naive:+.1f} among them. The {left_out:,} writers without one could not have been "
             "told what happened: kept, they sit in the 'not closed' group without ever having had the chance. Still "
             "an association.",
             "only an item that was resolved can have its loop closed: keep the customers who wrote and had at least "
             "one item resolved (the customer view has a column for it), then compare within the same strata as "
             "section 5", abs_tol=5e-4, unit="fraction"),
    Exercise("11-fix-billing-91-days", "the billing fix's change beyond the comparison, 91 days either side",
             _fix_billing,
             "{answer:+.1%}: billing items changed by {naive:+.1%} while the untouched themes changed by "
             "{comparison:+.1%} over the same weeks; the fix is credited only with the difference.",
             "the fix's estimate compares the theme before and after its date with the themes no fix touched; "
             "limit each side to 91 days", abs_tol=5e-4, unit="fraction"),
    Exercise("11-judge-loop", "what the closed-loop renewal gap within plan and tenure supports",
             lambda: Solution("b"),
             "an association with the measured confounders held fixed; an effect needs a test that randomizes "
             "customers (renewal is a customer's outcome), sized for a gap of that size and run until their contracts "
             "come up for renewal.",
             "ask how the customers whose loops were closed were chosen, and what the strata cannot hold fixed",
             kind="choice",
             options={"a": "stratifying holds fixed only what was measured: how the team chose whom to answer can "
                           "still differ between the groups.",
                      "c": "the naive gap mixes the loop with plan and tenure; the stratified gap is closer to the "
                           "effect, not evidence of nothing."}),
    Exercise("11-judge-fix", "what the login items' fall after the login fix shows", lambda: Solution("c"),
             "every theme fell over the same weeks: against the untouched themes the login fix changed nothing "
             "measurable.",
             "compare the login items' change with the change of the themes no fix touched", kind="choice",
             options={"a": "a fall that the themes no fix touched had too is the trend, not the fix.",
                      "b": "more months of data narrow the interval; they do not separate the fix from the trend, "
                           "which only a comparison does."}),
)
