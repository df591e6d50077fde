"""A rewards app's offers (the Starbucks Rewards case study): each offer's effect by segment from a randomized send,
"completed" against "caused", a personalized offer policy valued on held-out members, and spend by month in the
program (not randomized: it shows who is still there, not what the program did to them)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..metrics.comparisons import proportion_difference
from ..metrics.rates import z_value
from ..results import MetricResult
from ..validation import (DAYS, Confidence, InputError, Integer, Real, as_datetime, as_timestamp, label,
                          require_columns, require_frame, require_nonnegative, require_numeric, validate, warn_data)

__all__ = ["offer_outcomes", "offer_effects", "completion_vs_effect", "offer_policy_value", "spend_by_tenure",
           "adjust_effects", "adjusted_offer_effects", "learn_offer_policy", "runner_up_gaps", "split_optimism",
           "offer_policy_view", "offer_policy_explorer"]


def _dates(frame, column, name):
    require_columns(frame, [column], name)
    dates, _ = as_datetime(frame[column], column)
    if dates.isna().any():
        raise InputError(f"{name} column {column!r} has {int(dates.isna().sum())} missing date(s). Fix: fill or drop them.")
    return dates


def _window(assignments, events, days, member_id_col, datetime_col, start=0.0):  # [send + start, send + days)
    tx = events[(events["event"] == "transaction").to_numpy() & events[member_id_col].isin(assignments.index).to_numpy()]
    send = assignments["date"].reindex(tx[member_id_col].to_numpy()).to_numpy()
    when, second = tx[datetime_col].to_numpy(), np.timedelta64(1, "s")
    inside = (when >= send + int(round(start * 86400)) * second) & (when < send + int(round(days * 86400)) * second)
    out = tx.loc[inside].groupby(member_id_col)["amount"].agg(["sum", "size"])
    return out.reindex(assignments.index, fill_value=0).astype(float).set_axis(["spend", "visits"], axis=1)


def _checked(assignments, events, portfolio, member_id_col, datetime_col):
    require_columns(require_frame(assignments, "assignments"), ["arm"], "assignments")
    if (twice := assignments.index[assignments.index.duplicated()]).size:
        raise InputError(f"assignments has {twice.size} duplicate member id(s), e.g. {label(list(twice.unique()[:3]))}: "
                         f"a member is randomized once per send. Fix: keep one row per member (find them with "
                         f"assignments[assignments.index.duplicated(keep=False)]) or analyse each send on its own.")
    send = _dates(assignments, "date", "assignments")
    require_columns(require_frame(events, "events"), [member_id_col, datetime_col, "event", "offer_id", "amount",
                                                      "reward"], "events")
    amount = require_numeric(events.loc[events["event"] == "transaction", "amount"], "amount")
    require_nonnegative(amount, "amount", "a refund is not a visit: remove it")
    if amount.isna().any():
        raise InputError(f"{int(amount.isna().sum())} transaction(s) have no amount. Fix: fill or drop them, and say so.")
    require_columns(require_frame(portfolio, "portfolio"), ["difficulty", "reward", "duration_days"], "portfolio")
    unknown = sorted(set(assignments["arm"]) - set(portfolio.index) - {"none"})
    if unknown:
        raise InputError(f"assignments column 'arm' names {unknown}, which the portfolio does not hold. Fix: pass the "
                         f"portfolio of this send (arms are offer ids, or 'none').")
    a = pd.DataFrame({"date": send.to_numpy(), "arm": assignments["arm"].to_numpy()}, index=assignments.index)
    e = events.assign(**{datetime_col: _dates(events, datetime_col, "events")})
    return a, e


@validate(window_days=Integer(low=1), gross_margin=Real(low=0, high=1), pre_days=Integer(low=1))
def offer_outcomes(assignments: pd.DataFrame, events: pd.DataFrame, portfolio: pd.DataFrame, *,
                   window_days: int = 14, gross_margin: float = 0.6, pre_days: int = 60, member_id_col: str = "member_id",
                   datetime_col: str = "date") -> pd.DataFrame:
    """Each member of a randomized send: arm, spend and visits after it, reward paid, net value, spend before.

    Over [send, send + ``window_days``): spend = sum of transaction amounts, visits = transactions,
    net value = gross_margin x spend - reward. Viewed, completed and reward count only the member's
    own offer's events in [send, send + min(window_days, duration)): a reward paid after the window
    is not set against the window's spend (a DataWarning says so when an offer outlasts the window).
    pre_spend = spend over [send - ``pre_days``, send), a covariate fixed before the send.

    Parameters
    ----------
    assignments : DataFrame indexed by member: ``date`` (the send) and ``arm`` (an offer id or "none")
    events : DataFrame: ``member_id``, ``date``, ``event``, ``offer_id``, ``amount``, ``reward``
    portfolio : DataFrame indexed by offer id: ``difficulty``, ``reward``, ``duration_days``
    window_days, gross_margin, pre_days : int, default 14; float, default 0.6; int, default 60
    member_id_col, datetime_col : str

    Returns
    -------
    DataFrame indexed like ``assignments``: ``arm``, ``spend``, ``visits``, ``viewed``, ``completed``,
    ``reward``, ``net_value``, ``pre_spend``.

    Raises
    ------
    InputError
        For missing columns or dates, duplicate members, or an arm the portfolio does not hold.

    Examples
    --------
    >>> a = pd.DataFrame({"date": ["2025-07-01"] * 2, "arm": ["bogo_5", "none"]}, index=["m1", "m2"])
    >>> p = pd.DataFrame({"difficulty": [5.0], "reward": [5.0], "duration_days": [7]}, index=["bogo_5"])
    >>> e = pd.DataFrame({"member_id": ["m1", "m1", "m2"], "date": pd.to_datetime(["2025-07-02"] * 3),
    ...                   "event": ["transaction", "offer completed", "transaction"], "offer_id": [None, "bogo_5", None],
    ...                   "amount": [12.0, None, 8.0], "reward": [None, 5.0, None]})
    >>> offer_outcomes(a, e, p)["net_value"].round(2).tolist()      # 0.6 x 12 - 5, 0.6 x 8
    [2.2, 4.8]
    """
    a, e = _checked(assignments, events, portfolio, member_id_col, datetime_col)
    out = pd.DataFrame({"arm": a["arm"]}).join(_window(a, e, window_days, member_id_col, datetime_col).astype(
        {"visits": int}))
    longer = portfolio.loc[portfolio.index.isin(a["arm"]) & (portfolio["duration_days"] > window_days)]
    if len(longer):
        warn_data(f"window_days={window_days} is shorter than the validity of {label(list(longer.index))} (up to "
                  f"{longer['duration_days'].max():g} days): their completions and rewards after day {window_days} "
                  f"are left out, with the spend they came from. Fix: a window at least as long as the longest offer.")
    days = np.minimum(portfolio["duration_days"].astype(float), window_days).reindex(a["arm"]).fillna(0).to_numpy()
    stop = a["date"] + pd.to_timedelta(np.round(days * 86400), unit="s")
    who, when = e[member_id_col].to_numpy(), e[datetime_col].to_numpy()   # each member's own offer, inside its window
    mine = e[(e["offer_id"].to_numpy() == a["arm"].reindex(who).to_numpy()) & (when >= a["date"].reindex(who).to_numpy())
             & (when < stop.reindex(who).to_numpy())]
    done = mine[mine["event"] == "offer completed"]
    out["viewed"] = out.index.isin(mine.loc[mine["event"] == "offer viewed", member_id_col])
    out["completed"] = out.index.isin(done[member_id_col])
    out["reward"] = done.groupby(member_id_col)["reward"].sum().reindex(out.index, fill_value=0.0).astype(float)
    out["net_value"] = gross_margin * out["spend"] - out["reward"]
    out["pre_spend"] = _window(a, e, 0, member_id_col, datetime_col, start=-pre_days)["spend"]
    return out


def _cells(outcomes, by, outcome):
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    require_columns(require_frame(outcomes, "outcomes"), ["arm", outcome, *keys], "outcomes", "pass the table offer_outcomes returns")
    y = require_numeric(outcomes[outcome], outcome)
    if y.isna().any():
        raise InputError(f"column {outcome!r} has {int(y.isna().sum())} missing value(s). Fix: fill or drop them.")
    frame = outcomes[keys + ["arm"]].assign(_y=y)
    return keys, frame.groupby(keys + ["arm"], observed=True)["_y"].agg(["size", "mean", "var"])


@validate(confidence=Confidence())
def offer_effects(outcomes: pd.DataFrame, *, by=None, outcome: str = "net_value", control: str = "none",
                  confidence: float = 0.95) -> pd.DataFrame:
    """Each offer's effect on an outcome: its members' mean minus the control's, by segment, with Welch's interval.

    effect = mean_o - mean_c; se = sqrt(s_o^2 / n_o + s_c^2 / n_c), t with Welch-Satterthwaite degrees
    of freedom. A randomized send makes it the offer's effect.

    Parameters
    ----------
    outcomes : DataFrame from :func:`offer_outcomes` (segment column(s) added)
    by : str or list of str, optional
    outcome, control : str, default "net_value", "none"
    confidence : float, default 0.95

    Returns
    -------
    DataFrame indexed by (segment..., offer): ``n_offer``, ``n_control``, ``mean_offer``, ``mean_control``,
    ``effect``, ``se``, ``df``, ``ci_low``, ``ci_high``, ``p_value``.

    Raises
    ------
    InputError
        For missing columns or outcomes, a segment without control members, or a cell of fewer than two.

    Examples
    --------
    >>> o = pd.DataFrame({"arm": ["a", "a", "none", "none"], "net_value": [5.0, 7.0, 1.0, 3.0]})
    >>> offer_effects(o)["effect"].tolist()
    [4.0]
    """
    from scipy.stats import t as student
    keys, cells = _cells(outcomes.assign(_all=0) if by is None else outcomes, "_all" if by is None else by, outcome)
    if (cells["size"] < 2).any():
        raise InputError(f"cell {label(cells.index[(cells['size'] < 2).to_numpy()][0])} has fewer than two members: "
                         f"no variance to compare. Fix: coarser segments.")
    arms = cells.index.get_level_values("arm")
    ctrl, offers = cells[arms == control].droplevel("arm"), cells[arms != control]
    k = ctrl.reindex(offers.index.droplevel("arm"))
    if k["size"].isna().any():
        raise InputError(f"segment {label(offers.index[k['size'].isna().to_numpy()][0][:-1])} has no member in the "
                         f"control arm {control!r}. Fix: merge it with another segment.")
    n_o, n_c = offers["size"].to_numpy(float), k["size"].to_numpy(float)
    vo, vc = offers["var"].to_numpy() / n_o, k["var"].to_numpy() / n_c
    se, d = np.sqrt(vo + vc), offers["mean"].to_numpy() - k["mean"].to_numpy()
    df = se ** 4 / (vo ** 2 / (n_o - 1) + vc ** 2 / (n_c - 1))          # Welch-Satterthwaite; NaN without variance
    q = student.ppf((1 + confidence) / 2, df)
    table = pd.DataFrame({"n_offer": n_o.astype(int), "n_control": n_c.astype(int), "mean_offer": offers["mean"].to_numpy(),
                          "mean_control": k["mean"].to_numpy(), "effect": d, "se": se, "df": df, "ci_low": d - q * se, "ci_high": d + q * se,
                          "p_value": 2 * student.sf(np.abs(d) / se, df)}, index=offers.index.rename("offer", level="arm"))
    table = table.droplevel("_all") if by is None else table
    table.attrs.update(confidence=confidence, outcome=outcome)
    return table


@validate(confidence=Confidence())
def completion_vs_effect(assignments: pd.DataFrame, events: pd.DataFrame, portfolio: pd.DataFrame, *,
                         control: str = "none", confidence: float = 0.95, member_id_col: str = "member_id",
                         datetime_col: str = "date") -> pd.DataFrame:
    """Completions against completions caused: how many completers would have spent enough anyway.

    Per offer (difficulty d, duration D): completed = share of its members who completed; anyway =
    share of control members whose spend in [send, send + D) reached d; caused = completed - anyway
    (Newcombe's interval); caused share = caused / completed.

    Parameters
    ----------
    assignments, events, portfolio, member_id_col, datetime_col : as :func:`offer_outcomes`
    control : str, default "none"
    confidence : float, default 0.95

    Returns
    -------
    DataFrame indexed by offer: ``n_offer``, ``completed``, ``completed_unviewed`` (completed without
    viewing), ``anyway``, ``caused``, ``ci_low``, ``ci_high``, ``caused_share``.

    Raises
    ------
    InputError
        As :func:`offer_outcomes`, and for a send without control members.

    Examples
    --------
    >>> a = pd.DataFrame({"date": ["2025-07-01"] * 4, "arm": ["o", "o", "none", "none"]}, index=list("abcd"))
    >>> p = pd.DataFrame({"difficulty": [5.0], "reward": [2.0], "duration_days": [7]}, index=["o"])
    >>> e = pd.DataFrame({"member_id": ["a", "a", "c"], "date": pd.to_datetime(["2025-07-02"] * 3),
    ...                   "event": ["transaction", "offer completed", "transaction"], "offer_id": [None, "o", None],
    ...                   "amount": [6.0, None, 9.0], "reward": [None, 2.0, None]})
    >>> completion_vs_effect(a, e, p)[["completed", "anyway", "caused"]].iloc[0].tolist()
    [0.5, 0.5, 0.0]
    """
    a, e = _checked(assignments, events, portfolio, member_id_col, datetime_col)
    if (ctrl := a[a["arm"] == control]).empty:
        raise InputError(f"no member of the send is in the control arm {control!r}. Fix: pass the control arm's name.")
    longest = int(np.ceil(portfolio.loc[portfolio.index.isin(a["arm"]), "duration_days"].max()))
    done = offer_outcomes(a, e, portfolio, window_days=max(longest, 1), member_id_col=member_id_col,
                          datetime_col=datetime_col)
    rows = {}
    for offer, spec in portfolio[portfolio["difficulty"] > 0].iterrows():
        mine = done[done["arm"] == offer]
        if mine.empty:
            continue
        spend = _window(ctrl, e, float(spec["duration_days"]), member_id_col, datetime_col)["spend"]
        k_o, k_c = int(mine["completed"].sum()), int((spend >= spec["difficulty"]).sum())
        d = proportion_difference(k_o, len(mine), k_c, len(ctrl), confidence=confidence)
        rows[offer] = dict(n_offer=len(mine), completed=k_o / len(mine), completed_unviewed=float(
            (mine["completed"] & ~mine["viewed"]).mean()), anyway=k_c / len(ctrl), caused=d.value, ci_low=d.ci[0],
                           ci_high=d.ci[1], caused_share=d.value / (k_o / len(mine)) if k_o else np.nan)
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("offer")
    table.attrs["confidence"] = confidence
    return table


def _policy_cells(outcomes, policy, by, outcome):
    keys, cells = _cells(outcomes, by, outcome)
    segments = cells.index.get_level_values(0).unique()
    policy = pd.Series({s: policy for s in segments} if isinstance(policy, str) else policy).reindex(segments)
    missing = [(s, a) for s, a in policy.items() if (s, a) not in cells.index or cells.loc[(s, a), "size"] < 2]
    if missing:
        raise InputError(f"fewer than two members of segment {label(missing[0][0])} got arm {label(missing[0][1])}: the "
                         f"policy cannot be valued. Fix: give every segment of {by!r} an arm sent in it.")
    weight = outcomes[by].value_counts(normalize=True).reindex(segments)
    picked = cells.loc[list(policy.items())]
    return weight.to_numpy(), picked["mean"].to_numpy(), picked["var"].to_numpy() / picked["size"].to_numpy(), policy


@validate(confidence=Confidence())
def offer_policy_value(outcomes: pd.DataFrame, policy, *, by: str, against="none", outcome: str = "net_value",
                       confidence: float = 0.95) -> MetricResult:
    """The outcome per member of sending each segment its policy's arm, minus that of another policy (or none).

    With w_s the segments' shares and m_{s,a} the mean outcome of segment s's members sent arm a,
    V(pi) = sum_s w_s m_{s,pi(s)}; value = V(policy) - V(against). Arms hold different members, so
    se^2 = sum_s w_s^2 (v_{s,pi(s)} / n + v_{s,pi'(s)} / n') where the policies differ (w_s fixed);
    normal interval. Value a policy on members it was not learned from.

    Parameters
    ----------
    outcomes : DataFrame from :func:`offer_outcomes` with the segment column ``by``
    policy, against : str (one arm for everyone) or dict / Series from segment to arm; against default "none"
    by, outcome : str, outcome default "net_value"
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"offer_policy_value"``, currency per member) with parts ``value_policy``,
    ``value_against`` (V of each) and ``members``.

    Raises
    ------
    InputError
        For a segment without an arm, or an arm sent to fewer than two of its members.

    Examples
    --------
    >>> o = pd.DataFrame({"s": ["x"] * 4 + ["y"] * 4, "arm": ["a", "a", "none", "none"] * 2,
    ...                   "net_value": [4.0, 6, 1, 3, 0, 2, 2, 4]})
    >>> r = offer_policy_value(o, {"x": "a", "y": "none"}, by="s")       # 0.5 (5 - 2) + 0.5 (3 - 3)
    >>> round(r.value, 2), round(r.se, 3)                                 # 0.5 sqrt(2 / 2 + 2 / 2)
    (1.5, 0.707)
    """
    w_, m1, v1, pol = _policy_cells(outcomes, policy, by, outcome)
    _, m0, v0, base = _policy_cells(outcomes, against, by, outcome)
    value, differ = float(w_ @ m1 - w_ @ m0), (pol != base).to_numpy()
    se = float(np.sqrt(np.sum((w_ ** 2 * (v1 + v0))[differ])))
    z = z_value(confidence)                  # w_s held fixed: the segments' shares are known, not sampled
    return MetricResult(kind="offer_policy_value", name="Value per member of the policy, against the other",
                        value=value, unit="currency", se=se, ci=(value - z * se, value + z * se), confidence=confidence,
                        formula="sum_s w_s (mean[y | s, pi(s)] - mean[y | s, pi'(s)])",
                        parts=dict(value_policy=float(w_ @ m1), value_against=float(w_ @ m0), members=len(outcomes)))


@validate(months=Integer(low=1))
def spend_by_tenure(events: pd.DataFrame, profiles: pd.DataFrame, *, observation_period_end, months: int = 12,
                    member_id_col: str = "member_id", datetime_col: str = "date",
                    since_col: str = "member_since") -> pd.DataFrame:
    """Visits and spend by month in the program, per member who joined and per member still visiting.

    Month k is [member_since + k M, member_since + (k + 1) M), M = 30.4375 days, counted for members
    whose month k ended before ``observation_period_end``; active = a visit in month k. Spend per
    active member can rise with k though nobody spends more (survivorship): follow a fixed group.

    Parameters
    ----------
    events : DataFrame, the event log (``event == "transaction"`` rows, ``amount``)
    profiles : DataFrame indexed by member with ``since_col`` (pass a subset to follow a fixed group)
    observation_period_end : date, exclusive
    months : int, default 12
    member_id_col, datetime_col, since_col : str

    Returns
    -------
    DataFrame indexed by ``month`` (0 = the first): ``members``, ``active``, ``active_share``,
    ``visits_per_member``, ``spend_per_member``, ``spend_per_active``.

    Raises
    ------
    InputError
        For missing columns or dates.

    Examples
    --------
    >>> p = pd.DataFrame({"member_since": ["2025-01-01", "2025-01-01"]}, index=["a", "b"])
    >>> e = pd.DataFrame({"member_id": ["a", "b", "a"], "date": ["2025-01-05", "2025-01-09", "2025-02-10"],
    ...                   "event": "transaction", "amount": [4.0, 6.0, 5.0]})
    >>> spend_by_tenure(e, p, observation_period_end="2025-06-01", months=2)["spend_per_active"].tolist()
    [5.0, 5.0]
    """
    since, end = _dates(require_frame(profiles, "profiles"), since_col, "profiles"), as_timestamp(
        observation_period_end, "observation_period_end")
    require_columns(require_frame(events, "events"), [member_id_col, datetime_col, "event", "amount"], "events")
    tx = events[(events["event"] == "transaction") & events[member_id_col].isin(since.index)]
    when = _dates(tx, datetime_col, "events")
    k = np.floor((when - since.reindex(tx[member_id_col]).to_numpy()).dt.total_seconds() / 86400 / DAYS["month"])
    tx = pd.DataFrame({"m": tx[member_id_col].to_numpy(), "k": k.to_numpy(), "amount": tx["amount"].to_numpy()})
    tx = tx[(tx["k"] >= 0) & (tx["k"] < months)]
    ended = np.floor((end - since).dt.total_seconds() / 86400 / DAYS["month"])        # whole months observed
    tx = tx[tx["k"] < ended.reindex(tx["m"]).to_numpy()]
    by = tx.groupby("k").agg(active=("m", "nunique"), visits=("m", "size"), spend=("amount", "sum"))
    out = by.reindex(range(months), fill_value=0).rename_axis("month")
    out.insert(0, "members", [(ended >= k + 1).sum() for k in range(months)])
    n = out["members"].where(out["members"] > 0)
    return out.assign(active_share=out["active"] / n, visits_per_member=out["visits"] / n,
                      spend_per_member=out["spend"] / n, spend_per_active=out["spend"] / out["active"].where(
                          out["active"] > 0)).drop(columns=["visits", "spend"])


from .rewards_effects import adjust_effects, adjusted_offer_effects  # noqa: E402  (re-exported)
from .rewards_policy import (learn_offer_policy, offer_policy_explorer, offer_policy_view, runner_up_gaps,  # noqa: E402
                             split_optimism)
