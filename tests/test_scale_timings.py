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


FRAME, FILES, SQL, SPARK = ("rk, pandas frame in memory", "rk, Parquet files (DuckDB)", "DuckDB SQL, Parquet files",
                             "rk, Spark local[2]")


def test_every_summary_method_and_size_is_there_once():
    t = pd.read_csv(CSV)
    assert list(t.columns) == ["summary", "method", "customers", "purchases", "seconds", "runs", "peak_memory_mb",
                               "data_mb", "parquet_mb"]
    frame_sizes = [10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000, 10_000_000]
    sizes = {FRAME: frame_sizes, FILES: frame_sizes + [30_000_000], SQL: frame_sizes + [30_000_000],
             SPARK: [1_000_000, 10_000_000]}
    assert not t.duplicated(["summary", "method", "customers"]).any()
    for summary in ("rfm_summary", "cohort_table"):
        for method, expected in sizes.items():
            got = t.loc[(t["summary"] == summary) & (t["method"] == method), "customers"].tolist()
            assert sorted(got) == expected, (summary, method)
    assert len(t) == 2 * sum(len(v) for v in sizes.values())


def test_memory_is_measured_where_it_can_be():
    """DuckDB and pandas run in the measured process; Spark's JVM does not, and has no figure."""
    t = pd.read_csv(CSV)
    assert t.loc[t["method"] == SPARK, "peak_memory_mb"].isna().all()
    assert (t.loc[t["method"] != SPARK, "peak_memory_mb"] > 0).all()
    big = t[t["customers"] == 10_000_000].set_index(["summary", "method"])
    for summary in ("rfm_summary", "cohort_table"):     # the frame's peak includes the log it holds
        assert big.loc[(summary, FRAME), "peak_memory_mb"] > big.loc[(summary, FRAME), "data_mb"]


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
    assert (t["seconds"] > 0).all()
    assert (t["runs"] == np.where(t["customers"] < 1_000_000, 3, 1)).all()
    frame = t[t["method"] == FRAME].sort_values("customers")
    for _, g in frame.groupby("summary"):                               # a thousand times the data, far more time
        assert g["seconds"].iloc[-1] > 100 * g["seconds"].iloc[0]
    per_size = t.groupby("customers")[["purchases", "data_mb", "parquet_mb"]].nunique()
    assert (per_size == 1).all().all()                                  # one log per size, for every method


def test_the_data_card_describes_the_file():
    card = (ROOT / "datasets" / "README.md").read_text()
    assert "## scale_timings.csv (measured, not simulated)" in card
    assert "bench_scale.py --csv ../datasets/scale_timings.csv" in card
