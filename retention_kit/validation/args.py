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

import numpy as np

from .errors import InputError, label

__all__ = ["Spec", "Real", "Integer", "Options", "Flag", "RandomState", "Confidence", "Probability", "validate",
           "check"]


class Spec:
    """What an argument may be. Subclasses implement ``_describe`` (the allowed values in words) and
    ``_convert`` (return the checked value, or raise ``ValueError``); calling the spec checks a value.

    Examples
    --------
    >>> Real(low=0)("discount_rate", 0.01)
    0.01
    """

    hint = ""

    def _describe(self) -> str:
        raise NotImplementedError

    def _convert(self, value):
        raise NotImplementedError

    def __call__(self, name: str, value):
        try:
            return self._convert(value)
        except (TypeError, ValueError, OverflowError):
            pass
        hint = f" {self.hint}" if self.hint else ""
        raise InputError(f"{name}={label(value)} must be {self._describe()}.{hint}")


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


class Real(Spec):
    """A finite real number in an interval; ``closed`` is "both", "left", "right" or "neither".

    Parameters
    ----------
    low, high : float, optional
        The bounds; None for none.
    closed : str, default "both"
        Which bounds belong to the interval.
    hint : str
        A sentence added to the error, such as how to write the value.
    none : bool, default False
        Whether None is accepted.

    Examples
    --------
    >>> Real(0, 1, closed="neither", hint="Write 95% as 0.95.")("confidence", 95)
    Traceback (most recent call last):
    ...
    retention_kit.InputError: confidence=95 must be a finite number strictly between 0 and 1. Write 95% as 0.95.
    """

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

    def _describe(self) -> str:
        return "a finite number" + self._bounds_text() + (" (or None)" if self.none else "")

    def _in_bounds(self, x: float) -> bool:
        left = self.closed in ("both", "left")
        right = self.closed in ("both", "right")
        if self.low is not None and (x < self.low or (x == self.low and not left)):
            return False
        return not (self.high is not None and (x > self.high or (x == self.high and not right)))

    def _convert(self, value):
        if value is None and self.none:
            return None
        if not _is_number(value) or not math.isfinite(value) or not self._in_bounds(float(value)):
            raise ValueError
        return float(value)


class Integer(Real):
    """A whole number (``3`` or ``3.0``, never ``2.7``) in an interval.

    Parameters
    ----------
    low, high, closed, hint, none : as for :class:`Real`

    Examples
    --------
    >>> Integer(low=1)("horizon", 12.0)
    12
    >>> Integer(low=1)("horizon", 2.7)
    Traceback (most recent call last):
    ...
    retention_kit.InputError: horizon=2.7 must be a whole number of at least 1.
    """

    def _describe(self) -> str:
        return "a whole number" + self._bounds_text() + (" (or None)" if self.none else "")

    def _convert(self, value):
        if value is None and self.none:
            return None
        if not _is_number(value) or not math.isfinite(value) or float(value) != int(value) \
                or not self._in_bounds(float(value)):
            raise ValueError
        return int(value)


def Confidence() -> Real:
    """A confidence level strictly between 0 and 1 (95% is 0.95).

    Returns
    -------
    Real

    Examples
    --------
    >>> Confidence()("confidence", 0.9)
    0.9
    """
    return Real(0, 1, closed="neither", hint="Write 95% as 0.95.")


def Probability(hint: str = "Write 25% as 0.25.") -> Real:
    """A share or probability from 0 to 1.

    Parameters
    ----------
    hint : str

    Returns
    -------
    Real

    Raises
    ------
    Nothing.

    Examples
    --------
    >>> Probability()("p_unresolved", 0.25)
    0.25
    """
    return Real(0, 1, hint=hint)


class Options(Spec):
    """One of a fixed set of values (strings compared exactly).

    Parameters
    ----------
    *values : the allowed values
    hint : str

    Examples
    --------
    >>> Options("end", "start")("timing", "middle")
    Traceback (most recent call last):
    ...
    retention_kit.InputError: timing='middle' must be one of 'end', 'start'.
    """

    def __init__(self, *values, hint: str = ""):
        self.values, self.hint = values, hint

    def _describe(self) -> str:
        return "one of " + ", ".join(repr(v) for v in self.values)

    def _convert(self, value):
        try:
            known = value in self.values
        except TypeError:        # an unhashable or incomparable value
            known = False
        if not known or isinstance(value, (bool, np.bool_)) != any(isinstance(v, bool) for v in self.values):
            raise ValueError
        return value


class Flag(Spec):
    """``True`` or ``False`` (not 0/1, not a string).

    Examples
    --------
    >>> Flag()("opening_hours", True)
    True
    """

    def _describe(self) -> str:
        return "True or False"

    def _convert(self, value):
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError
        return bool(value)


class RandomState(Spec):
    """``None``, a non-negative whole number (a seed) or a ``numpy.random.Generator``.

    Examples
    --------
    >>> RandomState()("random_state", 42)
    42
    """

    hint = "Pass a seed such as 42 for a reproducible draw."

    def _describe(self) -> str:
        return "None, a non-negative whole number or a numpy.random.Generator"

    def _convert(self, value):
        if value is None or isinstance(value, np.random.Generator):
            return value
        if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)) and value >= 0:
            return int(value)
        raise ValueError


def check(name: str, value, spec: Spec):
    """Check one value against a spec and return it converted (``float``, ``int``...).

    Parameters
    ----------
    name : str, the argument's name for the message
    value : the value
    spec : Spec

    Returns
    -------
    The checked value.

    Raises
    ------
    InputError
        When the value is outside the spec.

    Examples
    --------
    >>> check("periods", 12.0, Integer(low=1))
    12
    """
    return spec(name, value)


def validate(**specs: Spec):
    """Decorator: check the named arguments of every call against their specs before the body runs.

    Checked values replace the originals (``3.0`` for a whole number becomes ``3``). Arguments
    left at their defaults are checked too, so a default can never be out of range.

    Parameters
    ----------
    **specs : Spec
        One per argument to check, by the argument's name.

    Returns
    -------
    A decorator.

    Raises
    ------
    TypeError
        At definition, for a spec of an argument the function does not have.

    Examples
    --------
    >>> @validate(periods=Integer(low=1))
    ... def twice(periods):
    ...     return 2 * periods
    >>> twice(3.0)
    6
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
