"""Descriptive views of the membership (benefit use, monthly means) and the self-selection explorer.

Part of :mod:`retention_kit.programs.membership` (which re-exports :func:`benefit_usage` and
:func:`monthly_means`, and the explorer's names on first use). The explorer is a pure view (tested)
and a thin layer of controls: the strength of self-selection and of an unmeasured driver of joining
-> the naive member gap, adjusted estimates with a noise band, and the planted effect. Each setting
simulates Marlow Market once (:func:`~retention_kit.datasets.membership.make_membership_program`); the
explorer computes the whole grid when it is built, so a move only redraws.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..datasets.membership import BENEFITS, FREQUENCY_BANDS
from ..metrics.rates import proportion
from ..validation import Confidence, InputError, Integer, RandomState, Real, check, require_columns, require_frame
from ..validation import validate
from .membership import customer_table, ipw_weights, propensity_scores, strata_weights, weighted_difference

__all__ = ["benefit_usage", "monthly_means", "selection_view", "selection_explorer", "SELECTION_SETTINGS",
           "UNOBSERVED_SETTINGS"]

SELECTION_SETTINGS = tuple(float(x) for x in np.arange(0, 2.01, 0.25))
UNOBSERVED_SETTINGS = (0.0, 0.1, 0.2, 0.3, 0.4)
_STYLE = {"description_width": "170px"}


@validate(confidence=Confidence())
def benefit_usage(table: pd.DataFrame, *, by: str = "band", confidence: float = 0.95) -> pd.DataFrame:
    """Which benefit each segment uses: the share of members active all post window who used it at least once.

    Share = used / n per segment and benefit, with Wilson's interval (``rk.proportion``). Only members
    retained to the post window's last month count, so that every member had the same months to use
    a benefit.

    Parameters
    ----------
    table : DataFrame from :func:`~retention_kit.programs.membership.customer_table`, with benefit columns
    by : str, default "band" (the pre-join frequency band)
    confidence : float, default 0.95

    Returns
    -------
    DataFrame with a (segment, benefit) index: ``used``, ``n``, ``share``, ``ci_low``, ``ci_high``;
    ``attrs["confidence"]``.

    Raises
    ------
    InputError
        For a table without the segment or any benefit column, or no retained members.

    Examples
    --------
    >>> t = pd.DataFrame({"member": [True] * 4, "retained": [True] * 4, "band": ["light"] * 4,
    ...                   "streaming": [True, True, True, False]})
    >>> float(benefit_usage(t).loc[("light", "streaming"), "share"])
    0.75
    """
    require_frame(table, "table")
    benefits = [b for b in BENEFITS if b in table.columns]
    require_columns(table, ["member", "retained", by], "table", "pass customer_table(...) of data with benefit columns")
    if not benefits:
        raise InputError(f"table has none of the benefit columns {list(BENEFITS)}; build it from data that has them.")
    kept = table[table["member"].astype(bool) & table["retained"].astype(bool)]
    if kept.empty:
        raise InputError("table has no member retained to the end of the post window.")
    order = [b for b in FREQUENCY_BANDS if b in set(kept[by])] if by == "band" else sorted(kept[by].unique())
    rows = {}
    for segment in order:
        group = kept[kept[by] == segment]
        for benefit in benefits:
            r = proportion(int(group[benefit].sum()), len(group), confidence=confidence)
            rows[(segment, benefit)] = dict(used=r.successes, n=r.n, share=r.value, ci_low=r.ci[0], ci_high=r.ci[1])
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index = pd.MultiIndex.from_tuples(out.index, names=[by, "benefit"])
    out.attrs["confidence"] = confidence
    return out


def monthly_means(data: pd.DataFrame, value: str = "orders", *, customer_id_col: str = "customer_id",
                  month_col: str = "month") -> pd.DataFrame:
    """Mean ``value`` per active customer and month, for the customers who joined at any time and for the others.

    Parameters
    ----------
    data : DataFrame, one row per customer and active month, with ``join_month``
    value : str, default "orders"
    customer_id_col, month_col : str

    Returns
    -------
    DataFrame indexed by month, columns ``members`` (ever joined) and ``non-members``.

    Raises
    ------
    InputError
        For missing columns.

    Examples
    --------
    >>> d = pd.DataFrame({"customer_id": ["a", "b"], "month": pd.to_datetime(["2025-01-01"] * 2),
    ...                   "join_month": pd.to_datetime(["2025-01-01", None]), "orders": [3, 1]})
    >>> monthly_means(d).iloc[0].tolist()
    [3.0, 1.0]
    """
    require_frame(data, "data")
    require_columns(data, [customer_id_col, month_col, value, "join_month"], "data")
    joined = data.groupby(customer_id_col)["join_month"].transform("first").notna()
    table = data.groupby([data[month_col], joined.map({True: "members", False: "non-members"})])[value].mean()
    return table.unstack().reindex(columns=["members", "non-members"])


@lru_cache(maxsize=256)
def _setting(selection: float, n_customers: int, unobserved: float, random_state) -> dict:
    from ..datasets.membership import make_membership_program
    from .membership_value import diff_in_diff, naive_difference
    data, truth = make_membership_program(n_customers, selection=selection, unobserved=unobserved,
                                          random_state=random_state)
    table = customer_table(data)
    member = table["member"]
    ipw = weighted_difference(table, "orders", ipw_weights(table, propensity_scores(table)))
    return {"naive": naive_difference(table).value, "DiD vs all non-members": diff_in_diff(table).value,
            "DiD vs matched non-members": diff_in_diff(table, weights=strata_weights(table)).value,
            "inverse-propensity weighting": ipw.value, "ipw_low": ipw.ci[0], "ipw_high": ipw.ci[1],
            "planted": truth["att_orders"],
            "pre_ratio": table.loc[member, "pre_orders"].mean() / table.loc[~member, "pre_orders"].mean()}


def _curves(n_customers, unobserved, random_state, extra=()) -> pd.DataFrame:
    settings = sorted(set(SELECTION_SETTINGS) | set(extra))
    return pd.DataFrame({s: _setting(s, n_customers, unobserved, random_state) for s in settings}).T


def _checked(selection, unobserved, n_customers, random_state):
    selection = check("selection", selection, Real(0, 2))
    unobserved = check("unobserved", unobserved, Real(0, 1))
    n_customers = check("n_customers", n_customers, Integer(low=100))
    random_state = check("random_state", random_state, RandomState())
    if isinstance(random_state, np.random.Generator):
        random_state = int(random_state.integers(2 ** 31))      # a seed, so that every setting uses the same one
    return float(selection), float(unobserved), n_customers, random_state


def selection_view(selection: float, unobserved: float = 0.1, *, n_customers: int = 6000, random_state=0, ax=None):
    """Text and plot for one strength of self-selection and of an unmeasured driver: estimates against the truth.

    The effect on members' orders per active month of the post window, estimated by the naive
    member-minus-non-member gap, a difference-in-differences against all non-members, one against
    non-members matched on pre-join behaviour (strata), and inverse-propensity weighting with its
    95% interval shaded (the noise band: sampling noise only), at every selection strength from 0 to
    2 (``SELECTION_SETTINGS``), beside the planted effect. ``unobserved`` is the strength of a trait
    that drives both joining and 2025 orders: at 0 the adjusted estimates sit on the planted value; as
    it grows they move above it, and the band does not follow: an interval does not measure that bias.

    Parameters
    ----------
    selection : float, from 0 to 2, the simulator's ``selection``
    unobserved : float, default 0.1, from 0 to 1, the simulator's ``unobserved``
    n_customers : int, default 6000
    random_state : int, default 0 (the same seed for every setting)
    ax : matplotlib Axes, optional

    Returns
    -------
    (str, matplotlib Axes)

    Raises
    ------
    InputError
        For a selection outside [0, 2], an unobserved strength outside [0, 1] or bad simulator arguments.

    Examples
    --------
    >>> text, ax = selection_view(1.0, 0.0, n_customers=1000)
    >>> text.startswith("selection 1.00, unmeasured driver 0.00: before joining, members ordered")
    True
    """
    selection, unobserved, n_customers, random_state = _checked(selection, unobserved, n_customers, random_state)
    curves = _curves(n_customers, unobserved, random_state, extra=(selection,))
    from ..plots.membership import selection_curves
    ax = selection_curves(curves, current=selection, band=("ipw_low", "ipw_high"), ax=ax,
                          title=f"Estimates as self-selection strengthens (unmeasured driver {unobserved:.2f})")
    row = curves.loc[selection]
    inside = row["ipw_low"] <= row["planted"] <= row["ipw_high"]
    text = (f"selection {selection:.2f}, unmeasured driver {unobserved:.2f}: before joining, members ordered "
            f"{row['pre_ratio']:.1f}x as often as non-members. Effect on orders a month: naive gap "
            f"{row['naive']:+.2f}, DiD vs all non-members {row['DiD vs all non-members']:+.2f}, DiD vs matched "
            f"{row['DiD vs matched non-members']:+.2f}, weighting {row['inverse-propensity weighting']:+.2f} "
            f"(95% interval {row['ipw_low']:+.2f} to {row['ipw_high']:+.2f}, "
            f"{'covers' if inside else 'misses'} the planted {row['planted']:+.2f})")
    return text, ax


def selection_explorer(*, n_customers: int = 6000, random_state=0, selection: float = 1.0, unobserved: float = 0.1):
    """Sliders for the strength of self-selection and of an unmeasured driver -> estimates against the truth.

    The explorer simulates every pair of ``SELECTION_SETTINGS`` and ``UNOBSERVED_SETTINGS`` when it is
    built (a few seconds, cached), so that moving a slider only redraws.

    Parameters
    ----------
    n_customers : int, default 6000
    random_state : int, default 0
    selection : float, default 1.0, the first slider's start
    unobserved : float, default 0.1, the second slider's start (one of ``UNOBSERVED_SETTINGS``)

    Returns
    -------
    retention_kit.explorer.Explorer

    Raises
    ------
    InputError
        As :func:`selection_view`, or an unobserved start off the slider's settings.

    Examples
    --------
    >>> explorer = selection_explorer(n_customers=300)
    >>> explorer.controls["unobserved"].value = 0.3
    >>> "unmeasured driver 0.30" in explorer.label.value
    True
    """
    import ipywidgets as w
    from ..explorer import Explorer
    selection, unobserved, n_customers, random_state = _checked(selection, unobserved, n_customers, random_state)
    if unobserved not in UNOBSERVED_SETTINGS:
        raise InputError(f"unobserved={unobserved!r} must be one of the slider's settings {UNOBSERVED_SETTINGS}.")
    for u in UNOBSERVED_SETTINGS:                                   # the whole grid now: a move only redraws
        _curves(n_customers, u, random_state, extra=(selection,))
    step = UNOBSERVED_SETTINGS[1] - UNOBSERVED_SETTINGS[0]
    controls = dict(
        selection=w.FloatSlider(selection, min=0.0, max=2.0, step=0.25, continuous_update=False,
                                description="selection strength", style=_STYLE, layout=w.Layout(width="480px")),
        unobserved=w.FloatSlider(unobserved, min=UNOBSERVED_SETTINGS[0], max=UNOBSERVED_SETTINGS[-1], step=step,
                                 continuous_update=False, description="unmeasured driver", style=_STYLE,
                                 layout=w.Layout(width="480px")))

    def view(ax, selection, unobserved):
        return selection_view(selection, round(unobserved, 2), n_customers=n_customers, random_state=random_state,
                              ax=ax)

    return Explorer(view, controls, title="Self-selection explorer", margins=dict(left=0.1, bottom=0.16))
