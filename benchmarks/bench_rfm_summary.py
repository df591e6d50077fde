"""rk.rfm_summary against lifetimes' summary_data_from_transaction_data, or hand-written DuckDB SQL, on one log.

Usage: python benchmarks/bench_rfm_summary.py [--rows 1000000] [--repeat 3] [--against lifetimes|duckdb]
Prints the best time of each, the ratio, and whether the two summaries agree. ``--against duckdb``
times the summary written by hand in DuckDB SQL over the same pandas frame, handed back as pandas
and sorted by customer (DuckDB reads the frame in place, with both cores).
"""
import argparse

import numpy as np
import pandas as pd
from lifetimes.utils import summary_data_from_transaction_data

import retention_kit as rk
from common import best_of, make_log


DUCKDB_SQL = """
SELECT customer_id, count(*) - 1.0 AS frequency, max(p) - min(p) + 0.0 AS recency, {last} - min(p) + 0.0 AS "T",
       CASE WHEN count(*) > 1 THEN (sum(amount) - min_by(amount, p)) / (count(*) - 1) ELSE 0.0 END AS monetary_value
FROM (SELECT customer_id, datediff('day', DATE '1970-01-01', CAST(date AS DATE)) AS p, sum(amount) AS amount
      FROM tx WHERE date < TIMESTAMP '{end}' GROUP BY ALL)
GROUP BY customer_id
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--against", choices=("lifetimes", "duckdb"), default="lifetimes")
    args = parser.parse_args()
    tx = make_log(args.rows)
    print(f"log: {len(tx):,} purchases by {tx['customer_id'].nunique():,} customers")
    t_kit, ours = best_of(lambda: rk.rfm_summary(tx), args.repeat)
    if args.against == "duckdb":
        import duckdb
        end = ours.attrs["observation_period_end"]
        last = (end - pd.Timestamp("1970-01-01")).days - 1
        connection = duckdb.connect()
        connection.register("tx", tx)
        query = DUCKDB_SQL.format(last=last, end=end)
        t_ref, ref = best_of(lambda: connection.sql(query).df().set_index("customer_id"), args.repeat)
        name = "DuckDB SQL on the same frame:"
    else:
        t_ref, ref = best_of(lambda: summary_data_from_transaction_data(tx, "customer_id", "date", "amount"),
                             args.repeat)
        name = "lifetimes summary_data_from_...:"
    ref = ref.sort_index()
    same = (ours.index.equals(ref.index)
            and np.array_equal(ours[["frequency", "recency", "T"]].to_numpy(), ref[["frequency", "recency", "T"]].to_numpy())
            and np.allclose(ours["monetary_value"], ref["monetary_value"], rtol=1e-12, atol=0))
    print(f"rk.rfm_summary:                     {t_kit:8.3f} s")
    print(f"{name:<36}{t_ref:8.3f} s")
    print(f"speed-up: {t_ref / t_kit:.2f}x (kit / reference {t_kit / t_ref:.2f})   identical results: {same}")
    if not same:
        raise SystemExit("the two summaries differ")


if __name__ == "__main__":
    main()
