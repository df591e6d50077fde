"""Result objects that carry a metric's value together with how it was computed.

A metric returns a :class:`MetricResult`, not a bare float, so that a student sees why a
number is what it is: the parts it was computed from, the formula, and a confidence interval
where one applies. ``float(result)`` gives the value.

Example
-------
>>> import retention_kit as rk
>>> r = rk.nps([10, 9, 8, 3])
>>> float(r)
25.0
>>> r.promoters, r.detractors, r.n
(2, 1, 4)
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MetricResult", "format_value"]


def format_value(value: Any, unit: str = "") -> str:
    """Format a number for display in the unit it is measured in."""
    if value is None:
        return "-"
    if isinstance(value, tuple):
        return " to ".join(format_value(v, unit) for v in value)
    if isinstance(value, (bool,)) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if unit == "fraction":
        return f"{value:.4f} ({100 * value:.2f}%)"
    if unit == "%":
        return f"{value:.2f}%"
    if unit == "points":
        return f"{value:.2f} points"
    if unit == "currency":
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.4g}"


@dataclass(frozen=True, repr=False)
class MetricResult:
    """A metric's value with its parts, formula and (where one applies) interval.

    Attributes
    ----------
    name : str
        What was measured, for example ``"Net Promoter Score"``.
    value : float
        The metric, in ``unit``.
    unit : str
        ``"points"``, ``"%"``, ``"fraction"``, ``"currency"`` or ``""``.
    formula : str
        The formula used, in words and symbols.
    parts : dict
        The counts and totals the value was computed from; each is also an attribute
        (``result.n``, ``result.promoters``).
    se, ci, confidence : float, (float, float), float or None
        Standard error, interval ``(low, high)`` and its confidence level, where they apply.
    notes : tuple of str
        Anything the reader must know, such as how many rows were excluded and why.
    """

    name: str
    value: float
    unit: str
    formula: str
    parts: dict = field(default_factory=dict)
    se: float | None = None
    ci: tuple[float, float] | None = None
    confidence: float | None = None
    notes: tuple[str, ...] = ()

    def __getattr__(self, key: str) -> Any:
        parts = self.__dict__.get("parts", {})
        if key in parts:
            return parts[key]
        raise AttributeError(f"{type(self).__name__} for {self.__dict__.get('name', '?')!r} has no attribute "
                             f"{key!r}; its parts are: {', '.join(parts) or 'none'}")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.__dict__.get("parts", {})))

    def __float__(self) -> float:
        return float(self.value)

    def _rows(self) -> list[tuple[str, str]]:
        rows = [("value", format_value(self.value, self.unit))]
        if self.se is not None:
            rows.append(("standard error", format_value(self.se, self.unit)))
        if self.ci is not None:
            level = f"{100 * self.confidence:g}% " if self.confidence else ""
            rows.append((f"{level}interval",
                         f"{format_value(self.ci[0], self.unit)} to {format_value(self.ci[1], self.unit)}"))
        for key, val in self.parts.items():
            if hasattr(val, "shape"):  # tables are shown by the lesson, not in the summary
                continue
            rows.append((key, format_value(val)))
        return rows

    def __repr__(self) -> str:
        width = max(len(k) for k, _ in self._rows())
        lines = [f"{self.name}: {format_value(self.value, self.unit)}"]
        lines += [f"  {k.ljust(width)}  {v}" for k, v in self._rows()[1:]]
        lines.append(f"  formula: {self.formula}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        body = "".join(f"<tr><th style='text-align:left'>{esc(k)}</th><td style='text-align:left'>{esc(v)}</td></tr>"
                       for k, v in self._rows())
        notes = "".join(f"<li>{esc(n)}</li>" for n in self.notes)
        return (f"<div><strong>{esc(self.name)}</strong>"
                f"<table>{body}</table>"
                f"<p><em>formula:</em> <code>{esc(self.formula)}</code></p>"
                + (f"<ul>{notes}</ul>" if notes else "") + "</div>")
