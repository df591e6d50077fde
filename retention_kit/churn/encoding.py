"""A customer table made ready for a churn model: indicator columns learned once, and tenure cut into bands.

A churn model takes numbers. A customer table holds words ("Month-to-month", "Fiber optic"): each
categorical column becomes one indicator column per category except a reference. The categories are
learned on the training customers and the same columns are made for any later table; a category the
training data never had is refused, never silently encoded as all zeros.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import (InputError, label, preview, require_columns, require_complete, require_frame,
                          require_numeric)

__all__ = ["CustomerEncoder", "tenure_bands"]


class CustomerEncoder:
    """Indicator (one-hot) columns for the categorical columns of a customer table, numbers passed through.

    For a categorical column c with categories k_0 (the reference), k_1, ..., k_m, the encoded
    table has the columns ``"c=k_j"`` for j = 1..m, with x = 1.0 where c == k_j and 0.0 elsewhere;
    the reference k_0 is all zeros. Leaving it out keeps the columns from adding up to 1 (which a
    model with an intercept cannot tell apart) and makes a logistic coefficient read "k_j compared
    with k_0". Numeric columns are copied as floats. Categories are learned by :meth:`fit`: for a
    pandas Categorical column in the order of its categories, otherwise sorted; the reference is
    the first, unless ``reference`` names another. That is what ``pd.get_dummies(drop_first=True)``
    does, with one difference: a category of a Categorical that no training customer has gets no
    column here (get_dummies would make one of zeros, or use it as the reference). A column mixing
    kinds of values (text and numbers) is refused rather than ordered by type, and two features
    with the same name (a category "b" of column "a" and a numeric column "a=b") are refused
    rather than one overwriting the other.

    Parameters
    ----------
    categorical : list of str
        Columns of categories (text, or numbers used as codes).
    numeric : list of str, default ()
        Columns passed through as numbers.
    reference : dict from a categorical column to its reference category, optional

    Attributes
    ----------
    categories_ : dict from each categorical column to its categories, the reference first
    feature_names_ : list of str, the encoded columns in order

    Examples
    --------
    >>> train = pd.DataFrame({"contract": ["monthly", "yearly", "monthly"], "charges": [20.0, 35.0, 50.0]})
    >>> encoder = CustomerEncoder(["contract"], ["charges"]).fit(train)
    >>> encoder.transform(train).to_dict("list")
    {'contract=yearly': [0.0, 1.0, 0.0], 'charges': [20.0, 35.0, 50.0]}
    """

    def __init__(self, categorical, numeric=(), *, reference: dict | None = None):
        self.categorical = [categorical] if isinstance(categorical, str) else list(categorical)
        self.numeric = [numeric] if isinstance(numeric, str) else list(numeric)
        self.reference = dict(reference or {})

    def __repr__(self) -> str:
        fitted = f", {len(self.feature_names_)} features" if hasattr(self, "feature_names_") else ", not fitted"
        return f"CustomerEncoder(categorical={self.categorical}, numeric={self.numeric}{fitted})"

    def _check_table(self, table, name: str) -> None:
        require_frame(table, name)
        require_columns(table, self.categorical + self.numeric, name, "pass the columns the encoder was given")
        for column in self.categorical:
            require_complete(table[column], column, "fill them with a category that means something "
                                                    "(table[column].fillna('unknown')) or drop those customers "
                                                    "explicitly; the kit does not guess")
        for column in self.numeric:
            values = require_numeric(table[column], column)
            require_complete(values, column, "fill them with a value that means something (0 charges before the "
                                             "first bill) or drop those customers explicitly; the kit does not guess")

    def fit(self, table: pd.DataFrame) -> "CustomerEncoder":
        """Learn each categorical column's categories from the training customers.

        Parameters
        ----------
        table : DataFrame, one row per customer

        Returns
        -------
        self, with ``categories_`` and ``feature_names_``.

        Raises
        ------
        InputError
            For no categorical and no numeric column, a column named in both lists, a missing column
            or value, a non-numeric numeric column, a categorical column mixing kinds of values (text
            and numbers), a column with a single category (nothing to learn), a reference that is
            not one of the column's categories, or two features with the same name.
        """
        if not self.categorical and not self.numeric:
            raise InputError("CustomerEncoder needs at least one column: pass categorical=[...] and/or numeric=[...].")
        both = sorted(set(self.categorical) & set(self.numeric))
        if both:
            raise InputError(f"column(s) {both} are named as both categorical and numeric. Fix: name each once.")
        unknown = sorted(set(self.reference) - set(self.categorical))
        if unknown:
            raise InputError(f"reference names column(s) {unknown} that are not among categorical={self.categorical}. "
                             f"Fix: name a reference only for a categorical column.")
        self._check_table(table, "table")
        categories = {}
        for column in self.categorical:
            values = _categories(table[column], column)
            if len(values) < 2:
                raise InputError(f"column {label(column)} has a single category {label(values[0])} in the training "
                                 f"table: it carries nothing to learn. Fix: leave it out of categorical.")
            first = self.reference.get(column, values[0])
            if first not in values:
                raise InputError(f"reference {label(first)} for column {label(column)} is not one of its categories "
                                 f"{preview(values)}. Fix: name one of them.")
            categories[column] = [first] + [v for v in values if v != first]
        names = [f"{c}={v}" for c, values in categories.items() for v in values[1:]] + self.numeric
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise InputError(f"two features would be named {label(duplicates[0])} (a category written as "
                             f"'column=value' and a column of that name), and one would overwrite the other. Fix: "
                             f"rename the column or the category before encoding.")
        self.categories_ = categories
        self.feature_names_ = names
        return self

    def transform(self, table: pd.DataFrame) -> pd.DataFrame:
        """Encode a table with the categories learned by :meth:`fit`.

        Parameters
        ----------
        table : DataFrame, one row per customer, with the columns the encoder was given

        Returns
        -------
        DataFrame of floats indexed like ``table``, columns ``feature_names_``.

        Raises
        ------
        InputError
            For an encoder not fitted yet, a missing column or value, a non-numeric numeric column, or a
            category the training table did not have (naming the column, the value, how many rows and
            the first).
        """
        if not hasattr(self, "categories_"):
            raise InputError("this CustomerEncoder is not fitted yet: call .fit(training_table) first, on the "
                             "training customers only.")
        self._check_table(table, "table")
        columns = {}
        for column, categories in self.categories_.items():
            values = table[column]
            new = ~values.isin(categories)
            if new.any():
                raise InputError(f"column {label(column)} has {int(new.sum())} row(s) with a category the training "
                                 f"table did not have, {label(values[new].iloc[0])} (first at row "
                                 f"{label(values.index[new.to_numpy()][0])}; known: {preview(categories)}). Fix: map "
                                 f"it to a known category explicitly, or refit on training data that includes it.")
            for category in categories[1:]:
                columns[f"{column}={category}"] = (values == category).to_numpy(dtype=float)
        for column in self.numeric:
            columns[column] = table[column].to_numpy(dtype=float)
        return pd.DataFrame(columns, index=table.index)[self.feature_names_]

    def fit_transform(self, table: pd.DataFrame) -> pd.DataFrame:
        """Fit on ``table`` and encode it (for the training customers only).

        Parameters
        ----------
        table : DataFrame, the training customers

        Returns
        -------
        DataFrame, as :meth:`transform`.

        Raises
        ------
        InputError
            As :meth:`fit` and :meth:`transform`.
        """
        return self.fit(table).transform(table)


def _kind(value) -> str:
    if isinstance(value, str):
        return "text"
    if isinstance(value, (bool, np.bool_)):
        return "True/False"
    if isinstance(value, (int, float, np.number)):
        return "number"
    return type(value).__name__


def _categories(values: pd.Series, column) -> list:
    """The categories of a column, in a Categorical's own order, otherwise sorted; mixed kinds refused."""
    present = list(pd.unique(values))
    kinds = sorted({_kind(v) for v in present})
    if len(kinds) > 1:
        examples = ", ".join(label(next(v for v in present if _kind(v) == k)) for k in kinds)
        raise InputError(f"column {label(column)} mixes kinds of values ({', '.join(kinds)}: {examples}), so its "
                         f"categories have no natural order and 1 and '1' would be different categories. Fix: "
                         f"convert the column to one kind first, such as table[column].astype(str).")
    if isinstance(values.dtype, pd.CategoricalDtype):
        return [v for v in values.cat.categories if v in set(present)]
    return sorted(present)


def tenure_bands(tenure, edges=(0, 12, 24, 48, 72)) -> pd.Series:
    """Tenure cut into bands: band i holds edges[i-1] < t <= edges[i]; the first band also holds edges[0].

    With whole-number tenures (months completed, as in the IBM Telco table) the labels read
    "0-12", "13-24", ...; otherwise they are intervals, "[0, 12]", "(12, 24]", .... A tenure outside
    [edges[0], edges[-1]] is refused, never left as a missing band.

    Parameters
    ----------
    tenure : Series (or sequence) of non-negative numbers, one per customer
    edges : increasing sequence of at least two numbers, none negative, default (0, 12, 24, 48, 72)

    Returns
    -------
    Series of an ordered categorical, named ``"tenure_band"``, indexed like ``tenure``.

    Raises
    ------
    InputError
        For edges that are not increasing numbers or start below 0, missing or non-numeric tenures, or a tenure
        outside the edges (with how many, the first row and the fix).

    Examples
    --------
    >>> tenure_bands(pd.Series([0, 12, 13, 72])).astype(str).tolist()
    ['0-12', '0-12', '13-24', '49-72']
    """
    given = tenure if isinstance(tenure, pd.Series) else pd.Series(list(tenure), name="tenure")
    name = str(given.name) if given.name is not None else "tenure"
    values = require_numeric(given, name)
    require_complete(values, name, "a customer without a tenure has no band; fill or drop them explicitly")
    bounds = np.asarray(edges, dtype=float) if np.ndim(edges) == 1 else np.array([])
    if len(bounds) < 2 or not np.all(np.isfinite(bounds)) or not np.all(np.diff(bounds) > 0):
        raise InputError(f"edges={edges!r} must be at least two increasing numbers, such as (0, 12, 24, 48, 72).")
    if bounds[0] < 0:
        raise InputError(f"edges={edges!r} start below 0, but a tenure (time since joining) cannot be negative, and a "
                         f"label such as '-5-0' would read two ways. Fix: start the edges at 0 or above.")
    outside = ((values < bounds[0]) | (values > bounds[-1])).to_numpy()
    if outside.any():
        raise InputError(f"column {name!r} has {int(outside.sum())} value(s) outside the edges {bounds[0]:g} to "
                         f"{bounds[-1]:g} (first: {label(given[outside].iloc[0])} at row {label(given.index[outside][0])}). Fix: "
                         f"widen the edges to cover every tenure.")
    whole = bool(np.all(values.to_numpy() % 1 == 0)) and bool(np.all(bounds % 1 == 0))
    if whole:
        labels = [f"{bounds[0] if i == 0 else bounds[i] + 1:g}-{bounds[i + 1]:g}" for i in range(len(bounds) - 1)]
    else:
        labels = [f"{'[' if i == 0 else '('}{bounds[i]:g}, {bounds[i + 1]:g}]" for i in range(len(bounds) - 1)]
    bands = pd.cut(values, bounds, labels=labels, include_lowest=True, right=True)
    return bands.astype(pd.CategoricalDtype(labels, ordered=True)).rename("tenure_band")
