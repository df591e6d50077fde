"""Monitoring after an action: a rate per period against control limits, to tell a signal from noise.

A before-and-after comparison credits a change with whatever else happened meanwhile; a control
chart at least tells whether a period's rate is outside what chance makes of the baseline.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import InputError, Integer, Real, to_series, validate

__all__ = ["control_limits"]


@validate(baseline_periods=Integer(low=2, hint="Limits from one period are no baseline."),
          sigmas=Real(low=0, closed="neither"))
def control_limits(successes, n, *, baseline_periods: int, sigmas: float = 3.0) -> pd.DataFrame:
    """A p-chart: each period's rate against limits from a baseline, so that a signal stands out from noise.

    The centre line is the baseline's pooled rate, p0 = sum k / sum n over the first
    ``baseline_periods`` periods. Each period t gets the limits p0 +/- sigmas x sqrt(p0 (1 - p0) / n_t),
    wider for a small period. A period after the baseline is a *signal* when its rate lies outside
    them (with 3 sigmas, chance alone does it about 3 times in 1,000 periods), or when it is the
    eighth or later of a run of periods on one side of the centre line (a shift too small for the
    limits: chance makes a run of eight about once in 128 tries). Runs are counted among the
    monitored periods only: a run that began in the baseline starts again at its end.

    The limits assume the baseline was stable. ``attrs["baseline_signals"]`` counts the baseline's
    own periods that would be signals (outside its limits, or in a run of eight); if there are
    any (a season, a price change), the centre line mixes two states and later signals may be the
    season: compare with a control group over the same periods. Over many monitored periods a
    false signal somewhere becomes likely, and a rate of customers who recur from period to period
    varies more than the binomial limits assume.

    Parameters
    ----------
    successes : sequence or Series of counts per period (customers lost, renewed...), in time order
    n : sequence or Series of the customers at risk in each period, aligned with ``successes``
    baseline_periods : int, the first periods, before the change, that set the centre line
    sigmas : float, default 3

    Returns
    -------
    DataFrame indexed like ``successes``: ``n``, ``rate``, ``centre``, ``lower``, ``upper``,
    ``baseline`` (True for the baseline's periods), ``outside`` and ``run`` (the two kinds of signal,
    after the baseline only), ``signal``; ``attrs`` ``sigmas``, ``baseline_periods`` and
    ``baseline_signals``.

    Raises
    ------
    InputError
        For series of different lengths, negative counts, more successes than customers, a period
        without customers, or a series no longer than its baseline (nothing left to monitor).

    Examples
    --------
    >>> t = control_limits([10, 12, 8, 10, 30], [100] * 5, baseline_periods=4)
    >>> round(float(t["centre"].iloc[0]), 2), round(float(t["upper"].iloc[0]), 3), t["signal"].tolist()
    (0.1, 0.19, [False, False, False, False, True])
    """
    k, size = to_series(successes, "successes"), to_series(n, "n")
    if len(k) != len(size):
        raise InputError(f"successes has {len(k)} periods and n {len(size)}: give one count of each per period.")
    if len(k) <= baseline_periods:
        raise InputError(f"the series has {len(k)} periods, no more than baseline_periods={baseline_periods}: nothing "
                         "is left to monitor. Give more periods, or a shorter baseline.")
    kv, nv = k.to_numpy(dtype=float), size.to_numpy(dtype=float)
    if np.isnan(kv).any() or np.isnan(nv).any():
        raise InputError("successes and n must be complete: a period without a count cannot be charted. Drop or fill "
                         "it first.")
    if (kv < 0).any() or (nv <= 0).any() or (kv > nv).any():
        bad = int(np.flatnonzero((kv < 0) | (nv <= 0) | (kv > nv))[0])
        raise InputError(f"period {k.index[bad]!r} has {kv[bad]:g} successes of {nv[bad]:g} customers: counts must be "
                         "0 to n, and n at least 1.")
    p0 = kv[:baseline_periods].sum() / nv[:baseline_periods].sum()
    half = sigmas * np.sqrt(p0 * (1 - p0) / nv)
    rate = kv / nv
    after = np.arange(len(kv)) >= baseline_periods
    side = np.sign(rate - p0)
    outside = (rate < p0 - half) | (rate > p0 + half)
    run = np.zeros(len(kv), dtype=int)
    for i in range(len(kv)):
        continues = i and i != baseline_periods and side[i] != 0 and side[i] == side[i - 1]
        run[i] = run[i - 1] + 1 if continues else int(side[i] != 0)
    table = pd.DataFrame({"n": nv, "rate": rate, "centre": p0, "lower": np.maximum(p0 - half, 0.0),
                          "upper": np.minimum(p0 + half, 1.0), "baseline": ~after, "outside": after & outside,
                          "run": after & (run >= 8)}, index=k.index)
    table["signal"] = table["outside"] | table["run"]
    unstable = int((~after & (outside | (run >= 8))).sum())
    table.attrs.update(sigmas=sigmas, baseline_periods=baseline_periods, baseline_signals=unstable)
    return table
