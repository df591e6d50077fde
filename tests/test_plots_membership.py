"""The figures of the Amazon Prime case study draw the numbers they are given: checked on the artists' data."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402

import retention_kit as rk  # noqa: E402
from retention_kit.plots import membership as plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_every_plot_is_tested_here():
    tested = {name[len("test_"):] for name in globals() if name.startswith("test_")}
    assert set(plots.__all__) <= tested, f"plots without a test: {sorted(set(plots.__all__) - tested)}"


def test_group_trends():
    months = pd.to_datetime(["2024-07-01", "2024-08-01", "2025-07-01"])
    monthly = pd.DataFrame({"members": [2.0, 2.5, 3.5], "non-members": [1.0, 1.1, 1.2]}, index=months)
    windows = {"pre": ("2024-07-01", "2025-01-01"), "post": ("2025-07-01", "2026-01-01")}
    ax = plots.group_trends(monthly, windows=windows)
    assert ax.lines[0].get_ydata().tolist() == [2.0, 2.5, 3.5] and ax.lines[1].get_ydata().tolist() == [1.0, 1.1, 1.2]
    assert [t.get_text() for t in ax.texts] == ["pre window", "post window"]
    assert len(ax.patches) == 2                                       # the shaded windows
    with pytest.raises(rk.InputError, match="no column 'non-members'"):
        plots.group_trends(monthly.drop(columns="non-members"))


def test_estimate_intervals():
    t = pd.DataFrame({"estimate": [1.7, 0.8], "ci_low": [1.6, 0.6], "ci_high": [1.8, 1.0]},
                     index=["naive: members vs non-members", "inverse-propensity weighting"])
    t.attrs["confidence"] = 0.9
    ax = plots.estimate_intervals(t, planted=0.75)
    container = next(c for c in ax.containers if isinstance(c, ErrorbarContainer))
    segments = container.lines[2][0].get_segments()
    assert [s[:, 0].tolist() for s in segments] == [[1.6, 1.8], [0.6, 1.0]]
    assert [tick.get_text() for tick in ax.get_yticklabels()] == list(t.index)[::-1] or \
        [tick.get_text() for tick in ax.get_yticklabels()] == list(t.index)
    assert ax.lines[0].get_xdata().tolist() == [1.7, 0.8] and ax.lines[1].get_xdata().tolist() == [1.7]   # naive red
    assert 0.75 in [line.get_xdata()[0] for line in ax.lines[2:]]
    assert "90% interval" in [x.get_text() for x in ax.get_legend().get_texts()]
    with pytest.raises(rk.InputError, match="no column 'ci_high'"):
        plots.estimate_intervals(t.drop(columns="ci_high"))


def test_propensity_overlap():
    e = pd.Series([0.1, 0.2, 0.6, 0.7, 0.9])
    member = pd.Series([False, False, True, True, True])
    ax = plots.propensity_overlap(e, member, bins=2)
    heights = [p.get_height() for p in ax.patches]                   # densities over bins of width 0.5
    assert heights == pytest.approx([2.0, 0.0, 0.0, 2.0])   # non-members first, then members
    with pytest.raises(rk.InputError, match="same index"):
        plots.propensity_overlap(e, member.iloc[:3])
    with pytest.raises(rk.InputError, match="probabilities from 0 to 1"):
        plots.propensity_overlap(e + 0.5, member)


def test_benefit_usage():
    idx = pd.MultiIndex.from_product([["light", "heavy"], ["free_shipping", "streaming"]])
    usage = pd.DataFrame({"share": [0.6, 0.8, 0.99, 0.3], "ci_low": [0.5, 0.7, 0.95, 0.25],
                          "ci_high": [0.7, 0.9, 1.0, 0.35]}, index=idx)
    usage.attrs["confidence"] = 0.95
    planted = pd.DataFrame({"free_shipping": [0.62, 0.995], "streaming": [0.82, 0.31]}, index=["light", "heavy"])
    ax = plots.benefit_usage(usage, planted=planted)
    bars = [p for p in ax.patches]
    assert [round(b.get_height(), 6) for b in bars] == [60.0, 99.0, 80.0, 30.0]     # by benefit, then segment
    assert [t.get_text() for t in ax.get_xticklabels()] == ["light", "heavy"]
    ticks = [line for line in ax.lines if line.get_label() == "planted"]
    assert ticks[0].get_ydata().tolist() == pytest.approx([62.0, 99.5])
    assert ticks[0].get_marker() == "D" and ticks[0].get_color() != "black"     # not mistaken for interval caps
    with pytest.raises(rk.InputError, match="a \\(segment, benefit\\) index"):
        plots.benefit_usage(usage.reset_index(level=1, drop=True))


def test_selection_curves():
    curves = pd.DataFrame({"naive": [0.9, 1.6, 2.2], "DiD vs matched non-members": [0.7, 0.72, 0.8],
                           "planted": [0.7, 0.71, 0.79], "pre_ratio": [1.0, 1.8, 2.4]}, index=[0.0, 1.0, 2.0])
    ax = plots.selection_curves(curves, current=1.0)
    labels = [line.get_label() for line in ax.lines]
    assert labels[:3] == ["naive", "DiD vs matched non-members", "planted"] and "pre_ratio" not in labels
    assert ax.lines[0].get_ydata().tolist() == [0.9, 1.6, 2.2]
    marked = ax.lines[-1]
    assert marked.get_xdata().tolist() == [1.0, 1.0] and marked.get_ydata().tolist() == [1.6, 0.71]
    with pytest.raises(rk.InputError, match="no column 'planted'"):
        plots.selection_curves(curves.drop(columns="planted"))
    banded = plots.selection_curves(curves.assign(low=[0.5, 0.6, 0.7], high=[0.9, 1.0, 1.1]), band=("low", "high"))
    band = banded.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == pytest.approx(0.5) and band[:, 1].max() == pytest.approx(1.1)
    with pytest.raises(rk.InputError, match="no column 'low'"):
        plots.selection_curves(curves, band=("low", "high"))
    assert np.isfinite(ax.get_ylim()).all()
