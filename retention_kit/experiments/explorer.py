"""The experiment explorer: the size of a test and the true effect -> its power, and the intervals a class of
students running the same test would see. A pure view (tested, benchmarked) and a thin layer of controls."""
from __future__ import annotations

import ipywidgets as w
import numpy as np
import pandas as pd

from ..explorer import Explorer
from ..metrics.comparisons import proportion_difference
from ..plots.experiments import experiment_intervals
from ..validation import Confidence, InputError, Integer, Probability, RandomState, Real, validate
from .ab import power_two_proportions

__all__ = ["simulate_experiments", "experiment_view", "experiment_explorer"]

_STYLE = {"description_width": "170px"}
_LAYOUT = dict(width="470px")


@validate(n_per_arm=Integer(low=10), p_control=Probability(), effect=Real(low=-1, high=1),
          experiments=Integer(low=1), confidence=Confidence(), random_state=RandomState())
def simulate_experiments(n_per_arm: int, p_control: float, effect: float, *, experiments: int = 20,
                         confidence: float = 0.95, random_state=0) -> pd.DataFrame:
    """The same two-arm test run ``experiments`` times: each one's estimate and interval.

    Each experiment draws k_C ~ Binomial(n, p_C) and k_T ~ Binomial(n, p_C + effect) and reads them
    with Newcombe's interval (``rk.metrics.proportion_difference``).

    Parameters
    ----------
    n_per_arm : int, customers in each arm
    p_control : float, the control arm's true rate
    effect : float, the true difference, treated minus control
    experiments : int, default 20
    confidence : float, default 0.95
    random_state : int, default 0

    Returns
    -------
    DataFrame, one row per experiment: ``estimate``, ``ci_low``, ``ci_high``, ``p_value``.

    Raises
    ------
    InputError
        When p_control + effect is not a rate in [0, 1].

    Examples
    --------
    >>> t = simulate_experiments(5_000, 0.2, 0.05, experiments=3)
    >>> t.shape, bool((t["ci_low"] > 0).all())
    ((3, 4), True)
    """
    p_treatment = p_control + effect
    if not 0 <= p_treatment <= 1:
        raise InputError(f"p_control + effect = {p_control:g} + {effect:g} = {p_treatment:g} is not a rate in [0, 1]. "
                         "Fix: a smaller effect, or another control rate.")
    rng = np.random.default_rng(random_state)
    k_c, k_t = rng.binomial(n_per_arm, p_control, experiments), rng.binomial(n_per_arm, p_treatment, experiments)
    rows = []
    for kt, kc in zip(k_t, k_c):
        d = proportion_difference(int(kt), n_per_arm, int(kc), n_per_arm, confidence=confidence)
        rows.append(dict(estimate=d.value, ci_low=d.ci[0], ci_high=d.ci[1], p_value=d.parts["p_value"]))
    table = pd.DataFrame(rows)
    table.attrs["confidence"] = confidence
    return table


def experiment_view(n_per_arm: int, p_control: float, effect: float, *, experiments: int = 20,
                    confidence: float = 0.95, random_state=0, ax=None):
    """Text and plot for one setting of the experiment explorer.

    Power (``power_two_proportions``) is the share of such tests whose interval excludes 0 when the
    true effect is ``effect``; the figure shows ``experiments`` simulated runs, as a class of
    students each running the test would see them.

    Parameters
    ----------
    n_per_arm : int
    p_control : float
    effect : float, the true difference (a fraction; 0.03 = 3 points)
    experiments : int, default 20
    confidence : float, default 0.95
    random_state : int, default 0
    ax : matplotlib Axes, optional

    Returns
    -------
    (str, matplotlib Axes)

    Raises
    ------
    InputError
        As :func:`simulate_experiments`.

    Examples
    --------
    >>> text, ax = experiment_view(700, 0.10, 0.05)
    >>> text.split(";")[0]
    'n = 700 per arm, control 10%, true effect +5.0 points: power 81%'
    """
    table = simulate_experiments(n_per_arm, p_control, effect, experiments=experiments, confidence=confidence,
                                 random_state=random_state)
    found = int(((table["ci_low"] > 0) | (table["ci_high"] < 0)).sum())
    covered = int(((table["ci_low"] <= effect) & (effect <= table["ci_high"])).sum())
    width = 100 * float((table["ci_high"] - table["ci_low"]).median()) / 2
    if effect == 0:
        power = f"false-alarm rate {1 - confidence:.0%}"
    else:
        power = f"power {power_two_proportions(p_control, p_control + effect, n_per_arm, confidence=confidence).value:.0%}"
    text = (f"n = {n_per_arm:,} per arm, control {p_control:.0%}, true effect {100 * effect:+.1f} points: {power}; "
            f"of {experiments} runs, {found} excluded 0 and {covered} contained the true effect; a typical interval "
            f"is the estimate +/- {width:.1f} points")
    ax = experiment_intervals(table, effect=effect, ax=ax,
                              title=f"{experiments} runs of the same test ({n_per_arm:,} customers per arm)")
    return text, ax


def experiment_explorer(*, n_per_arm: int = 700, p_control: float = 0.10, effect: float = 0.05,
                        experiments: int = 20, random_state=0) -> Explorer:
    """Sliders for the customers per arm, the control rate and the true effect -> power and 20 runs' intervals.

    Parameters
    ----------
    n_per_arm : int, default 700, at the start
    p_control : float, default 0.10
    effect : float, default 0.05
    experiments : int, default 20
    random_state : int, default 0

    Returns
    -------
    Explorer

    Raises
    ------
    InputError
        As :func:`simulate_experiments`, for the starting values.

    Examples
    --------
    >>> explorer = experiment_explorer()
    >>> explorer.controls["n_per_arm"].value = 2_800
    >>> "power 100%" in explorer.label.value
    True
    >>> explorer.controls["p_control"].value = 0.9; explorer.controls["effect"].value = 0.15
    >>> "not a rate" in explorer.label.value
    True
    """
    controls = {
        "n_per_arm": w.IntSlider(n_per_arm, min=100, max=10_000, step=100, description="customers per arm",
                                 style=_STYLE, layout=w.Layout(**_LAYOUT)),
        "p_control": w.FloatSlider(p_control, min=0.05, max=0.9, step=0.05, description="control rate",
                                   readout_format=".0%", style=_STYLE, layout=w.Layout(**_LAYOUT)),
        "effect": w.FloatSlider(effect, min=-0.05, max=0.15, step=0.01, description="true effect",
                                readout_format=".0%", style=_STYLE, layout=w.Layout(**_LAYOUT)),
    }

    def view(ax, **values):
        p_treatment = values["p_control"] + values["effect"]
        if not 0 <= p_treatment <= 1:                  # say so on the figure rather than freeze the explorer
            ax.text(0.5, 0.5, "no such test: the treated rate would be outside 0-100%", ha="center", va="center",
                    transform=ax.transAxes)
            ax.set_axis_off()
            return (f"control {values['p_control']:.0%} + effect {100 * values['effect']:+.1f} points = "
                    f"{p_treatment:.0%}: not a rate. Lower the control rate or the effect."), ax
        ax.set_axis_on()
        return experiment_view(**values, experiments=experiments, random_state=random_state, ax=ax)

    return Explorer(view, controls, title="Experiment size, true effect, power and the intervals a class would see",
                    margins=dict(left=0.09))
