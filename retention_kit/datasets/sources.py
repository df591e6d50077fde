"""One business's separate systems, with the faults real exports have: the data of lesson 08.

*Tallyworks* (the course's software-as-a-service company) keeps its customers in six systems that
were never designed to meet: the CRM, the billing system, the partner marketplace, the product's
usage log, the support desk and the survey tool. :func:`make_customer_sources` simulates one true
history, writes each system's export in that system's own conventions, plants the faults of real
exports, and returns the truth: the clean tables and every fault, row by row.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import Integer, InputError, Probability, RandomState, require_period, validate
from .simulate import Simulated

__all__ = ["make_customer_sources", "PLAN_PRICES", "FAULT_KINDS"]

PLAN_PRICES = {"starter": 29.0, "team": 79.0, "business": 199.0}
MONTHLY_CHURN = {"starter": 0.045, "team": 0.025, "business": 0.012}
ADD_ONS = (15.0, 49.0)
CSAT_STAYING = (0.08, 0.07, 0.15, 0.35, 0.35)      # P(rating 1..5)
CSAT_LEAVING = (0.35, 0.25, 0.20, 0.12, 0.08)      # in the last CSAT_DROP_DAYS before cancelling
CSAT_DROP_DAYS = 180
ZONES = ("-05:00", "-08:00", "+00:00", "+01:00")          # where the support agents sit
FAULT_KINDS = ("id_format", "duplicate_row", "missing_value", "date_format", "missing_time_zone", "orphan",
               "out_of_range", "unit")


def _tw(ids) -> np.ndarray:
    return np.array([f"TW-{i:06d}" for i in ids], dtype=object)


def _history(rng, n, start, end):
    """The true tables: customers, invoices, marketplace purchases, usage, tickets, survey answers."""
    span_days = (end - start).days
    signup = start + pd.to_timedelta(np.sort(rng.integers(0, span_days - 30, n)), unit="D")
    plan = rng.choice(list(PLAN_PRICES), n, p=[0.5, 0.35, 0.15])
    monthly = np.array([MONTHLY_CHURN[p] for p in plan])
    months_kept = rng.geometric(monthly)                        # invoices paid before cancelling
    cancelled = signup + pd.to_timedelta(np.round(months_kept * 30.4375), unit="D")
    cancelled = pd.DatetimeIndex(np.where(cancelled < end, cancelled, pd.NaT))
    customers = pd.DataFrame({"customer_id": np.arange(1, n + 1), "signup_date": signup, "plan": plan,
                              "cancelled_on": cancelled})
    last = customers["cancelled_on"].fillna(end)
    # an invoice on the signup day's date each calendar month (the 31st falls on the month's last day)
    span_months = (end.year - start.year) * 12 + end.month - start.month + 1
    count = np.minimum(months_kept, span_months)
    owner = np.repeat(np.arange(n), count)
    j = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
    day0 = signup.to_numpy().astype("datetime64[D]")[owner]
    month = day0.astype("datetime64[M]") + j
    last_day = (month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")
    dom = np.minimum(pd.DatetimeIndex(day0).day.to_numpy(), last_day.astype(int))
    date = pd.DatetimeIndex(month.astype("datetime64[D]") + (dom - 1))
    keep = date < last.to_numpy()[owner]
    invoices = pd.DataFrame({"customer_id": owner[keep] + 1, "date": date[keep],
                             "amount": np.array([PLAN_PRICES[p] for p in plan])[owner[keep]]})
    invoices.insert(0, "invoice_id", np.arange(100001, 100001 + len(invoices)))
    # add-ons bought through the partner marketplace, in dollars
    life_days = (last - customers["signup_date"]).dt.days.to_numpy()
    n_add = rng.poisson(life_days / 240)
    owner = np.repeat(customers["customer_id"].to_numpy(), n_add)
    offset = rng.uniform(0, np.repeat(life_days, n_add))
    market = pd.DataFrame({"customer_id": owner,
                           "date": np.repeat(signup, n_add) + pd.to_timedelta(offset.round(), unit="D"),
                           "amount": rng.choice(ADD_ONS, len(owner))}).sort_values(["date", "customer_id"])
    market.insert(0, "order_id", [f"MP-{i:05d}" for i in range(1, len(market) + 1)])
    # usage: sessions, declining in the last weeks before a cancellation
    n_sessions = rng.poisson(life_days / 7 * 1.5)
    user = np.repeat(customers["customer_id"].to_numpy(), n_sessions)
    when = np.repeat(signup, n_sessions) + pd.to_timedelta(rng.uniform(0, np.repeat(life_days, n_sessions)), unit="D")
    usage = pd.DataFrame({"customer_id": user, "event_time": when.round("s").tz_localize("UTC")})
    usage["event"] = rng.choice(["login", "report_created", "export"], len(usage), p=[0.7, 0.2, 0.1])
    usage = usage.sort_values(["event_time", "customer_id"], ignore_index=True)
    # support tickets and the satisfaction rating after each (1-5, about 40% answer)
    n_tickets = rng.poisson(life_days / 120)
    holder = np.repeat(customers["customer_id"].to_numpy(), n_tickets)
    opened = (np.repeat(signup, n_tickets)
              + pd.to_timedelta(rng.uniform(0, np.repeat(life_days, n_tickets)), unit="D")).round("min")
    # a customer on the way out rates lower: the rating follows the decision to leave, it does not cause it
    ends = np.repeat(customers["cancelled_on"].to_numpy(), n_tickets)
    leaving = (ends - opened.to_numpy()) < np.timedelta64(CSAT_DROP_DAYS, "D")
    draw = np.where(leaving, rng.choice([1, 2, 3, 4, 5], len(holder), p=CSAT_LEAVING),
                    rng.choice([1, 2, 3, 4, 5], len(holder), p=CSAT_STAYING))
    csat = pd.array(draw, dtype="Int64")
    csat[rng.random(len(holder)) > 0.4] = pd.NA
    tickets = pd.DataFrame({"ticket_id": np.arange(1, len(holder) + 1), "customer_id": holder,
                            "opened_at": opened.tz_localize("UTC"), "csat": csat})
    tickets = tickets.sort_values("opened_at", ignore_index=True)
    tickets["ticket_id"] = np.arange(5001, 5001 + len(tickets))
    # the yearly NPS survey (every November) to the customers active on its first day
    surveys = []
    for year in range(start.year, end.year):
        day = pd.Timestamp(year, 11, 1)
        active = customers[(customers["signup_date"] < day) & ~(customers["cancelled_on"] <= day)]
        answered = active[rng.random(len(active)) < 0.35]
        category = rng.choice([0, 1, 2], len(answered), p=[0.22, 0.33, 0.45])
        score = np.where(category == 0, rng.integers(0, 7, len(answered)),
                         np.where(category == 1, rng.integers(7, 9, len(answered)), rng.integers(9, 11, len(answered))))
        surveys.append(pd.DataFrame({"customer_id": answered["customer_id"].to_numpy(), "wave": year,
                                     "submitted_at": day + pd.to_timedelta(rng.integers(0, 14 * 24, len(answered)),
                                                                           unit="h"),
                                     "score": score}))
    surveys = pd.concat(surveys, ignore_index=True)
    return dict(customers=customers, invoices=invoices, marketplace=market.reset_index(drop=True), usage=usage,
                tickets=tickets, surveys=surveys)


def _pick(rng, n, share) -> np.ndarray:
    return np.sort(rng.choice(n, max(1, round(n * share)), replace=False))


def _fault(kind, table, column, rows) -> pd.DataFrame:
    return pd.DataFrame({"table": table, "fault": kind, "column": column, "row": np.asarray(rows, dtype=int)})


def _double(frame: pd.DataFrame, rows) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Insert a copy of each of ``rows`` right after it.

    Returns the new frame, the copies' positions, and each new row's position before the copies.
    """
    origin = np.sort(np.r_[np.arange(len(frame)), np.asarray(rows, dtype=int)], kind="stable")
    out = frame.iloc[origin].reset_index(drop=True)
    copies = np.flatnonzero(np.r_[False, origin[1:] == origin[:-1]])
    return out, copies, origin


def _moved(origin, rows) -> np.ndarray:
    """Where the rows planted at ``rows`` (before copies were inserted) are now, copies included."""
    return np.flatnonzero(np.isin(origin, rows))


def _exports(rng, true, share, orphans):
    """Write each system's export in its own conventions and plant the faults; return (sources, faults)."""
    faults = []
    # CRM: ids "TW-000123"; some typed by hand; dates ISO except a legacy import in DD.MM.YYYY; plan sometimes empty
    crm = pd.DataFrame({"account_id": _tw(true["customers"]["customer_id"]),
                        "signup_date": true["customers"]["signup_date"].dt.strftime("%Y-%m-%d"),
                        "plan": true["customers"]["plan"].astype(object),
                        "cancelled_on": true["customers"]["cancelled_on"].dt.strftime("%Y-%m-%d")})
    n = len(crm)
    typed = _pick(rng, n, share)
    crm.loc[typed, "account_id"] = [f" tw-{int(i[3:])} " if k % 2 else f"tw{int(i[3:])}"
                                    for k, i in enumerate(crm.loc[typed, "account_id"])]
    legacy = _pick(rng, n, share * 2)
    crm.loc[legacy, "signup_date"] = true["customers"]["signup_date"].iloc[legacy].dt.strftime("%d.%m.%Y").to_numpy()
    empty = _pick(rng, n, share)
    crm.loc[empty, "plan"] = None
    crm, copies, origin = _double(crm, _pick(rng, n, share))
    faults += [_fault("id_format", "crm", "account_id", _moved(origin, typed)),
               _fault("date_format", "crm", "signup_date", _moved(origin, legacy)),
               _fault("missing_value", "crm", "plan", _moved(origin, empty)),
               _fault("duplicate_row", "crm", None, copies)]
    # billing: the customer as a bare number, amounts in cents (the system's own unit), export retries repeat rows
    billing = pd.DataFrame({"invoice_id": true["invoices"]["invoice_id"], "customer_ref": true["invoices"]["customer_id"],
                            "invoice_date": true["invoices"]["date"].dt.strftime("%Y-%m-%d"),
                            "amount": (true["invoices"]["amount"] * 100).round().astype(int)})
    billing, bill_copies, _ = _double(billing, _pick(rng, len(billing), share / 2))
    faults += [_fault("duplicate_row", "billing", None, bill_copies),
               _fault("unit", "billing", "amount", np.arange(len(billing)))]
    # marketplace: the partner's own id "tallyworks:123", amounts in dollars
    market = pd.DataFrame({"order_id": true["marketplace"]["order_id"],
                           "buyer": [f"tallyworks:{i}" for i in true["marketplace"]["customer_id"]],
                           "order_date": true["marketplace"]["date"].dt.strftime("%Y-%m-%d"),
                           "amount": true["marketplace"]["amount"]})
    # usage: ids "tw-000123" and UTC times; internal test accounts that are no customers
    usage = pd.DataFrame({"user_id": [f"tw-{i:06d}" for i in true["usage"]["customer_id"]],
                          "event_time": true["usage"]["event_time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
                          "event": true["usage"]["event"]})
    fake = pd.DataFrame({"user_id": [f"tw-{i:06d}" for i in rng.integers(900000, 900010, orphans)],
                         "event_time": usage["event_time"].sample(orphans, random_state=rng.integers(2**31)).to_numpy(),
                         "event": "login"})
    usage = pd.concat([usage, fake], ignore_index=True).sort_values("event_time", kind="stable", ignore_index=True)
    faults.append(_fault("orphan", "usage", "user_id", np.flatnonzero(usage["user_id"].str[3:].astype(int) >= 900000)))
    # support desk: local times with their offset; a few without one (the desk's own zone, New York)
    t = true["tickets"]
    zone = rng.choice(ZONES, len(t))
    local = [(ts + pd.Timedelta(hours=int(z[:3]))).strftime("%Y-%m-%dT%H:%M:00") + z
             for ts, z in zip(t["opened_at"].dt.tz_localize(None), zone)]
    naive = _pick(rng, len(t), share)
    for k in naive:
        local[k] = t["opened_at"].iloc[k].tz_convert("America/New_York").strftime("%Y-%m-%dT%H:%M:00")
    tickets = pd.DataFrame({"ticket_id": t["ticket_id"], "customer": _tw(t["customer_id"]), "opened_at": local,
                            "csat": t["csat"]})
    stray = pd.DataFrame({"ticket_id": np.arange(9001, 9001 + orphans // 10 + 1),
                          "customer": _tw(rng.integers(800000, 800100, orphans // 10 + 1)),
                          "opened_at": tickets["opened_at"].iloc[:orphans // 10 + 1].to_numpy(),
                          "csat": pd.array([pd.NA] * (orphans // 10 + 1), dtype="Int64")})
    tickets = pd.concat([tickets, stray], ignore_index=True)
    faults += [_fault("missing_time_zone", "tickets", "opened_at", naive),
               _fault("orphan", "tickets", "customer", np.arange(len(t), len(tickets)))]
    # survey tool: 99 is its "don't know" code, skipped questions are empty, some forms were submitted twice
    s = true["surveys"]
    survey = pd.DataFrame({"account": _tw(s["customer_id"]), "wave": s["wave"],
                           "submitted_at": s["submitted_at"].dt.strftime("%Y-%m-%d %H:%M"),
                           "score": s["score"].astype("Int64")})
    dont_know = _pick(rng, len(s), share)
    skipped = np.setdiff1d(_pick(rng, len(s), share), dont_know)
    survey.loc[dont_know, "score"] = 99
    survey.loc[skipped, "score"] = pd.NA
    survey, twice, origin = _double(survey, _pick(rng, len(s), share))
    faults += [_fault("out_of_range", "surveys", "score", _moved(origin, dont_know)),
               _fault("missing_value", "surveys", "score", _moved(origin, skipped)),
               _fault("duplicate_row", "surveys", None, twice)]
    sources = dict(crm=crm, billing=billing, marketplace=market, usage=usage, tickets=tickets, surveys=survey)
    faults = pd.concat(faults, ignore_index=True).sort_values(["table", "fault", "row"], ignore_index=True)
    return sources, faults


@validate(n_customers=Integer(low=50, hint="Fewer than 50 customers leave too few rows to plant each fault."),
          fault_share=Probability("Write 2% as 0.02."), n_orphans=Integer(low=1), random_state=RandomState())
def make_customer_sources(n_customers: int = 1500, *, start="2024-01-01", end="2026-01-01", fault_share: float = 0.02,
                          n_orphans: int = 40, random_state=None) -> Simulated:
    """Tallyworks' customers as six separate system exports, with planted faults and the clean truth.

    The true history: customers sign up uniformly over ``[start, end - 30 days)`` on a plan (starter
    29, team 79, business 199 dollars a month; shares 50/35/15%) and cancel after a geometric number of
    monthly invoices (monthly churn 4.5%, 2.5%, 1.2% by plan); add-ons of 15 or 49 dollars are bought
    through a partner marketplace (one per 240 days on average); about 1.5 sessions a week are logged;
    a support ticket every 120 days, rated 1-5 afterwards by 40%; a yearly NPS survey every November
    to the customers active on the 1st, answered by 35%.

    The ratings carry a planted reverse causation: a ticket opened in the last 180 days before a
    cancellation is rated from ``CSAT_LEAVING`` (mean 2.33) instead of ``CSAT_STAYING`` (mean 3.82). The
    cancellation is drawn first and never depends on a rating, so low ratings go with churn without
    causing any of it.

    Each system exports in its own conventions, and the faults real exports have are planted:

    ============  ======================================================================================
    ``crm``       ``account_id`` "TW-000123" (some typed as "tw123" or " tw-123 ": *id_format*);
                  ``signup_date`` ISO, a legacy import in DD.MM.YYYY (*date_format*); ``plan`` sometimes
                  empty (*missing_value*); a double import repeats some rows (*duplicate_row*)
    ``billing``   ``customer_ref`` the bare number; ``amount`` **in cents** (*unit*); export retries repeat
                  some invoices (*duplicate_row*)
    ``marketplace``  ``buyer`` "tallyworks:123"; ``amount`` in dollars
    ``usage``     ``user_id`` "tw-000123", ``event_time`` in UTC; internal test accounts that are not
                  customers (*orphan*)
    ``tickets``   ``customer`` "TW-000123"; ``opened_at`` in the agent's local time with its offset, some
                  without one, written in the desk's zone, New York (*missing_time_zone*); tickets of
                  non-customers (*orphan*); ``csat`` 1-5, empty when not rated (not a fault)
    ``surveys``   ``account`` "TW-000123"; ``score`` 0-10, 99 for "don't know" (*out_of_range*), empty
                  when skipped (*missing_value*); some forms submitted twice (*duplicate_row*)
    ============  ======================================================================================

    Parameters
    ----------
    n_customers : int, at least 50
    start, end : the simulated period ``[start, end)``
    fault_share : float, the share of rows given each row fault (duplicates: half of it in billing,
        date formats: twice it in the CRM)
    n_orphans : int, rows of test accounts in the usage log (and a tenth as many stray tickets)
    random_state : int, numpy Generator or None

    Returns
    -------
    Simulated
        ``data`` is a dict of the six exports by system name; ``truth`` holds ``tables`` (the true
        customers, invoices and marketplace purchases with amounts in dollars, usage, tickets and
        surveys, keyed by the integer ``customer_id``) and ``faults``, one row per faulty cell or row
        (``table``, ``fault``, ``column``, ``row``: the row's position in that export; ``column`` is
        None for a repeated row).

    Raises
    ------
    InputError
        For fewer than 50 customers, a share outside [0, 1], or an empty period.

    Examples
    --------
    >>> sources, truth = make_customer_sources(200, random_state=1)
    >>> sorted(sources)
    ['billing', 'crm', 'marketplace', 'surveys', 'tickets', 'usage']
    >>> truth["faults"].groupby("table")["fault"].unique()["crm"].tolist()
    ['date_format', 'duplicate_row', 'id_format', 'missing_value']
    """
    start, end = require_period(start, end)
    if (end - start).days < 120:
        raise InputError(f"start={start.date()} and end={end.date()} span {(end - start).days} days; the sources need "
                         "at least 120 (a survey in November, monthly invoices). Widen the period.")
    rng = np.random.default_rng(random_state)
    true = _history(rng, n_customers, start, end)
    sources, faults = _exports(rng, true, fault_share, n_orphans)
    return Simulated(sources, {"tables": true, "faults": faults, "plan_prices": dict(PLAN_PRICES),
                               "monthly_churn": dict(MONTHLY_CHURN), "support_zone": "America/New_York",
                               "csat_staying": CSAT_STAYING, "csat_leaving": CSAT_LEAVING,
                               "csat_drop_days": CSAT_DROP_DAYS})
