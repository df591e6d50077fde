"""Figures of segments: cluster profiles, the evidence for k, and the value of each offer per segment.

Each function takes its data first and everything else by keyword, draws on ``ax`` (a new figure
when None) and returns it. Nothing here computes a metric: pass the tables of ``rk.segments``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import InputError
from ._common import ORANGE, RED, TEAL, _axes, _columns, _level

__all__ = ["segment_profiles", "cluster_choice", "offer_values"]


def segment_profiles(profiles: pd.DataFrame, *, columns=None, ax=None, title="Cluster profiles (medians)"):
    """A heatmap of cluster profiles: one row per feature, one column per cluster, each cell its value.

    Colours compare the clusters within each feature: a row is coloured from its lowest cluster
    (light) to its highest (dark), (value - row minimum) / (row maximum - row minimum), a row
    whose clusters are equal at the middle. The numbers written in the cells are the profile's
    own values. Column headers show each cluster's size.

    Parameters
    ----------
    profiles : DataFrame from ``rk.segments.segment_profiles`` (clusters as rows, with ``size``)
    columns : list of str, optional, default every column but ``size`` and ``share``
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without the columns it draws, or columns that are not numbers.

    Examples
    --------
    >>> p = pd.DataFrame({"size": [30, 10], "share": [0.75, 0.25], "nights": [1.5, 5.0]}, index=[0, 1])
    >>> ax = segment_profiles(p)
    >>> ax.images[0].get_array().tolist(), [t.get_text() for t in ax.texts]
    ([[0.0, 1.0]], ['1.5', '5'])
    """
    columns = [c for c in profiles.columns if c not in ("size", "share")] if (
        isinstance(profiles, pd.DataFrame) and columns is None) else columns
    _columns(profiles, list(columns) + ["size"], "profiles")
    if not columns:
        raise InputError("profiles has no feature column to draw; pass the table of rk.segments.segment_profiles.")
    values = profiles[list(columns)]
    if not all(pd.api.types.is_numeric_dtype(values[c]) for c in columns):
        raise InputError(f"profiles: columns {list(columns)} must hold numbers.")
    grid = values.to_numpy(dtype=float).T                 # features as rows
    low, high = np.nanmin(grid, axis=1, keepdims=True), np.nanmax(grid, axis=1, keepdims=True)
    span = np.where(high > low, high - low, 1.0)
    colour = np.where(high > low, (grid - low) / span, 0.5)
    ax = _axes(ax, (1.6 + 1.1 * len(profiles), 0.9 + 0.45 * len(columns)))
    ax.imshow(colour, cmap="Blues", vmin=0, vmax=1.25, aspect="auto")
    for (i, j), v in np.ndenumerate(grid):
        ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize="small")
    ax.set_xticks(range(len(profiles)), [f"{k}\n(n={int(n):,})" for k, n in zip(profiles.index, profiles["size"])])
    ax.set_yticks(range(len(columns)), [str(c) for c in columns])
    ax.set(xlabel=str(profiles.index.name or "cluster"), title=title)
    ax.tick_params(length=0)
    return ax


def cluster_choice(choice_table: pd.DataFrame, *, chosen=None, ax=None, title="How many clusters?"):
    """Silhouette and stability against k (``rk.segments.choose_k``), with whiskers of +/- one SD over seeds.

    Parameters
    ----------
    choice_table : DataFrame indexed by k with ``silhouette`` and ``stability`` (optionally ``silhouette_sd``)
    chosen : int, optional, a k to mark with a vertical line
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without the columns it draws.

    Examples
    --------
    >>> t = pd.DataFrame({"silhouette": [0.4, 0.5, 0.3], "stability": [0.9, 1.0, 0.7]}, index=[2, 3, 4])
    >>> [line.get_ydata().tolist() for line in cluster_choice(t).lines]
    [[0.4, 0.5, 0.3], [0.9, 1.0, 0.7]]
    """
    _columns(choice_table, ["silhouette", "stability"], "choice_table")
    ax = _axes(ax)
    k = choice_table.index.to_numpy()
    ax.plot(k, choice_table["silhouette"], marker="o", color=TEAL, label="silhouette (mean over seeds)")
    ax.plot(k, choice_table["stability"], marker="s", ls="--", color=ORANGE,
            label="stability (adjusted Rand index between seeds)")
    if "silhouette_sd" in choice_table.columns:
        ax.errorbar(k, choice_table["silhouette"], yerr=choice_table["silhouette_sd"], fmt="none", ecolor=TEAL,
                    alpha=0.6, capsize=3)
    if chosen is not None:
        ax.axvline(chosen, color=RED, ls=":", label=f"k = {chosen}")
    ax.set(xlabel="number of clusters k", ylabel="score (higher is better)", title=title, xticks=k)
    ax.legend(frameon=False, fontsize="small")
    ax.grid(alpha=0.3)
    return ax


def offer_values(table: pd.DataFrame, *, confidence=None, ax=None, title="Value per guest offered"):
    """Bars of each offer's value per guest in each segment (``rk.segments.offer_table``), with interval whiskers.

    One group of bars per segment, one bar per offer (the control, worth 0 by definition, is left
    out), height ``value``, whiskers from ``value_low`` to ``value_high``.

    Parameters
    ----------
    table : DataFrame indexed by (segment, offer) with ``value``, ``value_low``, ``value_high``
    confidence : float, optional
        The intervals' level, for the label; default the table's own (``attrs["confidence"]``).
        A level that differs from the table's is refused.
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without the columns it draws, or a confidence that is not the table's.

    Examples
    --------
    >>> idx = pd.MultiIndex.from_tuples([("a", "spa"), ("b", "spa")], names=["segment", "offer"])
    >>> t = pd.DataFrame({"value": [30.0, -5.0], "value_low": [10.0, -20.0], "value_high": [50.0, 10.0]}, index=idx)
    >>> [float(p.get_height()) for p in offer_values(t, confidence=0.95).patches]
    [30.0, -5.0]
    """
    _columns(table, ["value", "value_low", "value_high"])
    if not isinstance(table.index, pd.MultiIndex) or table.index.nlevels != 2:
        raise InputError("table must be indexed by (segment, offer), as offer_table returns it.")
    own = table.attrs.get("confidence")
    if confidence is not None and own is not None and not np.isclose(confidence, own):
        raise InputError(f"confidence={confidence} is not the level the table's intervals were computed at ({own}); "
                         f"leave it out, or recompute the table with offer_table(..., confidence={confidence}).")
    level = _level(confidence if confidence is not None else own)
    control = table.attrs.get("control")
    shown = table[table.index.get_level_values(1) != control] if control is not None else table
    segments = list(dict.fromkeys(shown.index.get_level_values(0)))
    offers = list(dict.fromkeys(shown.index.get_level_values(1)))
    ax = _axes(ax, (8, 4))
    width = 0.8 / max(len(offers), 1)
    colours = [TEAL, ORANGE, RED, "#66a182", "#2e4057", "#8d96a3"]
    for j, offer in enumerate(offers):
        rows = shown.xs(offer, level=1).reindex(segments)
        present = rows["value"].notna().to_numpy()
        x = np.arange(len(segments))[present] + (j - (len(offers) - 1) / 2) * width
        v = rows["value"].to_numpy()[present]
        ax.bar(x, v, width=width, color=colours[j % len(colours)], label=str(offer))
        ax.errorbar(x, v, yerr=[v - rows["value_low"].to_numpy()[present], rows["value_high"].to_numpy()[present] - v],
                    fmt="none", ecolor="black", alpha=0.7, capsize=3)
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xticks(range(len(segments)), [str(s) for s in segments])
    ax.set(xlabel=str(table.index.names[0] or "segment"),
           ylabel=f"dollars per guest offered{f' (whiskers: {level} intervals)' if level else ''}", title=title)
    ax.yaxis.set_major_formatter(lambda v, _: f"${v:,.0f}")
    ax.legend(frameon=False, fontsize="small", title="offer")
    ax.grid(alpha=0.3, axis="y")
    return ax
