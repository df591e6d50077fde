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
    cases.update(_strategy_explorers())
    for name, (explorer, control, value) in cases.items():
        times = []
        for i in range(1, args.repeat + 1):
            start = time.perf_counter()
            explorer.controls[control].value = value(i)
            times.append(time.perf_counter() - start)
        print(f"{name:36s} median {1000 * statistics.median(times):6.1f} ms   worst {1000 * max(times):6.1f} ms")


def _strategy_explorers() -> dict:
    """The explorers of lessons 08-12, on the lessons' own data."""
    from retention_kit import churn, segments
    from retention_kit.warehouse.explorer import fixes_explorer
    sources = rk.datasets.make_customer_sources(random_state=8).data
    stays, truth = rk.datasets.make_hotel_stays(random_state=9)
    test, planted = rk.datasets.make_offer_test(stays, truth, random_state=9)
    features = segments.behaviour_features(stays)
    activity, streaming = rk.datasets.make_streaming_activity(random_state=10)
    split = churn.time_split(activity, streaming["subscribers"], train_cutoff="2025-03-03", test_cutoff="2025-07-07")
    p = churn.predict_churn(churn.fit_churn_model(split.X_train, split.y_train), split.X_test)
    return {
        "cleaning fixes (a checkbox)": (fixes_explorer(sources), "cents_to_dollars", lambda i: bool(i % 2)),
        "segments (k)": (segments.segments_explorer(features, test, truth_segments=truth["segment"],
                                                    margin=planted["margin"], cost=planted["cost"]),
                         "k", lambda i: 2 + i % 7),
        "campaign (threshold)": (churn.campaign_explorer(p, 100.0, contact_cost=0.25, incentive=6.0),
                                 "threshold", lambda i: 0.05 + 0.01 * (i % 40)),
        "experiment size (customers per arm)": (rk.experiments.experiment_explorer(), "n_per_arm",
                                                lambda i: 100 * (1 + i % 50)),
    }


if __name__ == "__main__":
    main()
