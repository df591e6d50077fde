"""rk.rfm_summary against lifetimes' summary_data_from_transaction_data on the same log.

Usage: python benchmarks/bench_rfm_summary.py [--rows 1000000] [--repeat 3]
Prints the best time of each, the ratio, and whether the two summaries agree.
"""
import argparse
import time

import numpy as np
import pandas as pd
from lifetimes.utils import summary_data_from_transaction_data

import retention_kit as rk


def best_of(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def make_log(rows: int) -> pd.DataFrame:
    """A BG/NBD log of about ``rows`` purchases (customers join over two years)."""
    tx, _ = rk.datasets.make_transactions(max(rows // 8, 1), random_state=1)
    while len(tx) < rows:  # top up with a second seed if the draw came out short
        extra, _ = rk.datasets.make_transactions(max((rows - len(tx)) // 8, 1000), random_state=len(tx))
        extra["customer_id"] += tx["customer_id"].max()
        tx = pd.concat([tx, extra], ignore_index=True)
    return tx.iloc[:rows].reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tx = make_log(args.rows)
    print(f"log: {len(tx):,} purchases by {tx['customer_id'].nunique():,} customers")
    t_kit, ours = best_of(lambda: rk.rfm_summary(tx), args.repeat)
    t_ref, ref = best_of(lambda: summary_data_from_transaction_data(tx, "customer_id", "date", "amount"), args.repeat)
    ref = ref.sort_index()
    same = (ours.index.equals(ref.index)
            and np.array_equal(ours[["frequency", "recency", "T"]].to_numpy(), ref[["frequency", "recency", "T"]].to_numpy())
            and np.allclose(ours["monetary_value"], ref["monetary_value"], rtol=1e-12, atol=0))
    print(f"rk.rfm_summary:                     {t_kit:8.3f} s")
    print(f"lifetimes summary_data_from_...:    {t_ref:8.3f} s")
    print(f"speed-up: {t_ref / t_kit:.1f}x   identical results: {same}")
    if not same:
        raise SystemExit("the two summaries differ")


if __name__ == "__main__":
    main()
