"""How the kit's summaries grow with the customer base: rk.rfm_summary and rk.cohort_table from ten thousand to
ten million customers, beside a hand-written DuckDB SQL query over the same in-memory log.

Usage: python benchmarks/bench_scale.py [--sizes 10000 100000 ...] [--repeat 3] [--csv ../datasets/scale_timings.csv]

Each size and computation runs in a fresh Python process: it generates the purchase log (numpy, seeded;
customers join uniformly over 2024-2025 and buy 1 + Poisson(2) times, so about 3 purchases a customer), then
times the computation (best of ``--repeat`` runs; one run from a million customers up) and measures its peak
memory above the log itself (Linux: the process's resident high-water mark, reset just before through
/proc/self/clear_refs). Each SQL result is compared with the kit's, cell by cell: the run fails if they
differ. The first DuckDB call of a process pays a fixed cost of about a tenth of a second (a connection,
reading the frame's types), which dominates at small sizes. Nothing is written to disk unless ``--csv`` is
given. DuckDB reads the pandas frame in place and runs on all cores (2 on the reference machine); pandas and
numpy run on one.

What this does not measure: both methods read the same pandas frame, already in memory, so DuckDB's ways of
saving memory that a lesson might cite (reading Parquet or a database file where it lives, spilling to disk
when memory runs short) are not tested here, nor is a cluster. From a million customers up each point is a
single run, and on a shared machine run-to-run variation is tens of percent: read growth and orders of
magnitude, and quote ranges, not single numbers.
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

RFM_SQL = """
WITH days AS (        -- purchases on one day count as one purchase of their summed value
    SELECT customer_id, CAST(date AS DATE) AS day, sum(amount) AS amount FROM tx GROUP BY customer_id, day
)
SELECT customer_id,
       count(*) - 1 AS frequency,
       datediff('day', min(day), max(day)) AS recency,
       datediff('day', min(day), DATE '2025-12-31') AS "T",       -- the last observed day
       CASE WHEN count(*) > 1 THEN (sum(amount) - arg_min(amount, day)) / (count(*) - 1) ELSE 0 END
           AS monetary_value                                       -- mean of the repeat days
FROM days GROUP BY customer_id ORDER BY customer_id
"""

COHORT_SQL = """
WITH months AS (      -- each customer once in each month with a purchase
    SELECT customer_id, date_trunc('month', date) AS month FROM tx GROUP BY ALL
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


def _measure(fn, repeat: int):
    """Best wall time of ``repeat`` calls, the peak memory above the start, and the last result."""
    with open("/proc/self/clear_refs", "w") as fh:     # reset the high-water mark to the current size
        fh.write("5")
    before = _memory()[0]
    times, result = [], None
    for _ in range(repeat):
        result = None
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), max(_memory()[1] - before, 0), result


def _sql(query: str, tx: pd.DataFrame) -> pd.DataFrame:
    import duckdb
    con = duckdb.connect()                              # in memory; reads the frame ``tx`` in place
    try:
        return con.sql(query).df()
    finally:
        con.close()


def _same_rfm(ours: pd.DataFrame, sql: pd.DataFrame) -> bool:
    sql = sql.set_index("customer_id").sort_index()
    return bool(ours.index.equals(sql.index)
                and all(np.array_equal(ours[c].to_numpy(), sql[c].to_numpy(dtype=float)) for c in ("frequency", "recency", "T"))
                and np.allclose(ours["monetary_value"], sql["monetary_value"], rtol=1e-9, atol=1e-9))


def _same_cohorts(table: pd.DataFrame, cells: pd.DataFrame) -> bool:
    kit = table.stack().rename("customers")
    kit = kit[kit > 0]                                   # SQL has a row only where someone bought
    cells = cells.assign(cohort=pd.PeriodIndex(cells["cohort"], freq="M"))
    sql = cells.set_index(["cohort", "age"])["customers"].astype(float).sort_index()
    return bool(len(kit) == len(sql) and np.array_equal(kit.reindex(sql.index).to_numpy(), sql.to_numpy()))


def child(customers: int, case: str, repeat: int) -> dict:
    """Time one computation on a fresh log in this process; a SQL case also checks its result against the kit's."""
    import duckdb  # noqa: F401  (imported before the measurement: the import is not the query's time)

    import retention_kit as rk
    tx = make_log(customers)
    end = "2026-01-01"
    kit = {"rfm_summary": lambda: rk.rfm_summary(tx, observation_period_end=end),
           "cohort_table": lambda: rk.cohort_table(tx, observation_period_end=end)}
    summary, engine = case.split(":")
    if engine == "kit":
        seconds, memory, _ = _measure(kit[summary], repeat)
        same = None
    else:
        seconds, memory, result = _measure(lambda: _sql(RFM_SQL if summary == "rfm_summary" else COHORT_SQL, tx),
                                           repeat)
        same = (_same_rfm if summary == "rfm_summary" else _same_cohorts)(kit[summary](), result)
    return dict(purchases=len(tx), data_mb=tx.memory_usage(deep=True).sum() / 2**20, seconds=seconds,
                peak_memory_mb=memory / 2**20, same_result=same)


CASES = {"rfm_summary:kit": "rk.rfm_summary (pandas, numpy)", "rfm_summary:sql": "DuckDB SQL",
         "cohort_table:kit": "rk.cohort_table (pandas, numpy)", "cohort_table:sql": "DuckDB SQL"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="numbers of customers")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing below a million customers")
    parser.add_argument("--csv", help="write the measurements to this CSV file")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.case, args.repeat)))
        return
    import duckdb
    print(f"pandas {pd.__version__}, numpy {np.__version__}, duckdb {duckdb.__version__}, {os.cpu_count()} cores")
    records, failed = [], []
    for customers in args.sizes:
        repeat = args.repeat if customers < 1_000_000 else 1
        for case, method in CASES.items():
            out = subprocess.run([sys.executable, __file__, "--child", str(customers), "--case", case, "--repeat",
                                  str(repeat)], capture_output=True, text=True, check=True)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            summary = case.split(":")[0]
            print(f"{customers:>12,} customers {row['purchases']:>12,} purchases  {summary:13s} {method:32s} "
                  f"{row['seconds']:9.3f} s  peak +{row['peak_memory_mb']:7,.0f} MB"
                  + ("" if row["same_result"] is None else f"  same as the kit: {row['same_result']}"), flush=True)
            records.append(dict(summary=summary, method=method, customers=customers, purchases=row["purchases"],
                                seconds=round(row["seconds"], 4), runs=repeat,
                                peak_memory_mb=round(row["peak_memory_mb"], 1), data_mb=round(row["data_mb"], 1)))
            if row["same_result"] is False:
                failed.append((customers, summary))
    table = pd.DataFrame(records)
    for summary, group in table.groupby("summary"):
        seconds = group.assign(engine=group["method"].eq("DuckDB SQL")).pivot(index="customers", columns="engine",
                                                                              values="seconds")
        print(f"{summary}: kit time / DuckDB time: "
              + ", ".join(f"{c:,}: {r:.2f}" for c, r in (seconds[False] / seconds[True]).items()))
    if args.csv:
        table.to_csv(args.csv, index=False, lineterminator="\n")
        print(f"wrote {args.csv}")
    if failed:
        raise SystemExit(f"the kit and SQL differ for {failed}")


if __name__ == "__main__":
    main()
