"""The themes explorer: the number of NMF themes -> the top words of each theme and how well the themes agree
with known labels. A pure view (tested) and a thin layer of controls; the text is vectorized once and every
number of themes fitted once, so that a move only redraws."""
from __future__ import annotations

import ipywidgets as w
import numpy as np

from ..explorer import Explorer
from ..plots.feedback import theme_crosstab
from ..validation import InputError, Integer, RandomState, check
from .items import require_texts
from .themes import ThemeModel, _fit, _tfidf, theme_agreement

__all__ = ["themes_view", "themes_explorer"]

_STYLE = {"description_width": "150px"}
_LAYOUT = dict(width="460px")


def themes_view(model: ThemeModel, known, *, agreement=None, ax=None):
    """Text and heatmap for one setting of the themes explorer: a fitted model against known labels.

    The text gives k, the adjusted Rand index and the share of items in their theme's majority
    label (:func:`theme_agreement`), and each theme's top three words with the label it mostly
    holds; the heatmap is the cross-table as shares of each found theme.

    Parameters
    ----------
    model : ThemeModel from :func:`find_themes`
    known : Series, the known label of each text (same index as the model's labels)
    agreement : MetricResult, optional, ``theme_agreement(model.labels, known)`` already computed
    ax : matplotlib Axes, optional

    Returns
    -------
    (str, matplotlib Axes)

    Raises
    ------
    InputError
        For something that is not a ThemeModel, or labels that do not cover the same texts.

    Examples
    --------
    >>> import pandas as pd
    >>> from retention_kit.feedback import find_themes
    >>> texts = pd.Series(["invoice wrong", "invoice charged", "sync crashes", "app crashes on sync"])
    >>> known = pd.Series(["billing", "billing", "sync", "sync"])
    >>> print(themes_view(find_themes(texts, 2, min_df=1), known)[0])
    2 themes: adjusted Rand index 1.00, 100% of items in their theme's majority label. 0 (crashes, sync, app) -> sync; 1 (invoice, wrong, charged) -> billing
    """
    if not isinstance(model, ThemeModel):
        raise InputError(f"model must be a ThemeModel from rk.feedback.find_themes, got {type(model).__name__}.")
    agreement = agreement if agreement is not None else theme_agreement(model.labels, known)
    names = {t: model.name(t, 3) for t in agreement.crosstab.index}
    ax = theme_crosstab(agreement.crosstab, row_names=names, ax=ax,
                        title=f"{model.n_themes} themes: share of each theme's items by known label")
    themes = "; ".join(f"{t} ({', '.join(model.top_words.loc[t].iloc[:3])}) -> {agreement.mapping[t]}"
                       for t in model.top_words.index if t in agreement.mapping)
    text = (f"{model.n_themes} themes: adjusted Rand index {agreement.value:.2f}, {agreement.agreement:.0%} of items in "
            f"their theme's majority label. {themes}")
    unnamed = sorted(set(agreement.mapping.values()) ^ set(agreement.crosstab.columns))
    if unnamed:
        text += f". No theme is mostly {', '.join(map(str, unnamed))}"
    return text, ax


def themes_explorer(texts, known, *, n_themes: int = 6, k_range=(2, 10), stop_words=(), min_df: int = 3,
                    random_state=0) -> Explorer:
    """A slider for the number of themes -> top words per theme and the agreement with known labels.

    The texts are vectorized once (TF-IDF) and NMF is fitted, and compared with ``known``, once
    for every k of ``k_range`` when the explorer is built (about half a second per k on the
    lesson's 4,000 texts), so that a move of the slider only redraws.

    Parameters
    ----------
    texts : Series of str, none missing or blank
    known : Series, the known (or planted) label of each text, indexed like ``texts``
    n_themes : int, default 6, the k at the start
    k_range : (int, int), default (2, 10), the slider's bounds
    stop_words, min_df, random_state : as in :func:`find_themes`

    Returns
    -------
    Explorer

    Raises
    ------
    InputError
        For bad texts or labels, or a k outside ``k_range``.

    Examples
    --------
    >>> import pandas as pd
    >>> texts = pd.Series(["invoice wrong", "invoice charged", "sync crashes", "app crashes on sync", "slow load",
    ...                    "slow pages"])
    >>> known = pd.Series(["billing", "billing", "sync", "sync", "speed", "speed"])
    >>> explorer = themes_explorer(texts, known, n_themes=2, k_range=(2, 3), min_df=1)
    >>> explorer.controls["n_themes"].value = 3
    >>> explorer.label.value.startswith("<b>3 themes: adjusted Rand index 1.00")
    True
    """
    texts = require_texts(texts)
    if not (isinstance(k_range, (tuple, list)) and len(k_range) == 2):
        raise InputError(f"k_range={k_range!r} must be a pair (fewest themes, most themes), such as (2, 10).")
    low = check("k_range[0]", k_range[0], Integer(low=1))
    high = check("k_range[1]", k_range[1], Integer(low=low))
    n_themes = check("n_themes", n_themes, Integer(low=low, high=high, hint=f"It must lie in k_range={tuple(k_range)}."))
    random_state = check("random_state", random_state, RandomState())
    if isinstance(random_state, np.random.Generator):
        random_state = int(random_state.integers(2 ** 31))
    matrix, vocabulary = _tfidf(texts, stop_words, check("min_df", min_df, Integer(low=1)))
    models = {k: _fit(matrix, vocabulary, texts.index, k, 8, random_state) for k in range(low, high + 1)}
    agreements = {k: theme_agreement(m.labels, known) for k, m in models.items()}   # refuses misaligned labels

    def view(ax, n_themes):
        return themes_view(models[n_themes], known, agreement=agreements[n_themes], ax=ax)

    controls = dict(n_themes=w.IntSlider(n_themes, min=low, max=high, description="number of themes k",
                                         continuous_update=False, style=_STYLE, layout=_LAYOUT))
    return Explorer(view, controls, title="Themes explorer", margins=dict(left=0.33, bottom=0.27, top=0.92))
