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
>>> r.kind
'nps'
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MetricResult", "format_value", "require_result", "money", "money_text", "p_text", "html_text", "NO_MATH"]

_TIME_UNITS = ("hour", "day", "week", "month", "quarter", "year")

NO_MATH = "mathjax_ignore tex2jax_ignore"   # classes MathJax 3 and 2 skip: text inside is never typeset


def money_text(value: float, decimals: int = 0) -> str:
    """Dollars in plain text (print, a widget's text): ``$1,234``.

    Parameters
    ----------
    value : float
    decimals : int, default 0

    Returns
    -------
    str

    Raises
    ------
    Nothing.

    Examples
    --------
    >>> money_text(1234.5), money_text(266.666, 1)
    ('$1,234', '$266.7')
    """
    return f"${value:,.{decimals}f}"


def money(value: float, decimals: int = 0) -> str:
    r"""Dollars for Markdown (a markdown cell, ``display(Markdown(...))``): ``\\$1,234``.

    JupyterLab typesets the text between two dollar signs of one Markdown cell or output as
    mathematics, and ``\$`` does not prevent it there (the Markdown parser removes the backslash
    before MathJax looks); ``\\$`` shows a plain dollar sign. Use this for every amount in
    computed prose.

    Parameters
    ----------
    value : float
    decimals : int, default 0

    Returns
    -------
    str

    Raises
    ------
    Nothing.

    Examples
    --------
    >>> print(money(451651.2), money(378.9, 2))
    \\$451,651 \\$378.90
    """
    return "\\\\" + money_text(value, decimals)


def p_text(p_value: float) -> str:
    """A p-value for a table or prose: three decimals, and "< 0.001" below that (never "0.000").

    Parameters
    ----------
    p_value : float, from 0 to 1

    Returns
    -------
    str

    Raises
    ------
    InputError
        For a value that is not a number from 0 to 1.

    Examples
    --------
    >>> p_text(0.04917), p_text(0.0000312), p_text(1.0)
    ('0.049', '< 0.001', '1.000')
    """
    from .validation.errors import InputError
    try:
        value = float(p_value)
    except (TypeError, ValueError):
        value = math.nan
    if not 0.0 <= value <= 1.0:          # NaN fails too
        raise InputError(f"p_value={p_value!r} must be a probability from 0 to 1, such as a test's p_value.")
    return "< 0.001" if value < 0.0005 else f"{value:.3f}"


def html_text(text: str) -> str:
    """Plain text as HTML: escaped, each dollar sign as an entity. Put it inside an element of class
    ``NO_MATH`` so that MathJax (JupyterLab's, or a site's) leaves a pair of dollar amounts alone.

    Parameters
    ----------
    text : str

    Returns
    -------
    str

    Raises
    ------
    Nothing.

    Examples
    --------
    >>> html_text("$5 < $7")
    '&#36;5 &lt; &#36;7'
    """
    return html.escape(text).replace("$", "&#36;")


def format_value(value: Any, unit: str = "") -> str:
    """Format a number for display in the unit it is measured in.

    Parameters
    ----------
    value : number, tuple of numbers, or anything else (shown with ``str``)
    unit : str
        ``"fraction"``, ``"%"``, ``"points"``, ``"currency"`` (no currency sign: the kit's data
        are in dollars, and a sign is added where text is written for people), ``"count"``, a
        time unit (``"month"``...), or ``""``.

    Returns
    -------
    str

    Raises
    ------
    Nothing: a value that is not a number is shown as text.

    Examples
    --------
    >>> format_value(0.0462, "fraction"), format_value(12.5, "month"), format_value(float("inf"), "month")
    ('0.0462 (4.62%)', '12.5 months', 'not reached')
    >>> format_value(255290.4), format_value(0.000123)
    ('255,290.40', '0.000123')
    """
    if value is None:
        return "-"
    if isinstance(value, tuple):
        return " to ".join(format_value(v, unit) for v in value)
    if isinstance(value, (bool,)) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if unit in _TIME_UNITS:
        return f"{value:.4g} {unit}s" if math.isfinite(value) else "not reached"
    if unit == "count":
        return f"{value:,.0f}"
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
    if math.isfinite(value) and abs(value) >= 1e4:     # 255,290.40 rather than 2.553e+05
        return f"{value:,.2f}"
    return f"{value:.4g}"


@dataclass(frozen=True, repr=False)
class MetricResult:
    """A metric's value with its parts, formula and (where one applies) interval.

    Parameters
    ----------
    kind : str
        Which metric this is, for machines: ``"nps"``, ``"csat"``, ``"churn_rate"``... A function
        that takes a result checks its ``kind`` (a CSAT result is refused where an NPS is expected).
    name : str
        What was measured, for example ``"Net Promoter Score"``.
    value : float
        The metric, in ``unit``.
    unit : str
        ``"points"``, ``"%"``, ``"fraction"``, ``"currency"``, ``"count"``, a time unit or ``""``.
    formula : str
        The formula used, in words and symbols.
    parts : dict
        The counts and totals the value was computed from; each is also an attribute
        (``result.n``, ``result.promoters``).
    se, ci, confidence : float, (float, float), float or None
        Standard error, interval ``(low, high)`` and its confidence level, where they apply.
    notes : tuple of str
        What the reader must know to interpret the value (rows left out are reported as a
        :class:`~retention_kit.DataWarning` instead).

    Examples
    --------
    >>> r = MetricResult(kind="share", name="Share", value=0.25, unit="fraction", formula="k / n", parts={"n": 8})
    >>> float(r), r.n
    (0.25, 8)
    """

    kind: str
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
            rows.append((self.interval_label(),
                         f"{format_value(self.ci[0], self.unit)} to {format_value(self.ci[1], self.unit)}"))
        for key, val in self.parts.items():
            if hasattr(val, "shape"):  # tables are shown by the lesson, not in the summary
                continue
            rows.append((key, format_value(val)))
        return rows

    def interval_label(self) -> str:
        """``"95% interval"`` for a result at confidence 0.95 (the label follows the setting).

        Returns
        -------
        str
        """
        return f"{100 * self.confidence:g}% interval" if self.confidence else "interval"

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


def require_result(result, kind: str, argument: str) -> MetricResult:
    """Check that ``result`` is a :class:`MetricResult` of the expected ``kind`` and return it.

    Parameters
    ----------
    result : anything
    kind : str, the expected ``MetricResult.kind``
    argument : str, the argument's name for the message

    Returns
    -------
    MetricResult

    Raises
    ------
    InputError
        For a result of another metric (a CSAT result where an NPS is expected, say).

    Examples
    --------
    >>> require_result(MetricResult(kind="csat", name="CSAT", value=80.0, unit="%", formula=""), "nps", "before")
    Traceback (most recent call last):
    ...
    retention_kit.InputError: before is a result of 'csat' (CSAT), not of 'nps'; pass the scores, or the result of the matching function.
    """
    from .validation import InputError
    if not isinstance(result, MetricResult) or result.kind != kind:
        what = f"a result of {result.kind!r} ({result.name})" if isinstance(result, MetricResult) else type(result).__name__
        raise InputError(f"{argument} is {what}, not of {kind!r}; pass the scores, or the result of the matching "
                         f"function.")
    return result
