"""rk.clv.ParetoNBD against lifetimes' ParetoNBDFitter on the same 100,000-customer summary.

The summary is in days, the unit rk.rfm_summary uses by default: lifetimes takes a few minutes on it (its
time per likelihood evaluation does not depend on the unit, since it does not group identical customers),
so it is timed once by default, the kit best of --repeat. lifetimes is run at tol=1e-8 from (1, 1, 1, 1):
its default tolerance (1e-4) stops Nelder-Mead short of the optimum, and its default start is random.

Usage: cd benchmarks && ../.venv/bin/python bench_pareto_nbd.py [--customers 100000] [--repeat 3]
       [--lifetimes-repeat 1] [--time-unit day]
"""
import argparse
import warnings

import numpy as np
from lifetimes import ParetoNBDFitter

import retention_kit as rk
from common import best_of
from retention_kit.clv.pareto_nbd import ParetoNBD, _pareto_ll


def _show(params):
    return ", ".join(f"{k}={v:.5g}" for k, v in params.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lifetimes-repeat", type=int, default=1)
    parser.add_argument("--time-unit", default="day")
    args = parser.parse_args()
    tx, _ = rk.datasets.make_transactions(args.customers, random_state=3)
    summary = rk.rfm_summary(tx, time_unit=args.time_unit)
    distinct = len(summary[["frequency", "recency", "T"]].drop_duplicates())
    print(f"summary: {len(summary):,} customers from {len(tx):,} purchases, in {args.time_unit}s "
          f"({distinct:,} distinct (frequency, recency, T); largest frequency {summary['frequency'].max():g})")
    warnings.simplefilter("ignore")
    t_kit, kit = best_of(lambda: ParetoNBD().fit(summary), args.repeat)
    t_ref, ref = best_of(lambda: ParetoNBDFitter().fit(summary["frequency"], summary["recency"], summary["T"],
                                                       initial_params=[1, 1, 1, 1], tol=1e-8), args.lifetimes_repeat)
    rel = np.max(np.abs(kit.params_ / ref.params_[kit.params_.index] - 1))
    f, r, T = (summary[c].to_numpy() for c in ["frequency", "recency", "T"])
    theirs = ref.params_[kit.params_.index]
    nan_rows = int(np.sum(~np.isfinite(ParetoNBDFitter._conditional_log_likelihood(theirs.to_numpy(), f, r, T))))
    ll_theirs = float(_pareto_ll(theirs.to_numpy(), f.astype(float), r, T).sum())
    print(f"kit       {_show(kit.params_)}  log-likelihood {kit.log_likelihood_:,.3f}")
    print(f"lifetimes {_show(theirs)}  log-likelihood {ll_theirs:,.3f} (by the kit; lifetimes' own formula gives "
          f"NaN for {nan_rows} customers there, in {args.time_unit}s)")
    print(f"Pareto/NBD   rk.clv {t_kit:7.3f} s   lifetimes {t_ref:7.3f} s   speed-up {t_ref / t_kit:5.1f}x   "
          f"largest relative difference in a parameter {rel:.1e}")
    if rel > 1e-3:
        raise SystemExit("Pareto/NBD: estimates differ by more than 1e-3")


if __name__ == "__main__":
    main()
