"""The SQL that turns six exports into one customer view, step by step, and the data dictionary.

Each step reads the raw exports (schema ``raw``, loaded as the systems wrote them, with each row's
position in ``source_row``) or earlier steps, and writes one table. Rows a step leaves out are written
to ``rejected_rows`` with the reason, never dropped without a word. Ids are read with ``TRY_CAST``, so an id without
digits gives an empty customer id, which :func:`~retention_kit.warehouse.run_step` refuses. The lesson
prints each step with ``rk.warehouse.show_sql(name)``.
"""
from __future__ import annotations

__all__ = ["STEPS", "DICTIONARY"]

_ID = r"TRY_CAST(regexp_extract(trim({col}), '(\d+)$', 1) AS INTEGER)"

STEPS = {
    "customers": f"""
-- one row per customer: ids normalized, the two date formats read, repeated rows collapsed,
-- a missing plan taken from the price the billing system charged
CREATE OR REPLACE TABLE customers AS
WITH crm AS (
    SELECT DISTINCT {_ID.format(col='account_id')} AS customer_id,
           COALESCE(try_strptime(signup_date, '%Y-%m-%d'), try_strptime(signup_date, '%d.%m.%Y'))::DATE
               AS signup_date,
           plan,
           try_strptime(cancelled_on, '%Y-%m-%d')::DATE AS cancelled_on
    FROM raw.crm
), billed AS (
    SELECT customer_ref AS customer_id,
           arg_max(CASE amount WHEN 2900 THEN 'starter' WHEN 7900 THEN 'team' WHEN 19900 THEN 'business' END,
                   invoice_date) AS billed_plan
    FROM raw.billing GROUP BY customer_ref
)
SELECT crm.customer_id, signup_date, COALESCE(plan, billed_plan) AS plan,
       CASE WHEN plan IS NOT NULL THEN 'crm' WHEN billed_plan IS NOT NULL THEN 'billing' END AS plan_source,
       cancelled_on
FROM crm LEFT JOIN billed USING (customer_id)
ORDER BY customer_id;
INSERT INTO rejected_rows
SELECT 'crm', source_row, 'repeats an earlier row of the CRM export (kept once)'
FROM (SELECT source_row, row_number() OVER (PARTITION BY account_id, signup_date, plan, cancelled_on
                                            ORDER BY source_row) AS copy
      FROM raw.crm)
WHERE copy > 1;
""",
    "payments": f"""
-- every payment in dollars: invoices (cents in billing, each invoice id once) and marketplace add-ons
CREATE OR REPLACE TABLE payments AS
SELECT CAST(invoice_id AS VARCHAR) AS payment_id, 'subscription' AS kind, customer_ref AS customer_id,
       CAST(invoice_date AS DATE) AS date, amount / 100.0 AS amount
FROM raw.billing
QUALIFY row_number() OVER (PARTITION BY invoice_id ORDER BY source_row) = 1
UNION ALL
SELECT order_id, 'add-on', {_ID.format(col='buyer')}, CAST(order_date AS DATE), amount
FROM raw.marketplace
ORDER BY date, payment_id;
INSERT INTO rejected_rows
SELECT 'billing', source_row, 'invoice ' || invoice_id || ' exported again (counted once)'
FROM raw.billing
QUALIFY row_number() OVER (PARTITION BY invoice_id ORDER BY source_row) > 1;
""",
    "sessions": f"""
-- product usage of customers only; test accounts go to rejected_rows
CREATE OR REPLACE TABLE sessions AS
SELECT {_ID.format(col='user_id')} AS customer_id, CAST(event_time AS TIMESTAMPTZ) AS event_time, event
FROM raw.usage
WHERE {_ID.format(col='user_id')} IN (SELECT customer_id FROM customers)
ORDER BY event_time, customer_id;
INSERT INTO rejected_rows
SELECT 'usage', source_row, 'user_id ' || user_id || ' is no customer in the CRM (a test account?)'
FROM raw.usage u
WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = {_ID.format(col='u.user_id')});
""",
    "tickets": f"""
-- support tickets in UTC: an offset when the desk wrote one, else the desk's own zone (New York)
CREATE OR REPLACE TABLE tickets AS
SELECT ticket_id, {_ID.format(col='customer')} AS customer_id,
       CASE WHEN regexp_matches(opened_at, '([+-]\\d{{2}}:\\d{{2}}|Z)$') THEN CAST(opened_at AS TIMESTAMPTZ)
            ELSE timezone('America/New_York', CAST(opened_at AS TIMESTAMP)) END AS opened_at,
       csat
FROM raw.tickets
WHERE {_ID.format(col='customer')} IN (SELECT customer_id FROM customers)
ORDER BY opened_at, ticket_id;
INSERT INTO rejected_rows
SELECT 'tickets', source_row, 'customer ' || customer || ' is no customer in the CRM'
FROM raw.tickets t
WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = {_ID.format(col='t.customer')});
""",
    "survey_answers": f"""
-- one answer per customer and wave (the latest form); 99 ("don't know") and skipped questions are no score
CREATE OR REPLACE TABLE survey_answers AS
WITH forms AS (
    SELECT {_ID.format(col='account')} AS customer_id, wave, strptime(submitted_at, '%Y-%m-%d %H:%M') AS submitted_at,
           score, source_row,
           row_number() OVER (PARTITION BY {_ID.format(col='account')}, wave
                              ORDER BY strptime(submitted_at, '%Y-%m-%d %H:%M') DESC, source_row) AS latest
    FROM raw.surveys
)
SELECT customer_id, wave, submitted_at,
       CASE WHEN score BETWEEN 0 AND 10 THEN score END AS score,
       CASE WHEN score = 99 THEN 'don''t know' WHEN score IS NULL THEN 'skipped' END AS no_score_reason
FROM forms WHERE latest = 1
ORDER BY wave, customer_id;
INSERT INTO rejected_rows
SELECT 'surveys', source_row, 'a second form of the same account and wave (the latest is kept)'
FROM (SELECT source_row, row_number() OVER (PARTITION BY {_ID.format(col='account')}, wave
                                            ORDER BY strptime(submitted_at, '%Y-%m-%d %H:%M') DESC, source_row)
             AS latest
      FROM raw.surveys)
WHERE latest > 1;
""",
    "customer_view": """
-- the single customer view: one row per customer, every system's facts side by side
CREATE OR REPLACE TABLE customer_view AS
SELECT c.customer_id, c.signup_date, c.plan, c.plan_source, c.cancelled_on,
       COALESCE(p.subscription_revenue, 0) AS subscription_revenue,
       COALESCE(p.add_on_revenue, 0) AS add_on_revenue,
       COALESCE(p.invoices, 0) AS invoices,
       COALESCE(s.sessions, 0) AS sessions, s.last_seen,
       COALESCE(t.tickets, 0) AS tickets, t.mean_csat,
       a.score AS last_nps_score, a.wave AS last_nps_wave
FROM customers c
LEFT JOIN (SELECT customer_id, sum(amount) FILTER (kind = 'subscription') AS subscription_revenue,
                  sum(amount) FILTER (kind = 'add-on') AS add_on_revenue,
                  count(*) FILTER (kind = 'subscription') AS invoices
           FROM payments GROUP BY customer_id) p USING (customer_id)
LEFT JOIN (SELECT customer_id, count(*) AS sessions, max(event_time) AS last_seen
           FROM sessions GROUP BY customer_id) s USING (customer_id)
LEFT JOIN (SELECT customer_id, count(*) AS tickets, avg(csat) AS mean_csat
           FROM tickets GROUP BY customer_id) t USING (customer_id)
LEFT JOIN (SELECT customer_id, arg_max(score, wave) AS score, max(wave) AS wave
           FROM survey_answers WHERE score IS NOT NULL GROUP BY customer_id) a USING (customer_id)
ORDER BY customer_id;
""",
}

# one definition per column and metric: (name, table, definition, unit)
DICTIONARY = [
    ("customer_id", "every table", "The customer number: the digits at the end of any system's id "
     "('TW-000123', 'tw-000123', 'tallyworks:123' and 123 are customer 123).", "id"),
    ("signup_date", "customers", "The day the CRM account was opened.", "date"),
    ("plan", "customers", "The plan in the CRM; when the CRM has none, the plan of the last invoice's price.",
     "starter, team, business"),
    ("plan_source", "customers", "Where plan came from: 'crm' or 'billing'.", "text"),
    ("cancelled_on", "customers", "The day the subscription ended; empty while still a customer.", "date"),
    ("amount", "payments", "Money paid, in dollars (billing's cents divided by 100).", "dollars"),
    ("kind", "payments", "'subscription' (a monthly invoice) or 'add-on' (a marketplace purchase).", "text"),
    ("event_time", "sessions", "When the product logged the event.", "UTC timestamp"),
    ("opened_at", "tickets", "When the ticket was opened; a time without an offset is New York time.",
     "UTC timestamp"),
    ("csat", "tickets", "The rating after the ticket was closed; empty when the customer did not rate.", "1-5"),
    ("score", "survey_answers", "Likelihood to recommend; 99 ('don't know') and skipped are empty.", "0-10"),
    ("no_score_reason", "survey_answers", "Why score is empty: 'don't know' or 'skipped'.", "text"),
    ("date", "payments", "The invoice date or the marketplace order date.", "date"),
    ("subscription_revenue", "customer_view", "All the customer's subscription invoices, all time.", "dollars"),
    ("add_on_revenue", "customer_view", "All the customer's marketplace add-ons, all time.", "dollars"),
    ("invoices", "customer_view", "Subscription invoices, all time.", "count"),
    ("sessions", "customer_view", "Usage events, all time.", "count"),
    ("last_seen", "customer_view", "The customer's latest usage event.", "UTC timestamp"),
    ("tickets", "customer_view", "Support tickets, all time.", "count"),
    ("mean_csat", "customer_view", "The mean of the customer's ticket ratings, all time (for a question about a past "
     "period, average the ratings before it from tickets instead: all-time values look into the future).", "1-5"),
    ("last_nps_score", "customer_view", "The score of the customer's latest survey wave with a score.", "0-10"),
    ("last_nps_wave", "customer_view", "The year of that wave.", "year"),
    ("customers at the start", "metric", "Customers who signed up before the period and had not cancelled "
     "before it (periods are half-open, [start, end)).", "customers"),
    ("churn rate", "metric", "Customers at the start who cancelled within the period / customers at the start.",
     "share"),
    ("retention rate", "metric", "1 - churn rate (no new customers counted).", "share"),
    ("NPS", "metric", "Share of scores 9-10 minus share of scores 0-6, among answers with a score, times 100.",
     "points"),
    ("CSAT", "metric", "Ticket ratings of 4 or 5 among ratings given, in percent.", "percent"),
    ("revenue", "metric", "Sum of payments (subscriptions and add-ons) dated in the period.", "dollars"),
    ("revenue per active customer", "metric", "Revenue of the period / customers active at any time in it.",
     "dollars per customer"),
]
