"""How good is a churn score: AUC with DeLong's interval, lift and gain by decile, precision in the top k,
which signs move first before a cancellation, and which features a model leans on."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.inspection import permutation_importance

from ..datasets.streaming import PLAN_ORDER
from ..metrics.rates import proportion, z_value
from ..results import MetricResult
from ..validation import (Confidence, InputError, Integer, RandomState, Real, as_flag, label, require_complete,
                          require_numeric, require_subscriptions, validate)
from .features import _signal_frame
from .models import _aligned, _checked_features, one_thread

__all__ = ["auc", "lift_table", "precision_at_k", "early_warning", "permutation_importance_table", "SIGNALS"]

SIGNALS = ("hours_viewed", "sessions", "failed_payment", "support_contacts", "downgraded")
_WEEK = pd.Timedelta(days=7)


def _pair(y, score):
    """Outcomes (bool) and scores (float) as aligned numpy arrays, refusing what cannot be compared."""
    if isinstance(y, pd.Series) and isinstance(score, pd.Series):
        if len(y) != len(score) or not y.index.sort_values().equals(score.index.sort_values()):
            raise InputError("y and score must be indexed by the same customers; align them first "
                             "(score.reindex(y.index)).")
        score = score.reindex(y.index)
    y, score = pd.Series(np.asarray(y)), pd.Series(np.asarray(score))
    if len(y) != len(score) or len(y) == 0:
        raise InputError(f"y ({len(y)} values) and score ({len(score)} values) must have the same, non-zero length.")
    flags = as_flag(y, "y").to_numpy()
    values = require_numeric(score, "score")
    require_complete(values, "score", "every customer needs a score; score them or drop them explicitly.")
    return flags, values.to_numpy()


def _ranking(flags, values):
    """Outcomes in order of score, highest first; ties keep the order given (a stable sort)."""
    return flags[np.argsort(-values, kind="stable")]


@validate(confidence=Confidence())
def auc(y, score, *, confidence: float = 0.95) -> MetricResult:
    """Area under the ROC curve, with DeLong's interval: the chance a churner is scored above a stayer.

    AUC = (1 / (n1 n0)) sum_i sum_j psi(s_i, s_j) over churners i and stayers j, with psi = 1 if
    s_i > s_j, 1/2 if tied, 0 otherwise; this is the Mann-Whitney U / (n1 n0). Variance (DeLong,
    DeLong & Clarke-Pearson 1988): V_i = mean_j psi(s_i, s_j), W_j = mean_i psi(s_i, s_j),
    var(AUC) = var(V) / n1 + var(W) / n0 (sample variances), computed from midranks. The interval
    is AUC +/- z se, clipped to [0, 1].

    Parameters
    ----------
    y : True/False per customer (churned)
    score : a number per customer (higher = more likely to churn), aligned with ``y``
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"auc"``) with ``se``, ``ci`` and parts ``churners``, ``stayers``.

    Raises
    ------
    InputError
        For fewer than two churners or two stayers, missing scores, or misaligned inputs.

    Examples
    --------
    >>> r = auc([True, True, False, False, False], [0.9, 0.4, 0.5, 0.2, 0.1])
    >>> round(r.value, 4), r.churners, r.stayers     # 5 of the 6 pairs ordered right
    (0.8333, 2, 3)
    """
    flags, values = _pair(y, score)
    pos, neg = values[flags], values[~flags]
    m, n = len(pos), len(neg)
    if m < 2 or n < 2:
        raise InputError(f"y has {m} churner(s) and {n} stayer(s); an AUC and its interval need at least two of each.")
    ranks = rankdata(values)
    v = (ranks[flags] - rankdata(pos)) / n               # share of stayers below each churner (ties half)
    w = 1 - (ranks[~flags] - rankdata(neg)) / m           # share of churners above each stayer
    value = float(v.mean())
    se = float(np.sqrt(v.var(ddof=1) / m + w.var(ddof=1) / n))
    z = z_value(confidence)
    ci = (max(0.0, value - z * se), min(1.0, value + z * se))
    return MetricResult(kind="auc", name="AUC (area under the ROC curve)", value=value, unit="",
                        formula="AUC = U / (n1 n0) = P(score of a churner > score of a stayer) + P(tie) / 2; DeLong "
                                "variance var(V) / n1 + var(W) / n0",
                        parts=dict(churners=m, stayers=n), se=se, ci=ci, confidence=confidence,
                        notes=("0.5 is a random ranking, 1 a perfect one",))


@validate(bins=Integer(low=1))
def lift_table(y, score, *, bins: int = 10) -> pd.DataFrame:
    """Churners by bin of score (deciles by default, bin 1 = the highest scores), with lift and cumulative gain.

    Customers are sorted by score, highest first (ties in the order given), and cut into ``bins``
    groups of nearly equal size (bin b holds ranks r with floor(r bins / n) = b - 1). Per bin:
    churn_rate = churners / customers; lift = churn_rate / overall churn rate;
    cumulative_gain = churners in bins 1..b / all churners (the share captured by targeting
    them, ``rk.clv.captured_share`` of the top cumulative_share).

    Parameters
    ----------
    y : True/False per customer
    score : a number per customer, aligned with ``y``
    bins : int, default 10

    Returns
    -------
    DataFrame indexed by ``bin``: ``customers``, ``churners``, ``churn_rate``, ``lift``,
    ``cumulative_share`` (of customers), ``cumulative_gain``.

    Raises
    ------
    InputError
        For more bins than customers, no churner, missing scores, or misaligned inputs.

    Examples
    --------
    >>> t = lift_table([True, False, True, False, False, False], [6, 5, 4, 3, 2, 1], bins=3)
    >>> t[["churners", "lift", "cumulative_gain"]].to_dict("list")
    {'churners': [1, 1, 0], 'lift': [1.5, 1.5, 0.0], 'cumulative_gain': [0.5, 1.0, 1.0]}
    """
    flags, values = _pair(y, score)
    n = len(flags)
    if bins > n:
        raise InputError(f"bins={bins} is more than the {n} customers; use at most {n}.")
    if not flags.any():
        raise InputError("y has no churner: lift and gain are shares of churners. Fix: a horizon with churners.")
    ranked = _ranking(flags, values)
    group = np.arange(n) * bins // n + 1
    table = pd.DataFrame({"bin": group, "y": ranked}).groupby("bin").agg(customers=("y", "size"), churners=("y", "sum"))
    table["churners"] = table["churners"].astype(int)
    table["churn_rate"] = table["churners"] / table["customers"]
    table["lift"] = table["churn_rate"] / flags.mean()
    table["cumulative_share"] = table["customers"].cumsum() / n
    table["cumulative_gain"] = table["churners"].cumsum() / flags.sum()
    return table


@validate(confidence=Confidence())
def precision_at_k(y, score, k, *, confidence: float = 0.95) -> MetricResult:
    """Share of churners among the k customers scored highest, with a Wilson interval.

    precision@k = churners in the top k / k. ``k`` is a count when it is a whole number
    (an int, ``50``), a share of customers when it is a float strictly between 0 and 1
    (``0.1`` targets ceil(0.1 n)). Ties at the boundary are taken in the order given.

    Parameters
    ----------
    y : True/False per customer
    score : a number per customer, aligned with ``y``
    k : int (a count) or float in (0, 1) (a share)
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"precision_at_k"``, a fraction) with parts ``k``, ``churners``,
    ``customers``, ``base_rate`` (churners / customers overall) and ``lift``.

    Raises
    ------
    InputError
        For a k that is neither a count from 1 to n nor a share in (0, 1), or bad inputs.

    Examples
    --------
    >>> r = precision_at_k([True, False, True, False], [0.9, 0.8, 0.7, 0.1], 2)
    >>> r.value, r.lift, precision_at_k([True, False, True, False], [0.9, 0.8, 0.7, 0.1], 0.75).value
    (0.5, 1.0, 0.6666666666666666)
    """
    flags, values = _pair(y, score)
    n = len(flags)
    if isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)) and 1 <= k <= n:
        count = int(k)
    elif isinstance(k, (float, np.floating)) and 0 < k < 1:
        count = max(1, int(np.ceil(round(k * n, 9))))
    else:
        raise InputError(f"k={label(k)} must be a count of customers (a whole number from 1 to {n}) or a share "
                         f"strictly between 0 and 1 (0.1 for the top 10%).")
    hits = int(_ranking(flags, values)[:count].sum())
    share = proportion(hits, count, confidence=confidence)
    base = float(flags.mean())
    return MetricResult(kind="precision_at_k", name=f"Precision in the top {count}", value=hits / count,
                        unit="fraction", formula="churners among the top k by score / k", ci=share.ci,
                        confidence=confidence, parts=dict(k=count, churners=hits, customers=n, base_rate=base,
                                                          lift=(hits / count) / base if base else float("nan")))


@validate(weeks_before=Integer(low=1), baseline_weeks=Integer(low=1), threshold=Real(low=0, closed="neither"))
def early_warning(activity: pd.DataFrame, subscribers: pd.DataFrame, *, signals=SIGNALS, weeks_before: int = 12,
                  baseline_weeks: int = 8, threshold: float = 0.2, customer_id_col: str = "customer_id",
                  week_col: str = "week", start_col: str = "start_date", end_col: str = "end_date",
                  plan_col: str = "plan", plan_order=PLAN_ORDER) -> pd.DataFrame:
    """Which signs move first: each signal of churners by weeks before cancelling, against stayers of the same weeks.

    For a churner's row in week w, k = ceil((end_date - w) / 7 days) is the number of weeks before
    cancelling (1 = the last week). Stayers of week w are the subscribers active then who did not
    cancel within ``weeks_before`` weeks after it (known only where the data run that far). Per
    signal x (``"downgraded"``, when not a column, is 1 in a week whose plan is lower in
    ``plan_order`` than the week before):

    * d(k) = mean over churners of (x - mean x of the stayers of the same week) / sd, where sd is
      the stayers' standard deviation around their weekly means;
    * baseline = mean of d(k) over k = weeks_before + 1 .. weeks_before + baseline_weeks (how
      churners differed from stayers long before, for reasons of their own);
    * departure(k) = d(k) - baseline, in standard deviations;
    * first week = the largest k from which |departure| exceeds ``threshold`` with one sign in
      every week up to the cancellation (a sustained departure, not a blip); None if it never does.

    Only churners with rows in all weeks_before + baseline_weeks weeks, each with stayers to
    compare with, are used (a fixed set, so that who is averaged does not change with k); the
    others are counted in ``attrs["churners_left_out"]``.

    Parameters
    ----------
    activity : DataFrame of weekly rows
    subscribers : DataFrame with ``customer_id``, ``start_date``, ``end_date``
    signals : columns of activity (numbers or True/False), and ``"downgraded"``
    weeks_before, baseline_weeks : int, default 12 and 8
    threshold : float, default 0.2 (standard deviations)
    customer_id_col, week_col, start_col, end_col, plan_col : str
    plan_order : sequence of plan names, lowest first

    Returns
    -------
    DataFrame of departure(k), indexed by ``weeks_before`` (weeks_before down to 1), one column
    per signal; ``attrs``: ``first_week`` (dict), ``baseline`` (dict), ``threshold``,
    ``churners``, ``churners_left_out``.

    Raises
    ------
    InputError
        For missing columns or values, subscribers absent from ``subscribers``, no churner with
        enough history, or a signal constant among stayers.

    Examples
    --------
    >>> from retention_kit.datasets.streaming import make_streaming_activity
    >>> activity, truth = make_streaming_activity(3000, random_state=3)
    >>> table = early_warning(activity, truth["subscribers"])
    >>> first = table.attrs["first_week"]
    >>> first["hours_viewed"] > first["failed_payment"]
    True
    """
    signals = list(signals)
    if not signals:
        raise InputError("signals is empty; pass columns of activity such as ('hours_viewed', 'failed_payment').")
    frame = _signal_frame(activity, signals, customer_id_col, week_col, plan_col, plan_order)
    table = require_subscriptions(subscribers, customer_id_col=customer_id_col, start_col=start_col, end_col=end_col)
    ends = pd.Series(table.ends.to_numpy(), index=subscribers[customer_id_col].to_numpy())
    unknown = ~frame["id"].isin(ends.index)
    if unknown.any():
        raise InputError(f"{int(frame.loc[unknown, 'id'].nunique())} customer(s) of activity are not in subscribers "
                         f"(first: {label(frame.loc[unknown, 'id'].iloc[0])}). Fix: pass the matching tables.")
    observed_end = frame["week"].max() + _WEEK
    end = frame["id"].map(ends)
    k = np.ceil((end - frame["week"]) / _WEEK)
    stayer = ((k > weeks_before) | (end.isna() & (frame["week"] + weeks_before * _WEEK < observed_end))).to_numpy()
    reference = frame[stayer].groupby("week")[signals].mean()
    centred = frame[signals] - reference.reindex(frame["week"]).to_numpy()
    sd = centred[stayer].std()
    flat = sd.index[~(sd > 0)]
    if len(flat):
        raise InputError(f"signal {label(flat[0])} does not vary among stayers; there is nothing to compare. Fix: "
                         f"leave it out of signals.")
    span = weeks_before + baseline_weeks
    window = (k >= 1) & (k <= span) & centred.notna().all(axis=1)
    counts = frame[window].groupby("id").size()
    complete = counts.index[counts == span]
    churners = end.notna().groupby(frame["id"]).any()
    used = window & frame["id"].isin(complete)
    if not used.any():
        raise InputError(f"no churner has {span} weeks of history (weeks_before + baseline_weeks) with stayers to "
                         f"compare with. Fix: fewer weeks_before or baseline_weeks, or longer data.")
    d = (centred[used] / sd).groupby(k[used]).mean()
    baseline = d.loc[weeks_before + 1:].mean()
    departure = (d.loc[:weeks_before] - baseline).sort_index(ascending=False)
    departure.index = departure.index.astype(int).rename("weeks_before")
    first = {}
    for s in signals:
        dep = departure[s].sort_index().to_numpy()
        sign = np.sign(dep[0]) if abs(dep[0]) > threshold else 0
        run = np.cumprod(sign * dep > threshold) if sign else np.zeros(1)
        first[s] = int(run.sum()) if sign else None
    departure.attrs.update(first_week=first, baseline={s: float(baseline[s]) for s in signals}, threshold=threshold,
                           churners=len(complete), churners_left_out=int(churners.sum()) - len(complete))
    return departure


@validate(n_repeats=Integer(low=1), random_state=RandomState())
def permutation_importance_table(model, X: pd.DataFrame, y: pd.Series, *, n_repeats: int = 10,
                                 random_state=0) -> pd.DataFrame:
    """How much the AUC drops when each feature is shuffled: permutation importance on held-out data.

    importance_j = AUC(model, X) - AUC(model, X with column j shuffled), averaged over
    ``n_repeats`` shuffles (scikit-learn's ``permutation_importance``, scoring ``"roc_auc"``).
    Measure it on a test set: on the training set it also rewards what the model memorised.
    Correlated features share credit: shuffling one leaves the other to carry the signal.

    Parameters
    ----------
    model : a fitted model (``fit_churn_model``)
    X : DataFrame with the model's columns
    y : Series of True/False indexed like X
    n_repeats : int, default 10
    random_state : None, int or numpy.random.Generator, default 0

    Returns
    -------
    DataFrame indexed by ``feature``: ``importance_mean``, ``importance_sd``, sorted by the mean,
    largest first; ``attrs["auc"]`` is the AUC before shuffling.

    Raises
    ------
    InputError
        For a model without the columns of X, bad features, or misaligned or one-class labels.

    Examples
    --------
    >>> from retention_kit.churn.models import fit_churn_model
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"signal": rng.normal(size=400), "noise": rng.normal(size=400)})
    >>> y = pd.Series(X["signal"] + rng.normal(size=400) > 1, name="churned")
    >>> permutation_importance_table(fit_churn_model(X, y), X, y).index.tolist()
    ['signal', 'noise']
    """
    X = _checked_features(X)
    flags = _aligned(X, y)
    names = list(getattr(model, "feature_names_in_", []))
    if sorted(names) != sorted(X.columns):
        raise InputError(f"X has columns {list(X.columns)} but the model was fitted on {names}. Fix: pass the "
                         f"features the model was fitted on.")
    if flags.nunique() < 2:
        raise InputError("y holds one class only; an AUC needs churners and stayers.")
    X = X[names]
    seed = random_state if isinstance(random_state, int) else int(np.random.default_rng(random_state).integers(2**31))
    with one_thread():
        result = permutation_importance(model, X, flags.to_numpy(), scoring="roc_auc", n_repeats=n_repeats,
                                        random_state=seed)
        score = model.predict_proba(X)[:, 1]
    table = pd.DataFrame({"importance_mean": result.importances_mean, "importance_sd": result.importances_std},
                         index=pd.Index(names, name="feature")).sort_values("importance_mean", ascending=False,
                                                                            kind="stable")
    table.attrs["auc"] = float(auc(flags, score).value)
    return table
