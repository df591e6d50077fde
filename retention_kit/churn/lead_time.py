"""How much warning an early-warning model gives: subscribers scored week by week, and the weeks from each
churner's first flag to the cancellation, beside the false alarms the same threshold raises.

A churn model is used as a weekly list: at each cut-off every subscriber still subscribed is scored
(:func:`score_cutoffs`, features from the weeks before the cut-off only), and those scored at or above a
threshold are *flagged*. For a churner subscribed throughout the weeks before the cancellation, the *lead time* is the time from
the first flag in those weeks to the cancellation itself (:func:`flag_lead_times`); a flag is
*true* when the subscriber cancels within the model's horizon after it, a *false alarm* otherwise,
counted per flag-week and per subscriber at the first flag (:func:`lead_time_summary` puts them together). Taught in the lesson on a data-driven customer-success team.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import binom

from ..metrics.rates import proportion, z_value
from ..results import MetricResult
from ..validation import (Confidence, InputError, Integer, Probability, as_timestamp, label, require_columns,
                          require_frame, require_numeric, require_subscriptions, validate)
from .features import features_as_of
from .models import predict_churn

__all__ = ["score_cutoffs", "flag_lead_times", "lead_time_summary", "median_interval"]

_WEEK = pd.Timedelta(days=7)
_SCORE_COLUMNS = ["customer_id", "cutoff", "p_churn"]


def _dates(subscribers, customer_id_col: str, start_col: str, end_col: str) -> tuple[pd.Series, pd.Series]:
    """Start and end dates by customer (end NaT while subscribed), from a checked subscriptions table."""
    table = require_subscriptions(subscribers, customer_id_col=customer_id_col, start_col=start_col, end_col=end_col)
    index = subscribers[customer_id_col].to_numpy()
    return (pd.Series(table.starts.to_numpy(), index=index, name=start_col),
            pd.Series(table.ends.to_numpy(), index=index, name=end_col))


def _ends(subscribers, customer_id_col: str, start_col: str, end_col: str) -> pd.Series:
    """End date by customer (NaT while subscribed), from a checked subscriptions table."""
    return _dates(subscribers, customer_id_col, start_col, end_col)[1]


def score_cutoffs(model, activity: pd.DataFrame, subscribers: pd.DataFrame, cutoffs, *,
                  customer_id_col: str = "customer_id", start_col: str = "start_date", end_col: str = "end_date",
                  feature_options: dict | None = None) -> pd.DataFrame:
    """Score every subscriber still subscribed at each cut-off: the weekly list of an early-warning model.

    At cut-off c the features come from ``features_as_of(activity, c)`` (weeks before c only), and a
    subscriber is scored when subscribed at c: active in the week before it and not cancelled at c
    (end date missing or after c; one whose end date is c has just cancelled and cannot be reached).

    Parameters
    ----------
    model : a fitted model of ``fit_churn_model``
    activity : DataFrame of weekly rows (see ``features_as_of``)
    subscribers : DataFrame with ``customer_id``, ``start_date``, ``end_date`` (empty while subscribed)
    cutoffs : sequence of dates, Mondays, in increasing order
    customer_id_col, start_col, end_col : str
    feature_options : dict, optional
        Other keyword arguments of ``features_as_of`` (the ones the model was trained with).

    Returns
    -------
    DataFrame with columns ``customer_id``, ``cutoff``, ``p_churn``: one row per cut-off and subscriber
    scored, sorted by cut-off and customer.

    Raises
    ------
    InputError
        For no cut-off, cut-offs out of order or repeated, a cut-off that is not a Monday, a subscriber
        active in ``activity`` but missing from ``subscribers``, or features the model was not fitted on.

    Examples
    --------
    >>> from retention_kit.churn import fit_churn_model, time_split
    >>> from retention_kit.datasets.streaming import make_streaming_activity
    >>> activity, truth = make_streaming_activity(300, random_state=0)
    >>> split = time_split(activity, truth["subscribers"], train_cutoff="2025-03-03", test_cutoff="2025-04-28")
    >>> model = fit_churn_model(split.X_train, split.y_train)
    >>> scores = score_cutoffs(model, activity, truth["subscribers"], ["2025-04-28", "2025-05-05"])
    >>> scores["cutoff"].dt.date.astype(str).unique().tolist()
    ['2025-04-28', '2025-05-05']
    """
    ends = _ends(subscribers, customer_id_col, start_col, end_col)
    if isinstance(cutoffs, (str, pd.Timestamp)) or not len(cutoffs):
        raise InputError(f"cutoffs={label(cutoffs)} must be a sequence of at least one date (Mondays), such as "
                         "pd.date_range('2025-05-05', '2025-12-22', freq='7D').")
    stamps = [as_timestamp(c, "cutoffs") for c in cutoffs]
    if any(b <= a for a, b in zip(stamps, stamps[1:])):
        raise InputError(f"cutoffs must increase without repeats; got {[str(s.date()) for s in stamps][:6]}. Fix: "
                         "sort them and drop the repeats.")
    parts = []
    for cutoff in stamps:
        X = features_as_of(activity, cutoff, customer_id_col=customer_id_col, **(feature_options or {}))
        missing = X.index.difference(ends.index)
        if len(missing):
            raise InputError(f"{len(missing)} subscriber(s) active in activity at {cutoff.date()} are not in "
                             f"subscribers (first: {label(missing[0])}). Fix: one row in subscribers for each.")
        end = ends.reindex(X.index)
        X = X[~(end <= cutoff).to_numpy()]                              # cancelled by the cut-off: unreachable
        if len(X):
            parts.append(pd.DataFrame({"customer_id": X.index.to_numpy(), "cutoff": cutoff,
                                       "p_churn": predict_churn(model, X).to_numpy()}))
    scores = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=_SCORE_COLUMNS)
    return scores.rename(columns={"customer_id": customer_id_col})


def _checked_scores(scores, customer_id_col: str) -> pd.DataFrame:
    require_frame(scores, "scores")
    require_columns(scores, [customer_id_col, "cutoff", "p_churn"], "scores", "pass the table score_cutoffs returns")
    p = require_numeric(scores["p_churn"], "p_churn")
    if p.isna().any() or ((p < 0) | (p > 1)).any():
        raise InputError("column 'p_churn' must hold probabilities in [0, 1], none missing; pass the table "
                         "score_cutoffs returns.")
    frame = pd.DataFrame({"id": scores[customer_id_col].to_numpy(), "cutoff": pd.to_datetime(scores["cutoff"]),
                          "p": p.to_numpy(dtype=float)})
    if frame.duplicated(["id", "cutoff"]).any():
        raise InputError("scores has a subscriber scored twice at one cut-off; keep one row per subscriber and "
                         "cut-off.")
    return frame


class _Prepared:
    """Scores joined to end dates once, so that each threshold is a filter and two group-bys."""

    def __init__(self, scores, subscribers, lookback_weeks, horizon_weeks, observation_period_end, customer_id_col,
                 start_col, end_col):
        frame = _checked_scores(scores, customer_id_col)
        starts, ends = _dates(subscribers, customer_id_col, start_col, end_col)
        unknown = ~frame["id"].isin(ends.index)
        if unknown.any():
            raise InputError(f"scores has subscriber(s) missing from subscribers (first: "
                             f"{label(frame['id'][unknown].iloc[0])}). Fix: pass the subscribers the scores came from.")
        frame["end"] = frame["id"].map(ends)
        first, last = frame["cutoff"].min(), frame["cutoff"].max()
        obs_end = (last if observation_period_end is None
                   else as_timestamp(observation_period_end, "observation_period_end"))
        lookback, horizon = lookback_weeks * _WEEK, horizon_weeks * _WEEK
        # churners seen to cancel, with every cut-off of their look-back in the scores ...
        seen = ends[(ends - lookback >= first) & (ends <= last + _WEEK) & (ends < obs_end)]
        # ... and subscribed in the week before the look-back's first cut-off (a subscriber is scored at c only
        # when active in the week before c): any lead up to lookback_weeks could be seen. The newer churners
        # could not have had the longest leads; they are counted apart, never mixed in.
        full = (starts.reindex(seen.index) < seen - lookback).to_numpy()
        self.churners = pd.DataFrame({"end_date": seen[full]}).sort_index()
        self.newer = pd.DataFrame({"end_date": seen[~full]}).sort_index()
        window = frame[frame["id"].isin(seen.index) & (frame["cutoff"] >= frame["end"] - lookback)
                       & (frame["cutoff"] < frame["end"])]
        self.window = window[["id", "cutoff", "p", "end"]]
        self.frame = frame[["id", "cutoff", "p", "end"]]
        judged = frame[frame["cutoff"] + horizon <= obs_end]            # outcomes known for the whole horizon
        self.judged_id = judged["id"].to_numpy()
        self.judged_p = judged["p"].to_numpy()
        self.judged_true = (judged["end"] < judged["cutoff"] + horizon).to_numpy()   # NaT compares False
        self.horizon = horizon
        self.lookback_weeks, self.horizon_weeks, self.obs_end = lookback_weeks, horizon_weeks, obs_end

    def leads(self, threshold: float, newer: bool = False) -> pd.DataFrame:
        flagged = self.window[self.window["p"] >= threshold]
        first = flagged.groupby("id")["cutoff"].min()
        table = (self.newer if newer else self.churners).copy()
        table["first_flag"] = first.reindex(table.index)
        table["lead_weeks"] = (table["end_date"] - table["first_flag"]) / _WEEK
        table["flags"] = flagged.groupby("id").size().reindex(table.index, fill_value=0)
        table.index.name = "customer_id"
        return table

    def flags(self, threshold: float) -> pd.DataFrame:
        """Per subscriber scored in a judged week: true flags and false alarms."""
        hit = self.judged_p >= threshold
        frame = pd.DataFrame({"id": self.judged_id[hit], "true": self.judged_true[hit]})
        counts = frame.groupby("id")["true"].agg(["sum", "size"])
        return pd.DataFrame({"true_flags": counts["sum"], "false_alarms": counts["size"] - counts["sum"]})

    def first_flags(self, threshold: float) -> tuple[int, int]:
        """Subscribers whose first flag (over all cut-offs) is judged, and how many of them cancel in its horizon."""
        flagged = self.frame[self.frame["p"] >= threshold]
        first = flagged.groupby("id").agg(cutoff=("cutoff", "min"), end=("end", "first"))
        first = first[first["cutoff"] + self.horizon <= self.obs_end]
        return len(first), int((first["end"] < first["cutoff"] + self.horizon).sum())


def _table_attrs(table, prepared, threshold):
    table.attrs.update(threshold=threshold, lookback_weeks=prepared.lookback_weeks,
                       horizon_weeks=prepared.horizon_weeks)
    return table


@validate(threshold=Probability(), lookback_weeks=Integer(low=1))
def flag_lead_times(scores: pd.DataFrame, subscribers: pd.DataFrame, *, threshold: float, lookback_weeks: int = 12,
                    observation_period_end=None, customer_id_col: str = "customer_id", start_col: str = "start_date",
                    end_col: str = "end_date") -> pd.DataFrame:
    """For each churner, the weeks from the first flag to the cancellation (missing when never flagged).

    A churner is a subscriber whose end date E satisfies first cut-off + L weeks <= E <= last cut-off
    + 1 week and E < ``observation_period_end`` (L = ``lookback_weeks``), and whose start date is
    before E - L weeks: the cancellation was seen, every cut-off of the L weeks before it was scored,
    and the subscriber was subscribed (so scored) at each of them, so a lead of up to L weeks could be
    seen. Churners subscribed for less (start >= E - L) could not have had the longest leads: they
    are left out here and counted apart by :func:`lead_time_summary`. first_flag = the earliest
    cut-off c in [E - L weeks, E) with p_churn >= threshold; lead_weeks = (E - first_flag) / 7 days,
    at most L: a lead of L weeks means "at least L", the look-back's cap.

    Parameters
    ----------
    scores : DataFrame of :func:`score_cutoffs`
    subscribers : DataFrame with ``customer_id``, ``start_date``, ``end_date``
    threshold : float, the lowest probability flagged
    lookback_weeks : int, default 12
    observation_period_end : date, optional
        The first instant not observed; default the last cut-off (a cancellation from then on is not
        seen).
    customer_id_col, start_col, end_col : str

    Returns
    -------
    DataFrame indexed by customer id: ``end_date``, ``first_flag`` (NaT if never flagged),
    ``lead_weeks`` (NaN if never), ``flags`` (cut-offs flagged in the look-back); ``attrs`` hold the
    settings.

    Raises
    ------
    InputError
        For probabilities outside [0, 1], a subscriber scored twice at one cut-off, or scores of
        subscribers the table does not have.

    Examples
    --------
    >>> weeks = pd.date_range("2025-01-06", periods=4, freq="7D")
    >>> scores = pd.DataFrame({"customer_id": ["a"] * 4 + ["b"] * 4, "cutoff": list(weeks) * 2,
    ...                        "p_churn": [0.1, 0.6, 0.2, 0.7, 0.1, 0.1, 0.1, 0.1]})
    >>> subs = pd.DataFrame({"customer_id": ["a", "b"], "start_date": ["2024-06-03"] * 2,
    ...                      "end_date": [pd.Timestamp("2025-02-03"), None]})
    >>> table = flag_lead_times(scores, subs, threshold=0.5, lookback_weeks=3, observation_period_end="2025-03-03")
    >>> table["lead_weeks"].tolist()                   # a, first flagged on 13 January, cancelled on 3 February
    [3.0]
    """
    prepared = _Prepared(scores, subscribers, lookback_weeks, 1, observation_period_end, customer_id_col, start_col,
                         end_col)
    return _table_attrs(prepared.leads(threshold), prepared, threshold)


@validate(confidence=Confidence())
def median_interval(values, *, confidence: float = 0.95) -> tuple[float, float, float]:
    """The median and its distribution-free interval from order statistics (binomial, no assumption on shape).

    With the n values sorted, x_(1) <= ... <= x_(n), the interval is [x_(k), x_(n + 1 - k)] with k the
    largest rank such that P(B < k) <= (1 - confidence) / 2 for B ~ Binomial(n, 1/2): it covers the
    population median with probability at least ``confidence``.

    Parameters
    ----------
    values : sequence of numbers, none missing
    confidence : float, default 0.95

    Returns
    -------
    (median, low, high); low and high are NaN when n is too small for the level (n < 6 at 95%).

    Raises
    ------
    InputError
        For no values or missing ones.

    Examples
    --------
    >>> median_interval(range(1, 11))          # ranks 2 and 9: P(B <= 1) = 11 / 1024 <= 0.025
    (5.5, 2.0, 9.0)
    """
    x = np.sort(np.asarray(values, dtype=float))
    if not len(x) or np.isnan(x).any():
        raise InputError(f"values must hold at least one number and none missing; got {len(x)} value(s).")
    n, alpha = len(x), 1 - confidence
    k = int(binom.ppf(alpha / 2, n, 0.5))            # P(B <= k - 1) <= alpha / 2 < P(B <= k)
    if binom.cdf(k, n, 0.5) <= alpha / 2:
        k += 1
    if k < 1:
        return float(np.median(x)), math.nan, math.nan
    return float(np.median(x)), float(x[k - 1]), float(x[n - k])


def _ratio_interval(flags: pd.DataFrame, confidence: float) -> tuple[float, float, float]:
    """False alarms per true flag, R = sum f / sum t, with a delta-method interval clustered by subscriber."""
    t, f = flags["true_flags"].to_numpy(float), flags["false_alarms"].to_numpy(float)
    if t.sum() == 0:                                    # f / 0: infinite, or undefined with no flag at all
        return (math.inf if f.sum() else math.nan), math.nan, math.nan
    n, ratio = len(t), f.sum() / t.sum()
    if n < 2:
        return ratio, math.nan, math.nan
    z = (f - ratio * t) / t.mean()
    se = math.sqrt(z.var(ddof=1) / n)
    half = z_value(confidence) * se
    return ratio, max(ratio - half, 0.0), ratio + half


def _summary(prepared: _Prepared, threshold: float, confidence: float) -> MetricResult:
    table = _table_attrs(prepared.leads(threshold), prepared, threshold)
    flags = prepared.flags(threshold)
    leads = table["lead_weeks"].dropna()
    churners, flagged = len(table), len(leads)
    median, low, high = median_interval(leads, confidence=confidence) if flagged else (math.nan,) * 3
    never = proportion(churners - flagged, churners, confidence=confidence) if churners else None
    ratio, r_low, r_high = _ratio_interval(flags, confidence)
    n_first, n_true = prepared.first_flags(threshold)
    per_subscriber = (((n_first - n_true) / n_true if n_true else (math.inf if n_first else math.nan)),
                      (math.nan, math.nan))
    if n_true:
        q = proportion(n_true, n_first, confidence=confidence).ci    # (1 - q) / q falls as q rises
        per_subscriber = (per_subscriber[0], ((1 - q[1]) / q[1], (1 - q[0]) / q[0] if q[0] else math.inf))
    newer = prepared.leads(threshold, newer=True)
    return MetricResult(
        kind="lead_time", name=f"Weeks of warning before a cancellation (threshold {threshold:g})", value=median,
        unit="week",
        formula="lead = cancellation - first cut-off with p_churn >= threshold in the look-back (at most the "
                "look-back); median over flagged churners (order-statistic interval); false alarms per true flag = "
                "flag-weeks without a cancellation within the horizon / flag-weeks followed by one; per subscriber: "
                "the same at each subscriber's first flag",
        parts=dict(churners=churners, flagged=flagged, never_flagged=churners - flagged,
                   never_flagged_share=never.value if never else math.nan,
                   never_flagged_ci=never.ci if never else (math.nan, math.nan),
                   at_lookback_cap=int((leads >= prepared.lookback_weeks).sum()),
                   newer_churners=len(newer), newer_never_flagged=int(newer["lead_weeks"].isna().sum()),
                   true_flags=int(flags["true_flags"].sum()), false_alarms=int(flags["false_alarms"].sum()),
                   false_alarms_per_true_flag=ratio, false_alarms_ci=(r_low, r_high),
                   first_flags=n_first, true_first_flags=n_true,
                   false_alarms_per_true_subscriber=per_subscriber[0],
                   false_alarms_per_true_subscriber_ci=per_subscriber[1], threshold=threshold,
                   lookback_weeks=prepared.lookback_weeks, horizon_weeks=prepared.horizon_weeks, table=table),
        ci=(low, high), confidence=confidence,
        notes=(f"churners: cancellations with all {prepared.lookback_weeks} weeks before them scored, subscribed "
               f"throughout them; {len(newer)} churner(s) subscribed for less are counted apart (newer_churners)",
               f"flags judged at cut-offs whose {prepared.horizon_weeks}-week horizon ends by "
               f"{prepared.obs_end.date()}; false alarms per true flag count flag-weeks (a subscriber flagged again "
               f"each week counts each week); per subscriber counts the first flag only"))


@validate(threshold=Probability(), lookback_weeks=Integer(low=1), horizon_weeks=Integer(low=1), confidence=Confidence())
def lead_time_summary(scores: pd.DataFrame, subscribers: pd.DataFrame, *, threshold: float, lookback_weeks: int = 12,
                      horizon_weeks: int = 8, observation_period_end=None, confidence: float = 0.95,
                      customer_id_col: str = "customer_id", start_col: str = "start_date",
                      end_col: str = "end_date") -> MetricResult:
    """Median weeks of warning an early-warning threshold gives, the churners it misses, and its false alarms.

    * lead times as in :func:`flag_lead_times`; value = their median over the churners flagged, with
      the order-statistic interval of :func:`median_interval`;
    * never-flagged share = churners without a flag in their look-back / churners (Wilson interval);
      ``at_lookback_cap`` counts the flagged churners whose lead is the whole look-back (their true
      lead may be longer: flagged throughout, a chronic risk rather than an early warning);
      ``newer_churners`` (subscribed less than the look-back before cancelling, left out of the
      above) and how many of them were never flagged while subscribed (``newer_never_flagged``);
    * a flag (a subscriber at a cut-off c with p_churn >= threshold) is *true* when the subscriber
      cancels in (c, c + H) (H = ``horizon_weeks``, the model's own label), a *false alarm*
      otherwise; only cut-offs with c + H <= ``observation_period_end`` are judged. False alarms
      per true flag R = false alarms / true flags, with a delta-method interval that treats each
      subscriber's flags as one cluster: se^2 = var_i((f_i - R t_i) / mean(t)) / n. R counts
      *flag-weeks*: a subscriber flagged week after week counts every week.
    * per subscriber, at the first flag (the call a team makes once): of the subscribers whose first
      flag c1 (over all cut-offs) has c1 + H <= ``observation_period_end``, q = share cancelling in
      (c1, c1 + H); false alarms per true subscriber = (1 - q) / q, its interval the Wilson interval
      of q transformed (the ratio falls as q rises).

    Parameters
    ----------
    scores : DataFrame of :func:`score_cutoffs`
    subscribers : DataFrame with ``customer_id``, ``start_date``, ``end_date``
    threshold : float
    lookback_weeks : int, default 12
    horizon_weeks : int, default 8
    observation_period_end : date, optional
        The first instant not observed; default the last cut-off.
    confidence : float, default 0.95
    customer_id_col, start_col, end_col : str

    Returns
    -------
    MetricResult (kind ``"lead_time"``, unit ``"week"``): the median lead with ``ci``; parts
    ``churners``, ``flagged``, ``never_flagged``, ``never_flagged_share``, ``never_flagged_ci``,
    ``at_lookback_cap``, ``newer_churners``, ``newer_never_flagged``, ``true_flags``,
    ``false_alarms``, ``false_alarms_per_true_flag``, ``false_alarms_ci`` (flag-weeks),
    ``first_flags``, ``true_first_flags``, ``false_alarms_per_true_subscriber`` and its ``_ci``
    (first flags), and ``table`` (:func:`flag_lead_times`).

    Raises
    ------
    InputError
        As :func:`flag_lead_times`.

    Examples
    --------
    >>> weeks = pd.date_range("2025-01-06", periods=4, freq="7D")
    >>> scores = pd.DataFrame({"customer_id": ["a"] * 4 + ["b"] * 4, "cutoff": list(weeks) * 2,
    ...                        "p_churn": [0.1, 0.6, 0.2, 0.7, 0.6, 0.1, 0.1, 0.1]})
    >>> subs = pd.DataFrame({"customer_id": ["a", "b"], "start_date": ["2024-06-03"] * 2,
    ...                      "end_date": [pd.Timestamp("2025-02-03"), None]})
    >>> r = lead_time_summary(scores, subs, threshold=0.5, lookback_weeks=3, horizon_weeks=4,
    ...                       observation_period_end="2025-03-03")
    >>> r.value, r.true_flags, r.false_alarms          # a's flags of 13 and 27 Jan are true, b's of 6 Jan false
    (3.0, 2, 1)
    >>> r.first_flags, r.true_first_flags              # per subscriber: a's first flag is true, b's false
    (2, 1)
    """
    prepared = _Prepared(scores, subscribers, lookback_weeks, horizon_weeks, observation_period_end, customer_id_col,
                         start_col, end_col)
    return _summary(prepared, threshold, confidence)
