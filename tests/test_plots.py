"""Every plot draws the numbers it is given: checked on the artists' data, not on pixels."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402

import retention_kit as rk  # noqa: E402
from retention_kit import plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def heights(ax):
    return [float(p.get_height()) for p in ax.patches]


def test_every_plot_is_tested_here():
    """Here or in a tests/test_plots_<topic>.py beside this file, by a test named test_<plot>."""
    import re
    from pathlib import Path
    files = Path(__file__).parent.glob("test_plots*.py")
    tested = {name for f in files for name in re.findall(r"^def test_(\w+)\(", f.read_text(), flags=re.M)}
    functions = {name for name in plots.__all__ if callable(getattr(plots, name))}
    assert functions <= tested, f"plots without a test: {sorted(functions - tested)}"


def test_score_distribution():
    ax = plots.score_distribution([10, 9, 3, 3, None, 7])
    assert heights(ax) == [0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 1]
    colours = [to_hex(p.get_facecolor()) for p in ax.patches]
    assert colours[3] == plots.CATEGORY_COLOURS["detractor"] and colours[7] == plots.CATEGORY_COLOURS["passive"]
    assert colours[10] == plots.CATEGORY_COLOURS["promoter"]


def test_nps_waves():
    results = {"March": rk.nps([10] * 30 + [3] * 10 + [8] * 60), "September": rk.nps([10] * 40 + [8] * 60, confidence=0.9)}
    ax = plots.nps_waves(results)
    line = ax.lines[0]
    assert line.get_ydata().tolist() == pytest.approx([20.0, 40.0])
    segments = ax.collections[0].get_segments()                  # the interval whiskers
    assert [y for s in segments for y in s[:, 1]] == pytest.approx([*results["March"].ci, *results["September"].ci])
    assert "95% intervals" in ax.get_title()                      # the label follows the first result's level
    assert [t.get_text() for t in ax.get_xticklabels()] == ["March", "September"]


def test_nps_interval_width():
    ax = plots.nps_interval_width([100, 1000], {"scenario": [9.8, 3.1]}, confidence=0.9)
    assert ax.lines[0].get_xdata().tolist() == [100, 1000] and ax.lines[0].get_ydata().tolist() == [9.8, 3.1]
    assert ax.get_xscale() == "log" and "90%" in ax.get_title()
    wide = plots.nps_interval_width([50, 20000], {"scenario": [14.0, 0.7]})
    wide.figure.canvas.draw()
    assert [t.get_text() for t in wide.get_xticklabels()] == ["100", "1,000", "10,000"]   # plain numbers, not 10^3
    assert not wide.xaxis.get_minorticklocs().size
    narrow = plots.nps_interval_width([200, 800], {"scenario": [7.0, 3.5]})              # no power of ten inside
    assert narrow.get_xticks().tolist() == [200, 800]


def test_rates_with_intervals():
    table = rk.rate_by(pd.DataFrame({"g": ["a"] * 10 + ["b"] * 4, "y": [1] * 8 + [0] * 2 + [1, 0, 0, 0]}), "g", "y",
                       confidence=0.8)
    ax = plots.rates_with_intervals(table, xlabel="churned")
    assert [p.get_width() for p in ax.patches] == pytest.approx([80.0, 25.0])
    container = next(c for c in ax.containers if isinstance(c, ErrorbarContainer))
    whiskers = container.lines[2][0].get_segments()
    assert [x for s in whiskers for x in s[:, 0]] == pytest.approx(
        [100 * x for k, n in [(8, 10), (1, 4)] for x in rk.proportion(k, n, confidence=0.8).ci])
    assert ax.get_xlabel() == "churned (whiskers: 80% intervals)"
    assert [t.get_text() for t in ax.texts] == [" 80.0%", " 25.0%"]
    with pytest.raises(rk.InputError, match="no column 'churn_rate'"):
        plots.rates_with_intervals(table, value_col="churn_rate")


def test_rating_distribution():
    ax = plots.rating_distribution([5, 4, 4, 2, 1, np.nan])
    assert heights(ax) == [1, 1, 0, 2, 1]
    assert to_hex(ax.patches[3].get_facecolor()) == plots.TEAL and to_hex(ax.patches[2].get_facecolor()) == "#bbbbbb"


def test_churn_over_time():
    table = pd.DataFrame({"period_start": pd.to_datetime(["2025-01-01", "2025-02-01"]), "churn_rate": [0.05, 0.02]})
    ax = plots.churn_over_time(table)
    assert ax.lines[0].get_ydata().tolist() == pytest.approx([5.0, 2.0])


def test_metric_over_time():
    rates = pd.DataFrame({"period_start": pd.to_datetime(["2025-01-01", "2025-04-01"]), "value": [0.10, 0.08],
                          "ci_low": [0.08, 0.06], "ci_high": [0.12, 0.11]})
    rates.attrs.update(metric="churn rate", confidence=0.9)
    ax = plots.metric_over_time(rates)
    assert ax.lines[0].get_ydata().tolist() == pytest.approx([10.0, 8.0])
    band = ax.collections[0].get_paths()[0].vertices[:, 1]                 # the interval, in per cent
    assert band.min() == pytest.approx(6.0) and band.max() == pytest.approx(12.0)
    assert ax.get_legend().get_texts()[0].get_text() == "90% interval"
    counts = rates.assign(value=[120.0, 130.0], ci_low=float("nan"), ci_high=float("nan"))
    counts.attrs.update(metric="new customers")
    ax = plots.metric_over_time(counts)
    assert ax.lines[0].get_ydata().tolist() == [120.0, 130.0] and not ax.collections and ax.get_legend() is None


def test_compounding():
    cumulative = [rk.compound_churn(0.05, periods=k).value for k in (1, 2, 3)]
    ax = plots.compounding(0.05, cumulative, periods=[1, 2, 3])
    assert ax.lines[0].get_ydata() == pytest.approx([5.0, 9.75, 14.2625])        # 1 - 0.95^k
    assert ax.lines[1].get_ydata() == pytest.approx([5.0, 10.0, 15.0])           # the mistake: 0.05 k
    assert ax.get_xlabel() == "months k"


def test_purchase_count_histogram():
    ax = plots.purchase_count_histogram(pd.Series([1, 1, 2, 5, 9]), clip_at=4)
    bars = {round(p.get_x() + p.get_width() / 2): p.get_height() for p in ax.patches if p.get_height() > 0}
    assert bars == {1: 2, 2: 1, 4: 2}                                             # 5 and 9 pooled at 4
    one = next(p for p in ax.patches if round(p.get_x() + p.get_width() / 2) == 1)
    assert to_hex(one.get_facecolor()) == plots.ORANGE


def test_repeat_probability():
    table = pd.DataFrame({"purchases": [1, 2], "probability": [0.4, 0.6]})
    assert plots.repeat_probability(table).lines[0].get_ydata().tolist() == pytest.approx([40.0, 60.0])


def test_repeat_probability_with_intervals_and_a_model():
    table = pd.DataFrame({"purchases": [1, 2], "probability": [0.4, 0.6], "ci_low": [0.3, 0.5], "ci_high": [0.5, 0.8]})
    model = pd.DataFrame({"purchases": [1, 2], "probability": [0.45, 0.55], "ci_low": [0.4, 0.5],
                          "ci_high": [0.5, 0.6]})
    ax = plots.repeat_probability(table, model=model, ylim=(20, 90))
    bars = ax.collections[0].get_segments()                    # one vertical error bar per point, in percent
    assert [tuple(np.round(seg[:, 1], 6)) for seg in bars] == [(30.0, 50.0), (50.0, 80.0)]
    dashed = next(line for line in ax.lines if line.get_linestyle() == "--")
    assert dashed.get_ydata().tolist() == pytest.approx([45.0, 55.0])
    band = ax.collections[1].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(40.0) and band.max() == pytest.approx(60.0)
    assert ax.get_ylim() == (20, 90)
    with pytest.raises(rk.InputError, match="model"):
        plots.repeat_probability(table, model=pd.DataFrame({"k": [1]}))


def test_spend_by_period():
    by_period = pd.DataFrame({"loyalty": [100.0, 50.0], "support": [20.0, 30.0]}, index=["2025Q1", "2025Q2"])
    ax = plots.spend_by_period(by_period)
    assert heights(ax) == [100.0, 50.0, 20.0, 30.0]
    assert [p.get_y() for p in ax.patches] == [0.0, 0.0, 100.0, 50.0]           # support stacked on loyalty
    assert ax.yaxis.get_major_formatter()(2000, 0) == "$2k"


def test_cohort_heatmap():
    retention = pd.DataFrame({0: [1.0, 1.0], 1: [0.5, np.nan], 2: [0.25, np.nan]},
                             index=pd.PeriodIndex(["2025-01", "2025-02"], freq="M"))
    ax = plots.cohort_heatmap(retention)
    mesh = ax.collections[0]
    values = np.ma.filled(mesh.get_array().astype(float), np.nan).reshape(2, 3)
    np.testing.assert_array_equal(values, [[100.0, 50.0, 25.0], [100.0, np.nan, np.nan]])   # blank, never 0
    assert sorted(t.get_text() for t in ax.texts if t.get_text()) == ["25", "50"]     # age 0 is not annotated
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2025-01", "2025-02"]


def test_retention_curves():
    averages = pd.DataFrame({"weighted": [1.0, 0.4], "simple": [1.0, 0.5]}, index=[0, 1])
    ax = plots.retention_curves(averages)
    assert ax.lines[0].get_ydata().tolist() == [100.0, 40.0] and ax.lines[1].get_ydata().tolist() == [100.0, 50.0]
    assert ax.get_xlabel() == "age (periods since first purchase)"
    averages.attrs["time_unit"] = "month"
    assert plots.retention_curves(averages).get_xlabel() == "age (months since first purchase)"


def test_survival_curves():
    life = pd.DataFrame({"duration": [1.0, 2.0, 2.0, 4.0], "churned": [True, True, False, True], "plan": list("aabb")})
    life.attrs["time_unit"] = "month"
    fitters = rk.survival.kaplan_meier(life, by="plan", confidence=0.9)
    ax = plots.survival_curves(fitters)
    a = ax.lines[0]
    assert a.get_xdata().tolist() == [0.0, 1.0, 2.0] and a.get_ydata().tolist() == pytest.approx([100.0, 50.0, 0.0])
    assert ax.get_xlabel() == "months"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["a", "b", "90% intervals"]
    plain = plots.survival_curves(fitters, show_intervals=False)
    assert not plain.collections


def test_predicted_vs_actual():
    table = pd.DataFrame({"predicted": [0.5, 1.5], "actual": [0.4, 1.7]}, index=[0, 1])
    ax = plots.predicted_vs_actual(table)
    assert ax.lines[0].get_ydata().tolist() == [0.4, 1.7] and ax.lines[1].get_ydata().tolist() == [0.5, 1.5]
    table.attrs["time_unit"] = "day"
    assert plots.predicted_vs_actual(table).get_xlabel() == "repeat purchase days in the calibration period"


def test_value_concentration():
    ax = plots.value_concentration([1.0, 3.0, 2.0, 0.0])
    curve = ax.lines[0]
    assert curve.get_xdata().tolist() == [25.0, 50.0, 75.0, 100.0]
    assert curve.get_ydata().tolist() == pytest.approx([50.0, 250 / 3, 100.0, 100.0])


def test_formula_clv_bars():
    ax = plots.formula_clv_bars({"end": 266.66, "start": 366.66, "undiscounted": 500.0})
    assert heights(ax) == [266.66, 366.66, 500.0]
    assert [t.get_text() for t in ax.texts] == ["$266.7", "$366.7", "$500.0"]


def test_period_transactions():
    table = pd.DataFrame({"actual": [5, 3, 2], "model": [4.5, 3.5, 2.0]}, index=pd.RangeIndex(3, name="frequency"))
    table.attrs.update(pooled_from=2, time_unit="day")
    ax = plots.period_transactions(table)
    assert [p.get_height() for p in ax.patches] == [5, 3, 2, 4.5, 3.5, 2.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2+"]
    assert ax.get_xlabel() == "repeat purchase days"


def test_frequency_recency_heatmap():
    matrix = pd.DataFrame([[1.0, np.nan, np.nan], [np.nan, 0.4, 0.9]], index=[0, 1], columns=[0, 5, 10])
    matrix.attrs.update(what="p_alive", T=10.0, time_unit="day")
    ax = plots.frequency_recency_heatmap(matrix)
    image = ax.images[0].get_array()
    assert image[1, 2] == 0.9 and bool(np.ma.is_masked(image[0, 1]) or np.isnan(image[0, 1]))
    assert ax.get_title() == "P(alive) at age 10 days" and ax.images[0].get_clim() == (0, 1)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "5", "10"]
    matrix.attrs.update(what="expected_purchases", horizon=30)
    assert plots.frequency_recency_heatmap(matrix).get_title() == "expected purchases in the next 30 days at age 10 days"


def test_transactions_over_time():
    index = pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"])
    table = pd.DataFrame({"actual_cumulative": [1.0, 3.0, 4.0], "model_cumulative": [1.5, 2.5, 4.5],
                          "actual": [1.0, 2.0, 1.0], "model": [1.5, 1.0, 2.0]}, index=index)
    table.attrs.update(time_unit="month", calibration_period_end=pd.Timestamp("2025-02-01"))
    ax = plots.transactions_over_time(table)
    assert ax.lines[0].get_ydata().tolist() == [1.0, 3.0, 4.0] and ax.lines[1].get_ydata().tolist() == [1.5, 2.5, 4.5]
    assert len(ax.lines) == 3                                            # the calibration end is marked
    ax = plots.transactions_over_time(table, cumulative=False)
    assert ax.lines[1].get_ydata().tolist() == [1.5, 1.0, 2.0] and ax.get_ylabel() == "repeat purchases per month"


def test_cohort_projection():
    projection = pd.DataFrame({"expected": [100.0, 60.0, 45.0], "ci_low": [100.0, 55.0, 40.0],
                               "ci_high": [100.0, 65.0, 50.0]}, index=pd.RangeIndex(3, name="period"))
    projection.attrs["confidence"] = 0.8
    ax = plots.cohort_projection(projection, observed=[100, 62], fitted_periods=1)
    assert ax.lines[0].get_ydata().tolist() == [100.0, 60.0, 45.0] and ax.lines[1].get_ydata().tolist() == [100, 62]
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == 40.0 and band[:, 1].max() == 100.0
    assert "80% interval (parameters)" in [t.get_text() for t in ax.get_legend().get_texts()]
    projection.attrs["include_chance"] = True
    legend = plots.cohort_projection(projection).get_legend()
    assert "80% interval (parameters and chance)" in [t.get_text() for t in legend.get_texts()]


def test_quality_findings():
    report = pd.DataFrame({"table": ["crm"] * 3 + ["usage"] * 40 + ["billing"] * 1000,
                           "fault": ["id_format", "id_format", "missing_value"] + ["orphan"] * 40 + ["unit"] * 1000})
    ax = plots.quality_findings(report)
    bars = {t.get_text(): w for t, w in zip(ax.get_yticklabels(), [p.get_width() for p in ax.patches])}
    assert bars == {"usage: orphan": 40, "crm: missing value": 1, "crm: id format": 2, "billing: unit": 1000}
    assert ax.get_xscale() == "log"


def test_raw_vs_clean():
    table = pd.DataFrame({"raw": [123_000.0, 1_030.0, 0.21], "single view": [1_230.0, 1_000.0, 0.21]},
                         index=["revenue", "customers", "churn rate"])
    ax = plots.raw_vs_clean(table)
    assert [(p.get_x(), round(p.get_x() + p.get_width(), 6)) for p in ax.patches] == [(1, 100.0), (1, 1.03), (1, 1.0)]
    assert [to_hex(p.get_facecolor()) for p in ax.patches] == [plots.RED, plots.ORANGE, plots.TEAL]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "no error (within 0.5%)", "off by less than 10%", "off by 10% or more"]
    with pytest.raises(rk.InputError, match="'nps'.*as a difference"):
        plots.raw_vs_clean(pd.DataFrame({"raw": [5.0], "single view": [-3.0]}, index=["nps"]))


def test_raw_vs_clean_draws_a_raw_zero_at_a_thousandth():
    ax = plots.raw_vs_clean(pd.DataFrame({"raw": [0.0], "single view": [51.0]}, index=["sessions"]))
    bar = ax.patches[0]
    assert (bar.get_x() + bar.get_width(), bar.get_x()) == pytest.approx((1e-3, 1))
    assert [t.get_text() for t in ax.texts] == ["x0 (no match)"]
