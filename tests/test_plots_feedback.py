"""The figures of customer feedback loops draw the numbers they are given: checked on the artists' data, not on pixels."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402

import retention_kit as rk  # noqa: E402
from retention_kit.metrics import proportion_difference  # noqa: E402
from retention_kit.plots import feedback as plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def whiskers(ax):
    container = next(c for c in ax.containers if isinstance(c, ErrorbarContainer))
    return [tuple(float(round(x, 9)) for x in s[:, 0]) for s in container.lines[2][0].get_segments()]


def test_every_plot_is_tested_here():
    tested = {name[len("test_"):] for name in globals() if name.startswith("test_")}
    assert set(plots.__all__) <= tested, f"plots without a test: {sorted(set(plots.__all__) - tested)}"


def test_theme_crosstab():
    table = pd.DataFrame({"billing": [3, 0, 0], "sync": [1, 5, 0]}, index=pd.Index([0, 1, 2], name="found"))
    ax = plots.theme_crosstab(table, row_names={0: "0: invoice, charged"})
    assert ax.images[0].get_array().tolist() == [[75.0, 25.0], [0.0, 100.0], [0.0, 0.0]]   # shares of each row
    assert [t.get_text() for t in ax.texts] == ["75", "25", "0", "100", "0", "0"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0: invoice, charged", "1", "2"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["billing", "sync"]
    with pytest.raises(rk.InputError, match="table of counts"):
        plots.theme_crosstab(table * -1)


def test_theme_drivers():
    table = pd.DataFrame({"difference": [-2.0, 0.1], "ci_low": [-2.5, -0.3], "ci_high": [-1.5, 0.4]},
                         index=["sync", "login"])
    table.attrs.update(confidence=0.9, metric="mean", score_col="nps")
    ax = plots.theme_drivers(table, planted={"sync": -1.8, "login": 0.0})
    assert ax.lines[0].get_xdata().tolist() == [-2.0, 0.1] and ax.lines[0].get_ydata().tolist() == [0, 1]
    assert whiskers(ax) == [(-2.5, -1.5), (-0.3, 0.4)]
    planted = next(line for line in ax.lines if line.get_marker() == "x")
    assert planted.get_xdata().tolist() == [-1.8, 0.0] and to_hex(planted.get_color()) == rk.plots.RED
    assert "90% interval" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert ax.get_xlabel() == "difference in mean NPS (raised minus not raised)" and ax.get_title() == "Themes and NPS"
    adjusted = table.rename(columns={"difference": "effect"})
    assert "others alike held fixed" in plots.theme_drivers(adjusted).get_xlabel()
    named = plots.theme_drivers(table, planted={"sync": -1.8}, planted_label="true effect on the answers")
    assert "true effect on the answers" in [t.get_text() for t in named.get_legend().get_texts()]
    with pytest.raises(rk.InputError, match="no column 'ci_low'"):
        plots.theme_drivers(table.drop(columns="ci_low"))


def test_service_levels():
    table = pd.DataFrame({"resolution_days": [2.0, 6.0], "resolution_low": [1.5, 5.0], "resolution_high": [2.5, np.inf],
                          "mean_days_resolved": [3.0, 11.0], "first_response_hours": [4.0, 9.0],
                          "first_response_low": [3.0, 8.0], "first_response_high": [5.0, 10.0]},
                         index=["billing", "sync"])
    ax = plots.service_levels(table)
    assert [p.get_width() for p in ax.patches] == [2.0, 6.0]
    assert whiskers(ax) == [(1.5, 2.5), (5.0, 6.0)]                     # an infinite bound is not drawn
    means = next(line for line in ax.lines if line.get_marker() == "D")
    assert means.get_xdata().tolist() == [3.0, 11.0]
    assert not ax.texts                                                   # every median was reached
    resolved = plots.service_levels(table.assign(median_days_resolved=[1.8, 5.0]))
    dots = next(line for line in resolved.lines if line.get_marker() == "o")
    assert dots.get_xdata().tolist() == [1.8, 5.0]
    # a median not reached (infinite) draws no bar and says so, instead of a bar clipped at the axis
    open_ended = plots.service_levels(table.assign(resolution_days=[2.0, np.inf], resolution_high=[2.5, np.inf]))
    assert [p.get_width() for p in open_ended.patches] == [2.0, 0.0]
    assert [(t.get_text(), t.xy[1]) for t in open_ended.texts] == [("median not reached", 1)]
    assert whiskers(open_ended) == [(1.5, 2.5)]
    hours = plots.service_levels(table, measure="first_response")
    assert [p.get_width() for p in hours.patches] == [4.0, 9.0] and "hours" in hours.get_xlabel()
    with pytest.raises(rk.InputError, match="measure='median'"):
        plots.service_levels(table, measure="median")


def test_items_over_time():
    counts = pd.DataFrame({"sync": [10, 4, 3], "login": [8, 7, 6]},
                          index=pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]))
    ax = plots.items_over_time(counts, fixes={"sync": (pd.Timestamp("2025-02-01"), 0.45)})
    assert ax.lines[0].get_ydata().tolist() == [10, 4, 3] and ax.lines[1].get_ydata().tolist() == [8, 7, 6]
    fix = ax.lines[2]
    assert fix.get_linestyle() == "--" and fix.get_color() == ax.lines[0].get_color()     # the theme's colour
    assert [t.get_text() for t in ax.texts] == ["sync fix"]
    with pytest.raises(rk.InputError, match="fixes names theme"):
        plots.items_over_time(counts, fixes={"billing": "2025-02-01"})
    with pytest.raises(rk.InputError, match="indexed by the periods"):
        plots.items_over_time(counts.reset_index(drop=True))


def test_gap_estimates():
    estimates = {"naive": proportion_difference(60, 100, 40, 100), "within plan": proportion_difference(55, 100, 45, 100)}
    ax = plots.gap_estimates(estimates, planted=0.06)
    assert ax.lines[0].get_xdata() == pytest.approx([20.0, 10.0]) and ax.lines[0].get_ydata().tolist() == [1, 0]
    assert np.allclose(whiskers(ax), [100 * np.array(r.ci) for r in estimates.values()])
    planted = next(line for line in ax.lines if line.get_linestyle() == "--")
    assert list(planted.get_xdata()) == [6.0, 6.0] and to_hex(planted.get_color()) == rk.plots.RED
    assert dict(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels()))) == {1: "naive", 0: "within plan"}
    with pytest.raises(rk.InputError, match="not a result with an interval"):
        plots.gap_estimates({"naive": 0.2})


def test_fix_event_study():
    table = pd.DataFrame({"change": [0.1, 0.0, -0.4, -0.5], "change_low": [-0.2, np.nan, -0.6, -0.7],
                          "change_high": [0.5, np.nan, -0.1, -0.2]}, index=pd.Index([-2, -1, 0, 1], name="period"))
    table.attrs.update(theme="sync", confidence=0.9, period_days=365.25 / 12)
    ax = plots.fix_event_study(table, planted=-0.45)
    assert ax.lines[0].get_xdata().tolist() == [-2, 0, 1] and ax.lines[0].get_ydata().tolist() == [10.0, -40.0, -50.0]
    container = next(c for c in ax.containers if isinstance(c, ErrorbarContainer))
    spans = [tuple(float(round(y, 9)) for y in s[:, 1]) for s in container.lines[2][0].get_segments()]
    assert spans == [(-20.0, 50.0), (-60.0, -10.0), (-70.0, -20.0)]       # percent, the reference has none
    reference = next(line for line in ax.lines if line.get_markerfacecolor() == "white")
    assert reference.get_xdata().tolist() == [-1] and reference.get_ydata().tolist() == [0.0]
    planted = next(line for line in ax.lines if to_hex(line.get_color()) == rk.plots.RED)
    assert planted.get_xdata().tolist() == [-0.5, 1.5] and planted.get_ydata().tolist() == [-45.0, -45.0]
    assert "90% interval" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert ax.get_xlabel().startswith("months from the fix") and ax.get_title().startswith("sync")
    with pytest.raises(rk.InputError, match="no column 'change_low'"):
        plots.fix_event_study(table.drop(columns="change_low"))


def test_each_plot_draws_on_the_axes_it_is_given():
    _, ax = plt.subplots()
    assert plots.gap_estimates({"a": proportion_difference(6, 10, 4, 10)}, ax=ax) is ax
