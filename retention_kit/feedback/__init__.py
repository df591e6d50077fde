"""Customer feedback loops: themes from free text, what drives NPS and CSAT, how fast the team answers,
whether closing the loop keeps customers, and whether a fix reduced its theme's items.

Taught in the lesson on customer feedback loops, on :func:`retention_kit.datasets.feedback.make_feedback_items`
(Tallyworks' feedback portal, with planted themes, effects and fixes).

* ``items``: :func:`require_texts` (no missing or blank text), :func:`item_labels`, and :func:`customer_view`
  (one row per customer: count customers, not items);
* ``themes``: :func:`find_themes` (TF-IDF and NMF, top words per theme, a :class:`ThemeModel`),
  :func:`keyword_themes` (rules a person can read) and :func:`theme_agreement` (adjusted Rand index
  and cross-table against known labels);
* ``drivers``: :func:`theme_drivers` (raised against not raised, one theme at a time, with intervals)
  and :func:`adjusted_drivers` (all themes and confounders together, least squares);
* ``service``: :func:`service_times` (medians with the open items counted, share within a target);
* ``loop``: :func:`loop_gap` (renewal with the loop closed against not: naive and within strata);
* ``fixes``: :func:`item_counts`, :func:`fix_effect` (a difference-in-differences of rates) and
  :func:`fix_event_study` (the same comparison period by period: placebos before the fix);
* ``explorer``: :func:`themes_view` and :func:`themes_explorer` (imported on first use: they need
  ipywidgets and matplotlib).

scikit-learn is imported on first use of the themes, which ``import retention_kit`` does not load.
"""
from __future__ import annotations

import importlib

from .drivers import adjusted_drivers, theme_drivers
from .fixes import fix_effect, fix_event_study, item_counts
from .items import customer_view, item_labels, require_texts
from .loop import loop_gap
from .service import service_times
from .themes import ThemeModel, find_themes, keyword_themes, theme_agreement

_EXPLORER = ("themes_view", "themes_explorer")


def __getattr__(name: str):
    if name in _EXPLORER:
        return getattr(importlib.import_module(".explorer", __name__), name)
    raise AttributeError(f"module 'retention_kit.feedback' has no attribute {name!r}")


__all__ = ["require_texts", "item_labels", "customer_view", "find_themes", "ThemeModel", "keyword_themes",
           "theme_agreement", "theme_drivers", "adjusted_drivers", "service_times", "loop_gap", "item_counts",
           "fix_effect", "fix_event_study", "themes_view", "themes_explorer"]
