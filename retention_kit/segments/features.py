"""Behaviour features per guest from a stays table: what the clustering of lesson 09 groups guests by."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import (InputError, label, preview, require_columns, require_complete, require_frame, require_ids,
                          require_nonnegative, require_numeric)

__all__ = ["behaviour_features"]


def behaviour_features(stays: pd.DataFrame, *, customer_id_col: str = "customer_id", nights_col: str = "nights",
                       weekday_nights_col: str | None = "weekday_nights", lead_time_col: str | None = "lead_time_days",
                       party_size_col: str | None = "party_size", amount_col: str | None = "amount",
                       spa_col: str | None = "spa_amount",
                       restaurant_col: str | None = "restaurant_amount") -> pd.DataFrame:
    """One row of behaviour per guest from a table of stays (one row per stay).

    * ``stays`` = number of stays; ``nights`` = mean nights per stay;
    * ``weekday_share`` = sum of weekday nights / sum of nights;
    * ``lead_time`` = mean days between booking and check-in; ``party_size`` = mean party size;
    * ``spend_per_night`` = sum of amount / sum of nights;
    * ``spa_share``, ``restaurant_share`` = sum of spa (restaurant) spend / sum of amount.

    Ratios of sums weigh each night (or dollar) equally, so a one-night stay does not count as
    much as a week. A column passed as None leaves its feature out (the shares need ``amount_col``).

    Parameters
    ----------
    stays : DataFrame, one row per stay (``rk.datasets.make_hotel_stays``)
    customer_id_col, nights_col : str
    weekday_nights_col, lead_time_col, party_size_col, amount_col, spa_col, restaurant_col : str or None

    Returns
    -------
    DataFrame indexed by customer id (sorted), one float column per feature.

    Raises
    ------
    InputError
        For a missing column, values that are not numbers, missing or negative, a stay with fewer
        than 1 night or more weekday nights than nights, a share without ``amount_col``, or a
        guest without spend (or with parts of spend above the total) when shares are asked for.

    Examples
    --------
    >>> stays = pd.DataFrame({"customer_id": ["a", "a", "b"], "nights": [1, 3, 2], "weekday_nights": [1, 1, 2],
    ...                       "lead_time_days": [2, 10, 30], "party_size": [1, 1, 4], "amount": [100.0, 300.0, 500.0],
    ...                       "spa_amount": [0.0, 100.0, 0.0], "restaurant_amount": [20.0, 20.0, 200.0]})
    >>> behaviour_features(stays).to_dict("index")["a"]
    {'stays': 2.0, 'nights': 2.0, 'weekday_share': 0.5, 'lead_time': 6.0, 'party_size': 1.0, 'spend_per_night': 100.0, 'spa_share': 0.25, 'restaurant_share': 0.1}
    """
    require_frame(stays, "stays")
    named = {k: v for k, v in dict(weekday_nights=weekday_nights_col, lead_time=lead_time_col,
                                   party_size=party_size_col, amount=amount_col, spa=spa_col,
                                   restaurant=restaurant_col).items() if v is not None}
    require_columns(stays, [customer_id_col, nights_col, *named.values()], "stays",
                    "pass the names with the *_col arguments (None leaves a feature out)")
    require_ids(stays[customer_id_col], customer_id_col)
    if "amount" not in named and {"spa", "restaurant"} & set(named):
        raise InputError("spa_col and restaurant_col give shares of amount_col, which is None; pass amount_col, or "
                         "spa_col=None and restaurant_col=None.")
    frame = pd.DataFrame({k: require_numeric(stays[v], v) for k, v in {"nights": nights_col, **named}.items()})
    for key, column in {"nights": nights_col, **named}.items():
        require_complete(frame[key], column, "fill them, or drop those stays explicitly.")
        require_nonnegative(frame[key], column)
    checks = [(frame["nights"] < 1, f"{nights_col!r} below 1 (a stay has at least one night)"),
              (frame.get("weekday_nights", 0) > frame["nights"], f"{weekday_nights_col!r} above {nights_col!r}")]
    for bad, what in checks:
        if np.asarray(bad).any():
            raise InputError(f"column {what} in {int(np.sum(bad))} row(s) (first: row "
                             f"{label(stays.index[np.asarray(bad)][0])}). Fix: correct or drop those stays.")
    grouped = frame.groupby(stays[customer_id_col].to_numpy(), sort=True)
    sums, means = grouped.sum(), grouped.mean()
    features = pd.DataFrame({"stays": grouped.size(), "nights": means["nights"]})
    if "weekday_nights" in named:
        features["weekday_share"] = sums["weekday_nights"] / sums["nights"]
    for key in ("lead_time", "party_size"):
        if key in named:
            features[key] = means[key]
    if "amount" in named:
        features["spend_per_night"] = sums["amount"] / sums["nights"]
    for part in [p for p in ("spa", "restaurant") if p in named]:
        if (sums["amount"] <= 0).any():
            zero = sums.index[sums["amount"] <= 0]
            raise InputError(f"{len(zero)} guest(s) spent nothing in column {amount_col!r} ({preview(zero)}), so "
                             f"their shares of spend are undefined. Fix: correct them, or pass spa_col=None, "
                             f"restaurant_col=None.")
        share = sums[part] / sums["amount"]
        over = share.index[share > 1 + 1e-9]
        if len(over):
            raise InputError(f"column {named[part]!r} adds up to more than {amount_col!r} for {len(over)} guest(s) "
                             f"({preview(over)}); amount must be the total spend. Fix: pass the total as amount_col.")
        features[f"{part}_share"] = share
    features.index.name = customer_id_col
    return features.astype(float)
