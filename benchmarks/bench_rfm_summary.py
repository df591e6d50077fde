"""rk.rfm_summary against lifetimes' summary_data_from_transaction_data on the same log.

Usage: python benchmarks/bench_rfm_summary.py [--rows 1000000] [--repeat 3]
Prints the best time of each, the ratio, and whether the two summaries agree.
"""
import argparse

import numpy as np
from lifetimes.utils import summary_data_from_transaction_data

import retention_kit as rk
from common import best_of, make_log


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
