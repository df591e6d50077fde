"""What every figure shares: a new Axes when none is given, colours, labels that follow the confidence level."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ..validation import InputError, require_columns

__all__ = ["CATEGORY_COLOURS", "TEAL", "ORANGE", "RED"]

CATEGORY_COLOURS = {"detractor": "#d1495b", "passive": "#edae49", "promoter": "#00798c"}
TEAL, ORANGE, RED = "#00798c", "#edae49", "#d1495b"


def _axes(ax, size=(7, 4)):
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _level(confidence) -> str:
    return f"{100 * confidence:g}%" if confidence else ""


def _columns(table, columns, name="table"):
    if not isinstance(table, pd.DataFrame):
        raise InputError(f"{name} must be a DataFrame from the kit, got {type(table).__name__}.")
    require_columns(table, columns, name, "pass the table the kit's function returns")
