"""Features as of a cut-off date, from weekly activity, and the churn label that follows it.

Everything a model may use is computed from the weeks **before** the cut-off (``week < cutoff``, the
kit's exclusive ``observation_period_end``); the label looks only at the weeks from the cut-off on.
A row of activity covers a Monday-to-Sunday week, so cut-offs are Mondays: a Wednesday cut-off
would let the week that straddles it leak Thursday to Sunday into the features.
"""
from __future__ import annotations

import pandas as pd

from ..datasets.streaming import PLAN_ORDER
from ..validation import (InputError, Integer, as_datetime, as_flag, as_timestamp, label, require_columns,
                          require_complete, require_frame, require_ids, require_nonnegative, require_numeric,
                          require_subscriptions, validate)

__all__ = ["features_as_of", "churn_labels", "LABEL", "PLAN_ORDER"]

LABEL = "churned"
_WEEK = pd.Timedelta(days=7)


def _require_monday(ts: pd.Timestamp, argument: str) -> pd.Timestamp:
    if ts.dayofweek != 0 or ts != ts.normalize():
        monday = ts.normalize() - pd.Timedelta(days=ts.dayofweek)
        shown = str(ts.date()) if ts == ts.normalize() else str(ts)
        raise InputError(f"{argument}={shown!r} is not a Monday at midnight; weekly rows run Monday to Sunday, so "
                         f"a cut-off inside a week would let the rest of that week leak into the features. Fix: pass "
                         f"the Monday on or before it, {str(monday.date())!r}, or the one after.")
    return ts


def _window(window_weeks) -> tuple[int, int]:
    ok = isinstance(window_weeks, (tuple, list)) and len(window_weeks) == 2
    if ok:
        try:
            recent, longer = (Integer(low=1)("window_weeks", w) for w in window_weeks)
            ok = recent < longer
        except InputError:
            ok = False
    if not ok:
        raise InputError(f"window_weeks={label(window_weeks)} must be two whole numbers of weeks, the recent window "
                         f"and a longer one, such as (4, 12).")
    return recent, longer


def _activity(activity, cols: dict, cutoff=None):
    """Checked rows of activity (before ``cutoff`` when given): id, week, the signals and the plan's level."""
    require_frame(activity, "activity")
    require_columns(activity, [v for k, v in cols.items() if k != "plan_order"], "activity")
    weeks, zone = as_datetime(activity[cols["week"]], cols["week"])
    require_complete(weeks, cols["week"], "every row needs its week (the Monday it starts).")
    bad = (weeks.dt.dayofweek != 0) | (weeks != weeks.dt.normalize())
    if bad.any():
        raise InputError(f"column {cols['week']!r} must hold the Monday each week starts; {int(bad.sum())} row(s) do "
                         f"not (first: {weeks[bad].iloc[0]} at row {label(weeks.index[bad][0])}). Fix: "
                         f"df[{cols['week']!r}] = df[{cols['week']!r}].dt.to_period('W-SUN').dt.start_time.")
    if cutoff is not None:
        cutoff = _require_monday(as_timestamp(cutoff, "cutoff", zone), "cutoff")
        keep = (weeks < cutoff).to_numpy()
        if not keep.any():
            raise InputError(f"activity has no week before cutoff={str(cutoff.date())!r} (the first is "
                             f"{weeks.min().date()}); pass a later cut-off.")
        activity, weeks = activity[keep], weeks[keep]
    ids = activity[cols["customer"]]
    require_ids(ids, cols["customer"])
    frame = pd.DataFrame({"id": ids.to_numpy(), "week": weeks.to_numpy()}, index=activity.index)
    for key in ("hours", "sessions", "support"):
        values = require_numeric(activity[cols[key]], cols[key])
        require_complete(values, cols[key], f"fill them (0 for a week without {key}) or remove those rows explicitly.")
        require_nonnegative(values, cols[key], "these are counts and hours")
        frame[key] = values.to_numpy()
    frame["failed"] = as_flag(activity[cols["failed"]], cols["failed"]).to_numpy(dtype=float)
    plans = activity[cols["plan"]]
    unknown = ~plans.isin(cols["plan_order"])
    if unknown.any():
        raise InputError(f"column {cols['plan']!r} has plans not in plan_order={cols['plan_order']!r}: "
                         f"{sorted(map(str, pd.unique(plans[unknown])))[:5]} (first at row "
                         f"{label(plans.index[unknown][0])}). Fix: pass plan_order with every plan, lowest first.")
    frame["level"] = pd.Categorical(plans, categories=list(cols["plan_order"])).codes
    frame = frame.sort_values(["id", "week"], kind="stable")
    repeated = frame.duplicated(["id", "week"]).to_numpy()
    if repeated.any():
        row = frame[repeated].iloc[0]
        raise InputError(f"activity has {int(repeated.sum())} repeated (customer, week) row(s) (first: "
                         f"{label(row['id'])} in the week of {row['week'].date()}). Fix: one row per subscriber and "
                         f"week; sum or drop the repeats explicitly.")
    g = frame.groupby("id", sort=False)["week"]
    span = (g.transform("max") - g.transform("min")) // _WEEK + 1
    gaps = (span != g.transform("size")).to_numpy()
    if gaps.any():
        raise InputError(f"activity has weeks without a row between a subscriber's first and last week (first: "
                         f"{label(frame['id'][gaps].iloc[0])}); a missing week would read as a cancellation. Fix: add "
                         f"a row with 0 hours for every week subscribed.")
    return frame, cutoff


def _signal_frame(activity, signals, customer_id_col, week_col, plan_col, plan_order):
    """Rows of activity (id, week, one float column per signal), sorted; ``"downgraded"`` derived from the plan
    when it is not a column."""
    require_frame(activity, "activity")
    derived = "downgraded" in signals and "downgraded" not in activity.columns
    require_columns(activity, [customer_id_col, week_col] + [s for s in signals if not (derived and s == "downgraded")]
                    + ([plan_col] if derived else []), "activity")
    weeks = as_datetime(activity[week_col], week_col)[0]
    require_complete(weeks, week_col, "every row needs its week.")
    frame = pd.DataFrame({"id": activity[customer_id_col].to_numpy(), "week": weeks.to_numpy()})
    for s in signals:
        if derived and s == "downgraded":
            continue
        column = activity[s]
        values = as_flag(column, s) if pd.api.types.is_bool_dtype(column) else require_numeric(column, s)
        require_complete(values, s, "fill them (0 for nothing that week) or remove those rows explicitly.")
        frame[s] = values.to_numpy(dtype=float)
    if frame.duplicated(["id", "week"]).any():
        raise InputError("activity has repeated (customer, week) rows; keep one row per subscriber and week.")
    frame = frame.sort_values(["id", "week"], kind="stable")
    if derived:
        plans = activity[plan_col]
        level = pd.Series(pd.Categorical(plans, categories=list(plan_order)).codes, index=activity.index)
        if (level < 0).any():
            raise InputError(f"column {plan_col!r} has plans not in plan_order={tuple(plan_order)!r}: "
                             f"{sorted(map(str, pd.unique(plans[level < 0])))[:5]}. Fix: pass plan_order, lowest first.")
        frame["level"] = level.to_numpy()[frame.index.to_numpy()]
        frame["downgraded"] = (frame.groupby("id", sort=False)["level"].diff() < 0).astype(float)
    return frame.reset_index(drop=True)


def _columns(customer_id_col, week_col, hours_col, sessions_col, failed_payment_col, support_col, plan_col,
             plan_order):
    if not isinstance(plan_order, (tuple, list)) or len(set(plan_order)) != len(plan_order) or len(plan_order) < 1:
        raise InputError(f"plan_order={label(plan_order)} must list each plan once, lowest first, such as "
                         f"('basic', 'standard', 'premium').")
    return dict(customer=customer_id_col, week=week_col, hours=hours_col, sessions=sessions_col,
                failed=failed_payment_col, support=support_col, plan=plan_col, plan_order=tuple(plan_order))


def features_as_of(activity: pd.DataFrame, cutoff, *, window_weeks=(4, 12), customer_id_col: str = "customer_id",
                   week_col: str = "week", hours_col: str = "hours_viewed", sessions_col: str = "sessions",
                   failed_payment_col: str = "failed_payment", support_col: str = "support_contacts",
                   plan_col: str = "plan", plan_order=PLAN_ORDER) -> pd.DataFrame:
    """One row of features per subscriber active at ``cutoff``, from the weeks before it only.

    ``activity`` has one row per subscriber and week subscribed (0 hours in a week without
    viewing), ``week`` being the Monday the week starts. A subscriber is active at the cut-off
    when they have a row in the week just before it (joined before it, not cancelled before it).
    Only rows with week < cutoff are read: changing or deleting any later row changes nothing.
    With r, L = ``window_weeks`` (default 4 and 12) and weeks counted back from the cut-off:

    * ``tenure_weeks`` = (cutoff - first week) / 7 days;
    * ``hours_recent``, ``sessions_recent`` = mean per week over the last r weeks subscribed;
    * ``hours_trend`` = hours_recent - mean weekly hours in the L - r weeks before those
      (0 when the subscriber had not yet joined then: no earlier level to compare with);
    * ``failed_payments`` = weeks with a failed payment, ``support_contacts`` = contacts, in the
      last r weeks;
    * ``downgraded`` = 1 if the plan moved down ``plan_order`` in the last L weeks, else 0;
    * ``plan_<name>`` = 1 for the plan of the last week, one column for each plan of
      ``plan_order`` but the first (the reference): one-hot, not ordinal, so that a model may
      give each plan its own effect.

    Parameters
    ----------
    activity : DataFrame of weekly rows
    cutoff : date, a Monday; the first instant not observed
    window_weeks : (int, int), default (4, 12)
    customer_id_col, week_col, hours_col, sessions_col, failed_payment_col, support_col, plan_col : str
        Column names (``failed_payment_col`` holds True/False or 0/1).
    plan_order : sequence of plan names, lowest first, default ("basic", "standard", "premium")

    Returns
    -------
    DataFrame indexed by customer id (sorted), the columns above; ``attrs`` hold ``cutoff`` and
    ``window_weeks``.

    Raises
    ------
    InputError
        For a cut-off that is not a Monday, a missing column, weeks that are not Mondays, missing
        or negative values, repeated or missing weeks of a subscriber, plans outside
        ``plan_order``, or no subscriber active at the cut-off.

    Examples
    --------
    >>> weeks = pd.date_range("2025-01-06", periods=6, freq="7D")
    >>> activity = pd.DataFrame({"customer_id": "a", "week": weeks, "plan": ["standard"] * 4 + ["basic"] * 2,
    ...     "hours_viewed": [10.0, 10, 8, 8, 4, 2], "sessions": [5, 5, 4, 4, 2, 1],
    ...     "failed_payment": [False] * 5 + [True], "support_contacts": [0, 0, 0, 0, 1, 1]})
    >>> x = features_as_of(activity, "2025-02-17", window_weeks=(2, 4))
    >>> x.loc["a", ["tenure_weeks", "hours_recent", "hours_trend", "failed_payments", "downgraded"]].tolist()
    [6.0, 3.0, -5.0, 1.0, 1.0]
    """
    recent, longer = _window(window_weeks)
    cols = _columns(customer_id_col, week_col, hours_col, sessions_col, failed_payment_col, support_col, plan_col,
                    plan_order)
    frame, cutoff = _activity(activity, cols, cutoff)
    back = ((cutoff - frame["week"]) // _WEEK).to_numpy()             # 1 = the week just before the cut-off
    frame["back"] = back
    frame["down"] = (frame.groupby("id", sort=False)["level"].diff() < 0).astype(float)
    active = pd.unique(frame.loc[back == 1, "id"])
    if not len(active):
        raise InputError(f"no subscriber has a row in the week before cutoff={str(cutoff.date())!r} (the last week in "
                         f"activity is {frame['week'].max().date()}); pass a cut-off within the data.")
    frame = frame[frame["id"].isin(active)]
    by = frame.groupby("id")
    out = pd.DataFrame(index=pd.Index(sorted(active), name=customer_id_col))
    out["tenure_weeks"] = by["back"].max().astype(float)
    last = frame[frame["back"] <= recent].groupby("id")
    hours_recent = last["hours"].mean()
    before = frame[(frame["back"] > recent) & (frame["back"] <= longer)].groupby("id")["hours"].mean()
    out["hours_recent"] = hours_recent
    out["hours_trend"] = (hours_recent - before.reindex(out.index)).fillna(0.0)
    out["sessions_recent"] = last["sessions"].mean()
    out["failed_payments"] = last["failed"].sum()
    out["support_contacts"] = last["support"].sum()
    out["downgraded"] = (frame[frame["back"] <= longer].groupby("id")["down"].max() > 0).astype(float)
    level = frame[frame["back"] == 1].set_index("id")["level"].reindex(out.index)
    for i, plan in enumerate(cols["plan_order"][1:], start=1):
        out[f"plan_{plan}"] = (level == i).astype(float).to_numpy()
    out.attrs.update(cutoff=cutoff, window_weeks=(recent, longer))
    return out


@validate(horizon_weeks=Integer(low=1))
def churn_labels(data: pd.DataFrame, cutoff, *, horizon_weeks: int = 8, observation_period_end=None,
                 customer_id_col: str = "customer_id", start_col: str = "start_date", end_col: str = "end_date",
                 week_col: str = "week") -> pd.Series:
    """Did each subscriber active at ``cutoff`` cancel in [cutoff, cutoff + horizon_weeks weeks)?

    From a subscriptions table (``start_col``, ``end_col``; an empty end while active) or, when
    ``data`` has no ``end_col``, from weekly activity (one row per week subscribed: the end is the
    Monday after the last row, unless that is the end of the data). Active at the cut-off: started
    before it and not ended before it (an end exactly at the cut-off is a cancellation in the
    horizon). churned = cutoff <= end < cutoff + horizon.

    Parameters
    ----------
    data : DataFrame, subscriptions or weekly activity
    cutoff : date
    horizon_weeks : int, default 8
    observation_period_end : date, optional
        The first instant not observed. Default: the Monday after the last week of activity, or
        midnight after the last start or end date of subscriptions.
    customer_id_col, start_col, end_col, week_col : str

    Returns
    -------
    Series of bool named ``"churned"``, indexed by customer id (sorted).

    Raises
    ------
    InputError
        For a horizon that runs past ``observation_period_end`` (a cancellation there could not be
        seen, so it would count as staying), no subscriber active at the cut-off, or bad tables.

    Examples
    --------
    >>> subs = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
    ...     "start_date": pd.to_datetime(["2025-01-06", "2025-01-06", "2025-03-03", "2025-01-06"]),
    ...     "end_date": pd.to_datetime(["2025-03-03", "2025-05-05", None, "2025-02-24"])})
    >>> churn_labels(subs, "2025-03-03", horizon_weeks=8, observation_period_end="2025-06-02").to_dict()
    {'a': True, 'b': False}
    """
    require_frame(data, "data")
    if end_col in data.columns:
        table = require_subscriptions(data, customer_id_col=customer_id_col, start_col=start_col, end_col=end_col)
        ids, starts, ends, zone = data[customer_id_col].to_numpy(), table.starts, table.ends, table.zone
        default_end = pd.concat([starts, ends]).max().normalize() + pd.Timedelta(days=1)
    else:
        require_columns(data, [customer_id_col, week_col], "data",
                        f"pass subscriptions with {end_col!r} or activity with {week_col!r}")
        require_ids(data[customer_id_col], customer_id_col)
        weeks, zone = as_datetime(data[week_col], week_col)
        require_complete(weeks, week_col, "every row needs its week.")
        g = weeks.groupby(data[customer_id_col].to_numpy())
        ids, starts, last = g.min().index.to_numpy(), g.min(), g.max() + _WEEK
        default_end = last.max()
        ends = last.where(last < default_end)
    end_obs = default_end if observation_period_end is None else as_timestamp(observation_period_end,
                                                                                "observation_period_end", zone)
    cutoff = as_timestamp(cutoff, "cutoff", zone)
    horizon_end = cutoff + horizon_weeks * _WEEK
    if horizon_end > end_obs:
        raise InputError(f"cutoff={str(cutoff.date())!r} plus horizon_weeks={horizon_weeks} ends on {horizon_end.date()}, "
                         f"after the data end ({end_obs.date()}): cancellations there cannot be seen and would count "
                         f"as staying. Fix: an earlier cut-off, a shorter horizon, or observation_period_end if the "
                         f"data run longer.")
    starts, ends = pd.Series(starts.to_numpy(), index=ids), pd.Series(ends.to_numpy(), index=ids)
    at_risk = (starts < cutoff) & ~(ends < cutoff)
    if not at_risk.any():
        raise InputError(f"no subscriber was active at cutoff={str(cutoff.date())!r} (started before it and not "
                         f"ended before it); pass a cut-off within the data.")
    churned = (ends[at_risk] < horizon_end).astype(bool).sort_index()   # NaT (active) compares False
    churned.name, churned.index.name = LABEL, customer_id_col
    churned.attrs.update(cutoff=cutoff, horizon_weeks=horizon_weeks)
    return churned
