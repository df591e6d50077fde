"""Time one slider move of each explorer: compute, draw, and render the PNG the notebook shows.

Usage: python benchmarks/bench_widgets.py [--repeat 20]
"""
import argparse
import io
import statistics
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from retention_kit import widgets  # noqa: E402


def one_move(view, **kwargs) -> float:
    start = time.perf_counter()
    fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    view(ax=ax, **kwargs)
    fig.savefig(io.BytesIO(), format="png", dpi=100)  # what the inline backend does
    plt.close(fig)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    cases = {
        "NPS interval explorer": lambda i: one_move(widgets.nps_interval_view, n=100 + 97 * i, p_promoters=0.3,
                                                    p_detractors=0.2 + 0.01 * (i % 5)),
        "churn compounding explorer": lambda i: one_move(widgets.churn_compounding_view,
                                                         monthly_rate=0.01 + 0.01 * (i % 20), months=24),
    }
    for name, move in cases.items():
        move(0)  # warm-up
        times = [move(i) for i in range(args.repeat)]
        print(f"{name:28s} median {1000 * statistics.median(times):6.1f} ms   worst {1000 * max(times):6.1f} ms")


if __name__ == "__main__":
    main()
