"""Loyalty and engagement programs, the case studies' analyses: each submodule is imported on first use.

* ``membership``: a paid membership that customers choose to join (the Amazon Prime case study):
  the naive member gap against estimates that account for self-selection.
"""
from __future__ import annotations

import importlib

_SUBMODULES = ("membership",)

__all__ = list(_SUBMODULES)


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))
