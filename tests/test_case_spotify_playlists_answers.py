"""The Spotify playlists case study's expected answers against independent computations: lifelines' Kaplan-Meier
fitter and restricted mean on durations computed here from the raw dates, the formula CLV written out by hand,
statsmodels' OLS on listening summed here in plain pandas; the choices are checked against the facts their
explanations rest on."""
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.utils import restricted_mean_survival_time

import retention_kit as rk
from retention_kit import exercises

WEEKS_PER_MONTH, MARGIN_MONTH, DISCOUNT = 365.25 / 12 / 7, 0.30 * 10.99, 0.01     # the case study's assumptions


@pytest.fixture(scope="module")
def raw():
    (subs, listening), truth = rk.datasets.make_playlist_rollout(random_state=2025)
    end = pd.Timestamp("2025-09-01")
    stop = subs["end_date"].fillna(end)
    subs = subs.assign(weeks=(stop - subs["rollout_date"]) / pd.Timedelta(weeks=1), cancelled=subs["end_date"].notna())
    return subs, listening, truth


def km(subs, listener, treated):
    chosen = subs[(subs["listener"] == listener) & (subs["treated"] == treated)]
    return KaplanMeierFitter().fit(chosen["weeks"], chosen["cancelled"])


def money_by_hand(subs, listener, cost_per_month=0.0):
    """10,000 [m dRMST + V dS - k (RMST_T + S_T V / m)], V the formula CLV (paid at the start of each month) at the
    control curve's monthly retention between weeks 13 and 26, discounted back 26 weeks."""
    treated, control = km(subs, listener, True), km(subs, listener, False)
    s = lambda f, t: float(f.survival_function_at_times(t).iloc[0])                  # noqa: E731
    r = (s(control, 26) / s(control, 13)) ** (WEEKS_PER_MONTH / 13)
    v = MARGIN_MONTH * (1 + DISCOUNT) / (1 + DISCOUNT - r) / (1 + DISCOUNT) ** (26 / WEEKS_PER_MONTH)
    m, k = MARGIN_MONTH / WEEKS_PER_MONTH, cost_per_month / WEEKS_PER_MONTH
    rt, rc = (restricted_mean_survival_time(f, t=26) for f in (treated, control))
    return 10_000 * (m * (rt - rc) + v * (s(treated, 26) - s(control, 26)) - k * (rt + s(treated, 26) * v / m))


def weekly(listening, start, end):
    inside = listening[(listening["week"] >= start) & (listening["week"] < end)]
    totals = inside.groupby("customer_id")[["days", "sessions", "minutes", "playlist_minutes"]].sum()
    return totals[["sessions", "minutes", "playlist_minutes"]].div(totals["days"] / 7, axis=0)


def ancova(subs, listening, listener, metric):
    """OLS of the measure after the rollout on the arm and the centred measure before it (statsmodels, HC1)."""
    import statsmodels.api as sm
    after, before = weekly(listening, "2025-03-03", "2025-09-01"), weekly(listening, "2025-02-03", "2025-03-03")
    chosen = subs[subs["listener"] == listener].set_index("customer_id")
    chosen = chosen[chosen.index.isin(after.index)]
    x = before.loc[chosen.index, metric]
    design = sm.add_constant(pd.DataFrame({"treated": chosen["treated"].astype(float), "x": x - x.mean()}))
    return sm.OLS(after.loc[chosen.index, metric], design).fit(cov_type="HC1"), after.loc[chosen.index], chosen


def test_long_time_value(raw):
    subs, _, _ = raw
    expected = money_by_hand(subs, "long-time")
    assert exercises.expected_answer("spotify-long-time-value") == pytest.approx(expected, rel=1e-6)


def test_adjusted_sessions_long_time(raw):
    subs, listening, truth = raw
    fit, _, _ = ancova(subs, listening, "long-time", "sessions")
    expected = fit.params["treated"] / fit.params["const"]
    assert exercises.expected_answer("spotify-adjusted-sessions-long-time") == pytest.approx(expected, rel=1e-9)
    assert abs(expected - truth["lift"]["long-time"]["sessions"]) < 0.03                # the planted +3%


def test_net_value_new(raw):
    subs, _, _ = raw
    expected = money_by_hand(subs, "new", cost_per_month=0.10)
    assert exercises.expected_answer("spotify-net-value-new") == pytest.approx(expected, rel=1e-6)
    assert 0 < expected < money_by_hand(subs, "new")


def test_long_time_listening_share(raw):
    subs, listening, _ = raw
    fit, after, chosen = ancova(subs, listening, "long-time", "minutes")
    expected = fit.params["treated"] / after.loc[chosen.index[chosen["treated"]], "playlist_minutes"].mean()
    assert exercises.expected_answer("spotify-long-time-listening-share") == pytest.approx(expected, rel=1e-9)


def test_the_judgement_answers_rest_on_the_data(raw):
    """(c) for mediation: usage comparisons are confounded (the curious stay longer without any playlist);
    (b) for the decision: the pooled value has an interval above 0, while the long-time listeners' retention
    interval includes 0 and also gains worth having."""
    subs, _, truth = raw
    assert exercises.expected_answer("spotify-judge-mediation") == "c"
    assert exercises.expected_answer("spotify-judge-rollout") == "b"
    control = subs[~subs["treated"]].set_index("customer_id")
    curious = truth["subscribers"].loc[control.index, "appetite"] >= truth["subscribers"]["appetite"].median()
    stayed = control["weeks"] >= 26
    assert stayed[curious].mean() - stayed[~curious].mean() > 0.05
    from retention_kit.exercises.case_spotify_playlists import curves
    from retention_kit.programs.rollout import retained_difference
    f = curves("long-time")
    kept = retained_difference(f["playlists"], f["control"], horizon=26)
    assert kept.ci[0] < 0 < kept.ci[1] and kept.ci[1] > 50          # 50 per 10,000 would be worth having
    everyone = retained_difference(curves(None)["playlists"], curves(None)["control"], horizon=26)
    assert everyone.ci[0] > 0
