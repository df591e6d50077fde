"""The measured scale timings ship with the package and load as measured: checked against the CSV read by hand and
against what the benchmark that made them writes."""
from pathlib import Path

import numpy as np
import pandas as pd

import retention_kit as rk

ROOT = Path(__file__).resolve().parents[1]
CSV = ROOT / "datasets" / "scale_timings.csv"


def test_the_loader_returns_the_file_as_measured_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    loaded = rk.datasets.load_scale_timings()
    pd.testing.assert_frame_equal(loaded, pd.read_csv(CSV))


def test_every_summary_method_and_size_is_there_once():
    t = pd.read_csv(CSV)
    assert list(t.columns) == ["summary", "method", "customers", "purchases", "seconds", "runs", "peak_memory_mb",
                               "data_mb"]
    sizes = [10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000, 10_000_000]
    assert sorted(t["customers"].unique()) == sizes
    combos = t.groupby(["summary", "method"]).size()
    assert set(combos.index) == {("rfm_summary", "rk.rfm_summary (pandas, numpy)"), ("rfm_summary", "DuckDB SQL"),
                                 ("cohort_table", "rk.cohort_table (pandas, numpy)"), ("cohort_table", "DuckDB SQL")}
    assert (combos == len(sizes)).all()


def test_the_logs_are_the_benchmark_s():
    """The benchmark's generator gives 1 + Poisson(2) purchases a customer (a few repeated rows dropped)."""
    import sys
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from bench_scale import make_log
    finally:
        sys.path.pop(0)
    t = pd.read_csv(CSV)
    small = make_log(10_000)
    assert t.loc[t["customers"] == 10_000, "purchases"].unique().tolist() == [len(small)]
    assert small["customer_id"].nunique() == 10_000 and small["date"].max() < pd.Timestamp("2026-01-01")
    per_customer = t["purchases"] / t["customers"]
    assert np.allclose(per_customer, 3.0, atol=0.05)       # 1 + E[Poisson(2)]; 3.5 standard errors at 10,000


def test_the_measurements_are_plausible():
    t = pd.read_csv(CSV)
    assert (t["seconds"] > 0).all() and (t["peak_memory_mb"] >= 0).all()
    assert (t["runs"] == np.where(t["customers"] < 1_000_000, 3, 1)).all()
    kit = t[t["method"].str.startswith("rk.")].sort_values("customers")
    for _, g in kit.groupby("summary"):                                 # a thousand times the data, far more time
        assert g["seconds"].iloc[-1] > 100 * g["seconds"].iloc[0]


def test_the_data_card_describes_the_file():
    card = (ROOT / "datasets" / "README.md").read_text()
    assert "## scale_timings.csv (measured, not simulated)" in card
    assert "bench_scale.py --csv ../datasets/scale_timings.csv" in card
