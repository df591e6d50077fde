"""The figures of predictive churn draw the numbers they are given: checked on the artists' data, not on pixels."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

import retention_kit as rk  # noqa: E402
from retention_kit.churn import best_share, lift_table, profit_curve as campaign_curve  # noqa: E402
from retention_kit.metrics import calibration_table  # noqa: E402
from retention_kit.plots import churn as plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_every_plot_is_tested_here():
    tested = {name[len("test_"):] for name in globals() if name.startswith("test_")}
    assert set(plots.__all__) <= tested, f"plots without a test: {sorted(set(plots.__all__) - tested)}"


def test_calibration():
    predicted = pd.Series([0.1, 0.1, 0.2, 0.2, 0.6, 0.6, 0.8, 0.8])
    outcome = pd.Series([False, False, False, True, True, False, True, True])
    table = calibration_table(predicted, outcome, bins=2, confidence=0.9)
    ax = plots.calibration(table)
    assert ax.lines[0].get_xydata().tolist() == [[0, 0], [ax.get_xlim()[1], ax.get_xlim()[1]]]   # the diagonal
    assert ax.lines[1].get_xdata().tolist() == pytest.approx([15.0, 70.0])            # mean predictions, percent
    assert ax.lines[1].get_ydata().tolist() == pytest.approx([25.0, 75.0])            # observed shares
    container = next(c for c in ax.containers if isinstance(c, ErrorbarContainer))
    whiskers = container.lines[2][0].get_segments()
    assert [y for s in whiskers for y in s[:, 1]] == pytest.approx(
        [100 * v for k in (1, 3) for v in rk.proportion(k, 4, confidence=0.9).ci])
    assert "90% interval" in [t.get_text() for t in ax.get_legend().get_texts()]       # the table's level
    with pytest.raises(rk.InputError, match="the table's intervals are at 0.9"):
        plots.calibration(table, confidence=0.95)
    with pytest.raises(rk.InputError, match="no column 'ci_low'"):
        plots.calibration(table.drop(columns="ci_low"))


def test_lift_gain():
    y = [True, True, False, True, False, False, False, True, False, False]
    table = lift_table(y, list(range(10, 0, -1)), bins=5)
    ax = plots.lift_gain(table)
    assert ax.lines[0].get_xdata().tolist() == [0, 20, 40, 60, 80, 100]
    assert ax.lines[0].get_ydata().tolist() == [0, 50, 75, 75, 100, 100]
    assert ax.lines[1].get_xydata().tolist() == [[0, 0], [100, 100]]                    # a random ranking
    assert [t.get_text() for t in ax.texts] == ["lift 2.5x"]


def test_profit_curve():
    curve = campaign_curve(pd.Series([0.1, 0.6, 0.3]), 100.0, incentive=10, contact_cost=1, acceptance_rate=0.5)
    best = best_share(curve)
    ax = plots.profit_curve(curve, best=best)
    assert ax.lines[0].get_xdata().tolist() == pytest.approx([0, 100 / 3, 200 / 3, 100])
    assert ax.lines[0].get_ydata().tolist() == pytest.approx([0, 22, 27.5, 22])
    dot = next(line for line in ax.lines if line.get_marker() == "o")
    assert dot.get_xdata().tolist() == pytest.approx([200 / 3]) and dot.get_ydata().tolist() == [27.5]
    assert "best: top 66.7%, $28" in [t.get_text() for t in ax.get_legend().get_texts()]
    formatter = ax.yaxis.get_major_formatter()
    assert [formatter(v) for v in (-120_000, -500, 2500)] == ["-$120k", "-$500", "$2,500"]
    with pytest.raises(rk.InputError, match="best must be the result of best_share"):
        plots.profit_curve(curve, best=0.5)


def test_early_warning():
    table = pd.DataFrame({"hours_viewed": [-0.1, -0.3, -0.5], "failed_payment": [0.0, 0.1, 2.0]},
                         index=pd.Index([3, 2, 1], name="weeks_before"))
    table.attrs.update(threshold=0.2, first_week={"hours_viewed": 2, "failed_payment": 1})
    ax = plots.early_warning(table)
    assert ax.lines[0].get_xdata().tolist() == [3, 2, 1] and ax.lines[0].get_ydata().tolist() == [-0.1, -0.3, -0.5]
    assert ax.lines[1].get_ydata().tolist() == [0.0, 0.1, 2.0]
    circles = [(line.get_xdata().tolist(), line.get_ydata().tolist()) for line in ax.lines[2:4]]
    assert circles == [([2], [-0.3]), ([1], [2.0])]                                  # the first weeks
    band = next(p for p in ax.patches if isinstance(p, Rectangle))                    # axhspan: +/- threshold
    assert (band.get_y(), band.get_y() + band.get_height()) == pytest.approx((-0.2, 0.2))
    assert ax.get_xlim() == (3.5, 0.5)                                                 # towards the cancellation
    with pytest.raises(rk.InputError, match="no signal columns"):
        plots.early_warning(pd.DataFrame(index=[1, 2]))


def test_feature_importance():
    table = pd.DataFrame({"importance_mean": [0.10, 0.02, 0.05], "importance_sd": [0.01, 0.005, 0.02]},
                         index=pd.Index(["hours", "plan", "failed"], name="feature"))
    ax = plots.feature_importance(table)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert [round(float(b.get_width()), 3) for b in bars] == [0.02, 0.05, 0.1]          # largest on top
    assert [t.get_text() for t in ax.get_yticklabels()] == ["plan", "failed", "hours"]
    container = next(c for c in ax.containers if isinstance(c, ErrorbarContainer))
    spans = [x for s in container.lines[2][0].get_segments() for x in s[:, 0]]
    assert spans == pytest.approx([0.015, 0.025, 0.03, 0.07, 0.09, 0.11])              # mean +/- sd
    with pytest.raises(rk.InputError, match="no column 'importance_sd'"):
        plots.feature_importance(table.drop(columns="importance_sd"))


def test_each_plot_draws_on_the_axes_it_is_given():
    _, ax = plt.subplots()
    curve = campaign_curve(pd.Series(np.linspace(0.1, 0.9, 5)), 50.0, incentive=5, contact_cost=1, acceptance_rate=0.3)
    assert plots.profit_curve(curve, ax=ax) is ax


def test_control_chart():
    from retention_kit.experiments import control_limits
    table = control_limits([10, 12, 8, 10, 30, 11], [100] * 6, baseline_periods=4)
    ax = plots.control_chart(table)
    rate, centre, upper, lower, signal = ax.lines[:5]
    assert list(rate.get_ydata()) == pytest.approx([0.10, 0.12, 0.08, 0.10, 0.30, 0.11])
    assert list(upper.get_ydata()) == pytest.approx([0.19] * 6) and list(lower.get_ydata()) == pytest.approx([0.01] * 6)
    assert list(signal.get_xdata()) == [4] and to_hex(signal.get_color()) == plots.RED
    assert "control limits (3 sigma)" in [t.get_text() for t in ax.get_legend().get_texts()]
    ticks = ax.yaxis.get_major_formatter()
    assert [ticks(v, 0) for v in (0.0225, 0.025, 0.1, 0.0075)] == ["2.25%", "2.5%", "10%", "0.75%"]
    assert plots.control_chart(table, ylabel="weekly churn rate").get_ylabel() == "weekly churn rate"
