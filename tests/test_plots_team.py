"""The figures of lesson 14 draw the numbers they are given: checked on the artists' data, not on pixels."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import retention_kit as rk  # noqa: E402
from retention_kit.plots import team as plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_every_plot_is_tested_here():
    tested = {name[len("test_"):] for name in globals() if name.startswith("test_")}
    assert set(plots.__all__) <= tested, f"plots without a test: {sorted(set(plots.__all__) - tested)}"


def test_lead_times():
    table = pd.DataFrame({"lead_weeks": [1.0, 5.0, np.nan, 3.0, 3.0]}, index=list("abcde"))
    table.attrs.update(lookback_weeks=5, threshold=0.25)
    planted = pd.Series([6.0, np.nan, 2.0, 8.0, 4.0], index=table.index)
    ax = plots.lead_times(table, planted=planted)
    # share of all five churners warned at least w weeks ahead, w = 1..5 (the never flagged count as never)
    assert ax.lines[0].get_xdata().tolist() == [1, 2, 3, 4, 5]
    assert ax.lines[0].get_ydata().tolist() == pytest.approx([80, 60, 60, 20, 20])
    # the planted lines describe the four churners with a planted onset (a, c, d, e) only
    assert ax.lines[1].get_ydata().tolist() == pytest.approx([100, 100, 75, 75, 50])      # onsets 6, 2, 8, 4
    assert ax.lines[2].get_ydata().tolist() == pytest.approx([75, 50, 50, 0, 0])          # leads 1, never, 3, 3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "flagged (p_churn >= 25%): all churners", "planted: drift had begun at least w weeks before (drifting churners)",
        "flagged (p_churn >= 25%): drifting churners only"]
    with pytest.raises(rk.InputError, match="indexed like the table"):
        plots.lead_times(table, planted=planted.iloc[:3])
    with pytest.raises(rk.InputError, match="no column 'lead_weeks'"):
        plots.lead_times(table.rename(columns={"lead_weeks": "lead"}))


def test_scale_timings():
    t = pd.DataFrame({"summary": ["rfm_summary"] * 4 + ["cohort_table"] * 2,
                      "method": ["rk.rfm_summary", "rk.rfm_summary", "DuckDB SQL", "DuckDB SQL", "rk.cohort_table",
                                 "rk.cohort_table"],
                      "customers": [1000, 100, 100, 1000, 100, 1000], "seconds": [2.0, 0.1, 0.3, 1.0, 0.05, 0.4],
                      "peak_memory_mb": [50.0, 5.0, 40.0, 45.0, 2.0, 20.0]})
    ax = plots.scale_timings(t)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    lines = {line.get_label(): line for line in ax.lines}
    assert lines["rfm_summary: rk.rfm_summary"].get_xdata().tolist() == [100, 1000]       # sorted by size
    assert lines["rfm_summary: rk.rfm_summary"].get_ydata().tolist() == [0.1, 2.0]
    assert lines["rfm_summary: DuckDB SQL"].get_ydata().tolist() == [0.3, 1.0]
    assert lines["rfm_summary: rk.rfm_summary"].get_color() != lines["rfm_summary: DuckDB SQL"].get_color()
    assert lines["rfm_summary: rk.rfm_summary"].get_linestyle() != lines["cohort_table: rk.cohort_table"].get_linestyle()
    memory = plots.scale_timings(t, value="peak_memory_mb")
    assert {line.get_label(): line.get_ydata().tolist() for line in memory.lines}["cohort_table: rk.cohort_table"] == \
        [2.0, 20.0]
    spark = t.assign(method=t["method"].where(t["method"] != "DuckDB SQL", "Spark"),
                     peak_memory_mb=t["peak_memory_mb"].where(t["method"] != "DuckDB SQL"))
    drawn = [line.get_label() for line in plots.scale_timings(spark, value="peak_memory_mb").lines]
    assert drawn == ["cohort_table: rk.cohort_table", "rfm_summary: rk.rfm_summary"]      # no memory, no line
    colours = {line.get_label(): line.get_color() for line in plots.scale_timings(spark).lines}
    assert colours["rfm_summary: Spark"] != colours["rfm_summary: rk.rfm_summary"]
    legend = [text.get_text() for text in plots.scale_timings(t).get_legend().get_texts()]
    assert legend == ["rk.rfm_summary", "DuckDB SQL", "rk.cohort_table", "rfm_summary", "cohort_table"]  # each once
    with pytest.raises(rk.InputError, match="positive"):
        plots.scale_timings(t.assign(seconds=0.0))
    with pytest.raises(rk.InputError, match="no column 'seconds'"):
        plots.scale_timings(t.drop(columns="seconds"))
