"""Lesson 11's exercise answers against independent computations in plain pandas and numpy (regular expressions for
the rules, counts by hand for the gaps and the fix), never the kit's feedback functions. ``INDEPENDENT_11`` can be
merged into tests/test_exercise_answers.py's INDEPENDENT."""
import ast
import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from retention_kit import exercises
from retention_kit.datasets import make_feedback_items
from retention_kit.exercises.lesson11 import ITEMS_SEED, RULES, TENURE_BANDS, UNFIXED

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "11_customer_feedback_loops.ipynb"


def data():
    items, truth = make_feedback_items(random_state=ITEMS_SEED)
    return items, truth


def rule_themes(texts):
    """The rules by hand: count the keywords found at the start of a word; most wins, ties to the first rule (every
    keyword of the lesson starts with a letter, so a word boundary marks a word's start)."""
    lower = texts.str.lower()
    scores = pd.DataFrame({theme: sum(lower.str.contains(r"\b" + r"\s+".join(map(re.escape, w.split())))
                                      for w in words) for theme, words in RULES.items()})
    return scores.idxmax(axis=1).where(scores.max(axis=1) > 0, "other")


def billing_customers():
    items, _ = data()
    theme = rule_themes(items["text"])
    return items.loc[theme == "billing", "customer_id"].nunique() / items["customer_id"].nunique()


def issues_within_3_days():
    items, _ = data()
    issues = items[items["kind"] == "issue"]
    end = pd.Timestamp("2026-01-01")
    eligible = issues[issues["created_at"] <= end - pd.Timedelta(days=3)]
    done = eligible["resolved_at"] - eligible["created_at"] <= pd.Timedelta(days=3)     # NaT compares False
    return done.mean()


def loop_gap_resolved():
    """Mantel-Haenszel by hand, within plan x tenure band, among the customers with at least one resolved item."""
    items, truth = data()
    c = truth["customers"].set_index("customer_id")
    resolved_items = items[items["resolved_at"].notna()]
    closed = items.groupby("customer_id")["loop_closed"].any()
    who = resolved_items["customer_id"].unique()
    table = c.loc[who].assign(closed=closed[who])
    band = np.select([table["tenure_years"] < 1, table["tenure_years"] < 2, table["tenure_years"] < 4], [0, 1, 2], 3)
    num = den = 0.0
    for _, g in table.groupby([table["plan"], band]):
        a, b = g[g["closed"]], g[~g["closed"]]
        n = len(g)
        num += (a["renewed"].sum() * len(b) - b["renewed"].sum() * len(a)) / n
        den += len(a) * len(b) / n
    return num / den


def fix_billing_91_days():
    items, truth = data()
    theme = rule_themes(items["text"]).to_numpy()
    day = truth["fixes"]["billing"][0]
    t = items["created_at"]
    before = ((t >= day - pd.Timedelta(days=91)) & (t < day)).to_numpy()
    after = ((t >= day) & (t < day + pd.Timedelta(days=91))).to_numpy()
    fixed, comparison = theme == "billing", np.isin(theme, UNFIXED)
    a, b = (fixed & before).sum(), (fixed & after).sum()
    c, d = (comparison & before).sum(), (comparison & after).sum()
    return b * c / (a * d) - 1


INDEPENDENT_11 = {
    "11-billing-customers": billing_customers,
    "11-issues-within-3-days": issues_within_3_days,
    "11-loop-gap-resolved": loop_gap_resolved,
    "11-fix-billing-91-days": fix_billing_91_days,
    "11-judge-loop": lambda: "b",            # judgement questions: the model answer's choice
    "11-judge-fix": lambda: "c",
}


def test_every_exercise_of_lesson_11_has_an_independent_answer():
    assert sorted(INDEPENDENT_11) == sorted(k for k in exercises.exercises() if k.startswith("11-"))


@pytest.mark.parametrize("exercise_id", sorted(INDEPENDENT_11))
def test_expected_answer_matches_the_independent_computation(exercise_id):
    expected = exercises.expected_answer(exercise_id)
    independent = INDEPENDENT_11[exercise_id]()
    if exercises.exercises()[exercise_id].kind == "choice":
        assert expected == independent
    else:
        assert float(expected) == pytest.approx(float(independent), rel=1e-9)
        assert not math.isnan(float(expected))


def test_the_lesson_uses_the_rules_and_comparison_the_exercises_use():
    cells = [c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code"]
    rules = next(s for s in cells if s.startswith("rules = {"))
    assert ast.literal_eval(rules.split("=", 1)[1].split("\nby_rules")[0].strip()) == RULES
    assert any(f"unfixed = {UNFIXED!r}".replace("'", '"') in s for s in cells)
    bins, labels = TENURE_BANDS
    bands = f'pd.cut(wrote["tenure_years"], {bins!r}, right=False, labels={labels!r})'.replace("'", '"')
    assert any(bands in s for s in cells)                     # exercise 3 uses section 5's tenure bands
