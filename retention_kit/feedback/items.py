"""Feedback items and the customers who sent them: the checks every function of the package shares, and the
per-customer view (count customers, not items).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import (InputError, as_flag, label, preview, require_columns, require_frame, require_ids,
                          require_labels, require_unique)

__all__ = ["require_texts", "item_labels", "customer_view"]


def require_texts(texts, name: str = "texts") -> pd.Series:
    """Free texts checked: a Series (or list) of strings, none missing or blank.

    A missing or empty text cannot be given a theme; rather than drop it (the item would vanish from
    every count) the kit refuses it and names the rows.

    Parameters
    ----------
    texts : Series or list of str
    name : str, the argument's name for messages

    Returns
    -------
    Series of str (a list becomes a Series indexed 0..n-1).

    Raises
    ------
    InputError
        For something that is not one column of values, values that are not text, or missing or
        blank texts (naming the rows).

    Examples
    --------
    >>> require_texts(["Sync fails", "Invoice wrong"]).tolist()
    ['Sync fails', 'Invoice wrong']
    >>> require_texts(pd.Series(["ok", "  ", None], index=["FB-1", "FB-2", "FB-3"]))
    Traceback (most recent call last):
    ...
    retention_kit.InputError: texts is missing or blank in 2 row(s): 'FB-2', 'FB-3'. Fix: fill them in, or remove those items explicitly (an item without text has no theme).
    """
    if isinstance(texts, pd.DataFrame) or texts is None or np.isscalar(texts) or np.ndim(texts) != 1:
        raise InputError(f"{name} must be one column of texts (a Series or a list), got {type(texts).__name__}; "
                         f"pass for example items['text'].")
    series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
    if len(series) == 0:
        raise InputError(f"{name} is empty; pass at least one text.")
    missing = series.isna().to_numpy()
    not_text = ~missing & ~series.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    if not_text.any():
        raise InputError(f"{name} must hold text; found {preview(series[not_text].tolist())} in row(s) "
                         f"{preview(series.index[not_text])}. Fix: convert them with .astype(str) if they are text.")
    blank = missing | series.fillna("").str.strip().eq("").to_numpy()
    if blank.any():
        raise InputError(f"{name} is missing or blank in {int(blank.sum())} row(s): {preview(series.index[blank])}. "
                         f"Fix: fill them in, or remove those items explicitly (an item without text has no theme).")
    return series


def item_labels(items: pd.DataFrame, labels, name: str = "themes") -> pd.Series:
    """One label per item (a theme, a plan...): a column of ``items`` by name, or a Series aligned with it.

    Parameters
    ----------
    items : DataFrame
    labels : str (a column of ``items``) or Series with the same index as ``items``
    name : str, the argument's name for messages

    Returns
    -------
    Series indexed like ``items``.

    Raises
    ------
    InputError
        For an unknown column, a Series with another index, or a missing label.

    Examples
    --------
    >>> items = pd.DataFrame({"kind": ["issue", "suggestion"]})
    >>> item_labels(items, "kind").tolist(), item_labels(items, pd.Series(["a", "b"])).tolist()
    (['issue', 'suggestion'], ['a', 'b'])
    """
    if isinstance(labels, str):
        require_columns(items, [labels], "items", f"pass an existing column or a Series as {name}")
        series = items[labels]
    elif isinstance(labels, pd.Series):
        if len(labels) != len(items) or not labels.index.equals(items.index):
            raise InputError(f"{name} must be indexed like items (one label per item, same index); got {len(labels)} "
                             f"label(s) for {len(items)} item(s). Fix: align them, for example "
                             f"{name}.reindex(items.index) or items.set_index(...) first.")
        series = labels
    else:
        raise InputError(f"{name} must be a column name of items or a Series indexed like items, got "
                         f"{type(labels).__name__}.")
    require_labels(series, name if not isinstance(labels, str) else labels)
    return series


def customer_view(items: pd.DataFrame, customers: pd.DataFrame, *, themes=None, customer_id_col: str = "customer_id",
                  closed_col: str = "loop_closed", resolved_col: str = "resolved_at") -> pd.DataFrame:
    """One row per customer: their own columns, how many items they sent, whether any loop was closed, and which
    themes they raised.

    The unit of every question about customers (did those who raised billing issues score lower?
    did those who were answered renew more?) is the customer, not the item: a customer with ten
    items would otherwise count ten times.

    Parameters
    ----------
    items : DataFrame, one row per item, with ``customer_id_col`` and ``closed_col``
    customers : DataFrame, one row per customer, with ``customer_id_col``
    themes : str or Series, optional
        The theme of each item (a column of ``items`` or a Series indexed like it); adds one
        True/False column per theme, named by the theme, listed in ``attrs["themes"]``.
    customer_id_col, closed_col, resolved_col : str
        Column names (``resolved_col`` is optional in ``items``: without it ``any_resolved`` is left out).

    Returns
    -------
    DataFrame indexed by customer id, every customer of ``customers`` (those without items have
    ``items`` 0 and False elsewhere): the columns of ``customers``, ``items`` (count),
    ``any_item``, ``any_resolved``, ``loop_closed`` (True when the loop of at least one item was
    closed), and a column per theme. Customers of ``items`` missing from ``customers`` are refused.

    Raises
    ------
    InputError
        For missing columns, repeated or missing customer ids, a loop flag that is not True/False,
        items of unknown customers, ``customers`` that already have a column the view adds
        (``items``, ``any_item``, ``any_resolved``, ``loop_closed``: it would be overwritten), or a
        theme column whose name is already a column.

    Examples
    --------
    >>> items = pd.DataFrame({"customer_id": ["a", "a", "b"], "loop_closed": [False, True, False],
    ...                       "theme": ["sync", "billing", "sync"]})
    >>> customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "plan": ["team", "starter", "team"]})
    >>> view = customer_view(items, customers, themes="theme")
    >>> view[["items", "loop_closed", "billing", "sync"]].to_dict("index")["a"]
    {'items': 2, 'loop_closed': True, 'billing': True, 'sync': True}
    """
    require_frame(items, "items")
    require_frame(customers, "customers")
    require_columns(items, [customer_id_col, closed_col], "items")
    require_columns(customers, [customer_id_col], "customers")
    require_ids(items[customer_id_col], customer_id_col)
    require_ids(customers[customer_id_col], customer_id_col)
    require_unique(customers[customer_id_col], customer_id_col, "keep one row per customer in customers.")
    closed = as_flag(items[closed_col], closed_col)
    unknown = ~items[customer_id_col].isin(customers[customer_id_col])
    if unknown.any():
        raise InputError(f"items has {int(unknown.sum())} item(s) of customers not in customers "
                         f"({preview(pd.unique(items.loc[unknown, customer_id_col]))}). Fix: add those customers, "
                         f"or remove their items explicitly.")
    taken = [c for c in ("items", "any_item", "any_resolved", "loop_closed") if c in customers.columns]
    if taken:
        raise InputError(f"customers already has column(s) {', '.join(map(repr, taken))}, which the customer view "
                         f"computes from the items; rename or drop them first (for example "
                         f"customers.drop(columns={taken!r})).")
    view = customers.set_index(customer_id_col)
    ids = items[customer_id_col]
    view["items"] = ids.value_counts().reindex(view.index, fill_value=0).astype(int)
    view["any_item"] = view["items"] > 0
    if resolved_col in items.columns:
        view["any_resolved"] = items[resolved_col].notna().groupby(ids).any().reindex(view.index, fill_value=False)
    view["loop_closed"] = closed.groupby(ids).any().reindex(view.index, fill_value=False).astype(bool)
    names = []
    if themes is not None:
        theme = item_labels(items, themes)
        names = sorted(pd.unique(theme), key=str)
        clash = [t for t in names if t in view.columns]
        if clash:
            raise InputError(f"themes has value(s) {', '.join(label(t) for t in clash)} that are already columns of "
                             f"the customer view; rename those themes.")
        flags = pd.crosstab(ids, theme.to_numpy()).gt(0)
        for t in names:
            view[t] = flags[t].reindex(view.index, fill_value=False).astype(bool)
    view.attrs["themes"] = list(names)
    return view
