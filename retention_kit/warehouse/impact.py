"""How far off each metric is from the raw exports, fix by fix: what each cleaning rule is worth.

:func:`metric_impact` computes the lesson's metrics for a period straight from the exports with plain
pandas, applying only the fixes asked for. With every fix it agrees with the single view (a test
checks it against the DuckDB warehouse); with none it is what a team computes from its own export.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..metrics.nps import nps
from ..validation import InputError, preview, require_period
from .quality import SOURCE_COLUMNS, customer_number

__all__ = ["metric_impact", "FIXES", "IMPACT_METRICS"]

FIXES = {
    "drop_repeats": "drop rows that repeat another row (a double import, export retries, forms sent twice)",
    "read_dates": "read each date format explicitly (ISO, and the legacy DD.MM.YYYY) instead of letting pandas guess",
    "cents_to_dollars": "divide billing's amounts by 100 (billing stores cents)",
    "match_ids": "join systems on the customer number, not on each system's id text",
}
IMPACT_METRICS = ("customers", "customers at the start", "sign-ups, first quarter", "churn rate", "revenue",
                  "revenue per active customer", "sessions per active customer", "NPS")


def _by_distinct(values: pd.Series, convert) -> pd.Series:
    """``convert`` applied to the distinct values only, then spread back (a log repeats its ids and dates)."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    converted = pd.Series(convert(pd.Series(distinct, dtype=object))).to_numpy()
    out = pd.Series(converted[codes], index=values.index)
    return out.where(codes >= 0)


def _dates(text: pd.Series, explicit: bool) -> pd.Series:
    if not explicit:
        return _by_distinct(text, lambda t: pd.to_datetime(t, format="mixed")).astype("datetime64[ns]")
    iso = _by_distinct(text, lambda t: pd.to_datetime(t, format="%Y-%m-%d", errors="coerce"))
    return iso.fillna(_by_distinct(text, lambda t: pd.to_datetime(t, format="%d.%m.%Y", errors="coerce"))).astype(
        "datetime64[ns]")


def metric_impact(sources: dict, period_start, period_end, *, fixes=tuple(FIXES)) -> pd.Series:
    """The period's metrics computed from the raw exports with only the chosen fixes applied.

    ========================== =================================================================
    customers                  CRM rows (after ``drop_repeats``: one per customer)
    customers at the start     CRM rows signed up before ``period_start``, not cancelled before it
    sign-ups, first quarter    CRM rows signed up in the period's first three months (a cohort's
                               size, lesson 04), or in the whole period when it is shorter
    churn rate                 those who cancelled within the period / customers at the start
    revenue                    billing (in dollars after ``cents_to_dollars``) + marketplace,
                               dated in the period
    revenue per active customer  revenue / customers active at any time in the period
    sessions per active customer usage rows in the period whose id matches an active customer
                               (by id text, or by customer number after ``match_ids``) / active
    NPS                        the survey wave of the period's year, "don't know" (99) and empty
                               scores left out (``rk.nps`` refuses 99)
    ========================== =================================================================

    Parameters
    ----------
    sources : dict of the six exports (``rk.datasets.make_customer_sources``)
    period_start, period_end : the period ``[period_start, period_end)``
    fixes : iterable of names from ``FIXES``, default all of them

    Returns
    -------
    pandas Series indexed by ``IMPACT_METRICS``

    Raises
    ------
    InputError
        For an unknown fix (the known ones are named), a missing export or column, or an empty period.

    Examples
    --------
    >>> from retention_kit.datasets import make_customer_sources
    >>> sources = make_customer_sources(200, random_state=1).data
    >>> raw = metric_impact(sources, "2025-01-01", "2026-01-01", fixes=())
    >>> clean = metric_impact(sources, "2025-01-01", "2026-01-01")
    >>> round(raw["revenue"] / clean["revenue"])
    96
    """
    start, end = require_period(period_start, period_end)
    fixes = [fixes] if isinstance(fixes, str) else list(fixes)
    unknown = [f for f in fixes if f not in FIXES]
    if unknown:
        raise InputError(f"fixes has {unknown[0]!r}, which is no fix; the fixes are {preview(list(FIXES), limit=4)}.")
    for name in ("crm", "billing", "marketplace", "usage", "surveys"):
        if name not in sources:
            raise InputError(f"sources has no export {name!r}; pass the dict of exports of make_customer_sources.")
        missing = [c for c in SOURCE_COLUMNS[name] if c not in sources[name].columns]
        if missing:
            raise InputError(f"sources[{name!r}] has no column {missing[0]!r}; pass the export as the system wrote it.")
    once = (lambda f: f.drop_duplicates()) if "drop_repeats" in fixes else (lambda f: f)
    crm, billing, surveys = once(sources["crm"]), once(sources["billing"]), once(sources["surveys"])
    signup = _dates(crm["signup_date"], "read_dates" in fixes)
    cancelled = _dates(crm["cancelled_on"], "read_dates" in fixes)
    at_start = (signup < start) & ~(cancelled < start)
    lost = at_start & (cancelled >= start) & (cancelled < end)
    active = (signup < end) & ~(cancelled < start)
    first_quarter = (signup >= start) & (signup < min(start + pd.DateOffset(months=3), end))

    def in_period(text, form="%Y-%m-%d"):
        dates = _by_distinct(text, lambda t: pd.to_datetime(t, format=form)).astype("datetime64[ns]")
        return (dates >= start) & (dates < end)

    cents = billing.loc[in_period(billing["invoice_date"]), "amount"].sum()
    market = sources["marketplace"]
    revenue = (cents / 100 if "cents_to_dollars" in fixes else cents) + market.loc[in_period(market["order_date"]),
                                                                                   "amount"].sum()
    usage = sources["usage"]
    # the usage log writes UTC times as "YYYY-MM-DDTHH:MM:SSZ" (its schema checks it): such text sorts as the times do
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    recent = usage[(usage["event_time"] >= start.strftime(stamp)) & (usage["event_time"] < end.strftime(stamp))]
    if "match_ids" in fixes:
        known = set(customer_number(crm.loc[active, "account_id"]).dropna())
        matched = _by_distinct(recent["user_id"], lambda ids: customer_number(ids).isin(known)).astype(bool)
    else:
        matched = recent["user_id"].isin(set(crm.loc[active, "account_id"]))
    scores = surveys.loc[surveys["wave"] == start.year, "score"]
    scores = scores[scores.between(0, 10)]
    n_active = int(active.sum())
    values = [len(crm), int(at_start.sum()), int(first_quarter.sum()), lost.sum() / at_start.sum() if at_start.any() else np.nan, float(revenue),
              revenue / n_active if n_active else np.nan, int(matched.sum()) / n_active if n_active else np.nan,
              nps(scores).value if len(scores) else np.nan]
    return pd.Series(values, index=list(IMPACT_METRICS), name=", ".join(fixes) or "no fix", dtype=float)
