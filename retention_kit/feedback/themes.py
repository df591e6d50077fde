"""Themes from free text: found by a model (TF-IDF and NMF, with the top words of each theme) or assigned by
keyword rules a person can read, and checked against known labels."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..results import MetricResult
from ..validation import InputError, Integer, RandomState, label, preview, require_labels, validate, warn_data
from .items import require_texts

__all__ = ["ThemeModel", "find_themes", "keyword_themes", "theme_agreement"]

UNASSIGNED = -1


@dataclass(frozen=True, repr=False)
class ThemeModel:
    """Themes found in texts by :func:`find_themes`.

    Parameters
    ----------
    labels : Series, the theme number of each text (its largest weight), ``-1`` for a text with
        no word of the vocabulary
    weights : DataFrame, W: each text's weight on each theme
    top_words : DataFrame, one row per theme, the words with the largest loadings, best first
    loadings : DataFrame, H: each theme's loading on each word of the vocabulary
    reconstruction_error : float, the Frobenius norm of X - W H

    Examples
    --------
    >>> model = find_themes(["invoice wrong", "invoice charged twice", "sync crashes", "app crashes on sync"], 2,
    ...                     min_df=1)
    >>> sorted(model.name(t) for t in range(2))
    ['0: crashes, sync', '1: invoice, wrong']
    """

    labels: pd.Series
    weights: pd.DataFrame
    top_words: pd.DataFrame
    loadings: pd.DataFrame = field(default=None)
    reconstruction_error: float = float("nan")

    @property
    def n_themes(self) -> int:
        """The number of themes."""
        return len(self.top_words)

    def name(self, theme: int, words: int = 2) -> str:
        """A theme's number and its first ``words`` top words, such as ``"3: invoice, charged"``.

        Parameters
        ----------
        theme : int
        words : int, default 2

        Returns
        -------
        str

        Raises
        ------
        KeyError
            For a theme the model does not have.
        """
        if theme == UNASSIGNED:
            return "-1: no known word"
        return f"{theme}: " + ", ".join(self.top_words.loc[theme].iloc[:words])

    def __repr__(self) -> str:
        rows = [f"  {self.name(t, 6)}" for t in self.top_words.index]
        return f"ThemeModel with {self.n_themes} themes over {len(self.labels):,} texts:\n" + "\n".join(rows)


def _tfidf(texts: pd.Series, stop_words, min_df: int):
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
    words = ENGLISH_STOP_WORDS.union(stop_words or ())
    vectorizer = TfidfVectorizer(stop_words=list(sorted(words)), min_df=min(min_df, len(texts)), sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError as error:         # every word is a stop word or too rare
        raise InputError(f"texts leave no vocabulary after removing stop words and words in fewer than {min_df} "
                         f"texts ({error}); lower min_df or pass longer texts.") from None
    return matrix, np.array(vectorizer.get_feature_names_out())


def _fit(matrix, vocabulary, index, n_themes: int, top_words: int, random_state) -> ThemeModel:
    from sklearn.decomposition import NMF
    if n_themes > min(matrix.shape):
        raise InputError(f"n_themes={n_themes} is more than the texts ({matrix.shape[0]}) or the words of the "
                         f"vocabulary ({matrix.shape[1]}) allow; use at most {min(matrix.shape)}.")
    nmf = NMF(n_components=n_themes, init="nndsvda", random_state=random_state, max_iter=500)
    w = nmf.fit_transform(matrix)
    h = nmf.components_
    labels = np.where(w.max(axis=1) > 0, w.argmax(axis=1), UNASSIGNED)
    top = np.argsort(-h, axis=1, kind="stable")[:, :top_words]
    top_table = pd.DataFrame(vocabulary[top], columns=[f"word_{i + 1}" for i in range(top.shape[1])])
    top_table.index.name = "theme"
    return ThemeModel(labels=pd.Series(labels, index=index, name="theme"),
                      weights=pd.DataFrame(w, index=index).rename_axis(columns="theme"), top_words=top_table,
                      loadings=pd.DataFrame(h, columns=vocabulary).rename_axis(index="theme"),
                      reconstruction_error=float(nmf.reconstruction_err_))


@validate(n_themes=Integer(low=1), top_words=Integer(low=1), min_df=Integer(low=1), random_state=RandomState())
def find_themes(texts, n_themes: int, *, top_words: int = 8, stop_words=(), min_df: int = 3,
                random_state=0) -> ThemeModel:
    """Themes in free texts: TF-IDF weights factorized by non-negative matrix factorization (scikit-learn).

    Each text becomes a row of X, its words weighted by TF-IDF: (1 + log tf) x idf, with
    idf = 1 + log((1 + n) / (1 + df)), rows scaled to length 1; English stop words and words in
    fewer than ``min_df`` texts are left out. NMF finds X ~ W H with W, H >= 0 (W: texts x
    themes, H: themes x words). A theme is read from its top words (the largest entries of its
    row of H), and each text gets the theme of its largest weight. Filler words many texts
    share ("hi", "team", "thanks") can form a theme of their own: add them to ``stop_words``.

    Parameters
    ----------
    texts : Series or list of str, none missing or blank
    n_themes : int, the number of themes k
    top_words : int, default 8
    stop_words : sequence of str, words to leave out besides the English stop words
    min_df : int, default 3
    random_state : None, int or numpy.random.Generator, default 0
        NMF's initialization is deterministic (NNDSVDa); the state only breaks ties.

    Returns
    -------
    ThemeModel, ``labels`` indexed like ``texts``.

    Raises
    ------
    InputError
        For missing or blank texts (naming the rows), texts that leave no vocabulary, or more
        themes than texts or words.

    References
    ----------
    Lee & Seung (1999), "Learning the parts of objects by non-negative matrix factorization", Nature 401.

    Examples
    --------
    >>> texts = ["invoice wrong", "invoice charged twice", "charged twice again", "sync crashes",
    ...          "app crashes on sync", "sync fails"]
    >>> model = find_themes(texts, 2, min_df=1)
    >>> model.labels.tolist()
    [1, 1, 1, 0, 0, 0]
    """
    texts = require_texts(texts)
    if isinstance(random_state, np.random.Generator):
        random_state = int(random_state.integers(2 ** 31))
    matrix, vocabulary = _tfidf(texts, stop_words, min_df)
    return _fit(matrix, vocabulary, texts.index, n_themes, top_words, random_state)


def _pattern(keyword: str) -> str:
    # not preceded by a letter, digit or underscore: a keyword may start with "$", "#" or "@" (\b would need a word
    # character after a space there)
    return r"(?<!\w)" + r"\s+".join(re.escape(part) for part in keyword.lower().split())


def _redundant(rules: dict) -> list:
    """(theme, shorter, longer) for each keyword that matches at the start of another keyword of the same theme."""
    found = []
    for theme, words in rules.items():
        for short in words:
            for long in words:
                if short != long and re.match(_pattern(short), " ".join(long.lower().split())):
                    found.append((theme, short, long))
    return found


def keyword_themes(texts, rules: dict, *, other: str = "other") -> pd.DataFrame:
    """Themes by rules a person can read: each text gets the theme whose keywords it contains most often.

    A keyword matches at the start of a word, ignoring case ("crash" matches "Crashes", "log in"
    matches "Log  in", "log" does not match "catalog", "$" matches "$29"): it must not follow a
    letter, digit or underscore. Score of a theme = the number of its keywords found in the text;
    the text gets the highest-scoring theme, ties going to the theme listed first in ``rules``
    (``tied`` marks the texts the order decided); a text with no keyword gets ``other``. The
    ``matched`` column says why, so every label can be checked by reading it. A keyword that is
    the start of another of the same theme ("charge" and "charged") counts one word twice: a
    DataWarning names it (keep the shorter one).

    Parameters
    ----------
    texts : Series or list of str, none missing or blank
    rules : dict from theme name to a list of keywords
    other : str, default "other", the theme of a text no rule matches

    Returns
    -------
    DataFrame indexed like ``texts``: ``theme``, ``hits`` (the winning theme's keyword count),
    ``tied`` (True when another theme had as many hits: the rules' order chose) and ``matched``
    (the keywords found, by theme, such as ``"billing: invoice, charged"``).

    Raises
    ------
    InputError
        For missing or blank texts, rules that are not a dict of non-empty lists of keywords, or a
        rule named like ``other``.

    Examples
    --------
    >>> rules = {"billing": ["invoice", "charged"], "sync": ["sync", "crash"]}
    >>> table = keyword_themes(["Invoice charged twice", "App crashes on sync", "Hello"], rules)
    >>> table["theme"].tolist(), table["matched"].tolist()
    (['billing', 'sync', 'other'], ['billing: invoice, charged', 'sync: sync, crash', ''])
    >>> keyword_themes(["Invoice synced"], rules)["tied"].tolist()       # one word each: billing, listed first
    [True]
    """
    texts = require_texts(texts)
    if not isinstance(rules, dict) or not rules:
        raise InputError(f"rules must be a dict from theme to keywords, such as {{'billing': ['invoice', 'refund']}}, "
                         f"got {type(rules).__name__}.")
    if other in rules:
        raise InputError(f"rules has a theme named {other!r}, the label of texts no rule matches; rename it or pass "
                         f"another other=.")
    for theme, words in rules.items():
        if isinstance(words, str) or not hasattr(words, "__iter__") or not list(words) or \
                not all(isinstance(w, str) and w.strip() for w in words):
            raise InputError(f"rules[{label(theme)}] must be a non-empty list of keywords (strings), got {words!r}.")
    for theme, short, long in _redundant(rules):
        warn_data(f"keyword_themes: in rules[{label(theme)}], {short!r} matches the start of {long!r}, so a text with "
                  f"{long!r} counts that one word twice; keep {short!r} only.")
    lower = texts.str.lower()
    found = {theme: {w: lower.str.contains(_pattern(w), regex=True).to_numpy() for w in words}
             for theme, words in rules.items()}
    scores = np.column_stack([np.sum(list(hits.values()), axis=0) for hits in found.values()])
    names = np.array(list(rules), dtype=object)
    best = scores.argmax(axis=1)                          # the first of the highest: ties go to the earlier rule
    hits = scores[np.arange(len(texts)), best]
    tied = (hits > 0) & ((scores == hits[:, None]).sum(axis=1) > 1)
    theme = np.where(hits > 0, names[best], other)
    matched = [
        "; ".join(f"{t}: " + ", ".join(w for w, m in found[t].items() if m[i]) for t in rules
                  if any(m[i] for m in found[t].values()))
        for i in range(len(texts))]
    return pd.DataFrame({"theme": theme, "hits": hits.astype(int), "tied": tied, "matched": matched},
                        index=texts.index)


def theme_agreement(found, known) -> MetricResult:
    """How well found themes agree with known labels (checked by hand, or planted): the adjusted Rand index, the
    cross-table and the known label each found theme mostly holds.

    ARI = (sum_ij C(n_ij, 2) - E) / ((sum_i C(a_i, 2) + sum_j C(b_j, 2)) / 2 - E), with
    E = sum_i C(a_i, 2) sum_j C(b_j, 2) / C(n, 2), n_ij the items of found theme i and known
    label j (Hubert & Arabie 1985): 1 for the same grouping whatever the themes are called, about
    0 for a grouping no better than chance. ``agreement`` is the share of items whose known label
    is their found theme's majority label. Computed by :func:`rk.segments.match_segments`.

    Parameters
    ----------
    found : Series, a theme per item (``ThemeModel.labels`` or ``keyword_themes(...)["theme"]``)
    known : Series, the known label per item, the same items (index)

    Returns
    -------
    MetricResult (kind ``"adjusted_rand_index"``) with parts ``crosstab`` (found x known),
    ``mapping`` (found theme -> its majority known label), ``agreement`` and ``n``.

    Raises
    ------
    InputError
        For labels that are not Series, missing labels, repeated items, or Series that do not
        cover the same items.

    Examples
    --------
    >>> found = pd.Series([0, 0, 1, 1, 1], index=list("abcde"))
    >>> known = pd.Series(["billing", "billing", "sync", "sync", "billing"], index=list("abcde"))
    >>> r = theme_agreement(found, known)
    >>> round(r.value, 4), r.mapping, r.agreement
    (0.1667, {0: 'billing', 1: 'sync'}, 0.8)
    """
    from ..segments import match_segments
    for value, name in ((found, "found"), (known, "known")):
        if not isinstance(value, pd.Series):
            raise InputError(f"{name} must be a Series with one label per item (indexed by item), got "
                             f"{type(value).__name__}.")
        require_labels(value, name)
        if value.index.has_duplicates:
            raise InputError(f"{name} has repeated items in its index ({preview(value.index[value.index.duplicated()])});"
                             f" give one label per item.")
    only = found.index.symmetric_difference(known.index)
    if len(only):
        raise InputError(f"found and known must label the same items; {len(only)} item(s) are in one only "
                         f"({preview(only)}). Fix: align them, for example known.loc[found.index].")
    result = match_segments(found.rename("found"), known.rename("known"))
    table = result.crosstab.rename_axis(index="found", columns="known")
    return MetricResult(kind=result.kind, name="Agreement of themes (adjusted Rand index)", value=result.value,
                        unit="", formula=result.formula,
                        parts=dict(crosstab=table, mapping=result.mapping, agreement=result.agreement, n=result.n))

