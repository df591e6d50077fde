"""Immediate feedback on exercises: ``rk.check(exercise_id, answer)``.

Every expected answer is computed from the shipped data with the kit's tested functions (never
typed in), once per session, so a change in the data changes the answer with it. The engine is
in :mod:`.engine`; the exercises of each lesson in ``lesson00`` ... ``lesson14``.

>>> check("03-annual-from-monthly", None)
… 03-annual-from-monthly: not answered yet. Replace None with your answer and run the cell again.
  Hint: churn compounds: each month's rate applies to the customers still there; rk.compound_churn does the arithmetic.
"""
from .engine import Exercise, Feedback, Solution, check, expected_answer, exercises, solution

__all__ = ["check", "Feedback", "Exercise", "Solution", "exercises", "expected_answer", "solution"]
