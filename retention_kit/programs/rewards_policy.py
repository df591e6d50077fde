"""Choosing an offer policy from a randomized send (the Starbucks Rewards case study): the policy a training half
picks, with or without a guard against chance winners, how far the chosen arm is from the runner-up, how much a
choice flatters itself over many random splits, and the policy chooser. Re-exported by
:mod:`retention_kit.programs.rewards`."""
from __future__ import annotations

import ipywidgets as w
import numpy as np
import pandas as pd

from ..explorer import Explorer
from ..results import money_text
from ..validation import (Confidence, InputError, Integer, RandomState, check, label, require_columns, require_frame,
                          require_numeric, validate)

__all__ = ["learn_offer_policy", "runner_up_gaps", "split_optimism", "offer_policy_view", "offer_policy_explorer"]


def _effects(*args, **kwargs):          # imported when called: rewards.py re-exports this module
    from .rewards import offer_effects as compute
    return compute(*args, **kwargs)


def _value(*args, **kwargs):
    from .rewards import offer_policy_value as compute
    return compute(*args, **kwargs)


def _means(outcomes, by, outcome):
    require_columns(require_frame(outcomes, "outcomes"), ["arm", outcome, by], "outcomes",
                    "pass the table offer_outcomes returns, with the segment column")
    y = require_numeric(outcomes[outcome], outcome)
    if y.isna().any():
        raise InputError(f"column {outcome!r} has {int(y.isna().sum())} missing value(s). Fix: fill or drop them.")
    return outcomes[[by, "arm"]].assign(_y=y).groupby([by, "arm"], observed=True)["_y"].mean().unstack()


def learn_offer_policy(outcomes: pd.DataFrame, *, by: str, outcome: str = "net_value", control: str = "none",
                       guard: float | None = None) -> dict:
    """The arm each segment gets: the highest mean outcome, or with a guard, an offer only if it clearly beats control.

    Without ``guard``: pi(s) = argmax_a mean[y | s, a] over the arms sent in segment s (control included).
    With ``guard`` (a confidence, e.g. 0.95): the same argmax, over control and the offers whose Welch
    interval against control (:func:`offer_effects` at that confidence) lies above zero; an arm that wins
    by chance is then less often chosen. Learn on a training half; value on members it was not learned from.

    Parameters
    ----------
    outcomes : DataFrame from ``offer_outcomes`` with the segment column ``by``
    by : str
    outcome, control : str, default "net_value", "none"
    guard : float, optional, a confidence in (0, 1)

    Returns
    -------
    dict from segment to arm

    Raises
    ------
    InputError
        For missing columns or values (and, with a guard, as :func:`offer_effects`).

    Examples
    --------
    >>> o = pd.DataFrame({"s": "x", "arm": np.repeat(["a", "b", "none"], 4),
    ...                   "net_value": [4.0, 5, 6, 5, 2, 12, 2, 12, 1, 2, 3, 2]})
    >>> learn_offer_policy(o, by="s"), learn_offer_policy(o, by="s", guard=0.9)   # b: mean 7, but too noisy
    ({'x': 'b'}, {'x': 'a'})
    """
    means = _means(outcomes, by, outcome)
    if guard is not None:
        guard = check("guard", guard, Confidence())
        effects = _effects(outcomes, by=by, outcome=outcome, control=control, confidence=guard)
        clear = effects["ci_low"].gt(0).unstack("offer").reindex(index=means.index, columns=means.columns)
        means = means.where(clear.astype("boolean").fillna(False).to_numpy(bool) | (means.columns == control)[None, :])
    return {s: row.idxmax() for s, row in means.iterrows()}


@validate(confidence=Confidence())
def runner_up_gaps(train: pd.DataFrame, held_out: pd.DataFrame, policy: dict, *, by: str, outcome: str = "net_value",
                   confidence: float = 0.95) -> pd.DataFrame:
    """For each segment, the chosen arm against the runner-up (the training half's best other arm), on held-out members.

    gap = mean[y | s, pi(s)] - mean[y | s, runner-up] on ``held_out``, Welch's interval (:func:`offer_effects`
    with the runner-up as control); ``gap_train`` is the same difference on ``train``. An interval that
    holds zero says the data cannot tell the two arms apart: the choice between them is a coin toss.

    Parameters
    ----------
    train, held_out : DataFrames from ``offer_outcomes`` with the segment column ``by``
    policy : dict from segment to the chosen arm
    by, outcome : str, outcome default "net_value"
    confidence : float, default 0.95

    Returns
    -------
    DataFrame indexed by segment: ``chosen``, ``runner_up``, ``gap_train``, ``gap``, ``ci_low``, ``ci_high``,
    ``p_value``.

    Raises
    ------
    InputError
        For missing columns, or a segment of the policy without two arms in both halves.

    Examples
    --------
    >>> o = pd.DataFrame({"s": ["x"] * 6, "arm": ["a", "a", "b", "b", "none", "none"],
    ...                   "net_value": [4.0, 6, 2, 4, 1, 3]})
    >>> runner_up_gaps(o, o, {"x": "a"}, by="s")[["runner_up", "gap"]].values.tolist()
    [['b', 2.0]]
    """
    means = _means(train, by, outcome)
    rows = {}
    for segment, chosen in policy.items():
        if segment not in means.index or chosen not in means.columns or means.loc[segment].count() < 2:
            raise InputError(f"segment {label(segment)} needs its chosen arm {label(chosen)} and another arm in the "
                             f"training half. Fix: pass the policy learned on this training half.")
        runner = means.loc[segment].drop(chosen).idxmax()
        part = held_out[(held_out[by] == segment) & held_out["arm"].isin([chosen, runner])]
        row = _effects(part, outcome=outcome, control=runner, confidence=confidence).loc[chosen]
        rows[segment] = dict(chosen=chosen, runner_up=runner, gap_train=means.at[segment, chosen] - means.at[
            segment, runner], gap=row["effect"], ci_low=row["ci_low"], ci_high=row["ci_high"], p_value=row["p_value"])
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis(by)
    table.attrs["confidence"] = confidence
    return table


@validate(n_splits=Integer(low=1), random_state=RandomState())
def split_optimism(outcomes: pd.DataFrame, *, by: str, n_splits: int = 300, outcome: str = "net_value",
                   control: str = "none", random_state=None) -> pd.DataFrame:
    """Many random halvings: the personalized policy's value where it was chosen, and on the other half.

    Each split draws a training half (each member with chance 1/2), learns pi(s) = argmax_a of the
    training means (control included) and the single best offer o* = argmax over offers of the training
    mean, then computes, on each half with its own segment shares w_s,
    gain = sum_s w_s (m_{s,pi(s)} - m_{s,o*}) and value = sum_s w_s (m_{s,pi(s)} - m_{s,control}).
    Optimism = training minus held-out; its mean over splits is the winner's curse, its spread the noise
    of one split.

    Parameters
    ----------
    outcomes : DataFrame from ``offer_outcomes`` with the segment column ``by``
    by, outcome, control : str, outcome default "net_value", control default "none"
    n_splits : int, default 300
    random_state : int or numpy Generator, optional

    Returns
    -------
    DataFrame, one row per split: ``gain_train``, ``gain_held_out``, ``value_train``, ``value_held_out``,
    ``single`` and one column ``arm_<segment>`` per segment (the arm chosen).

    Raises
    ------
    InputError
        For missing columns or values, or an arm missing from a segment's half (too few members).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> o = pd.DataFrame({"s": "x", "arm": np.repeat(["a", "b", "none"], 200), "net_value": rng.normal(0, 1, 600)})
    >>> runs = split_optimism(o, by="s", n_splits=200, random_state=1)       # no arm is better: pure selection
    >>> round(float(runs["value_train"].mean()), 2), round(float(runs["value_held_out"].mean()), 2)
    (0.05, -0.06)
    """
    _means(outcomes, by, outcome)                       # checks the columns and values
    rng = np.random.default_rng(random_state)
    seg_code, segments = pd.factorize(outcomes[by], sort=True)
    arm_code, arms = pd.factorize(outcomes["arm"], sort=True)
    if control not in set(arms):
        raise InputError(f"no member is in the control arm {control!r}. Fix: pass the control arm's name.")
    n_s, n_a, c = len(segments), len(arms), list(arms).index(control)
    cell, y = seg_code * n_a + arm_code, outcomes[outcome].to_numpy(float)
    offers = np.arange(n_a) != c
    rows, policies = [], []
    for _ in range(n_splits):
        mask = rng.random(len(y)) < 0.5
        halves = []
        for part in (mask, ~mask):
            count = np.bincount(cell[part], minlength=n_s * n_a).reshape(n_s, n_a)
            total = np.bincount(cell[part], weights=y[part], minlength=n_s * n_a).reshape(n_s, n_a)
            if (count == 0).any():
                raise InputError("an arm has no member in a segment's half. Fix: coarser segments, or more members.")
            halves.append((total / count, count.sum(axis=1) / count.sum(), total, count))
        means, _, total, count = halves[0]
        pi = means.argmax(axis=1)
        pooled = total.sum(axis=0) / count.sum(axis=0)
        single = np.flatnonzero(offers)[pooled[offers].argmax()]
        row = {}
        for name, (m, weight, _, _) in zip(("train", "held_out"), halves):
            chosen = m[np.arange(n_s), pi]
            row[f"gain_{name}"] = float(weight @ (chosen - m[:, single]))
            row[f"value_{name}"] = float(weight @ (chosen - m[:, c]))
        rows.append(row | {"single": arms[single]})
        policies.append(arms[pi])
    out = pd.DataFrame(rows).join(pd.DataFrame(policies, columns=[f"arm_{s}" for s in segments]))
    out.index.name = "split"
    return out


def offer_policy_view(outcomes: pd.DataFrame, policy: dict, *, best_single: str, choose_on=None,
                      confidence: float = 0.95, ax=None, effects=None):
    """Text and plot for the policy chooser: the policy's value on ``outcomes`` (against nothing and against
    ``best_single`` for everyone), beside each offer's effect by segment, the chosen arms marked.

    Values come from :func:`offer_policy_value` on ``outcomes``; the plotted effects
    (:func:`offer_effects`) from ``choose_on`` when given (the training half: the effects one chooses from),
    else from ``outcomes``.

    Parameters
    ----------
    outcomes : DataFrame from ``offer_outcomes`` with a ``segment`` column (held-out members)
    policy : dict from segment to arm
    best_single : str, the one offer to compare with
    choose_on : DataFrame like ``outcomes``, optional, the members the policy is chosen on (training half)
    confidence : float, default 0.95
    ax : matplotlib Axes, optional
    effects : DataFrame, optional, the effects to plot (computed when not given)

    Returns
    -------
    (str, matplotlib Axes)

    Raises
    ------
    InputError
        As :func:`offer_policy_value`.

    Examples
    --------
    >>> o = pd.DataFrame({"segment": ["x"] * 6, "arm": ["a", "a", "b", "b", "none", "none"],
    ...                   "net_value": [4.0, 6, 2, 4, 1, 3]})
    >>> offer_policy_view(o, {"x": "a"}, best_single="b")[0]       # se sqrt(2 / 2 + 2 / 2)
    'x: a -> +$3.00 per member against sending nothing (95% interval +$0.23 to +$5.77); against b for everyone +$2.00 (-$0.77 to +$4.77), on 6 members'
    """
    from ..plots.rewards import offer_effects as draw
    value = _value(outcomes, policy, by="segment", confidence=confidence)
    single = _value(outcomes, policy, by="segment", against=best_single, confidence=confidence)
    signed = lambda x: ("-" if x < 0 else "+") + money_text(abs(x), 2)          # noqa: E731
    text = (f"{', '.join(f'{s}: {a}' for s, a in policy.items())} -> {signed(value.value)} per member against sending "
            f"nothing ({100 * confidence:g}% interval {signed(value.ci[0])} to {signed(value.ci[1])}); against "
            f"{best_single} for everyone {signed(single.value)} ({signed(single.ci[0])} to {signed(single.ci[1])}), on "
            f"{len(outcomes):,} {'held-out ' if choose_on is not None else ''}members")
    if effects is None:
        effects = _effects(outcomes if choose_on is None else choose_on, by="segment", confidence=confidence)
    title = ("Training half: the effects to choose from" if choose_on is not None
             else "Each offer's effect, against sending nothing")
    return text, draw(effects, chosen=policy, ax=ax, title=title)


def offer_policy_explorer(outcomes: pd.DataFrame, policy: dict, *, best_single: str, choose_on=None,
                          confidence: float = 0.95) -> Explorer:
    """A menu per segment to choose its offer -> the policy's measured value per member, with an interval.

    Parameters
    ----------
    outcomes, best_single, choose_on, confidence : as :func:`offer_policy_view`
    policy : dict from segment to arm, the starting choice

    Returns
    -------
    Explorer

    Raises
    ------
    InputError
        As :func:`offer_policy_view`.

    Examples
    --------
    >>> o = pd.DataFrame({"segment": ["x"] * 6, "arm": ["a", "a", "b", "b", "none", "none"],
    ...                   "net_value": [4.0, 6, 2, 4, 1, 3]})
    >>> explorer = offer_policy_explorer(o, {"x": "a"}, best_single="b")
    >>> explorer.controls["x"].value = "none"
    >>> explorer.label.value.startswith("<b>x: none -&gt; +&#36;0.00")
    True
    """
    effects = _effects(outcomes if choose_on is None else choose_on, by="segment", confidence=confidence)          # computed once
    arms = sorted(outcomes["arm"].unique(), key=lambda a: (a != "none", a))
    controls = {s: w.Dropdown(options=arms, value=a, description=str(s), style={"description_width": "110px"},
                              layout=w.Layout(width="330px")) for s, a in policy.items()}

    def view(ax, **chosen):
        return offer_policy_view(outcomes, chosen, best_single=best_single, choose_on=choose_on,
                                 confidence=confidence, ax=ax, effects=effects)

    return Explorer(view, controls, title="Offer policy chooser", margins=dict(left=0.22))
