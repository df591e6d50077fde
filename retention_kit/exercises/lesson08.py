"""Exercises of lesson 08 (centralize your data): the lesson's Tallyworks exports, built once into a warehouse."""
import tempfile
from functools import lru_cache
from pathlib import Path

from ..datasets import make_customer_sources
from .engine import Exercise, Solution, register

# the lesson's call: rk.datasets.make_customer_sources(random_state=8)
SOURCES_SEED = 8


@lru_cache(maxsize=None)
def _tables() -> dict:
    from .. import warehouse
    sources = make_customer_sources(random_state=SOURCES_SEED).data
    with tempfile.TemporaryDirectory() as folder:
        con = warehouse.create_warehouse(Path(folder) / "tallyworks.duckdb")
        warehouse.build_single_view(con, sources)
        tables = {name: warehouse.table(con, name) for name in ("customers", "payments", "tickets")}
        con.close()
    return {"sources": sources, **tables}


def _business_at_start():
    c = _tables()["customers"]
    business = c[c["plan"] == "business"]
    at_start = (business["signup_date"] < "2025-01-01") & ~(business["cancelled_on"] < "2025-01-01")
    return Solution(int(at_start.sum()), dict(recovered=int((business["plan_source"] == "billing").sum())))


def _business_invoices():
    p, c = _tables()["payments"], _tables()["customers"]
    business = set(c.loc[c["plan"] == "business", "customer_id"])
    paid = p[(p["kind"] == "subscription") & p["customer_id"].isin(business) & (p["date"] >= "2025-01-01")
             & (p["date"] < "2026-01-01")]
    return Solution(float(paid["amount"].sum()), dict(invoices=len(paid)))


def _tickets_2025():
    t = _tables()["tickets"]
    utc = int(((t["opened_at"] >= "2025-01-01") & (t["opened_at"] < "2026-01-01")).sum())
    return Solution(utc, dict(customers=t.loc[(t["opened_at"] >= "2025-01-01") & (t["opened_at"] < "2026-01-01"),
                                              "customer_id"].nunique()))


register(
    Exercise("08-business-at-start-2025", "business-plan customers at the start of 2025", _business_at_start,
             "{answer:,} business-plan customers were there on 1 January 2025 ({recovered} business customers of all "
             "time had their plan recovered from billing: without it they would be missing from the count).",
             "the customers at the start of a period joined before it and had not cancelled before it (lesson 03); the "
             "warehouse's customers table has the plan, repaired where the CRM lost it", kind="integer"),
    Exercise("08-business-invoices-2025", "dollars of subscription invoices of business-plan customers in 2025",
             _business_invoices,
             "{invoices:,} invoices dated in 2025: ${answer:,.2f}.",
             "the plan is in one table and the payments in another: join them on the customer id, keep the "
             "subscription payments dated in the half-open year", abs_tol=0.005),
    Exercise("08-tickets-2025-utc", "support tickets of customers opened in 2025, in UTC", _tickets_2025,
             "{answer:,} tickets, from {customers:,} customers. The warehouse's tickets table is already in UTC and "
             "holds customers' tickets only.",
             "count in the warehouse's tickets table (times in UTC, customers only), with half-open bounds on "
             "opened_at", kind="integer"),
    Exercise("08-judge-orphans", "what to do with the tickets of ids the CRM does not know", lambda: Solution("c"),
             "keep them out of the customer metrics, keep them on record with the reason, and ask the system's owner: "
             "only they can say whether the ids are test accounts, prospects or customers the CRM lost.",
             "ask what each choice does to the metrics and to what you could learn later about these rows",
             kind="choice",
             options={"a": "deleting them from the export loses the record: if the CRM lost real customers, "
                           "nothing would show it any more.",
                      "b": "an id the CRM does not know is no evidence of a customer: adding them invents customers "
                           "(and their plans, sign-up dates) the business never had.",
                      "d": "counting them in CSAT mixes ratings of non-customers (or of no one) into a customer "
                           "metric; and the few rows change little, which is a reason to leave them out, not in."}),
    Exercise("08-judge-low-csat", "what the churn of customers with low ticket ratings supports", lambda: Solution("b"),
             "a comparison of groups that were not assigned at random is an association: the customers who rate "
             "support low differ in other ways (plan, tenure, problems with the product) and may rate low because they "
             "are already leaving. An experiment on support itself is what would measure the effect.",
             "ask whether the groups were assigned at random, and what else differs between them",
             kind="choice",
             options={"a": "the groups were not assigned at random: the difference is an association, and part or all "
                           "of it may come from plan, tenure or customers who were leaving anyway.",
                      "c": "the interval is about chance variation, not about what else differs between the groups: a "
                           "narrow interval does not make an association an effect."}),
)
