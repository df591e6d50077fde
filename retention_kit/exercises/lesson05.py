"""Exercises of lesson 05 (repeat purchase rate)."""
from ..datasets import planted_truth
from ..metrics import first_window_counts, purchase_counts
from .data import load
from .engine import Exercise, Solution, register


def _second_within_90d():
    counts = first_window_counts(load("coffee_transactions"), window=90, time_unit="day")
    return Solution(float((counts >= 2).mean()), dict(members=len(counts)))


def _more_than_five():
    counts = purchase_counts(load("coffee_transactions"), "2025-01-01", "2026-01-01")
    return Solution(float(counts[counts > 5].sum() / counts.sum()), dict(customers=float((counts > 5).mean())))


def _selection_three():
    counts = first_window_counts(load("coffee_transactions"), window=365)
    rate = planted_truth("coffee_transactions")["customers"].set_index("customer_id")["purchase_rate"]
    return Solution(float(rate[counts.index[counts >= 3]].mean() / rate[counts.index[counts < 3]].mean()))


register(
    Exercise("05-second-within-90d",
             "share of members (first 90 days observed) who made a second purchase within 90 days (a fraction)",
             _second_within_90d,
             "{answer:.4f} of the {members:,} members whose first 90 days are observed bought again within them. "
             "Every member gets the same window, so late joiners do not drag the rate down.",
             "the same window for every member, counted from their own first purchase: rk.metrics.first_window_counts",
             abs_tol=1e-4, unit="fraction"),
    Exercise("05-more-than-five",
             "share of 2025's purchases made by customers with more than five purchases in 2025 (a fraction)",
             _more_than_five,
             "{customers:.1%} of 2025's customers bought more than five times, and they made {answer:.1%} of the "
             "purchases: a share of purchases is not a share of customers.",
             "count each customer's purchases in 2025 (rk.purchase_counts), then compare the purchases of the "
             "frequent ones with all purchases", abs_tol=1e-4, unit="fraction"),
    Exercise("05-selection-three",
             "planted purchase rate of members with 3+ purchases in their first year, divided by that of the rest",
             _selection_three,
             "members who reached three purchases were buying {answer:.1f} times as often *from the start*: any "
             "threshold you pick separates frequent from casual buyers, because reaching it selects them.",
             "count first-year purchases (rk.metrics.first_window_counts), split at 3, and compare the mean planted "
             "'purchase_rate' of the two groups", rel_tol=0.01),
    Exercise("05-judge-sixth-purchase", "what the lesson says about a free coffee on the sixth purchase",
             lambda: Solution("a"),
             "a model with no threshold reproduces the curve, so the curve is no evidence for one; a randomized test "
             "of the reward would show whether it changes behaviour.",
             "ask who reaches six purchases, and what the model without a threshold says about the curve",
             kind="choice",
             options={"b": "the members who reach six purchases were frequent buyers from the start: the curve "
                           "compares different members, not the same members before and after.",
                      "c": "one point beyond 2 standard errors among a dozen is what chance gives, the joint test does "
                           "not reject the model, and a point picked after looking needs a fresh, planned test."}),
)
