"""rk.clv BetaGeo and GammaGamma against lifetimes' fitters on the same 100,000-customer summary.

Usage: python benchmarks/bench_clv.py [--customers 100000] [--repeat 3]
"""
import argparse
import warnings

import numpy as np
from lifetimes import BetaGeoFitter, GammaGammaFitter

import retention_kit as rk
from common import best_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tx, _ = rk.datasets.make_transactions(args.customers, random_state=3)
    summary = rk.rfm_summary(tx)
    repeaters = summary[summary["frequency"] > 0]
    print(f"summary: {len(summary):,} customers from {len(tx):,} purchases ({len(repeaters):,} with repeat purchases)")
    warnings.simplefilter("ignore")
    rows = [
        ("BG/NBD", lambda: rk.clv.BetaGeo().fit(summary),
         lambda: BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])),
        ("Gamma-Gamma", lambda: rk.clv.GammaGamma().fit(summary),
         lambda: GammaGammaFitter().fit(repeaters["frequency"], repeaters["monetary_value"])),
    ]
    for name, ours, theirs in rows:
        t_kit, kit = best_of(ours, args.repeat)
        t_ref, ref = best_of(theirs, args.repeat)
        rel = np.max(np.abs(kit.params_ / ref.params_[kit.params_.index] - 1))
        print(f"{name:12s} rk.clv {t_kit:7.3f} s   lifetimes {t_ref:7.3f} s   speed-up {t_ref / t_kit:5.1f}x   "
              f"largest relative difference in a parameter {rel:.1e}")
        if rel > 1e-3:
            raise SystemExit(f"{name}: estimates differ by more than 1e-3")


if __name__ == "__main__":
    main()
