"""Loyalty and engagement programs, the case studies' analyses: each submodule is imported on first use.

* ``rewards``: a rewards app's offers (the Starbucks Rewards case study): each offer's effect by
  segment from a randomized assignment, "completed" against "caused", a personalized offer policy;
* ``membership``: a paid membership that customers choose to join (the Amazon Prime case study):
  the naive member gap against estimates that account for self-selection;
* ``rollout``: a randomized rollout of a personalized feature (the Spotify playlists case study):
  engagement and retention by arm and by listener tenure.
"""
from __future__ import annotations

import importlib

_SUBMODULES = ("rewards", "membership", "rollout")

__all__ = list(_SUBMODULES)


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))
