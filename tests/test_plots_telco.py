"""The figures of the real-data lesson draw the numbers they are given: checked on the artists' data, not on pixels."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from lifelines import KaplanMeierFitter  # noqa: E402

import retention_kit as rk  # noqa: E402
from retention_kit.plots import telco as plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_every_plot_is_tested_here():
    tested = {name[len("test_"):] for name in globals() if name.startswith("test_")}
    assert set(plots.__all__) <= tested, f"plots without a test: {sorted(set(plots.__all__) - tested)}"


def test_log_minus_log():
    # four churners at t = 1..4: S = 3/4, 1/2, 1/4 (and 0 at t = 4, left out; t = 0 left out too)
    life = pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "churned": True})
    ax = plots.log_minus_log(rk.survival.kaplan_meier(life), xlabel="months")
    line = ax.lines[0]
    assert line.get_xdata().tolist() == pytest.approx(np.log([1, 2, 3]).tolist())
    assert line.get_ydata().tolist() == pytest.approx(np.log(-np.log([0.75, 0.5, 0.25])).tolist())
    assert ax.get_xlabel() == "months" and [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3"]
    assert plots.log_minus_log(rk.survival.kaplan_meier(life)).get_xlabel() == "time (log scale)"


def test_log_minus_log_ticks_follow_the_times_drawn():
    # days 10 to 400: round times within them, at their own positions (not months 1 to 120)
    life = pd.DataFrame({"duration": [10.0, 25.0, 60.0, 150.0, 320.0, 400.0], "churned": True})
    ax = plots.log_minus_log(rk.survival.kaplan_meier(life))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["10", "20", "30", "50", "100", "200", "300"]
    assert ax.get_xticks().tolist() == pytest.approx(np.log([10, 20, 30, 50, 100, 200, 300]).tolist())
    wide = pd.DataFrame({"duration": [0.01, 0.1, 1.0, 10.0, 100.0, 1000.0], "churned": True})
    labels = [t.get_text() for t in plots.log_minus_log(rk.survival.kaplan_meier(wide)).get_xticklabels()]
    assert labels == ["0.01", "0.1", "1", "10", "100"]                  # one per power of ten over a wide span


def test_log_minus_log_curves_are_a_constant_apart_under_proportional_hazards():
    """Exponential lifetimes with hazards 1 and 2: log(-log S) = log(h t), so the curves are log 2 apart."""
    rng = np.random.default_rng(0)
    n = 20000
    group = np.repeat(["slow", "fast"], n)
    duration = rng.exponential(np.where(group == "fast", 0.5, 1.0))
    life = pd.DataFrame({"duration": duration, "churned": True, "group": group})
    ax = plots.log_minus_log(rk.survival.kaplan_meier(life, by="group"))
    curves = {line.get_label(): line for line in ax.lines}
    reference = {}
    for name in ("slow", "fast"):      # lifelines directly, at the middle times where both curves are well estimated
        km = KaplanMeierFitter().fit(life.loc[life["group"] == name, "duration"])
        reference[name] = np.log(-np.log(km.survival_function_at_times([0.3, 0.6, 1.0]).to_numpy()))
        x, y = curves[name].get_xdata(), curves[name].get_ydata()
        drawn = y[np.searchsorted(x, np.log([0.3, 0.6, 1.0]), side="right") - 1]
        assert drawn == pytest.approx(reference[name], abs=1e-9)
    assert reference["fast"] - reference["slow"] == pytest.approx(np.log(2) * np.ones(3), abs=0.05)


def test_log_minus_log_refuses_what_has_no_slope():
    with pytest.raises(rk.InputError, match="non-empty dict"):
        plots.log_minus_log({})
    nobody = rk.survival.kaplan_meier(pd.DataFrame({"duration": [1.0, 2.0], "churned": False}))
    with pytest.raises(rk.InputError, match="no point with 0 < S"):
        plots.log_minus_log(nobody)


def test_stratified_differences():
    table = pd.DataFrame({"difference": [0.2, -0.05, 0.01], "ci_low": [0.1, -0.15, -0.02],
                          "ci_high": [0.3, 0.05, 0.04], "customers": [400, 100, 200]},
                         index=pd.MultiIndex.from_tuples([("m2m", "0-12"), ("m2m", "13-24"), ("1y", "0-12")]))
    table.attrs["confidence"] = 0.9
    pooled = rk.metrics.stratified_difference(pd.DataFrame({"successes_a": [30, 10], "n_a": [100, 100],
                                                            "successes_b": [20, 5], "n_b": [100, 100]}))
    ax = plots.stratified_differences(table, pooled={"pooled": pooled}, xlabel="gap")
    points = ax.collections[0].get_offsets()
    assert points[:, 0].tolist() == pytest.approx([20.0, -5.0, 1.0])
    assert points[:, 1].tolist() == [4, 3, 2]                                 # top to bottom, above the pooled row
    sizes = ax.collections[0].get_sizes()
    assert sizes[0] > sizes[2] > sizes[1]                                     # area follows the customers
    whiskers = ax.collections[1].get_segments()
    assert [v for s in whiskers for v in (s[0][0], s[1][0])] == pytest.approx([10, 30, -15, 5, -2, 4])
    diamond = ax.collections[-1].get_offsets()
    assert diamond[0].tolist() == pytest.approx([100 * pooled.value, 0])
    pooled_whisker = ax.collections[2].get_segments()[0]
    assert [pooled_whisker[0][0], pooled_whisker[1][0]] == pytest.approx([100 * pooled.ci[0], 100 * pooled.ci[1]])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["m2m, 0-12", "m2m, 13-24", "1y, 0-12", "pooled"]
    assert ax.get_xlabel() == "gap (90% intervals)"
    legend = ax.get_legend()                                                  # the marker area is explained
    assert [t.get_text() for t in legend.get_texts()] == ["100 customers", "400 customers"]
    assert [h.get_markersize() ** 2 for h in legend.legend_handles] == pytest.approx([15 + 150 * 100 / 400, 165])
    assert ax.get_ylim() == pytest.approx((-0.7, 4.7))                         # no empty row above the top stratum


def test_stratified_differences_without_pooled_rows_has_no_empty_row():
    table = pd.DataFrame({"difference": [0.2, -0.05], "ci_low": [0.1, -0.15], "ci_high": [0.3, 0.05]}, index=["a", "b"])
    ax = plots.stratified_differences(table)
    assert ax.collections[0].get_offsets()[:, 1].tolist() == [1, 0]
    assert ax.get_ylim() == pytest.approx((-0.7, 1.7)) and ax.get_legend() is None


def test_stratified_differences_refuses_a_table_it_cannot_draw():
    with pytest.raises(rk.InputError, match="ci_high"):
        plots.stratified_differences(pd.DataFrame({"difference": [0.1], "ci_low": [0.0]}))
    with pytest.raises(rk.InputError, match="no stratum"):
        plots.stratified_differences(pd.DataFrame({"difference": [], "ci_low": [], "ci_high": []}))
