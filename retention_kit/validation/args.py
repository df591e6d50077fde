"""Declarative checks of arguments, written once beside each signature.

A function declares what each argument may be::

    @validate(horizon=Integer(low=1), discount_rate=Real(low=0), timing=Options("end", "start"))
    def f(summary, *, horizon=12, discount_rate=0.0, timing="end"): ...

and a call with a value outside that range raises :class:`InputError` naming the argument, the
value, what it must be and, where given, how to fix it. Numbers must be finite (NaN and
infinity are refused), whole numbers must be whole (``2.7`` is refused, never truncated), and
booleans are not numbers.
"""
from __future__ import annotations

import functools
import inspect
import math
import numbers
import os
import sys
import warnings

import numpy as np

__all__ = ["InputError", "DataWarning", "Spec", "Real", "Integer", "Options", "Flag", "RandomState", "Confidence",
           "Probability", "validate", "check", "warn_data", "label"]


class InputError(ValueError):
    """Bad input: the message names the argument or column, the value and the fix."""


class DataWarning(UserWarning):
    """The kit left rows out or changed them, for a reason it states, with the number of rows affected.

    This is the one way the kit reports rows it did not use: filter it with
    ``warnings.simplefilter("ignore", rk.DataWarning)`` once you have read it.
    """


def label(value) -> str:
    """A value as a person writes it (7, 'a', 2025-01-01), without numpy's wrapping."""
    value = value.item() if isinstance(value, np.generic) else value
    return repr(value)


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def warn_data(message: str) -> None:
    """Raise a :class:`DataWarning` (the kit's single channel for rows it left out or changed).

    The warning points at the first line outside the kit: the user's call, whatever the depth.
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, DataWarning, stacklevel=level)


class Spec:
    """What an argument may be. Subclasses implement ``convert`` (return the checked value or raise)."""

    hint = ""

    def describe(self) -> str:
        raise NotImplementedError

    def convert(self, value):
        raise NotImplementedError

    def __call__(self, name: str, value):
        try:
            return self.convert(value)
        except (TypeError, ValueError, OverflowError):
            pass
        hint = f" {self.hint}" if self.hint else ""
        raise InputError(f"{name}={label(value)} must be {self.describe()}.{hint}")


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


class Real(Spec):
    """A finite real number in an interval; ``closed`` is "both", "left", "right" or "neither"."""

    def __init__(self, low: float | None = None, high: float | None = None, *, closed: str = "both",
                 hint: str = "", none: bool = False):
        self.low, self.high, self.closed, self.hint, self.none = low, high, closed, hint, none

    def _bounds_text(self) -> str:
        left = self.closed in ("both", "left")
        right = self.closed in ("both", "right")
        if self.low is not None and self.high is not None:
            return {"both": f" from {self.low:g} to {self.high:g}",
                    "neither": f" strictly between {self.low:g} and {self.high:g}",
                    "left": f" from {self.low:g} up to but not including {self.high:g}",
                    "right": f" above {self.low:g} and at most {self.high:g}"}[self.closed]
        if self.low is not None:
            return f" {'of at least' if left else 'above'} {self.low:g}"
        if self.high is not None:
            return f" {'of at most' if right else 'below'} {self.high:g}"
        return ""

    def describe(self) -> str:
        return "a finite number" + self._bounds_text() + (" (or None)" if self.none else "")

    def _in_bounds(self, x: float) -> bool:
        left = self.closed in ("both", "left")
        right = self.closed in ("both", "right")
        if self.low is not None and (x < self.low or (x == self.low and not left)):
            return False
        return not (self.high is not None and (x > self.high or (x == self.high and not right)))

    def convert(self, value):
        if value is None and self.none:
            return None
        if not _is_number(value) or not math.isfinite(value) or not self._in_bounds(float(value)):
            raise ValueError
        return float(value)


class Integer(Real):
    """A whole number (``3`` or ``3.0``, never ``2.7``) in an interval."""

    def describe(self) -> str:
        return "a whole number" + self._bounds_text() + (" (or None)" if self.none else "")

    def convert(self, value):
        if value is None and self.none:
            return None
        if not _is_number(value) or not math.isfinite(value) or float(value) != int(value) \
                or not self._in_bounds(float(value)):
            raise ValueError
        return int(value)


def Confidence() -> Real:
    """A confidence level strictly between 0 and 1 (95% is 0.95)."""
    return Real(0, 1, closed="neither", hint="Write 95% as 0.95.")


def Probability(hint: str = "Write 25% as 0.25.") -> Real:
    """A share or probability from 0 to 1."""
    return Real(0, 1, hint=hint)


class Options(Spec):
    """One of a fixed set of values (strings compared exactly)."""

    def __init__(self, *values, hint: str = ""):
        self.values, self.hint = values, hint

    def describe(self) -> str:
        return "one of " + ", ".join(repr(v) for v in self.values)

    def convert(self, value):
        try:
            known = value in self.values
        except TypeError:        # an unhashable or incomparable value
            known = False
        if not known or isinstance(value, (bool, np.bool_)) != any(isinstance(v, bool) for v in self.values):
            raise ValueError
        return value


class Flag(Spec):
    """``True`` or ``False`` (not 0/1, not a string)."""

    def describe(self) -> str:
        return "True or False"

    def convert(self, value):
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError
        return bool(value)


class RandomState(Spec):
    """``None``, a non-negative whole number (a seed) or a ``numpy.random.Generator``."""

    hint = "Pass a seed such as 42 for a reproducible draw."

    def describe(self) -> str:
        return "None, a non-negative whole number or a numpy.random.Generator"

    def convert(self, value):
        if value is None or isinstance(value, np.random.Generator):
            return value
        if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)) and value >= 0:
            return int(value)
        raise ValueError


def check(name: str, value, spec: Spec):
    """Check one value against a spec and return it converted (``float``, ``int``...)."""
    return spec(name, value)


def validate(**specs: Spec):
    """Decorator: check the named arguments of every call against their specs before the body runs.

    Checked values replace the originals (``3.0`` for a whole number becomes ``3``). Arguments
    left at their defaults are checked too, so a default can never be out of range.
    """

    def decorate(func):
        signature = inspect.signature(func)
        unknown = set(specs) - set(signature.parameters)
        if unknown:
            raise TypeError(f"validate: {func.__name__} has no argument {sorted(unknown)}")

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            for name, spec in specs.items():
                bound.arguments[name] = spec(name, bound.arguments[name])
            return func(*bound.args, **bound.kwargs)

        return wrapper

    return decorate
