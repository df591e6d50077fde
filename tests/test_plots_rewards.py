"""The figures of the rewards case study draw the numbers they are given: checked on the artists' data, not pixels."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import retention_kit as rk  # noqa: E402
from retention_kit.plots import rewards as plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_every_plot_is_tested_here():
    tested = {name[len("test_"):] for name in globals() if name.startswith("test_")}
    assert set(plots.__all__) <= tested, f"plots without a test: {sorted(set(plots.__all__) - tested)}"


def test_offer_effects():
    index = pd.MultiIndex.from_tuples([("budget", "bogo_5"), ("budget", "disc"), ("new", "bogo_5"), ("new", "disc")],
                                      names=["segment", "offer"])
    table = pd.DataFrame({"effect": [1.0, -2.0, 3.0, 0.5], "ci_low": [0.0, -3.0, 2.0, -1.0],
                          "ci_high": [2.0, -1.0, 4.0, 2.0]}, index=index)
    table.attrs.update(confidence=0.9, outcome="net_value")
    ax = plots.offer_effects(table, planted=pd.Series([1.5, -2.5, 2.5, 0.0], index=index),
                             chosen={"budget": "none", "new": "bogo_5"})
    dots = ax.collections[1].get_offsets()
    assert dots[:, 0].tolist() == [1.0, -2.0, 3.0, 0.5]
    assert dots[0, 1] > dots[1, 1] > dots[2, 1] > dots[3, 1] and dots[1, 1] - dots[2, 1] > dots[0, 1] - dots[1, 1]
    headings = {t.get_text(): t.get_position()[1] for t in ax.texts}
    assert headings.keys() == {"budget (chosen: none)", "new"} and headings["new"] > dots[2, 1]
    segments = ax.collections[0].get_segments()
    assert [sorted(s[:, 0].tolist()) for s in segments] == [[0.0, 2.0], [-3.0, -1.0], [2.0, 4.0], [-1.0, 2.0]]
    sizes = ax.collections[1].get_sizes()
    assert sizes[2] > sizes[0] == sizes[1] == sizes[3]                # only new / bogo_5 is chosen
    planted = next(line for line in ax.lines if line.get_label() == "planted")
    assert planted.get_xdata().tolist() == [1.5, -2.5, 2.5, 0.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["bogo_5", "disc", "bogo_5", "disc"]
    legend = ax.get_legend()
    assert "90% interval" in [t.get_text() for t in legend.get_texts()]
    handle = legend.legend_handles[[t.get_text() for t in legend.get_texts()].index("90% interval")]
    assert handle.get_color() == "dimgrey"                        # not the first dot's colour
    assert ax.xaxis.get_major_formatter()(2.5, 0) == "$2.50" and ax.xaxis.get_major_formatter()(-3, 0) == "-$3"
    adjusted = table.assign(ci_low_adjusted=table["ci_low"] - 1, ci_high_adjusted=table["ci_high"] + 1)
    ax2 = plots.offer_effects(adjusted)
    dotted = ax2.collections[2].get_segments()              # the simultaneous intervals (after the dots), under each
    assert [sorted(s[:, 0].tolist()) for s in dotted] == [[-1.0, 3.0], [-4.0, 0.0], [1.0, 5.0], [-2.0, 3.0]]
    assert all(d[0, 1] < s[0, 1] for d, s in zip(dotted, ax2.collections[0].get_segments()))
    assert "90% interval adjusted for 4 comparisons (Bonferroni)" in [t.get_text() for t in ax2.get_legend().get_texts()]
    with pytest.raises(rk.InputError, match="ci_low"):
        plots.offer_effects(table.drop(columns="ci_low"))


def test_completion_bars():
    table = pd.DataFrame({"completed": [0.76, 0.5], "anyway": [0.63, 0.41], "ci_low": [0.11, 0.06],
                          "ci_high": [0.16, 0.12]}, index=["bogo_5", "bogo_10"])
    ax = plots.completion_bars(table)
    heights = [round(p.get_height(), 6) for p in ax.patches]
    assert heights == [76.0, 50.0, 63.0, 41.0]
    notes = [t.get_text() for t in ax.texts]
    assert notes[0] == "caused +13 pts\n(+11 to +16)" and notes[1].startswith("caused +9 pts")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["bogo_5", "bogo_10"]


def test_tenure_curves():
    month = pd.RangeIndex(3, name="month")
    ax = plots.tenure_curves({"still visiting": pd.Series([60.0, 70.0, 80.0], index=month),
                              "joined": pd.Series([55.0, 45.0, 35.0], index=month)})
    assert [line.get_xdata().tolist() for line in ax.lines] == [[1, 2, 3], [1, 2, 3]]
    assert ax.lines[1].get_ydata().tolist() == [55.0, 45.0, 35.0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["still visiting", "joined"]
    assert ax.get_ylim()[0] == 0
    with pytest.raises(rk.InputError, match="Series by month"):
        plots.tenure_curves({"x": [1, 2]})


def test_policy_bars():
    r = {"personalized": rk.MetricResult(kind="offer_policy_value", name="x", value=4.0, unit="currency", formula="",
                                         ci=(2.5, 5.5), confidence=0.95),
         "one offer": rk.MetricResult(kind="offer_policy_value", name="y", value=-1.0, unit="currency", formula="",
                                      ci=(-2.0, 0.5), confidence=0.95)}
    ax = plots.policy_bars(r, planted={"personalized": 4.5})
    assert [p.get_width() for p in ax.patches] == [4.0, -1.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["personalized", "one offer"]
    planted = next(line for line in ax.lines if line.get_label() == "planted")
    assert planted.get_xdata()[0] == 4.5 and np.isnan(planted.get_xdata()[1])
    assert "95% interval" in [t.get_text() for t in ax.get_legend().get_texts()]
    with pytest.raises(rk.InputError, match="MetricResult"):
        plots.policy_bars({"x": 3.0})
