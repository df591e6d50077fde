"""rk.cohort_table against the common tutorial recipe (groupby + nunique + .apply on period differences).

The kit is timed twice: with every check of ``require_transactions`` (the default), and with
``check_repeated_rows=False``; the recipe checks nothing.

Usage: python benchmarks/bench_cohorts.py [--rows 5000000] [--repeat 3]
"""
import argparse
from operator import attrgetter

import numpy as np
import pandas as pd

import retention_kit as rk
from common import best_of, make_log


def tutorial_recipe(df: pd.DataFrame) -> pd.DataFrame:
    """The cohort analysis found in most tutorials (it keeps incomplete periods and leaves empty cells as NaN)."""
    df = df[["customer_id", "date"]].copy()
    df["order_month"] = df["date"].dt.to_period("M")
    df["cohort"] = df.groupby("customer_id")["date"].transform("min").dt.to_period("M")
    counts = df.groupby(["cohort", "order_month"]).agg(n_customers=("customer_id", "nunique")).reset_index()
    counts["period_number"] = (counts["order_month"] - counts["cohort"]).apply(attrgetter("n"))
    return counts.pivot_table(index="cohort", columns="period_number", values="n_customers")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tx = make_log(args.rows)
    print(f"log: {len(tx):,} purchases by {tx['customer_id'].nunique():,} customers")
    t_kit, ours = best_of(lambda: rk.cohorts.cohort_table(tx), args.repeat)
    t_fast, fast = best_of(lambda: rk.cohorts.cohort_table(tx, check_repeated_rows=False), args.repeat)
    t_ref, ref = best_of(lambda: tutorial_recipe(tx), args.repeat)
    if not fast.equals(ours):
        raise SystemExit("check_repeated_rows=False changed the table")
    ref = ref.reindex(index=ours.index, columns=ours.columns)
    observable = ours.notna().to_numpy()
    same = np.array_equal(ours.to_numpy()[observable], ref.fillna(0).to_numpy()[observable])
    print(f"rk.cohort_table:   {t_kit:8.3f} s")
    print(f"  check_repeated_rows=False: {t_fast:8.3f} s")
    print(f"tutorial recipe:   {t_ref:8.3f} s")
    print(f"speed-up: {t_ref / t_kit:.1f}x ({t_ref / t_fast:.1f}x without the repeated-rows check)   same counts on "
          f"every observable cell: {same}")
    if not same:
        raise SystemExit("the two tables differ")


if __name__ == "__main__":
    main()
