"""The dashboard's table and view: metric_over_time against a count from the raw rows, Wilson intervals against
scipy, the change on a year earlier against Newcombe's interval built from scipy's Wilson intervals."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import retention_kit as rk
from retention_kit import dashboard
from retention_kit.validation import InputError

SUBS = rk.datasets.load_saas_subscriptions()


def _brute(subs, t0, t1):
    """S and lost of [t0, t1), counted row by row from the definitions."""
    s = lost = new = 0
    for start, end in zip(subs["start_date"], subs["end_date"]):
        at_start = start < t0 and (pd.isna(end) or end >= t0)
        s += at_start
        lost += at_start and not pd.isna(end) and t0 <= end < t1
        new += t0 <= start < t1
    return s, lost, new


def _wilson(k, n, confidence=0.95):
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return ci.low, ci.high


@pytest.mark.parametrize("segment", [None, ("plan", "enterprise")])
def test_churn_by_quarter_counts_and_intervals_match_the_raw_rows(segment):
    table = rk.metrics.metric_over_time(SUBS, "churn rate", time_unit="quarter", segment=segment)
    rows = SUBS if segment is None else SUBS[SUBS[segment[0]] == segment[1]]
    assert str(table["period"].iloc[0]) == "2022Q1" and str(table["period"].iloc[-1]) == "2025Q4"   # data end 2025
    for _, row in table.iloc[[1, 5, -1]].iterrows():
        s, lost, _ = _brute(rows, row["period_start"], row["period_end"])
        assert (row["at_start"], row["lost"]) == (s, lost)
        assert row["value"] == pytest.approx(lost / s)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(_wilson(lost, s))


def test_retention_mirrors_churn_and_counts_are_counts():
    churn = rk.metrics.metric_over_time(SUBS, "churn rate", time_unit="year")
    kept = rk.metrics.metric_over_time(SUBS, "retention rate", time_unit="year", confidence=0.9)
    assert np.allclose(kept["value"].iloc[1:], 1 - churn["value"].iloc[1:])
    s, lost, new = _brute(SUBS, pd.Timestamp("2025-01-01"), pd.Timestamp("2026-01-01"))
    assert (kept["ci_low"].iloc[-1], kept["ci_high"].iloc[-1]) == pytest.approx(_wilson(s - lost, s, 0.9))
    starts = rk.metrics.metric_over_time(SUBS, "customers at the start", time_unit="year")
    joined = rk.metrics.metric_over_time(SUBS, "new customers", time_unit="year")
    assert (starts["value"].iloc[-1], joined["value"].iloc[-1]) == (s, new)
    assert starts["ci_low"].isna().all() and math.isnan(churn["value"].iloc[0])   # nobody at the start of 2022


def test_bad_settings_are_refused_with_the_fix():
    with pytest.raises(InputError, match="metric"):
        rk.metrics.metric_over_time(SUBS, "churn")
    with pytest.raises(InputError, match="week"):
        rk.metrics.metric_over_time(SUBS, time_unit="week")
    with pytest.raises(InputError, match=r"holds no 'gold'.*basic"):
        rk.metrics.metric_over_time(SUBS, segment=("plan", "gold"))
    with pytest.raises(InputError, match=r"segment=\('tier', 'gold'\): subscriptions has no column 'tier'"):
        rk.metrics.metric_over_time(SUBS, segment=("tier", "gold"))
    with pytest.raises(InputError, match=r"holds no '1'. Fix: one of \[0, 1, 2"):         # values shown as they are
        rk.metrics.metric_over_time(SUBS, segment=("unresolved_tickets_90d", "1"))
    with pytest.raises(InputError, match="pair"):
        rk.metrics.metric_over_time(SUBS, segment="basic")
    with pytest.raises(InputError, match="period_end='2027-01-01' is after the data end"):
        rk.metrics.metric_over_time(SUBS, period_end="2027-01-01")      # would count nobody as lost in 2026
    with pytest.raises(InputError, match=r"segment_cols=\('plan',\)"):
        dashboard.retention_dashboard(SUBS, segment_cols="plan")


def test_a_segment_is_observed_as_long_as_the_business():
    flagged = SUBS.assign(support=np.where(SUBS["unresolved_tickets_90d"] > 0, "unresolved", "resolved"))
    last_event = flagged.loc[flagged["support"] == "unresolved", ["start_date", "end_date"]].max().max()
    assert last_event < pd.Timestamp("2025-12-31")               # the segment's own last event is earlier ...
    table = rk.metrics.metric_over_time(flagged, segment=("support", "unresolved"), time_unit="year")
    assert str(table["period"].iloc[-1]) == "2025"                # ... but 2025 is complete for the business


def test_the_view_compares_the_last_quarter_with_a_year_earlier():
    text, ax = dashboard.dashboard_view(SUBS, "churn rate", "quarter")
    s1, l1, _ = _brute(SUBS, pd.Timestamp("2025-10-01"), pd.Timestamp("2026-01-01"))
    s0, l0, _ = _brute(SUBS, pd.Timestamp("2024-10-01"), pd.Timestamp("2025-01-01"))
    (a_low, a_high), (b_low, b_high) = _wilson(l1, s1), _wilson(l0, s0)
    p1, p0 = l1 / s1, l0 / s0                              # Newcombe's hybrid score interval, by hand
    low = p1 - p0 - math.hypot(p1 - a_low, b_high - p0)
    high = p1 - p0 + math.hypot(a_high - p1, p0 - b_low)
    assert text.startswith(f"churn rate, everyone, 2025Q4: {p1:.2%}") and "2024Q4" in text
    assert f"change of {100 * (p1 - p0):+.2f} points (95% interval {100 * low:+.2f} to {100 * high:+.2f}, " \
           "approximate: the two periods share customers)" in text
    assert len(ax.lines) == 1 and len(ax.collections) == 1          # the line and its interval band
    counts, _ = dashboard.dashboard_view(SUBS, "new customers", "year", ("plan", "basic"))
    n25 = _brute(SUBS[SUBS["plan"] == "basic"], pd.Timestamp("2025-01-01"), pd.Timestamp("2026-01-01"))[2]
    n24 = _brute(SUBS[SUBS["plan"] == "basic"], pd.Timestamp("2024-01-01"), pd.Timestamp("2025-01-01"))[2]
    half = 1.959964 * math.sqrt(n25 + n24)                    # difference of two Poisson counts
    assert counts == (f"new customers, plan = basic, 2025: {n25:,}; 2024: {n24:,}, a change of {n25 - n24:+,} "
                      f"(95% interval {n25 - n24 - half:+,.0f} to {n25 - n24 + half:+,.0f}, as Poisson counts)")
    stock, _ = dashboard.dashboard_view(SUBS, "customers at the start", "year")
    assert stock.endswith("(every customer counted: no sampling interval)")


def test_the_dashboard_is_a_thin_layer_over_the_view():
    dash = dashboard.retention_dashboard(SUBS)
    labels = [label for label, _ in dash.controls["segment"].options]
    assert labels == ["everyone", "plan = basic", "plan = enterprise", "plan = pro"]
    dash.controls["segment"].value = ("plan", "pro")
    dash.controls["time_unit"].value = "month"
    dash.controls["metric"].value = "retention rate"
    expected, _ = dashboard.dashboard_view(SUBS, "retention rate", "month", ("plan", "pro"))
    assert dash.label.value == f"<b>{expected}</b>"
    with pytest.raises(InputError, match="more than 50"):
        dashboard.retention_dashboard(SUBS, segment_cols=("customer_id",))
