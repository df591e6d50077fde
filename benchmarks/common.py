"""Shared pieces of the benchmarks: a best-of timer and a BG/NBD purchase log of a given size."""
import time

import pandas as pd

import retention_kit as rk


def best_of(fn, repeat):
    """Best wall time of ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def make_log(rows: int) -> pd.DataFrame:
    """A BG/NBD log of ``rows`` purchases (customers join over two years)."""
    tx, _ = rk.datasets.make_transactions(max(rows // 8, 1), random_state=1)
    while len(tx) < rows:  # top up with another seed if the draw came out short
        extra, _ = rk.datasets.make_transactions(max((rows - len(tx)) // 8, 1000), random_state=len(tx))
        extra["customer_id"] += tx["customer_id"].max()
        tx = pd.concat([tx, extra], ignore_index=True)
    # a draw can repeat a customer, minute and amount; the kit would warn about such rows on every call
    return tx.iloc[:rows].drop_duplicates().reset_index(drop=True)
