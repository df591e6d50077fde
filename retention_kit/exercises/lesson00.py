"""Exercises of lesson 00 (start here)."""
from .data import load
from .engine import Exercise, Solution, register

register(
    Exercise("00-warm-up", "how many customers are in the Tallyworks subscriptions table?",
             lambda: Solution(len(load("saas_subscriptions"))),
             "{answer:,} rows, one per customer: len(subs) or subs.shape[0].",
             "a DataFrame has one row per customer here; Python's len() counts rows", kind="integer"),
)
