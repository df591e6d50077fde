"""The figures of segments draw the numbers they are given: checked on the artists' data, not on pixels."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402

from retention_kit import InputError  # noqa: E402
from retention_kit.plots import segments as plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def whiskers(ax):
    """The (low, high) ends of every error bar, flattened, in the order drawn."""
    return [float(y) for c in ax.containers if isinstance(c, ErrorbarContainer)
            for s in c.lines[2][0].get_segments() for y in s[:, 1]]


def test_every_plot_is_tested_here():
    tested = {name[len("test_"):] for name in globals() if name.startswith("test_")}
    assert set(plots.__all__) <= tested, f"plots without a test: {sorted(set(plots.__all__) - tested)}"


def test_segment_profiles():
    profiles = pd.DataFrame({"size": [1350, 1050, 600], "share": [0.45, 0.35, 0.2], "nights": [1.5, 4.0, 5.5],
                             "lead_time": [7.0, 45.0, 90.0], "flat": [2.0, 2.0, 2.0]},
                            index=pd.Index([0, 1, 2], name="cluster"))
    ax = plots.segment_profiles(profiles)
    # rows are features, coloured from the row's lowest cluster (0) to its highest (1); a flat row at 0.5
    np.testing.assert_allclose(ax.images[0].get_array(), [[0, 0.625, 1], [0, 38 / 83, 1], [0.5, 0.5, 0.5]])
    assert [t.get_text() for t in ax.texts] == ["1.5", "4", "5.5", "7", "45", "90", "2", "2", "2"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["nights", "lead_time", "flat"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0\n(n=1,350)", "1\n(n=1,050)", "2\n(n=600)"]
    assert ax.get_xlabel() == "cluster"
    chosen = plots.segment_profiles(profiles, columns=["lead_time"])
    np.testing.assert_allclose(chosen.images[0].get_array(), [[0, 38 / 83, 1]])
    with pytest.raises(InputError, match="profiles has no column 'age'"):
        plots.segment_profiles(profiles, columns=["age"])
    with pytest.raises(InputError, match="profiles has no column 'size'"):
        plots.segment_profiles(profiles.drop(columns="size"))


def test_cluster_choice():
    table = pd.DataFrame({"silhouette": [0.46, 0.48, 0.40], "silhouette_sd": [0.01, 0.002, 0.02],
                          "stability": [1.0, 1.0, 0.83]}, index=pd.Index([2, 3, 4], name="k"))
    ax = plots.cluster_choice(table, chosen=3)
    silhouette, stability, marker = ax.lines[0], ax.lines[1], ax.lines[-1]
    assert silhouette.get_xdata().tolist() == [2, 3, 4] and silhouette.get_ydata().tolist() == [0.46, 0.48, 0.40]
    assert stability.get_ydata().tolist() == [1.0, 1.0, 0.83]
    assert whiskers(ax) == pytest.approx([0.45, 0.47, 0.478, 0.482, 0.38, 0.42])
    assert list(marker.get_xdata()) == [3, 3]
    assert ax.get_xticks().tolist() == [2, 3, 4]
    with pytest.raises(InputError, match="choice_table has no column 'stability'"):
        plots.cluster_choice(table.drop(columns="stability"))


def test_offer_values():
    index = pd.MultiIndex.from_product([["business", "family"], ["none", "spa", "upgrade"]], names=["segment", "offer"])
    table = pd.DataFrame({"value": [0, -10, 34, 0, 2, -5.6], "value_low": [0, -20, 20, 0, -8, -12.0],
                          "value_high": [0, 0, 48, 0, 12, 1.0]}, index=index)
    table.attrs.update(confidence=0.9, control="none")
    ax = plots.offer_values(table)
    # the control (worth 0 by definition) is left out; bars by offer, then segment
    assert [float(p.get_height()) for p in ax.patches] == pytest.approx([-10, 2, 34, -5.6])
    centres = [p.get_x() + p.get_width() / 2 for p in ax.patches]
    assert centres == pytest.approx([-0.2, 0.8, 0.2, 1.2])
    assert whiskers(ax) == pytest.approx([-20, 0, -8, 12, 20, 48, -12, 1])
    assert "90% intervals" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["business", "family"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["spa", "upgrade"]
    with pytest.raises(InputError, match=r"confidence=0.95 is not the level the table's intervals were computed at \(0.9\)"):
        plots.offer_values(table, confidence=0.95)
    with pytest.raises(InputError, match="table has no column 'value_low'"):
        plots.offer_values(table.drop(columns="value_low"))
    flat = table.reset_index(level="offer")
    with pytest.raises(InputError, match=r"indexed by \(segment, offer\)"):
        plots.offer_values(flat)
    missing = table.drop(index=("family", "upgrade"))            # a cell without guests: no bar, nothing else moves
    assert [float(p.get_height()) for p in plots.offer_values(missing).patches] == pytest.approx([-10, 2, 34])
    assert np.isclose(plots.offer_values(table, confidence=0.9).patches[0].get_height(), -10)
