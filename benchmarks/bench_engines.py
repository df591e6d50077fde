"""The kit's transaction-log summaries on a large Parquet log, against hand-written SQL on the same engine.

Usage: python benchmarks/bench_engines.py [--rows 50000000] [--spark-rows 50000000] [--repeat 2] [--keep DIR]

Writes a log of ``--rows`` purchases as Parquet files in a temporary folder (never committed; about
16 bytes a purchase), then times, side by side in this one run:

* ``rk.rfm_summary(path)``: the lazy path (DuckDB scans the files; the summary comes back as pandas),
  against the same summary written by hand in DuckDB SQL over the same files, also returned as pandas;
* on Spark ``local[2]`` (with ``--spark-rows`` > 0): ``rk.rfm_summary(spark.read.parquet(path))``
  written out to Spark's no-op sink, against hand-written Spark SQL written to the same sink.

The kit runs twice on each engine: with every check of ``require_transactions`` (the default), and with
``check_repeated_rows=False``, which skips the one check that is a whole pass over every column (the
count of rows repeated in every column). The hand-written SQL checks nothing.

Each timed call runs in a fresh child process. For DuckDB, which runs inside it, the process's peak
resident memory (``ru_maxrss``) is reported with the time (Python's own tracing does not see
DuckDB's memory); Spark's JVM is another process, capped by ``spark.driver.memory``. Results
are checked equal, value for value, before any time is printed.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
END = "2026-01-01"


def write_log(folder: Path, rows: int, *, files: int = 8, seed: int = 0) -> None:
    """``rows`` purchases by rows / 10 customers over 2024-2025, as ``files`` Parquet files (written in chunks)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    rng = np.random.default_rng(seed)
    customers = max(rows // 10, 1)
    start = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
    per_file = -(-rows // files)
    for i in range(files):
        n = min(per_file, rows - i * per_file)
        if n <= 0:
            break
        ids = rng.integers(0, customers, n)
        seconds = start + np.sort(rng.integers(0, 2 * 365 * 86_400, n))
        table = pa.table({"customer_id": pa.array(ids, pa.int64()),
                          "date": pa.array(seconds.astype("datetime64[s]").astype("datetime64[us]")),
                          "amount": pa.array(np.round(rng.gamma(2.0, 12.0, n), 2))})
        pq.write_table(table, folder / f"part-{i:03d}.parquet")


DUCKDB_SQL = """
SELECT customer_id,
       count(*) - 1.0 AS frequency,
       max(p) - min(p) + 0.0 AS recency,
       {last} - min(p) + 0.0 AS "T",
       CASE WHEN count(*) > 1 THEN (sum(amount) - min_by(amount, p)) / (count(*) - 1) ELSE 0.0 END AS monetary_value
FROM (SELECT customer_id, datediff('day', DATE '1970-01-01', CAST(date AS DATE)) AS p, sum(amount) AS amount
      FROM read_parquet('{glob}') WHERE date < TIMESTAMP '{end}' GROUP BY ALL)
GROUP BY customer_id
"""

SPARK_SQL = """
SELECT customer_id,
       count(*) - 1.0 AS frequency,
       max(p) - min(p) + 0.0 AS recency,
       {last} - min(p) + 0.0 AS T,
       CASE WHEN count(*) > 1 THEN (sum(amount) - min_by(amount, p)) / (count(*) - 1) ELSE 0.0 END AS monetary_value
FROM (SELECT customer_id, datediff(CAST(date AS DATE), DATE '1970-01-01') AS p, sum(amount) AS amount
      FROM log WHERE date < TIMESTAMP_NTZ '{end}' GROUP BY customer_id, datediff(CAST(date AS DATE), DATE '1970-01-01'))
GROUP BY customer_id
"""


def child(task: str, folder: str, out: str) -> None:
    """Run one timed task in this process; write its time, peak memory and a result file."""
    import resource
    glob = os.path.join(folder, "*.parquet")
    last = (np.datetime64(END, "D") - np.datetime64("1970-01-01", "D")).astype(int) - 1
    import duckdb
    import retention_kit as rk                             # imports are not the summary's time
    checks = {"check_repeated_rows": not task.endswith("-unchecked")}
    if task.startswith(("kit-duckdb", "sql-duckdb")):
        started = time.perf_counter()
        if task.startswith("kit-duckdb"):
            result = rk.rfm_summary(glob, observation_period_end=END, **checks).reset_index()
        else:
            result = duckdb.connect().sql(DUCKDB_SQL.format(last=last, glob=glob, end=END)).df()
        seconds = time.perf_counter() - started
        result.attrs = {}                                  # the kit records its dates there; Parquet wants JSON
        result.sort_values("customer_id").to_parquet(out + ".parquet")
    else:
        from pyspark.sql import SparkSession
        spark = (SparkSession.builder.master("local[2]").config("spark.sql.session.timeZone", "UTC")
                 .config("spark.ui.enabled", "false").config("spark.driver.memory", "6g").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        log = spark.read.parquet(folder)
        started = time.perf_counter()                      # the session's start-up is not the summary's time
        if task.startswith("kit-spark"):
            result = rk.rfm_summary(log, observation_period_end=END, **checks)
        else:
            log.createOrReplaceTempView("log")
            result = spark.sql(SPARK_SQL.format(last=last, end=END))
        result.write.format("noop").mode("overwrite").save()
        seconds = time.perf_counter() - started
        result.orderBy("customer_id").limit(2000).toPandas().to_parquet(out + ".parquet")
        spark.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20          # KiB -> GiB
    Path(out + ".json").write_text(json.dumps({"seconds": seconds, "peak_gib": peak}))


def run(task: str, folder: Path, repeat: int) -> tuple[dict, str]:
    best = None
    for i in range(repeat):
        out = str(folder.parent / f"{task}-{i}")
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", task, str(folder), out], check=True,
                       cwd=HERE)
        got = json.loads(Path(out + ".json").read_text())
        best = got if best is None or got["seconds"] < best["seconds"] else best
    return best, out + ".parquet"


def same(a: str, b: str) -> bool:
    import pandas as pd
    x, y = pd.read_parquet(a), pd.read_parquet(b)
    x, y = x.sort_values("customer_id").reset_index(drop=True), y.sort_values("customer_id").reset_index(drop=True)
    cols = ["customer_id", "frequency", "recency", "T"]
    return (x[cols].equals(y[cols].astype(x[cols].dtypes.to_dict()))
            and np.allclose(x["monetary_value"], y["monetary_value"], rtol=1e-9, atol=1e-9))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--spark-rows", type=int, default=50_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--keep", help="write the log here and keep it (default: a temporary folder)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(args.keep) if args.keep else Path(scratch)
        folder = base / "log"
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        write_log(folder, args.rows)
        size = sum(f.stat().st_size for f in folder.glob("*.parquet")) / 2 ** 30
        print(f"log: {args.rows:,} purchases, {size:.2f} GiB of Parquet, written in {time.perf_counter() - started:.0f} s")
        kit, kit_file = run("kit-duckdb", folder, args.repeat)
        fast, fast_file = run("kit-duckdb-unchecked", folder, args.repeat)
        sql, sql_file = run("sql-duckdb", folder, args.repeat)
        if not (same(kit_file, sql_file) and same(fast_file, sql_file)):
            raise SystemExit("DuckDB: the kit's summary and the hand-written SQL differ")
        print(f"DuckDB, rk.rfm_summary(path):   {kit['seconds']:7.1f} s, peak {kit['peak_gib']:.2f} GiB")
        print(f"  check_repeated_rows=False:    {fast['seconds']:7.1f} s, peak {fast['peak_gib']:.2f} GiB")
        print(f"DuckDB, hand-written SQL:       {sql['seconds']:7.1f} s, peak {sql['peak_gib']:.2f} GiB")
        print(f"ratio kit / SQL: {kit['seconds'] / sql['seconds']:.2f}x, without the repeated-rows count "
              f"{fast['seconds'] / sql['seconds']:.2f}x   identical results: True")
        if args.spark_rows:
            if args.spark_rows != args.rows:
                folder = base / "spark_log"
                folder.mkdir(exist_ok=True)
                write_log(folder, args.spark_rows)
            kit, kit_file = run("kit-spark", folder, args.repeat)
            fast, fast_file = run("kit-spark-unchecked", folder, args.repeat)
            sql, sql_file = run("sql-spark", folder, args.repeat)
            if not (same(kit_file, sql_file) and same(fast_file, sql_file)):
                raise SystemExit("Spark: the kit's summary and the hand-written SQL differ (first 2,000 customers)")
            print(f"Spark local[2], rk.rfm_summary: {kit['seconds']:7.1f} s")       # the JVM's memory is its own
            print(f"  check_repeated_rows=False:    {fast['seconds']:7.1f} s")
            print(f"Spark local[2], Spark SQL:      {sql['seconds']:7.1f} s")
            print(f"ratio kit / SQL: {kit['seconds'] / sql['seconds']:.2f}x, without the repeated-rows count "
                  f"{fast['seconds'] / sql['seconds']:.2f}x   identical results (first 2,000 customers): True")


if __name__ == "__main__":
    main()
