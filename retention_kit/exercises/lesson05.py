"""Exercises of lesson 05 (repeat purchase rate)."""
from ..datasets import planted_truth
from ..metrics import first_window_counts, purchase_counts, repeat_purchase_rate
from .data import load
from .engine import Exercise, Solution, register


def _rpr():
    r = repeat_purchase_rate(load("coffee_transactions"), "2025-01-01", "2026-01-01")
    return Solution(r.value, dict(repeat=r.repeat_customers, customers=r.customers))


def _more_than_five():
    counts = purchase_counts(load("coffee_transactions"), "2025-01-01", "2026-01-01")
    return Solution(float((counts > 5).mean()))


def _selection():
    counts = first_window_counts(load("coffee_transactions"), window=365)
    rate = planted_truth("coffee_transactions")["customers"].set_index("customer_id")["purchase_rate"]
    reached = counts.index[counts >= 6]
    rest = counts.index[counts < 6]
    return Solution(float(rate[reached].mean() / rate[rest].mean()))


register(
    Exercise("05-rpr-2025", "Harbor Coffee's repeat purchase rate in 2025 (a fraction)", _rpr,
             "{repeat:,} of {customers:,} customers who bought in 2025 bought again in 2025: {answer:.4f}.",
             "the year is the half-open period from 1 January 2025 to 1 January 2026; rk.repeat_purchase_rate takes "
             "the log and the two ends", abs_tol=1e-4, unit="fraction"),
    Exercise("05-more-than-five", "share of 2025's customers who made more than five purchases in 2025 (a fraction)",
             _more_than_five,
             "{answer:.1%} of 2025's customers bought more than five times.",
             "count each customer's purchases in 2025 (rk.purchase_counts); the mean of a True/False comparison is a "
             "share", abs_tol=1e-4, unit="fraction"),
    Exercise("05-selection",
             "planted purchase rate of customers with 6+ purchases in their first year, divided by that of the rest",
             _selection,
             "customers who reached six purchases were buying {answer:.1f} times as often *from the start*: the "
             "simulation gives each customer a fixed rate, so no purchase changed anyone's behaviour. Reaching k "
             "purchases selects the frequent buyers; it does not make them loyal.",
             "count first-year purchases (rk.metrics.first_window_counts), then compare the planted 'purchase_rate' "
             "of the two groups in the planted truth", rel_tol=0.01),
)
