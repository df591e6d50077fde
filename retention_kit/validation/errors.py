"""The kit's two signals: :class:`InputError` for input it refuses, :class:`DataWarning` for rows it left out."""
from __future__ import annotations

import os
import sys
import warnings

import numpy as np

__all__ = ["InputError", "DataWarning", "label", "warn_data"]


class InputError(ValueError):
    """Bad input: the message names the argument or column, the value and the fix.

    Parameters
    ----------
    message : str

    Examples
    --------
    >>> import retention_kit as rk
    >>> try:
    ...     rk.nps([11])
    ... except rk.InputError as error:
    ...     print(error)
    scores must lie between 0 and 10; found 11 at position 0 (1 such value(s)). Fix: correct them, or pass the right scale.
    """


class DataWarning(UserWarning):
    """The kit left rows out or changed them, for a reason it states, with the number of rows affected.

    This is the one way the kit reports rows it did not use: filter it with
    ``warnings.simplefilter("ignore", rk.DataWarning)`` once you have read it.

    Parameters
    ----------
    message : str

    Examples
    --------
    >>> import warnings, pandas as pd, retention_kit as rk
    >>> tx = pd.DataFrame({"customer_id": [1, 1], "date": ["2025-01-01", "2025-03-01"], "amount": [2.0, 3.0]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = rk.rfm_summary(tx, observation_period_end="2025-02-01")
    >>> caught[0].category.__name__, str(caught[0].message)[:54]
    ('DataWarning', 'rfm_summary: 1 transaction(s) at or after observation_')
    """


def label(value) -> str:
    """A value as a person writes it (7, 'a', 2025-01-01), without numpy's wrapping.

    Parameters
    ----------
    value : anything

    Returns
    -------
    str, the ``repr`` of the plain Python value.

    Raises
    ------
    Nothing.

    Examples
    --------
    >>> label(np.int64(7)), label("a")
    ('7', "'a'")
    """
    value = value.item() if isinstance(value, np.generic) else value
    return repr(value)


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def warn_data(message: str) -> None:
    """Raise a :class:`DataWarning` (the kit's single channel for rows it left out or changed).

    The warning points at the first line outside the kit: the user's call, whatever the depth.

    Parameters
    ----------
    message : str
        How many rows, what was done with them, and why.

    Returns
    -------
    None

    Raises
    ------
    DataWarning
        As a warning (an exception only under ``warnings.simplefilter("error")``).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_data("3 row(s) were left out.")
    >>> caught[0].category.__name__
    'DataWarning'
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, DataWarning, stacklevel=level)
