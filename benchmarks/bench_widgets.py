"""Time one move of each explorer's main control: recompute, redraw and render the PNG the widget shows.

This is the kernel's share of the time from a move to the new figure; the browser adds the round
trip and the image decoding (measured in JupyterLab by the browser tests).

Usage: python benchmarks/bench_widgets.py [--repeat 20]
"""
import argparse
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import retention_kit as rk  # noqa: E402
from retention_kit import widgets  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    life = rk.survival.subscription_lifetimes(rk.datasets.load_saas_subscriptions(), observation_period_end="2026-01-01")
    cases = {
        "NPS interval (responses)": (widgets.nps_interval_explorer(), "n", lambda i: 100 + 97 * i),
        "churn compounding (monthly churn)": (widgets.churn_compounding_explorer(), "monthly_rate",
                                              lambda i: 0.01 + 0.005 * (i % 40)),
        "formula CLV (retention)": (widgets.formula_clv_explorer(), "retention", lambda i: 0.5 + 0.01 * (i % 45)),
        "survival (group by)": (widgets.survival_explorer(life, groups=("everyone", "plan")), "by",
                                lambda i: ("everyone", "plan")[i % 2]),
    }
    for name, (explorer, control, value) in cases.items():
        times = []
        for i in range(1, args.repeat + 1):
            start = time.perf_counter()
            explorer.controls[control].value = value(i)
            times.append(time.perf_counter() - start)
        print(f"{name:36s} median {1000 * statistics.median(times):6.1f} ms   worst {1000 * max(times):6.1f} ms")


if __name__ == "__main__":
    main()
