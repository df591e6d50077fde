"""Loaders for the data files shipped with the kit (found through ``importlib.resources``, so they
work from any working directory). Data cards: ``datasets/README.md``.

Every loader takes no argument, returns a new DataFrame, reads no network and raises nothing
on a complete installation (a missing file raises ``FileNotFoundError``).
"""
from __future__ import annotations

import pandas as pd

from .shipped import data_path

__all__ = ["load_coffee_transactions", "load_saas_subscriptions", "load_telecom_survey", "load_retention_costs",
           "load_telco_churn", "load_scale_timings"]


def _read(name: str, **kwargs) -> pd.DataFrame:
    with data_path(name).open("rb") as fh:
        return pd.read_csv(fh, **kwargs)


def load_coffee_transactions() -> pd.DataFrame:
    """Harbor Coffee rewards purchases, 2024-2025 (synthetic, BG/NBD + Gamma-Gamma).

    Shape (26,086, 3). Columns: ``customer_id`` (int), ``date`` (timestamp, to the
    minute), ``amount`` (dollars). 3,000 regular members join at uniform times from
    2024-01-01, and 700 more during the app-launch promotion of November 2024; observed until
    2026-01-01. Built by ``make_transactions(3000, promotion=COFFEE_LAUNCH_PROMOTION,
    random_state=20240101)`` (``retention_kit.datasets.shipped``).

    Returns
    -------
    DataFrame, as described above.

    Examples
    --------
    >>> load_coffee_transactions().columns.tolist()
    ['customer_id', 'date', 'amount']
    """
    return _read("coffee_transactions.csv", parse_dates=["date"])


def load_saas_subscriptions() -> pd.DataFrame:
    """Tallyworks subscriptions, 2022-2025 (synthetic): one row per customer.

    Shape (4,000, 7). Columns: ``customer_id``, ``plan`` (basic / pro / enterprise),
    ``monthly_fee`` (dollars), ``start_date``, ``end_date`` (empty while active),
    ``tickets_90d`` and ``unresolved_tickets_90d`` (support tickets in the first 90 days).
    Observed until 2026-01-01. Built by ``make_subscriptions(4000, random_state=20220101)``.

    Returns
    -------
    DataFrame, as described above.

    Examples
    --------
    >>> load_saas_subscriptions().shape
    (4000, 7)
    """
    subs = _read("saas_subscriptions.csv", parse_dates=["start_date", "end_date"])
    subs["plan"] = pd.Categorical(subs["plan"], categories=["basic", "pro", "enterprise"])
    return subs


def load_telecom_survey() -> pd.DataFrame:
    """Kestrel Mobile relationship survey, two waves in 2025 (synthetic): one row per response.

    Shape (2,000, 9). Columns: ``response_id``, ``customer_id``, ``wave`` (1 = March,
    2 = September), ``date``, ``touchpoint`` (onboarding / billing / support / app),
    ``nps_score`` (0-10, empty if skipped), ``csat`` (1-5, empty if skipped), ``renewed``
    (bool, contract renewed at the next renewal), ``referrals`` (in the next six months).
    Built by ``make_survey(1000, random_state=20250301)``.

    Returns
    -------
    DataFrame, as described above.

    Examples
    --------
    >>> load_telecom_survey()["wave"].value_counts().sort_index().tolist()
    [1000, 1000]
    """
    return _read("telecom_survey.csv", parse_dates=["date"])


def load_retention_costs() -> pd.DataFrame:
    """Tallyworks retention-spend ledger, 2024-2025 (synthetic): one row per cost item.

    Columns: ``date``, ``program`` (customer success / loyalty program / win-back campaigns /
    support), ``item``, ``amount`` (dollars). Built by ``make_retention_costs(random_state=20240102)``.

    Returns
    -------
    DataFrame, as described above.

    Examples
    --------
    >>> sorted(load_retention_costs()["program"].unique())[0]
    'customer success'
    """
    return _read("retention_costs.csv", parse_dates=["date"])


def load_telco_churn() -> pd.DataFrame:
    """IBM Telco customer churn: IBM's public sample data on 7,043 customers of a fictional telecom, one row each.

    IBM describes the table as sample data that "tracks a fictional telco company" (customers in
    California in the third quarter of a year); how it was made is not documented, so nothing in
    it can be checked against a truth. ``Churn`` marks customers who left within the last month
    (the Kaggle card) or this quarter (IBM's fuller release). Source: IBM, repository
    telco-customer-churn-on-icp4d, file data/Telco-Customer-Churn.csv,
    Apache License 2.0 (``datasets/LICENSE-telco``). Columns as published
    (``customerID``, ``gender``, ``SeniorCitizen``, ``Partner``, ``Dependents``, ``tenure``
    [months], service columns, ``Contract``, ``PaperlessBilling``, ``PaymentMethod``,
    ``MonthlyCharges`` and ``TotalCharges`` [dollars], ``Churn``), with two conversions:
    ``TotalCharges`` is numeric (it is blank, now NaN, for the 11 customers with tenure 0,
    who have not been billed yet; no row is dropped) and ``Churn`` is a bool.

    Returns
    -------
    DataFrame, as described above.

    Examples
    --------
    >>> telco = load_telco_churn()
    >>> telco.shape, int(telco["TotalCharges"].isna().sum()), round(float(telco["Churn"].mean()), 3)
    ((7043, 21), 11, 0.265)
    """
    telco = _read("telco_customer_churn.csv")
    telco["TotalCharges"] = pd.to_numeric(telco["TotalCharges"].str.strip().replace("", None))
    telco["Churn"] = telco["Churn"].eq("Yes")
    return telco


def load_scale_timings() -> pd.DataFrame:
    """Measured times and peak memory of the kit's summaries from 10,000 to 30,000,000 customers (not simulated).

    Shape (50, 9): ``rk.rfm_summary`` and ``rk.cohort_table`` called on a pandas frame in memory (7
    sizes, to 10 million customers), on the same log as Parquet files (8 sizes, to 30 million), on
    Spark ``local[2]`` (1 and 10 million), and a hand-written DuckDB SQL query over the files (8
    sizes). Columns: ``summary`` ("rfm_summary" or "cohort_table"), ``method``, ``customers``,
    ``purchases`` (rows of the log, about 3 a customer), ``seconds`` (best wall time of ``runs``
    runs), ``runs``, ``peak_memory_mb`` (the call's peak resident memory, MiB, the log included when
    it is held in memory; missing for Spark, whose JVM is another process), ``data_mb`` (the log as
    a pandas frame, MiB) and ``parquet_mb`` (as Parquet files, MiB). Measured by
    ``benchmarks/bench_scale.py`` on a 2-core machine shared with other jobs (data card:
    ``datasets/README.md``): times are one machine's, to be read for their growth, not to the
    millisecond.

    Returns
    -------
    DataFrame, as described above.

    Examples
    --------
    >>> timings = load_scale_timings()
    >>> sorted(timings["summary"].unique()), int(timings["customers"].max())
    (['cohort_table', 'rfm_summary'], 30000000)
    """
    return _read("scale_timings.csv")
