"""The exercise engine: ``check(exercise_id, answer)`` compares an answer with the expected one.

An :class:`Exercise` computes its expected answer once, from the shipped data with the kit's
tested functions (never typed in), together with the facts its explanation quotes; the lesson
modules (``lesson01`` ...) register them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

import numpy as np

from ..results import MetricResult

__all__ = ["Feedback", "Exercise", "Solution", "register", "exercises", "expected_answer", "solution", "check"]


@dataclass(frozen=True)
class Feedback:
    """The verdict of :func:`check`: ``correct`` is True, False, or None when unanswered.

    Parameters
    ----------
    exercise_id : str
    correct : bool or None
    message : str

    Examples
    --------
    >>> Feedback("03-annual-from-monthly", True, "correct.")
    ✔ 03-annual-from-monthly: correct.
    """

    exercise_id: str
    correct: bool | None
    message: str

    def __bool__(self) -> bool:
        return bool(self.correct)

    def __repr__(self) -> str:
        mark = {True: "✔", False: "✘", None: "…"}[self.correct]
        return f"{mark} {self.exercise_id}: {self.message}"

    def _repr_html_(self) -> str:
        from ..results import NO_MATH, html_text
        colour = {True: "#1a7f37", False: "#cf222e", None: "#9a6700"}[self.correct]
        lines = html_text(repr(self)).replace("\n", "<br>")
        return f"<div class='{NO_MATH}' style='border-left:4px solid {colour};padding:4px 8px'>{lines}</div>"


@dataclass(frozen=True)
class Solution:
    """An expected answer, the facts its explanation quotes (``{name}`` in the ``why`` template), and the
    values of common wrong turns.

    ``mistakes`` maps what went wrong (such as "that is the value before the cost: subtract it") to the
    number that wrong turn gives; a wrong answer within the exercise's tolerance of one is told that,
    not only "not it yet". It names the step, never the right number.

    Parameters
    ----------
    answer : the expected answer
    facts : dict, the numbers the explanation quotes
    mistakes : dict from str to float, optional

    Examples
    --------
    >>> Solution(0.3062, {"months": 12}).facts
    {'months': 12}
    """

    answer: Any
    facts: dict = field(default_factory=dict)
    mistakes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Exercise:
    """One exercise: its question, how to compute the answer, and the feedback.

    ``why`` is a template filled with ``answer`` and the solution's facts, shown with a correct
    answer; ``hint`` is shown with a wrong or missing one: it points to the idea and the function,
    never the solution call. ``kind`` is "number", "integer", "choice" or "bool";
    ``unit="fraction"`` enables the percentage-instead-of-fraction hint. A judgement question is a
    "choice" among stated options: ``options`` maps each wrong option to why it is wrong, shown
    when it is chosen.

    Parameters
    ----------
    exercise_id, question : str
    solve : callable returning a :class:`Solution`, computed once per session
    why, hint : str
    kind : str, default "number"
    abs_tol, rel_tol : float, the tolerance of a numeric answer
    unit : str
    options : dict from a wrong option (such as "a") to the feedback for it, optional

    Examples
    --------
    >>> ex = Exercise("99-double", "twice 21", lambda: Solution(42), "{answer} it is.", "multiply by two")
    >>> ex.why.format(answer=ex.solve().answer)
    '42 it is.'
    """

    exercise_id: str
    question: str
    solve: Callable[[], Solution]
    why: str
    hint: str
    kind: str = "number"
    abs_tol: float = 0.0
    rel_tol: float = 0.0
    unit: str = ""
    options: dict = field(default_factory=dict)


_REGISTRY: dict[str, Exercise] = {}


def register(*items: Exercise) -> None:
    """Add exercises to the registry (each lesson module calls this once).

    Parameters
    ----------
    *items : Exercise

    Returns
    -------
    None

    Raises
    ------
    ValueError
        For an id registered twice.

    Examples
    --------
    >>> register(*exercises().values())   # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: exercise '...' is registered twice
    """
    for item in items:
        if item.exercise_id in _REGISTRY:
            raise ValueError(f"exercise {item.exercise_id!r} is registered twice")
        _REGISTRY[item.exercise_id] = item


def exercises() -> dict[str, Exercise]:
    """Every exercise of the course, by id (the lesson modules are imported on first use).

    Returns
    -------
    dict from id to Exercise

    Examples
    --------
    >>> "03-churn-q2-2025" in exercises()
    True
    """
    from . import (lesson00, lesson01, lesson02, lesson03, lesson04, lesson05, lesson06, lesson07,  # noqa: F401
                   lesson08, lesson09, lesson10, lesson11, lesson12, lesson13,
                   lesson14, case_amazon_prime, case_spotify_playlists, case_starbucks_rewards)
    return _REGISTRY


@lru_cache(maxsize=None)
def solution(exercise_id: str) -> Solution:
    """The expected answer of an exercise and its facts, computed once per session.

    Parameters
    ----------
    exercise_id : str

    Returns
    -------
    Solution, the answer as a plain Python value (a MetricResult counts as its value).

    Raises
    ------
    KeyError
        For an unknown id.

    Examples
    --------
    >>> round(solution("03-annual-from-monthly").answer, 4)
    0.3062
    """
    result = exercises()[exercise_id].solve()
    answer = result.answer
    if isinstance(answer, MetricResult):
        answer = answer.value
    if hasattr(answer, "to_numpy") or isinstance(answer, np.ndarray):     # a one-element Series or array
        values = np.asarray(answer).reshape(-1)
        if values.size == 1:
            answer = values[0]
    if isinstance(answer, (np.floating, np.integer, np.bool_)):
        answer = answer.item()
    return Solution(answer, result.facts, result.mistakes)


def expected_answer(exercise_id: str):
    """The expected answer of an exercise, computed from the shipped data.

    Parameters
    ----------
    exercise_id : str

    Returns
    -------
    The answer.

    Raises
    ------
    KeyError
        For an unknown id.

    Examples
    --------
    >>> expected_answer("00-warm-up")
    4000
    """
    return solution(exercise_id).answer


def _close(answer: float, expected: float, ex: Exercise) -> bool:
    return math.isclose(answer, expected, rel_tol=ex.rel_tol, abs_tol=ex.abs_tol)


def check(exercise_id: str, answer: Any) -> Feedback:
    """Check an exercise answer and explain the verdict.

    Parameters
    ----------
    exercise_id : str
        The id printed in the lesson, such as ``"03-churn-q2-2025"``.
    answer : number, str, bool, MetricResult or None
        ``None`` means "not answered yet"; a ``MetricResult`` counts as its value.

    Returns
    -------
    Feedback that shows ✔ with a short why, ✘ with a hint, or … when the answer is still None.

    Raises
    ------
    Nothing: an unknown id or an answer of the wrong type gets a ✘ with an explanation.

    Examples
    --------
    >>> check("03-annual-from-monthly", None)
    … 03-annual-from-monthly: not answered yet. Replace None with your answer and run the cell again.
      Hint: churn compounds: each month's rate applies to the customers still there; rk.compound_churn does the arithmetic.
    """
    known = exercises()
    if not isinstance(exercise_id, str) or exercise_id not in known:
        return Feedback(str(exercise_id), False, "there is no exercise with this id; the ids are: "
                                                 + ", ".join(sorted(known)) + ".")
    ex = known[exercise_id]
    if answer is None:
        return Feedback(exercise_id, None, "not answered yet. Replace None with your answer and run the cell again."
                                           f"\n  Hint: {ex.hint}.")
    result = solution(exercise_id)
    expected = result.answer
    if isinstance(answer, MetricResult):
        answer = answer.value
    if hasattr(answer, "to_numpy") or isinstance(answer, np.ndarray):     # a one-element Series or array
        values = np.asarray(answer).reshape(-1)
        if values.size == 1:
            answer = values[0]
    if ex.kind == "bool":
        if not isinstance(answer, (bool, np.bool_)):
            return Feedback(exercise_id, False, f"answer True or False, not {answer!r}.")
        ok = bool(answer) == bool(expected)
    elif ex.kind == "choice":
        chosen = str(answer).strip().lower()
        ok = chosen == str(expected).lower()
        if not ok and chosen in ex.options:
            return Feedback(exercise_id, False, f"{answer!r} is not the best answer: {ex.options[chosen]}"
                                                f"\n  Hint: {ex.hint}.")
    else:
        try:
            value = float(answer)
        except (TypeError, ValueError):
            return Feedback(exercise_id, False, f"answer a number, not {answer!r}.\n  Hint: {ex.hint}.")
        if not math.isfinite(value):
            return Feedback(exercise_id, False, f"{answer!r} is not a finite number.\n  Hint: {ex.hint}.")
        ok = _close(value, float(expected), ex)
        if not ok and ex.unit == "fraction" and _close(value / 100, float(expected), ex):
            return Feedback(exercise_id, False, f"{value:g} looks like a percentage; this exercise asks for a "
                                                f"fraction (divide by 100).")
        for wrong_turn, wrong_value in result.mistakes.items():
            if not ok and _close(value, float(wrong_value), ex):
                return Feedback(exercise_id, False, f"{value:.6g} is not it yet: {wrong_turn}.\n  Hint: {ex.hint}.")
    if ok:
        return Feedback(exercise_id, True, "correct. " + ex.why.format(answer=expected, **result.facts))
    shown = f"{float(answer):.6g}" if ex.kind not in ("bool", "choice") else repr(answer)   # not np.float64(...)
    return Feedback(exercise_id, False, f"{shown} is not it yet.\n  Hint: {ex.hint}.")
