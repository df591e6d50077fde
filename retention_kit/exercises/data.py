"""The shipped data sets the exercises use, each loaded once per session."""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from .. import datasets

__all__ = ["load"]


@lru_cache(maxsize=None)
def _load(name: str) -> pd.DataFrame:
    return getattr(datasets, f"load_{name}")()


def load(name: str) -> pd.DataFrame:
    """A fresh copy of a shipped data set (``"telecom_survey"`` -> ``load_telecom_survey()``), read from disk once.

    Parameters
    ----------
    name : str

    Returns
    -------
    DataFrame, a copy (an exercise may change it freely).

    Raises
    ------
    AttributeError
        For a name without a loader.

    Examples
    --------
    >>> load("saas_subscriptions").shape
    (4000, 7)
    """
    return _load(name).copy()
