"""How the kit's summaries grow with the customer base, and what changes when the log lives in files:
rk.rfm_summary and rk.cohort_table from ten thousand to thirty million customers, on a pandas frame in memory,
on the same log as Parquet files (the same call, given the files' path: DuckDB scans them), beside a
hand-written DuckDB SQL query over the same files, and on Spark local[2].

Usage: python benchmarks/bench_scale.py [--sizes 10000 100000 ...] [--file-sizes 30000000]
       [--spark-sizes 1000000 10000000] [--repeat 3] [--csv ../datasets/scale_timings.csv]

The log: customers join uniformly over 2024-2025 and buy 1 + Poisson(2) times (about 3 purchases a
customer), generated with numpy, seeded. For each size the parent writes it once as Parquet files in a
temporary folder (never committed); each size, summary and method then runs in a fresh Python process.
Times are the best of ``--repeat`` runs (one run from a million customers up). Memory is the process's
resident high-water mark during the call above its size before the log existed (Linux, reset through
/proc/self/clear_refs): for the pandas frame it includes the log held in memory, for the files it does
not, since the log stays on disk. Before the call the process hands the heap pages freed while the log
was generated back to the system (``malloc_trim``), so they are not counted as the call's. DuckDB runs
inside the process, so its memory is counted; Spark's JVM is another process (capped by
``spark.driver.memory``), so Spark rows have no memory figure. Every result is compared with the
hand-written SQL's on the same files, cell by cell (Spark: the summaries of the first 2,000 customers
and the whole cohort table); the run fails if any differs.

``--file-sizes`` run only on the files (the pandas frame at 30 million customers is the point the
lesson extrapolates to). DuckDB uses both cores of the reference machine, pandas and numpy one. From a
million customers up each point is a single run; on a shared machine run-to-run variation is tens of
percent: read growth and orders of magnitude, and quote ranges, not single numbers. Not measured: spilling
to disk under a memory limit, and a real cluster (``local[2]`` is Spark on this one machine).
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd

START, END = np.datetime64("2024-01-01T00:00"), np.datetime64("2026-01-01T00:00")   # END: observation end (exclusive)
SIZES = (10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000, 10_000_000)
FILE_SIZES = (30_000_000,)
SPARK_SIZES = (1_000_000, 10_000_000)
METHODS = {"pandas": "rk, pandas frame in memory", "files": "rk, Parquet files (DuckDB)",
           "sql": "DuckDB SQL, Parquet files", "spark": "rk, Spark local[2]"}

RFM_SQL = """
WITH days AS (        -- purchases on one day count as one purchase of their summed value
    SELECT customer_id, CAST(date AS DATE) AS day, sum(amount) AS amount FROM read_parquet('{glob}')
    GROUP BY customer_id, day
)
SELECT customer_id,
       count(*) - 1 AS frequency,
       datediff('day', min(day), max(day)) AS recency,
       datediff('day', min(day), DATE '2025-12-31') AS "T",       -- the last observed day
       CASE WHEN count(*) > 1 THEN (sum(amount) - arg_min(amount, day)) / (count(*) - 1) ELSE 0 END
           AS monetary_value                                       -- mean of the repeat days
FROM days GROUP BY customer_id
"""

COHORT_SQL = """
WITH months AS (      -- each customer once in each month with a purchase
    SELECT customer_id, date_trunc('month', date) AS month FROM read_parquet('{glob}') GROUP BY ALL
), cohorts AS (
    SELECT customer_id, min(month) AS cohort FROM months GROUP BY customer_id
)
SELECT cohort, datediff('month', cohort, month) AS age, count(*) AS customers
FROM months JOIN cohorts USING (customer_id) GROUP BY ALL
"""


def make_log(customers: int, seed: int = 0) -> pd.DataFrame:
    """A purchase log: customers join uniformly over two years and buy 1 + Poisson(2) times before the end."""
    rng = np.random.default_rng(seed)
    minutes = int((END - START) / np.timedelta64(1, "m"))
    join = rng.integers(0, minutes, customers)
    count = 1 + rng.poisson(2.0, customers)
    ids = np.repeat(np.arange(1, customers + 1), count)
    first = np.r_[0, np.cumsum(count)[:-1]]
    offset = (rng.random(len(ids)) * (minutes - np.repeat(join, count))).astype(np.int64)
    offset[first] = 0                                                   # the first purchase is the join
    when = START + (np.repeat(join, count) + offset).astype("timedelta64[m]")
    tx = pd.DataFrame({"customer_id": ids, "date": when.astype("datetime64[ns]"),
                       "amount": np.round(rng.gamma(2.0, 6.0, len(ids)) + 1.0, 2)})
    return tx[~tx.duplicated()].reset_index(drop=True)     # the kit would warn about a repeated row


def _memory() -> tuple[int, int]:
    """The process's resident and high-water memory, in bytes (Linux)."""
    status = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return int(status["VmRSS"].split()[0]) * 1024, int(status["VmHWM"].split()[0]) * 1024


def _measure(fn, repeat: int, baseline: int):
    """Best wall time of ``repeat`` calls, the peak memory above ``baseline`` (bytes), and the last result."""
    import ctypes
    import gc
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)             # freed heap pages back to the system: not the call's
    with open("/proc/self/clear_refs", "w") as fh:     # reset the high-water mark to the current size
        fh.write("5")
    times, result = [], None
    for _ in range(repeat):
        result = None
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), max(_memory()[1] - baseline, 0), result


def write_files(tx: pd.DataFrame, folder: str, files: int = 4) -> float:
    """The log as ``files`` Parquet files (microsecond dates, which every engine reads); their size in MiB."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    for i, part in enumerate(np.array_split(np.arange(len(tx)), files)):
        table = pa.Table.from_pandas(tx.iloc[part], preserve_index=False)
        pq.write_table(table, os.path.join(folder, f"part-{i}.parquet"), coerce_timestamps="us")
    return sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder)) / 2**20


def _sql(query: str) -> pd.DataFrame:
    import duckdb
    con = duckdb.connect()
    try:
        return con.sql(query).df()
    finally:
        con.close()


def _same_rfm(ours: pd.DataFrame, sql: pd.DataFrame) -> bool:
    sql = sql.set_index("customer_id").sort_index()
    ours = ours.sort_index()
    if len(ours) < len(sql):                             # Spark: the first customers only
        sql = sql.loc[ours.index]
    return bool(ours.index.equals(sql.index)
                and all(np.array_equal(ours[c].to_numpy(dtype=float), sql[c].to_numpy(dtype=float))
                        for c in ("frequency", "recency", "T"))
                and np.allclose(ours["monetary_value"], sql["monetary_value"], rtol=1e-9, atol=1e-9))


def _same_cohorts(table: pd.DataFrame, cells: pd.DataFrame) -> bool:
    kit = table.stack().rename("customers")
    kit = kit[kit > 0]                                   # SQL has a row only where someone bought
    cells = cells.assign(cohort=pd.PeriodIndex(cells["cohort"], freq="M"))
    sql = cells.set_index(["cohort", "age"])["customers"].astype(float).sort_index()
    return bool(len(kit) == len(sql) and np.array_equal(kit.reindex(sql.index).to_numpy(), sql.to_numpy()))


def child(customers: int, case: str, repeat: int, folder: str) -> dict:
    """Time one computation in this process, then check its result against the hand-written SQL on the files
    (the SQL itself against the kit on the files)."""
    import duckdb  # noqa: F401  (imported before the measurement: the import is not the query's time)

    import retention_kit as rk
    baseline = _memory()[0]
    summary, method = case.split(":")
    glob = os.path.join(folder, "*.parquet")
    end = "2026-01-01"
    call = {"rfm_summary": lambda src: rk.rfm_summary(src, observation_period_end=end),
            "cohort_table": lambda src: rk.cohort_table(src, observation_period_end=end)}[summary]
    query = (RFM_SQL if summary == "rfm_summary" else COHORT_SQL).format(glob=glob)
    peak = None
    if method == "spark":
        from pyspark.sql import SparkSession
        spark = (SparkSession.builder.master("local[2]").config("spark.sql.session.timeZone", "UTC")
                 .config("spark.ui.enabled", "false").config("spark.driver.memory", "6g").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        log = spark.read.parquet(folder)

        def run():
            result = call(log)
            if summary == "rfm_summary":                  # lazy: computed by writing it to the no-op sink
                result.write.format("noop").mode("overwrite").save()
            return result
        seconds, _, result = _measure(run, repeat, baseline)
        if summary == "rfm_summary":
            result = result.orderBy("customer_id").limit(2000).toPandas().set_index("customer_id")
        spark.stop()
    else:
        source = make_log(customers) if method == "pandas" else glob
        fn = (lambda: _sql(query)) if method == "sql" else (lambda: call(source))
        seconds, peak, result = _measure(fn, repeat, baseline)
    same = _same_rfm if summary == "rfm_summary" else _same_cohorts
    ok = same(call(glob), result) if method == "sql" else same(result, _sql(query))
    return dict(seconds=seconds, peak_memory_mb=None if peak is None else peak / 2**20, same_result=ok)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="numbers of customers")
    parser.add_argument("--file-sizes", type=int, nargs="*", default=list(FILE_SIZES),
                        help="numbers of customers measured on the files only")
    parser.add_argument("--spark-sizes", type=int, nargs="*", default=list(SPARK_SIZES),
                        help="numbers of customers also measured on Spark local[2] (none: no Spark)")
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS),
                        help="the methods to measure (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing below a million customers")
    parser.add_argument("--csv", help="write the measurements to this CSV file")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.case, args.repeat, args.folder)))
        return
    import tempfile

    import duckdb
    print(f"pandas {pd.__version__}, numpy {np.__version__}, duckdb {duckdb.__version__}, {os.cpu_count()} cores")
    records, failed = [], []
    for customers in sorted(set(args.sizes) | set(args.file_sizes)):
        methods = [m for m in ["files", "sql"] + (["pandas"] if customers in args.sizes else []) + (
            ["spark"] if customers in args.spark_sizes else []) if m in args.methods]
        repeat = args.repeat if customers < 1_000_000 else 1
        with tempfile.TemporaryDirectory() as folder:
            tx = make_log(customers)
            purchases, data_mb = len(tx), tx.memory_usage(deep=True).sum() / 2**20
            file_mb = write_files(tx, folder)
            del tx
            for summary in ("rfm_summary", "cohort_table"):
                for method in methods:
                    out = subprocess.run([sys.executable, __file__, "--child", str(customers), "--case",
                                          f"{summary}:{method}", "--repeat", str(repeat), "--folder", folder],
                                         capture_output=True, text=True)
                    if out.returncode:
                        raise SystemExit(f"{customers:,} customers, {summary}, {method} failed:\n{out.stderr[-3000:]}")
                    row = json.loads(out.stdout.strip().splitlines()[-1])
                    memory = row["peak_memory_mb"]
                    print(f"{customers:>12,} customers {purchases:>12,} purchases  {summary:13s} {METHODS[method]:28s} "
                          f"{row['seconds']:9.3f} s  peak " + ("   (JVM)  " if memory is None else f"{memory:7,.0f} MiB")
                          + f"  same as the SQL: {row['same_result']}", flush=True)
                    records.append(dict(summary=summary, method=METHODS[method], customers=customers,
                                        purchases=purchases, seconds=round(row["seconds"], 4), runs=repeat,
                                        peak_memory_mb=None if memory is None else round(memory, 1),
                                        data_mb=round(data_mb, 1), parquet_mb=round(file_mb, 1)))
                    if not row["same_result"]:
                        failed.append((customers, summary, method))
    table = pd.DataFrame(records)
    if args.csv:
        table.to_csv(args.csv, index=False, lineterminator="\n")
        print(f"wrote {args.csv}")
    if failed:
        raise SystemExit(f"results differ from the hand-written SQL for {failed}")


if __name__ == "__main__":
    main()
