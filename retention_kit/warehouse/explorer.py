"""The cleaning-rules explorer of lesson 08: switch each fix on or off and watch the metrics move."""
from __future__ import annotations

import functools

import ipywidgets as w
import pandas as pd

from .. import plots
from ..explorer import Explorer
from .impact import FIXES, metric_impact

__all__ = ["fixes_view", "fixes_explorer"]

_SHORT = {"customers at the start": "at the start", "sign-ups, first quarter": "sign-ups Q1", "revenue per active customer": "revenue / active",
          "sessions per active customer": "sessions / active"}     # the explorer's figure has a narrow margin
_LABELS = {"drop_repeats": "drop repeated rows", "read_dates": "read both date formats",
           "cents_to_dollars": "billing cents to dollars", "match_ids": "match ids by customer number"}


def fixes_view(sources, drop_repeats: bool, read_dates: bool, cents_to_dollars: bool, match_ids: bool, *,
               period_start="2025-01-01", period_end="2026-01-01", reference=None, ax=None):
    """Text and plot for the cleaning-rules explorer: each metric with the chosen fixes, relative to all fixes.

    Parameters
    ----------
    sources : dict of the six exports (``rk.datasets.make_customer_sources``)
    drop_repeats, read_dates, cents_to_dollars, match_ids : bool, the fixes of ``FIXES`` to apply
    period_start, period_end : the period ``[period_start, period_end)``
    reference : pandas Series, optional
        The metrics with every fix (computed when None; pass it to save the time).
    ax : matplotlib Axes, optional

    Returns
    -------
    (str, matplotlib Axes)

    Raises
    ------
    InputError
        As ``metric_impact``.

    Examples
    --------
    >>> from retention_kit.datasets import make_customer_sources
    >>> sources = make_customer_sources(200, random_state=1).data
    >>> fixes_view(sources, True, True, False, True)[0].split(":")[1]
    ' drop repeated rows, read both date formats, match ids by customer number'
    """
    chosen = dict(drop_repeats=drop_repeats, read_dates=read_dates, cents_to_dollars=cents_to_dollars,
                  match_ids=match_ids)
    fixes = [name for name, on in chosen.items() if on]
    if reference is None:
        reference = metric_impact(sources, period_start, period_end)
    values = metric_impact(sources, period_start, period_end, fixes=fixes)
    table = pd.DataFrame({"raw": values, "single view": reference}).drop(index="NPS").rename(index=_SHORT)
    ax = plots.raw_vs_clean(table, ax=ax, title="Metrics with these fixes, relative to all fixes")
    ratio = table["raw"] / table["single view"]
    off = [f"{name} x{r:,.3g}" for name, r in ratio.items() if abs(r - 1) > 0.005]
    nps_gap = values["NPS"] - reference["NPS"]
    if abs(nps_gap) >= 0.05:
        off.append(f"NPS {nps_gap:+.1f} points")
    applied = [_LABELS[name] for name, on in chosen.items() if on]
    head = f"fixes applied: {', '.join(applied) if applied else 'none'}"
    text = f"{head}: " + ("; ".join(off) if off else "every metric matches the single view")
    return text, ax


def fixes_explorer(sources, *, period_start="2025-01-01", period_end="2026-01-01") -> Explorer:
    """Checkboxes for each cleaning fix -> each metric relative to the single view.

    Parameters
    ----------
    sources : dict of the six exports (``rk.datasets.make_customer_sources``)
    period_start, period_end : the period ``[period_start, period_end)``

    Returns
    -------
    Explorer, starting with no fix applied

    Raises
    ------
    InputError
        As ``metric_impact``.

    Examples
    --------
    >>> from retention_kit.datasets import make_customer_sources
    >>> explorer = fixes_explorer(make_customer_sources(200, random_state=1).data)
    >>> explorer.controls["cents_to_dollars"].value = True
    >>> "fixes applied: billing cents to dollars:" in explorer.label.value
    True
    """
    reference = metric_impact(sources, period_start, period_end)
    view = functools.partial(fixes_view, sources, period_start=period_start, period_end=period_end,
                             reference=reference)
    controls = {name: w.Checkbox(False, description=_LABELS[name], indent=False) for name in FIXES}
    return Explorer(view, controls, title="Cleaning-rules explorer", margins=dict(left=0.2))
