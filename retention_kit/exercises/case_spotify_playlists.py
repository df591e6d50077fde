"""Exercises of the Spotify playlists case study: Cadence's simulated rollout of personalized playlists, built once."""
from functools import lru_cache

from ..datasets import make_playlist_rollout
from ..results import money_text
from .engine import Exercise, Solution, register

# the case study's calls: rk.datasets.make_playlist_rollout(random_state=2025), 26 weeks observed after the rollout,
# the 4 weeks before it as the pre-period, and its money assumptions (a month's fee, the margin, a monthly discount
# rate, the weeks of a month, the late window that sets a retained subscriber's value)
SEED, PRE_START, ROLLOUT, END, HORIZON = 2025, "2025-02-03", "2025-03-03", "2025-09-01", 26
FEE, GROSS_MARGIN, DISCOUNT, WEEKS_PER_MONTH, LATE = 10.99, 0.30, 0.01, 365.25 / 12 / 7, (13, 26)
COST_PER_MONTH = 0.10                     # exercise 3: the playlists' cost per treated subscriber and month


def _dollars(value):
    return ("-" if value < 0 else "") + money_text(abs(value))


@lru_cache(maxsize=None)
def rollout_data():
    """The case study's subscribers' lifetimes (in weeks from the rollout), listening per subscriber after the
    rollout and in the 4 weeks before it, and the simulator's truth."""
    from ..programs.rollout import listening_per_subscriber
    from ..survival import subscription_lifetimes
    (subscribers, listening), truth = make_playlist_rollout(random_state=SEED)
    lifetimes = subscription_lifetimes(subscribers, observation_period_end=END, start_col="rollout_date",
                                       time_unit="week")
    lifetimes["arm"] = lifetimes["treated"].map({True: "playlists", False: "control"})
    per = listening_per_subscriber(listening, subscribers, period_start=ROLLOUT, period_end=END)
    pre = listening_per_subscriber(listening, subscribers, period_start=PRE_START, period_end=ROLLOUT)
    return lifetimes, per, truth, pre


@lru_cache(maxsize=None)
def curves(listener):
    """Kaplan-Meier curves by arm ("playlists", "control") for one tenure group, or everyone (None)."""
    from ..survival import kaplan_meier
    lifetimes = rollout_data()[0]
    chosen = lifetimes if listener is None else lifetimes[lifetimes["listener"] == listener]
    return kaplan_meier(chosen, by="arm")


def value_at_horizon(fitter):
    """A subscriber's value at the horizon, discounted to the rollout: the formula CLV (payment at the start of each
    month) at the monthly retention of the curve between weeks 13 and 26."""
    from ..clv import formula_clv
    from ..programs.rollout import late_retention
    retention = late_retention(fitter, start=LATE[0], end=LATE[1], period=WEEKS_PER_MONTH).value
    clv = formula_clv(GROSS_MARGIN * FEE, retention=retention, discount_rate=DISCOUNT, timing="start")
    return clv.value / (1 + DISCOUNT) ** (HORIZON / WEEKS_PER_MONTH), retention


def _value(listener, cost_per_month=0.0, *, cost_per_week=None):
    from ..programs.rollout import rollout_value
    f = curves(listener)
    v, retention = value_at_horizon(f["control"])
    r = rollout_value(f["playlists"], f["control"], horizon=HORIZON, margin_per_period=GROSS_MARGIN * FEE
                      / WEEKS_PER_MONTH, value_at_horizon=v,
                      cost_per_period=cost_per_month / WEEKS_PER_MONTH if cost_per_week is None else cost_per_week)
    return r, v, retention


def _long_time_value():
    r, v, retention = _value("long-time")
    return Solution(r.value, dict(low=_dollars(r.ci[0]), high=_dollars(r.ci[1]), value=money_text(v),
                                  retention=retention, shown=_dollars(r.value),
                                  verdict="includes 0: the money for long-time listeners rests on a retention effect "
                                          "the test could not measure" if r.ci[0] <= 0 <= r.ci[1] else
                                          "excludes 0"))


def _adjusted_sessions_long_time():
    from ..programs.rollout import adjusted_lift, engagement_lift
    _, per, truth, pre = rollout_data()
    chosen = per[per["listener"] == "long-time"]
    r = adjusted_lift(chosen, pre, "sessions")
    plain = engagement_lift(chosen, "sessions")
    return Solution(r.value, dict(low=r.ci[0], high=r.ci[1], plain=plain.value, plain_low=plain.ci[0],
                                  plain_high=plain.ci[1], planted=truth["lift"]["long-time"]["sessions"]))


def _net_value_new():
    from ..survival import restricted_mean
    r, _, _ = _value("new", COST_PER_MONTH)
    gross = _value("new")[0].value
    weeks_in_half_year = restricted_mean(curves("new")["playlists"], horizon=HORIZON).value
    mistakes = {
        "that is the value before the playlists' cost; subtract what they cost per 10,000 treated new listeners":
            gross,
        "that charges 10 cents a week: the curves count weeks, so a monthly cost is divided by the weeks in a "
        "month": _value("new", cost_per_week=COST_PER_MONTH)[0].value,
        "that charges 10 dollars: 10 cents is 0.10": _value("new", 100 * COST_PER_MONTH)[0].value,
        "that counts the cost only within the half-year, while the value counts the months after it too: count "
        "costs over the same lifetime as the value":
            gross - 10_000 * COST_PER_MONTH / WEEKS_PER_MONTH * weeks_in_half_year,
        "that charges every treated subscriber for all 26 weeks, cancelled or not, and nothing after: a subscriber "
        "is charged only while subscribed, over the same lifetime as the value":
            gross - 10_000 * COST_PER_MONTH / WEEKS_PER_MONTH * HORIZON,
    }
    return Solution(r.value, dict(low=_dollars(r.ci[0]), high=_dollars(r.ci[1]), cost=money_text(r.cost),
                                  shown=_dollars(r.value), cents=100 * COST_PER_MONTH,
                                  months=r.treated_periods / WEEKS_PER_MONTH), mistakes)


def _long_time_listening_share():
    from ..programs.rollout import adjusted_lift
    _, per, truth, pre = rollout_data()
    chosen = per[per["listener"] == "long-time"]
    r = adjusted_lift(chosen, pre, "minutes")
    playlist = chosen.loc[chosen["treated"], "playlist_minutes"].mean()
    # planted, approximately: the mean lift times usual minutes over the playlist minutes (share s_i of (1 + lift) usual)
    planted = truth["subscribers"][truth["subscribers"]["listener"] == "long-time"]
    lift = truth["lift"]["long-time"]["minutes"]
    planted_share = (lift * planted["usual_minutes"].mean()
                     / ((1 + lift) * (planted["usual_minutes"] * planted["playlist_share"]).mean()))
    return Solution(r.difference / playlist, dict(extra=r.difference, playlist=playlist, planted=planted_share,
                                                  low=r.difference_ci[0] / playlist, high=r.difference_ci[1] / playlist))


register(
    Exercise("spotify-long-time-value",
             "value of the playlists per 10,000 long-time listeners, with their own value of a retained subscriber "
             "(effect stopping at 26 weeks)", _long_time_value,
             "{shown} per 10,000 long-time listeners (95% interval {low} to {high}, given the value of a retained "
             "subscriber): with their own monthly retention of {retention:.1%} between weeks 13 and 26, a long-time "
             "listener still there at week 26 is worth {value}. The interval {verdict}.",
             "the same calls as for new listeners in section 7, on the long-time listeners' curves: the value of a "
             "retained subscriber from their own control curve's late retention, then the rollout's value",
             abs_tol=0.5, rel_tol=0.005),
    Exercise("spotify-adjusted-sessions-long-time",
             "pre-period-adjusted lift in sessions a week for long-time listeners (mean, as a fraction)",
             _adjusted_sessions_long_time,
             "{answer:+.1%} (95% interval {low:+.1%} to {high:+.1%}; planted {planted:+.0%}); without the adjustment "
             "{plain:+.1%} ({plain_low:+.1%} to {plain_high:+.1%}). The pre-period absorbs most of the spread between "
             "listeners, so the same test measures the lift several times more precisely.",
             "adjust each subscriber's sessions after the rollout for their sessions before it; the case study's "
             "module has the adjusted estimator used in section 2", abs_tol=5e-4, unit="fraction"),
    Exercise("spotify-net-value-new",
             "net value per 10,000 new listeners if the playlists cost 10 cents per treated subscriber per month "
             "subscribed (effect stopping at 26 weeks)", _net_value_new,
             "{shown} (95% interval {low} to {high}): at {cents:.0f} cents a month, over the {months:.1f} months a "
             "treated new listener is expected to pay for (within the half-year and, discounted, after it), the "
             "playlists cost {cost} per 10,000. Costs and value are counted over the same lifetime.",
             "the rollout's value function takes a cost per period and per treated subscriber: convert the monthly "
             "cost to weeks, the curves' unit", abs_tol=0.5, rel_tol=0.005),
    Exercise("spotify-long-time-listening-share",
             "share of a treated long-time listener's playlist minutes that are extra listening, with the "
             "pre-period-adjusted difference in minutes", _long_time_listening_share,
             "{extra:.0f} extra minutes a week out of {playlist:.0f} from playlists: {answer:.0%} (95% interval "
             "{low:.0%} to {high:.0%}; planted, approximately, {planted:.0%}). For long-time listeners, most playlist minutes replaced listening they "
             "would have done anyway.",
             "divide the adjusted difference in minutes a week (long-time listeners, in the metric's units) by the "
             "treated long-time listeners' mean playlist minutes a week", abs_tol=0.005, unit="fraction"),
    Exercise("spotify-judge-mediation",
             "what the test supports about listening time and retention",
             lambda: Solution("c"),
             "the test randomized the playlists, not listening time: it measures the playlists' effect on each, "
             "and cannot tell how much of the retention effect passes through the extra listening.",
             "ask what was assigned at random, and what a comparison by listening time would compare",
             kind="choice",
             options={"a": "both effects are real, but that both moved does not show that one moved the other: "
                           "the playlists could retain through discovery or habit, with listening a side effect.",
                      "b": "heavy listeners differ from light ones in taste and habit, in both arms: that "
                           "comparison is an association, whatever the test randomized."}),
    Exercise("spotify-judge-rollout", "the best decision after this test",
             lambda: Solution("b"),
             "the pooled value answers the decision actually on the table (everyone now subscribed), and a "
             "per-subscriber-month cost compares with it on the same lifetime; the holdout keeps measuring what the "
             "test could not (long-time listeners' retention, the effect after 26 weeks).",
             "ask which subscribers the 'new listeners' were, what a policy by tenure would do at 6 months, and "
             "what the pooled value already shows",
             kind="choice",
             options={"a": "the new listeners of the test were subscribers of 0 to 6 months' tenure at the rollout; "
                           "a policy by tenure would take the playlists away at 6 months, which the test never "
                           "tried, and it says nothing yet of future sign-ups.",
                      "c": "an interval that includes 0 and effects worth having is inconclusive, not zero; and "
                           "the pooled value is positive with an interval above 0."}),
)
