"""Which offer for which segment: acceptance, lift over the control and value per guest, from a randomized test.

An offer's effect is the difference between the booking rate of the guests who got it and of
those who got nothing (the control), which only a randomized assignment makes a fair comparison.
Its value per guest offered is

    value = (p_offer - p_control) x margin - cost,

the incremental bookings times the margin of a booking, less the cost of offering it to one guest.
"""
from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from ..metrics.comparisons import proportion_difference
from ..metrics.rates import proportion
from ..results import MetricResult, money_text
from ..validation import (Confidence, InputError, as_flag, label, preview, require_columns, require_frame, require_ids,
                          require_labels, require_unique, validate, warn_data)

__all__ = ["offer_table", "best_offer", "personalized_vs_uniform"]


def _money_by_offer(value, offers, name: str, control) -> dict:
    """A number, or a dict from each offer (the control may be left out) to a non-negative number; the control's is 0."""
    def number(v, where):
        if not isinstance(v, numbers.Real) or isinstance(v, (bool, np.bool_)) or not np.isfinite(v) or v < 0:
            raise InputError(f"{where}={label(v)} must be a non-negative number of dollars.")
        return float(v)
    if isinstance(value, dict):
        missing = [o for o in offers if o != control and o not in value]
        if missing:
            raise InputError(f"{name} has no value for offer(s) {preview(missing)}; give one per offer, such as "
                             f"{{{', '.join(f'{o!r}: ...' for o in offers if o != control)}}}.")
        if value.get(control, 0) != 0:
            raise InputError(f"{name}[{control!r}]={label(value[control])}: the control gets no offer, so it has no "
                             f"{name}; leave it out or give 0.")
        return {o: 0.0 if o == control else number(value[o], f"{name}[{o!r}]") for o in offers}
    number(value, name)
    return {o: 0.0 if o == control else float(value) for o in offers}


@validate(confidence=Confidence())
def offer_table(offer_test: pd.DataFrame, segments: pd.Series, *, margin, cost=0.0, control: str = "none",
                customer_id_col: str = "customer_id", offer_col: str = "offer", accepted_col: str = "accepted",
                flag_values=None, confidence: float = 0.95) -> pd.DataFrame:
    """Per segment and offer: acceptance with its interval, lift over the control, and value per guest offered.

    In each segment s, for each offer o (Wilson intervals from ``rk.metrics.proportion``):

    * ``rate`` = accepted / n among the guests of s offered o;
    * ``lift`` = rate(s, o) - rate(s, control), with Newcombe's interval
      (``rk.metrics.proportion_difference``): the offer's effect, since the offers were
      assigned at random;
    * ``value`` = lift x margin(o) - cost(o), dollars per guest offered; its interval is the
      lift's interval put through the same formula (margin and cost are known numbers).

    The control's own row has lift 0 and value 0 (doing nothing gains and costs nothing extra).

    Parameters
    ----------
    offer_test : DataFrame, one row per guest: id, offer, accepted (``make_offer_test``)
    segments : Series, a segment per guest, indexed by customer id (clusters, or planted segments)
    margin : number or dict from offer to number
        Dollars earned per booking made with the offer.
    cost : number or dict from offer to number, default 0
        Dollars spent per guest offered. A single number applies to every offer; the control has
        neither margin nor cost.
    control : str, default "none", the offer value of the control group
    customer_id_col, offer_col, accepted_col : str
    flag_values : dict, optional, how to read a text ``accepted`` column ({"yes": True, "no": False})
    confidence : float, default 0.95

    Returns
    -------
    DataFrame indexed by (``segment``, ``offer``), the control first: ``n``, ``accepted``,
    ``rate``, ``rate_low``, ``rate_high``, ``lift``, ``lift_low``, ``lift_high``, ``p_value``,
    ``margin``, ``cost``, ``value``, ``value_low``, ``value_high``; ``attrs`` records
    ``confidence`` and ``control``.

    Raises
    ------
    InputError
        For missing columns, repeated guests, accepted values that are not True/False, guests
        without a segment, a segment without control guests, or margins and costs that are not
        non-negative numbers for every offer. A segment without guests for some offer loses that
        row, with a :class:`~retention_kit.DataWarning`.

    Examples
    --------
    >>> test = pd.DataFrame({"customer_id": range(8), "offer": ["none", "spa"] * 4,
    ...                      "accepted": [False, True, False, True, True, True, False, False]})
    >>> seg = pd.Series(["a"] * 8, index=range(8))
    >>> t = offer_table(test, seg, margin=100, cost=5)
    >>> t.loc[("a", "spa"), ["rate", "lift", "value"]].tolist()      # (0.75 - 0.25) x 100 - 5
    [0.75, 0.5, 45.0]
    """
    require_frame(offer_test, "offer_test")
    require_columns(offer_test, [customer_id_col, offer_col, accepted_col], "offer_test",
                    "pass the names with customer_id_col, offer_col and accepted_col")
    ids = offer_test[customer_id_col]
    require_ids(ids, customer_id_col)
    require_unique(ids, customer_id_col, "the test has one row per guest; remove the repeated rows.")
    require_labels(offer_test[offer_col], offer_col)
    accepted = as_flag(offer_test[accepted_col], accepted_col, flag_values).to_numpy()
    if not isinstance(segments, pd.Series):
        raise InputError(f"segments must be a Series indexed by customer id, got {type(segments).__name__}.")
    absent = ~ids.isin(segments.index)
    if absent.any():
        raise InputError(f"segments has no segment for {int(absent.sum())} guest(s) of the test "
                         f"({preview(ids[absent])}); pass a segment for every guest tested.")
    segment = segments.reindex(ids.to_numpy())
    require_labels(segment, "segments")
    offers = list(pd.unique(offer_test[offer_col]))
    if control not in offers:
        raise InputError(f"control={control!r} is not an offer in column {offer_col!r} ({preview(offers)}); name "
                         f"the control group's value with control=.")
    offers = [control] + sorted((o for o in offers if o != control), key=str)
    margins, costs = _money_by_offer(margin, offers, "margin", control), _money_by_offer(cost, offers, "cost", control)
    counts = pd.DataFrame({"segment": segment.to_numpy(), "offer": offer_test[offer_col].to_numpy(),
                           "accepted": accepted}).groupby(["segment", "offer"]).agg(
        n=("accepted", "size"), accepted=("accepted", "sum"))
    rows = []
    for s in sorted(pd.unique(segment), key=str):
        if (s, control) not in counts.index:
            raise InputError(f"segment {label(s)} has no guest in the control group {control!r}, so no lift can be "
                             f"measured there; merge it with another segment or test more guests.")
        n0, k0 = (int(v) for v in counts.loc[(s, control)])
        for o in offers:
            if (s, o) not in counts.index:
                warn_data(f"offer_table: segment {label(s)} has no guest offered {o!r}; that row is left out.")
                continue
            n, k = (int(v) for v in counts.loc[(s, o)])
            rate = proportion(k, n, confidence=confidence)
            if o == control:
                lift, low, high, p_value = 0.0, 0.0, 0.0, 1.0
            else:
                d = proportion_difference(k, n, k0, n0, confidence=confidence)
                lift, (low, high), p_value = d.value, d.ci, d.p_value
            m, c = margins[o], costs[o]
            rows.append(dict(segment=s, offer=o, n=n, accepted=k, rate=rate.value, rate_low=rate.ci[0],
                             rate_high=rate.ci[1], lift=lift, lift_low=low, lift_high=high, p_value=p_value, margin=m,
                             cost=c, value=lift * m - c, value_low=low * m - c, value_high=high * m - c))
    table = pd.DataFrame(rows).set_index(["segment", "offer"])
    table.attrs.update(confidence=confidence, control=control)
    return table


def _require_table(table) -> pd.DataFrame:
    needed = ["value", "value_low", "value_high", "lift", "n"]
    if not isinstance(table, pd.DataFrame) or not isinstance(table.index, pd.MultiIndex) or "control" not in table.attrs:
        raise InputError(f"table must be the DataFrame of offer_table (indexed by segment and offer), got "
                         f"{type(table).__name__}.")
    require_columns(table, needed, "table", "pass the table of offer_table")
    return table


def best_offer(table: pd.DataFrame) -> pd.DataFrame:
    """The offer with the highest estimated value per guest in each segment (the control, worth 0, if none pays).

    best(s) = argmax over o of value(s, o), value(s, control) = 0. The interval beside it says
    how sure the choice is: a lower bound above 0 means the offer pays at that confidence.
    Picking the largest of several noisy estimates favours the one that was lucky, so the value
    shown is optimistic when offers are close (check it on new guests).

    Parameters
    ----------
    table : DataFrame from :func:`offer_table`

    Returns
    -------
    DataFrame indexed by segment: ``offer``, ``value``, ``value_low``, ``value_high``, ``lift``,
    ``n`` and ``pays`` (True when ``value_low`` > 0).

    Raises
    ------
    InputError
        For a table that is not offer_table's.

    Examples
    --------
    >>> test = pd.DataFrame({"customer_id": range(8), "offer": ["none", "spa"] * 4,
    ...                      "accepted": [False, True, False, True, True, True, False, False]})
    >>> t = offer_table(test, pd.Series(["a"] * 8, index=range(8)), margin=100, cost=60)
    >>> best_offer(t)["offer"].tolist()     # the spa gains 50 a guest and costs 60: do nothing
    ['none']
    """
    table = _require_table(table)
    best = table.loc[table.groupby(level="segment", sort=True)["value"].idxmax()]
    best = best.reset_index(level="offer")[["offer", "value", "value_low", "value_high", "lift", "n"]]
    best["pays"] = best["value_low"] > 0
    best.attrs.update(table.attrs)
    return best


def personalized_vs_uniform(table: pd.DataFrame, segment_sizes) -> MetricResult:
    """Expected value of giving each segment its best offer, against the best single offer for everyone.

    With N_s guests in segment s and v(s, o) the value per guest of offer o in s:

    * personalized = sum_s N_s max_o v(s, o);
    * uniform = max_o sum_s N_s v(s, o), the best one offer for every guest (the control, 0, if none pays);
    * the difference = personalized - uniform (never negative on the same estimates).

    Both use the estimates of :func:`offer_table`, so both are uncertain; and choosing each
    segment's best estimate favours lucky ones, so the personalized total is optimistic. Check the
    chosen policy on new guests before trusting the difference.

    Parameters
    ----------
    table : DataFrame from :func:`offer_table`
    segment_sizes : Series or dict from segment to the number of guests to target

    Returns
    -------
    MetricResult (kind ``"policy_value_difference"``, dollars), ``value`` the difference, parts
    ``personalized``, ``uniform``, ``uniform_offer``, ``policy`` (segment -> offer) and
    ``by_offer`` (the total of each single offer for everyone).

    Raises
    ------
    InputError
        For a table that is not offer_table's, sizes that are not non-negative numbers, or sizes
        for segments the table does not have (or none for one it has).

    Examples
    --------
    >>> test = pd.DataFrame({"customer_id": range(16), "offer": ["none", "spa", "upgrade", "none"] * 4,
    ...                      "accepted": [False, True, False, False] * 2 + [False, False, True, False] * 2})
    >>> seg = pd.Series(["leisure"] * 8 + ["business"] * 8, index=range(16))
    >>> t = offer_table(test, seg, margin=100, cost=10)
    >>> r = personalized_vs_uniform(t, {"leisure": 1000, "business": 500})
    >>> r.policy, r.uniform_offer, r.personalized, r.uniform, r.value
    ({'business': 'upgrade', 'leisure': 'spa'}, 'spa', 135000.0, 85000.0, 50000.0)
    """
    table = _require_table(table)
    sizes = pd.Series(segment_sizes, dtype=object) if isinstance(segment_sizes, dict) else segment_sizes
    if not isinstance(sizes, pd.Series):
        raise InputError(f"segment_sizes must be a Series or dict from segment to number of guests, got "
                         f"{type(segment_sizes).__name__}.")
    segments = table.index.get_level_values("segment").unique()
    if set(sizes.index) != set(segments):
        raise InputError(f"segment_sizes has segments {preview(sizes.index)} but the table has "
                         f"{preview(segments)}; give a size for each segment of the table.")
    bad = [s for s, v in sizes.items() if not isinstance(v, numbers.Real) or isinstance(v, bool) or not v >= 0]
    if bad:
        raise InputError(f"segment_sizes[{label(bad[0])}]={label(sizes[bad[0]])} must be a non-negative number.")
    sizes = sizes.astype(float)
    values = table["value"].unstack("offer")
    control = table.attrs["control"]
    values[control] = 0.0                 # doing nothing is worth 0 in every segment
    if values.isna().any().any():         # an offer with no guests in some segment cannot go to everyone
        values = values.loc[:, ~values.isna().any()]
    best = best_offer(table)
    personalized = float((sizes[best.index] * best["value"]).sum())
    by_offer = values.mul(sizes[values.index], axis=0).sum()
    uniform_offer = by_offer.idxmax()
    uniform = float(by_offer[uniform_offer])
    return MetricResult(kind="policy_value_difference", name="Personalized minus uniform offer", unit="currency",
                        value=personalized - uniform, formula="sum_s N_s max_o v(s, o) - max_o sum_s N_s v(s, o)",
                        parts=dict(personalized=personalized, uniform=uniform, uniform_offer=uniform_offer,
                                   policy=best["offer"].to_dict(), by_offer=by_offer),
                        notes=(f"personalized {money_text(personalized)} against {money_text(uniform)} for "
                               f"{uniform_offer!r} to everyone; both are estimates, and the personalized one is "
                               f"optimistic (each segment's best estimate was picked).",))
