"""The rollout's figures draw the numbers they are given: checked on the artists' data, not on pixels."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import retention_kit as rk  # noqa: E402
from retention_kit.plots import rollout as plots  # noqa: E402
from retention_kit.results import MetricResult  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_every_plot_is_tested_here():
    tested = {name[len("test_"):] for name in globals() if name.startswith("test_")}
    assert set(plots.__all__) <= tested, f"plots without a test: {sorted(set(plots.__all__) - tested)}"


def test_listening_distribution():
    d = pd.DataFrame({"minutes": [10.0, 100.0, 1000.0, 20.0, 0.0], "treated": [True, True, True, False, False]})
    ax = plots.listening_distribution(d, bins=4)
    lines = {line.get_label(): line for line in ax.lines}
    assert lines["treated mean"].get_xdata()[0] == pytest.approx(370.0)
    assert lines["treated median"].get_xdata()[0] == pytest.approx(100.0)
    assert lines["control mean"].get_xdata()[0] == pytest.approx(10.0)       # the 0 counts in the mean ...
    assert ax.get_xscale() == "log"
    counts = [p for p in ax.patches]
    assert len(counts) == 2                                                  # ... but not on a log axis
    assert {"treated (3)", "control (2; 1 at 0, not drawn)"} <= {t.get_text() for t in ax.get_legend().get_texts()}
    with pytest.raises(rk.InputError, match="treated"):
        plots.listening_distribution(d.drop(columns="treated"))
    with pytest.raises(rk.InputError, match="positive"):
        plots.listening_distribution(d.assign(minutes=0.0))


def test_lift_estimates():
    a = MetricResult("engagement_lift", "a", 0.12, "fraction", "", ci=(0.05, 0.2), confidence=0.9)
    b = MetricResult("engagement_lift", "b", -0.02, "fraction", "", ci=(-0.06, 0.01), confidence=0.9)
    ax = plots.lift_estimates({"new": a, "long-time": b}, planted={"long-time": 0.0})
    assert ax.lines[0].get_xdata().tolist() == pytest.approx([12.0, -2.0]) and ax.lines[0].get_ydata().tolist() == [1, 0]
    planted = next(line for line in ax.lines if line.get_label() == "planted")
    assert planted.get_xdata().tolist() == [0.0] and planted.get_ydata().tolist() == [0]
    segments = ax.collections[0].get_segments()
    assert [s[:, 0].round(6).tolist() for s in segments] == [[5.0, 20.0], [-6.0, 1.0]]
    assert "90% interval" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["new", "long-time"]
    with pytest.raises(rk.InputError, match="dict"):
        plots.lift_estimates({})
    with pytest.raises(rk.InputError, match="interval"):
        plots.lift_estimates({"x": MetricResult("k", "x", 1.0, "", "")})


def test_retention_gap():
    t = rk.survival.kaplan_meier(pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "churned": [True, False, False, False]}))
    c = rk.survival.kaplan_meier(pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "churned": [True, True, True, True]}))
    ax = plots.retention_gap(t["all"], c["all"], horizon=3)
    assert ax.lines[0].get_ydata().tolist() == pytest.approx([100.0, 75.0, 75.0, 75.0, 75.0])
    assert ax.lines[1].get_ydata().tolist() == pytest.approx([100.0, 75.0, 50.0, 25.0, 0.0])
    area = next(coll for coll in ax.collections if coll.get_label() == "area between (restricted mean)")
    vertices = area.get_paths()[0].vertices
    # the shaded region spans 0 to the horizon; its area is the difference of restricted means, in percent-weeks
    assert vertices[:, 0].min() == 0 and vertices[:, 0].max() == pytest.approx(3.0)
    x, y = vertices[:, 0], vertices[:, 1]
    shoelace = 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))
    assert shoelace == pytest.approx(100 * (2.5 - 2.25), rel=0.02)      # RMST to 3: 1 + 2 x 0.75 and 1 + 0.75 + 0.5
    assert ax.get_xlabel() == "time" and ax.lines[-1].get_xdata()[0] == 3
    named = plots.retention_gap(t["all"], c["all"], horizon=np.int64(3), labels=("playlists", "none"))
    assert named.lines[-1].get_xdata()[0] == 3                               # a numpy integer horizon
    assert [x.get_text() for x in named.get_legend().get_texts()][:2] == ["playlists", "none"]
    with pytest.raises(rk.InputError, match="labels"):
        plots.retention_gap(t["all"], c["all"], labels="playlists")
    with pytest.raises(rk.InputError, match="horizon"):
        plots.retention_gap(t["all"], c["all"], horizon=True)
    with pytest.raises(rk.InputError, match="fitter_control"):
        plots.retention_gap(t["all"], "curve")
    with pytest.raises(rk.InputError, match="horizon"):
        plots.retention_gap(t["all"], c["all"], horizon=-1)
