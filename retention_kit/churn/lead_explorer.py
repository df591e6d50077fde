"""The early-warning explorer: a threshold -> how far ahead churners are flagged, how many are missed, and how many
false alarms come with each true flag. A pure view (tested) and a thin layer of controls."""
from __future__ import annotations

import pandas as pd

from ..explorer import Explorer
from ..plots.team import lead_times as plot_lead_times
from ..validation import Integer, Probability, check
from .lead_time import _Prepared, _summary

__all__ = ["lead_time_view", "lead_time_explorer"]


def _weeks(value: float) -> str:
    return f"{value:g} week" + ("" if value == 1 else "s")


def _text(result) -> str:
    share = result.flagged / result.churners if result.churners else float("nan")
    cap = result.at_lookback_cap / result.flagged if result.flagged else float("nan")
    lead = (f"a median {_weeks(result.value)} ahead ({100 * result.confidence:g}% interval {result.ci[0]:g} to "
            f"{result.ci[1]:g}; {cap:.0%} of them at the {result.lookback_weeks}-week cap of the look-back)"
            if result.flagged else "none ahead")
    people = (f"{result.false_alarms_per_true_subscriber:.2f} false alarms per true one counted per subscriber at "
              f"the first flag ({result.first_flags - result.true_first_flags:,} false, {result.true_first_flags:,} "
              f"true)" if result.true_first_flags else "no true first flag among the subscribers judged")
    weekly = (f"{result.false_alarms_per_true_flag:.2f} per flag-week ({result.false_alarms:,} false, "
              f"{result.true_flags:,} true flag-weeks)" if result.true_flags
              else f"no true flag-week ({result.false_alarms:,} false)")
    return (f"flag p(churn) >= {result.threshold:.0%}: {result.flagged:,} of {result.churners:,} churners subscribed "
            f"throughout the {_weeks(result.lookback_weeks)} before cancelling flagged ({share:.0%}), {lead}; "
            f"{result.never_flagged_share:.0%} never flagged; {people}; {weekly}")


def _view(prepared: _Prepared, threshold: float, planted, ax):
    result = _summary(prepared, threshold, 0.95)
    table = result.table
    ax = plot_lead_times(table, planted=None if planted is None else planted.reindex(table.index), ax=ax)
    return _text(result), ax


def lead_time_view(scores: pd.DataFrame, subscribers: pd.DataFrame, threshold: float, *, lookback_weeks: int = 12,
                   horizon_weeks: int = 8, observation_period_end=None, planted=None, ax=None):
    """Text and plot for one threshold of the early-warning explorer.

    The numbers are those of ``rk.churn.lead_time_summary`` at the threshold (95% intervals): the
    churners flagged in the ``lookback_weeks`` before they cancelled and the median weeks of
    warning (and how many sit at the look-back's cap), the share never flagged, and the false
    alarms per true one, per subscriber at the first flag and per flag-week (a flag is true when the
    subscriber cancels within ``horizon_weeks``). The curve is the share of churners flagged at
    least w weeks ahead; ``planted`` adds, for the churners with a planted warning, the share of
    them flagged and the share whose warning had begun at least w weeks before.

    Parameters
    ----------
    scores : DataFrame of ``rk.churn.score_cutoffs``
    subscribers : DataFrame with ``customer_id``, ``start_date``, ``end_date``
    threshold : float
    lookback_weeks, horizon_weeks : int, default 12 and 8
    observation_period_end : date, optional (default the last cut-off)
    planted : Series of weeks by customer id, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    (str, matplotlib Axes)

    Raises
    ------
    InputError
        As ``rk.churn.lead_time_summary``.

    Examples
    --------
    >>> weeks = pd.date_range("2025-01-06", periods=4, freq="7D")
    >>> scores = pd.DataFrame({"customer_id": ["a"] * 4 + ["b"] * 4, "cutoff": list(weeks) * 2,
    ...                        "p_churn": [0.1, 0.6, 0.2, 0.7, 0.6, 0.1, 0.1, 0.1]})
    >>> subs = pd.DataFrame({"customer_id": ["a", "b"], "start_date": ["2024-06-03"] * 2,
    ...                      "end_date": [pd.Timestamp("2025-02-03"), None]})
    >>> text, ax = lead_time_view(scores, subs, 0.5, lookback_weeks=3, horizon_weeks=4,
    ...                           observation_period_end="2025-03-03")
    >>> print(text)
    flag p(churn) >= 50%: 1 of 1 churners subscribed throughout the 3 weeks before cancelling flagged (100%), a median 3 weeks ahead (95% interval nan to nan; 100% of them at the 3-week cap of the look-back); 0% never flagged; 1.00 false alarms per true one counted per subscriber at the first flag (1 false, 1 true); 0.50 per flag-week (1 false, 2 true flag-weeks)
    """
    threshold = check("threshold", threshold, Probability())
    lookback_weeks = check("lookback_weeks", lookback_weeks, Integer(low=1))
    horizon_weeks = check("horizon_weeks", horizon_weeks, Integer(low=1))
    prepared = _Prepared(scores, subscribers, lookback_weeks, horizon_weeks, observation_period_end, "customer_id",
                         "start_date", "end_date")
    return _view(prepared, threshold, planted, ax)


def lead_time_explorer(scores: pd.DataFrame, subscribers: pd.DataFrame, *, threshold: float = 0.2,
                       lookback_weeks: int = 12, horizon_weeks: int = 8, observation_period_end=None,
                       planted=None) -> Explorer:
    """A threshold slider -> the weeks of warning gained against the false alarms per true one.

    The scores are joined to the cancellations once; each move filters the flags, takes each
    churner's first flag and counts true and false flags (milliseconds), then redraws.

    Parameters
    ----------
    scores : DataFrame of ``rk.churn.score_cutoffs``
    subscribers : DataFrame with ``customer_id``, ``start_date``, ``end_date``
    threshold : float, default 0.2, the threshold at the start
    lookback_weeks, horizon_weeks : int, default 12 and 8
    observation_period_end : date, optional
    planted : Series of weeks by customer id, optional

    Returns
    -------
    Explorer

    Raises
    ------
    InputError
        For bad inputs, as :func:`lead_time_view`.

    Examples
    --------
    >>> weeks = pd.date_range("2025-01-06", periods=4, freq="7D")
    >>> scores = pd.DataFrame({"customer_id": ["a"] * 4, "cutoff": weeks, "p_churn": [0.1, 0.3, 0.2, 0.7]})
    >>> subs = pd.DataFrame({"customer_id": ["a"], "start_date": ["2024-06-03"], "end_date": ["2025-02-03"]})
    >>> explorer = lead_time_explorer(scores, subs, lookback_weeks=3, observation_period_end="2025-03-03")
    >>> "a median 3 weeks ahead" in explorer.label.value            # flagged on 13 January at 20%
    True
    >>> explorer.controls["threshold"].value = 0.5
    >>> "a median 1 week ahead" in explorer.label.value              # only on 27 January at 50%
    True
    """
    import ipywidgets as w
    threshold = check("threshold", threshold, Probability())
    prepared = _Prepared(scores, subscribers, check("lookback_weeks", lookback_weeks, Integer(low=1)),
                         check("horizon_weeks", horizon_weeks, Integer(low=1)), observation_period_end, "customer_id",
                         "start_date", "end_date")
    controls = dict(threshold=w.FloatSlider(threshold, min=0.05, max=0.6, step=0.01, readout_format=".0%",
                                            continuous_update=False, description="flag threshold",
                                            style={"description_width": "150px"}, layout=dict(width="460px")))

    def view(ax, threshold):
        return _view(prepared, threshold, planted, ax)

    return Explorer(view, controls, title="Early-warning explorer")
