"""The figures of data-driven actions draw the numbers they are given: checked on the artists' data, not on pixels."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402

import retention_kit as rk  # noqa: E402
from retention_kit.plots import experiments as plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_every_plot_is_tested_here():
    tested = {name[len("test_"):] for name in globals() if name.startswith("test_")}
    assert set(plots.__all__) <= tested, f"plots without a test: {sorted(set(plots.__all__) - tested)}"


def test_uplift_bars():
    table = pd.DataFrame({"uplift": [0.12, -0.04], "ci_low": [0.08, -0.09], "ci_high": [0.16, 0.01]},
                         index=["discount users", "long tenure"])
    table.attrs["confidence"] = 0.9
    ax = plots.uplift_bars(table, planted=pd.Series({"long tenure": -0.05, "discount users": 0.1}))
    assert [round(p.get_width(), 6) for p in ax.patches] == [12.0, -4.0]                  # points, first on top
    assert [p.get_y() + p.get_height() / 2 for p in ax.patches] == [1.0, 0.0]
    container = next(c for c in ax.containers if isinstance(c, ErrorbarContainer))
    ends = [sorted(seg[:, 0].round(6)) for seg in container.lines[2][0].get_segments()]
    assert [list(map(float, e)) for e in ends] == [[8.0, 16.0], [-9.0, 1.0]]
    planted = next(line for line in ax.lines if line.get_label() == "planted")
    assert list(planted.get_xdata()) == pytest.approx([10.0, -5.0]) and list(planted.get_ydata()) == [1, 0]
    assert "90% interval" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["discount users", "long tenure"]
    with pytest.raises(rk.InputError, match="ci_low"):
        plots.uplift_bars(table.drop(columns="ci_low"))


def test_qini_curves():
    a = pd.DataFrame({"share": [0, 0.5, 1.0], "incremental": [0.0, 30.0, 40.0], "random": [0.0, 20.0, 40.0]})
    b = a.assign(incremental=[0.0, 5.0, 40.0])
    ax = plots.qini_curves({"by uplift": a, "by risk": b})
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert lines["by uplift"].get_xdata().tolist() == [0, 50, 100]
    assert lines["by uplift"].get_ydata().tolist() == [0, 30, 40] and lines["by risk"].get_ydata().tolist() == [0, 5, 40]
    assert lines["random order"].get_ydata().tolist() == [0, 20, 40]
    with pytest.raises(rk.InputError, match="dict"):
        plots.qini_curves(a)
    with pytest.raises(rk.InputError, match="random"):
        plots.qini_curves({"x": a.drop(columns="random")})


def test_policy_values():
    est = pd.DataFrame({"value": [100.0, 150.0], "ci_low": [50.0, 60.0], "ci_high": [150.0, 240.0]},
                       index=pd.Index([0.1, 0.2], name="share"))
    ax = plots.policy_values({"by uplift": est}, planted={"by uplift": pd.Series([110.0, 140.0], index=[0.1, 0.2])})
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert lines["by uplift (estimated)"].get_xdata().tolist() == pytest.approx([10, 20])
    assert lines["by uplift (estimated)"].get_ydata().tolist() == [100, 150]
    assert lines["by uplift (planted)"].get_ydata().tolist() == [110, 140]
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == 50 and band[:, 1].max() == 240
    assert ax.yaxis.get_major_formatter()(1500, 0) == "$1,500"
    with pytest.raises(rk.InputError, match="ci_high"):
        plots.policy_values({"x": est.drop(columns="ci_high")})


def test_experiment_intervals():
    table = pd.DataFrame({"estimate": [0.05, 0.01, -0.02], "ci_low": [0.02, -0.02, -0.04], "ci_high": [0.08, 0.04, -0.01]})
    ax = plots.experiment_intervals(table, effect=0.03)
    segments = ax.collections[0].get_segments()
    assert [s[:, 0].round(6).tolist() for s in segments] == [[2, 8], [-2, 4], [-4, -1]]
    colours = ax.collections[0].get_colors()
    found = [tuple(np.round(c, 3)) != tuple(np.round(matplotlib.colors.to_rgba("grey"), 3)) for c in colours]
    assert found == [True, False, True]                      # the intervals that exclude 0 are coloured
    assert [line.get_xdata()[0] for line in ax.get_lines()] == [3.0, 0.0]
    with pytest.raises(rk.InputError, match="estimate"):
        plots.experiment_intervals(table.drop(columns="estimate"), effect=0.0)
